"""Settings for every benchmark: production settings served over plain HTTP on loopback.

The only differences from production: HTTP instead of HTTPS (cookies cannot be Secure, no HSTS),
no collectstatic manifest, tasks run in the request (no worker process in a bench), and the URL
conf adds /bench/bare/, the baseline every throughput figure is compared with.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-insecure-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("WAGTAILADMIN_BASE_URL", "https://mingjian.bench.example")
os.environ.setdefault("MINGJIAN_REQUIRE_REDIS", "false")  # a bench measures with or without REDIS_URL

from config.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SENDFILE_BACKEND = "wagtail.utils.sendfile_streaming_backend"  # no nginx in front of a bench
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
