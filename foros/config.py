"""Default settings; every one can be overridden by a ``FOROS_*`` environment variable.

Time zone and locale are not settings: Foros serves the Estado de México, and America/Mexico_City and es_MX
are fixed in one place each (``foros.core.time.LOCAL_TZ``, ``foros.core.formatting.LOCALE``), also relied on
by the ``.ics`` files and the door's scripts.
"""

from pathlib import Path

from flask import Config

ROOT = Path(__file__).resolve().parent.parent

#: The placeholder secret used outside production; refused when ``FOROS_ENV=production``.
DEV_SECRET_KEY = "dev-only-secret-change-me"  # noqa: S105 (refused in production)


class DefaultConfig:
    """Settings used when neither the environment nor ``test_config`` says otherwise."""

    ENV = "development"  # FOROS_ENV=production enables the production checks
    SECRET_KEY = DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = None  # default: SQLite file in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    #: Seconds between WAL checkpoints by a background thread (foros.core.db.BackgroundCheckpointer);
    #: None = 0.25 in production, off (SQLite checkpoints in commits) in development and tests; 0 = off.
    SQLITE_CHECKPOINT_INTERVAL = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set FOROS_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name) — the test suite uses a fast one
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session (long registration forms on phones)

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"  # use redis:// or memcached:// with several processes
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURE_LIMIT = "10 per 5 minutes"  # per client address (rate limiter)
    #: Login attempts per e-mail address per window, counted in the database (every process shares them);
    #: a success gives its attempt back but never resets the count. 0 turns the per-account limit off.
    LOGIN_ACCOUNT_FAILURE_LIMIT = 10
    LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS = 15 * 60
    #: "¿Olvidó su contraseña?": requests per client address; links last this long; e-mails per account.
    PASSWORD_RESET_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 (a rate, not a password)
    PASSWORD_RESET_MAX_AGE_SECONDS = 60 * 60
    PASSWORD_RESET_RESEND_SECONDS = 10 * 60
    #: Door searches per staff account (a search shows names: no sifting the attendee list by trial).
    DOOR_SEARCH_RATE_LIMIT = "30 per minute"

    #: Where people reach Foros; used for links in e-mail queued outside a request (CLI, imports).
    PUBLIC_URL = "http://127.0.0.1:5000"

    #: Largest request body accepted (uploads included); bigger ones get a Spanish 413 page.
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    #: Largest text field of a multipart form and largest URL-encoded form body (core.security): a 1 MB name
    #: gets the 413 page, not a 1 MB page echoing it.
    MAX_FORM_MEMORY_SIZE = 500_000
    #: Guest imports: file size and rows per file (confirming runs in the request; keep it well under
    #: the server timeout — about 1,000 rows took 7–19 s on this machine while it was busy).
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_ROWS = 1000

    REGISTRATION_RATE_LIMIT = "20 per minute"  # per client address, form and API alike
    #: A duplicate sign-up re-sends the ticket link at most once per registration per this many seconds.
    REGISTRATION_LINK_RESEND_SECONDS = 600
    WORKER_ENQUEUE = True  # ask the Huey worker to deliver e-mail (and run queued jobs) right after commit
    #: Background jobs (foros.jobs): how long a produced file stays downloadable, and after how long a job
    #: still "running" is taken for one whose worker died (marked failed by the worker's sweep).
    JOB_RESULT_TTL_SECONDS = 24 * 3600
    JOB_STALE_SECONDS = 3600
    #: Attendance exports with more rows than this are built by the background worker (progress page, link).
    ATTENDANCE_EXPORT_BACKGROUND_ROWS = 2000
    #: Storage of the background queue (foros.worker): "" → a SQLite file in the instance folder;
    #: "redis://host:6379/0" → Redis; "memory://" → in-process (tests). Read once per process, when the
    #: worker module is imported (before any app exists), from the same defaults and environment as the app.
    HUEY_URL = ""

    # Outgoing mail (SMTP). Without MAIL_SERVER, messages stay in the outbox, readable by organizers.
    MAIL_SERVER = ""
    MAIL_PORT = 587
    MAIL_USE_TLS = True  # STARTTLS
    MAIL_USE_SSL = False  # implicit TLS (port 465)
    MAIL_USERNAME = ""
    MAIL_PASSWORD = ""
    MAIL_DEFAULT_SENDER = "Foros de Gobierno Abierto <no-responder@foros.local>"
    MAIL_TIMEOUT = 10
    MAIL_MAX_ATTEMPTS = 8  # then the message is marked failed; organizers can resend

    #: Key for ticket signatures; defaults to one derived from SECRET_KEY.
    TICKET_SIGNING_KEY = ""

    #: The institute that runs the forums: shown on public pages, the ticket PDF and e-mail.
    ORGANIZATION_NAME = "Instituto de Transparencia del Estado de México"
    #: Path of its logo (SVG, PNG or JPEG; relative paths from the project folder); empty: the neutral
    #: placeholder static/img/organizacion.svg. For an SVG, a PNG of the same name beside it goes in the PDF.
    ORGANIZATION_LOGO = ""

    #: Joint declarations' PAdES seal (issue 15): a PKCS#12 file with the institute's key and certificate, its
    #: password, and an optional RFC 3161 timestamp authority URL. `flask declarations make-seal` makes a
    #: self-signed one for development; README "Sealed declarations" says what production needs.
    DECLARATIONS_SEAL_PKCS12 = ""
    DECLARATIONS_SEAL_PASSWORD = ""
    DECLARATIONS_TSA_URL = ""
    #: Path of a PEM bundle with the root (and intermediate) certificates of the timestamp authority: a seal's
    #: timestamp is called verified only when its authority chains to one of them (the seal's own certificate
    #: never vouches for it). Empty: the time is shown, its authority "not verified". With it set, a seal whose
    #: fresh timestamp does not chain to these roots is refused (README "Sealed declarations").
    DECLARATIONS_TSA_ROOTS = ""
    #: Largest PDF the public verification page accepts (bytes).
    DECLARATIONS_VERIFY_MAX_BYTES = 5 * 1024 * 1024
    #: Days between automatic reminders to a signatory who has not signed yet (the worker checks hourly); 0 = off.
    DECLARATIONS_REMINDER_DAYS = 3

    PROXY_FIX = False  # FOROS_PROXY_FIX=true behind one reverse proxy that sets X-Forwarded-*

    # OpenAPI (flask-smorest)
    API_TITLE = "Foros API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"


def is_production(config) -> bool:
    """Tell whether the app runs with production checks (``FOROS_ENV=production``); the only such test."""
    return str(config.get("ENV", "")).lower() == "production"


def environment_settings() -> Config:
    """The settings without an app: the defaults overridden by ``FOROS_*`` variables, exactly as
    ``create_app`` reads them (for code that runs before any app exists, such as the worker's queue)."""
    config = Config(str(ROOT))
    config.from_object(DefaultConfig)
    config.from_prefixed_env("FOROS")
    return config
