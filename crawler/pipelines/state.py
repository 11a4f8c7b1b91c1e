"""Cross-run deduplication against the state store (the seen-set of delivered articles)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from crawler.state.backends import Store, open_store
from crawler.state.store import content_hash

logger = logging.getLogger(__name__)


class StatePipeline:
    """Drop articles already delivered by an earlier run; in refresh mode, pass a changed one
    on as an update (``is_update``) and drop an unchanged one.

    Recording deliveries is the export pipeline's job (two-phase, around its atomic rename);
    this pipeline only reads the store, and claims each article it lets through for this
    run's next batch: with the shared Redis store an article another worker is delivering right
    now is dropped here (with SQLite one run owns the state and every claim is granted). It
    steps aside, like the export pipeline, when feeds were given with ``-o``/``-O``: state
    governs the output folder's delivery stream.

    Settings: ``STATE_ENABLED`` (default ``True``), ``STATE_BACKEND`` (``sqlite``/``redis``),
    ``STATE_DIR`` (``state``), ``STATE_FILE``, ``STATE_REFRESH_DAYS`` (``0``: off). Stats:
    ``state/known_dropped``, ``state/unchanged``, ``state/updated``, ``state/new``,
    ``state/claimed_elsewhere``.
    """

    def __init__(self, crawler: Crawler, store: Store) -> None:
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
        article_id = str(adapter.get("article_id"))
        known = self.store.known_hash(article_id)
        if known is None:
            self._claim(adapter, None)
            stats.inc_value("state/new")
            return item
        if self.refresh and known[0] != content_hash(adapter.asdict()):
            self._claim(adapter, known[0])
            stats.inc_value("state/updated")
            adapter["is_update"] = True
            return item
        if self.refresh:
            self.store.touch(str(adapter["article_id"]))
            stats.inc_value("state/unchanged")
        stats.inc_value("state/known_dropped")
        raise DropItem(f"already delivered: {adapter.get('article_id')} {adapter.get('url')}")

    def _claim(self, adapter: ItemAdapter, seen: bytes | None) -> None:
        if not self.store.claim(str(adapter.get("article_id")), seen):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("state/claimed_elsewhere")
            raise DropItem(f"being delivered by another worker: {adapter.get('article_id')} {adapter.get('url')}")

    def close_spider(self) -> None:
        self.store.close()
