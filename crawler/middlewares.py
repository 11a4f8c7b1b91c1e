"""Downloader middleware of this project: staying on the site, and retries that honour the
server's ``Retry-After``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet.task import deferLater

from crawler.urls import CANONICAL_ORIGIN, is_site_url

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date).

    >>> retry_after_seconds(b"5"), retry_after_seconds("0"), retry_after_seconds(None), retry_after_seconds("soon")
    (5.0, 0.0, None, None)
    >>> retry_after_seconds("Thu, 26 Nov 2026 06:00:10 GMT", now=datetime(2026, 11, 26, 6, 0, 0, tzinfo=UTC))
    10.0
    """
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's ``RetryMiddleware``, waiting as long as a 429/503's ``Retry-After`` asks before
    retrying (up to ``RETRY_AFTER_MAX`` seconds, default 60; a longer wait is not waited for:
    the request is retried as usual and, failing that, fetched again next run).

    Replaces ``scrapy.downloadermiddlewares.retry.RetryMiddleware`` in ``DOWNLOADER_MIDDLEWARES``.
    Stats: ``retry_after/waited`` (count), ``retry_after/seconds`` (total).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 60.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After")) if response.status in (429, 503) else None
        if wait is not None and 0 < wait <= self.max_wait:
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value("retry_after/waited")
            stats.inc_value("retry_after/seconds", round(wait))
            logger.debug("%s answered %d with Retry-After %.1fs: waiting", request.url, response.status, wait)
            from twisted.internet import reactor  # the one Scrapy installed; importing it earlier would install one

            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        return self._retry(request, response_status_message(response.status)) or response


class SiteOnlyMiddleware:
    """Never download anything outside alinea.id and ``ALINEA_BASE_URL``, whatever the request
    (``dont_filter`` included, which Scrapy's own ``OffsiteMiddleware`` lets through, and the
    redirects it inherits to). The request fails through its errback, so the spider logs and
    counts the article as failed instead of losing it silently.

    Stats: ``site_only/refused``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.base_url = crawler.settings.get("ALINEA_BASE_URL", CANONICAL_ORIGIN)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteOnlyMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if is_site_url(request.url, self.base_url):
            return
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("site_only/refused")
        origin = (request.meta.get("redirect_urls") or [request.url])[0]
        raise IgnoreRequest(f"refused to leave the site: {request.url} (reached from {origin})")
