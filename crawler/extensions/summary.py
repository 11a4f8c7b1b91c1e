"""One parsable summary line at the end of every run."""

from __future__ import annotations

import logging
import time

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

SUMMARY_FIELDS = (
    ("found", "alinea/articles_scheduled"),
    ("new", "export/items"),
    ("duplicates", "dedup/dropped"),
    ("invalid", "validation/dropped"),
    ("failed", "alinea/article_failed"),
    ("not_article", "alinea/not_article"),
    ("pages", "downloader/response_count"),
)


class RunSummary:
    """Log ``ALINEA-SUMMARY key=value ...`` when the spider closes (and store it in stats).

    Settings: ``SUMMARY_ENABLED`` (default ``True``). Stats: ``summary/line``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        if not crawler.settings.getbool("SUMMARY_ENABLED", True):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def line(self, reason: str) -> str:
        stats = self.crawler.stats
        assert stats is not None
        values = [f"{name}={stats.get_value(key, 0)}" for name, key in SUMMARY_FIELDS]
        elapsed = time.monotonic() - self.started
        health = f"failed:{stats.get_value('health/failed')}" if stats.get_value("health/failed") else "ok"
        drift = stats.get_value("health/drift") or "none"
        return f"ALINEA-SUMMARY {' '.join(values)} health={health} drift={drift} elapsed={elapsed:.1f}s reason={reason}"

    def spider_closed(self, spider: Spider, reason: str) -> None:
        line = self.line(reason)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("summary/line", line)
        logger.info(line)
