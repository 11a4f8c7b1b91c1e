"""The spider's discovery decisions, callback by callback, without the engine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.spiders.alinea import AlineaSpider

BASE = "http://127.0.0.1:9"


def make_spider(**arguments: Any) -> AlineaSpider:
    crawler = get_crawler(
        AlineaSpider, {"ALINEA_BASE_URL": BASE, "STATE_ENABLED": False, "ALINEA_LISTING_MAX_PAGES": 3, "ALINEA_BACKFILL_MAX_PAGES": 50}
    )
    crawler.stats.open_spider()
    spider = AlineaSpider.from_crawler(crawler, **arguments)
    return spider


def cards(*codes: str, extra: str = "") -> str:
    links = "".join(f'<div class="box1"><a href="https://www.alinea.id/politik/judul-berita-{c}">Judul</a></div>' for c in codes)
    return f"<html><body>{links}{extra}</body></html>"


def listing(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))


def requests_of(results: Any) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def failure_of(request: Request) -> Failure:
    failure = Failure(IgnoreRequest("refused"))
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_a_listing_page_that_brings_nothing_new_ends_its_stream() -> None:
    spider = make_spider()
    next_link = '<a rel="next" href="/indeks?page=2">2</a>'
    first = requests_of(spider.parse_listing(listing(f"{BASE}/indeks", cards("b000000AA", "b000000AB", extra=next_link)), "indeks", 1))
    assert [r.url for r in first] == [
        f"{BASE}/politik/judul-berita-b000000AA",
        f"{BASE}/politik/judul-berita-b000000AB",
        f"{BASE}/indeks?page=2",
    ]
    page_two = listing(f"{BASE}/indeks?page=2", cards("b000000AA", "b000000AB", extra='<a rel="next" href="/indeks?page=3">3</a>'))
    assert requests_of(spider.parse_listing(page_two, "indeks", 2)) == [], "a page that repeats the last one does not advance"


def test_the_listing_depth_limit_is_kept_and_counted() -> None:
    spider = make_spider()
    page = listing(f"{BASE}/indeks?page=3", cards("b000000AC", extra='<a rel="next" href="/indeks?page=4">4</a>'))
    urls = [r.url for r in requests_of(spider.parse_listing(page, "indeks", 3))]
    assert urls == [f"{BASE}/politik/judul-berita-b000000AC"]
    assert spider.crawler.stats.get_value("alinea/listing_depth_limit") == 1


def test_more_stream_stops_on_a_repeated_or_empty_fragment() -> None:
    spider = make_spider()
    fragment = cards("b000000BA", "b000000BB")
    first = requests_of(spider.parse_more(listing(f"{BASE}/more", fragment), "tok", 10, ""))
    assert [r.url for r in first][-1] == f"{BASE}/more"
    assert first[-1].method == "POST" and b"next=20" in first[-1].body and b"_token=tok" in first[-1].body
    assert first[-1].headers.get("X-Requested-With") == b"XMLHttpRequest"
    assert requests_of(spider.parse_more(listing(f"{BASE}/more", fragment), "tok", 20, "")) == []
    assert requests_of(spider.parse_more(listing(f"{BASE}/more", ""), "tok", 30, "")) == []


def test_url_variants_of_one_article_are_fetched_once_at_the_desktop_url() -> None:
    spider = make_spider()
    html = (
        '<a href="https://alinea.id/amp/politik/judul-b000000CA">amp</a>'
        '<a href="https://www.alinea.id/politik/judul-b000000CA/?utm_source=x">www</a>'
        '<a href="/politik/judul-b000000CA#komentar">relative</a>'
    )
    urls = [r.url for r in requests_of(spider.parse_listing(listing(f"{BASE}/indeks", html), "indeks", 3))]
    assert urls == [f"{BASE}/politik/judul-b000000CA"]


def test_off_site_and_non_http_links_are_dropped_and_counted() -> None:
    spider = make_spider()
    html = (
        '<a href="https://evil.example/politik/judul-b000000DA">x</a>'
        '<a href="javascript:void(0)">y</a>'
        '<a href="https://www.alinea.id.evil.example/politik/judul-b000000DB">z</a>'
    )
    assert requests_of(spider.parse_listing(listing(f"{BASE}/indeks", html), "indeks", 3)) == []
    assert spider.crawler.stats.get_value("alinea/offsite_links_dropped") == 3
    assert "127.0.0.1" in spider.allowed_domains


def test_sections_limit_what_is_fetched() -> None:
    spider = make_spider(section="bisnis")
    html = '<a href="/politik/judul-b000000EA">p</a><a href="/bisnis/judul-b000000EB">b</a>'
    assert [r.url for r in requests_of(spider.parse_listing(listing(f"{BASE}/bisnis", html), "bisnis", 3))] == [
        f"{BASE}/bisnis/judul-b000000EB"
    ]


async def _collect_start(spider: AlineaSpider) -> list[Any]:
    return [request async for request in spider.start()]


def test_urls_mode_requests_exactly_the_given_pages() -> None:
    spider = make_spider(
        urls="https://www.alinea.id/politik/a-b000000FA, https://alinea.id/amp/bisnis/b-b000000FB?page=1,https://evil.example/x"
    )
    urls = [r.url for r in asyncio.run(_collect_start(spider))]
    assert urls == [f"{BASE}/politik/a-b000000FA", f"{BASE}/amp/bisnis/b-b000000FB"]
    assert spider.crawler.stats.get_value("alinea/bad_url_argument") == 1


def test_latest_mode_starts_from_rss_indeks_and_the_home_page() -> None:
    urls = [r.url for r in asyncio.run(_collect_start(make_spider()))]
    assert urls == [f"{BASE}/rss", f"{BASE}/indeks", f"{BASE}/"]


def test_backfill_also_probes_the_sitemap() -> None:
    spider = make_spider(since="2024-01-01")
    assert spider.mode == "backfill"
    assert f"{BASE}/sitemap.xml" in [r.url for r in asyncio.run(_collect_start(spider))]


@pytest.mark.parametrize("arguments", [{"since": "kemarin"}, {"until": "2024-13-01"}, {"mode": "everything"}])
def test_bad_arguments_are_refused_with_a_clear_message(arguments: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_spider(**arguments)


def test_feed_links_are_read_from_rss() -> None:
    spider = make_spider()
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<item><title>A</title><link>https://www.alinea.id/politik/a-b000000GA</link></item>"
        "<item><title>B</title><link>https://evil.example/politik/b-b000000GB</link></item>"
        "</channel></rss>"
    )
    response = TextResponse(url=f"{BASE}/rss", body=rss.encode(), encoding="utf-8", request=Request(f"{BASE}/rss"))
    assert [r.url for r in requests_of(spider.parse_feed(response))] == [f"{BASE}/politik/a-b000000GA"]


def test_an_entity_bomb_in_the_feed_is_not_expanded() -> None:
    spider = make_spider()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<rss><channel><item><title>&d;&x;</title><link>https://www.alinea.id/politik/a-b000000HA</link></item></channel></rss>"
    )
    response = TextResponse(url=f"{BASE}/rss", body=bomb.encode(), encoding="utf-8", request=Request(f"{BASE}/rss"))
    assert [r.url for r in requests_of(spider.parse_feed(response))] == [f"{BASE}/politik/a-b000000HA"]


def sitemap_response(request: Request, *codes: str, sitemaps: tuple[str, ...] = ()) -> XmlResponse:
    urls = "".join(f"<url><loc>https://www.alinea.id/politik/judul-berita-{c}</loc></url>" for c in codes)
    urls += "".join(f"<sitemap><loc>https://www.alinea.id{path}</loc></sitemap>" for path in sitemaps)
    body = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return XmlResponse(url=request.url, body=body.encode(), encoding="utf-8", request=request)


def next_listing_page(spider: AlineaSpider, *codes: str) -> list[Request]:
    """What ``/indeks?page=2`` (listing ``codes``) asks for: its articles, then page 3 if the stream goes on."""
    page = listing(f"{BASE}/indeks?page=2", cards(*codes, extra='<a rel="next" href="/indeks?page=3">3</a>'))
    return requests_of(spider.parse_listing(page, "indeks", 2))


def test_a_backfill_stream_stops_on_a_page_the_sitemaps_all_listed() -> None:
    spider = make_spider(since="2019-01-01")
    index = spider.sitemap_request(f"{BASE}/sitemap.xml", 0)
    month, news = requests_of(spider.parse_sitemap(sitemap_response(index, sitemaps=("/sitemap/2024-05.xml", "/sitemap-news.xml")), 0))
    assert [month.url, news.url] == [f"{BASE}/sitemap/2024-05.xml", f"{BASE}/sitemap-news.xml"]
    list(spider.parse_sitemap(sitemap_response(news, "b000000JA", "b000000JB"), 1))
    waiting = next_listing_page(spider, "b000000JA", "b000000JB")[-1]
    assert waiting.url == f"{BASE}/indeks?page=3", "the month sitemap is still loading: no stop yet"
    assert waiting.priority < month.priority < 0, "sitemaps wait for the queued articles, the next page for the sitemaps"
    scheduled = [r.url for r in requests_of(spider.parse_sitemap(sitemap_response(month, "b000000JC", "b000000JD", "b000000JE"), 1))]
    assert scheduled == [f"{BASE}/politik/judul-berita-b000000{c}" for c in ("JC", "JD", "JE")]
    going_on = next_listing_page(spider, "b000000JC", "b000000JF")[-1]
    assert (going_on.url, going_on.priority) == (f"{BASE}/indeks?page=3", 0), "b000000JF is in no sitemap"
    assert spider.crawler.stats.get_value("alinea/stream_stopped_by_sitemaps") is None
    # every article of the page is in the sitemaps (and already scheduled): nothing more, the stream stops
    assert next_listing_page(spider, "b000000JD", "b000000JE") == []
    assert spider.crawler.stats.get_value("alinea/stream_stopped_by_sitemaps") == 1
    more = requests_of(spider.parse_more(listing(f"{BASE}/more", cards("b000000JA", "b000000JE")), "tok", 10, ""))
    assert more == [], "the /more stream stops the same way"


def test_a_backfill_stream_walks_on_when_a_sitemap_failed_or_there_are_none() -> None:
    without = make_spider(since="2019-01-01")
    without.optional_failed(failure_of(without.sitemap_request(f"{BASE}/sitemap.xml", 0)))
    walking = next_listing_page(without, "b000000KA", "b000000KB")[-1]
    assert (walking.url, walking.priority) == (f"{BASE}/indeks?page=3", 0)

    partial = make_spider(since="2019-01-01")
    listed, missing = (partial.sitemap_request(f"{BASE}/sitemap/2024-0{m}.xml", 1) for m in (5, 6))
    list(partial.parse_sitemap(sitemap_response(listed, "b000000KA", "b000000KB"), 1))
    partial.optional_failed(failure_of(missing))
    assert partial.sitemap_ids == {"b000000KA", "b000000KB"} and not partial.sitemaps_pending
    assert [r.url for r in next_listing_page(partial, "b000000KA", "b000000KB")] == [f"{BASE}/indeks?page=3"], "a sitemap is missing"


def test_latest_mode_streams_ignore_the_sitemaps() -> None:
    spider = make_spider()
    sitemap = spider.sitemap_request(f"{BASE}/sitemap.xml", 0)
    list(spider.parse_sitemap(sitemap_response(sitemap, "b000000LA", "b000000LB"), 0))
    assert spider.sitemaps_complete()
    assert [r.url for r in next_listing_page(spider, "b000000LA", "b000000LB")] == [f"{BASE}/indeks?page=3"]
