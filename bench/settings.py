"""Settings for the load bench: production settings served over plain HTTP on loopback."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-insecure-key")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from config.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
# Plain HTTP on 127.0.0.1: cookies cannot be Secure, no HSTS, no collectstatic manifest.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
