"""Exit statuses of ``scrapy crawl alinea``, for cron and schedulers (documented in README.md)."""

OK = 0
"""The run did its job (articles that failed individually are logged and retried next run)."""
ERROR = 1
"""Scrapy could not start the crawl (bad settings, import error)."""
USAGE = 2
"""Bad command line (Scrapy's own status)."""
LOCKED = 3
"""Another run holds the lock; this one did nothing."""
UNREACHABLE = 4
"""The site was unreachable: not a single response came back."""
CUT_SHORT = 5
"""The run stopped before finishing (a signal, a CLOSESPIDER_* limit, a shutdown)."""
EXTRACTION_HEALTH = 6
"""Extraction health failed: a field's coverage fell below its threshold (site drift)."""
STATE_ERROR = 7
"""The state store is corrupt or missing while output exists; see ``scrapy state --help``."""


def exit_status(stats: dict[str, object]) -> int:
    """The exit status a finished crawl earned, from its final stats."""
    if stats.get("health/failed"):
        return EXTRACTION_HEALTH
    responses = int(stats.get("downloader/response_count", 0) or 0)  # type: ignore[call-overload]
    discovery = bool(stats.get("alinea/discovery"))
    if responses == 0 or (discovery and not stats.get("alinea/listing_ok")):
        return UNREACHABLE
    if stats.get("finish_reason") != "finished":
        return CUT_SHORT
    return OK
