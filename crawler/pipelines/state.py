"""Cross-run deduplication against the state store (the seen-set of delivered articles)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.state.store import SeenStore, content_hash, open_store

logger = logging.getLogger(__name__)


class StatePipeline:
    """Drop articles already delivered by an earlier run; in refresh mode, pass a changed one
    on as an update (``is_update``) and drop an unchanged one.

    Recording deliveries is the export pipeline's job (two-phase, around its atomic rename);
    this pipeline only reads the store. It steps aside, like the export pipeline, when feeds
    were given with ``-o``/``-O``: state governs the output folder's delivery stream.

    Settings: ``STATE_ENABLED`` (default ``True``), ``STATE_DIR`` (``state``), ``STATE_FILE``,
    ``STATE_REFRESH_DAYS`` (``0``: off). Stats: ``state/known_dropped``, ``state/unchanged``,
    ``state/updated``, ``state/new``.
    """

    def __init__(self, crawler: Crawler, store: SeenStore) -> None:
        self.crawler = crawler
        self.store = store
        self.refresh = crawler.settings.getfloat("STATE_REFRESH_DAYS", 0) > 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatePipeline:
        from crawler.pipelines.export import export_enabled

        if not crawler.settings.getbool("STATE_ENABLED", True) or not export_enabled(crawler.settings):
            raise NotConfigured("state is off (STATE_ENABLED, or -o/-O feeds)")
        return cls(crawler, open_store(crawler.settings, export_dir=Path(crawler.settings.get("EXPORT_DIR", "output"))))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        stats = self.crawler.stats
        assert stats is not None
        known = self.store.known_hash(str(adapter.get("article_id")))
        if known is None:
            stats.inc_value("state/new")
            return item
        if self.refresh and known[0] != content_hash(adapter.asdict()):
            stats.inc_value("state/updated")
            adapter["is_update"] = True
            return item
        if self.refresh:
            self.store.touch(str(adapter["article_id"]))
            stats.inc_value("state/unchanged")
        stats.inc_value("state/known_dropped")
        raise DropItem(f"already delivered: {adapter.get('article_id')} {adapter.get('url')}")

    def close_spider(self) -> None:
        self.store.close()
