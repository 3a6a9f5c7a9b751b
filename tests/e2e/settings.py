"""Settings for the live server the browser journeys run against.

Production-like (DEBUG off, Argon2, real file storage) but over plain HTTP on loopback,
with media served by Django so uploaded images show in the journeys.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "e2e-only-insecure-key")

from config.settings.base import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "tests.e2e.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
