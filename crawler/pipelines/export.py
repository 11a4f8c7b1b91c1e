"""JSON Lines export in atomic batches, through Scrapy's :class:`JsonLinesItemExporter`."""

from __future__ import annotations

import logging
import os
import secrets
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.utils.defer import deferred_from_coro

from crawler.items import CONTRACT_FIELDS
from crawler.signals import batch_published
from crawler.state.backends import Store, open_store
from crawler.state.store import StateError

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
    and a crash loses at most the batch in progress. Around the rename the state store records
    the batch (pending before, delivered after: see :mod:`crawler.state.store`), so an article
    is delivered exactly once. Each publish sends :data:`crawler.signals.batch_published`.

    Settings:

    * ``EXPORT_ENABLED``: ``True``/``False``; default ``None`` means "on unless the command line
      gave feeds (``-o``/``-O``)", so ``scrapy crawl alinea -O out.jsonl`` writes only ``out.jsonl``.
    * ``EXPORT_DIR`` (default ``output``), ``EXPORT_BATCH_ITEMS`` (default ``500``; ``0``: one
      file at close), ``EXPORT_PREFIX`` (default ``alinea``).
    * ``EXPORT_PROVENANCE`` (default ``False``): add the ``_meta`` key (extraction provenance).
    * ``STATE_ENABLED``, ``STATE_BACKEND``, ``STATE_DIR``, ``STATE_FILE``: the state store (see
      ``StatePipeline``). A batch the store refuses (Redis: this worker lost its lease or a claim
      to another worker) is discarded unpublished and the run stops (reason ``state_refused``).

    Stats: ``export/items``, ``export/files``, ``export/refused``.
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
        settings = crawler.settings
        self.fields = list(CONTRACT_FIELDS)
        if settings.getfloat("STATE_REFRESH_DAYS", 0) > 0:
            self.fields.append("is_update")
        if settings.getbool("EXPORT_PROVENANCE"):
            self.fields.append("_meta")
        self.crash_at = settings.get("EXPORT_CRASH_AT")
        self.store: Store | None = None
        if settings.getbool("STATE_ENABLED", True):
            self.store = open_store(settings, export_dir=directory)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        settings = crawler.settings
        if not export_enabled(settings):
            raise NotConfigured("EXPORT_ENABLED is off, or feeds were given with -o/-O")
        directory = Path(settings.get("EXPORT_DIR", "output")).expanduser()
        return cls(crawler, directory, settings.getint("EXPORT_BATCH_ITEMS", 500), settings.get("EXPORT_PREFIX", "alinea"))

    @property
    def current_name(self) -> str:
        return f"{self.prefix}-{self.run_id}-{self.batch_no:04d}.jsonl"

    def open_spider(self) -> None:
        """Settle what a crashed run left: leftover temporary files go, pending batches are
        committed (file published) or rolled back (file never published)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for leftover in self.directory.glob(f".*{PART_SUFFIX}"):
            logger.warning("removing %s, left by an interrupted run (its articles will be fetched again)", leftover)
            leftover.unlink()
        if self.store is not None:
            committed, rolled_back = self.store.recover(self.directory)
            if committed or rolled_back:
                logger.warning("recovered an interrupted run: %d batch(es) committed, %d rolled back", committed, rolled_back)

    def _start_batch(self) -> None:
        self.batch_no += 1
        self.file = (self.directory / f".{self.current_name}{PART_SUFFIX}").open("wb")
        self.exporter = JsonLinesItemExporter(
            self.file,  # type: ignore[arg-type]
            encoding="utf-8",
            ensure_ascii=False,
            fields_to_export=self.fields,
        )
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
        items, self.items = self.items, []
        if self.store is not None:
            try:
                self.store.begin_batch(final.name, (ItemAdapter(item).asdict() for item in items))
            except StateError as error:
                self._refuse(error, len(items))
                return None
        self._crash_point("before-rename")
        os.replace(self.directory / f".{self.current_name}{PART_SUFFIX}", final)
        fsync_dir(self.directory)
        self._crash_point("after-rename")
        self.file, self.exporter = None, None
        if self.store is not None:
            try:
                self.store.commit_batch(final.name)
            except StateError as error:  # published, still pending: this worker's next start commits it
                logger.error("%s is published but not yet recorded as delivered (%s); the next run records it", final, error)
                self._stop()
        self.published.append(final)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("export/items", len(items))
        stats.inc_value("export/files")
        logger.info("published %d articles to %s", len(items), final)
        self.crawler.signals.send_catch_log(signal=batch_published, items=items, path=final)
        return final

    def _refuse(self, error: StateError, count: int) -> None:
        """The store would not record the batch: publishing it could deliver its articles twice."""
        (self.directory / f".{self.current_name}{PART_SUFFIX}").unlink(missing_ok=True)
        self.file, self.exporter = None, None
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("export/refused", count)
        logger.error("%d articles not published: %s; they will be delivered by whoever holds them, or fetched again", count, error)
        self._stop()

    def _stop(self) -> None:
        """The state cannot follow: stop the run (``state_refused``) rather than go on blind."""
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="state_refused"))

    def _crash_point(self, point: str) -> None:
        """Test hook: ``EXPORT_CRASH_AT=<point>:<batch no>`` kills the process right there, the
        way a power cut would, so tests can prove recovery from the worst moments."""
        if self.crash_at == f"{point}:{self.batch_no}":
            os.kill(os.getpid(), signal.SIGKILL)

    def close_spider(self) -> None:
        self.publish()
        if self.store is not None:
            self.store.close()


def export_enabled(settings: Settings) -> bool:
    """``EXPORT_ENABLED``, or by default: on unless feeds came from the command line."""
    explicit = settings.get("EXPORT_ENABLED")
    if explicit is not None:
        return settings.getbool("EXPORT_ENABLED")
    cmdline_feeds = bool(settings.getdict("FEEDS")) and (settings.getpriority("FEEDS") or 0) >= SETTINGS_PRIORITIES["cmdline"]
    return not cmdline_feeds
