"""Settings shared by every environment.

Safe on its own: DEBUG is off and the secret key comes only from the environment.
Everything deployment-specific is read from environment variables (see .env.example).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set (see .env.example).")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Project apps first so their templates override Wagtail's.
    "core",
    "accounts",
    "cases",
    "quizzes",
    "learning",
    "reports",
    "search",
    "audit",
    "accounts.apps.MingjianUsersAppConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # First: a request id and one log line per request (core.request_log).
    "core.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages, before anything answers for a signed-in user (cached pages included): the session
    # limits, django-otp marking a verified session, then our gate (a forced password change first,
    # then the second factor).
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.AccountGateMiddleware",
    # Tells audit signal handlers who acts and from where (audit.context).
    "audit.context.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.navigation",
            ],
        },
    },
]

# SQLite by default, tuned for concurrent writers: WAL journal (set on connect, see
# core.apps), IMMEDIATE transactions so writers queue instead of failing with
# "database is locked", and a generous busy timeout.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # Off, as Django ships it: on, every request first sends "SELECT 1" (a third of a signed-in
        # page's database time). A connection the server dropped fails one request and is replaced.
        conn_health_checks=os.environ.get("DB_CONN_HEALTH_CHECKS", "false").lower() == "true",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    DATABASES["default"].setdefault("TEST", {})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    os.environ.get("DB_PREPARED_STATEMENTS", "true").lower() == "true"
):
    # Parameters bound on the server, and a statement run a fifth time on a connection is prepared:
    # the planning PostgreSQL would redo for every request's session read and page queries is done
    # once per connection (about half the time of the session read). Not behind PgBouncer in
    # transaction mode: there set DB_PREPARED_STATEMENTS=false.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that reads the session user with its groups in one query (accounts.backends).
    "accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy (accounts.passwords; docs/accounts-security.md). Every rule is a Django validator,
# so the change page, the admin's user forms, the roster's initial password and resets share it.
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
PASSWORD_MIN_CHARACTER_CLASSES = int(os.environ.get("PASSWORD_MIN_CHARACTER_CLASSES", "3"))
PASSWORD_HISTORY_COUNT = int(os.environ.get("PASSWORD_HISTORY_COUNT", "5"))
# 0 = passwords do not expire; otherwise a password older than this must be changed at sign-in.
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "0"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "accounts.passwords.CharacterClassesValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CHARACTER_CLASSES},
    },
    {"NAME": "accounts.passwords.NotIdentityValidator"},
    {"NAME": "accounts.passwords.PasswordHistoryValidator", "OPTIONS": {"count": PASSWORD_HISTORY_COUNT}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
# Second factor (django-otp): staff roles and superusers must enrol TOTP + recovery codes and verify at
# every sign-in; anyone holding a confirmed device must verify whatever this says. Off only for development.
OTP_REQUIRED_FOR_STAFF = os.environ.get("OTP_REQUIRED_FOR_STAFF", "true").lower() == "true"
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "明鉴")
# Each wrong code doubles the wait before the next attempt on that device (1, 2, 4 … seconds).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGOUT_REDIRECT_URL = "accounts:login"

# Offices share one IP: lock a username+IP pair, never a whole office, and let it cool off.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"  # the page above, or JSON for /api/
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None

# Security audit log (audit app): entries older than this are moved to a file by `audit_archive`.
# GB/T 22239-2019 level 3 asks for at least six months.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "186"))  # six months are at most 184 days
AUDIT_ARCHIVE_DIR = Path(os.environ.get("AUDIT_ARCHIVE_DIR", BASE_DIR / "var" / "audit-archive"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Private files (report exports, Wagtail documents: case attachments and lesson videos) live outside
# MEDIA_ROOT where no URL maps to them, and are served only after a permission check (core.private_files):
# through nginx's internal location SENDFILE_URL (X-Accel-Redirect) in production, streamed by Django here.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
SENDFILE_BACKEND = os.environ.get("SENDFILE_BACKEND", "wagtail.utils.sendfile_streaming_backend")
SENDFILE_ROOT = str(PRIVATE_MEDIA_ROOT)
SENDFILE_URL = "/_protected"
STORAGES = {
    "default": {"BACKEND": "core.storage.MediaStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf", "text/plain", "video/mp4", "video/webm"]
# A finished report export can be downloaded this long; `manage.py delete_expired_exports` (a timer) deletes it.
REPORT_EXPORT_TTL_HOURS = int(os.environ.get("REPORT_EXPORT_TTL_HOURS", "24"))

# Uploads: refuse anything large before it reaches a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Refuses truncated/corrupt images at upload (core.images.image_problem, also used by importers).
WAGTAILIMAGES_IMAGE_FORM_BASE = "core.images.CheckedImageForm"
# A province's roster: ROSTER_MAX_ROWS rows of a CSV with every column filled and long names are ≈ 40 MB
# (tests/accounts/test_roster_limits.py); the .xlsx of the same rows is smaller.
ROSTER_MAX_UPLOAD_BYTES = 48 * 1024 * 1024
ROSTER_MAX_ROWS = 200_000
# Rosters longer than this are written by the task worker (progress page) instead of in the request.
ROSTER_BACKGROUND_ROWS = int(os.environ.get("ROSTER_BACKGROUND_ROWS", "300"))
# Rows per transaction when the worker writes a roster (keeps SQLite's write lock short).
ROSTER_IMPORT_BATCH_SIZE = int(os.environ.get("ROSTER_IMPORT_BATCH_SIZE", "200"))
# The highest rank a trainer may give a cadre they add (existing ranks only change by administrators).
ROSTER_TRAINER_MAX_NEW_RANK = 20  # accounts.roles.Rank.TOWNSHIP (乡科级)
# Retry-After (seconds) on the 503 answered when SQLite stays locked past its busy timeout.
BUSY_RETRY_AFTER_SECONDS = 5

REDIS_URL = os.environ.get("REDIS_URL", "")
# The release this process runs (the deploy sets the git commit); cache keys carry it, so a new release
# never reads fragments rendered by the old templates.
MINGJIAN_RELEASE = os.environ.get("MINGJIAN_RELEASE", "") or "0.1.0"
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "") or f"mingjian-{MINGJIAN_RELEASE}"
CACHE_TIMEOUT_SECONDS = int(os.environ.get("CACHE_TIMEOUT_SECONDS", str(24 * 3600)))
if REDIS_URL:
    # Shared by every process (sessions, generation keys, fragments: core.cache). A Redis outage or a slow
    # Redis is a cache miss after one second, never a 500.
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": CACHE_TIMEOUT_SECONDS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Development and tests: one process's memory.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "TIMEOUT": CACHE_TIMEOUT_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# Django's sessions: read from the cache, written through to the database. Signing out deletes both, so
# every process sees it at once; deactivation and password changes are checked by Django's auth on
# every request (ModelBackend.user_can_authenticate, the session's password hash).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# A case counts as read once it was on screen in a visible tab this long (cases.models.CaseRead).
CASE_READ_MIN_SECONDS = int(os.environ.get("CASE_READ_MIN_SECONDS", "60"))

WAGTAIL_SITE_NAME = "明鉴"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The font embedded in certificates and archives (learning/pdf.py): Debian's fonts-wqy-zenhei, installed by
# scripts/install-fonts.sh. A TrueType font or collection; the index picks the face inside a collection
# (wqy-zenhei.ttc: 0 文泉驿正黑, 1 its monospaced face, used for codes and addresses).
PDF_FONT_FILE = os.environ.get("PDF_FONT_FILE", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
PDF_FONT_INDEX = int(os.environ.get("PDF_FONT_INDEX", "0"))
PDF_FONT_MONO_INDEX = int(os.environ.get("PDF_FONT_MONO_INDEX", "1"))
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "mp4", "webm"]
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Autosave off (Wagtail's documented switch; it is global, not per page type): on an add form it created
# draft pages the editor never saved (a second case with the same title then failed on the slug) and raced
# the submit button. Editors save with 保存草稿; Wagtail still warns before leaving unsaved changes and
# shows who else is editing. See docs/cases.md, "Editing".
WAGTAIL_AUTOSAVE_INTERVAL = 0
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminLoginForm"
# Chinese-aware search: the database backend that segments words (SQLite FTS5 / PostgreSQL) by
# default; Elasticsearch 8 when ELASTICSEARCH_URL is set (see README.md, "Search").
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "mingjian_"),
            "TIMEOUT": 10,
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
# Session limits (accounts.middleware.SessionTimeoutMiddleware), in seconds; 0 turns one off.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_IDLE_TIMEOUT_STAFF = int(os.environ.get("SESSION_IDLE_TIMEOUT_STAFF", str(15 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", str(8 * 3600)))
# A cadre's new sign-in ends their older sessions (staff keep theirs: they work on several screens).
SESSION_SINGLE_FOR_CADRES = os.environ.get("SESSION_SINGLE_FOR_CADRES", "false").lower() == "true"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mingjian@localhost")

# Logs go to stderr (journald under systemd): one line per request from core.request_log with its request
# id; LOG_FORMAT=json prints JSON lines instead of text. LOG_REQUESTS=false drops the request lines.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {
            "()": "core.request_log.RequestFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "core.request_log.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json" if LOG_FORMAT == "json" else "text"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "mingjian.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
        # Each request is logged once, by core.request_log.
        "django.server": {"level": "WARNING"},
    },
}

# /readyz fails when a task that is due has waited longer than this (the worker is down or behind).
READYZ_MAX_TASK_AGE_SECONDS = int(os.environ.get("READYZ_MAX_TASK_AGE_SECONDS", "300"))

# Evidence rules for lesson progress (learning app). Seconds unless named otherwise.
LEARNING = {
    # How often a visible lesson tab reports (the client reads this from the page).
    "HEARTBEAT_INTERVAL_SECONDS": 15,
    # At most this much wall time is credited for one beat, however long since the previous one.
    "MAX_SECONDS_PER_BEAT": 30,
    # A lesson stays the cadre's one active lesson this long after its last beat;
    # a gap longer than this starts a new interval that earns nothing for its first beat.
    "ACTIVE_WINDOW_SECONDS": 60,
    # Time a lesson needs: estimated minutes x 60 x this ratio.
    "REQUIRED_TIME_RATIO": 0.8,
    # Time credited to one lesson never exceeds estimated minutes x 60 x this ratio ...
    "LESSON_TIME_CAP_RATIO": 1.5,
    # ... nor this many seconds (provincial rule: at most 60 minutes per item).
    "LESSON_TIME_CAP_SECONDS": 3600,
    # Share of each video's duration that must have been played (union of played ranges).
    "VIDEO_REQUIRED_RATIO": 0.9,
    # Newly watched video seconds per beat may not exceed credited wall time x this rate
    # (1: no speeding up; the player also keeps the rate at 1x).
    "VIDEO_MAX_PLAYBACK_RATE": float(os.environ.get("VIDEO_MAX_PLAYBACK_RATE", "1")),
    # Whether watched time may come from beyond the furthest point already watched (skipping ahead).
    # Off: newly reported ranges count only from the furthest watched point + the tolerance onward
    # in order; the player stops seeking ahead too.
    "VIDEO_ALLOW_SEEK_AHEAD": os.environ.get("VIDEO_ALLOW_SEEK_AHEAD", "false").lower() in ("1", "true", "yes"),
    "VIDEO_SEEK_TOLERANCE_SECONDS": 5,
}

# 防挂机 (learning/attention.py): defaults for a site's AttentionRules, which administrators edit
# per site in Wagtail's settings menu. Chosen for cadre training: a lesson pauses after 3 quiet
# minutes (a video playing with sound at 1x counts as activity); a check on average every 20
# minutes of counted time, never two within 10 minutes, 60 seconds to answer.
LEARNING_ATTENTION = {
    "activity_required": True,
    "quiet_seconds": 180,
    "checks_enabled": True,
    "check_mean_seconds": 1200,
    "check_min_gap_seconds": 600,
    "answer_seconds": 60,
}
# API tokens (accounts/tokens.py): lifetime from creation, live tokens per account (minting one
# more revokes the oldest). A new password, deactivation and 退出所有设备 revoke them all.
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30"))
API_TOKEN_MAX_PER_USER = int(os.environ.get("API_TOKEN_MAX_PER_USER", "5"))
