"""Loyal's settings: one file, driven by the environment.

With no environment at all the project runs on the embedded default: a SQLite file
and a file-system Celery broker under ``var/``, with development secrets generated
there on first use. Production sets ``DEBUG=0`` and every secret explicitly.
"""

import re
import secrets
import sys
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("LOYAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
# The image builds its static files with the production storage and no secret in any layer
# (Dockerfile): under this flag `manage.py collectstatic` gets throwaway keys held in memory
# only, and every other command, the web server and the worker refuse to start.
LOYAL_STATIC_BUILD = env.bool("LOYAL_STATIC_BUILD", default=False)
if LOYAL_STATIC_BUILD and sys.argv[1:2] != ["collectstatic"]:
    raise ImproperlyConfigured("LOYAL_STATIC_BUILD is for `manage.py collectstatic` at image build alone.")


def _secret(name: str, make) -> str:
    """Read a secret from the environment; in development, keep a generated one in var/."""
    value = env.str(name, default="")
    if value:
        return value
    if LOYAL_STATIC_BUILD:
        return make()
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    path = VAR_DIR / name.lower()
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("SECRET_KEY", lambda: secrets.token_urlsafe(50))
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotate_keys).
LOYAL_ENCRYPTION_KEYS = _secret("LOYAL_ENCRYPTION_KEYS", lambda: Fernet.generate_key().decode()).split(",")
LOYAL_BLIND_INDEX_KEY = _secret("LOYAL_BLIND_INDEX_KEY", lambda: secrets.token_hex(32))

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crm",
    "org",
    "prospects",
    "consent",
    "outreach",
    "webforms",
    "registry",
]

MIDDLEWARE = [
    # First, so that the container's probe by address passes ALLOWED_HOSTS (crm/health.py).
    "crm.health.probe_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Early, so that the answers of the middleware below (a host not allowed, the MFA gate's
    # redirects) carry the clickjacking and CSP headers too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Below SessionMiddleware, so that it runs first on the way out and SessionMiddleware saves.
    "crm.sessions.idle_timeout_middleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.logging.request_context_middleware",
    # Admins and DPOs reach nothing but the MFA pages until a second factor verifies the session.
    "django_otp.middleware.OTPMiddleware",
    "crm.mfa.MFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "org.conduct.ConductMiddleware",
    # Last, so that a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

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
                "org.roles.role_context",
                "crm.mfa.mfa_context",
            ],
        },
    },
]
# Form widgets through Jinja2: Django's template renderer includes one template per <option>,
# and the list page's filter form cost a third of the page (bench --http, list page).
FORM_RENDERER = "django.forms.renderers.Jinja2"

# --- Data -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'loyal.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
else:
    # A connection is kept for this many seconds instead of opened per request (a TCP and
    # authentication round trip each), and checked before reuse. Behind pgbouncer in
    # transaction mode set it to 0 and DATABASE_DISABLE_SERVER_SIDE_CURSORS to on (README).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions (CNIL délib. 2022-100; security guide 2024) -----------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "org.accounts.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Second factor for admins and DPOs (crm/mfa.py): the name authenticator apps show, and the
# wait after wrong codes, which doubles with each one (django-otp's throttling).
OTP_TOTP_ISSUER = "Loyal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGOUT_REDIRECT_URL = "login"

# Sessions end after 30 idle minutes.
SESSION_COOKIE_AGE = 30 * 60
# Not on every request (an UPDATE per page view): crm/sessions.py pushes the expiry forward
# at most once a minute, so the idle timeout holds to within that minute.
SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Lock a username from an address after 5 failures, for 15 minutes.
# A password-reset link works once, for an hour (org/views.py PasswordReset).
PASSWORD_RESET_TIMEOUT = 3600
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# A username from an address, and an address across usernames (password spraying); never a
# username alone, so that no one can lock an admin or the DPO out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "org.clients.client_ip"
# How many proxies in front of gunicorn append to X-Forwarded-For (org/clients.py); 0 reads
# the connection's address.
LOYAL_TRUSTED_PROXY_COUNT = env.int("LOYAL_TRUSTED_PROXY_COUNT", default=0)

# --- Web forms (webforms/) ----------------------------------------------------------------
# Submissions a client address, and a form, may send in one minute before the limit answers.
LOYAL_WEBFORM_RATE_PER_IP = env.int("LOYAL_WEBFORM_RATE_PER_IP", default=10)
LOYAL_WEBFORM_RATE_PER_FORM = env.int("LOYAL_WEBFORM_RATE_PER_FORM", default=120)
# A form sent sooner than this after its page was shown was filled in by a robot.
LOYAL_WEBFORM_MIN_SECONDS = env.float("LOYAL_WEBFORM_MIN_SECONDS", default=3.0)
# Who may frame the /f/ pages (the iframe snippet); every other page keeps 'none'.
LOYAL_WEBFORM_FRAME_ANCESTORS = env.list("LOYAL_WEBFORM_FRAME_ANCESTORS", default=["*"])

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- Languages ---------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date format and one date-and-time format per language, in the organisation's time zone.
FORMAT_MODULE_PATH = ["org.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
# In the code's folder, not LOYAL_VAR_DIR: a volume mounted there outlives the image, and
# would serve the previous release's files and manifest after an upgrade.
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "sent-mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Loyal <no-reply@localhost>")
# The domains whose SPF, DKIM and DMARC the organisation has set up: a campaign's From must be
# in one (outreach/campaigns.py), or receiving servers reject it and the relay could be used
# to spoof. The envelope sender (Return-Path) is the bounce address, never a rep's input.
_DEFAULT_SENDER = parseaddr(DEFAULT_FROM_EMAIL)[1]
LOYAL_SENDING_DOMAINS = [
    domain.strip().lower()
    for domain in env.list("LOYAL_SENDING_DOMAINS", default=[_DEFAULT_SENDER.rpartition("@")[2]])
    if domain.strip()
]
LOYAL_BOUNCE_ADDRESS = env.str("LOYAL_BOUNCE_ADDRESS", default=_DEFAULT_SENDER)

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "crm.mfa.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: a form cannot carry a prospect's nested source, a list or a null, so a form
    # body would be read as something else than what was sent.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "crm.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
}
_SOURCE_TYPES = (
    "business_card", "linkedin_connection", "linkedin_public_profile", "web_form_notice",
    "web_form_consent", "broker", "event", "inbound", "customer_sale", "manual",
)  # fmt: skip


def _camel(value: str) -> str:
    return "".join(part.capitalize() for part in value.split("_"))


SPECTACULAR_SETTINGS = {
    "TITLE": "Loyal API",
    "DESCRIPTION": "Prospects with their provenance, consents, objections, campaigns and the register.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Request bodies as their own components (ProspectRequest…) without the read-only fields an
    # answer has: a generated client then builds a body from what it sends alone
    # (tests/crm/test_generated_client.py).
    "COMPONENT_SPLIT_REQUEST": True,
    # A campaign offers fewer channels than consent knows (no automated calls): two enums.
    "ENUM_NAME_OVERRIDES": {
        "ChannelEnum": "consent.channels.Channel",
        "CampaignChannelEnum": "outreach.models.CampaignChannel",
        "SourceTypeEnum": "prospects.models.SourceType",
        # An interaction's type, and the one a completed next step logs: one enum in the schema.
        "InteractionTypeEnum": "prospects.models.InteractionType",
        # How an objection or a withdrawal reached us, the person's own routes included.
        "ReceivedViaEnum": "consent.models.Route",
        # What a webhook endpoint subscribes to, and what each delivery carries.
        "WebhookEventEnum": "prospects.models.WebhookEventType",
        # Each source type's object names its own type, the discriminator of the source's
        # oneOf (prospects/source_schema.py); a new type unnamed here fails the schema test.
        **{_camel(value) + "TypeEnum": [value] for value in _SOURCE_TYPES},
    },
}

# --- Mailbox ---------------------------------------------------------------------------------
# The IMAP mailbox that receives replies and bounces (outreach/mailbox.py); no host, no job.
LOYAL_MAILBOX = {
    "host": env.str("LOYAL_MAILBOX_HOST", default=""),
    "port": env.int("LOYAL_MAILBOX_PORT", default=993),
    "tls": env.str("LOYAL_MAILBOX_TLS", default="ssl"),
    "user": env.str("LOYAL_MAILBOX_USER", default=""),
    "password": env.str("LOYAL_MAILBOX_PASSWORD", default=""),
    "folder": env.str("LOYAL_MAILBOX_FOLDER", default="INBOX"),
}
# The mailbox's e-mail address, of which each rep's BCC address is a "+" form (org/dropbox.py).
LOYAL_MAILBOX["address"] = env.str(
    "LOYAL_MAILBOX_ADDRESS", default=LOYAL_MAILBOX["user"] if "@" in LOYAL_MAILBOX["user"] else ""
)
if LOYAL_MAILBOX["tls"] not in ("ssl", "starttls", "none"):
    raise ImproperlyConfigured("LOYAL_MAILBOX_TLS must be ssl, starttls or none.")
if LOYAL_MAILBOX["address"] and not re.fullmatch(r"[^@+\s]+@[^@\s]+\.[^@\s]+", LOYAL_MAILBOX["address"]):
    raise ImproperlyConfigured(
        "LOYAL_MAILBOX_ADDRESS must be an e-mail address without a '+' part, e.g. replies@example.com."
    )

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # Embedded broker: messages are files under var/broker, shared by web, worker and beat.
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

# --- Logging ----------------------------------------------------------------------------------
# One JSON object per line (time, level, logger, message, request or task id), or plain text
# for a developer's terminal. Every line passes the redaction filter: no address, phone number,
# secret or signed link reaches a log, whoever wrote it (crm/logging.py).
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "crm.logging.ContextFilter"},
        "redact": {"()": "crm.logging.RedactionFilter"},
    },
    "formatters": {
        "json": {"()": "crm.logging.JsonLinesFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["context", "redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers (a console when DEBUG is on, mail to ADMINS, runserver's
        # own lines) would write past the filters: everything goes through the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # At DEBUG the SQL logger writes every query with its values (names, blind indexes,
        # session keys, token keys): never, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        # At DEBUG imaplib writes the IMAP conversation, messages included: never.
        "imapclient": {"level": "INFO"},
    },
}
# The worker keeps this configuration rather than Celery's own (crm/celery.py: setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Product ------------------------------------------------------------------------------
LOYAL_SITE_URL = env.str("LOYAL_SITE_URL", default="http://127.0.0.1:8000")
# Outreach gate: beyond this many unanswered outbound contacts in the window, REF_FREQUENCY_CAP.
LOYAL_FREQUENCY_CAP = {
    "max_unanswered": env.int("LOYAL_FREQUENCY_CAP_MAX_UNANSWERED", default=3),
    "days": env.int("LOYAL_FREQUENCY_CAP_DAYS", default=90),
}
# Outreach: recipients per send task and per decision chunk, when a queued message counts as
# lost by the broker, how often a failing send is retried, when the Art. 14 job informs (< day 30).
LOYAL_OUTREACH = {
    "chunk_size": env.int("LOYAL_OUTREACH_CHUNK_SIZE", default=200),
    "decision_chunk_size": env.int("LOYAL_OUTREACH_DECISION_CHUNK_SIZE", default=5000),
    "stall_minutes": env.int("LOYAL_OUTREACH_STALL_MINUTES", default=10),
    "max_attempts": env.int("LOYAL_OUTREACH_MAX_ATTEMPTS", default=5),
    # The campaign's undo window: nothing leaves before it ends (outreach/sending.py).
    "undo_seconds": env.int("LOYAL_SEND_UNDO_SECONDS", default=60),
    "art14_notice_after_days": env.int("LOYAL_ART14_NOTICE_AFTER_DAYS", default=21),
}
# Retention (docs/rules.md §2.1): the purge and the register read the same values.
LOYAL_RETENTION = {
    "prospect_years": env.int("LOYAL_RETENTION_PROSPECT_YEARS", default=3),
    "customer_years": env.int("LOYAL_RETENTION_CUSTOMER_YEARS", default=3),
    "grace_days": env.int("LOYAL_RETENTION_GRACE_DAYS", default=30),
    "suppression_years": env.int("LOYAL_RETENTION_SUPPRESSION_YEARS", default=3),
    "access_log_months": env.int("LOYAL_RETENTION_ACCESS_LOG_MONTHS", default=12),
    # INTERP (docs/rules.md §2.2): a LinkedIn connection acceptance is a passive platform action.
    "connection_acceptance_resets": env.bool("LOYAL_CONNECTION_ACCEPTANCE_RESETS", default=False),
}
# Webhooks (prospects/webhooks.py): the first retry's wait in seconds (doubling after each
# failure), when a delivery and a failing endpoint are given up, and each request's timeout.
LOYAL_WEBHOOKS = {
    "retry_seconds": env.int("LOYAL_WEBHOOK_RETRY_SECONDS", default=60),
    "give_up_hours": env.int("LOYAL_WEBHOOK_GIVE_UP_HOURS", default=24),
    "timeout_seconds": env.int("LOYAL_WEBHOOK_TIMEOUT_SECONDS", default=10),
}
# An import silent this long lost its task: the beat job sends it again (prospects.tasks).
LOYAL_IMPORT_STALL_MINUTES = env.int("LOYAL_IMPORT_STALL_MINUTES", default=15)
# The most rows one export of the prospect list holds (prospects/list_export.py).
LOYAL_LIST_EXPORT_MAX_ROWS = env.int("LOYAL_LIST_EXPORT_MAX_ROWS", default=50_000)
# Import files (prospects/import_files.py): an upload larger than max_bytes is refused before
# any byte is written; a worker reads the file and refuses one beyond the other caps, each
# named in its message. Files and staged rows of imports never mapped, failed or abandoned
# are deleted after cleanup_hours (prospects/import_cleanup.py, docs/rules.md §2.1).
LOYAL_IMPORT = {
    "max_bytes": env.int("LOYAL_IMPORT_MAX_BYTES", default=50 * 1024 * 1024),
    "max_columns": env.int("LOYAL_IMPORT_MAX_COLUMNS", default=200),
    "max_row_chars": env.int("LOYAL_IMPORT_MAX_ROW_CHARS", default=20_000),
    "max_xlsx_bytes": env.int("LOYAL_IMPORT_MAX_XLSX_BYTES", default=200 * 1024 * 1024),
    "max_shared_strings": env.int("LOYAL_IMPORT_MAX_SHARED_STRINGS", default=1_000_000),
    "max_cards": env.int("LOYAL_IMPORT_MAX_CARDS", default=10_000),
    "max_card_chars": env.int("LOYAL_IMPORT_MAX_CARD_CHARS", default=1_000_000),
    "cleanup_hours": env.int("LOYAL_IMPORT_CLEANUP_HOURS", default=24),
}
LOYAL_PHONE_REGION = env.str("LOYAL_PHONE_REGION", default="FR")
# The controller in the Art. 30 register and the privacy notice (GDPR 30(1)(a), 13, 14);
# defaults until an administrator saves the organisation page (org.models.Organisation).
LOYAL_CONTROLLER = {
    "name": env.str("LOYAL_CONTROLLER_NAME", default="Loyal SAS"),
    "address": env.str("LOYAL_CONTROLLER_ADDRESS", default="1 rue de l'Exemple, 75001 Paris, France"),
    "email": env.str("LOYAL_CONTROLLER_EMAIL", default="privacy@loyal.example"),
    "legal_representative": env.str("LOYAL_CONTROLLER_REPRESENTATIVE", default="The chief executive officer"),
    "eu_representative": env.str("LOYAL_CONTROLLER_EU_REPRESENTATIVE", default=""),
    "dpo_name": env.str("LOYAL_DPO_NAME", default="The data protection officer"),
    "dpo_email": env.str("LOYAL_DPO_EMAIL", default="dpo@loyal.example"),
    "dpo_address": env.str("LOYAL_DPO_ADDRESS", default=""),
    # Transfers made by no processor below; those of the processors are derived from their country.
    "transfers": env.str("LOYAL_TRANSFERS", default=""),
}
# The processors (org.models.Processor fields) until an administrator saves the organisation page:
# none, so that no campaign starts before the actual hosting and emailing providers are named.
LOYAL_PROCESSORS: list[dict] = []
