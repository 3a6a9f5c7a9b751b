"""Local development: debug on, a fixed development-only secret unless one is given."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: E402,F403

INTERNAL_IPS = ["127.0.0.1"]
