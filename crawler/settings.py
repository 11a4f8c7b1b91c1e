"""Scrapy settings for the alinea.id crawler.

Every project-specific setting is documented in README.md ("Settings"). Override any of them
with ``scrapy crawl alinea -s NAME=VALUE``.
"""

from crawler.items import CONTRACT_FIELDS

BOT_NAME = "alinea"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- the site ----------------------------------------------------------------------------------
ALINEA_BASE_URL = "https://www.alinea.id"
"""Origin the crawler talks to. Point it at the local replica to crawl offline; canonical URLs
in the output stay ``https://www.alinea.id/...`` whatever origin served the page."""
ALINEA_CONTACT_URL = "https://github.com/alinea-crawler/alinea-crawler"
USER_AGENT = f"alinea-crawler/0.1 (+{ALINEA_CONTACT_URL})"

# --- discovery -----------------------------------------------------------------------------------
ALINEA_LISTING_MAX_PAGES = 5
"""Latest mode: pages walked per listing stream (/indeks, /more, each section) per run."""
ALINEA_BACKFILL_MAX_PAGES = 2000
"""Backfill mode: upper bound on pages walked per listing stream."""
ALINEA_MAX_PAGE_PARTS = 20
"""Most ``?page=N`` parts fetched for one article."""

# --- politeness ----------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = True  # the /more endpoint needs the home page's session cookie

# --- robustness ----------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX = 60
"""Wait as long as a 429/503's Retry-After asks (up to this many seconds) before retrying."""
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.SiteOnlyMiddleware": 50,
}
REDIRECT_MAX_TIMES = 10
TELNETCONSOLE_ENABLED = False

# --- items ----------------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "crawler.pipelines.validation.ValidationPipeline": 100,
    "crawler.pipelines.dedup.DedupPipeline": 200,
    "crawler.pipelines.state.StatePipeline": 300,
    "crawler.pipelines.export.ExportPipeline": 800,
}
EXPORT_DIR = "output"
EXPORT_BATCH_ITEMS = 500
EXPORT_PROVENANCE = False
FEED_EXPORT_ENCODING = "utf-8"  # -o/-O files: UTF-8, not \u-escaped
FEED_EXPORT_FIELDS = list(CONTRACT_FIELDS)  # -o/-O files: the contract's keys, in order

# --- state (exactly once across runs) ----------------------------------------------------------------
STATE_ENABLED = True
STATE_DIR = "state"
"""Holds ``alinea.sqlite3`` (the seen-set) and ``alinea.lock`` (one run at a time)."""
STATE_RETRY_ATTEMPTS = 5
STATE_RETRY_DAYS = 7
"""An article a run could not deliver is fetched again first by the next runs, at most this
many times and for this many days after its first failure."""
STATE_REFRESH_DAYS = 0
"""Re-fetch known articles published in the last N days and deliver changed ones as updates."""

# --- deploy and scale out: scrapyd, shared state on Redis (README "Deploy and scale out") --------------
STATE_BACKEND = "sqlite"
"""``sqlite``: seen-set and run lock in ``STATE_DIR`` (one host). ``redis``: seen-set, per-worker
lock, scheduler queue and request dupefilter (scrapy-redis) on ``STATE_REDIS_URL``, shared by
every worker. Needs ``pip install 'alinea-crawler[redis]'``; nothing Redis is imported otherwise."""
STATE_REDIS_URL = "redis://127.0.0.1:6379/0"
STATE_REDIS_PREFIX = "alinea"
"""Namespace of every Redis key the project (and scrapy-redis for it) writes."""
STATE_WORKER_ID = ""
"""Redis backend: this worker's name, unique per running process; default ``<hostname>:<STATE_DIR>``."""
STATE_LOCK_TTL = 60
"""Redis backend: seconds a worker's lease outlives its last heartbeat (sent every TTL/3)."""
DEPLOY_DATA_DIR = ""
"""Under scrapyd: folder for relative ``STATE_DIR``/``EXPORT_DIR`` (default
``$XDG_DATA_HOME/alinea-crawler/<scrapyd project>``)."""
# --- end of deploy and scale out --------------------------------------------------------------------

COMMANDS_MODULE = "crawler.commands"

EXTENSIONS = {
    "crawler.extensions.health.ExtractionHealth": 400,
    "crawler.extensions.summary.RunSummary": 500,
}
HEALTH_ENABLED = True
HEALTH_THRESHOLDS: dict[str, float] = {}
"""Overrides of ``crawler.extensions.health.DEFAULT_THRESHOLDS`` (least share per field)."""
HEALTH_MIN_ITEMS = 10
LOGSTATS_INTERVAL = 60.0
