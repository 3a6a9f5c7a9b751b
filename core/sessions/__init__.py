"""The session engine: Django's database-backed one, storing the user in a column of their own and
reading the session together with that user's cache stamps.

Every signed-in request reads its session, then the user and the cache stamps (core.cache).
Here the session row, the user's stamp, the global stamp and the user's live stamp (the study time
on a lesson page, core.page_cache) come back in one statement, written
in plain SQL (through the ORM, building a statement this small costs more than the database's
own work for it), and accounts.backends.CachedModelBackend then takes the user from the cache
under that stamp: one database round trip for a signed-in request instead of three. Writes,
expiry, cycling keys and everything else are Django's.

    SESSION_ENGINE = "core.sessions.db"  # as Django's "django.contrib.sessions.backends.db"

A cache in front (Django's cached_db) would save nothing: the stamps must come from the database,
or from the process's copy of the database's that core.mirror keeps current, which holds the
session rows too.
"""

from django.contrib.auth import SESSION_KEY
from django.db import connections, router
from django.utils import timezone

from core import cache, mirror


class UserSessionMixin:
    @classmethod
    def get_model_class(cls):
        from core.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.user_id = _user_id(data)
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.user_id = _user_id(data)
        return instance

    def load(self):
        """The session's data, read in one statement with the user's cache stamps (see the module docstring),
        or with none from this process's copy of both (core.mirror).

        Only the data is used, as Django's own `load` does, so no model instance is built.
        """
        cache.note_session_stamps(None)  # nothing read yet in this request
        connection = connections[router.db_for_read(self.model)]
        now = timezone.now()
        copy = None if connection.in_atomic_block else mirror.get(connection)
        if copy is not None:
            hit = copy.session(self.session_key, now, cache.user_key, cache.live_key, cache.GLOBAL)
            if hit is not None and _agrees_with_cookie(hit):
                return self._loaded(*hit)
            epoch = copy.epoch
        with connection.cursor() as cursor:
            cursor.execute(
                _statement(connection),
                [
                    cache.user_key(""),
                    cache.GLOBAL,
                    cache.live_key(""),
                    self.session_key,
                    connection.ops.adapt_datetimefield_value(now),  # as the ORM would write it
                ],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            mirror.note_read(None, "", "")
            return {}
        session_data, user_id, user_token, global_token, live_token, expire_date = row
        user_token, global_token, live_token = str(user_token or 0), str(global_token or 0), str(live_token or 0)
        if copy is not None:
            stamps = {cache.GLOBAL: global_token}
            if user_id is not None:
                stamps.update({cache.user_key(user_id): user_token, cache.live_key(user_id): live_token})
            copy.store(epoch, self.session_key, (session_data, user_id, expire_date), stamps)
        return self._loaded(session_data, user_id, user_token, global_token, live_token)

    def _loaded(self, session_data, user_id, user_token, global_token, live_token):
        if user_id is not None:
            cache.note_session_stamps(user_id, f"{user_token}.{global_token}", live_token)
        mirror.note_read(user_id, user_token, live_token)
        return self.decode(session_data)

    def decode(self, session_data):
        """Django's decoding, remembered per process for sessions of plain values (a signed-in user's).

        The text is signed, so equal text means equal data: a repeated request skips the signature
        check and the JSON parse. Each caller gets its own dict; nested values are never kept.
        """
        data = _decoded.get(session_data)
        if data is not None:
            return dict(data)
        data = super().decode(session_data)
        if data and all(isinstance(v, (str, int, float, bool, type(None))) for v in data.values()):
            if len(_decoded) >= _DECODED_MAX:
                _decoded.clear()
            _decoded[session_data] = dict(data)
        return data


_DECODED_MAX = 2000
_decoded: dict[str, dict] = {}
_statements: dict[str, str] = {}


def _statement(connection) -> str:
    """The session row with the user's, the global and the live stamps (built once per database)."""
    sql = _statements.get(connection.alias)
    if sql is None:
        from core.models import CacheStamp, UserSession

        qn = connection.ops.quote_name
        session, stamps = qn(UserSession._meta.db_table), qn(CacheStamp._meta.db_table)
        key, token = qn("key"), qn("token")
        sql = _statements[connection.alias] = (
            f"SELECT s.session_data, s.user_id, u.{token}, g.{token}, l.{token}, s.expire_date FROM {session} s "  # noqa: S608 - names from the models
            f"LEFT JOIN {stamps} u ON u.{key} = %s || CAST(s.user_id AS TEXT) "
            f"LEFT JOIN {stamps} g ON g.{key} = %s "
            f"LEFT JOIN {stamps} l ON l.{key} = %s || CAST(s.user_id AS TEXT) "
            "WHERE s.session_key = %s AND s.expire_date > %s"
        )
    return sql


def _session_changed(sender, instance, using, created=False, **kwargs):
    """Every process forgets its copy of a session row that changed or went (core.mirror); a new row, or an
    expired one, no copy can be using."""
    if not created and instance.expire_date > timezone.now():
        mirror.notify_sessions(connections[using], [instance.session_key])


def connect_session_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from core.models import UserSession

    post_save.connect(_session_changed, sender=UserSession, dispatch_uid="core_session_saved")
    post_delete.connect(_session_changed, sender=UserSession, dispatch_uid="core_session_deleted")


def _agrees_with_cookie(hit) -> bool:
    """False when this browser has seen its own writes give the user other tokens than the copy holds."""
    seen = mirror.seen_cookie()
    return seen is None or hit[1] is None or seen == mirror.cookie_value(hit[2], hit[4])


def _user_id(data) -> int | None:
    value = data.get(SESSION_KEY)
    return int(value) if value is not None and str(value).isdigit() else None
