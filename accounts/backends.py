"""The authentication backend the site signs users in with."""

from django.contrib.auth.backends import ModelBackend

from core import cache


class CachedModelBackend(ModelBackend):
    """Django's ModelBackend, but the user row that every signed-in request loads comes from the cache.

    The row is cached under the user's version stamp (core.cache), which every save of the user
    bumps in the same transaction — a new password, deactivation, new roles or profile — so a
    request never sees a user older than the database. Both stamps come with the session
    (core.sessions reads them in the same statement) or else in one query, and are handed on with
    the user to the page's own cached parts (``core.cache.request_stamp``).
    Django still checks the session's password hash against the user on every request.
    """

    def get_user(self, user_id):
        tokens = cache.session_stamps(user_id) or cache.stamp(cache.user_key(user_id), cache.GLOBAL)
        user_token = tokens.split(".", 1)[0]
        user = cache.data(("auth-user", user_id, user_token), lambda: ModelBackend.get_user(self, user_id))
        if user is not None:
            user._core_cache_stamp = tokens
        return user
