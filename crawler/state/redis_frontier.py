"""The shared frontier: scrapy-redis' scheduler and dupefilter, fitted to Scrapy 2.19 and to
workers that come and go.

``scrapy crawl`` switches to these when ``STATE_BACKEND = "redis"`` (see
:meth:`crawler.state.redis_lock.RedisRunLock.crawl_settings`): every worker pushes the requests
it discovers into one Redis priority queue and pops from it, and one Redis set of request
fingerprints (scrapy-redis' ``RFPDupeFilter``) keeps two workers from fetching the same page.

What scrapy-redis 0.9.1 needs here, and why:

* its scheduler passes ``spider=`` to ``StatsCollector.inc_value()``, deprecated by Scrapy 2.19
  (and to be removed): :class:`Scheduler` counts without it;
* a request that cannot be pickled is lost without a word by scrapy-redis (the error ends in an
  unretrieved asyncio task, the run exits 0): :class:`Scheduler` logs it with its URL and counts
  it (``scheduler/unserializable``). The spider keeps its requests serializable when the
  frontier is shared (no ``Response`` objects in ``cb_kwargs``);
* ``SCHEDULER_PERSIST`` must be on: without it the first worker to finish deletes the queue and
  dupefilter under the others. With it the dupefilter outlives the session; the worker that
  starts a new session empties it (:mod:`crawler.state.redis_lock`);
* a worker closes as soon as the shared queue is empty, even while another worker is about to
  push the next listing page's articles: :class:`FrontierPresence` keeps it open while another
  worker of the frontier is busy.

Requests are pickled (scrapy-redis' default serializer): the Redis must be private to the crawler.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import redis
import scrapy_redis.scheduler
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy.utils.asyncio import create_looping_call

from crawler.state.backends import shares_frontier, worker_id
from crawler.state.redis_store import connect, keys_for

logger = logging.getLogger(__name__)

BUSY_INTERVAL = 1.0
"""Seconds between two reports of whether this worker is crawling."""
BUSY_TTL_MS = 5_000
"""A busy flag not renewed (the worker died) lapses after this long."""


class Scheduler(scrapy_redis.scheduler.Scheduler):
    """``scrapy_redis.scheduler.Scheduler`` without its Scrapy 2.19 deprecations, and loud
    about requests it cannot share."""

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        try:
            self.queue.push(request)
        except Exception as error:
            logger.error("request %s cannot be shared through Redis and is dropped: %s", request, error)
            self._inc("scheduler/unserializable")
            return False
        self._inc("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        try:
            request: Request | None = self.queue.pop(self.idle_before_close)
        except redis.RedisError:
            raise  # Redis itself failing is not one bad request
        except Exception as error:
            logger.error("a request in the shared queue cannot be read and is dropped: %s", error)
            self._inc("scheduler/unreadable")
            return None
        if request is not None:
            self._inc("scheduler/dequeued/redis")
        return request

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


class FrontierPresence:
    """Keep this worker open while another worker of its frontier is still crawling.

    Every second a worker flags itself busy in Redis (``<prefix>:busy:<worker>``, lapsing after
    5 s) while its engine has work; when its own engine goes idle it stays open (checking again
    every engine heartbeat, 5 s) as long as another member of the frontier is flagged, since
    that one may yet push requests to the shared queue. Dead workers' flags lapse, so nobody
    waits for them.

    Enabled by ``scrapy crawl`` with ``STATE_BACKEND = "redis"``; reads ``STATE_WORKER_ID``,
    ``STATE_REDIS_FRONTIER``, ``STATE_REDIS_URL``, ``STATE_REDIS_PREFIX``. Stats:
    ``frontier/idle_waits``.
    """

    def __init__(self, crawler: Crawler, client: Any, frontier: str) -> None:
        self.crawler = crawler
        self.client = client
        self.keys = keys_for(crawler.settings)
        self.worker = worker_id(crawler.settings)
        self.members = f"{self.keys.frontier(frontier)}:members"
        self.flagged = True  # the lock flagged this worker "starting"
        self.loop: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierPresence:
        settings = crawler.settings
        frontier = settings.get("STATE_REDIS_FRONTIER")
        if not shares_frontier(settings) or not frontier:
            raise NotConfigured("no shared frontier (STATE_BACKEND is not redis, or the run did not join one)")
        extension = cls(crawler, connect(settings), frontier)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.loop = create_looping_call(self.beat)
        self.loop.start(BUSY_INTERVAL, now=True)

    def beat(self) -> None:
        engine = self.crawler.engine
        try:
            idle = engine is None or engine.spider_is_idle()
        except RuntimeError:  # no slot: opening or closing
            return
        try:
            if not idle:
                self.client.set(self.keys.busy(self.worker), "crawling", px=BUSY_TTL_MS)
                self.flagged = True
            elif self.flagged:
                self.client.delete(self.keys.busy(self.worker))
                self.flagged = False
        except redis.RedisError as error:
            logger.warning("could not report this worker's activity to Redis: %s", error)

    def busy_others(self) -> list[str]:
        others = [m for m in self.client.smembers(self.members) if m != self.worker]
        return [m for m in others if self.client.exists(self.keys.busy(m))]

    def spider_idle(self) -> None:
        try:
            self.client.delete(self.keys.busy(self.worker))
            self.flagged = False
            busy = self.busy_others()
        except redis.RedisError as error:
            logger.warning("could not ask Redis whether other workers are busy, closing: %s", error)
            return
        if busy:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("frontier/idle_waits")
            logger.debug("shared queue empty, but %s still crawling: waiting for their requests", ", ".join(busy))
            raise DontCloseSpider

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        with contextlib.suppress(redis.RedisError):
            self.client.delete(self.keys.busy(self.worker))
        self.client.close()
