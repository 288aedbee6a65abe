"""The one settings module. Every value comes from the environment with a safe default.

With no variable set, Comptoir runs on its embedded default: SQLite in WAL mode in
``COMPTOIR_DATA_DIR`` (``./var``), an in-memory Channels layer and a database task
queue. ``DATABASE_URL`` and ``REDIS_URL`` switch to the scaled set-up. See
``docs/operations/configuration.md`` for every variable.
"""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from comptoir.core.env import (
    ConfigError,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("COMPTOIR_DEBUG", False)
ALLOWED_HOSTS = env_list("COMPTOIR_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("COMPTOIR_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("COMPTOIR_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "ninja",  # serves the API docs page (Swagger UI) from our own static files
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "comptoir.core",
    "comptoir.accounts",
    "comptoir.catalog",
    "comptoir.tickets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "comptoir.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comptoir.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "comptoir.urls"
FORM_RENDERER = "comptoir.core.form_renderer.FormRenderer"
# Threads of each `comptoir serve` process that run Django's views (core/http_bridge.py).
COMPTOIR_HTTP_THREADS = env_int("COMPTOIR_HTTP_THREADS", 2)
# REST API requests per user (all their tokens and session), as "<count>/<s|min|h|d>".
COMPTOIR_API_RATE = env_str("COMPTOIR_API_RATE", "600/min")
if not re.fullmatch(r"\d+/(s|sec|m|min|h|hour|d|day)", COMPTOIR_API_RATE):
    raise ConfigError(f"COMPTOIR_API_RATE must look like 600/min, not {COMPTOIR_API_RATE!r}")
ASGI_APPLICATION = "comptoir.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comptoir.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend with this process's writers queued on one lock
            # (core/sqlite/base.py).
            "ENGINE": "comptoir.core.sqlite",
            "NAME": str(DATA_DIR / "comptoir.sqlite3"),
            # Keep connections: opening one re-runs the PRAGMAs below on every request.
            "CONN_MAX_AGE": 600,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                # WAL lets readers run while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so two writers queue instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Channels layer, task queue -----------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "comptoir",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "comptoir"},
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    RQ_QUEUES = {}
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
        }
    }
# RQ workers (`comptoir worker`, `manage rqworker`) must load jobs with django-tasks-rq's
# Job class, which calls the task; RQ's own calls the Task object and every job fails.
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
# The database queue's housekeeping (core/housekeeping.py): days a succeeded task's row is
# kept (failed ones four times as long, to be investigated), and minutes after which a
# task still marked running is taken for one whose worker died. RQ expires its own.
COMPTOIR_TASK_RESULTS_DAYS = env_int("COMPTOIR_TASK_RESULTS_DAYS", 7)
if COMPTOIR_TASK_RESULTS_DAYS < 1:
    raise ConfigError(
        f"COMPTOIR_TASK_RESULTS_DAYS must be at least 1, not {COMPTOIR_TASK_RESULTS_DAYS}"
    )
COMPTOIR_TASK_STALE_MINUTES = env_int("COMPTOIR_TASK_STALE_MINUTES", 30)
if COMPTOIR_TASK_STALE_MINUTES < 1:
    raise ConfigError(
        f"COMPTOIR_TASK_STALE_MINUTES must be at least 1, not {COMPTOIR_TASK_STALE_MINUTES}"
    )

# Sessions are read on every signed-in request: serve them from the cache, backed by the DB.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any other backend checks them.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"
PASSWORD_RESET_TIMEOUT = env_int("COMPTOIR_PASSWORD_RESET_TIMEOUT", 60 * 60 * 3)

ACCOUNT_ADAPTER = "comptoir.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "comptoir.accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_UNIQUE_EMAIL = True
# Sign-up says plainly that an address is taken, as customers of a help desk expect;
# the rate limits below keep that from being used to list customers in bulk.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Comptoir] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ALLOW_SIGNUPS = env_bool("COMPTOIR_ALLOW_SIGNUPS", True)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

AXES_FAILURE_LIMIT = env_int("COMPTOIR_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = env_str("COMPTOIR_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("COMPTOIR_EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("COMPTOIR_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("COMPTOIR_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("COMPTOIR_EMAIL_STARTTLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("COMPTOIR_EMAIL_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 30
else:
    # Embedded default: messages (sign-up confirmations, resets) are printed by `serve`.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("COMPTOIR_FROM_EMAIL", "Comptoir <support@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = env_str("COMPTOIR_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("COMPTOIR_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "comptoir_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise scans it at start-up, before collectstatic
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600
COMPTOIR_MAX_UPLOAD_MB = env_int("COMPTOIR_MAX_UPLOAD_MB", 20)
COMPTOIR_MAX_ATTACHMENTS = env_int("COMPTOIR_MAX_ATTACHMENTS", 10)
# Uploads stream to disk past 2.5 MB; the request body limit leaves room for several files.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security -------------------------------------------------------------------------
HTTPS = env_bool("COMPTOIR_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("COMPTOIR_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("COMPTOIR_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("COMPTOIR_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("COMPTOIR_HSTS_PRELOAD", True)
    if env_bool("COMPTOIR_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------
LOG_FORMAT = env_str("COMPTOIR_LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ConfigError(f"COMPTOIR_LOG_FORMAT must be 'text' or 'json', not {LOG_FORMAT!r}")
LOG_LEVEL = env_str("COMPTOIR_LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "comptoir.core.logging.RequestIdFilter"},
        "redact": {"()": "comptoir.core.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "comptoir.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # One line per task run drowns everything else; failures still log at ERROR.
        "django_tasks": {"level": "WARNING"},
    },
}
