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
STATE_REFRESH_DAYS = 0
"""Re-fetch known articles published in the last N days and deliver changed ones as updates."""

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
