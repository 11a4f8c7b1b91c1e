"""The alinea.id spider: discovers articles and decides what to fetch; extraction does the rest.

Modes (spider arguments):

* latest (default): the newest articles from ``/rss``, ``/indeks`` and the ``/more`` stream,
  a bounded number of listing pages deep, stopping early where a page brings nothing new;
* backfill: ``-a since=YYYY-MM-DD [-a until=YYYY-MM-DD]`` reads the sitemaps (when the site has
  them) down to ``since``'s month and walks the streams back to ``since``. With sitemaps the
  streams are a safety net for articles the sitemaps do not list (yet): their next pages wait
  until every sitemap has loaded, and a stream stops at a page whose articles the sitemaps all
  listed; without sitemaps, or if one failed to load, they walk back to ``since``;
* ``-a section=SLUG[,SLUG]`` limits either mode to sections;
* ``-a urls=URL[,URL...]`` scrapes exactly those article pages and nothing else.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import FormRequest, HtmlResponse, Request, Response, TextResponse, XmlResponse
from twisted.python.failure import Failure

from crawler.extraction import ExtractionError, NotAnArticle, extract_article, pagination_urls
from crawler.extraction.dates import find_date, parse_indonesian_datetime
from crawler.signals import article_extracted
from crawler.state.backends import Store, existing_store, open_store, shares_frontier
from crawler.urls import ArticleRef, article_request_url, parse_article_url, to_base

TOKEN_RE = re.compile(r"""["']_token["']\s*[:=]\s*["']([^"']{8,200})["']""")
TOKEN_META_CSS = "meta[name=csrf-token]::attr(content), input[name=_token]::attr(value)"
MORE_STEP = 10
LISTING_LINKS_XPATH = (
    "//a[not(ancestor::aside) and not(ancestor::*[contains(@class, 'sidebar') or contains(@class, 'popular')"
    " or contains(@class, 'populer') or contains(@class, 'trending') or contains(@class, 'widget')])]/@href"
)
"""A listing's own links: the stop test of a stream ignores the sidebar's "most popular" and
"latest" boxes, which link the newest articles from every page of every listing."""
SITEMAP_LOC_RE = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")
SITEMAP_PRIORITY = -1
"""A sitemap waits for the articles already queued: each lists hundreds of articles, so the
sitemaps are read a few at a time (as many as there are free download slots), which keeps the
queue to a few sitemaps' worth of requests instead of the whole site."""
STREAM_WAIT_PRIORITY = -10
"""Backfill: while sitemaps are loading, a stream's next page waits behind them and the articles
they list, so that its stop test sees their whole list (and the streams do not queue the site a
second time meanwhile)."""
PART_PRIORITY = 1
"""An article's next ``?page=N`` part goes before new articles: its request carries the parts
so far (whole responses) and should not wait in the queue behind a long frontier."""


def failure_reason(failure: Failure) -> str:
    """``HttpError 503``, ``TimeoutError: …``: what went wrong with a request, in one phrase."""
    response = getattr(failure.value, "response", None)
    name = failure.type.__name__ if failure.type else "Error"
    if response is not None:
        return f"{name} (HTTP {response.status})"
    message = failure.getErrorMessage()
    return f"{name}: {message}" if message else name


def part_data(response: TextResponse) -> dict[str, Any]:
    """An article part as plain data (picklable, for a shared request queue)."""
    kind = "html" if isinstance(response, HtmlResponse) else "xml" if isinstance(response, XmlResponse) else "text"
    return {"kind": kind, "url": response.url, "status": response.status, "encoding": response.encoding, "body": response.body}


def part_response(part: TextResponse | dict[str, Any]) -> TextResponse:
    """The response :func:`part_data` described (a response stays as it is)."""
    if isinstance(part, TextResponse):
        return part
    cls = {"html": HtmlResponse, "xml": XmlResponse}.get(part["kind"], TextResponse)
    url = part["url"]
    return cls(url=url, status=part["status"], body=part["body"], encoding=part["encoding"], request=Request(url))


def session_cookies(response: Response) -> dict[str, str]:
    """The cookies a browser would send after ``response``: those of its request, updated by
    its ``Set-Cookie`` headers."""
    jar = SimpleCookie()
    for header in response.request.headers.getlist("Cookie") if response.request is not None else []:
        jar.load(header.decode("latin-1"))
    for header in response.headers.getlist("Set-Cookie"):
        jar.load(header.decode("latin-1"))
    return {name: morsel.value for name, morsel in jar.items()}


def _date_arg(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"-a {name}= must be YYYY-MM-DD, got {value!r}") from error


class AlineaSpider(scrapy.Spider):
    name = "alinea"

    def __init__(
        self,
        urls: str | None = None,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.urls = [u.strip() for u in (urls or "").split(",") if u.strip()]
        self.since = _date_arg(since, "since")
        self.until = _date_arg(until, "until")
        self.mode = mode or ("backfill" if self.since else "latest")
        if self.mode not in ("latest", "backfill"):
            raise ValueError(f"-a mode= must be latest or backfill, got {mode!r}")
        self.sections = {s.strip() for s in (section or "").split(",") if s.strip()}
        self.scheduled: set[str] = set()
        self.stream_ids: dict[str, set[str]] = {}  # article ids each listing stream has shown
        self.sitemap_ids: set[str] = set()  # article ids the sitemaps listed (backfill)
        self.sitemaps_pending: set[str] = set()  # sitemaps requested and not loaded or failed yet
        self.sitemaps_failed = False  # a sitemap did not load: the streams must not rely on them
        self.base_url = "https://www.alinea.id"
        self.allowed_domains = ["alinea.id", "www.alinea.id"]
        self.max_listing_pages = 5
        self.max_parts = 20
        self.store: Store | None = None  # delivered articles of earlier runs (read only here)
        self.refresh_seconds = 0.0
        self.portable = False  # requests go through a shared (Redis) queue: plain data only

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> AlineaSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.base_url = settings.get("ALINEA_BASE_URL", spider.base_url).rstrip("/")
        # OffsiteMiddleware drops any request (redirects included) to another host
        spider.allowed_domains = sorted({"alinea.id", "www.alinea.id", urlsplit(spider.base_url).hostname or "alinea.id"})
        key = "ALINEA_BACKFILL_MAX_PAGES" if spider.mode == "backfill" else "ALINEA_LISTING_MAX_PAGES"
        spider.max_listing_pages = settings.getint(key)
        spider.max_parts = settings.getint("ALINEA_MAX_PAGE_PARTS", 20)
        if settings.getbool("STATE_ENABLED", True):
            spider.store = existing_store(settings)
            if spider.store is not None:
                spider.refresh_seconds = settings.getfloat("STATE_REFRESH_DAYS", 0) * 86400
        spider.portable = shares_frontier(settings)
        return spider

    def closed(self, reason: str) -> None:
        if self.store is not None:
            self.store.close()

    # --- start ----------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.urls:
            for url in self.urls:
                if parse_article_url(url) is None or to_base(url, self.base_url) is None:
                    self.logger.error("not an alinea.id article URL, skipped: %s", url)
                    self._inc("alinea/bad_url_argument")
                    continue
                for request in self.article_requests([url], as_given=True):
                    yield request
            return
        base = self.base_url
        self._inc("alinea/discovery")
        if self.store is not None:  # what earlier runs could not deliver comes first
            settings = self.crawler.settings
            retries = self.store.retry_paths(settings.getint("STATE_RETRY_ATTEMPTS", 5), settings.getfloat("STATE_RETRY_DAYS", 7))
            for request in self.article_requests([base + path for path in retries]):
                self._inc("alinea/retried_from_earlier_runs")
                yield request
        yield Request(f"{base}/rss", callback=self.parse_feed, errback=self.listing_failed, priority=10)
        if self.sections:
            for section in sorted(self.sections):
                yield Request(
                    f"{base}/{section}", callback=self.parse_listing, errback=self.listing_failed, cb_kwargs={"stream": section, "depth": 1}
                )
        else:
            yield Request(
                f"{base}/indeks", callback=self.parse_listing, errback=self.listing_failed, cb_kwargs={"stream": "indeks", "depth": 1}
            )
        # a shared frontier's dupefilter is fresh each session: the home page (and its /more stream) once per session
        yield Request(f"{base}/", callback=self.parse_home, errback=self.listing_failed, dont_filter=not self.portable)
        if self.mode == "backfill":
            yield self.sitemap_request(f"{base}/sitemap.xml", 0)

    # --- listings ---------------------------------------------------------------------------------

    def parse_feed(self, response: Response) -> Iterator[Request]:
        """``/rss``: RSS 2.0 ``<item><link>``s (also Atom ``<link href>``)."""
        if not isinstance(response, TextResponse):
            return
        self._inc("alinea/listing_ok")
        # parsel's XML parser never resolves entities nor touches the network (no XXE, no billion laughs)
        selector = scrapy.Selector(text=response.text, type="xml", huge_tree=False)
        selector.remove_namespaces()
        links = selector.xpath("//item/link/text() | //item/guid/text() | //entry/link/@href").getall()
        self._inc("alinea/feed_links", len(links))
        yield from self.article_requests(links)

    def parse_listing(self, response: Response, stream: str, depth: int) -> Iterator[Request]:
        """``/indeks``, section pages: every article link, then the next page while it brings new ones."""
        if not isinstance(response, TextResponse):
            return
        self._inc("alinea/listing_ok")
        refs = self.article_refs(response.xpath("//a/@href").getall(), response.url)
        yield from self.requests_for(refs)
        stop = self.stream_stop(stream, self.article_refs(response.xpath(LISTING_LINKS_XPATH).getall(), response.url, count=False))
        if stop:
            self.logger.info("listing %s page %d: %s; stream stops", stream, depth, stop)
            return
        if self._all_older_than_since(response):
            return
        if depth >= self.max_listing_pages:
            self.logger.info("listing %s: depth limit (%d pages) reached", stream, self.max_listing_pages)
            self._inc("alinea/listing_depth_limit")
            return
        next_url = self._next_page(response, depth)
        if next_url:
            yield Request(
                next_url,
                callback=self.parse_listing,
                errback=self.listing_failed,
                cb_kwargs={"stream": stream, "depth": depth + 1},
                priority=self.stream_priority(),
            )

    def _next_page(self, response: TextResponse, depth: int) -> str | None:
        candidates = response.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href").getall()
        for href in response.xpath("//a/@href").getall():
            match = re.search(r"[?&]page=(\d+)", href)
            if match and int(match.group(1)) == depth + 1:
                candidates.append(href)
        for href in candidates:
            url = to_base(href, self.base_url, response.url)
            if url and not parse_article_url(url):
                return url
        return None

    def parse_home(self, response: Response) -> Iterator[Request]:
        """Home page: its cards, and the ``_token`` that the ``/more`` stream needs."""
        if not isinstance(response, TextResponse):
            return
        self._inc("alinea/listing_ok")
        yield from self.article_requests(response.xpath("//a/@href").getall(), base=response.url)
        token = response.css(TOKEN_META_CSS).get()
        match = TOKEN_RE.search(response.text)
        token = token or (match.group(1) if match else None)
        if not token:
            self.logger.warning("no _token on the home page: the /more stream is skipped")
            self._inc("alinea/more_no_token")
            return
        session = session_cookies(response) if self.portable else None
        for category in sorted(self.sections) or [""]:
            yield self.more_request(token, MORE_STEP, category, session)

    def more_request(self, token: str, offset: int, category: str, session: dict[str, str] | None = None) -> FormRequest:
        """``POST /more``. The token is bound to the home page's session cookie: with a shared
        frontier another worker may send it, so the cookies travel with the request (in a jar of
        their own, so they do not replace that worker's session)."""
        extra: dict[str, Any] = {}
        if session is not None:
            extra = {"cookies": session, "meta": {"cookiejar": f"more-{token[:16]}"}}
        return FormRequest(
            f"{self.base_url}/more",
            formdata={"_token": token, "next": str(offset), "categorynext": category},
            headers={"X-Requested-With": "XMLHttpRequest"},
            callback=self.parse_more,
            errback=self.listing_failed,
            cb_kwargs={"token": token, "offset": offset, "category": category, "session": session},
            dont_filter=True,
            priority=self.stream_priority(),
            **extra,
        )

    def parse_more(
        self, response: Response, token: str, offset: int, category: str, session: dict[str, str] | None = None
    ) -> Iterator[Request]:
        """``POST /more`` fragment: cards; the next offset while it brings new articles."""
        if not isinstance(response, TextResponse):
            return
        self._inc("alinea/listing_ok")
        refs = self.article_refs(response.xpath("//a/@href").getall(), response.url)
        yield from self.requests_for(refs)
        stop = self.stream_stop(
            f"more:{category}", self.article_refs(response.xpath(LISTING_LINKS_XPATH).getall(), response.url, count=False)
        )
        depth = offset // MORE_STEP
        if stop:
            self.logger.info("/more %r at offset %d: %s; stream stops", category, offset, stop)
        elif depth >= self.max_listing_pages:
            self.logger.info("/more %r: depth limit (%d pages) reached", category, self.max_listing_pages)
            self._inc("alinea/listing_depth_limit")
        elif not self._all_older_than_since(response):
            yield self.more_request(token, offset + MORE_STEP, category, session)

    def sitemap_request(self, url: str, depth: int) -> Request:
        """A sitemap to read, counted as pending until it has loaded or failed."""
        self.sitemaps_pending.add(url)
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.optional_failed,
            cb_kwargs={"depth": depth},
            meta={"sitemap": url},
            priority=SITEMAP_PRIORITY,
        )

    def parse_sitemap(self, response: Response, depth: int) -> Iterator[Request]:
        """``sitemap.xml`` (index or urlset), used when present; the article ids it lists are
        remembered for the streams' stop test."""
        if response.status != 200 or not isinstance(response, TextResponse):
            self.sitemaps_failed = True
        else:
            yield from self._sitemap_entries(response.text, depth)
        if response.request is not None:  # after the sitemaps it lists are pending
            self.sitemaps_pending.discard(response.request.meta.get("sitemap"))

    def _sitemap_entries(self, text: str, depth: int) -> Iterator[Request]:
        locations = SITEMAP_LOC_RE.findall(text)
        articles = {loc for loc in locations if parse_article_url(loc)}
        refs = self.article_refs([loc for loc in locations if loc in articles])
        self.sitemap_ids.update(ref.article_id for _, ref in refs)
        yield from self.requests_for(refs)
        if depth >= 2:
            return
        for loc in locations:
            if loc in articles or not loc.endswith(".xml"):
                continue
            month = re.search(r"(\d{4})-(\d{2})", loc)
            if month and self.since and (int(month.group(1)), int(month.group(2))) < (self.since.year, self.since.month):
                continue
            url = to_base(loc, self.base_url)
            if url:
                yield self.sitemap_request(url, depth + 1)

    def _all_older_than_since(self, response: TextResponse) -> bool:
        """Backfill: every dated card on the page is older than ``since``."""
        if not self.since:
            return False
        moments = (parse_indonesian_datetime(t, require_time=False) for t in response.xpath("//text()").getall() if find_date(t))
        days = [m.date() for m in moments if m is not None]
        return bool(days) and max(days) < self.since

    # --- articles -------------------------------------------------------------------------------

    def article_refs(self, links: list[str], base: str | None = None, count: bool = True) -> list[tuple[str, ArticleRef]]:
        """``(url on ALINEA_BASE_URL, article)`` for each article a page links to, once per
        article, in page order; off-site links are dropped and counted."""
        found: dict[str, tuple[str, ArticleRef]] = {}
        for link in links:
            url = to_base(link, self.base_url, base)
            if url is None:
                if count:
                    self._inc("alinea/offsite_links_dropped")
                continue
            ref = parse_article_url(url)
            if ref is not None and (not self.sections or ref.section in self.sections):
                found.setdefault(ref.article_id, (url, ref))
        return list(found.values())

    def article_requests(self, links: list[str], base: str | None = None, as_given: bool = False) -> Iterator[Request]:
        yield from self.requests_for(self.article_refs(links, base), as_given)

    def requests_for(self, refs: list[tuple[str, ArticleRef]], as_given: bool = False) -> Iterator[Request]:
        """One request per article not scheduled yet in this run (by id, so URL variants count
        once) and not delivered by an earlier run.

        Discovered links are fetched at their canonical path on ``ALINEA_BASE_URL``; with
        ``as_given`` (``-a urls=``) the path is kept as given (AMP included), minus query and fragment.
        """
        for url, ref in refs:
            if ref.article_id in self.scheduled:
                continue
            if not as_given and self._known(ref.article_id):
                self._inc("state/skipped_known")
                continue
            self.scheduled.add(ref.article_id)
            self._inc("alinea/articles_scheduled")
            target = url.split("?", 1)[0] if as_given else article_request_url(ref, self.base_url)
            yield Request(
                target,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"ref": ref, "parts": ()},
                meta={"article_id": ref.article_id},
                # the spider dedups articles by id; the request dupefilter would silently drop a
                # redirect back to the article's own URL (a shared frontier keeps it: workers dedup there)
                dont_filter=not self.portable,
            )

    def stream_stop(self, stream: str, refs: list[tuple[str, ArticleRef]]) -> str | None:
        """Why a listing stream should not go on to its next page, or ``None``.

        A stream stops on a page without articles, on a page that repeats what the stream showed
        before (a listing that does not advance: the search page, a stuck offset), in latest
        mode on a page whose articles were all delivered by earlier runs (known territory), and
        in backfill on a page whose articles were all listed by the sitemaps, once every sitemap
        requested has loaded and none failed (the sitemaps cover the rest of the way to
        ``since``; without sitemaps, or with one missing, the stream walks back to ``since``).
        Articles already scheduled in this run by another stream do not stop it."""
        ids = {ref.article_id for _, ref in refs}
        if not ids:
            return "no articles on the page"
        seen = self.stream_ids.setdefault(stream, set())
        if ids <= seen:
            return "the page repeats earlier pages of this stream"
        seen |= ids
        if self.mode == "latest" and all(self._known(i) for i in ids):
            return "every article on the page was delivered by an earlier run"
        if self.mode == "backfill" and self.sitemaps_complete() and ids <= self.sitemap_ids:
            self._inc("alinea/stream_stopped_by_sitemaps")
            return "every article on the page is listed in the sitemaps"
        return None

    def sitemaps_complete(self) -> bool:
        """Backfill: the sitemaps listed articles, every one requested has loaded, none failed."""
        return bool(self.sitemap_ids) and not self.sitemaps_pending and not self.sitemaps_failed

    def stream_priority(self) -> int:
        """A stream's next page waits while sitemaps are loading (:data:`STREAM_WAIT_PRIORITY`)."""
        return STREAM_WAIT_PRIORITY if self.sitemaps_pending else 0

    def _known(self, article_id: str) -> bool:
        """Delivered by an earlier run and not due for a refresh: not fetched again."""
        if self.store is None:
            return False
        known = self.store.known_hash(article_id)
        if known is None:
            return False
        published = known[1]
        return not (self.refresh_seconds and published and time.time() - published < self.refresh_seconds)

    def parse_article(self, response: Response, ref: ArticleRef, parts: tuple[TextResponse | dict[str, Any], ...]) -> Iterator[Any]:
        """Collect the article's ``?page=N`` parts, then hand them to extraction.

        With a shared frontier the next part's request may run on another worker, so the parts
        so far travel as plain data (:func:`part_data`) instead of ``Response`` objects."""
        if not isinstance(response, TextResponse):
            self.logger.error("article %s is not a text page (%s)", response.url, response.headers.get("Content-Type"))
            self._inc("alinea/article_failed")
            return
        pages = (*(part_response(p) for p in parts), response)
        wanted = max([0, *(n for page in pages for n in pagination_urls(page))])
        if wanted >= len(pages):
            if len(pages) >= self.max_parts:
                self._inc("alinea/parts_capped")
                self.failed(ref, pages[0].url, f"more than ALINEA_MAX_PAGE_PARTS={self.max_parts} parts; not delivered half-filled")
                return
            else:
                yield Request(
                    article_request_url(ref, self.base_url, len(pages)),
                    callback=self.parse_article,
                    errback=self.article_failed,
                    cb_kwargs={"ref": ref, "parts": tuple(part_data(p) for p in pages) if self.portable else pages},
                    meta={"article_id": ref.article_id},
                    priority=PART_PRIORITY,
                )
                return
        yield from self.extract(pages, ref)

    def extract(self, parts: tuple[TextResponse, ...], ref: ArticleRef) -> Iterator[Any]:
        try:
            extraction = extract_article(parts)
        except NotAnArticle as error:
            self.logger.warning("no article extracted from %s: %s", parts[0].url, error)
            self._inc("alinea/not_article")
            store = self._failure_store()
            if store is not None:
                store.record_failure(ref.article_id, ref.path(), f"not an article: {error}")
            return
        except ExtractionError as error:
            self.failed(ref, parts[0].url, f"extraction failed: {error}")
            return
        except Exception as error:
            self.logger.exception("extraction crashed on %s", parts[0].url)
            self.failed(ref, parts[0].url, f"extraction crashed: {error!r}")
            return
        for field, signal in extraction.provenance.items():
            self._inc(f"extraction/{field}/{signal}")
        self._inc(f"extraction/layout/{extraction.layout}")
        article = extraction.article
        self.crawler.signals.send_catch_log(article_extracted, article=article, layout=extraction.layout, provenance=extraction.provenance)
        if self.crawler.settings.getbool("EXPORT_PROVENANCE"):
            article._meta = {"layout": extraction.layout, "provenance": extraction.provenance}
        if not self._in_date_window(article.published_at):
            self._inc("alinea/outside_date_window")
            return
        yield article

    def _in_date_window(self, published_at: str | None) -> bool:
        if not (self.since or self.until) or not published_at:
            return True
        day = datetime.fromisoformat(published_at).date()
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    # --- failures ---------------------------------------------------------------------------------

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        url = (request.meta.get("redirect_urls") or [request.url])[0]  # the article, not the last redirect hop
        self.failed(request.cb_kwargs.get("ref") or parse_article_url(url), url, failure_reason(failure))

    def failed(self, ref: ArticleRef | None, url: str, reason: str) -> None:
        """An article this run could not deliver: logged with its URL and reason, counted, and
        remembered so that the next run fetches it again first."""
        self.logger.error("article %s failed: %s; it will be tried again next run", url, reason)
        self._inc("alinea/article_failed")
        store = self._failure_store()
        if ref is not None and store is not None:
            store.record_failure(ref.article_id, ref.path(), reason)

    def _failure_store(self) -> Store | None:
        if self.store is None and self.crawler.settings.getbool("STATE_ENABLED", True):
            self.store = open_store(self.crawler.settings)  # the export pipeline created it by now
        return self.store

    def listing_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.logger.error("listing %s failed: %s", request.url, failure_reason(failure))
        self._inc("alinea/listing_failed")

    def optional_failed(self, failure: Failure) -> None:
        """A sitemap that did not load (absent, refused, broken): the streams then walk back to
        ``since`` whatever the other sitemaps listed. (The name is kept for requests already
        queued in a shared frontier.)"""
        request = failure.request  # type: ignore[attr-defined]
        self.logger.info("optional %s not available: %s", request.url, failure_reason(failure))
        self.sitemaps_failed = True
        self.sitemaps_pending.discard(request.meta.get("sitemap"))

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, count)
