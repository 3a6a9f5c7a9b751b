"""Test settings: fast hashing, in-memory email and cache, immediate tasks."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-insecure-key")

from .base import *  # noqa: E402,F403
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Private files need real paths (they are sent by path); one temporary directory per test process.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="mj-private-"))
SENDFILE_ROOT = str(PRIVATE_MEDIA_ROOT)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file database so TransactionTestCase concurrency tests see one shared database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_SQLITE_PATH", "test-db.sqlite3")}

# The suite always runs on the database search backend; Elasticsearch tests build their own
# backend from ELASTICSEARCH_URL and are skipped without it.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}

# The clock tests that predate 防挂机 send no activity: a site created in a test starts with the
# attention rules off, and tests of those rules turn them on (tests/learning/test_attention.py).
LEARNING_ATTENTION = {**LEARNING_ATTENTION, "activity_required": False, "checks_enabled": False}  # noqa: F405
# Most tests sign staff in with force_login and no second factor; tests/accounts/test_otp.py turns
# the requirement on (an account holding a confirmed device must verify either way).
OTP_REQUIRED_FOR_STAFF = False
