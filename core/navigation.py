"""Site navigation and dashboard panels contributed by each app through Wagtail hooks.

An app adds a navigation entry with::

    @hooks.register("register_site_nav_item")
    def nav():
        return NavItem(label=_("案例库"), url_name="cases:index", order=20)

and a dashboard panel (rendered on the home page for a signed-in user) with::

    @hooks.register("register_dashboard_panel")
    def panel(request):
        return DashboardPanel(template_name="...", context={...}, order=10)  # or None

so that `core` never imports the apps built on it.

The rendered panels are cached per user (`dashboard_html`) under the user's and the global
stamps (core.cache), so a hook's data must only change through writes that bump one of them.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail import hooks

from core import cache


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100
    requires_login: bool = True
    permission: str | None = None
    show: Callable[[HttpRequest], bool] | None = None
    # The path the entry's section lives under when its link only redirects there (e.g. the case
    # library page): the entry is then marked current anywhere below that path.
    section: Callable[[], str | None] | None = None

    def is_shown(self, request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if self.requires_login and not (user and user.is_authenticated):
            return False
        if self.permission and not user.has_perm(self.permission):
            return False
        return self.show(request) if self.show else True


@dataclass
class DashboardPanel:
    template_name: str
    context: dict = field(default_factory=dict)
    order: int = 100


def _shown_items(request: HttpRequest) -> list[tuple[str, str, str]]:
    items = sorted((fn() for fn in hooks.get_hooks("register_site_nav_item")), key=lambda i: i.order)
    return [
        (str(item.label), reverse(item.url_name), (item.section() if item.section else None) or "")
        for item in items
        if item.is_shown(request)
    ]


def nav_items(request: HttpRequest) -> list[dict]:
    """The entries this user may see. For a signed-in user the list is cached under their and the global
    stamps, so a `show` or `permission` test must depend only on the user (roles, profile, permissions)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        shown = cache.data(
            ("nav", user.pk, cache.request_stamp(request), get_language()), lambda: _shown_items(request)
        )
    else:
        shown = _shown_items(request)
    return [
        {
            "label": label,
            "url": url,
            "active": (url != "/" and request.path.startswith(url))
            or (section not in ("", "/") and request.path.startswith(section)),
        }
        for label, url, section in shown
    ]


def admin_link_shown(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return False
    return cache.data(
        ("admin-link", user.pk, cache.request_stamp(request)), lambda: user.has_perm("wagtailadmin.access_admin")
    )


def dashboard_panels(request: HttpRequest) -> list[DashboardPanel]:
    panels = [fn(request) for fn in hooks.get_hooks("register_dashboard_panel")]
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)


def dashboard_html(request: HttpRequest) -> str:
    """Every panel for the signed-in user, rendered once per change of what they show.

    The key holds the user's and the global stamps, the date (overdue marks and the year
    turn over at midnight) and a digest of the CSRF secret the panels' forms are signed with.
    """
    user = request.user
    get_token(request)  # the panels' forms need a secret; make sure it exists before it is part of the key
    secret = request.META.get("CSRF_COOKIE", "")
    parts = (
        "dashboard",
        user.pk,
        cache.request_stamp(request),
        timezone.localdate().isoformat(),
        get_language(),
        hashlib.sha256(secret.encode()).hexdigest()[:16],
    )

    def render() -> str:
        return "".join(
            render_to_string(panel.template_name, {"panel": panel.context}, request=request)
            for panel in dashboard_panels(request)
        )

    return mark_safe(cache.fragment(parts, render))  # noqa: S308 - rendered by our own templates
