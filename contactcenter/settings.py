"""Settings for the contact center.

One ``environ.Env()``. With nothing set the project runs embedded (SQLite in
``var/``, the in-memory channel layer, in-process tasks, DEBUG on). Production
values come from the environment only: with ``DJANGO_DEBUG=0`` the secret key,
the allowed hosts and the master encryption key have no default.
"""

import hashlib
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    # Development only: secrets that are stable across restarts of this
    # checkout but never committed (var/ is git-ignored).
    from contactcenter.devsecrets import dev_secret

    SECRET_KEY = env.str("SECRET_KEY", default="") or dev_secret(VAR_DIR, "SECRET_KEY", nbytes=50)
    FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="") or dev_secret(
        VAR_DIR, "FIELD_ENCRYPTION_KEY", nbytes=32
    )
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    # No defaults. Left empty, the system check contactcenter.E001 fails
    # every management command but generate_master_key, and the ASGI/WSGI
    # entry points refuse to start (contactcenter.checks).
    SECRET_KEY = env.str("SECRET_KEY", default="")
    FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# Older master keys, comma-separated, newest first: they only unwrap, while `manage.py rotate_master_key`
# re-wraps everything under FIELD_ENCRYPTION_KEY (README, "Rotating the master key"); removed afterwards.
FIELD_ENCRYPTION_KEYS_PREVIOUS = env.list("FIELD_ENCRYPTION_KEYS_PREVIOUS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "contactcenter.apps.ContactCenterAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "simple_history",
    "django_tasks_db",
    "contactcenter.apps.ContactCenterConfig",
    "consent.apps.ConsentConfig",
    "conversations.apps.ConversationsConfig",
    "retention.apps.RetentionConfig",
]
# The fake Graph API, play_customer, seed_demo and the demo shop page (devtools/): development only. In production
# nobody may post a signed webhook in a customer's name (a forged STOP or YES would enter the consent ledger as the
# customer's own evidence), so the app, its commands and its pages exist only with DEBUG or DEVTOOLS=1.
DEVTOOLS = env.bool("DEVTOOLS", default=DEBUG)
if DEVTOOLS:
    INSTALLED_APPS.append("devtools.apps.DevtoolsConfig")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (SECURE_CSP below).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in agent's chosen language (the inbox profile) over the browser's.
    "conversations.languages.AgentLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "contactcenter.urls"
ASGI_APPLICATION = "contactcenter.asgi.application"
WSGI_APPLICATION = "contactcenter.wsgi.application"

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
                # {{ csp_nonce }} for the pages' own <style> blocks (SECURE_CSP).
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request may run in a different thread: persistent
    # connections would leak, so connections come from psycopg's pool instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves HTTP and WebSockets from several threads: writers wait their
    # turn (IMMEDIATE transactions, a busy timeout, WAL) instead of failing with "locked". Tests
    # use a file too (an in-memory shared cache refuses concurrent writers outright).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # secure_delete: what an erasure deletes is overwritten in the file, not left in free pages.
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON;",
        }
    )
    # Beside the database it tests (var/db.test.sqlite3 by default): runs against different databases
    # (DATABASE_URL=sqlite:////tmp/other.sqlite3) do not share one test file.
    _name = str(DATABASES["default"].get("NAME") or "")
    _test = f"{_name.removesuffix('.sqlite3')}.test.sqlite3" if _name and _name != ":memory:" else ""
    DATABASES["default"]["TEST"] = {"NAME": _test or str(VAR_DIR / "test.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer and tasks --------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="cc"),
                # Frames carry message text to agents' sockets: encrypted in transit through Redis.
                # The first key encrypts; during a master-key rotation the previous ones still decrypt.
                "symmetric_encryption_keys": [
                    hashlib.sha256(b"channel-layer:" + key.encode()).hexdigest()
                    for key in [FIELD_ENCRYPTION_KEY, *FIELD_ENCRYPTION_KEYS_PREVIOUS]
                ],
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache holds the per-address limits' counters (conversations.services.webchat_limits, the web chat's
# per-visitor rate): in Redis they are shared by every server process, and cache.add/incr are atomic there.
# Without Redis each process counts on its own (fine for one process in development).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cc"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django.tasks.backends.immediate.ImmediateBackend")}}

# --- E-mail ------------------------------------------------------------------------
# One-time codes, notices about subject requests, the DPOs' reminders. EMAIL_URL in django-environ's form:
# smtp+tls://user:password@mail.example:587 (STARTTLS), smtp+ssl://…:465, smtp://localhost:25 (a local relay).
# Unset with DEBUG on: each message is a file under var/mail/ (read the code there); with DEBUG off it must be
# set: the server refuses to start without it (contactcenter.checks).
EMAIL_URL = env.str("EMAIL_URL", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _mailer(url: str) -> dict:
    """Django's MAILERS entry for ``url`` (only the options its backend takes)."""
    if not url:
        return {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(VAR_DIR / "mail")}}  # fmt: skip
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if backend.endswith(".smtp.EmailBackend"):
        options = {"host": config["EMAIL_HOST"], "port": config["EMAIL_PORT"], "username": config["EMAIL_HOST_USER"],
                   "password": config["EMAIL_HOST_PASSWORD"], "use_tls": bool(config.get("EMAIL_USE_TLS")),
                   "use_ssl": bool(config.get("EMAIL_USE_SSL")), "timeout": 20}  # fmt: skip
    elif backend.endswith(".filebased.EmailBackend"):
        options = {"file_path": "/" + config["EMAIL_FILE_PATH"].lstrip("/")}
    else:
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(EMAIL_URL)} if EMAIL_URL or DEBUG else {}

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- I18N -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("nl", "Nederlands"),
    ("it", "Italiano"),
    ("pt-br", "Português (Brasil)"),
]
# Our translation catalogues (make messages / compilemessages); Django's and DRF's ship their own.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------
STATIC_URL = "static/"
# Static files (the admin's, the inbox's and the widget's) are served by the ASGI app itself
# (``contactcenter.asgi``); a reverse proxy may serve ``collectstatic``'s output from here instead.
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "static")
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# --- REST API -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: unauthenticated callers get 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "consent.api_pagination.OffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "consent.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Contact Center API",
    "DESCRIPTION": "Consent ledger, conversations and subject rights of a GDPR/LGPD-compliant contact center.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from our own static files: no CDN learns who reads our API docs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Distinct names for the choice sets that share a field name (a conversation's and a message's status).
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "conversations.models.ConversationStatus",
        "MessageStatusEnum": "conversations.models.MessageStatus",
        "PresenceStatusEnum": "conversations.models.PresenceStatus",
        "ConsentStatusEnum": "consent.models.ConsentStatus",
    },
}

# --- Channels: WhatsApp Cloud API and web chat ------------------------------------------
# Graph API base; the embedded default talks to the local fake (manage.py fake_graph_api).
WHATSAPP_API_BASE = env.str(
    "WHATSAPP_API_BASE", default="http://127.0.0.1:8099" if DEBUG else "https://graph.facebook.com/v23.0"
)
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="106540352242922" if DEBUG else "")
WHATSAPP_ACCESS_TOKEN = env.str("WHATSAPP_ACCESS_TOKEN", default="dev-access-token" if DEBUG else "")
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="dev-app-secret" if DEBUG else "")
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="dev-verify-token" if DEBUG else "")
WHATSAPP_TIMEOUT_SECONDS = env.float("WHATSAPP_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_MAX_BYTES = 3 * 1024 * 1024
# Threads per server process storing webhooks (each holds a pooled connection while it works);
# 0 stores them on Django's single sync thread.
WEBHOOK_DB_THREADS = env.int("WEBHOOK_DB_THREADS", default=4)
# Group commit: webhooks arriving while a transaction runs are stored together in the next one.
# Lanes are the transactions a server process runs at once (at most WEBHOOK_DB_THREADS are used);
# a group holds at most WEBHOOK_GROUP_MAX messages and statuses.
WEBHOOK_COMMIT_LANES = env.int("WEBHOOK_COMMIT_LANES", default=1)
WEBHOOK_GROUP_MAX = env.int("WEBHOOK_GROUP_MAX", default=200)
# Origins of the company's websites that embed the web-chat widget (scheme://host[:port]), beside our own hosts.
WEBCHAT_ALLOWED_ORIGINS = env.list("WEBCHAT_ALLOWED_ORIGINS", default=[])
# Where customers exercise their data-protection rights; empty: our self-service page, PUBLIC_BASE_URL + /privacy/
# (consent.public_links.subject_rights_url). A company that takes requests elsewhere (its own form, a mailto: to the
# DPO) sets it.
SUBJECT_RIGHTS_URL = env.str("SUBJECT_RIGHTS_URL", default="")
# The sensitive-data guard (conversations.services.sensitive, with the detectors of sensitive/). Scanning off
# exists for benchmarks only.
SENSITIVE_SCAN_ENABLED = env.bool("SENSITIVE_SCAN_ENABLED", default=True)
# The inbox search's token index (conversations.search): off only to measure what it costs (bench/inbox.py).
SEARCH_INDEX_ENABLED = env.bool("SEARCH_INDEX_ENABLED", default=True)
# Agents' drafts asking for card numbers, IBANs, ids or health details: warn (default) or block.
SENSITIVE_DRAFT_BLOCK = env.bool("SENSITIVE_DRAFT_BLOCK", default=False)
# Where customers should send such data instead (a link, or words), told them in their language.
SENSITIVE_SECURE_CHANNEL = env.str("SENSITIVE_SECURE_CHANNEL", default="")
# Seconds a DPO's watch pattern (a regular expression) may run on one message before it is skipped for it.
WATCH_PATTERN_TIMEOUT = env.float("WATCH_PATTERN_TIMEOUT", default=0.02)
# Approved message templates (as approved in Meta's WhatsApp Manager). ``purpose`` ties a
# template to the consent it needs; marketing templates need a purpose with consent granted.
WHATSAPP_TEMPLATES = env.json(
    "WHATSAPP_TEMPLATES",
    default={
        "conversation_followup": {
            "category": "UTILITY",
            "purpose": "customer-service",
            "languages": ["en", "de", "nl", "it", "pt_BR"],
            "preview": {
                "en": "Hello, we have an update on your request: {0}",
                "de": "Hallo, es gibt Neuigkeiten zu Ihrer Anfrage: {0}",
                "nl": "Hallo, er is nieuws over uw vraag: {0}",
                "it": "Salve, ci sono novità sulla sua richiesta: {0}",
                "pt_BR": "Olá, temos novidades sobre a sua solicitação: {0}",
            },
        },
        "weekly_offers": {
            "category": "MARKETING",
            "purpose": "marketing-whatsapp",
            "languages": ["en", "de", "nl", "it", "pt_BR"],
            "preview": {lang: "This week's offers: {0}" for lang in ["en", "de", "nl", "it", "pt_BR"]},
        },
        # Notices about a customer's data request (an extension, a rejection, the answer) to a customer we reach
        # on WhatsApp alone, once their 24-hour window has closed (retention.services.request_notices): the
        # reference and the notice in their language. A legal obligation (GDPR Art. 12(3), LGPD Art. 19), so no
        # purpose; only the system sends it, never from the inbox's picker.
        "data_request_update": {
            "category": "UTILITY",
            "system_only": True,
            "languages": ["en", "de", "nl", "it", "pt_BR"],
            "preview": {
                "en": "Update on your data request {0}: {1}",
                "de": "Neuigkeiten zu Ihrer Datenanfrage {0}: {1}",
                "nl": "Nieuws over uw gegevensverzoek {0}: {1}",
                "it": "Aggiornamento sulla sua richiesta sui dati personali {0}: {1}",
                "pt_BR": "Novidades sobre a sua solicitação de dados pessoais {0}: {1}",
            },
        },
        # Meta's authentication category: a preset text with the code as its one parameter, a copy-code button
        # (created as "otp"/"copy_code", sent as a "url" button carrying the code), the security recommendation
        # and an expiry footer, as approved. Only the system sends it (conversations.services.message_send_code):
        # the one-time codes of the self-service page, which expire after 10 minutes.
        "verification_code": {
            "category": "AUTHENTICATION",
            "languages": ["en", "de", "nl", "it", "pt_BR"],
            "button": "copy_code",
            "add_security_recommendation": True,
            "code_expiration_minutes": 10,
            "preview": {
                "en": "{0} is your verification code. For your security, do not share this code. "
                "This code expires in 10 minutes.",
                "de": "{0} ist dein Bestätigungscode. Teile diesen Code zu deiner Sicherheit mit niemandem. "
                "Dieser Code läuft in 10 Minuten ab.",
                "nl": "{0} is je verificatiecode. Deel deze code voor je veiligheid niet. "
                "Deze code verloopt over 10 minuten.",
                "it": "{0} è il tuo codice di verifica. Per la tua sicurezza, non condividere questo codice. "
                "Questo codice scade tra 10 minuti.",
                "pt_BR": "{0} é seu código de verificação. Para sua segurança, não o compartilhe. "
                "Este código expira em 10 minutos.",
            },
        },
    },
)
CONVERSATION_SENDERS = {
    "whatsapp": "conversations.providers.whatsapp.client.WhatsAppSender",
    "webchat": "conversations.providers.webchat.WebchatSender",
}
OUTBOUND_MAX_ATTEMPTS = env.int("OUTBOUND_MAX_ATTEMPTS", default=5)
OUTBOUND_BACKOFF_SECONDS = env.float("OUTBOUND_BACKOFF_SECONDS", default=0.5)
OUTBOUND_BACKOFF_MAX_SECONDS = env.float("OUTBOUND_BACKOFF_MAX_SECONDS", default=30.0)
# The purpose a web-chat visitor consents to with the widget's checkbox.
WEBCHAT_CONSENT_PURPOSE = env.str("WEBCHAT_CONSENT_PURPOSE", default="webchat-service")
# What one source address (an IPv6 /64; consent.network, behind TRUSTED_PROXIES) may do in the web chat: open
# sockets at once, new visitors (fresh identities) and new conversations within an hour. Beyond them the socket
# is closed with 4429 before anything is stored, so a script cannot fill the agents' queue.
WEBCHAT_SOCKETS_PER_ADDRESS = env.int("WEBCHAT_SOCKETS_PER_ADDRESS", default=20)
WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR = env.int("WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR", default=20)
WEBCHAT_CONVERSATIONS_PER_ADDRESS_PER_HOUR = env.int("WEBCHAT_CONVERSATIONS_PER_ADDRESS_PER_HOUR", default=10)
# One-time codes the self-service page sends per source address (an IPv6 /64) within an hour, for whichever
# identifiers (retention.services.verification; each identifier gets at most 3).
PRIVACY_CODES_PER_ADDRESS_PER_HOUR = env.int("PRIVACY_CODES_PER_ADDRESS_PER_HOUR", default=10)

MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=VAR_DIR / "media")

# --- Privacy and security -------------------------------------------------------------
# Jurisdiction for subjects whose country we cannot tell (web chat, e-mail) or
# whose country is under neither regime.
DEFAULT_JURISDICTION = env.str("DEFAULT_JURISDICTION", default="GDPR")
# The controller's time zone (IANA name): its calendar days are the days legal deadlines count where the
# jurisdiction leaves the clock to the controller (GDPR; the LGPD's is Brasília time). consent.deadlines.
CONTROLLER_TIME_ZONE = env.str("CONTROLLER_TIME_ZONE", default="Europe/Berlin")
# How long a double opt-in request may be confirmed.
CONSENT_CONFIRMATION_HOURS = env.int("CONSENT_CONFIRMATION_HOURS", default=72)
# Where customers reach us: every absolute link we send or print (privacy notice, double opt-in, request status,
# the self-service page, the contact snippet, seed_demo's sign-in hint) starts here (consent.public_links).
# `make run` sets it from HOST and PORT. Checked now: scheme and host, no query or fragment, no trailing slash.
# With DEBUG off it has no default (check --deploy wants the public HTTPS address: contactcenter.E005).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="") or ("http://127.0.0.1:8000" if DEBUG else "")
if PUBLIC_BASE_URL:
    from django.core.exceptions import ImproperlyConfigured

    from consent.public_links import PublicBaseUrlInvalid, base_url_normalise

    try:
        PUBLIC_BASE_URL = base_url_normalise(PUBLIC_BASE_URL)
    except PublicBaseUrlInvalid as error:
        raise ImproperlyConfigured(str(error)) from None
# The page of the notice version a consent message carries a link to ({notice_id}), under PUBLIC_BASE_URL;
# contactcenter.urls serves this path.
PRIVACY_NOTICE_PATH = "/privacy/notices/{notice_id}/"
# The erasure journal (retention.journal): outside the database, on storage its backups do not cover, so that a
# restored backup can be re-erased (manage.py erasures_reapply). Embedded default: var/, beside the SQLite
# database. With DEBUG off there is no default: `check --deploy` requires an absolute path outside the database's
# directory (retention.checks), and an erasure refuses to run without one.
ERASURE_JOURNAL_PATH = env.str("ERASURE_JOURNAL_PATH", default=str(VAR_DIR / "erasure-journal.jsonl") if DEBUG else "")

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and not SECURE_SSL_REDIRECT:
    # The operator declared that TLS ends at a proxy that redirects itself.
    SILENCED_SYSTEM_CHECKS.append("security.W008")
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated: "127.0.0.1,10.0.0.0/8"):
# per-address limits then count the client's address, not the proxy's (consent.network). Empty: the header is
# ignored, which is right when nothing stands in front of the server.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("DJANGO_HSTS_SECONDS", default=31536000)
# Every subdomain must serve HTTPS too; 0 where a sibling host (an intranet name) still speaks plain HTTP.
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG and env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a commitment browsers keep for months after it is withdrawn: the operator opts in.
SECURE_HSTS_PRELOAD = not DEBUG and env.bool("DJANGO_HSTS_PRELOAD", default=False)
if not DEBUG and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Load balancers probe over plain HTTP: a redirect would count as a failed check.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own scripts run (no inline code, no event-handler attributes); the one inline <style> a page may carry
# bears the request's nonce ({{ csp_nonce }}). 'self' covers ws:/wss: to this host in current browsers (CSP level 3),
# so the inbox's and the widget's sockets need no scheme source. Embedders load widget.js as a static file: this
# header governs our pages, not theirs. data: images are the admin's and Swagger UI's inline icons.
STATEMENT_STYLE_HASH = "'sha256-EJy6hOMogAo/CrJGOXlv1RzN1HTMXAhjWBDF4ZegH0o='"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # The published privacy statements are stored documents with their own print stylesheet, rendered without a
    # request (no nonce): that one stylesheet by its hash (contactcenter/tests/test_security_headers.py recomputes it
    # from templates/privacy/statement.html).
    "style-src": [CSP.SELF, CSP.NONCE, STATEMENT_STYLE_HASH],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024

# --- Logging: internal ids only, never personal data (DESIGN decision 6) ---------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "contactcenter.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default configuration gives "django" the INFO level (so every task run was logged whatever
        # LOG_LEVEL says) and a handler that e-mails unredacted tracebacks to ADMINS: one level, one redacting
        # handler (the root's) for Django's loggers too.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Django's request logger puts the full request (query string, POST
        # body on some errors) into the record: keep only status-level lines.
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The ASGI server's access log prints query strings (an admin search
        # by phone number): route it through the same redacting handler. LOG_LEVEL=WARNING turns it off.
        "uvicorn.access": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "uvicorn.error": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
