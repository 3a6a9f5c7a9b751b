"""Security headers Django does not set by itself."""

from django.conf import settings

# The public site loads scripts and styles only from itself. The Wagtail admin
# relies on inline scripts and styles, so it gets a policy that allows them.
SITE_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefixes = tuple(
            getattr(settings, "CSP_RELAXED_PREFIXES", ("/admin/", "/django-admin/", "/api/v1/docs"))
        )

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            relaxed = request.path.startswith(self.admin_prefixes)
            response["Content-Security-Policy"] = ADMIN_CSP if relaxed else SITE_CSP
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
