from django.contrib.sessions.backends import db

from core.sessions import UserSessionMixin


class SessionStore(UserSessionMixin, db.SessionStore):
    pass
