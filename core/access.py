"""Access rules shared by the site's page types."""

from django.contrib.auth.views import redirect_to_login


class SignedInPageMixin:
    """A Wagtail page only signed-in users may open: anonymous visitors are sent to log in.

    Training content (cases, courses, lessons) is internal to the organisation; the only public
    page is a certificate's verification page (/verify/<code>/). Put this before `Page` in the bases.
    """

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)


# --- Wagtail page privacy (设置 → 隐私: login, groups, password) ------------------------------------
#
# One rule for every door that reads or writes a page (pages, APIs, enrolment, completion,
# certificates, reflections, listings, search, recommendations, dashboard panels): a page is open
# to a user when every view restriction on it or an ancestor accepts them, with the semantics of
# Wagtail's `BaseViewRestriction.accept_request`:
#   login  → signed in;  groups → a superuser or a member of one of the groups;
#   password → the browser session has entered that restriction's password.
# A password belongs to a browser session, not to a cadre: callers with a request pass it (or the
# ids the session has passed); without one (a service behind a door that checked it, a background
# task) password restrictions are not judged (`passed_passwords=None`), while a listing that cannot
# ask for the password hides those pages (`passed_passwords=()`).


def passed_passwords(request) -> frozenset[int]:
    """The password restrictions this browser session has passed (what Wagtail's check reads)."""
    from wagtail.models import PageViewRestriction

    session = getattr(request, "session", None)
    if session is None:
        return frozenset()
    return frozenset(session.get(PageViewRestriction.passed_view_restrictions_session_key, []))


def _group_ids(user) -> frozenset[int]:
    from accounts.selectors import user_group_ids

    return user_group_ids(user)  # read once per request, with the role names


def _accepts(restriction, user, groups: frozenset[int], passwords) -> bool:
    from wagtail.models import PageViewRestriction

    kind = restriction.restriction_type
    if kind == PageViewRestriction.LOGIN:
        return bool(user and user.is_authenticated)
    if kind == PageViewRestriction.GROUPS:
        if not user or not user.is_authenticated:
            return False
        return user.is_superuser or bool(groups & {g.pk for g in restriction.groups.all()})
    if kind == PageViewRestriction.PASSWORD:
        return passwords is None or restriction.pk in passwords
    return True


def _passwords_for(request, passed_passwords_):
    if request is not None:
        return passed_passwords(request)
    return passed_passwords_


def page_visible_to(user, page, *, request=None, passed_passwords=None) -> bool:
    """Whether `user` may open `page` under its privacy settings (and those of its ancestors).

    `request`: the browser request, whose session says which passwords were entered. Without it,
    `passed_passwords` (restriction ids; None = password restrictions are not judged here).
    The page being live is the caller's question (drafts have their own rules).
    """
    restrictions = _view_restrictions(page, request)
    if not restrictions:
        return True
    passwords = _passwords_for(request, passed_passwords)
    groups = _group_ids(user)
    return all(_accepts_rule(rule, user, groups, passwords) for rule in restrictions)


def _view_restrictions(page, request=None) -> list[tuple[int, str, frozenset[int]]]:
    """(id, type, group ids) of the restrictions on the page and its ancestors (Wagtail's
    `get_view_restrictions`), cached under the global generation: a privacy setting (restriction or its
    groups), a move or a deletion bumps it (core.cache.connect_content_signals)."""
    from core import cache

    def read():
        return [
            (r.pk, r.restriction_type, frozenset(g.pk for g in r.groups.all()))
            for r in page.get_view_restrictions().prefetch_related("groups")
        ]

    if not page.pk:
        return read()
    token = (cache.request_generations(request) if request is not None else cache.generations(cache.GLOBAL))[
        cache.GLOBAL
    ]
    return cache.data(("view-restrictions", page.pk, token), read)


def _accepts_rule(rule: tuple[int, str, frozenset[int]], user, groups: frozenset[int], passwords) -> bool:
    """`_accepts` for a cached (id, type, group ids) restriction."""
    from wagtail.models import PageViewRestriction

    pk, kind, restriction_groups = rule
    if kind == PageViewRestriction.LOGIN:
        return bool(user and user.is_authenticated)
    if kind == PageViewRestriction.GROUPS:
        if not user or not user.is_authenticated:
            return False
        return user.is_superuser or bool(groups & restriction_groups)
    if kind == PageViewRestriction.PASSWORD:
        return passwords is None or pk in passwords
    return True


def require_page_visible(*, user, page, request=None) -> None:
    """Refuse (PermissionDenied, in Chinese) when the page's privacy settings exclude the user."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not page_visible_to(user, page, request=request):
        raise PermissionDenied(_("该内容设置了访问限制，您无权访问。"))


def restricted_pages_q(user, *, request=None, passed_passwords=()):
    """A condition matching the pages `user` may NOT open because of privacy settings (the
    restricted page and everything below it), for `queryset.exclude(...)` on any page model;
    None when there is nothing to hide.

    Listings and search: without a request, password-restricted pages are hidden (`()`).
    """
    from django.db.models import Q
    from wagtail.models import PageViewRestriction

    passwords = _passwords_for(request, passed_passwords)
    restrictions = list(PageViewRestriction.objects.select_related("page").prefetch_related("groups"))
    if not restrictions:
        return None
    groups = _group_ids(user)
    hidden = None
    for restriction in restrictions:
        if not _accepts(restriction, user, groups, passwords):
            condition = Q(path__startswith=restriction.page.path)
            hidden = condition if hidden is None else hidden | condition
    return hidden


def visible_pages(queryset, user, *, request=None, passed_passwords=()):
    """`queryset` without the pages the user's privacy settings exclude."""
    hidden = restricted_pages_q(user, request=request, passed_passwords=passed_passwords)
    return queryset if hidden is None else queryset.exclude(hidden)


def privacy_key(user) -> str:
    """Users with equal keys pass the same login/group restrictions (for shared cache keys)."""
    if not user or not user.is_authenticated:
        return "anon"
    if user.is_superuser:
        return "su"
    return "g" + ".".join(str(g) for g in sorted(_group_ids(user)))
