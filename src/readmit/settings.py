"""Readmit's settings, read from the environment.

With no variable set, Readmit runs for development on the embedded SQLite file under
`var/`. `READMIT_ENV=production` turns on the deployment settings and refuses to start
without a `SECRET_KEY`. Every variable is listed in docs/operations.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent
BASE_DIR = PROJECT_DIR.parent.parent
VAR_DIR = Path(os.environ.get("READMIT_VAR_DIR", BASE_DIR / "var"))
NODE_MODULES_DIR = Path(os.environ.get("READMIT_NODE_MODULES", BASE_DIR / "node_modules"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


READMIT_ENV = os.environ.get("READMIT_ENV", "development")
IS_PRODUCTION = READMIT_ENV == "production"

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("READMIT_ENV=production needs SECRET_KEY in the environment.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 40

DEBUG = env_bool("DEBUG", not IS_PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "readmit.core",
    "readmit.accounts",
    "readmit.intake",
    "readmit.assessment",
    "readmit.engagement",
    "readmit.envelope",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "readmit.core.middleware.SignInRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "readmit.urls"
WSGI_APPLICATION = "readmit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "readmit.core.context_processors.readmit",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'readmit.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

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
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins: five failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/gcds", NODE_MODULES_DIR / "@gcds-core/components/dist/gcds"),
    ("vendor/gcds-fonts", NODE_MODULES_DIR / "@gcds-core/fonts/fonts"),
    ("vendor/htmx", NODE_MODULES_DIR / "htmx.org/dist"),
    ("vendor/vega", NODE_MODULES_DIR / "vega/build"),
    ("vendor/vega-lite", NODE_MODULES_DIR / "vega-lite/build"),
    ("vendor/vega-embed", NODE_MODULES_DIR / "vega-embed/build"),
    ("vendor/vega-interpreter", NODE_MODULES_DIR / "vega-interpreter/build"),
    ("vendor/vega-util", NODE_MODULES_DIR / "vega-util/build"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Content security policy: no inline script or style of ours, no third-party origin, no eval.
# Two inline elements carry the per-response nonce: the import map that lets Vega's
# expression interpreter load (charts without eval), and the style elements the GC Design
# System components add to the page (they read the nonce from <meta name="csp-nonce">).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "readmit.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE", "5000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Readmit API",
    "DESCRIPTION": "Removals cooperation: assessment, engagement, envelope and results.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name per choice set: fields named "kind" or "status" exist in several apps.
    "ENUM_NAME_OVERRIDES": {
        "SecurityLevelEnum": "readmit.core.security.SecurityLevel",
        "RoleEnum": "readmit.accounts.models.Role",
        "PlanStatusEnum": "readmit.engagement.models.PlanStatus",
        "ActionStatusEnum": "readmit.engagement.models.ActionStatus",
        "EngagementKindEnum": "readmit.engagement.models.EngagementKind",
        "CommitmentKindEnum": "readmit.engagement.models.CommitmentKind",
        "NegotiationStatusEnum": "readmit.engagement.models.NegotiationStatus",
        "LeverEnum": "readmit.engagement.models.Lever",
        "StepStatusEnum": "readmit.engagement.models.StepStatus",
        "TriggerKindEnum": "readmit.engagement.models.TriggerKind",
        "AlertStatusEnum": "readmit.engagement.models.AlertStatus",
        "DecisionKindEnum": "readmit.engagement.models.DecisionKind",
        "CountryOutcomeEnum": "readmit.engagement.models.CountryOutcome",
        "AmendmentKindEnum": "readmit.envelope.models.AmendmentKind",
        "ProjectStatusEnum": "readmit.envelope.models.ProjectStatus",
        "FundingTypeEnum": "readmit.envelope.models.FundingType",
        "RiskRatingEnum": "readmit.envelope.models.RiskRating",
        "InitiativeTypeEnum": "readmit.envelope.models.InitiativeType",
        "PartnerCategoryEnum": "readmit.envelope.models.PartnerCategory",
        "OrganisationTypeEnum": "readmit.envelope.models.OrganisationType",
        "IngestKindEnum": "readmit.intake.models.IngestKind",
        "IngestStatusEnum": "readmit.intake.models.IngestStatus",
        "DocumentTypeEnum": "readmit.intake.models.DocumentType",
        "RequestOutcomeEnum": "readmit.intake.models.RequestOutcome",
        "CaseStatusEnum": "readmit.intake.models.CaseStatus",
        "ImpedimentEnum": "readmit.intake.models.Impediment",
        "CaseCategoryEnum": "readmit.intake.models.CaseCategory",
        "RemovalModeEnum": "readmit.intake.models.RemovalMode",
        "FlightEnum": "readmit.intake.models.Flight",
        "MeasureEnum": "readmit.intake.models.Measure",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Readmit's own configuration (see docs/operations.md).
READMIT_CURRENCY = os.environ.get("READMIT_CURRENCY", "CAD")
# Statements an assessment reads at a time, each in a connection of its own (1: one by one).
READMIT_ASSESSMENT_READERS = int(os.environ.get("READMIT_ASSESSMENT_READERS", "2"))
