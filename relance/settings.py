"""Relance settings: one module, driven by environment variables.

SQLite under var/ is the zero-setup default; set DATABASE_URL for PostgreSQL.
"""

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("RELANCE_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# The fallback key only serves local runs; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "relance-insecure-development-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "relance.ledger",
    "relance.team",
    "relance.imports",
    "relance.dunning",
    "relance.banking",
    "relance.web",
    "relance.demo",
    "relance.legal",
    "relance.letters",
    "relance.reports",
    "relance.scoring",
    "relance.forecast",
    "relance.plans",
    "relance.evidence",
    "relance.notes",
    "relance.portal",
    "relance.api",
    "relance.privacy",
    "ninja",  # its templates and static files: the API docs page without any CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "relance.security.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "relance.web.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "relance.urls"
WSGI_APPLICATION = "relance.wsgi.application"

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
                "django.template.context_processors.i18n",
                "relance.team.context_processors.membership",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'relance.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while the worker writes; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY;"
        ),
    }
    # Tests use a file too (not Django's shared in-memory database, whose table locks ignore
    # the busy timeout), so that concurrent runs and workers are tested as they really run.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"relance-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "reports": the dashboard's figures (relance.reports.cache), keyed on each company's ledger
# version, so any change makes them unreachable. RELANCE_REPORTS_CACHE: "locmem" (default: in
# each process), "file:/some/dir" (shared by the processes of one machine) or "none".
# "default": Django's own per-process cache (rate limits of the debtor's page and the API).
RELANCE_REPORTS_CACHE = os.environ.get("RELANCE_REPORTS_CACHE", "locmem").strip()
if RELANCE_REPORTS_CACHE == "locmem":
    _REPORTS_CACHE = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "LOCATION": "relance-reports", "OPTIONS": {"MAX_ENTRIES": 1000}}  # fmt: skip
elif RELANCE_REPORTS_CACHE == "none":
    _REPORTS_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
elif RELANCE_REPORTS_CACHE.startswith("file:") and len(RELANCE_REPORTS_CACHE) > 5:
    _REPORTS_CACHE = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                      "LOCATION": RELANCE_REPORTS_CACHE[5:]}  # fmt: skip
else:
    raise ImproperlyConfigured(
        f"RELANCE_REPORTS_CACHE={RELANCE_REPORTS_CACHE!r}: locmem, file:/some/dir or none"
    )
# After a change, how long (seconds) the dashboard waits for its new figures before showing the
# latest ones, marked with their time, while the new ones are computed in the background.
RELANCE_REPORTS_WAIT = float(os.environ.get("RELANCE_REPORTS_WAIT", "2"))
# The worker retrains each company's payment-date predictor when its latest training is this
# many days old (relance.forecast); 0: never (then only `relance forecast train`).
RELANCE_FORECAST_RETRAIN_DAYS = int(os.environ.get("RELANCE_FORECAST_RETRAIN_DAYS", "7"))

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "reports": _REPORTS_CACHE,
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(os.environ.get("RELANCE_MEDIA_ROOT", VAR_DIR / "media"))
# Imported files and invoice PDFs live outside the web root; views that check rights serve them.
UPLOAD_ROOT = VAR_DIR / "uploads"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# No EMAIL_HOST: reminders are not mailed but kept in the local outbox ("Boîte d'envoi").
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
RELANCE_LOCAL_OUTBOX = env_bool("RELANCE_LOCAL_OUTBOX", not EMAIL_HOST)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
# A hung SMTP exchange must end well before a claim is declared uncertain (15 minutes).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "relance@localhost")

# SMS (relance/dunning/channels/sms/): no provider, SMS reminders stay in the local outbox.
RELANCE_SMS_PROVIDER = os.environ.get("RELANCE_SMS_PROVIDER", "").strip().lower()
if RELANCE_SMS_PROVIDER not in {"", "twilio", "ovh"}:
    raise ImproperlyConfigured(
        f"RELANCE_SMS_PROVIDER={RELANCE_SMS_PROVIDER!r}: twilio, ovh or empty (local outbox)"
    )
# An explicit RELANCE_LOCAL_OUTBOX=true (a staging copy) keeps SMS local too, whatever the
# provider; its default (no SMTP server) leaves SMS to RELANCE_SMS_PROVIDER.
RELANCE_SMS_LOCAL_OUTBOX = env_bool("RELANCE_LOCAL_OUTBOX", False)
# Alphanumeric sender ID (11 characters at most, registered with the provider) or a number.
RELANCE_SMS_SENDER = os.environ.get("RELANCE_SMS_SENDER", "")
# Price of one SMS segment, for the estimate shown before sending.
RELANCE_SMS_UNIT_COST_EUR = Decimal(os.environ.get("RELANCE_SMS_UNIT_COST_EUR", "0.05"))
RELANCE_SMS_TIMEOUT = int(os.environ.get("RELANCE_SMS_TIMEOUT", "15"))
# The address the application is reached at from the Internet (https://relance.example.com):
# providers post their delivery receipts there. Empty: no receipts are asked for.
RELANCE_PUBLIC_URL = os.environ.get("RELANCE_PUBLIC_URL", "").rstrip("/")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
OVH_ENDPOINT = os.environ.get("OVH_ENDPOINT", "https://eu.api.ovh.com/1.0")
OVH_APPLICATION_KEY = os.environ.get("OVH_APPLICATION_KEY", "")
OVH_APPLICATION_SECRET = os.environ.get("OVH_APPLICATION_SECRET", "")
OVH_CONSUMER_KEY = os.environ.get("OVH_CONSUMER_KEY", "")
OVH_SMS_SERVICE_NAME = os.environ.get("OVH_SMS_SERVICE_NAME", "")

# Electronic registered letters (relance/letters/providers/): empty, the manual mode (print,
# post, record the tracking number and the acknowledgement of receipt by hand).
RELANCE_REGISTERED_PROVIDER = os.environ.get("RELANCE_REGISTERED_PROVIDER", "").strip().lower()
if RELANCE_REGISTERED_PROVIDER not in {"", "ar24"}:
    raise ImproperlyConfigured(
        f"RELANCE_REGISTERED_PROVIDER={RELANCE_REGISTERED_PROVIDER!r}: ar24 or empty (manual)"
    )
# AR24's own timeout is 60 seconds (developers.ar24.fr, "Timeout synchronization").
RELANCE_REGISTERED_TIMEOUT = int(os.environ.get("RELANCE_REGISTERED_TIMEOUT", "60"))
AR24_API_URL = os.environ.get("AR24_API_URL", "https://app.ar24.fr/api")  # sandbox: sandbox.ar24.fr
AR24_TOKEN = os.environ.get("AR24_TOKEN", "")
AR24_PRIVATE_KEY = os.environ.get("AR24_PRIVATE_KEY", "")
AR24_USER_ID = os.environ.get("AR24_USER_ID", "")  # the sender's AR24 account

# The debtor's self-service page (relance/portal/): each reminder carries a new link to it,
# RELANCE_PUBLIC_URL + /p/<token>/ (no RELANCE_PUBLIC_URL: no link is sent). The company's
# own rules ("Espace client" settings page) start from these defaults.
RELANCE_PORTAL_LINK_DAYS = int(os.environ.get("RELANCE_PORTAL_LINK_DAYS", "60"))
RELANCE_PORTAL_PROMISE_MAX_DAYS = int(os.environ.get("RELANCE_PORTAL_PROMISE_MAX_DAYS", "30"))
RELANCE_PORTAL_PLAN_MAX_INSTALMENTS = int(
    os.environ.get("RELANCE_PORTAL_PLAN_MAX_INSTALMENTS", "6")
)
RELANCE_PORTAL_CLAIM_HOLD_DAYS = int(os.environ.get("RELANCE_PORTAL_CLAIM_HOLD_DAYS", "7"))
# Per client IP address and window: requests to /p/..., and wrong, expired or revoked links;
# beyond either, 429. Counted in Django's cache (per process unless CACHES is shared).
RELANCE_PORTAL_RATE_WINDOW = int(os.environ.get("RELANCE_PORTAL_RATE_WINDOW", "900"))
RELANCE_PORTAL_RATE_REQUESTS = int(os.environ.get("RELANCE_PORTAL_RATE_REQUESTS", "300"))
RELANCE_PORTAL_RATE_FAILURES = int(os.environ.get("RELANCE_PORTAL_RATE_FAILURES", "10"))
# Files a debtor attaches: PDF, PNG or JPEG (checked by content), this size and count at most.
RELANCE_PORTAL_UPLOAD_MAX_BYTES = int(
    os.environ.get("RELANCE_PORTAL_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
)
RELANCE_PORTAL_UPLOAD_MAX_FILES = int(os.environ.get("RELANCE_PORTAL_UPLOAD_MAX_FILES", "5"))
# Card and SEPA debit payments through Stripe Checkout: without a secret key the button is
# not shown. The webhook (RELANCE_PUBLIC_URL + /hooks/payments/stripe/) is checked with
# STRIPE_WEBHOOK_SECRET.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_URL = os.environ.get("STRIPE_API_URL", "https://api.stripe.com/v1")
RELANCE_PAYMENT_TIMEOUT = int(os.environ.get("RELANCE_PAYMENT_TIMEOUT", "20"))

# REST API (relance/api/): requests per token and window ("600/min"; empty: no limit), counted
# in Django's cache (per process unless CACHES is shared).
RELANCE_API_RATE_LIMIT = os.environ.get("RELANCE_API_RATE_LIMIT", "600/min")
# Webhooks: how long to wait for a receiving endpoint's answer before retrying later.
RELANCE_WEBHOOK_TIMEOUT = int(os.environ.get("RELANCE_WEBHOOK_TIMEOUT", "10"))

SESSION_COOKIE_HTTPONLY = True
# RELANCE_ENV=production (relance.security.production): HTTPS only, secure cookies, HSTS, and
# a refusal to start without a real SECRET_KEY and ALLOWED_HOSTS. The demo and the tests run
# in development on plain http://127.0.0.1, where each of these can still be set one by one.
PRODUCTION = os.environ.get("RELANCE_ENV", "development").strip().lower() == "production"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # no script reads it: htmx gets the token from the page
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# Behind a reverse proxy that ends TLS: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the
# proxy must set that header itself and drop the client's).
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER"], "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    from relance.security.production import require_production_settings

    require_production_settings(SECRET_KEY, DEBUG, os.environ)
# Login attempts (relance.security.throttle): failures allowed per user name and per client
# address within the window (seconds), counted in Django's cache.
RELANCE_LOGIN_WINDOW = int(os.environ.get("RELANCE_LOGIN_WINDOW", "900"))
RELANCE_LOGIN_FAILURES_PER_USER = int(os.environ.get("RELANCE_LOGIN_FAILURES_PER_USER", "5"))
RELANCE_LOGIN_FAILURES_PER_IP = int(os.environ.get("RELANCE_LOGIN_FAILURES_PER_IP", "20"))
# Personal data of settled customers (relance privacy anonymise): years kept after the last
# activity of the account; see relance/core/privacy.py for the choice of 5.
RELANCE_PRIVACY_RETENTION_YEARS = int(os.environ.get("RELANCE_PRIVACY_RETENTION_YEARS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
