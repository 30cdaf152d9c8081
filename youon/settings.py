"""Settings for You.On Intelligence, read from the environment.

Every variable is listed in `.env.example`. Defaults suit a developer machine; with DEBUG off the
settings refuse to start without a real SECRET_KEY.
"""

from __future__ import annotations

import os
import re
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from youon.lib.proxies import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def email_from_url(url: str) -> dict[str, object]:
    """Django's e-mail settings from `smtp://user:password@host:port` (`smtp+tls://` STARTTLS, `smtps://`
    implicit TLS), or `console://` (mails printed), as EMAIL_URL gives them."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL scheme {parts.scheme!r} is not smtp://, smtp+tls://, smtps:// or console://"
        )
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


def database_from_url(url: str) -> dict[str, object]:
    """Django DATABASES entry from `postgis://user:password@host:port/name?option=value`."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgis", "postgres", "postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not postgis:// or postgres://")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name")
    options = dict(parse_qsl(parts.query))
    # No JIT on any connection: a statement over the national database's thousand layer partitions costs
    # enough to be compiled, one function per partition (a summaries' refresh of 10^6 units ran for over 20
    # minutes compiling, against 20 s without). Options in the URL come after, so they can turn it on.
    options["options"] = f"-c jit=off {options.get('options', '')}".strip()
    return {
        # GeoDjango's backend always: the platform needs PostGIS whatever the URL scheme says.
        "ENGINE": "django.contrib.gis.db.backends.postgis",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # Persistent connections suit a fixed pool of workers (gunicorn): runserver opens a thread, and so a
        # connection, per request, and kept for a minute they exhaust PostgreSQL's max_connections.
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 0 if "runserver" in sys.argv[1:2] else 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


DEBUG = env_bool("DEBUG", default=False)

_secret = env_secret("SECRET_KEY")
if not _secret:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")
    _secret = "django-insecure-development-only-key"
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Networks (CIDR or single addresses) allowed to reach the admin; empty means no restriction.
ADMIN_ALLOWED_IPS = env_list("ADMIN_ALLOWED_IPS")
# The reverse proxies in front of gunicorn: networks they connect from, or a count of hops; empty means
# none. Only their X-Forwarded-For and X-Forwarded-Proto are read (youon/lib/proxies.py).
TRUSTED_PROXIES = parse_trusted_proxies(env_str("TRUSTED_PROXIES"))
if env_bool("BEHIND_TLS_PROXY"):
    raise ImproperlyConfigured("BEHIND_TLS_PROXY is replaced by TRUSTED_PROXIES (the proxies' networks or count)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "axes",
    "rest_framework",
    "rest_framework_simplejwt",  # its pt-BR messages
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from the project, not a CDN
    "django_filters",
    "leaflet",
    "import_export",
    "leads",
    "ingestion",
    "quality",
    "forecasting",
]

MIDDLEWARE = [
    "youon.lib.proxies.ProxyHeadersMiddleware",  # before the HTTPS redirect reads the scheme
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "youon.lib.ipfilter.AdminIPFilterMiddleware",
    "youon.lib.badinput.RejectNulMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the answer of youon.lib.lockout
]

ROOT_URLCONF = "youon.urls"
WSGI_APPLICATION = "youon.wsgi.application"

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
                "youon.navigation.navegacao",
                "quality.context_processors.notificacoes",
            ],
        },
    },
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/youon"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("GDAL_LIBRARY_PATH"):
    GDAL_LIBRARY_PATH = os.environ["GDAL_LIBRARY_PATH"]
if os.environ.get("GEOS_LIBRARY_PATH"):
    GEOS_LIBRARY_PATH = os.environ["GEOS_LIBRARY_PATH"]

# GDAL < 3.9 (Debian 12 ships 3.6) cannot block network access from spatial references. The
# platform opens only BDGD files and its own data, never user-supplied SRS strings.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# django-axes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# --- Login lockout (django-axes): the site's login, the admin's and the API's JWT login ---
# Failed logins are counted in PostgreSQL per account and per client address (behind TRUSTED_PROXIES),
# shared by every gunicorn worker and listed in the admin, where staff unlock (docs/security.md).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# Failures within this window count and a lockout lasts this long; 0: until staff unlock.
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15)) or None
# Further tries while locked out neither count nor extend the lockout: the user is told when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "youon.lib.proxies.client_address"
AXES_LOCKOUT_CALLABLE = "youon.lib.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # the failures are kept; successful logins are not logged

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "pt-br"
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
LOGIN_URL = "/contas/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/contas/login/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Where downloaded BDGD files and other large inputs are kept.
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var" / "data")))

# --- Security (production shape when DEBUG is off) ---
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# Read only from trusted proxies: ProxyHeadersMiddleware drops the header anyone else sends.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES.trusts_any else None
X_FRAME_OPTIONS = "DENY"

# --- Redis: the cache (API throttle counters, shared by every gunicorn worker) and Celery ---
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "youon"}
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 6 * 3600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 300
# Redis redelivers an unacknowledged task after the visibility timeout: it must exceed the longest
# task (a multi-GB BDGD import), or a running import would be handed to a second worker.
# A worker killed outright (SIGKILL, OOM, lost machine) acknowledges nothing: its message waits out this timeout.
# Imports do not wait for it: see IMPORT_HEARTBEAT_* next (the late copy, when it comes, is a no-op).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 3600}
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
# A running import writes a heartbeat every IMPORT_HEARTBEAT_INTERVAL_S seconds. One whose heartbeat is older
# than IMPORT_HEARTBEAT_TIMEOUT_S and whose layer lock is free lost its worker: it is queued again (checked every
# IMPORT_RECOVERY_INTERVAL_S by beat, and by `import_bdgd --wait`), up to IMPORT_MAX_ATTEMPTS runs in all.
IMPORT_HEARTBEAT_INTERVAL_S = env_int("IMPORT_HEARTBEAT_INTERVAL_S", 30)
IMPORT_HEARTBEAT_TIMEOUT_S = env_int("IMPORT_HEARTBEAT_TIMEOUT_S", 180)
IMPORT_RECOVERY_INTERVAL_S = env_int("IMPORT_RECOVERY_INTERVAL_S", 60)
IMPORT_MAX_ATTEMPTS = env_int("IMPORT_MAX_ATTEMPTS", 3)
if IMPORT_HEARTBEAT_TIMEOUT_S < 3 * IMPORT_HEARTBEAT_INTERVAL_S:
    raise ImproperlyConfigured("IMPORT_HEARTBEAT_TIMEOUT_S must span at least three IMPORT_HEARTBEAT_INTERVAL_S")
CELERY_TASK_ROUTES = {
    # Exports on their own queue and worker: a long one never holds up an import or a refresh.
    "leads.tasks.export_write": {"queue": "exports"},
    # Large dispatches too (up to 1 GB each): the exports' worker consumes this queue as well.
    "forecasting.tasks.dispatch_solve": {"queue": "despacho"},
    "forecasting.tasks.forecast_retrain": {"queue": "ml"},
    "forecasting.tasks.forecast_issue": {"queue": "ml"},
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Receita publishes a CNPJ release a month (mid-month); a release already active is a no-op.
    "cnpj-release-monthly": {
        "task": "ingestion.tasks.cnpj_fetch_release",
        "schedule": crontab(day_of_month="20", hour=2, minute=0),
    },
    "exports-purge-daily": {
        "task": "leads.tasks.exports_purge",
        "schedule": crontab(hour=4, minute=15),
    },
    "refresh-summary-views": {
        "task": "leads.tasks.views_refresh",
        "schedule": crontab(hour=3, minute=30),
    },
    "flush-expired-tokens": {
        "task": "leads.tasks.tokens_flush_expired",
        "schedule": crontab(hour=4, minute=30),
    },
    "load-fetch-daily": {
        "task": "forecasting.tasks.load_fetch",
        "schedule": crontab(hour=6, minute=15),
    },
    "market-fetch-daily": {
        "task": "forecasting.tasks.market_fetch",
        "schedule": crontab(hour=6, minute=25),
    },
    "forecast-score-daily": {
        "task": "forecasting.tasks.forecast_score",
        "schedule": crontab(hour=6, minute=45),
    },
    "forecast-retrain-nightly": {
        "task": "forecasting.tasks.forecast_retrain",
        "schedule": crontab(hour=1, minute=0),
        "kwargs": {"motivo": "nightly"},
    },
    "forecast-issue-daily": {
        "task": "forecasting.tasks.forecast_issue",
        "schedule": crontab(hour=7, minute=30),
    },
    "tariffs-fetch-weekly": {
        "task": "leads.tasks.tariffs_fetch",
        "schedule": crontab(day_of_week="tue", hour=5, minute=0),
    },
    "bdgd-new-releases": {
        "task": "ingestion.tasks.bdgd_watch_releases",
        "schedule": crontab(day_of_week="mon", hour=4, minute=0),
    },
    # Quality: indicators, anomalies and alert rules nightly (after the summaries), the daily digest.
    "quality-refresh-nightly": {
        "task": "quality.tasks.quality_refresh",
        "schedule": crontab(hour=3, minute=50),
    },
    "quality-digest-daily": {
        "task": "quality.tasks.digest_send",
        "schedule": crontab(hour=7, minute=0),
    },
    "bdgd-import-recovery": {
        "task": "ingestion.tasks.bdgd_import_recover",
        "schedule": IMPORT_RECOVERY_INTERVAL_S,
        "options": {"expires": IMPORT_RECOVERY_INTERVAL_S},
    },
}

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        # The site's own pages call the API with the session.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "youon.lib.schema.AutoSchema",
    "EXCEPTION_HANDLER": "youon.lib.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # Per client address behind the trusted proxies, counted in the cache (Redis) by all workers.
        "youon.lib.throttling.AnonThrottle",
        "youon.lib.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "30/minute"),
        "user": env_str("API_THROTTLE_USER", "1200/minute"),
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # A login starts a family of refresh tokens; reusing a rotated one revokes the family (youon.lib.tokens).
    "TOKEN_OBTAIN_SERIALIZER": "youon.lib.tokens.FamilyTokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "youon.lib.tokens.FamilyTokenRefreshSerializer",
    # One algorithm, pinned: tokens signed otherwise (or 'none') are rejected.
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env_secret("JWT_SIGNING_KEY") or SECRET_KEY,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "You.On Intelligence API",
    "DESCRIPTION": "Unidades consumidoras da BDGD (ANEEL) como leads: filtros, geografia, agregados, exportações e "
    "importações; previsão de carga do dia seguinte, versões de modelo e planos de despacho. Autenticação: JWT "
    "(POST /api/token/) ou a sessão do site.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # API_DOCS_LOGIN_REQUIRED=1: the schema and its docs answer logged-in users only (JWT or the site's session).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"]
    if env_bool("API_DOCS_LOGIN_REQUIRED")
    else ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrigemEnum": "leads.models.Origem",
        "StatusImportacaoEnum": "leads.models.StatusImportacao",
        "StatusModeloEnum": "forecasting.models.StatusModelo",
        "SubsistemaEnum": "forecasting.optimisation.dispatch.SUBSISTEMAS",
        "SerieEnum": "forecasting.api.serializers.SERIES",
        "TipoAnomaliaEnum": "quality.models.TipoAnomalia",
    },
}

# The maps' base layer: a tile URL template (OpenStreetMap by default), or empty for a blank base with
# municipality outlines (what the maps also fall back to when the tiles cannot load).
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "&copy; colaboradores do OpenStreetMap")
# The analysts' map (/mapa/): its base layer (blank when empty), points per vector tile (the largest
# consumers first) and how long a tile is cached (Redis, and the browser's private cache).
MAPA_BASE_URL = env_str("MAPA_BASE_URL", MAP_TILE_URL)
MAPA_BASE_ATTRIBUTION = env_str("MAPA_BASE_ATTRIBUTION", MAP_TILE_ATTRIBUTION)
MAPA_TILE_MAX_FEATURES = env_int("MAPA_TILE_MAX_FEATURES", 5_000)  # keeps a dense tile under 500 KB
MAPA_TILE_CACHE_SECONDS = env_int("MAPA_TILE_CACHE_SECONDS", 3600)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (-15.8, -47.9),
    "DEFAULT_ZOOM": 4,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "TILES": [("Mapa de fundo", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})] if MAP_TILE_URL else [],
}

IMPORT_EXPORT_USE_TRANSACTIONS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client": {"()": "youon.lib.proxies.ClientAddressFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # Records about a request (errors, refused hosts, CSRF) name the client behind the proxies.
        "request": {"format": "%(asctime)s %(levelname)s %(name)s %(client)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "requests": {"class": "logging.StreamHandler", "formatter": "request", "filters": ["client"]},
    },
    "loggers": {name: {"handlers": ["requests"], "propagate": False} for name in ("django.request", "django.security")},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- ANEEL sources ---
BDGD_HUB_URL = env_str("BDGD_HUB_URL", "https://dadosabertos-aneel.opendata.arcgis.com")
BDGD_ITEMS_URL = env_str("BDGD_ITEMS_URL", "https://www.arcgis.com/sharing/rest/content/items")
BDGD_HTTP_TIMEOUT = env_int("BDGD_HTTP_TIMEOUT", 60)
# Per import session: memory for the index builds of a layer's new tables (PostgreSQL syntax, e.g. 1GB).
BDGD_IMPORT_MAINTENANCE_WORK_MEM = env_str("BDGD_IMPORT_MAINTENANCE_WORK_MEM", "1GB")
# The swap of a layer's tables waits this long for readers' locks per attempt, and tries this often.
BDGD_SWAP_LOCK_TIMEOUT_MS = env_int("BDGD_SWAP_LOCK_TIMEOUT_MS", 2000)
BDGD_SWAP_ATTEMPTS = env_int("BDGD_SWAP_ATTEMPTS", 150)
# What the weekly watch imports: reference years (default: last year) and ANEEL codes (default: all).
BDGD_WATCH_YEARS = [int(y) for y in env_list("BDGD_WATCH_YEARS")]
BDGD_WATCH_DISTRIBUIDORAS = env_list("BDGD_WATCH_DISTRIBUIDORAS")

# --- Public registers (Receita CNPJ, CCEE, ANEEL GD) ---
# Receita's CNPJ open data: an HTML index of monthly `YYYY-MM/` folders holding the zips.
CNPJ_BASE_URL = env_str("CNPJ_BASE_URL", "https://arquivos.receitafederal.gov.br/dados/cnpj/dados_abertos_cnpj/")
CNPJ_HTTP_TIMEOUT = env_int("CNPJ_HTTP_TIMEOUT", 60)
# The swap of a release's tables waits this long for readers' locks per attempt, and tries this often.
CNPJ_SWAP_LOCK_TIMEOUT_MS = env_int("CNPJ_SWAP_LOCK_TIMEOUT_MS", 2000)
CNPJ_SWAP_ATTEMPTS = env_int("CNPJ_SWAP_ATTEMPTS", 150)
# Memory for the index builds of a release's new tables (PostgreSQL syntax).
CNPJ_IMPORT_MAINTENANCE_WORK_MEM = env_str("CNPJ_IMPORT_MAINTENANCE_WORK_MEM", "512MB")
# Where downloaded releases are kept (default DATA_DIR/cnpj).
CNPJ_DOWNLOAD_DIR = env_str("CNPJ_DOWNLOAD_DIR", "")
# Downloads of CCEE and ANEEL files (import_ccee_cargas / import_gd given a URL).
REGISTROS_HTTP_TIMEOUT = env_int("REGISTROS_HTTP_TIMEOUT", 60)

# Exports: lists up to this many units stream at once; larger ones run as Celery jobs.
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 100_000)
# XLSX is built whole before it is sent (about 0.5 ms a row): above this many rows it is a job too.
EXPORT_XLSX_SYNC_MAX_ROWS = env_int("EXPORT_XLSX_SYNC_MAX_ROWS", 5_000)
# Export jobs a user may have pending or running at once (one more is a 429), and how long jobs and their
# files are kept (deleted daily by beat).
EXPORT_JOBS_POR_USUARIO = env_int("EXPORT_JOBS_POR_USUARIO", 3)
EXPORT_RETENCAO_DIAS = env_int("EXPORT_RETENCAO_DIAS", 7)
# Dispatch (POST /api/v1/despacho/) is bounded by the LP it implies, variables + rows: up to the first
# bound it is solved within the request (168 h × 100 plants, about 100k, takes 3 s and 270 MB), up to the
# second as a queued job with a status URL (744 h × 100 plants, about 440k: 1 min and 1.1 GB); above,
# a 400 that says the limit. A job's solver stops after DESPACHO_TEMPO_MAX_S.
DESPACHO_SINCRONO_MAX = env_int("DESPACHO_SINCRONO_MAX", 120_000)
DESPACHO_MAX = env_int("DESPACHO_MAX", 500_000)
DESPACHO_TEMPO_MAX_S = env_int("DESPACHO_TEMPO_MAX_S", 300)
DESPACHO_JOBS_POR_USUARIO = env_int("DESPACHO_JOBS_POR_USUARIO", 2)  # queued or running at once; one more: 429

# --- Tariffs (ANEEL's "Tarifas de Aplicação" open dataset), fetched weekly ---
TARIFAS_URL = env_str(
    "TARIFAS_URL",
    "https://dadosabertos.aneel.gov.br/dataset/5a583f3e-1646-4f67-bf0f-69db4203e89e/resource/"
    "fcf2906c-7c32-4b9b-a637-054e7a5234f4/download/tarifas-homologadas-distribuidoras-energia-eletrica.csv",
)
TARIFAS_HTTP_TIMEOUT = env_int("TARIFAS_HTTP_TIMEOUT", 300)

# --- Load forecasting ---
# Where trained model folders (Keras files, scalers, metadata.json) are written.
FORECAST_MODEL_DIR = Path(env_str("FORECAST_MODEL_DIR", str(BASE_DIR / "var" / "models")))
FORECAST_EPOCHS = env_int("FORECAST_EPOCHS", 150)
FORECAST_HOLDOUT_DAYS = env_int("FORECAST_HOLDOUT_DAYS", 28)
# Gates: the candidate may be at most this much worse (relative MAPE) than the active model.
FORECAST_GATE_TOLERANCE = float(env_str("FORECAST_GATE_TOLERANCE", "0.02"))
# Retrain when the SIN MAPE of the last 7 scored days passes this (%).
FORECAST_DRIFT_MAPE = float(env_str("FORECAST_DRIFT_MAPE", "4.0"))
# Daily downloads: ONS publishes one hourly-load CSV per year; INMET's API serves station hours.
ONS_CARGA_URL = env_str(
    "ONS_CARGA_URL", "https://ons-aws-prod-opendata.s3.amazonaws.com/dataset/curva-carga-ho/CURVA_CARGA_{ano}.csv"
)
# ONS's hourly energy balance per subsystem (generation by source, load, interchange), one CSV per year.
ONS_BALANCO_URL = env_str(
    "ONS_BALANCO_URL",
    "https://ons-aws-prod-opendata.s3.amazonaws.com/dataset/balanco_energia_subsistema_ho/"
    "BALANCO_ENERGIA_SUBSISTEMA_{ano}.csv",
)
# CCEE's open-data catalogue entry of the hourly PLD (its CSV addresses carry tokens that change).
CCEE_PLD_PACKAGE_URL = env_str(
    "CCEE_PLD_PACKAGE_URL", "https://dadosabertos.ccee.org.br/api/3/action/package_show?id=pld_horario"
)
INMET_API_URL = env_str("INMET_API_URL", "https://apitempo.inmet.gov.br/estacao/{inicio}/{fim}/{estacao}")
INMET_STATIONS = env_list("INMET_STATIONS", ["A701"])
FORECAST_HTTP_TIMEOUT = env_int("FORECAST_HTTP_TIMEOUT", 120)

# --- E-mail (alerts): EMAIL_URL smtp://user:password@host:port (smtp+tls://, smtps://) or console://;
# without it, mails go to the console with DEBUG on and to an SMTP server on localhost:25 otherwise.
_email = email_from_url(env_secret("EMAIL_URL") or ("console://" if DEBUG else "smtp://localhost:25"))
EMAIL_BACKEND = str(_email["EMAIL_BACKEND"])
EMAIL_HOST = str(_email.get("EMAIL_HOST", "localhost"))
EMAIL_PORT = int(str(_email.get("EMAIL_PORT", 25)))
EMAIL_HOST_USER = str(_email.get("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = str(_email.get("EMAIL_HOST_PASSWORD", ""))
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "You.On Intelligence <alertas@localhost>")
# The site's address in e-mails (links to the notifications page).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Content-Security-Policy (django-csp) on every response ---
# Scripts, styles, fonts and data from this site only (Leaflet, the map code and the API docs are served
# from static/); images also from the base map's tile server; no plugins, no framing, forms post here.
# Inline style attributes stay allowed (the admin and the pages use them); inline scripts do not.
_TILE_ORIGINS = sorted(
    {
        m.group(1)
        for url in (MAP_TILE_URL, MAPA_BASE_URL)
        if (m := re.match(r"^(https?://[^/]+)", url.replace("{s}", "*")))
    }
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *_TILE_ORIGINS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
