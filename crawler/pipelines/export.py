"""JSON Lines export in atomic batches, through Scrapy's :class:`JsonLinesItemExporter`."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.signals import batch_published

logger = logging.getLogger(__name__)

PART_SUFFIX = ".part"


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ExportPipeline:
    """Write items as JSON Lines into new files of their own, never appending to old ones.

    Each run writes ``<EXPORT_DIR>/alinea-<run id>-<NNNN>.jsonl``. A batch is written under a
    hidden temporary name (``.<name>.part``), flushed to disk and published by an atomic rename
    every ``EXPORT_BATCH_ITEMS`` items and at close, so a reader never sees a half-written file
    and a crash loses at most the batch in progress. Each publish sends
    :data:`crawler.signals.batch_published`.

    Settings:

    * ``EXPORT_ENABLED``: ``True``/``False``; default ``None`` means "on unless the command line
      gave feeds (``-o``/``-O``)", so ``scrapy crawl alinea -O out.jsonl`` writes only ``out.jsonl``.
    * ``EXPORT_DIR`` (default ``output``), ``EXPORT_BATCH_ITEMS`` (default ``500``; ``0``: one
      file at close), ``EXPORT_PREFIX`` (default ``alinea``).

    Stats: ``export/items``, ``export/files``.
    """

    def __init__(self, crawler: Crawler, directory: Path, batch_items: int, prefix: str) -> None:
        self.crawler = crawler
        self.directory = directory
        self.batch_items = batch_items
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.run_id = f"{stamp}-{secrets.token_hex(3)}"
        self.prefix = prefix
        self.batch_no = 0
        self.items: list[Any] = []
        self.file: IO[bytes] | None = None
        self.exporter: JsonLinesItemExporter | None = None
        self.published: list[Path] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        settings = crawler.settings
        cmdline_feeds = bool(settings.getdict("FEEDS")) and (settings.getpriority("FEEDS") or 0) >= SETTINGS_PRIORITIES["cmdline"]
        explicit = settings.get("EXPORT_ENABLED")
        if not (not cmdline_feeds if explicit is None else settings.getbool("EXPORT_ENABLED")):
            raise NotConfigured("EXPORT_ENABLED is off, or feeds were given with -o/-O")
        directory = Path(settings.get("EXPORT_DIR", "output")).expanduser()
        return cls(crawler, directory, settings.getint("EXPORT_BATCH_ITEMS", 500), settings.get("EXPORT_PREFIX", "alinea"))

    @property
    def current_name(self) -> str:
        return f"{self.prefix}-{self.run_id}-{self.batch_no:04d}.jsonl"

    def open_spider(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def _start_batch(self) -> None:
        self.batch_no += 1
        self.file = (self.directory / f".{self.current_name}{PART_SUFFIX}").open("wb")
        self.exporter = JsonLinesItemExporter(self.file, encoding="utf-8", ensure_ascii=False)  # type: ignore[arg-type]
        self.exporter.start_exporting()

    def process_item(self, item: Any) -> Any:
        if self.exporter is None:
            self._start_batch()
        assert self.exporter is not None
        self.exporter.export_item(item)
        self.items.append(item)
        if self.batch_items and len(self.items) >= self.batch_items:
            self.publish()
        return item

    def publish(self) -> Path | None:
        """Make the batch in progress durable and visible; tell the state store."""
        if self.file is None or self.exporter is None:
            return None
        self.exporter.finish_exporting()
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        final = self.directory / self.current_name
        os.replace(self.directory / f".{self.current_name}{PART_SUFFIX}", final)
        fsync_dir(self.directory)
        items, self.items = self.items, []
        self.file, self.exporter = None, None
        self.published.append(final)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("export/items", len(items))
        stats.inc_value("export/files")
        logger.info("published %d articles to %s", len(items), final)
        self.crawler.signals.send_catch_log(signal=batch_published, items=items, path=final)
        return final

    def close_spider(self) -> None:
        self.publish()
