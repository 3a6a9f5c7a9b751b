"""Conditional GET for signed-in pages built from cached parts (issue 18).

A page whose every part is cached under generation tokens (`core.cache`) is unchanged for a user as long as
those tokens are: its ETag is a digest of the user's, the global and the media generations, the user's identity
and sign-in state (id, session auth hash: a new password changes it; must-change-password), the date (overdue
marks, the year's 学时), the language, the CSRF secret the page's forms are signed with, the release and what
the page type adds (`ConditionalPageMixin.etag_parts`). A browser that sends it back in `If-None-Match` gets a
304 from Django's `condition` decorator before anything is rendered.

Nothing here decides who may see a page: Wagtail's privacy check (`before_serve_page`), the page type's own
rule (a case's rank) and every middleware (sign-out, deactivation, session timeout, forced password change,
second factor) run before the ETag is compared, so a 304 is only ever an answer to a request that would have
been served the same page. The ETag is weak (`W/`): the body differs from one render to the next by the
masked CSRF token.

No ETag (a plain 200) for: anonymous users, anything but GET/HEAD, previews, requests with flash messages
waiting, and users who see the admin link (editors: Wagtail's user bar shows draft state, which no
generation follows).
"""

import hashlib

from django.conf import settings
from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.views.decorators.http import condition

from core import cache


def signed_in_etag(request, *parts) -> str | None:
    """The weak ETag of a signed-in page made of cached parts, or None when it must not be conditional."""
    from core.navigation import admin_link_shown

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.method not in ("GET", "HEAD"):
        return None
    if getattr(request, "is_preview", False) or len(get_messages(request)):
        return None
    if admin_link_shown(request):
        return None
    gens = cache.request_generations(request)
    get_token(request)  # the page's forms need a secret: make sure it exists before it is part of the tag
    secret = request.META.get("CSRF_COOKIE", "")
    key = "|".join(
        str(p)
        for p in (
            settings.CACHE_KEY_PREFIX,
            user.pk,
            user.get_session_auth_hash(),
            getattr(user, "must_change_password", False),
            gens.get(cache.user_key(user.pk), ""),
            gens[cache.GLOBAL],
            gens[cache.MEDIA],
            timezone.localdate().isoformat(),
            get_language(),
            hashlib.sha256(secret.encode()).hexdigest(),
            *parts,
        )
    )
    return 'W/"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


class ConditionalPageMixin:
    """A Wagtail page served with an ETag to signed-in users and answered 304 when it has not changed.

    Put it after the bases whose `serve` checks access (it only wraps what they would serve). A page type
    may use it only when everything it renders is cached under (or computed from) the generations, the
    page's published revision and what `etag_parts` adds.
    """

    def etag_parts(self, request) -> tuple | None:
        """What besides the generations this page's content depends on: the page and its published revision.
        None (no ETag) for a page without a published revision: its content can change without a publish."""
        if not (self.live and self.live_revision_id):
            return None
        return (self.pk, self.live_revision_id, request.get_full_path())

    def serve(self, request, *args, **kwargs):
        def etag(req, *a, **kw):
            parts = self.etag_parts(req)
            return None if parts is None else signed_in_etag(req, *parts)

        parent_serve = super().serve
        response = condition(etag_func=etag)(parent_serve)(request, *args, **kwargs)
        if response.has_header("ETag"):
            # Kept by the browser, never by a shared cache, and revalidated on every visit.
            patch_cache_control(response, private=True, no_cache=True)
        return response
