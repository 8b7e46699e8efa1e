"""Settings shared by every environment; everything site-specific comes from the environment.

See ``.env.example`` and the configuration table in README.md.
"""

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A refused form explains itself in Chinese and offers the way back, instead of Django's English 403.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "outreach",
    "core",
    "home",
    "search",
    "organizations",
    "quizzes",
    "events",
    "participation",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Staff accounts: lockout after failed sign-ins; two-factor (outreach.two_factor).
    "axes",
    "corsheaders",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # CORS headers on the outlets' API (CORS_URLS_REGEX), before anything may answer early.
    "corsheaders.middleware.CorsMiddleware",
    # Outside everything that sets a cookie, so it sees them all (SECURE_ALL_COOKIES).
    "core.middleware.SecureCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A 400 for control characters in the path, query or form, before any of it reaches a query.
    "core.middleware.ControlCharacterMiddleware",
    # Before sessions/auth: a cache hit for an anonymous reader skips everything below.
    "home.cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "outreach.security.SlidingSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "outreach.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outreach.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.reading_preferences",
                "core.embedding.layout_context",
            ],
        },
    },
]

WSGI_APPLICATION = "outreach.wsgi.application"

# SQLite by default (embedded, zero set-up); PostgreSQL when DATABASE_URL is set.
# WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
# writers queue on the busy timeout instead of failing mid-transaction with "database is locked".
# synchronous=FULL syncs the WAL at every commit: in WAL mode NORMAL can lose the last commits
# (an answer sheet, a registration) on a power cut, which the few writes a second easily afford.
SQLITE_PATH = os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;"),
            },
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH", str(BASE_DIR / "db.test.sqlite3"))},
        }
    }
# A read replica of the PostgreSQL primary for the staff reports (core.replica): only the views
# and tasks marked with core.replica read there; everything else stays on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The rate-limit counters have a cache of their own ("ratelimit"), so that the page cache filling
# its memory never evicts them: on Redis, RATELIMIT_REDIS_URL should name an instance (or at least
# a database) without LRU eviction (README, "Redis").
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "outreach"),
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        },
        "ratelimit": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("RATELIMIT_REDIS_URL", os.environ["REDIS_URL"]),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "outreach") + ":rl",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        },
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outreach"},
        "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outreach-ratelimit"},
    }
RATELIMIT_USE_CACHE = "ratelimit"

# Background tasks (django-tasks). Wagtail's own tasks (the reference index, image focal points)
# keep the immediate backend they had without this setting: they run inside the request, as
# before. Spreadsheet exports (core.exports) have a backend of their own: the database
# (django-tasks-db; worker `manage.py db_worker --backend exports --queue-name exports`), or RQ on
# Redis when REDIS_URL is set (worker `manage.py rqworker exports`).
EXPORTS_DATABASE_BACKEND = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["exports"]}
# Short background work has the "background" backend: keeping the Elasticsearch documents in
# sync ("search" queue) and the periodic jobs such as finalising overdue answer sheets
# ("maintenance" queue); worker `manage.py db_worker --backend background --queue-name "*"`.
BACKGROUND_QUEUES = ["search", "maintenance"]
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "exports": EXPORTS_DATABASE_BACKEND,
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": BACKGROUND_QUEUES},
}
if os.environ.get("REDIS_URL"):
    INSTALLED_APPS.append("django_rq")
    TASKS["exports"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["exports"]}
    TASKS["background"] = {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": BACKGROUND_QUEUES}
    # The full ledger export of a city takes about a minute; RQ's default limit is 180 s.
    RQ_QUEUES = {"exports": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 900}}
    RQ_QUEUES.update({queue: {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 300} for queue in BACKGROUND_QUEUES})

# Periodic tasks (core.periodic): dotted task path -> interval in seconds, enqueued by
# `manage.py run_periodic_tasks` and run by the "background" backend's workers.
PERIODIC_TASKS = {"quizzes.tasks.finalise_overdue_sheets_task": 60}

# Full-page cache for anonymous GETs of public pages (home.cache); 0 disables it.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# A request carrying any of these cookies may get a personal page, so it bypasses the page cache
# (the session and CSRF cookies are added from their own settings).
PAGE_CACHE_BYPASS_COOKIES = ["participant", "join_unit"]

# django-ratelimit counts in the "ratelimit" cache (above); behind a proxy set RATELIMIT_IP_META_KEY
# (e.g. HTTP_X_REAL_IP) so that limits apply to readers, not to the proxy.
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")

# The contest flow's limits, (per participant, per IP) for each action. Per IP they are generous
# enough for a whole school behind one address; per participant they stop scripts but not a storm
# of double clicks and retries, which the services answer idempotently. bench/ reads them here.
QUIZ_RATE_LIMITS = {
    "start": ("30/m", "1200/m"),
    "save": ("240/m", "20000/m"),
    "submit": ("60/m", "2400/m"),
}

# Staff sign-in (outreach.security). The lockout counts failures per username and address together
# (one mistyping colleague does not lock out a school's shared address); 5 failures lock that pair
# out for 15 minutes, counted in the database. `manage.py axes_reset_username NAME` lifts one.
AUTHENTICATION_BACKENDS = [
    "outreach.security.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "outreach.security.client_ip"
AXES_LOCKOUT_CALLABLE = "outreach.security.lockout_response"
# Failed attempts are kept (they expire with the cool-off); successful sign-ins are not logged by axes.
AXES_DISABLE_ACCESS_LOG = True
WAGTAILADMIN_USER_LOGIN_FORM = "outreach.security.LoginForm"

# Two-factor sign-in (outreach.two_factor): required, when on, for superusers, anyone who may publish,
# and holders of these permissions (participants' names, classes, phones). On in production.
STAFF_2FA_REQUIRED = env_bool("STAFF_2FA_REQUIRED", False)

# The key of organizations.people.person_key (who counts as the same person): fixed for the life
# of the data; unset, SECRET_KEY is used (development). Changing it: manage.py rekey_people.
PERSON_KEY_SECRET = os.environ.get("PERSON_KEY_SECRET", "")
STAFF_2FA_PERMISSIONS = [
    "quizzes.view_answersheet",
    "quizzes.change_answersheet",
    "events.view_registration",
    "events.change_registration",
    "participation.view_report",
    "organizations.manage_personal_data",
]
OTP_TOTP_ISSUER = os.environ.get("WAGTAIL_SITE_NAME", "莱西市安全生产宣传教育平台")

# Staff sessions end 2 hours after their last request (outreach.security.SlidingSessionMiddleware
# renews them on each one); Wagtail's "remember me" unticked also ends them when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "static_collected"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "莱西市安全生产宣传教育平台")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "mp4", "zip"]
# Embeds would call foreign oEmbed providers; videos are uploaded and served by us instead.
WAGTAILEMBEDS_FINDERS = []
# No avatar requests to gravatar.com (unreachable in China, and it would tell it who uses the admin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor to releases.wagtail.org from the superuser's dashboard: no request leaves for another host.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Where a unit's join link (its QR code) goes when it names no ?next: the contest for that unit.
UNIT_JOIN_LANDING = "quizzes:joined"

# The database backend, taught to index and query Chinese (search/backends/database.py);
# Elasticsearch 8 with the cjk analyzer when ELASTICSEARCH_URL is set.
# The "search" queue of the "background" backend (below) is meant for keeping Elasticsearch in sync.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX_PREFIX = os.environ.get("ELASTICSEARCH_INDEX_PREFIX", "outreach_")
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": ELASTICSEARCH_INDEX_PREFIX,
            "TIMEOUT": 10,
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}

# Longest query we pass to the search backend; longer input is cut, not refused.
SEARCH_QUERY_MAX_LENGTH = 64

CONTENT_SECURITY_POLICY = {
    # The Wagtail admin ships its own inline scripts and styles; the public site needs none.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
# Wagtail marks its preview views SAMEORIGIN itself; the embed routes (core.embedding.embed_view)
# are framed by the active media outlets; everything else may not be framed.
X_FRAME_OPTIONS = "DENY"
# The page types with an embed view (/embed/page/<id>/), an oEmbed answer and a 嵌入代码 page.
EMBEDDABLE_PAGE_TYPES = ["home.ArticlePage", "home.ColumnIndexPage", "quizzes.ContestPage", "events.EventPage"]

# The outlets' read-only API (outreach/api.py) answers cross-origin reads from the active outlets'
# origins only: the list is the outlets', checked per request (outreach.api's
# check_request_enabled receiver), so none is configured here.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ["GET", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

# A WeChat official account (公众号) for share cards inside WeChat: with both set, pages sign a
# JS-SDK config (home/wechat.py) and the CSP admits the JS-SDK's host, and only then.
WECHAT_APP_ID = os.environ.get("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = os.environ.get("WECHAT_APP_SECRET", "")
WECHAT_JS_SDK_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"

# The CJK font the certificate PNG and the share images are drawn with (core.fonts).
CERTIFICATE_FONT_PATH = os.environ.get("CERTIFICATE_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
if WECHAT_APP_ID and WECHAT_APP_SECRET:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"].append("https://res.wx.qq.com")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
