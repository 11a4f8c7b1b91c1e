"""In-run deduplication: one article, one item, whatever URL variant reached it."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

logger = logging.getLogger(__name__)


class DedupPipeline:
    """Drop an item whose ``article_id`` was already seen in this run.

    The ``b<code>`` id is the same for the ``www`` and bare hosts, ``/amp/``, query strings and
    trailing slashes, so every URL variant of one article counts once.

    Settings: ``DEDUP_ENABLED`` (default ``True``), ``DEDUP_KEY`` (item field, default
    ``article_id``). Stats: ``dedup/unique``, ``dedup/dropped``.
    """

    def __init__(self, crawler: Crawler, key: str) -> None:
        self.crawler = crawler
        self.key = key
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        if not crawler.settings.getbool("DEDUP_ENABLED", True):
            raise NotConfigured("DEDUP_ENABLED is off")
        return cls(crawler, crawler.settings.get("DEDUP_KEY", "article_id"))

    def process_item(self, item: Any) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        value = str(ItemAdapter(item).get(self.key))
        if value in self.seen:
            stats.inc_value("dedup/dropped")
            raise DropItem(f"duplicate {self.key} {value}: {ItemAdapter(item).get('url')}")
        self.seen.add(value)
        stats.inc_value("dedup/unique")
        return item
