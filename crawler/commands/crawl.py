"""``scrapy crawl``, plus what cron needs: one run at a time and meaningful exit statuses.

The lock and the store come from the configured backend (``STATE_BACKEND``): with Redis the
lock is this worker's lease, and taking it joins the spider's shared frontier, whose settings
(scrapy-redis scheduler, dupefilter, keys) are applied here before the crawler is built. Under
scrapyd, relative state and output folders default to a stable per-user folder
(:func:`crawler.state.backends.deploy_defaults`). Everything else is Scrapy's own ``crawl``
command (``-o``, ``-O``, ``-s``, ``-a`` …).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.pipelines.export import export_enabled
from crawler.state.backends import crawl_settings, deploy_defaults, open_store, run_lock
from crawler.state.store import StateError

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider (one run at a time; exit status tells cron how it went)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider: scrapy crawl alinea")
        assert self.settings is not None and self.crawler_process is not None
        settings = self.settings
        deploy_defaults(settings, opts.spargs)
        try:
            lock = run_lock(settings, args[0], opts.spargs)
            acquired = lock.acquire()
        except StateError as error:
            print(f"state error: {error}")
            self.exitcode = exitcodes.STATE_ERROR
            return
        if not acquired:
            print(f"another `scrapy crawl` run (pid {lock.holder()}) holds {lock.path}; this run exits without crawling")
            self.exitcode = exitcodes.LOCKED
            return
        try:
            for name, value in crawl_settings(lock).items():
                if isinstance(value, dict):  # a component dict: add to it, per key
                    for key, order in value.items():
                        settings[name].set(key, order, priority="project")
                else:
                    settings.set(name, value, priority="project")
            if settings.getbool("STATE_ENABLED", True) and export_enabled(settings):
                try:
                    # the one full integrity check of the run; the components open the store without it
                    open_store(settings, export_dir=Path(settings.get("EXPORT_DIR", "output")), check=True).close()
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
                stats = crawler.stats.get_stats()
                if crawler.settings.get("STATE_REDIS_FRONTIER") and not stats.get("alinea/listing_failed"):
                    # on a shared frontier any worker may read the listings: one that read none and
                    # saw none fail did its part
                    stats = {key: value for key, value in stats.items() if key != "alinea/discovery"}
                self.exitcode = exitcodes.exit_status(stats)
                if self.exitcode == exitcodes.OK and stats.get("export/refused"):
                    self.exitcode = exitcodes.CUT_SHORT  # the store refused a batch: not all was delivered
        finally:
            lock.release()
