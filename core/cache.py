"""Cached page fragments that are never stale: keys carry version stamps that writes bump.

A stamp is a random token in the database table ``core.CacheStamp`` under a short key:

* ``user:<id>`` — everything shown to one user about themselves (enrolments, progress,
  credits, certificates, case reads, reminders, profile, roles);
* ``global`` — everything shared (pages and their tree, images, documents, snippets,
  settings, org units, assignments that reach whole units, roster imports).

A write bumps the stamp in the same transaction as the data it changes, so a reader sees
either the old data and the old stamp or the new data and the new stamp: a fragment cached
under a stamp always shows that stamp's data. Stamps live in the database rather than in
the cache so that every server process (and every host) agrees on them whatever the cache
backend — with a per-process LocMemCache a version kept in the cache would only be bumped
in the process that served the write. A signed-in request reads them in the same statement as
its session (core.sessions); ``live:<id>`` (see `live_key`) is read there too.

Model writes are covered by signal receivers (``bump_on_save``); writes that send no model
signals (``QuerySet.update()``, ``bulk_create``) bump explicitly in their service.
"""

import hashlib
import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connections, router
from django.db.models.signals import m2m_changed, post_delete, post_save

from core import mirror

GLOBAL = "global"
FRAGMENT_TIMEOUT = 24 * 3600


def user_key(user_id) -> str:
    return f"user:{user_id}"


def live_key(user_id) -> str:
    """The stamp of one user's live values (core.page_cache): a lesson's study time, which every heartbeat
    advances. Apart from the user's stamp so that those beats leave the user's cached pages alone."""
    return f"live:{user_id}"


def bump(*keys: str) -> None:
    """Give each key a new random token (insert or update, one statement)."""
    from core.models import CacheStamp

    keys = sorted(set(keys))
    if not keys:
        return
    tokens = {key: secrets.randbits(62) for key in keys}
    CacheStamp.objects.bulk_create(
        [CacheStamp(key=key, token=token) for key, token in tokens.items()],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["token"],
    )
    mirror.notify_stamps(connections[router.db_for_write(CacheStamp)], tokens)


def bump_users(user_ids: Iterable[int]) -> None:
    bump(*(user_key(uid) for uid in user_ids))


def bump_global() -> None:
    bump(GLOBAL)


def stamp(*keys: str) -> str:
    """The current tokens of `keys`, joined (one query); a key never bumped reads as 0.

    Read on every page, so in plain SQL: through the ORM the statement costs ten times as much
    to build as the database takes to answer it.
    """
    from core.models import CacheStamp

    connection = connections[router.db_for_read(CacheStamp)]
    table, key, token = map(connection.ops.quote_name, (CacheStamp._meta.db_table, "key", "token"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {key}, {token} FROM {table} WHERE {key} IN ({', '.join(['%s'] * len(keys))})",  # noqa: S608 - names from the model
            list(keys),
        )
        tokens = dict(cursor.fetchall())
    return ".".join(str(tokens.get(key, 0)) for key in keys)


# The stamps read in the same statement as this request's session (core.sessions), for the user the
# session is signed in as: (user id, "user.global", live token). Set afresh by every session read.
_session_stamps: ContextVar[tuple[str, str, str] | None] = ContextVar("mingjian_session_stamps", default=None)


def note_session_stamps(user_id, tokens: str = "", live: str = "") -> None:
    _session_stamps.set(None if user_id is None else (str(user_id), tokens, live))


def _noted_for(user_id) -> tuple[str, str, str] | None:
    noted = _session_stamps.get()
    return noted if noted is not None and noted[0] == str(user_id) else None


def session_stamps(user_id) -> str | None:
    """The user's and the global stamps read with the session, if this request's session is this user's."""
    noted = _noted_for(user_id)
    return noted[1] if noted else None


def session_live_stamp(user_id) -> str | None:
    """The user's live stamp read with the session, if this request's session is this user's."""
    noted = _noted_for(user_id)
    return noted[2] if noted else None


def request_stamp(request) -> str:
    """The signed-in user's and the global stamps, read once per request (dashboard, navigation, lesson body)."""
    if not hasattr(request, "_core_cache_stamp"):
        user = request.user
        if user.is_authenticated:
            # accounts.backends.CachedModelBackend read both while loading the user
            tokens = getattr(user, "_core_cache_stamp", None) or stamp(user_key(user.pk), GLOBAL)
        else:
            tokens = stamp(GLOBAL)
        request._core_cache_stamp = tokens
    return request._core_cache_stamp


def request_global_stamp(request) -> str:
    return request_stamp(request).rsplit(".", 1)[-1]


def _local_cache():
    """The process's own cache in front of a shared one (settings: CACHES["local"]), if there is one."""
    return caches["local"] if "local" in settings.CACHES else None


def _key(parts: Iterable) -> str:
    return "frag:" + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def lookup(parts: Iterable):
    """What is cached for `parts` (which must include the stamps it depends on), or None.

    An entry never changes under its key, so a process may keep its own copy: with a local cache in
    front of the shared one, the shared one is asked only for what this process has not seen yet.
    """
    key = _key(parts)
    local = _local_cache()
    if local is not None:
        value = local.get(key)
        if value is not None:
            return value
    value = cache.get(key)
    if value is not None and local is not None:
        local.set(key, value, FRAGMENT_TIMEOUT)
    return value


def store(parts: Iterable, value, *, timeout: int = FRAGMENT_TIMEOUT) -> None:
    key = _key(parts)
    cache.set(key, value, timeout)
    local = _local_cache()
    if local is not None:
        local.set(key, value, timeout)


def fragment(parts: Iterable, render: Callable[[], str], *, timeout: int = FRAGMENT_TIMEOUT) -> str:
    """The cached HTML for `parts` (which must include the stamps it depends on), rendered on a miss."""
    html = lookup(parts)
    if html is None:
        html = render()
        store(parts, html, timeout=timeout)
    return html


def data(parts: Iterable, compute: Callable[[], object], *, timeout: int = FRAGMENT_TIMEOUT):
    """Like `fragment` for picklable data."""
    return fragment(("data", *parts), compute, timeout=timeout)


def bump_on_save(model, *, user_field: str | None = None, live: bool = False) -> None:
    """Bump the row's user stamp (and with `live` its live stamp), or the global stamp, whenever a `model`
    row is saved or deleted."""

    def receiver(sender, instance, **kwargs):
        if user_field:
            uid = getattr(instance, user_field)
            bump(user_key(uid), *([live_key(uid)] if live else []))
        else:
            bump(GLOBAL)

    uid = f"core_cache_{model._meta.label_lower}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid + "_save")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=uid + "_delete")


def bump_on_m2m(through, *, user_side: bool) -> None:
    """Bump on changes to a many-to-many relation: the user's stamp when `user_side` (e.g. User.groups)."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if not user_side:
            bump(GLOBAL)
        elif not reverse:
            bump(user_key(instance.pk))
        else:  # group.user_set.add(...): the users are in pk_set; clear() names none, so bump all
            bump_users(pk_set) if pk_set else bump(GLOBAL)

    m2m_changed.connect(
        receiver, sender=through, weak=False, dispatch_uid=f"core_cache_m2m_{through._meta.label_lower}"
    )


def _content_changed(sender, instance=None, **kwargs):
    from wagtail.documents.models import AbstractDocument
    from wagtail.images.models import AbstractImage
    from wagtail.models import BaseViewRestriction, Page, Site

    if isinstance(instance, (Page, AbstractImage, AbstractDocument, Site, BaseViewRestriction)):
        bump(GLOBAL)


def _page_event(sender, **kwargs):
    bump(GLOBAL)


def connect_content_signals() -> None:
    """Any page (draft, publish, unpublish, move, delete), image, document, site or privacy setting change bumps
    the global stamp.

    Pages are saved on every revision and publish; unpublishing descendants and moving a
    subtree write with QuerySet.update(), so their own Wagtail signals are connected too.
    """
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_content_changed, weak=False, dispatch_uid="core_cache_content_save")
    post_delete.connect(_content_changed, weak=False, dispatch_uid="core_cache_content_delete")
    page_published.connect(_page_event, weak=False, dispatch_uid="core_cache_page_published")
    page_unpublished.connect(_page_event, weak=False, dispatch_uid="core_cache_page_unpublished")
    post_page_move.connect(_page_event, weak=False, dispatch_uid="core_cache_page_moved")
