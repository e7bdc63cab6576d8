"""Settings for the coliving platform, read from the environment.

Every variable is listed in ``.env.example`` and the README. Values that cannot be
understood raise ``ImproperlyConfigured`` at start-up (see ``coliving/env.py``).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from coliving.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=not DEBUG) or "insecure-key-for-debug-only"

SPACES_DOMAIN = (env_str("SPACES_DOMAIN", "spaces.localhost") or "").lower().strip(".")
_default_hosts = ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _default_hosts)
if SPACES_DOMAIN and f".{SPACES_DOMAIN}" not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
    # Cobot-compatible endpoints are served on <subdomain>.<SPACES_DOMAIN>.
    ALLOWED_HOSTS.append(f".{SPACES_DOMAIN}")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "apikeys",
    "listings",
    "bookings",
    "jobs",
    "coliving",
    # Staff security (the block "Staff security" below): login throttling, two-factor, CSP.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "staff",  # before two_factor: its templates restyle two_factor's pages
    "two_factor",
    "csp",
]

MIDDLEWARE = [
    "coliving.middleware.RequestIDMiddleware",
    "coliving.middleware.RequestLimitsMiddleware",
    "coliving.api.routing.SpaceHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Staff security (the block "Staff security" below).
    "django_otp.middleware.OTPMiddleware",
    "staff.middleware.StaffTwoFactorMiddleware",
    "coliving.middleware.CSPMiddleware",  # django-csp's, the settings' policy built once
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coliving.urls"
WSGI_APPLICATION = "coliving.wsgi.application"
ASGI_APPLICATION = "coliving.asgi.application"

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
                "staff.context_processors.admin_site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_default_database_url = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_database_url),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
            conn_health_checks=True,
        )
    }
except (ValueError, KeyError) as exc:  # dj-database-url raises these for unknown schemes
    raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A request waits at most this long for a row lock, then gets 409 with Retry-After
    # (coliving/api/exceptions.py) instead of holding a worker.
    _lock_timeout_ms = env_int("DATABASE_LOCK_TIMEOUT_MS", 5000, minimum=1)
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={_lock_timeout_ms}"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # A writer waits for the lock instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Cache and rate limiting ----------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "coliving"),
        }
    }
    # A Redis outage must not take the API down: cache calls return None instead of
    # raising, and the rate limiter then fails open (see RATELIMIT_FAIL_OPEN below).
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SILENCED_SYSTEM_CHECKS: list[str] = []
else:
    # Embedded default for `make run`: one server process, so a per-process cache still
    # gives correct limits. django-ratelimit refuses it (E003) unless silenced here.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "coliving"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# A user's email is unique among live users and within each partner's sandbox (accounts/models.py),
# so the field is not unique=True: logins go through a backend that reads live users only
# (AUTHENTICATION_BACKENDS, in the staff security block below).
SILENCED_SYSTEM_CHECKS += ["auth.W004"]

# Says that this instance runs one server process, so a per-process cache is enough for the
# rate limits; without it `check --deploy` requires REDIS_URL (coliving/checks.py).
SINGLE_PROCESS = env_bool("SINGLE_PROCESS", False)

RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = env_bool("RATELIMIT_FAIL_OPEN", True)
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
RATELIMIT_PER_MINUTE = env_int("RATELIMIT_PER_MINUTE", 60, minimum=1)
RATELIMIT_COWORKIES_PER_HOUR = env_int("RATELIMIT_COWORKIES_PER_HOUR", 1000, minimum=1)
RATELIMIT_PUBLIC_PER_MINUTE = env_int("RATELIMIT_PUBLIC_PER_MINUTE", 60, minimum=1)
_ip_header = env_str("CLIENT_IP_HEADER")
# Only behind a reverse proxy that appends to this header (see coliving/api/client_ip.py).
CLIENT_IP_META_KEY = "HTTP_" + _ip_header.upper().replace("-", "_") if _ip_header else None
RATELIMIT_IP_META_KEY = "coliving.api.client_ip.client_ip"

# API key usage counters are buffered per process and written at most this often.
APIKEY_USAGE_FLUSH_SECONDS = env_int("APIKEY_USAGE_FLUSH_SECONDS", 30, minimum=0)
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24, minimum=1)

# --- Background tasks -----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            {
                "db": "django_tasks_db.DatabaseBackend",
                # Redis workers, the scale-out path (docs/instances.md): `manage.py run_worker`.
                "rq": "django_tasks_rq.RQBackend",
                "immediate": "django_tasks.backends.immediate.ImmediateBackend",
                "dummy": "django_tasks.backends.dummy.DummyBackend",
            },
            "db",
        ),
        "QUEUES": ["default"],
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS.append("django_rq")
# The RQ backend's queues (django-rq). Read only when TASKS_BACKEND=rq, or by tests that select it.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

# Seconds a task may stay RUNNING before the scheduler takes its worker for dead and queues
# it again (coliving/task_recovery.py); longer than any task runs.
TASKS_RUNNING_TIMEOUT = env_int("TASKS_RUNNING_TIMEOUT", 900, minimum=60)

TRACKING_URL = env_str("TRACKING_URL")
# Outbound fetches refuse private and loopback addresses; local development only.
TRACKING_ALLOW_PRIVATE = env_bool("TRACKING_ALLOW_PRIVATE", False)
# Booking webhooks (bookings/resources/webhooks.py) may reach private/loopback addresses; local development only.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)

# Host feeds and iCal calendars are fetched through coliving/http.py's guard: public
# addresses only (FETCH_ALLOWED_NETWORKS names private networks let through anyway, for
# local development and tests), at most FETCH_MAX_BYTES, FETCH_TIMEOUT seconds in all.
FETCH_MAX_BYTES = env_int("FETCH_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
FETCH_TIMEOUT = env_int("FETCH_TIMEOUT", 30, minimum=1)
FETCH_ALLOWED_NETWORKS = env_list("FETCH_ALLOWED_NETWORKS", [])
for _network in FETCH_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FETCH_ALLOWED_NETWORKS: {_network!r} is not a network ({exc})") from None
# Minutes between two fetches of a room's availability calendar; days ahead it is applied.
ICAL_SYNC_MINUTES = env_int("ICAL_SYNC_MINUTES", 60, minimum=5)
ICAL_HORIZON_DAYS = env_int("ICAL_HORIZON_DAYS", 365, minimum=1)
# Seconds the scheduler (manage.py run_scheduler) sleeps between two looks at its table.
SCHEDULER_TICK_SECONDS = env_int("SCHEDULER_TICK_SECONDS", 30, minimum=1)

# --- Coworkies directory and email ----------------------------------------------------
# The public job board's address: job URLs in API answers (url, view_url, edit_url …) start with it.
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
# SMTP when EMAIL_HOST is set (production); otherwise emails are printed on the console (`make run`).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = f"django.core.mail.backends.{'smtp' if EMAIL_HOST else 'console'}.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@localhost")
# A job's inv_email when the one sent is missing or invalid.
JOBS_DEFAULT_CONTACT_EMAIL = env_str("JOBS_DEFAULT_CONTACT_EMAIL", DEFAULT_FROM_EMAIL)

# Baseline views for `make bench` (bench/urls.py); never on in production.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)

# --- Requests, security ---------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2_621_440, minimum=1024)
# Refused by coliving.middleware.RequestLimitsMiddleware (414, 431) before any view runs;
# gunicorn.conf.py and a reverse proxy in front read the same variables.
MAX_URL_BYTES = env_int("MAX_URL_BYTES", 4096, minimum=256)
MAX_HEADER_BYTES = env_int("MAX_HEADER_BYTES", 16384, minimum=1024)
API_MAX_JSON_DEPTH = 32

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REDIRECT_EXEMPT = [r"^v2/health$"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- REST framework and OpenAPI -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apikeys.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["coliving.api.permissions.ScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["coliving.api.ratelimit.KeyRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["coliving.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "coliving.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "coliving.api.negotiation.AlwaysJSONNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "coliving.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "coliving.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Coliving platform API",
    "DESCRIPTION": (
        "Partner, Integrations, JSON feed, Coworkies directory and Cobot-compatible resource booking APIs. "
        "Each family keeps the wire shape its partners already code against; see the README."
    ),
    "VERSION": "2.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # <id:…> (coliving/api/converters.py): a positive bigint.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "HealthStatusEnum": ["ok", "degraded", "down"],
        "UserGenderEnum": "accounts.models.User.Gender",
        "JobStatusEnum": "jobs.models.Job.Status",
        "BookingStatusEnum": "bookings.models.Booking.Status",
        "JobCurrencyEnum": ["EUR", "USD", "GBP"],  # jobs.models.Job.Currency's values (its labels differ)
    },
    "EXTENSIONS_INFO": {},
    # The document is read by client generators: see coliving/api/schema.py (hooks at the end).
    "POSTPROCESSING_HOOKS": [
        "coliving.api.schema.postprocess_unwrap_primitives",
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coliving.api.schema.postprocess_named_components",
        "coliving.api.schema.postprocess_enum_varnames",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "coliving.middleware.RequestIDLogFilter"},
        # A Redis outage: one line a minute per process, not a traceback per cache call.
        "redis_outage": {
            "()": "coliving.middleware.OncePerIntervalLogFilter",
            "seconds": 60,
            "summary": "Redis unreachable: cache calls are skipped and rate limits fail open",
        },
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [request_id=%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django_redis.cache": {"filters": ["redis_outage"]},
    },
}

# --- Staff security (the admin: login throttling, two-factor, sessions, CSP) -----------
# Listed in the README's deployment section. See staff/ for what enforces each.
from datetime import timedelta  # noqa: E402

from csp.constants import NONCE  # noqa: E402

# axes comes first: it refuses a locked-out client before any password is checked.
# Then live users only: a sandbox user (bookings/sandbox.py) never logs in.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.backends.LiveUserBackend"]
AXES_ONLY_ADMIN_SITE = True
# Failed admin logins allowed from one client IP (whatever usernames it tries) before it
# is locked out for ADMIN_LOGIN_COOLOFF_MINUTES; staff unlock it from Axes › Access attempts.
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "coliving.api.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "staff.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Failed logins and lockouts are warnings; every successful login need not be logged.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# TOTP two-factor for staff who can issue or revoke API keys: on by default in production,
# off with DEBUG=1 (`make run`) and in the test settings (the tests of it turn it on).
ADMIN_2FA_REQUIRED = env_bool("ADMIN_2FA_REQUIRED", not DEBUG)
TWO_FACTOR_PATCH_ADMIN = False  # the admin keeps its own (axes-throttled) login; staff/middleware.py adds the step
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# An admin session ends after this many idle minutes (each request starts the count again).
SESSION_COOKIE_AGE = env_int("ADMIN_SESSION_IDLE_MINUTES", 60, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

ADMIN_SITE_HEADER = env_str("ADMIN_SITE_HEADER", "Coliving platform") or "Coliving platform"
ADMIN_SITE_TITLE = env_str("ADMIN_SITE_TITLE", f"{ADMIN_SITE_HEADER} admin") or ADMIN_SITE_HEADER

# Content-Security-Policy on every response (django-csp). The admin, Swagger UI and Redoc
# load everything from this host: scripts only from files or with the per-request nonce;
# styles may be inline (Redoc and Swagger UI inject theirs at run time); Redoc builds its
# search worker from a blob:, Swagger UI draws icons from data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
