"""Whole pages for signed-in users, cached under their version stamps, with live values filled per request.

A page a cadre opens again and again (the dashboard, a lesson) is rendered once per change of
what it shows: the key carries the user's and the global stamps (core.cache), the path, the
date, the language and a digest of the CSRF secret its forms are signed with. Values that change
without a stamp bump (a lesson's study time, which every heartbeat advances) are *live*: while
the copy for the cache is rendered, the template's ``{{ live.name }}`` outputs a marker, and each
request replaces the markers with that request's values, escaped.

Only plain GETs are cached: never with flash messages waiting (rendering them consumes them),
never for users who see the Wagtail user bar (editors; it shows the page's editing state),
never a response other than a plain 200.
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core import cache
from core.navigation import admin_link_shown


class Live:
    """A page's live values: `names`, and `compute()` giving each one's value for this request."""

    def __init__(self, names: tuple[str, ...], compute: Callable[[], dict]):
        self.names = names
        self.compute = compute

    @cached_property
    def markers(self) -> dict[str, str]:
        # Keyed with the secret key, so no text an author or a user writes can pose as a marker.
        nonce = hashlib.sha256(f"page-cache-live:{settings.SECRET_KEY}".encode()).hexdigest()[:16]
        return {name: mark_safe(f"<!--live:{nonce}:{name}-->") for name in self.names}  # noqa: S308 - our own text

    def context(self, request: HttpRequest) -> dict:
        """What the template gets as `live`: the markers while the cached copy renders, else the values."""
        return self.markers if getattr(request, "_page_cache_rendering", False) else self.compute()

    def fill(self, html: str) -> str:
        values = self.compute()
        for name, marker in self.markers.items():
            html = html.replace(marker, str(conditional_escape(values[name])))
        return html


def csrf_secret(request: HttpRequest) -> str:
    """The CSRF secret the page's forms are signed with, made now if the browser has none yet."""
    if "CSRF_COOKIE" not in request.META:
        get_token(request)
    return request.META["CSRF_COOKIE"]


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and request.user.is_authenticated
        and not admin_link_shown(request)
        and len(get_messages(request)) == 0
    )


class _NotCacheable(Exception):
    def __init__(self, response):
        self.response = response


def serve(
    request: HttpRequest, serve_page: Callable[[], HttpResponse], *, parts=(), live: Live | None = None
) -> HttpResponse:
    """The response of `serve_page()` for this user, from the cache when nothing it shows has changed."""
    if not _cacheable(request):
        return serve_page()
    key = (
        "page",
        *parts,
        request.get_full_path(),
        cache.request_stamp(request),
        timezone.localdate().isoformat(),
        get_language(),
        hashlib.sha256(csrf_secret(request).encode()).hexdigest()[:16],
    )

    def render() -> str:
        request._page_cache_rendering = True
        try:
            response = serve_page()
            if hasattr(response, "render"):
                response.render()
        finally:
            request._page_cache_rendering = False
        if response.status_code != 200 or response.streaming or response.has_header("Cache-Control"):
            raise _NotCacheable(response)
        return response.content.decode(response.charset)

    try:
        html = cache.fragment(key, render)
    except _NotCacheable as uncached:
        response = uncached.response
        if live is not None and not response.streaming:
            response.content = live.fill(response.content.decode(response.charset))
        return response
    return HttpResponse(live.fill(html) if live is not None else html)
