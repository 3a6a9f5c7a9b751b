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

A cache in front (Django's cached_db) would save nothing: the stamps must come from the database.
"""

import datetime

from django.contrib.auth import SESSION_KEY
from django.db import connections, router
from django.utils import timezone

from core import cache


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
        cache.note_session_stamps(None)  # nothing read yet in this request
        return super().load()

    def _get_session_from_db(self):
        from core.models import CacheStamp

        model = self.model
        connection = connections[router.db_for_read(model)]
        qn = connection.ops.quote_name
        session, stamps, key, token = qn(model._meta.db_table), qn(CacheStamp._meta.db_table), qn("key"), qn("token")
        now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM would write it
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.session_data, s.expire_date, s.user_id, u.{token}, g.{token}, l.{token} FROM {session} s "  # noqa: S608 - names from the models
                f"LEFT JOIN {stamps} u ON u.{key} = %s || CAST(s.user_id AS TEXT) "
                f"LEFT JOIN {stamps} g ON g.{key} = %s "
                f"LEFT JOIN {stamps} l ON l.{key} = %s || CAST(s.user_id AS TEXT) "
                "WHERE s.session_key = %s AND s.expire_date > %s",
                [cache.user_key(""), cache.GLOBAL, cache.live_key(""), self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date, user_id, user_token, global_token, live_token = row
        if user_id is not None:
            cache.note_session_stamps(user_id, f"{user_token or 0}.{global_token or 0}", str(live_token or 0))
        if timezone.is_naive(expire_date):  # SQLite keeps UTC without an offset
            expire_date = expire_date.replace(tzinfo=datetime.UTC)
        return model(session_key=self.session_key, session_data=session_data, expire_date=expire_date, user_id=user_id)


def _user_id(data) -> int | None:
    value = data.get(SESSION_KEY)
    return int(value) if value is not None and str(value).isdigit() else None
