from django.contrib.sessions.backends import cached_db

from core.sessions import UserSessionMixin


class SessionStore(UserSessionMixin, cached_db.SessionStore):
    pass
