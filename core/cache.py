"""Cached fragments that are never stale: their keys carry generation tokens that writes bump.

A generation is a random token kept in Django's cache (Redis in production, shared by every process)
under a short name:

* ``user:<id>`` — everything shown to one user about themselves (enrolments, progress, credits,
  certificates, case reads, reminders, reviews of their work, profile, roles);
* ``global`` — everything shared: published pages (publish, unpublish, move, delete — never a draft
  save or the admin's autosave), privacy settings, sites, org units, assignments that reach whole units;
* ``media`` — images and documents (a lesson or case body shows them).

A write bumps its generations when its transaction commits (`transaction.on_commit`), so no process
can cache data older than the new token under it. (Inside a transaction the token is also changed at
once, so the writing request itself reads its own writes; that early token is replaced on commit.)
A request reads its generations once, with one `get_many` (`request_generations`). A generation that
is missing (never bumped, evicted, or Redis down) gets a fresh random token, so a lost key costs a
miss, never a stale fragment.

Invalidation is declared in one place per app, in its AppConfig.ready (signal receivers through
`bump_on_save` / `bump_on_m2m`); each registration is recorded in `REGISTRY`, and
tests/core/test_cache_registry.py fails when a model shown in a cached fragment has none. Writes that
send no model signals (``QuerySet.update()``, ``bulk_create``) bump explicitly in their service.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GLOBAL = "global"
MEDIA = "media"

# model label -> "user" / "global" / "m2m": which models have invalidation (see tests/core/test_cache_registry.py)
REGISTRY: dict[str, str] = {}


def user_key(user_id) -> str:
    return f"user:{user_id}"


def _gen_key(name: str) -> str:
    return f"gen:{name}"


def _timeout() -> int | None:
    # Generations outlive every fragment cached under them (a fragment's timeout is the cache's TIMEOUT).
    return None


def _write(names: list[str]) -> None:
    cache.set_many({_gen_key(name): secrets.token_hex(8) for name in names}, timeout=_timeout())


def bump(*names: str, using: str | None = None) -> None:
    """Give each generation a new token when the current transaction commits (at once outside one)."""
    names = sorted(set(names))
    if not names:
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block:
        _write(names)  # this request's own later reads see the change; the commit bumps again
    transaction.on_commit(lambda: _write(names), using=using)


def bump_users(user_ids: Iterable[int]) -> None:
    bump(*(user_key(uid) for uid in user_ids))


def bump_global() -> None:
    bump(GLOBAL)


def generations(*names: str) -> dict[str, str]:
    """The current token of each name (one `get_many`); a missing one is created (`add`) or, if the cache
    is unreachable, replaced by a token no fragment is cached under."""
    keys = {_gen_key(name): name for name in names}
    found = cache.get_many(list(keys))
    tokens = {keys[key]: value for key, value in found.items()}
    for key, name in keys.items():
        if name not in tokens:
            token = secrets.token_hex(8)
            tokens[name] = token if cache.add(key, token, timeout=_timeout()) else (cache.get(key) or token)
    return tokens


def request_generations(request) -> dict[str, str]:
    """The signed-in user's, the global and the media generations, read once per request."""
    tokens = getattr(request, "_core_generations", None)
    if tokens is None:
        user = getattr(request, "user", None)
        names = [GLOBAL, MEDIA]
        if user is not None and user.is_authenticated:
            names.append(user_key(user.pk))
        tokens = request._core_generations = generations(*names)
    return tokens


def request_stamp(request) -> str:
    """The user's (if signed in) and the global generations joined: part of a per-user fragment key."""
    tokens = request_generations(request)
    user = getattr(request, "user", None)
    user_token = tokens.get(user_key(user.pk), "") if user is not None and user.is_authenticated else ""
    return f"{user_token}.{tokens[GLOBAL]}"


def request_global_stamp(request) -> str:
    return request_generations(request)[GLOBAL]


def request_media_stamp(request) -> str:
    return request_generations(request)[MEDIA]


def _key(parts: Iterable) -> str:
    return "frag:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def fragment(parts: Iterable, render: Callable[[], str], *, timeout: int | None = None) -> str:
    """The cached HTML for `parts` (which must include the generations it depends on), rendered on a miss."""
    key = _key(parts)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout if timeout is not None else settings.CACHES["default"].get("TIMEOUT", 300))
    return html


def data(parts: Iterable, compute: Callable[[], object], *, timeout: int | None = None):
    """Like `fragment` for picklable data (never None: wrap a value that may be None)."""
    return fragment(("data", *parts), compute, timeout=timeout)


def bump_on_save(model, *, user_field: str | None = None, name: str = GLOBAL) -> None:
    """Bump the row's user generation (`user_field`), or `name` (global), whenever a `model` row is saved
    or deleted."""

    def receiver(sender, instance, **kwargs):
        if user_field:
            uid = getattr(instance, user_field)
            if uid is not None:
                bump(user_key(uid))
        else:
            bump(name)

    uid = f"core_cache_{model._meta.label_lower}"
    REGISTRY[model._meta.label_lower] = "user" if user_field else name
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + "_save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + "_delete")


def bump_on_m2m(through, *, user_side: bool) -> None:
    """Bump on changes to a many-to-many relation: the user's generation when `user_side` (e.g. User.groups)."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if not user_side:
            bump(GLOBAL)
        elif not reverse:
            bump(user_key(instance.pk))
        else:  # group.user_set.add(...): the users are in pk_set; clear() names none, so bump all
            bump_users(pk_set) if pk_set else bump(GLOBAL)

    REGISTRY[through._meta.label_lower] = "m2m"
    m2m_changed.connect(
        receiver, sender=through, weak=False, dispatch_uid=f"core_cache_m2m_{through._meta.label_lower}"
    )


def _page_event(sender, **kwargs):
    bump(GLOBAL)


def _page_created(sender, instance, created=False, raw=False, **kwargs):
    """A page created live (by code: imports, demo data, factories) is published without a revision."""
    from wagtail.models import Page

    if created and not raw and isinstance(instance, Page) and instance.live:
        bump(GLOBAL)


def connect_content_signals() -> None:
    """Wagtail content: what cadres see changes on publish, unpublish, move and delete of a page — not on a
    draft save or the admin's autosave, which save the Page row too (so an existing page's save bumps nothing;
    only a page created live does).
    Privacy settings and sites bump `global`; images and documents bump `media`."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_page_event, weak=False, dispatch_uid="core_cache_page_published")
    page_unpublished.connect(_page_event, weak=False, dispatch_uid="core_cache_page_unpublished")
    post_page_move.connect(_page_event, weak=False, dispatch_uid="core_cache_page_moved")
    post_delete.connect(_page_event, sender=Page, weak=False, dispatch_uid="core_cache_page_deleted")
    post_save.connect(_page_created, weak=False, dispatch_uid="core_cache_page_created")
    # a page deleted with its subtree: the collector sends post_delete for every Page row
    REGISTRY["wagtailcore.page"] = "publish"
    bump_on_save(PageViewRestriction)
    bump_on_m2m(PageViewRestriction.groups.through, user_side=False)  # the groups a restriction admits
    bump_on_save(Site)
    bump_on_save(get_image_model(), name=MEDIA)
    bump_on_save(get_document_model(), name=MEDIA)
