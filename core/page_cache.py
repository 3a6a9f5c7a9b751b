"""Whole pages for signed-in users, cached under their version stamps, with live values filled per request.

A page a cadre opens again and again (the dashboard, a lesson) is rendered once per change of
what it shows: the key carries the user's and the global stamps (core.cache), the path, the
date, the language and a digest of the CSRF secret its forms are signed with. Values that change
without a stamp bump (a lesson's study time, which every heartbeat advances) are *live*: while
the copy for the cache is rendered, the template's ``{{ live.name }}`` outputs a marker, and each
request replaces the markers with that request's values, escaped.

A page view makes the copy (`serve`); on later requests core.middleware.CachedPageMiddleware
finds it before URL routing, Wagtail's site lookup and page tree (`cached_response`).

Only plain GETs are cached: never with flash messages waiting (rendering them consumes them),
never for users who see the Wagtail user bar (editors; it shows the page's editing state),
never a response other than a plain 200.
"""

import functools
import hashlib
import re
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

_LIVE_KINDS: dict[str, tuple[tuple[str, ...], Callable[[HttpRequest, int], dict]]] = {}


def register_live(kind: str, names: tuple[str, ...], compute: Callable[[HttpRequest, int], dict]) -> None:
    """Declare a kind of live values: their names, and `compute(request, object_id)` giving their values."""
    _LIVE_KINDS[kind] = (names, compute)


@functools.cache
def _nonce() -> str:
    """Part of every marker, keyed with the secret key, so no text an author or a user writes can pose as one."""
    return hashlib.sha256(f"page-cache-live:{settings.SECRET_KEY}".encode()).hexdigest()[:16]


class Live:
    """The live values of one page: a registered kind, for one object (a lesson's study time for its id)."""

    def __init__(self, kind: str, object_id: int):
        self.kind = kind
        self.object_id = object_id

    @cached_property
    def markers(self) -> dict[str, str]:
        names = _LIVE_KINDS[self.kind][0]
        return {name: mark_safe(_marker(self.kind, name)) for name in names}  # noqa: S308 - ours

    def values(self, request: HttpRequest) -> dict:
        return _LIVE_KINDS[self.kind][1](request, self.object_id)

    def context(self, request: HttpRequest) -> dict:
        """What the template gets as `live`: the markers while the cached copy renders, else the values."""
        return self.markers if getattr(request, "_page_cache_rendering", False) else self.values(request)

    def split(self, html: str) -> list[str]:
        """The page cut at its markers: text, name, text, name, …, text."""
        return _marker_pattern(self.kind).split(html)

    def fill(self, parts: list, request: HttpRequest) -> list:
        """`parts` (from `split`; the text parts str or encoded) with each name replaced by this request's value,
        escaped."""
        values = self.values(request)
        encode = isinstance(parts[0], bytes)
        filled = list(parts)
        for i in range(1, len(filled), 2):
            value = values[filled[i]]
            value = str(value) if type(value) in (int, float) else str(conditional_escape(value))
            filled[i] = value.encode() if encode else value
        return filled


def _marker(kind: str, name: str) -> str:
    return f"<!--live:{_nonce()}:{kind}:{name}-->"


@functools.cache
def _marker_pattern(kind: str) -> re.Pattern:
    return re.compile(re.escape(_marker(kind, "@")).replace("@", r"(\w+)"))


def csrf_secret(request: HttpRequest) -> str:
    """The CSRF secret the page's forms are signed with, made now if the browser has none yet."""
    if "CSRF_COOKIE" not in request.META:
        get_token(request)
    return request.META["CSRF_COOKIE"]


def _may_read(request: HttpRequest) -> bool:
    return request.method == "GET" and request.user.is_authenticated and len(get_messages(request)) == 0


def _cacheable(request: HttpRequest) -> bool:
    # Whether the admin link shows depends only on the user's and the global stamps (its own cache
    # says so), which the key holds: a copy found under the key was made without it, so reading
    # needs no check (`_may_read`).
    return _may_read(request) and not admin_link_shown(request)


def _key(request: HttpRequest) -> tuple:
    return (
        "page-v2",  # the entry format (bytes cut at live markers)
        request.user.pk,
        request.get_host(),
        request.get_full_path(),
        cache.request_stamp(request),
        timezone.localdate().isoformat(),
        get_language(),
        hashlib.sha256(csrf_secret(request).encode()).hexdigest()[:16],
    )


def _response(request: HttpRequest, entry: tuple) -> HttpResponse:
    """The response for a cache entry: the page's bytes cut at its live markers, with this request's values."""
    parts, live_kind, live_id = entry
    if live_kind is not None:
        parts = Live(live_kind, live_id).fill(parts, request)
    return HttpResponse(b"".join(parts))


def cached_response(request: HttpRequest) -> HttpResponse | None:
    """This user's cached copy of the page at this URL, if there is one (core.middleware.CachedPageMiddleware).

    The copy was made by the full page view for this user with the same stamps, so routing, privacy
    settings and access rules gave the same answer then as they would now: any change to them bumps
    a stamp and so changes the key.
    """
    if not _may_read(request):
        return None
    entry = cache.lookup(_key(request))
    return None if entry is None else _response(request, entry)


def serve(request: HttpRequest, serve_page: Callable[[], HttpResponse], *, live: Live | None = None) -> HttpResponse:
    """The response of `serve_page()` for this user, from the cache when nothing it shows has changed."""
    if not _cacheable(request):
        return serve_page()
    key = _key(request)
    entry = cache.lookup(key)
    if entry is None:
        request._page_cache_rendering = True
        try:
            response = serve_page()
            if hasattr(response, "render"):
                response.render()
        finally:
            request._page_cache_rendering = False
        if response.status_code != 200 or response.streaming or response.has_header("Cache-Control"):
            if live is not None and not response.streaming:
                response.content = "".join(live.fill(live.split(response.content.decode(response.charset)), request))
            return response
        html = response.content.decode(response.charset)
        parts = live.split(html) if live else [html]
        # Kept encoded, cut at the markers: a hit joins bytes and never scans or encodes the page.
        entry = (
            [part.encode(response.charset) if i % 2 == 0 else part for i, part in enumerate(parts)],
            live.kind if live else None,
            live.object_id if live else None,
        )
        cache.store(key, entry)
    return _response(request, entry)
