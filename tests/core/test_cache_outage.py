"""A Redis outage is a cache miss, never a 500: the production cache options (django-redis with
IGNORE_EXCEPTIONS and one-second timeouts) pointed at a port where nothing listens."""

import pytest
from django.utils import timezone

from accounts.factories import cadre
from learning import factories
from learning.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_signed_in_pages_answer_without_redis(client, redis_down):
    user = cadre(unit="某省/甲市/东山县/交通运输局")
    course = factories.course(title="停机课程", lessons=1)
    Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
    client.force_login(user, backend="accounts.backends.UserBackend")
    for url in ("/", course.lessons().first().url):
        response = client.get(url)
        assert response.status_code == 200
    assert "停机课程" in client.get("/").content.decode()  # the session came from PostgreSQL


def test_settings_use_django_redis_with_timeouts_and_a_release_prefix(monkeypatch):
    import importlib

    import config.settings.base as base

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    monkeypatch.setenv("MINGJIAN_RELEASE", "abc123")
    monkeypatch.delenv("CACHE_KEY_PREFIX", raising=False)
    try:
        reloaded = importlib.reload(base)
        default = reloaded.CACHES["default"]
        assert default["BACKEND"] == "django_redis.cache.RedisCache"
        assert default["KEY_PREFIX"] == "mingjian-abc123"
        assert default["OPTIONS"]["IGNORE_EXCEPTIONS"] is True and default["OPTIONS"]["SOCKET_TIMEOUT"] == 1
        assert default["TIMEOUT"] > 0
        assert reloaded.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    finally:
        monkeypatch.undo()
        importlib.reload(base)
