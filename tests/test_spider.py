"""The spider's discovery decisions, callback by callback, without the engine."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.alinea import AlineaSpider

BASE = "http://127.0.0.1:9"


def make_spider(**arguments: Any) -> AlineaSpider:
    crawler = get_crawler(AlineaSpider, {"ALINEA_BASE_URL": BASE, "STATE_ENABLED": False, "ALINEA_LISTING_MAX_PAGES": 3})
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
