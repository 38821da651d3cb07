"""Settings for the consent portal, read from the environment.

`DJANGO_ENV` picks the defaults: "development" (the default) is safe to run on a laptop with
SQLite and the console e-mail back-end; "production" turns on every transport-security setting
and refuses to start without a real secret key and a list of allowed hosts. Every value can be
overridden by an environment variable; `.env.example` lists them.
"""

import datetime
import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host
from django.utils.csp import CSP

from mailing.providers import PROVIDERS as EMAIL_PROVIDERS
from mailing.providers import anymail_settings
from mailing.providers import backend_path as provider_backend_path

from .env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


ENVIRONMENT = os.environ.get("DJANGO_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    # Debug pages show settings, SQL and local variables (patients' data among them) to anyone.
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=false.")

_DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "Production needs a real SECRET_KEY: at least 50 random characters, for example from "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS, e.g. 'consent.example-clinic.com'.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
    "portal",
    "accounts",
    "education",
    "consent",
    "practice",
    "anymail",
    "mailing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSessionLimitsMiddleware",
    # A clinic tablet handed to a patient: only their journey, until it ends or goes idle.
    "consent.kiosk.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout during any view into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out sign-ins before any password is checked.
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.csp",
                "portal.context_processors.clinic",
                "portal.context_processors.languages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60" if PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite lets one writer at a time. By default a transaction starts as a reader and asks to
    # write at its first write; when another connection writes meanwhile, SQLite cannot wait
    # (that would deadlock) and Django answers 500 "database is locked" at once. IMMEDIATE takes
    # the write lock when the transaction begins, so writers queue for up to `timeout` seconds
    # instead; WAL lets readers go on while one writes. With WAL, synchronous=NORMAL never
    # corrupts the file and loses nothing when the app crashes; a power cut may lose the last
    # commits, which is why a clinic runs PostgreSQL (tests/trust/test_load.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spent ~0.4 s compiling the dashboard's state query (correlated
    # subqueries make its cost estimate high) that then ran in milliseconds: pages never gain.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Each language named in its own words, as a person looking for their language would read it.
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own date formats per language ("12 April 2026", "12 de abril de 2026").
FORMAT_MODULE_PATH = ["portal.formats"]
# The language a visitor chose with the switcher in the header (portal.views.language_switch).
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", default=PRODUCTION)

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Bootstrap comes from the npm registry (`npm ci`), never from a CDN or a copy in the repo.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Stored PDF copies and uploaded files go through Django's storage API only. On one server the
# local disk (MEDIA_ROOT) will do; with several app servers, S3-compatible object storage
# (django-storages), so that every server reads what any other wrote.
STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "filesystem").strip().lower()
if STORAGE_BACKEND == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # Empty for AWS itself; the address of MinIO, Ceph, R2, Spaces, ... otherwise.
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            # Credentials come from boto3's own chain: AWS_ACCESS_KEY_ID and
            # AWS_SECRET_ACCESS_KEY in the environment, or the server's role.
            "default_acl": None,  # private objects: the bucket's policy decides
            "querystring_auth": True,  # links to files are signed and expire
            "querystring_expire": 300,
            "file_overwrite": False,  # a stored PDF is never replaced by another
        },
    }
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'filesystem' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# Caches. "default" is each process's own memory: what any server may keep a copy of (the
# public pages below). "shared" is a table in the database, so every app server counts together:
# the verify page's lookups per client address. Its table is made by `migrate` (consent's
# migration 0008 runs `createcachetable`), or by `manage.py createcachetable`.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_shared_cache",
    },
}
# /consent/verify/ answers this many lookups per client address in this many seconds; more get
# a 429 page: a record code is not a secret, but nobody needs to try thousands of them.
VERIFY_THROTTLE_CACHE = "shared"
VERIFY_THROTTLE_LOOKUPS = int(os.environ.get("VERIFY_THROTTLE_LOOKUPS", "30"))
VERIFY_THROTTLE_SECONDS = int(os.environ.get("VERIFY_THROTTLE_SECONDS", "600"))

# Retention (consent.selectors.retention, `manage.py purge_consent_records`): a signed record is
# due for purging this many days after its last event, an invitation nobody signed (and its
# draft) this many days after it was created. Local law decides; the defaults are 10 years and
# 1 year.
RECORD_RETENTION_DAYS = env_int("RECORD_RETENTION_DAYS", 3653)
UNSIGNED_RETENTION_DAYS = env_int("UNSIGNED_RETENTION_DAYS", 365)

# The home page, library and procedure pages, rendered once per library change and language and
# kept in each process's memory for visitors without a session (portal/page_cache.py). Off in
# development, so that template edits show at once.
PUBLIC_PAGE_CACHE_SECONDS = int(
    os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "600" if PRODUCTION else "0")
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail (Django's MAILERS): EMAIL_PROVIDER names an e-mail service provider (anymail; its keys
# from the environment, mailing/providers.py), whose delivery reports come back to
# /mail/webhooks/tracking/. Without one: SMTP when EMAIL_HOST names a server or in production
# (default: a local MTA); in development the console back-end prints messages.
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "").strip().lower()
if EMAIL_PROVIDER and EMAIL_PROVIDER not in EMAIL_PROVIDERS:
    raise ImproperlyConfigured(
        f"EMAIL_PROVIDER must be one of {', '.join(sorted(EMAIL_PROVIDERS))}, or empty for SMTP."
    )
ANYMAIL = anymail_settings(EMAIL_PROVIDER, os.environ) if EMAIL_PROVIDER else {}
if PRODUCTION and EMAIL_PROVIDER and not ANYMAIL.get("WEBHOOK_SECRET"):
    # The tracking webhook is public: without its secret anyone could report a bounce.
    raise ImproperlyConfigured("Set ANYMAIL_WEBHOOK_SECRET (user:password) with EMAIL_PROVIDER.")
if EMAIL_PROVIDER:
    MAILERS = {"default": {"BACKEND": provider_backend_path(EMAIL_PROVIDER)}}
elif PRODUCTION or os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
elif os.environ.get("EMAIL_FILE_PATH"):
    # Development: each message as a file in this folder (read them there, nothing is sent).
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": os.environ["EMAIL_FILE_PATH"]},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "consent@clinic.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (Django's django.tasks): e-mails and the scheduled jobs. "database" (the
# default, and production's) queues them in the database through django-tasks-db; workers
# (`manage.py db_worker`, any number, on any machine that reaches the database) run them.
# "immediate" runs each task at once in the process that queues it: no worker, slower requests.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database").strip().lower()
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'.")
if PRODUCTION and TASKS_BACKEND != "database":
    # In production a slow mail server would hold a web worker for every e-mail.
    raise ImproperlyConfigured("Production runs tasks on workers: unset TASKS_BACKEND.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# The daily record-chain checkpoint (`manage.py checkpoint_record_chain`): appended as a line to
# this file, and/or e-mailed to this address. Keep either out of reach of the database's owner.
CHECKPOINT_PATH = os.environ.get("CHECKPOINT_PATH", "")
CHECKPOINT_EMAIL = os.environ.get("CHECKPOINT_EMAIL", "")
# The signed record's PDF is made by a worker: attempts per run, seconds between them, and
# after how many minutes without a PDF `ensure_record_pdfs` queues a record again.
RECORD_PDF_ATTEMPTS = env_int("RECORD_PDF_ATTEMPTS", 3)
RECORD_PDF_RETRY_SECONDS = env_int("RECORD_PDF_RETRY_SECONDS", 60)
RECORD_PDF_SWEEP_MINUTES = env_int("RECORD_PDF_SWEEP_MINUTES", 10)
# A consent on a clinic tablet (kiosk mode) ends after this long without a request, with a
# warning on the screen this long before (where JavaScript runs).
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 180)
KIOSK_WARNING_SECONDS = min(env_int("KIOSK_WARNING_SECONDS", 60), KIOSK_IDLE_SECONDS // 2)
# Engagement, measured on the server: one gap between two requests counts at most this long (a
# tab left open overnight is not reading); a faster side-effects step is flagged to the
# practitioner as read quickly.
ENGAGEMENT_IDLE_CAP_SECONDS = env_int("ENGAGEMENT_IDLE_CAP_SECONDS", 900)
QUICK_READ_SIDE_EFFECTS_SECONDS = env_int("QUICK_READ_SIDE_EFFECTS_SECONDS", 30)
if ENGAGEMENT_IDLE_CAP_SECONDS < 1 or QUICK_READ_SIDE_EFFECTS_SECONDS < 0:
    raise ImproperlyConfigured("Engagement: an idle cap under 1 s or a quick-read time under 0.")

# The clinic as patients see it (header, footer, help lines).
CLINIC_NAME = os.environ.get("CLINIC_NAME", "Riverside Skin Clinic")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "+1 555 0100")
CLINIC_EMAIL = os.environ.get("CLINIC_EMAIL", "care@clinic.example")
EMERGENCY_NUMBER = os.environ.get("EMERGENCY_NUMBER", "911")
# Reminders to patients who have not finished (`manage.py send_reminders`, hourly): one when the
# link is unopened this many days after it was sent, one when consent was started but not
# finished this many days after opening, one this many hours before the link expires; at most
# REMINDER_MAX_PER_INVITATION in all, and none in the clinic's quiet hours (TIME_ZONE's clock,
# from CLINIC_QUIET_HOURS_START:00 to CLINIC_QUIET_HOURS_END:00; equal hours: no quiet hours).
REMINDER_NOT_OPENED_DAYS = env_int("REMINDER_NOT_OPENED_DAYS", 2)
REMINDER_NOT_FINISHED_DAYS = env_int("REMINDER_NOT_FINISHED_DAYS", 3)
REMINDER_BEFORE_EXPIRY_HOURS = env_int("REMINDER_BEFORE_EXPIRY_HOURS", 24)
REMINDER_MAX_PER_INVITATION = env_int("REMINDER_MAX_PER_INVITATION", 3)
# A course's check-in link is e-mailed this many days before each later session's planned date
# (`manage.py send_checkins`, daily).
CHECKIN_DAYS_BEFORE_SESSION = env_int("CHECKIN_DAYS_BEFORE_SESSION", 2)
CLINIC_QUIET_HOURS_START = env_int("CLINIC_QUIET_HOURS_START", 20)
CLINIC_QUIET_HOURS_END = env_int("CLINIC_QUIET_HOURS_END", 8)
if not (0 <= CLINIC_QUIET_HOURS_START <= 23 and 0 <= CLINIC_QUIET_HOURS_END <= 23):
    raise ImproperlyConfigured("CLINIC_QUIET_HOURS_START and _END are hours, 0 to 23.")
# The portal's public address, for links in e-mails (patients open them from their inbox). In
# production it must be set, over HTTPS, and one of the hosts this server answers to: a link to
# another host (or over plain HTTP) would send patients' tokens somewhere else.
SITE_URL = os.environ.get("SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")
if PRODUCTION:
    if not SITE_URL:
        raise ImproperlyConfigured(
            "Production needs SITE_URL, the address in patients' e-mails, e.g. "
            "'https://consent.example-clinic.com'."
        )
    if not SITE_URL.startswith("https://"):
        raise ImproperlyConfigured("SITE_URL must start with https:// in production.")
    _site_host = urlsplit(SITE_URL).hostname or ""
    if not validate_host(_site_host, ALLOWED_HOSTS):
        raise ImproperlyConfigured(
            f"SITE_URL's host {_site_host} is not in ALLOWED_HOSTS ({', '.join(ALLOWED_HOSTS)})."
        )

# Sessions live in the database so any number of app servers can share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz answers load balancers over plain HTTP inside the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Django's built-in Content-Security-Policy: our own files only, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_link_tokens": {"()": "portal.log_filters.RedactLinkTokens"}},
    # Every handler redacts patients' link tokens, whichever logger wrote the line: paths of 4xx
    # answers (django.request), request lines (django.server) and CSRF failures
    # (django.security.csrf) all carry them, and a logger's own filter does not see what its
    # children pass up to the root's handlers.
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_link_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Admin's looks at unsigned invitations (no record to chain an event to) are an audit
        # trail: kept whatever LOG_LEVEL says.
        "consent.audit": {"level": "INFO"},
        # Also on the loggers, so that a handler added later (a test's, an APM agent's) never
        # sees these records unredacted either.
        "django.request": {"filters": ["redact_link_tokens"]},
        "django.server": {"filters": ["redact_link_tokens"]},
        "django.security.csrf": {"filters": ["redact_link_tokens"]},
        # At DEBUG it logs every failed variable lookup with the whole context: patient data.
        "django.template": {"level": "INFO"},
        # WeasyPrint reports every step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# `load_demo` creates accounts with published passwords: never on a production database.
DEMO_CONTENT_ALLOWED = env_bool("DEMO_CONTENT_ALLOWED", default=not PRODUCTION)

# Staff sign-in (accounts/) ------------------------------------------------------------------------
# Practitioners and clinic admins sign in at /accounts/login/ with a password, then a code from an
# authenticator app (django-otp TOTP) or a backup code (django-otp static tokens). Admin is an
# OTPAdminSite (portal/urls.py): it admits only sessions verified by that second step.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/practice/"  # the practitioner's area
# The time between the password and the code steps before the password must be given again.
STAFF_SIGN_IN_STEP_TIMEOUT = datetime.timedelta(minutes=10)
# Signed-in sessions end after this long without a request, and after this long in all
# (accounts.middleware); the cookie does not outlive the second limit.
STAFF_SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=30)
STAFF_SESSION_MAX_AGE = datetime.timedelta(hours=12)
SESSION_COOKIE_AGE = int(STAFF_SESSION_MAX_AGE.total_seconds())
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = CLINIC_NAME
# After each wrong code a device refuses codes for 1, 2, 4, 8, ... seconds (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Admin never shows an authenticator's secret, its QR code or anyone's backup codes: whoever can
# read them can sign in as that person (a missing device also answered 500 on those pages).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Lockout (django-axes): 5 failures (wrong passwords and wrong codes alike) for one username from
# one address lock that pair for 30 minutes; a successful sign-in clears the count. A superuser
# can unlock early by deleting the "access attempt" in admin.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 403
# Whose address counts: REMOTE_ADDR alone unless the app runs behind proxies of our own, whose
# number TRUSTED_PROXY_COUNT gives (1 by default behind the TLS proxy). X-Forwarded-For entries
# left of those the proxies added are written by the client and never trusted
# (accounts/client_ip.py).
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)
# Where those proxies connect from (CIDRs, e.g. "10.0.0.0/8"): X-Forwarded-For is read only from
# a request whose REMOTE_ADDR is in one of them, so a client that reaches the app directly
# cannot choose its own address. Required whenever TRUSTED_PROXY_COUNT is above 0.
try:
    TRUSTED_PROXY_NETWORKS = [
        ipaddress.ip_network(network) for network in env_list("TRUSTED_PROXY_NETWORKS")
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_NETWORKS: {error}") from None
if TRUSTED_PROXY_COUNT > 0 and not TRUSTED_PROXY_NETWORKS:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT (or BEHIND_TLS_PROXY) needs TRUSTED_PROXY_NETWORKS: the networks "
        "the proxies connect from, e.g. '10.0.0.0/8'."
    )
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip_address"
AXES_VERBOSE = False  # no start-up banner above every management command's output
