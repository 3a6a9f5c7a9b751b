"""Production: HTTPS only, strict cookies, HSTS, SMTP e-mail, Redis, nginx in front.

Required environment (deploy/mingjian.env.example lists every setting): DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, WAGTAILADMIN_BASE_URL (the public https address: it is
printed on certificates and in e-mails).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = False


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (see deploy/mingjian.env.example).")
    return value


WAGTAILADMIN_BASE_URL = _required("WAGTAILADMIN_BASE_URL").rstrip("/")
if "127.0.0.1" in WAGTAILADMIN_BASE_URL or "localhost" in WAGTAILADMIN_BASE_URL:
    raise ImproperlyConfigured("WAGTAILADMIN_BASE_URL must be the site's public address, not a local one.")
# Shared cache and sessions for every app server (the cache settings themselves live in base.py).
# MINGJIAN_REQUIRE_REDIS=false only for benchmarks of a single process (bench/settings.py).
if env_bool("MINGJIAN_REQUIRE_REDIS", True):
    REDIS_URL = _required("REDIS_URL")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# nginx sets X-Forwarded-Proto (deploy/nginx/mingjian.conf); Django trusts it only behind that proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS") or [WAGTAILADMIN_BASE_URL]

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
# nginx sends private files after Django's check (X-Accel-Redirect to its internal /_protected/).
SENDFILE_BACKEND = os.environ.get("SENDFILE_BACKEND", "django_sendfile.backends.nginx")

# Reminder e-mails over SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405
