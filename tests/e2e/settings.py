"""Settings for the live server the browser journeys run against.

Production-like (DEBUG off, Argon2, real file storage) but over plain HTTP on loopback,
with media served by Django so uploaded images show in the journeys.

Background tasks use the production database backend: the server only queues them (search index
updates on save, Excel exports, reminder e-mails) and a journey runs the worker when it wants them
done (`LiveSite.run_tasks`), so "in the background" is what the browser sees. The setup commands
(`migrate`, `load_demo`) set E2E_IMMEDIATE_TASKS=1 to run theirs at once. E-mails go to files.

Lessons are short so a browser can finish a course in seconds: only the thresholds change
(a 1-minute lesson needs 3 visible seconds, beats every 5 s); the rules the server applies
are the production ones.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "e2e-only-insecure-key")

from config.settings.base import *  # noqa: E402,F403

DEBUG = False
ROOT_URLCONF = "tests.e2e.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
if os.environ.get("E2E_IMMEDIATE_TASKS"):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("E2E_MAIL_DIR", "test-artifacts/e2e/mail")
LEARNING = {**LEARNING, "HEARTBEAT_INTERVAL_SECONDS": 5, "REQUIRED_TIME_RATIO": 0.05}  # noqa: F405
# Random attention checks would pop up in any journey: off for the demo site here; the attention
# journey (test_attention_journey.py) turns them on with short numbers and off again.
LEARNING_ATTENTION = {**LEARNING_ATTENTION, "checks_enabled": False}  # noqa: F405
# The other journeys sign the demo staff in with a password only. The second-factor journey proves
# the rule that holds whatever this says: an account with a confirmed device must verify.
OTP_REQUIRED_FOR_STAFF = False
