"""Settings, read from environment variables with safe defaults (see README: Configuration)."""

import logging
from pathlib import Path

import environ
from celery.schedules import crontab

from config.errors import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent
logger = logging.getLogger("config")

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required_in_production(name: str, dev_default: str) -> str:
    """Secrets have no production default: fail fast, naming the variable."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ConfigurationError(f"{name} is not set (required when DJANGO_DEBUG is off)")


SECRET_KEY = _required_in_production("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ConfigurationError("DJANGO_ALLOWED_HOSTS is not set (required when DJANGO_DEBUG is off)")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="The Independent Ledger")
ORGANISATION_DETAILS = env.str(
    "ORGANISATION_DETAILS",
    default="The Independent Ledger Foundation, 1 Press Street, Kyiv. Registered charity 000000.",
)
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI's assets for /api/v1/docs from our static files, not a CDN
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "payments",
    "membership",
    "checkout",
    "portal",
    "reporting",
    "engagement",
    "newsletters",
]

MIDDLEWARE = [
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.csp.SitePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "engagement.middleware.ExactVaryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "membership.middleware.MemberTokenCookieMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "config.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in the project for zero set-up.
try:
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
except (ValueError, KeyError, TypeError) as exc:  # what django-environ raises for a malformed URL
    raise ConfigurationError(f"DATABASE_URL is not a valid database URL ({exc})") from None
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's SQLite under concurrent writers (runserver's threads, webhooks arriving while a page
    # writes): WAL lets reads go on during a write, IMMEDIATE takes the write lock when a transaction
    # starts (a deferred one that reads first fails at once with "database is locked" instead of
    # waiting), and a writer waits up to 20 s for the lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions read from the cache (written through to the database): a signed-in request costs one
# query (the user), which the membership check on every article view needs (docs/membership-check.md).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# django-allauth: email is the login, verification is mandatory, login by code is offered.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_LOGOUT_ON_GET = False
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes. Staff must set
# it up before any other page when STAFF_MFA_REQUIRED, which is on in production (accounts/middleware.py).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_TOTP_TOLERANCE = 1  # a code from the 30 seconds before or after: phones whose clocks drift a little
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=not DEBUG)

LANGUAGE_CODE = "en"
# Content-Security-Policy (config/csp.py adds Stripe's origins): nothing inline, nothing from elsewhere,
# no framing unless CSP_FRAME_ANCESTORS names who may (e.g. the news site's origin).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": env.list("CSP_FRAME_ANCESTORS", default=["'none'"]),
    },
}
LANGUAGES = [("en", "English"), ("uk", "Українська")]
# The language a reader chose in the header's switcher, remembered for a year (then the browser's).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes and whitenoise serves from in production (tests point it at a temporary folder).
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Uploads (campaign images), served by engagement's own view; in production a shared volume or S3.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"

# Email: the demo writes every message to files in var/outbox/ (README says where).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "outbox")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@example.org")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# A worker that took an email and has not sent it after this long died: another takes it over.
EMAIL_CLAIM_TIMEOUT_SECONDS = env.int("EMAIL_CLAIM_TIMEOUT_SECONDS", default=600)

# Cache: Redis when configured (shared rate limits across processes), else local memory.
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="")
CACHES = {
    "default": {
        "BACKEND": "config.cache.ReusingRedisCache",
        "LOCATION": REDIS_CACHE_URL,
    }
    if REDIS_CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery: with no broker configured, tasks run in-process (eagerly) and the log says so.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# visibility_timeout: a message a worker took and never acknowledged (the worker died) goes back to the
# queue after this long; the sweep recovers the events sooner (WEBHOOK_CLAIM_TIMEOUT_SECONDS).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": 900,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE: dict = {
    # Stored but unprocessed events (broker down at delivery, lost task): picked up within a minute.
    "webhooks-sweep": {
        "task": "payments.tasks.sweep_unprocessed_webhook_events",
        "schedule": env.float("WEBHOOK_SWEEP_EVERY_SECONDS", default=30.0),
    },
    # Nightly: list Stripe's events and payments of the last days, repair what is missing, report.
    "stripe-reconcile": {
        "task": "payments.tasks.reconcile_stripe_nightly",
        "schedule": crontab(hour=3, minute=17),
    },
    # Membership reminders and the end of grace periods; each job is safe to run twice or late.
    "membership-dunning": {
        "task": "membership.tasks.run_membership_dunning",
        "schedule": env.float("MEMBERSHIP_DUNNING_EVERY_SECONDS", default=3600.0),
    },
    # Banner events buffered in Redis, counted every few seconds (idempotent by batch id).
    "banner-events-flush": {
        "task": "engagement.tasks.flush_banner_events",
        "schedule": env.float("BANNER_EVENTS_FLUSH_EVERY_SECONDS", default=5.0),
    },
    # The figures banner texts quote ({reader_share_last_year}, {members}).
    "banner-live-figures": {
        "task": "engagement.tasks.refresh_live_figures",
        "schedule": crontab(minute=5),
    },
    # Bandit experiments: new weights from the counts.
    "banner-bandit-weights": {
        "task": "engagement.tasks.update_bandit_weights",
        "schedule": env.float("BANNER_BANDIT_EVERY_SECONDS", default=3600.0),
    },
    # Newsletter webhooks whose task was lost (broker down at the time): sent again, once.
    "newsletter-webhooks-sweep": {
        "task": "newsletters.tasks.deliver_pending_signup_webhooks",
        "schedule": env.float("NEWSLETTER_WEBHOOK_SWEEP_EVERY_SECONDS", default=600.0),
    },
}

# Memberships: the product every platform subscription is on (with its metadata mark, how the
# platform tells its subscriptions from other products' on a shared Stripe account), the grace
# period after a failed renewal, and how long after a one-off gift a reader counts as a recent supporter.
MEMBERSHIP_STRIPE_PRODUCT_ID = env.str("MEMBERSHIP_STRIPE_PRODUCT_ID", default="prod_membership")
MEMBERSHIP_GRACE_DAYS = env.int("MEMBERSHIP_GRACE_DAYS", default=14)
MEMBERSHIP_GRACE_REMINDER_DAYS = env.int("MEMBERSHIP_GRACE_REMINDER_DAYS", default=3)
MEMBERSHIP_CARD_EXPIRY_NOTICE_DAYS = env.int("MEMBERSHIP_CARD_EXPIRY_NOTICE_DAYS", default=30)
MEMBERSHIP_RENEWAL_NOTICE_DAYS = env.int("MEMBERSHIP_RENEWAL_NOTICE_DAYS", default=14)
SUPPORTER_QUIET_DAYS = env.int("SUPPORTER_QUIET_DAYS", default=90)

# Newsletter sign-ups (docs/newsletters.md): double opt-in links, rate limits, the mailing tool's webhook.
NEWSLETTER_CONFIRM_MAX_AGE_DAYS = env.int("NEWSLETTER_CONFIRM_MAX_AGE_DAYS", default=7)
NEWSLETTER_SIGNUP_IP_RATE = env.str("NEWSLETTER_SIGNUP_IP_RATE", default="20/h")
NEWSLETTER_SIGNUP_EMAIL_RATE = env.str("NEWSLETTER_SIGNUP_EMAIL_RATE", default="3/h")
NEWSLETTER_WEBHOOK_URL = env.str("NEWSLETTER_WEBHOOK_URL", default="")
NEWSLETTER_WEBHOOK_SECRET = env.str("NEWSLETTER_WEBHOOK_SECRET", default="")
NEWSLETTER_WEBHOOK_TIMEOUT_SECONDS = env.float("NEWSLETTER_WEBHOOK_TIMEOUT_SECONDS", default=10.0)

# Reports: figures are summed in one currency (converted with Stripe's settlement amounts, else the
# exchange-rate table) and days are the newsroom's days, whatever time zone the servers run in.
REPORTING_CURRENCY = env.str("REPORTING_CURRENCY", default="USD").upper()
REPORTING_TIME_ZONE = env.str("REPORTING_TIME_ZONE", default="UTC")

# Stripe: one gateway (the payments/gateway/ package) reads these.
STRIPE_API_VERSION = "2026-10-28.endive"  # the only place the API version is pinned
STRIPE_SECRET_KEY = _required_in_production("STRIPE_SECRET_KEY", "sk_test_demo_offline")
STRIPE_PUBLISHABLE_KEY = _required_in_production("STRIPE_PUBLISHABLE_KEY", "pk_test_demo_offline")
STRIPE_WEBHOOK_SECRET = _required_in_production("STRIPE_WEBHOOK_SECRET", "whsec_demo_offline")
# Real money only where it belongs: a live key with DJANGO_DEBUG on would show real payments in debug
# pages; a test key with it off would take no money from anyone, unless this site says it is staging.
STAGING_SITE = env.bool("STAGING_SITE", default=False)
if DEBUG and STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_")):
    raise ConfigurationError(
        "STRIPE_SECRET_KEY is a live key (sk_live_) while DJANGO_DEBUG is on: refusing to start"
    )
if not DEBUG and not STAGING_SITE and STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_")):
    raise ConfigurationError(
        "STRIPE_SECRET_KEY is a test key (sk_test_) in production: use a live key, or set STAGING_SITE=true"
    )
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="") or None  # unset: real Stripe
STRIPE_JS_URL = env.str(
    "STRIPE_JS_URL",
    default=f"{STRIPE_API_BASE}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)
# The demo's stand-in for the Stripe.js calls localstripe lacks (checkout/offline_stripe.py): on by default
# only for a debugging site on an offline Stripe, and never without STRIPE_API_BASE (real Stripe).
STRIPE_OFFLINE_SHIM = bool(STRIPE_API_BASE) and env.bool("STRIPE_OFFLINE_SHIM", default=DEBUG)
# Time to wait for Stripe (payments/gateway/connection.py). Each call: connect, then read, per attempt,
# with up to STRIPE_MAX_NETWORK_RETRIES retries (background work: webhooks, reconciliation, import).
# A reader's request (checkout, upgrade, refresh) waits at most STRIPE_READER_BUDGET_SECONDS for Stripe
# in all its calls together: each call's timeouts shrink to what is left, no retry starts that would not
# fit. /healthz asks once, with STRIPE_HEALTH_TIMEOUT_SECONDS for connect and for read, never retried.
STRIPE_CONNECT_TIMEOUT_SECONDS = env.float("STRIPE_CONNECT_TIMEOUT_SECONDS", default=2.0)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_READER_BUDGET_SECONDS = env.float("STRIPE_READER_BUDGET_SECONDS", default=8.0)
STRIPE_HEALTH_TIMEOUT_SECONDS = env.float("STRIPE_HEALTH_TIMEOUT_SECONDS", default=2.0)
STRIPE_WEBHOOK_MAX_BYTES = env.int("STRIPE_WEBHOOK_MAX_BYTES", default=1024 * 1024)
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env.int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", default=300)
# Events stored but not processed after this long are picked up by the periodic sweep.
WEBHOOK_SWEEP_AFTER_SECONDS = env.int("WEBHOOK_SWEEP_AFTER_SECONDS", default=10)
# A worker's claim on an event older than this belonged to a worker that died: the sweep takes it over.
# (A task redelivered after its worker was lost takes its own claim over at once.)
WEBHOOK_CLAIM_TIMEOUT_SECONDS = env.int("WEBHOOK_CLAIM_TIMEOUT_SECONDS", default=120)
WEBHOOK_MAX_RETRIES = env.int("WEBHOOK_MAX_RETRIES", default=6)
# Retries of a failed attempt: 5 s, 10 s, 20 s ... capped at 300 s (a payment not known yet waits for
# its grace period instead). After the last one, a failure time can cure (Stripe or the database
# unreachable) is tried again by the sweep every 30 minutes for 3 days; others wait for staff.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=5)
WEBHOOK_RETRY_MAX_SECONDS = env.int("WEBHOOK_RETRY_MAX_SECONDS", default=300)
WEBHOOK_FAILED_RETRY_SECONDS = env.int("WEBHOOK_FAILED_RETRY_SECONDS", default=1800)
WEBHOOK_FAILED_RETRY_DAYS = env.int("WEBHOOK_FAILED_RETRY_DAYS", default=3)
# With a broker, the webhook view hands event ids to a per-process publisher that sends one task per
# batch (payments/webhooks/publisher.py); off (or with no broker) it publishes one task per event.
WEBHOOK_BATCH_PUBLISH = env.bool("WEBHOOK_BATCH_PUBLISH", default=True)
WEBHOOK_PUBLISH_BATCH_SECONDS = env.float("WEBHOOK_PUBLISH_BATCH_SECONDS", default=0.2)
WEBHOOK_PUBLISH_BATCH_SIZE = env.int("WEBHOOK_PUBLISH_BATCH_SIZE", default=500)
# A payment for an object we never saw is recorded from Stripe's data once it is this old (before
# that, checkout may simply not have committed its own row yet; the event is retried).
STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = env.int("STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS", default=120)
RECONCILE_WINDOW_DAYS = env.int("RECONCILE_WINDOW_DAYS", default=3)
STRIPE_LIVEMODE = env.bool("STRIPE_LIVEMODE", default=STRIPE_SECRET_KEY.startswith("sk_live_"))

# The membership check (docs/membership-check.md): the member token (a JWT, HS256) the news site
# verifies with the shared secret, the cookie it is set in (on the news site's parent domain; not
# HttpOnly, the news site's banner script reads it) and how long a reader's status is cached.
MEMBER_TOKEN_SECRET = _required_in_production("MEMBER_TOKEN_SECRET", "dev-only-member-token-secret-32-bytes")
MEMBER_TOKEN_ISSUER = env.str("MEMBER_TOKEN_ISSUER", default=SITE_URL)
MEMBER_TOKEN_TTL_SECONDS = env.int("MEMBER_TOKEN_TTL_SECONDS", default=24 * 3600)
MEMBER_TOKEN_REFRESH_SECONDS = env.int("MEMBER_TOKEN_REFRESH_SECONDS", default=3600)
MEMBER_TOKEN_COOKIE_NAME = env.str("MEMBER_TOKEN_COOKIE_NAME", default="rr_member")
MEMBER_TOKEN_COOKIE_DOMAIN = env.str("MEMBER_TOKEN_COOKIE_DOMAIN", default="") or None
MEMBER_TOKEN_COOKIE_SECURE = env.bool("MEMBER_TOKEN_COOKIE_SECURE", default=SITE_URL.startswith("https"))
MEMBER_STATUS_CACHE_SECONDS = env.int("MEMBER_STATUS_CACHE_SECONDS", default=300)

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=SITE_URL.startswith("https"))
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # A site on https (SITE_URL) answers only on https: plain http is redirected, and browsers are told
    # for a year (HSTS) not to try http again. Behind a TLS proxy (docs/deploy.md), the proxy says the
    # request came over https with X-Forwarded-Proto; /healthz stays reachable over http for probes.
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=SITE_URL.startswith("https"))
    SECURE_HSTS_SECONDS = env.int(
        "DJANGO_HSTS_SECONDS", default=365 * 24 * 3600 if SECURE_SSL_REDIRECT else 0
    )
    # On the platform's own host (support.example.org), includeSubDomains covers only names below it.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Joining browsers' preload list is the newsroom's decision for its whole domain (and slow to
    # undo): off unless asked for, and then check --deploy's reminder about it is not needed.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Logs (config/logs.py): emails, card numbers, secrets and link tokens redacted from every line; one JSON
# object per line in production (LOG_FORMAT=plain to read them by eye), with request and Stripe event ids.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "config.logs.RedactingFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "stripe": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},  # fpdf2 subsetting a font logs every table it prunes
    },
}

# Monitoring (docs/deploy.md): errors to Sentry when SENTRY_DSN is set, scrubbed like the logs
# (config/sentry.py; tracing off at rate 0), and /metrics for Prometheus, 404 unless METRICS_TOKEN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from config.sentry import sentry_init  # only then: the SDK adds a tenth of a second to every start

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# Checkout (docs/checkout.md): currencies, amount limits, card-testing protection, circuit breaker.
CHECKOUT_CURRENCIES = [
    code.upper() for code in env.list("CHECKOUT_CURRENCIES", default=["USD", "EUR", "GBP", "CAD", "UAH"])
]
CHECKOUT_DEFAULT_CURRENCY = env.str("CHECKOUT_DEFAULT_CURRENCY", default="USD").upper()
# The currency offered first to a reader who reads the site in a language (the switcher, else the
# browser's first language), before the country's: CHECKOUT_CURRENCY_BY_LANGUAGE=uk=UAH,en=USD.
CHECKOUT_CURRENCY_BY_LANGUAGE = {
    language: code.upper()
    for language, code in env.dict("CHECKOUT_CURRENCY_BY_LANGUAGE", default={"uk": "UAH"}).items()
}
CHECKOUT_MIN_AMOUNT_MAJOR = env.int("CHECKOUT_MIN_AMOUNT_MAJOR", default=1)
CHECKOUT_MAX_AMOUNT_MAJOR = env.int("CHECKOUT_MAX_AMOUNT_MAJOR", default=10_000)
CHECKOUT_AMOUNT_LIMITS_MAJOR = {"JPY": (100, 1_000_000), "UAH": (20, 400_000)}
CHECKOUT_RATE_LIMIT = env.str("CHECKOUT_RATE_LIMIT", default="20/h")
CHECKOUT_EMAIL_RATE_LIMIT = env.str("CHECKOUT_EMAIL_RATE_LIMIT", default="10/h")
CHECKOUT_CARD_FAILURE_LIMIT = env.str("CHECKOUT_CARD_FAILURE_LIMIT", default="3/h")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT > 0:  # the proxy in front says whether the reader's request came over https
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CHECKOUT_BREAKER_WINDOW_MINUTES = env.int("CHECKOUT_BREAKER_WINDOW_MINUTES", default=15)
CHECKOUT_BREAKER_FAILURE_RATE = env.float("CHECKOUT_BREAKER_FAILURE_RATE", default=0.5)
CHECKOUT_BREAKER_MIN_ATTEMPTS = env.int("CHECKOUT_BREAKER_MIN_ATTEMPTS", default=20)
CHECKOUT_BREAKER_MIN_MULTIPLIER = env.int("CHECKOUT_BREAKER_MIN_MULTIPLIER", default=5)
CHECKOUT_BREAKER_RATE_DIVISOR = env.int("CHECKOUT_BREAKER_RATE_DIVISOR", default=4)
ADMINS = [("Staff", address) for address in env.list("DJANGO_ADMINS", default=[])]

# The banner (docs/engagement.md): how long a process keeps its messages in memory, how long a CDN may
# keep a decision, the proxy's country header, the Redis list events wait in (none: counted at once),
# the rates of event batches per browser and per address, and the oldest a live figure may be.
ENGAGEMENT_SNAPSHOT_SECONDS = env.float("ENGAGEMENT_SNAPSHOT_SECONDS", default=30.0)
ENGAGEMENT_DECISION_MAX_AGE = env.int("ENGAGEMENT_DECISION_MAX_AGE", default=60)
ENGAGEMENT_COUNTRY_HEADER = env.str("ENGAGEMENT_COUNTRY_HEADER", default="CF-IPCountry")
ENGAGEMENT_EVENTS_REDIS_URL = env.str(
    "ENGAGEMENT_EVENTS_REDIS_URL", default=REDIS_CACHE_URL or CELERY_BROKER_URL
)
BANNER_EVENTS_BROWSER_RATE = env.str("BANNER_EVENTS_BROWSER_RATE", default="60/m")
BANNER_EVENTS_IP_RATE = env.str("BANNER_EVENTS_IP_RATE", default="600/m")
LIVE_FIGURE_MAX_AGE_SECONDS = env.int("LIVE_FIGURE_MAX_AGE_SECONDS", default=3 * 3600)
# banner.js is served at the site's root (/banner.js) by WhiteNoise, from this folder.
WHITENOISE_ROOT = BASE_DIR / "engagement" / "public"
