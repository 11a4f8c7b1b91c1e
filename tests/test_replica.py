"""Quick checks of the local alinea.id replica that the end-to-end tests crawl."""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import parsel
import pytest

from tests.replica import seed_article
from tests.replica.faults import FaultSpecError, parse_spec
from tests.replica.model import Site
from tests.replica.testing import Replica, replica_fixture, run_replica

ARTICLES = 300
SEED = 7
replica = replica_fixture(scope="module", articles=ARTICLES, seed=SEED)


@pytest.fixture
def clean_faults(replica: Replica) -> Iterator[Replica]:
    """The shared replica, with its faults cleared afterwards."""
    yield replica
    replica.set_faults("")


def fetch(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """Status, headers and text of a request, HTTP errors included."""
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read().decode()


def path_of(record: dict[str, Any]) -> str:
    """Root-relative path of a canonical URL."""
    return urlsplit(record["canonical_url"]).path


def normalize(text: str) -> str:
    """Collapse whitespace (NBSP included)."""
    return " ".join(text.replace("\xa0", " ").split())


def page_text(html: str) -> str:
    """Visible text of a page."""
    nodes = parsel.Selector(html).xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return normalize(" ".join(nodes))


def block_texts(html: str) -> str:
    """Text of every paragraph and heading, each element's string joined whole."""
    blocks = parsel.Selector(html).css("p, h1, h2, h3, h4")
    return " | ".join(normalize(block.xpath("string()").get("")) for block in blocks)


def test_same_seed_same_site() -> None:
    first, second, other = Site(ARTICLES, SEED), Site(ARTICLES, SEED), Site(ARTICLES, SEED + 1)
    assert [m.summary() for m in first.articles] == [m.summary() for m in second.articles]
    sample = first.articles[::37]
    assert [first.content(m).ground_truth() for m in sample] == [second.content(m).ground_truth() for m in second.articles[::37]]
    assert [m.summary() for m in first.articles] != [m.summary() for m in other.articles]


def test_codes_unique_rising_and_dates_spread() -> None:
    site = Site(5000, 1)
    codes = [m.code for m in site.articles]
    assert all(re.fullmatch(r"[0-9A-Za-z]{8}", code) for code in codes)
    assert codes == sorted(set(codes)), "codes must be unique and rise with time"
    assert site.minutes == sorted(set(site.minutes))
    assert site.articles[0].published.year == 2019
    assert site.articles[-1].published.year == 2026
    assert {m.layout for m in site.articles} == {"desktop2019", "desktop2023"}
    assert any(m.parts > 1 for m in site.articles)


def test_same_seed_same_pages_over_http(replica: Replica) -> None:
    with run_replica(articles=ARTICLES, seed=SEED) as twin:
        assert twin.articles(full=True) == replica.articles(full=True)
        path = path_of(replica.articles()[-5])
        assert fetch(twin.url(path))[2] == fetch(replica.url(path))[2]


def test_seed_article_ground_truth(replica: Replica) -> None:
    (record,) = [a for a in replica.articles(full=True) if a["title"] == seed_article.TITLE]
    assert record["published_at"] == "2019-04-25T13:45:00+07:00"
    assert record["published_raw"] == "Kamis, 25 Apr 2019 13:45 WIB"
    assert record["authors"] == ["Khairisa Ferida"]
    assert record["lead"] == seed_article.LEAD
    assert record["subheadings"] == ["Sekutu lama"]
    assert record["source"] == "AFP"
    assert record["layout"] == "desktop2019"
    body = record["body"].split("\n\n")
    assert body[0].startswith("Kamis (25/4), menjadi hari bersejarah")
    assert body[-1].endswith("menyeimbangkan pengaruh Tiongkok. (AFP)")
    assert "Sponsored" not in body
    status, _, html = fetch(replica.url(path_of(record)))
    text = page_text(html)
    assert status == 200
    assert "Khairisa Ferida Khairisa Ferida Kamis, 25 Apr 2019 13:45 WIB" in text
    assert text.index("sun moon a l i n e a dot id fakta data kata") < text.index(seed_article.TITLE)
    assert text.index("Berita Lainnya") < text.index("×")


def test_ground_truth_is_on_the_pages(replica: Replica) -> None:
    records = replica.articles(full=True)
    sample = records[::15] + [r for r in records if r["pages"] > 1][:3]
    for record in sample:
        parts = [fetch(replica.url(path_of(record) + (f"?page={k}" if k else "")))[2] for k in range(record["pages"])]
        text = " ".join(page_text(html) for html in parts)
        blocks = " ".join(block_texts(html) for html in parts)
        selector = parsel.Selector(parts[0])
        assert normalize(selector.css("h1::text").get("")) == record["title"]
        assert record["published_raw"] in text
        for author in record["authors"]:
            assert author in text
        for paragraph in record["body"].split("\n\n"):
            assert normalize(paragraph) in blocks, (record["article_id"], paragraph)
        assert fetch(replica.url(path_of(record) + f"?page={record['pages']}"))[0] == 404
        amp = block_texts(fetch(replica.url("/amp" + path_of(record)))[2])
        assert normalize(record["body"].split("\n\n")[-1]) in amp
        if record["layout"] == "desktop2023":
            assert selector.css("div.frontdate::text").get() == record["published_raw"]
            assert selector.css("div.written__reporter div.reporter__nama::text").getall() == record["authors"]


def test_more_needs_session_and_token(replica: Replica) -> None:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    home = opener.open(replica.url("/")).read().decode()
    token_match = re.search(r'"_token":"([A-Za-z0-9]{40})"', home)
    assert token_match and any(cookie.name == "alinea_session" for cookie in jar)
    token = token_match.group(1)

    def more(offset: int, category: str = "", tok: str = token) -> tuple[int, str]:
        body = urlencode({"_token": tok, "next": offset, "categorynext": category}).encode()
        request = urllib.request.Request(replica.url("/more"), data=body, headers={"X-Requested-With": "XMLHttpRequest"})
        try:
            with opener.open(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, ""

    status, fragment = more(10)
    links = re.findall(r'<h3 class="box1__title"><a href="([^"]+)"', fragment)
    newest = [a["canonical_url"] for a in reversed(replica.articles())]
    assert status == 200
    assert links == newest[10:20]
    assert more(10, tok="x" * 40)[0] == 419
    assert fetch(replica.url("/more"), urlencode({"_token": token, "next": 10}).encode())[0] == 419, "no session cookie"
    assert more(10_000_000)[1].strip() == ""
    status, fragment = more(0, "politik")
    links = re.findall(r'<h3 class="box1__title"><a href="([^"]+)"', fragment)
    assert status == 200 and links
    assert all(link.startswith("https://www.alinea.id/politik/") for link in links)


def test_search_repeats_page_one(replica: Replica) -> None:
    def results(page: int) -> tuple[list[str], list[str]]:
        selector = parsel.Selector(fetch(replica.url(f"/search?q=di&page={page}"))[2])
        cards = selector.css(".hasilcari .box1")
        real = [c.css("h3 a::attr(href)").get("") for c in cards if not c.xpath("ancestor::*[contains(@class, 'section-popular')]")]
        return real, selector.css("a[rel=next]::attr(href)").getall()

    first, next_first = results(1)
    second, next_second = results(2)
    assert len(first) == 10 and first == second
    assert next_first == ["https://www.alinea.id/search?q=di&page=2"]
    assert next_second == ["https://www.alinea.id/search?q=di&page=3"]


def test_indeks_and_section_paging(replica: Replica) -> None:
    selector = parsel.Selector(fetch(replica.url("/indeks"))[2])
    assert len(selector.css(".hasilcari .indeks-list .box1")) == 30
    assert selector.css("a[rel=next]::attr(href)").get() == "https://www.alinea.id/indeks?page=2"
    last = -(-len(replica.articles()) // 30)
    tail = parsel.Selector(fetch(replica.url(f"/indeks?page={last}"))[2])
    assert tail.css("a[rel=prev]") and not tail.css("a[rel=next]")
    day = replica.articles()[-1]["published_at"][:10]
    dated = parsel.Selector(fetch(replica.url(f"/indeks?date={day}"))[2])
    assert dated.css(".indeks-list .box1")
    section = parsel.Selector(fetch(replica.url("/politik?page=1"))[2])
    assert section.css("#list-more .box1")


def test_publish_adds_newer_articles(replica: Replica) -> None:
    before = replica.articles()
    ids = replica.publish(3)
    after = replica.articles()
    assert len(ids) == 3 and [a["article_id"] for a in after[-3:]] == ids
    assert after[-3]["published_at"] > before[-1]["published_at"]
    assert after[-1]["article_id"] > before[-1]["article_id"]
    assert fetch(replica.url(path_of(after[-1])))[0] == 200
    assert after[-1]["canonical_url"] in fetch(replica.url("/rss"))[2]


def test_stats_count_hits(replica: Replica) -> None:
    replica.reset_stats()
    record = replica.articles()[0]
    fetch(replica.url(path_of(record)))
    fetch(replica.url("/amp" + path_of(record)))
    fetch(replica.url("/nowhere"))
    fetch(replica.url("/robots.txt"))
    stats = replica.stats()
    assert (stats["article"], stats["amp"], stats["other"], stats["robots"]) == (1, 1, 1, 1)
    assert stats["status"] == {"200": 3, "404": 1}
    assert stats["control"] >= 2


def test_robots_and_sitemap_switches(replica: Replica) -> None:
    status, _, robots = fetch(replica.url("/robots.txt"))
    assert status == 200 and "Disallow: /search" in robots and "Sitemap: https://www.alinea.id/sitemap.xml" in robots
    index = fetch(replica.url("/sitemap.xml"))[2]
    month = re.findall(r"<loc>https://www\.alinea\.id(/sitemap/\d{4}-\d{2}\.xml)</loc>", index)[-1]
    assert "<lastmod>" in fetch(replica.url(month))[2]
    assert "<news:news>" in fetch(replica.url("/sitemap-news.xml"))[2]
    with run_replica(articles=20, robots=False, sitemap=False) as bare:
        assert fetch(bare.url("/robots.txt"))[0] == 404
        assert fetch(bare.url("/sitemap.xml"))[0] == 404
        assert fetch(bare.url("/sitemap-news.xml"))[0] == 404


def test_transient_fault_clears(clean_faults: Replica) -> None:
    url = clean_faults.url(path_of(clean_faults.articles()[3]))
    clean_faults.set_faults("article:503ra@1x2")
    first, second, third = fetch(url), fetch(url), fetch(url)
    assert (first[0], second[0], third[0]) == (503, 503, 200)
    assert first[1]["Retry-After"] == "1"


def test_persistent_faults(clean_faults: Replica) -> None:
    records = clean_faults.articles()
    clean_faults.set_faults("article:404@0.3")
    marked = clean_faults.articles()
    deleted = [r for r in marked if r["deleted"]]
    assert 0 < len(deleted) < len(records)
    assert fetch(clean_faults.url(path_of(deleted[0])))[0] == 404
    assert fetch(clean_faults.url("/amp" + path_of(deleted[0])))[0] == 404

    clean_faults.set_faults("article:redirect@1")
    with urllib.request.urlopen(clean_faults.url(path_of(records[1]))) as response:
        assert response.status == 200 and "utm_medium=redirect" in response.url

    clean_faults.set_faults("article:badcharset@1")
    status, headers, html = fetch(clean_faults.url(path_of(records[2])))
    assert status == 200 and ("iso-8859-1" in headers["Content-Type"] or 'charset="iso-8859-1"' in html)

    clean_faults.set_faults("article:unknownlayout@1")
    html = fetch(clean_faults.url(path_of(records[2])))[2]
    assert "berita-judul" in html and records[2]["title"].replace("&", "&amp;") in html

    clean_faults.set_faults("article:truncate@1")
    host = urlsplit(clean_faults.base_url).netloc
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("GET", path_of(records[2]))
    with pytest.raises(http.client.IncompleteRead):
        connection.getresponse().read()
    connection.close()


def test_fault_spec_grammar() -> None:
    rules = parse_spec("article:503@0.2, more:429@0.1,article:slow2.5@0.02x1,*:reset@0.05")
    assert [str(rule) for rule in rules] == ["article:503@0.2", "more:429@0.1", "article:slow2.5@0.02x1", "*:reset@0.05"]
    for bad in ("article:503", "page:503@0.1", "article:teapot@0.1", "article:503@2", "article:5035@0.1", "rss:500@1x0"):
        with pytest.raises(FaultSpecError):
            parse_spec(bad)
