"""Test settings: fast hashing, in-memory email and cache, immediate tasks."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Each test's transaction rolls back, so no notification would ever tell a copy (core.mirror) that
# what it kept is gone; tests of the mirror turn it on around committed data.
STAMP_MIRROR = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file database so TransactionTestCase concurrency tests see one shared database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_PATH", "test-db.sqlite3")}

# The suite always runs on the database search backend; Elasticsearch tests build their own
# backend from ELASTICSEARCH_URL and are skipped without it.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}

# Most tests sign staff in with force_login and no second factor; tests/accounts/test_otp.py turns
# the requirement on (an account holding a confirmed device must verify either way).
OTP_REQUIRED_FOR_STAFF = False
