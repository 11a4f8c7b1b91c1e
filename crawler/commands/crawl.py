"""``scrapy crawl``, plus what cron needs: one run at a time and meaningful exit statuses.

Everything else is Scrapy's own ``crawl`` command (``-o``, ``-O``, ``-s``, ``-a`` …).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.pipelines.export import export_enabled
from crawler.state.lock import RunLock
from crawler.state.store import StateError, open_store, state_path

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (one run at a time; exit status tells cron how it went)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl alinea")
        assert self.settings is not None and self.crawler_process is not None
        settings = self.settings
        lock = RunLock(state_path(settings).parent)
        if not lock.acquire():
            print(f"another `scrapy crawl` run (pid {lock.holder()}) holds {lock.path}; this run exits without crawling")
            self.exitcode = exitcodes.LOCKED
            return
        try:
            if settings.getbool("STATE_ENABLED", True) and export_enabled(settings):
                try:
                    open_store(settings, export_dir=Path(settings.get("EXPORT_DIR", "output"))).close()
                except StateError as error:
                    print(f"state error: {error}")
                    self.exitcode = exitcodes.STATE_ERROR
                    return
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
            if self.crawler_process.bootstrap_failed or crawler.stats is None:
                self.exitcode = exitcodes.ERROR
            else:
                self.exitcode = exitcodes.exit_status(crawler.stats.get_stats())
        finally:
            lock.release()
