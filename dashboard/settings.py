"""Lookout settings: one module, every value from the environment, defaults that run.

With no environment at all Lookout runs on embedded parts: SQLite for the database and kombu's
filesystem transport (under ``var/``) as the Celery broker, so nothing else must be installed.
``DATABASE_URL`` switches to PostgreSQL and ``CELERY_BROKER_URL`` (or ``REDIS_URL``) to Redis.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LOOKOUT_VAR_DIR", BASE_DIR / "var"))

env = environ.Env()

# Refused by the dashboard.E001 system check whenever DEBUG is off (dashboard/checks.py).
INSECURE_DEV_SECRET_KEY = "django-insecure-lookout-development-key-do-not-deploy"  # noqa: S105
# .env.example's value: a deployment that copied the file unedited. Refused on import below.
PLACEHOLDER_SECRET_KEY = "change-me-to-a-long-random-value"  # noqa: S105


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env_secret("SECRET_KEY", default=INSECURE_DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY.strip("\"' ") == PLACEHOLDER_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is the placeholder from .env.example while DEBUG is off. Set SECRET_KEY (or "
        'SECRET_KEY_FILE) to a long random value, e.g. python -c "import secrets; '
        'print(secrets.token_urlsafe(50))".'
    )

# Fernet keys for secrets at rest (client secrets, private keys, access tokens), separated by
# commas or newlines: the first encrypts, every one decrypts. Refused by dashboard.E002 whenever
# DEBUG is off. These are the keys at start-up; when they come from LOOKOUT_ENCRYPTION_KEYS_FILE,
# running processes re-read that file when it changes (dashboard/crypto.py), so a key rotation
# needs no restart. Keys from the environment need one.
INSECURE_DEV_ENCRYPTION_KEY = "bG9va291dC1kZXZlbG9wbWVudC1vbmx5LWtleS0zMmI="
LOOKOUT_ENCRYPTION_KEYS_FILE = env.str("LOOKOUT_ENCRYPTION_KEYS_FILE", default="")
LOOKOUT_ENCRYPTION_KEYS = (
    env_secret("LOOKOUT_ENCRYPTION_KEYS", default=INSECURE_DEV_ENCRYPTION_KEY)
    .replace(",", " ")
    .split()
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # sign-in throttling (see AXES_* below)
    "dashboard.apps.DashboardConfig",
    "privacy.apps.PrivacyConfig",
    "status.apps.StatusConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login is the default; only views marked @login_not_required are public.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.organizations",
                "dashboard.context_processors.live_refresh",
                "dashboard.context_processors.background_pause",
            ],
        },
    },
]

# Database: SQLite by default (the web process and the worker share the file in the demo, so
# writers wait for each other instead of failing with "database is locked").
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'lookout.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;",
            "transaction_mode": "IMMEDIATE",
        }
    )
    # A file, not memory, so the Celery worker processes that tests start can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # One test database per test run, so runs side by side on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first, as Django and OWASP advise: memory-hard against guessing on GPUs, and at Django's
# parameters a sign-in costs the web process about 0.34 s of CPU against 0.59 s with PBKDF2's
# 1,000,000 rounds (bench/sign_in_burst.py), which a burst of sign-ins on a small host feels.
# Passwords stored with PBKDF2 still sign in, and are stored again with Argon2 on that sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes), on /login/ and /admin/login/ alike. Failures are counted per
# account (from any address) and per client address (for any account): LOOKOUT_LOGIN_FAILURE_LIMIT
# of either locks that account, or that address, out for LOOKOUT_LOGIN_COOLOFF_MINUTES, and each
# attempt during a lockout (the right password included) starts the wait again. The lockout page
# is the sign-in page with the reason (429). Every failure, lockout and sign-in is kept in axes'
# tables (the admin's "Access attempts", "Access failures" and "Access logs") and logged.
LOOKOUT_LOGIN_FAILURE_LIMIT = env.int("LOOKOUT_LOGIN_FAILURE_LIMIT", default=5)
LOOKOUT_LOGIN_COOLOFF_MINUTES = env.int("LOOKOUT_LOGIN_COOLOFF_MINUTES", default=15)
if LOOKOUT_LOGIN_FAILURE_LIMIT < 1 or LOOKOUT_LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured(
        "LOOKOUT_LOGIN_FAILURE_LIMIT and LOOKOUT_LOGIN_COOLOFF_MINUTES must be at least 1."
    )
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out sign-in is refused unchecked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = LOOKOUT_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOOKOUT_LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Log lines name the account and the address (an audit needs them; passwords are always masked),
# and management commands print no start-up banner.
AXES_SENSITIVE_PARAMETERS: list[str] = []
AXES_VERBOSE = False
# Behind reverse proxies every request comes from a proxy's address: say how many proxies append
# to X-Forwarded-For, and the client's address is read from there (the first such proxy's entry).
LOOKOUT_TRUSTED_PROXY_COUNT = env.int("LOOKOUT_TRUSTED_PROXY_COUNT", default=0)


def _client_address(request) -> str | None:
    from django.conf import settings  # the live value (tests override it), not this module's

    proxies = settings.LOOKOUT_TRUSTED_PROXY_COUNT
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = _client_address

# E-mail (team invitations, password resets). By default mail is printed to the console; in
# production set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lookout <lookout@localhost>")
# Where django.core.mail.backends.filebased.EmailBackend writes messages (one file per batch).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# How long an invitation link and a password-reset link stay valid.
LOOKOUT_INVITATION_DAYS = env.int("LOOKOUT_INVITATION_DAYS", default=7)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day, in seconds

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves static files in every mode, so switching DEBUG never changes how pages load.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads. Credential files (Developer Console JSON, private key, certificate) are a few KB; the
# forms refuse any over 64 KB in words. A larger upload goes to a temporary file past
# FILE_UPLOAD_MAX_MEMORY_SIZE instead of memory; form fields besides files (at most 1,000 data
# subjects on a privacy request) are refused past DATA_UPLOAD_MAX_MEMORY_SIZE with a 400.
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Security headers; the TLS ones are for deployments behind HTTPS (on by default in production).
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# Load balancers and the compose health check probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403, 404, and django.security's 400s such as a disallowed host) is one
    # line (path, user id, reason), never a traceback: on the handler for every logger's records.
    "filters": {"one_line_client_errors": {"()": "dashboard.request_logging.OneLineClientErrors"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["one_line_client_errors"],
        }
    },
    "loggers": {"django.request": {"filters": ["one_line_client_errors"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Celery. Redis in production; kombu's filesystem transport needs no server for the demo.
REDIS_URL = env.str("REDIS_URL", default="")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Producers write where consumers read: one folder for the queue.
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default: a crawl for a queue of many tasks.
        "polling_interval": 0.1,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=5.0)
# Seconds a page that queues work waits for the broker (connect and each reply) before it says
# background work is paused instead (dashboard/background.py).
LOOKOUT_ENQUEUE_TIMEOUT = env.float("LOOKOUT_ENQUEUE_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Outcomes live in our own tables (last_error, last_success_at), not in a result backend.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Token refresh is driven by the data (expiry columns), so a missed tick costs nothing.
LOOKOUT_TOKEN_REFRESH_MARGIN = env.int("LOOKOUT_TOKEN_REFRESH_MARGIN", default=60 * 60)
LOOKOUT_TOKEN_REFRESH_INTERVAL = env.int("LOOKOUT_TOKEN_REFRESH_INTERVAL", default=5 * 60)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "tokens-refresh-due": {
        "task": "dashboard.tokens_refresh_due",
        "schedule": float(LOOKOUT_TOKEN_REFRESH_INTERVAL),
        "options": {"expires": LOOKOUT_TOKEN_REFRESH_INTERVAL * 0.8},
    },
}
CELERY_TIMEZONE = "UTC"
# Heartbeats (dashboard/celery.py): a worker writes its row this often from a timer, beat from its
# scheduler's tick (which never sleeps longer than this); /healthz calls a worker or beat stale
# (503) when no row of its kind is newer than LOOKOUT_HEARTBEAT_STALE_AFTER seconds.
LOOKOUT_HEARTBEAT_INTERVAL = env.int("LOOKOUT_HEARTBEAT_INTERVAL", default=30)
LOOKOUT_HEARTBEAT_STALE_AFTER = env.int(
    "LOOKOUT_HEARTBEAT_STALE_AFTER", default=3 * LOOKOUT_HEARTBEAT_INTERVAL
)
# Off: a kind of process never seen by this database (a fresh install) is not reported. On: it is
# "missing" and /healthz answers 503 until it has run once.
LOOKOUT_HEALTHZ_EXPECT_PROCESSES = env.bool("LOOKOUT_HEALTHZ_EXPECT_PROCESSES", default=False)
CELERY_BEAT_SCHEDULER = "dashboard.celery:HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = LOOKOUT_HEARTBEAT_INTERVAL

# Notifications (dashboard/services/notifications.py). Links in e-mails and webhooks start with
# LOOKOUT_BASE_URL. Beat scans for changes this often (the Status poll and privacy syncs also
# scan as soon as they finish), looking no further back than the lookback.
LOOKOUT_BASE_URL = env.str("LOOKOUT_BASE_URL", default="http://127.0.0.1:8000")
LOOKOUT_NOTIFICATION_SCAN_INTERVAL = env.int("LOOKOUT_NOTIFICATION_SCAN_INTERVAL", default=60)
LOOKOUT_NOTIFICATION_LOOKBACK_HOURS = env.int("LOOKOUT_NOTIFICATION_LOOKBACK_HOURS", default=24)
# A delivery is tried this many times (waiting 1, 2, 4 … minutes) before it is marked failed.
LOOKOUT_NOTIFICATION_MAX_ATTEMPTS = env.int("LOOKOUT_NOTIFICATION_MAX_ATTEMPTS", default=6)
LOOKOUT_NOTIFICATION_BATCH = env.int("LOOKOUT_NOTIFICATION_BATCH", default=500)
# A sync is "failing repeatedly" after this many failures in a row.
LOOKOUT_NOTIFICATION_SYNC_FAILURES = env.int("LOOKOUT_NOTIFICATION_SYNC_FAILURES", default=3)
# The daily digest goes out at this hour, UTC.
LOOKOUT_NOTIFICATION_DIGEST_HOUR = env.int("LOOKOUT_NOTIFICATION_DIGEST_HOUR", default=8)
# Webhooks: https to public addresses only, unless local receivers are allowed (development).
LOOKOUT_WEBHOOK_ALLOW_LOCAL = env.bool("LOOKOUT_WEBHOOK_ALLOW_LOCAL", default=DEBUG)
LOOKOUT_WEBHOOK_TIMEOUT = env.float("LOOKOUT_WEBHOOK_TIMEOUT", default=5.0)
CELERY_BEAT_SCHEDULE["notifications-scan"] = {
    "task": "dashboard.notifications_scan",
    "schedule": float(LOOKOUT_NOTIFICATION_SCAN_INTERVAL),
    "options": {"expires": LOOKOUT_NOTIFICATION_SCAN_INTERVAL * 0.8},
}
CELERY_BEAT_SCHEDULE["notifications-digest"] = {
    "task": "dashboard.notifications_digest",
    "schedule": crontab(minute=0, hour=LOOKOUT_NOTIFICATION_DIGEST_HOUR),
    "options": {"expires": 3600},
}

# --- Privacy Service (privacy app) ---
# An unfinished job older than this is shown as stuck, whatever its regulation's deadline.
LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = env.int("LOOKOUT_PRIVACY_STUCK_AFTER_HOURS", default=72)
LOOKOUT_PRIVACY_PAGE_SIZE = env.int("LOOKOUT_PRIVACY_PAGE_SIZE", default=50)
# Job sync (privacy/services/sync.py): beat fans out one sync per organization this often.
LOOKOUT_PRIVACY_SYNC_INTERVAL = env.int("LOOKOUT_PRIVACY_SYNC_INTERVAL", default=15 * 60)
# Regulations every poll lists, besides those the organization's jobs use (the daily full
# listing covers every Regulation row, so a new regulation shows up within a day).
LOOKOUT_PRIVACY_REGULATIONS = env.list("LOOKOUT_PRIVACY_REGULATIONS", default=["gdpr", "ccpa"])
LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL = env.int(
    "LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL", default=24 * 60 * 60
)
# A running sync's heartbeat renews its lease; a killed one is taken over this long after.
LOOKOUT_PRIVACY_SYNC_LEASE = env.int("LOOKOUT_PRIVACY_SYNC_LEASE", default=60)
# Job details a sync reads at once (threads that only send HTTP); 1 reads them one by one. A 429
# pauses them all for Adobe's Retry-After.
LOOKOUT_PRIVACY_DETAIL_CONCURRENCY = env.int("LOOKOUT_PRIVACY_DETAIL_CONCURRENCY", default=8)
# Beat looks this often for organizations whose sync is due (interval over, backoff over, or a
# killed sync to take over): each organization still syncs once per LOOKOUT_PRIVACY_SYNC_INTERVAL.
LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL = env.int("LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL", default=60)
# A submission whose answer from Adobe was lost is never resent: Lookout looks for its jobs, and
# says it was not received when none has shown up this long after it was sent. Beat queues the
# due checks as often as it queues syncs.
LOOKOUT_PRIVACY_UNCERTAIN_WINDOW = env.int("LOOKOUT_PRIVACY_UNCERTAIN_WINDOW", default=30 * 60)
CELERY_BEAT_SCHEDULE["privacy-submissions-reconcile"] = {
    "task": "privacy.submissions_reconcile",
    "schedule": float(LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL),
    "options": {"expires": LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL * 0.8},
}
CELERY_BEAT_SCHEDULE["privacy-jobs-sync-due"] = {
    "task": "privacy.jobs_sync_due",
    "schedule": float(LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL),
    "options": {"expires": LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL * 0.8},
}

# --- Adobe Status (status app) ---
# One poll per installation (Status data is Adobe-wide), with any credential that has Status access.
LOOKOUT_STATUS_POLL_INTERVAL = env.int("LOOKOUT_STATUS_POLL_INTERVAL", default=120)
# Products, regions and messages change rarely; beat checks hourly whether the read is due.
LOOKOUT_STATUS_REGISTRY_INTERVAL = env.int("LOOKOUT_STATUS_REGISTRY_INTERVAL", default=24 * 3600)
# The locale of /messages/{locale}, which turns Adobe's title and message tokens into words.
LOOKOUT_STATUS_LOCALE = env.str("LOOKOUT_STATUS_LOCALE", default="en")
CELERY_BEAT_SCHEDULE["status-poll"] = {
    "task": "status.poll",
    "schedule": float(LOOKOUT_STATUS_POLL_INTERVAL),
    "options": {"expires": LOOKOUT_STATUS_POLL_INTERVAL * 0.8},
}
CELERY_BEAT_SCHEDULE["status-registry-sync"] = {
    "task": "status.registry_sync",
    "schedule": 60 * 60.0,
    "options": {"expires": 50 * 60},
}

# Adobe base URLs (../shared/adobe-api.md Part 1); the demo points all three at the simulator.
ADOBE_IMS_URL = env.str("ADOBE_IMS_URL", default="https://ims-na1.adobelogin.com")
ADOBE_PRIVACY_API_URL = env.str(
    "ADOBE_PRIVACY_API_URL", default="https://platform.adobe.io/data/core/privacy"
)
ADOBE_STATUS_API_URL = env.str("ADOBE_STATUS_API_URL", default="https://status.adobe.io/api/v1")
ADOBE_HTTP_TIMEOUT = env.float("ADOBE_HTTP_TIMEOUT", default=15.0)

HEALTHZ_TIMEOUT = env.float("LOOKOUT_HEALTHZ_TIMEOUT", default=3.0)
# The bearer token Prometheus scrapes /metrics with (or LOOKOUT_METRICS_TOKEN_FILE). Unset,
# /metrics does not exist (404).
LOOKOUT_METRICS_TOKEN = env_secret("LOOKOUT_METRICS_TOKEN", default="")
# Events per page of an organization's audit log.
LOOKOUT_AUDIT_PAGE_SIZE = env.int("LOOKOUT_AUDIT_PAGE_SIZE", default=100)
# Seconds between in-place refreshes of pages with live data (job lists, status).
LOOKOUT_LIVE_REFRESH_SECONDS = env.int("LOOKOUT_LIVE_REFRESH_SECONDS", default=30)
