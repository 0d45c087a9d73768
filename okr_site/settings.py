"""Aligned settings: one module, configured by the environment.

With nothing set it runs as a developer's embedded default: SQLite, e-mail to the
console, Celery tasks executed in-process. With DATABASE_URL / REDIS_URL / EMAIL_URL
set it uses PostgreSQL, Redis (cache + Celery broker) and SMTP.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

# okr_site.secrets_box seals stored secrets (Slack webhooks) under a key derived from this;
# unset, from SECRET_KEY (then rotate SECRET_KEY with SECRET_KEY_FALLBACKS, or sealed secrets
# can no longer be read). The fallbacks still open what older keys sealed.
ENCRYPTION_KEY = env.str("ENCRYPTION_KEY", default="")
ENCRYPTION_KEY_FALLBACKS = env.list("ENCRYPTION_KEY_FALLBACKS", default=[])
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Single sign-on (sso/): how long to wait for a company's identity provider. Its client
# secrets are sealed with ENCRYPTION_KEY (okr_site/secrets_box.py).
SSO_HTTP_TIMEOUT = env.float("SSO_HTTP_TIMEOUT", default=5.0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "guardian",
    "csp",
    "axes",
    "pgtrigger",
    "accounts",
    "organizations",
    "objectives",
    "alignment",
    "checkins",
    "search",
    "audit",
    "conversations",
    "notifications",
    "dependencies",
    "demo",
    "outbox",
    "closing",
    "sso",
    "slack",
    "history",
    "sheets",
    "ninja",
    "api",
]

MIDDLEWARE = [
    # First: an oversized body is refused from its Content-Length, before anything reads it.
    "okr_site.limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # /<org_slug>/api/...: the personal access token says whose request it is (api.middleware).
    "api.middleware.ApiTokenMiddleware",
    # Resolves /<org_slug>/ once per request; the only tenancy gate.
    "organizations.tenancy.TenantMiddleware",
    # After it: a write request's changes name its person in the database's history.
    "history.context.HistoryContextMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the sign-in page's message.
    "axes.middleware.AxesMiddleware",
]

# The database-level history (history/): django-pgtrigger installs its triggers after every
# `migrate` instead of writing them into the tracked apps' migrations (PostgreSQL only).
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# Request bodies: refused above this size (okr_site.limits; nginx's client_max_body_size in
# deploy/nginx matches it). Uploads above 2.5 MB go to a temporary file, not memory.
MAX_REQUEST_BODY = env.int("MAX_REQUEST_BODY_MB", default=10) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

ROOT_URLCONF = "okr_site.urls"
WSGI_APPLICATION = "okr_site.wsgi.application"

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
                "csp.context_processors.nonce",
                "organizations.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# On PostgreSQL, persistent connections (checked before reuse): opening one per request
# halved the load benchmark's throughput (66 against 120 requests a second).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if _POSTGRES else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
if _POSTGRES:
    # A company's OKRs fit in memory many times over; PostgreSQL's default random page
    # cost (4, for spinning disks) made it scan a period's objectives where following an
    # index is several times faster. 1.1 is the usual value for SSDs and cached data.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={env.float('PG_RANDOM_PAGE_COST', default=1.1)}"
    )

REDIS_URL = env.str("REDIS_URL", default="")
# The cache is an optimisation, never a dependency: django-redis with IGNORE_EXCEPTIONS turns
# a Redis outage into cache misses, and the short socket timeouts keep a request from waiting
# on an unreachable Redis (the fault run: Redis stopped turned every page into a 500).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aligned",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in PostgreSQL only: a signed-in person stays signed in while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
ANONYMOUS_USER_NAME = (
    None  # guardian: no anonymous user row; OKRs are never public outside a company
)
GUARDIAN_RAISE_403 = False

# Sign-in and abuse (docs/architecture.md). django-axes counts failed sign-ins in the
# database: ten within the cool-off, for one e-mail address or from one network address,
# lock that account or address for 15 minutes; a failure while locked starts them again,
# a successful sign-in clears the account's count.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttle.username_of"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# Behind a reverse proxy every request comes from the proxy's address: say how many
# proxies set X-Forwarded-For so the person's own address is counted (and rate-limited).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
# E-mails a stranger can trigger (password reset, sign-up): at most this many per address
# and per network address within the window; over it, the same answer and no e-mail.
EMAIL_RATE_PER_ADDRESS = env.int("EMAIL_RATE_PER_ADDRESS", default=10)
EMAIL_RATE_PER_IP = env.int("EMAIL_RATE_PER_IP", default=30)
EMAIL_RATE_WINDOW_SECONDS = env.int("EMAIL_RATE_WINDOW_SECONDS", default=60 * 60)
# The REST API: requests a minute per personal access token (api.middleware; counted in Redis).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# How long a sign-up's confirmation link works.
SIGNUP_CONFIRM_TTL_HOURS = env.int("SIGNUP_CONFIRM_TTL_HOURS", default=48)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail: console by default, SMTP (or any backend django-environ knows) from EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# A direct override, e.g. the file backend the exactly-once tests read across processes.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
# Seconds a blocked SMTP connection may hang: well inside the reminders' claim timeout
# (checkins.reminders.claim_timeout), so a hung send cannot outlive a batch's heartbeat.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent_emails"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aligned <no-reply@aligned.example>")

# Slack (slack/): a team's webhook URL must start with this (Slack's own host; the tests
# point it at a server on 127.0.0.1), and a post waits this many seconds for an answer.
SLACK_WEBHOOK_PREFIX = env.str("SLACK_WEBHOOK_PREFIX", default="https://hooks.slack.com/")
SLACK_TIMEOUT = env.float("SLACK_TIMEOUT", default=10)

INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=14)
# How far a dashboard may run behind the latest write while a worker rebuilds its figures
# (alignment.snapshots); without a broker they are rebuilt in the request instead.
DASHBOARD_MAX_LAG_SECONDS = env.int("DASHBOARD_MAX_LAG_SECONDS", default=60)

# Celery: Redis is the broker when REDIS_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# A request that hands work to a broker that is down must fail fast (outbox.publish keeps the
# work in the database instead), not retry for seconds while the person waits.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT * 4
CELERY_TASK_PUBLISH_RETRY = False

# Security. The CSP allows no inline script: htmx is served from static/ and configured
# through a <meta> tag, the CSRF token travels in hx-headers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
