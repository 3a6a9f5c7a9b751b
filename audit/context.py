"""Who is acting, from where: set per request by AuditContextMiddleware, read by audit signal handlers."""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request: object


_current = contextvars.ContextVar("audit_request", default=None)


def current_request():
    context = _current.get()
    return context.request if context else None


class AuditContextMiddleware:
    """Placed after AuthenticationMiddleware, so signal handlers (role changes, page workflow, settings)
    know the account and IP address of the request that caused them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(RequestContext(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
