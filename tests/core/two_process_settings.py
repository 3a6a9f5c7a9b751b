"""Settings of the two app servers started by tests/core/test_two_processes.py: the test settings with the
production cache (django-redis on REDIS_URL, a per-run KEY_PREFIX) over the test database."""

import os

from config.settings.test import *  # noqa: F403

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ["CACHE_KEY_PREFIX"],
        "TIMEOUT": 3600,
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
    }
}
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
