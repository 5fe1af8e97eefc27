"""Settings shared by every environment; the demo runs on these directly.

Everything that differs between machines comes from the environment (django-environ):
DATABASE_URL, PINGAN_SECRET_KEY, PINGAN_DATA_KEY, PINGAN_DEBUG, PINGAN_ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
import structlog
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parents[2]
# The embedded database, Huey's queue and uploads live here; it must exist before either opens.
(BASE_DIR / "var").mkdir(exist_ok=True)
env = environ.Env()

DEBUG = env.bool("PINGAN_DEBUG", default=False)
# The demo key is public on purpose; production.py refuses to start without a real one.
SECRET_KEY = env("PINGAN_SECRET_KEY", default="pingan-demo-only-secret-key-not-for-production")
ALLOWED_HOSTS = env.list("PINGAN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "pingan.core.apps.AxesConfig",  # django-axes, named in Chinese
    "csp",
    "django_password_validators",
    "django_password_validators.password_history",
    "huey.contrib.djhuey",
    "django_prometheus",
    "health_check",
    "pingan.core",
    "pingan.orgs",
    "pingan.cases",
    "pingan.collaboration",
    "pingan.patrol",
    "pingan.persons",
    "pingan.risk",
    "pingan.corrections",
    "pingan.evaluation",
    "pingan.talent",
    "pingan.webhooks",
    "pingan.demo",
]

MIDDLEWARE = [
    # First and (almost) last: request counts and latency per view for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # One structured log line per request, with its request id (pingan.core.middleware).
    "pingan.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "pingan.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pingan.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pingan.core.middleware.SlidingSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "pingan.core.middleware.PasswordAgeMiddleware",
    "pingan.core.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
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
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pingan.core.context_processors.navigation",
            ],
        },
    },
]

# Embedded SQLite (WAL) by default; PostgreSQL whenever DATABASE_URL points at one.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'pingan.sqlite3'}")
}
# django-prometheus' wrappers of the same backends time every query for /metrics.
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("PINGAN_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "pingan.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # 等保 level 3: upper and lower case letters, digits and symbols together, and none of the
    # last five passwords
    {
        "NAME": "django_password_validators.password_character_requirements"
        ".password_validation.PasswordCharacterValidator",
        "OPTIONS": {
            "min_length_digit": 1,
            "min_length_alpha": 1,
            "min_length_lower": 1,
            "min_length_upper": 1,
            "min_length_special": 1,
        },
    },
    {
        "NAME": "django_password_validators.password_history.password_validation"
        ".UniquePasswordsValidator",
        "OPTIONS": {"last_passwords": 5},
    },
]
# Days a password may be used before its holder must change it (0: never asked); an account
# whose password an administrator set is asked at once. Off for the demo; production: 90.
PINGAN_PASSWORD_MAX_AGE_DAYS = env.int("PINGAN_PASSWORD_MAX_AGE_DAYS", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after two idle hours and when the browser closes. SlidingSessionMiddleware
# pushes the expiry forward as the user works (every five minutes at most, not every request).
SESSION_COOKIE_AGE = env.int("PINGAN_SESSION_SECONDS", default=2 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Lockout after repeated failures (django-axes): five tries per account and address.
AXES_FAILURE_LIMIT = env.int("PINGAN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PINGAN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated):
# lockouts and the public query's limit then count each client, not the proxy.
PINGAN_TRUSTED_PROXIES = env.list("PINGAN_TRUSTED_PROXIES", default=[])
# The address citizens reach the public progress query at (printed on receipts and in their QR
# codes), e.g. https://zzzx.dongcheng.gov.cn: the staff site is on the intranet, whose address
# a citizen's phone cannot open. Empty: the address the receipt was printed from.
PINGAN_PUBLIC_URL = env("PINGAN_PUBLIC_URL", default="").rstrip("/")
AXES_CLIENT_IP_CALLABLE = "pingan.core.net.client_ip"
# Who may read /health/live/, /health/ready/ and /metrics (addresses or networks, comma-
# separated): the monitoring server and the load balancer; loopback by default.
PINGAN_MONITORING_NETWORKS = env.list("PINGAN_MONITORING_NETWORKS", default=["127.0.0.1", "::1"])
# The readiness check fails when the upload disk is this full (percent).
PINGAN_DISK_MAX_PERCENT = env.float("PINGAN_DISK_MAX_PERCENT", default=95.0)

# Content Security Policy: everything is served by us; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "pingan.core.storage.SiteFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("PINGAN_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Files and directories a process of the site creates (the SQLite file and its journal, logs,
# uploads, exports, the router's model) are its owner's alone: 0600 and 0700 (等保 level 3).
PINGAN_UMASK = int(env("PINGAN_UMASK", default="077"), 8)
os.umask(PINGAN_UMASK)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous API call gets 401 with WWW-Authenticate.
        "pingan.core.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pingan.core.api.exception_handler",
}
# API tokens (接口令牌, django-rest-knox): only a digest is stored; each expires, is named for
# its device and can be revoked by its owner or an administrator (X6).
KNOX_TOKEN_MODEL = "core.ApiToken"
# knox's own migrations create its AuthToken table even when the model is swapped out, and
# that table's key to the staff would stop PostgreSQL emptying the staff table (TRUNCATE in
# the browser tests' flush). Without its migrations, a swapped model gets no table.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("PINGAN_API_TOKEN_DAYS", default=30)),
    "TOKEN_LIMIT_PER_USER": 20,
}
# Two-factor login (双因素认证, django-otp: an authenticator app's TOTP code, or a recovery
# code): the roles that must use it. Empty turns it off, as the demo runs; production.py
# turns it on for administrators, leaders, dispatchers, prison officers and auditors.
PINGAN_TWO_FACTOR_ROLES = env.list("PINGAN_TWO_FACTOR_ROLES", default=[])
OTP_TOTP_ISSUER = "平安综治"
SPECTACULAR_SETTINGS = {
    "TITLE": "Pingan API",
    "DESCRIPTION": "平安综治 — the HTTP API of the comprehensive governance center platform.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI assets come from the drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pingan.core.api.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "pingan.orgs.choices.Level",
        "CaseStateEnum": "pingan.cases.choices.State",
        "RiskLevelEnum": "pingan.persons.choices.RiskLevel",
        "RegisterStateEnum": "pingan.persons.choices.RegisterState",
        "MeasureKindEnum": "pingan.persons.choices.MeasureKind",
        "MeasureStateEnum": "pingan.persons.choices.MeasureState",
        "ScorecardStateEnum": "pingan.persons.choices.ScorecardState",
        "ReleaseStateEnum": "pingan.corrections.choices.ReleaseState",
        "EvidenceFileStateEnum": "pingan.corrections.choices.FileState",
        "ListKindEnum": "pingan.evaluation.choices.ListKind",
        "ReviewPlanKindEnum": "pingan.evaluation.choices.PlanKind",
        "ReportKindEnum": "pingan.patrol.choices.ReportKind",
        "OfficerKindEnum": "pingan.collaboration.choices.OfficerKind",
        "HonourLevelEnum": "pingan.talent.choices.HonourLevel",
        "OutcomeEnum": "pingan.cases.choices.Outcome",
        "PartyRoleEnum": "pingan.cases.choices.PartyRole",
        "InstructionStateEnum": "pingan.risk.choices.InstructionState",
        "ExtensionStateEnum": "pingan.cases.choices.ExtensionState",
        "EntryStateEnum": "pingan.evaluation.choices.EntryState",
        "SchemeStateEnum": "pingan.evaluation.choices.SchemeState",
        "ReviewKindEnum": "pingan.corrections.choices.ReviewKind",
        "EvidenceCheckEnum": "pingan.corrections.choices.Check",
        "PassFailEnum": [("pass", "pass"), ("fail", "fail")],
        "RoleCodeEnum": "pingan.orgs.choices.RoleCode",
        "FunctionAreaEnum": "pingan.orgs.choices.FunctionAreaKind",
        "ScorecardSourceEnum": "pingan.persons.choices.ScorecardSource",
    },
}

# Personal data (X2): AES-256-GCM by default, SM4-GCM (国密) where a site must use it.
PINGAN_DATA_KEY = env("PINGAN_DATA_KEY", default=None)
PINGAN_DATA_CIPHER = env("PINGAN_DATA_CIPHER", default="AES-256-GCM")
# The demo key is public; production.py requires PINGAN_DATA_KEY to be set.
PINGAN_DEMO_DATA_KEY = "cGluZ2FuLWRlbW8tZGF0YS1rZXktMzItYnl0ZXMhISE="

PINGAN_SITE_NAME = _("平安综治")

# Logs are structured lines (structlog): one JSON object per line, with the time, level, logger,
# event and, inside a request, its request_id (from nginx's X-Request-ID behind a trusted proxy,
# otherwise new), user_id and ip. PINGAN_LOG_FORMAT=console prints them as key=value for people.
_LOG_PRE_CHAIN = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    # Django's request log passes the request too, whose repr carries the query string (a
    # searched ID number or name): only the status code is kept.
    structlog.stdlib.ExtraAdder(allow=("status_code",)),
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.dev.ConsoleRenderer(colors=False)
                if env("PINGAN_LOG_FORMAT", default="json") == "console"
                else structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
            "foreign_pre_chain": _LOG_PRE_CHAIN,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env("PINGAN_LOG_LEVEL", default="WARNING")},
    "loggers": {
        # request_started / request_finished (pingan.core.middleware.RequestLogMiddleware)
        "django_structlog": {"level": env("PINGAN_REQUEST_LOG_LEVEL", default="INFO")},
    },
}
structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_LOG_PRE_CHAIN,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = True

# --- Background jobs (Huey) -------------------------------------------------------------------
# One queue, two scales: an SQLite file beside the database by default (the demo runs one
# consumer beside gunicorn), Redis when REDIS_URL is set (consumers on any number of hosts).
REDIS_URL = env("REDIS_URL", default="")
HUEY = {
    "name": "pingan",
    "immediate": False,
    "utc": True,
    "consumer": {"workers": env.int("PINGAN_HUEY_WORKERS", default=1), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update(
        {"huey_class": "huey.SqliteHuey", "filename": str(BASE_DIR / "var" / "huey.sqlite3")}
    )
# The consumer's log (tasks started and finished) through our console handler, printed once.
LOGGING["loggers"]["huey"] = {"handlers": ["console"], "level": "INFO", "propagate": False}

# --- Notifications (X5) -----------------------------------------------------------------------
# In-app notices always; text messages through these backends (like Django's EMAIL_BACKEND).
# The console backend prints masked numbers for the demo; a site with an SMS gateway sets
# PINGAN_NOTIFIERS=pingan.core.notify.HttpSMSGatewayBackend and PINGAN_SMS_GATEWAY_URL.
PINGAN_NOTIFIERS = env.list("PINGAN_NOTIFIERS", default=["pingan.core.notify.ConsoleSMSBackend"])
PINGAN_SMS_GATEWAY_URL = env("PINGAN_SMS_GATEWAY_URL", default="")
PINGAN_SMS_GATEWAY_TOKEN = env("PINGAN_SMS_GATEWAY_TOKEN", default="")
PINGAN_SMS_GATEWAY_TIMEOUT = env.float("PINGAN_SMS_GATEWAY_TIMEOUT", default=5.0)

# --- Cache ---------------------------------------------------------------------------------------
# Shared by every web process (the public query's rate limit counts across workers): Redis when
# REDIS_URL is set, otherwise files under var/cache.
# Redis down must not take the pages down: a cache that cannot be reached is a miss, and what
# would have been cached is computed (django-redis IGNORE_EXCEPTIONS, logged).
# No retries with back-off (redis-py's default waits up to seconds per call): a miss is cheaper.
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "LOG_IGNORED_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
    "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 0)},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# --- Case routing and repeats (M1.3) -------------------------------------------------------------
# The routing classifier, retrained by `manage.py train_router`; rules work without it.
PINGAN_ROUTER_PATH = env.path(
    "PINGAN_ROUTER_PATH", default=BASE_DIR / "var" / "models" / "router.npz"
)
# A matter is a repeat of an open case, or of one registered within this many days.
PINGAN_REPEAT_WINDOW_DAYS = env.int("PINGAN_REPEAT_WINDOW_DAYS", default=90)
# Narratives in the same grid at least this similar (0–100, rapidfuzz) are near-duplicates.
PINGAN_REPEAT_SIMILARITY = env.int("PINGAN_REPEAT_SIMILARITY", default=80)

# --- Corrections (M11) ---------------------------------------------------------------------------
# Days before a release that the receiving community is told; days after it that a person who
# has not reported is escalated (人员未报到); the hash of the enforcement-record chain (sm3/sha256).
PINGAN_RELEASE_NOTICE_DAYS = env.int("PINGAN_RELEASE_NOTICE_DAYS", default=30)
PINGAN_RELEASE_NO_SHOW_DAYS = env.int("PINGAN_RELEASE_NO_SHOW_DAYS", default=3)
PINGAN_EVIDENCE_HASH = env.str("PINGAN_EVIDENCE_HASH", default="sm3")
# --- Key persons (M8) ---------------------------------------------------------------------------
# Columns that risk_fit refuses as factors (compared without case); they may be an audit group.
PINGAN_PROTECTED_COLUMNS = env.list(
    "PINGAN_PROTECTED_COLUMNS",
    default=["民族", "宗教", "宗教信仰", "种族", "ethnicity", "religion", "race"],
)
# Held-out rows an audit group needs before its rates count in the fairness gaps (risk_fit).
PINGAN_FAIRNESS_MIN_ROWS = env.int("PINGAN_FAIRNESS_MIN_ROWS", default=50)
# Days between reviews of a key person, by confirmed level (high monthly … low half-yearly).
PINGAN_REVIEW_DAYS = {"high": 30, "medium": 90, "low": 182}
# How long an entry that left the register is kept before its personal data is erased.
PINGAN_PERSON_RETENTION_DAYS = env.int("PINGAN_PERSON_RETENTION_DAYS", default=5 * 365)
# --- Whistle-and-report (M4.2) -------------------------------------------------------------------
# Hours a summoned department or officer has to acknowledge (报到) unless the street sets another,
# and hours after the first late notice before it climbs to the level above.
PINGAN_WHISTLE_REPORT_HOURS = env.int("PINGAN_WHISTLE_REPORT_HOURS", default=24)
PINGAN_WHISTLE_ESCALATE_AFTER_HOURS = env.int("PINGAN_WHISTLE_ESCALATE_AFTER_HOURS", default=24)
# Open311 GeoReport v2 (pingan.patrol.open311): the jurisdiction_id clients may send.
PINGAN_OPEN311_JURISDICTION = env("PINGAN_OPEN311_JURISDICTION", default="110101")
# Share of the patrol demo year to generate (1.0: a year, about 200,000 reports; the tests and
# browser tests, which load the demo per test, use a small share).
PINGAN_PATROL_DEMO_SCALE = env.float("PINGAN_PATROL_DEMO_SCALE", default=1.0)
