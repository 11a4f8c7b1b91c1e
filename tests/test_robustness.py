"""Extraction on markup it has not seen: the fixture pages, mutated the ways a redesign would."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest
from jsonschema import Draft202012Validator

from crawler import exitcodes
from crawler.extraction import NotAnArticle, extract_article
from crawler.fixtures import FixtureCase
from crawler.items import contract_dict
from crawler.pipelines.validation import load_schema
from tests.conftest import POSITIVE_CASES, response_for
from tests.crawl import read_jsonl, run_crawl
from tests.fixture_site import serve_cases

CORE_FIELDS = ("title", "lead", "published_at", "published_raw", "body", "subheadings", "source")

Mutation = Callable[[lxml.html.HtmlElement], None]


def rename_classes(root: lxml.html.HtmlElement) -> None:
    """Every class and id renamed: nothing our selectors know survives."""
    for element in root.iter():
        for attribute in ("class", "id"):
            value = element.get(attribute)
            if value:
                element.set(attribute, " ".join("x" + hashlib.md5(v.encode()).hexdigest()[:6] for v in value.split()))


def add_wrappers(root: lxml.html.HtmlElement) -> None:
    """Each paragraph and heading wrapped in two more divs; the body's parent too."""
    for element in list(root.iter("p", "h1", "h2", "h3")):
        parent = element.getparent()
        if parent is None:
            continue
        outer = lxml.html.Element("div", {"class": "blk"})
        inner = lxml.html.Element("div")
        outer.append(inner)
        parent.replace(element, outer)
        inner.append(element)


def remove_metadata(root: lxml.html.HtmlElement) -> None:
    """No meta tags, no JSON-LD, no canonical link, no <title>."""
    for element in root.xpath("//meta | //script[@type='application/ld+json'] | //link[@rel='canonical'] | //title"):
        element.drop_tree()


def add_misleading_jsonld(root: lxml.html.HtmlElement) -> None:
    """A NewsArticle that disagrees with the page: SEO headline, publisher as author, stale date."""
    head = root.find("head")
    assert head is not None
    script = lxml.html.Element("script", {"type": "application/ld+json"})
    script.text = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Judul SEO yang berbeda | Alinea.id",
            "author": {"@type": "Organization", "name": "Alinea.id"},
            "datePublished": "2001-01-01T00:00:00+07:00",
            "description": "Deskripsi SEO.",
        }
    )
    head.append(script)


def everything(root: lxml.html.HtmlElement) -> None:
    for mutation in (remove_metadata, add_misleading_jsonld, add_wrappers, rename_classes):
        mutation(root)


MUTATIONS: dict[str, Mutation] = {
    "classes-renamed": rename_classes,
    "wrappers-added": add_wrappers,
    "metadata-removed": remove_metadata,
    "misleading-jsonld-added": add_misleading_jsonld,
    "all-at-once": everything,
}


def mutated(case: FixtureCase, mutation: Mutation) -> list[bytes]:
    pages = []
    for page in case.page_files:
        root = lxml.html.document_fromstring(page.read_bytes())
        mutation(root)
        pages.append(lxml.html.tostring(root, encoding="utf-8", doctype="<!DOCTYPE html>"))
    return pages


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
@pytest.mark.parametrize("case", POSITIVE_CASES, ids=lambda c: c.name)
def test_core_fields_survive_markup_changes(case: FixtureCase, mutation: str) -> None:
    original = contract_dict(extract_article(case.responses()).article)
    pages = mutated(case, MUTATIONS[mutation])
    article = contract_dict(extract_article([response_for(url, body) for url, body in zip(case.parts, pages, strict=True)]).article)
    for field in CORE_FIELDS:
        assert article[field] == original[field], f"{case.name} with {mutation}: field {field!r}"


@pytest.mark.e2e
def test_a_broken_layout_trips_the_extraction_health_exit_status(tmp_path: Path) -> None:
    """Pages whose date line is gone (a redesign the extractor cannot follow): the run delivers
    nothing invalid and exits with the extraction-health status, naming the field."""
    broken = []
    for case in POSITIVE_CASES:
        folder = tmp_path / "cases" / case.path.name
        folder.mkdir(parents=True)
        for n, page in enumerate(case.page_files):
            html = page.read_text(encoding="utf-8")
            for month in ("Apr 2019", "Mei 2019", "Januari 2025", "Agt 2022", "Agustus 2024"):
                html = html.replace(month, "")
            (folder / f"page-{n}.html").write_text(html, encoding="utf-8")
        (folder / "case.json").write_text(json.dumps({"url": case.url, "parts": case.parts, "provenance": case.provenance}))
        broken.append(FixtureCase.load(folder))
    with serve_cases(broken) as base:
        result = run_crawl(
            base, "-a", "urls=" + ",".join(c.url for c in broken), output=tmp_path / "out", settings={"ROBOTSTXT_OBEY": "False"}
        )
    assert result.returncode == exitcodes.EXTRACTION_HEALTH, result.stderr[-3000:]
    assert "EXTRACTION HEALTH FAILED published_at" in result.stderr
    # pages whose metadata still dates them are delivered, flagged as drift; the rest are refused
    assert "EXTRACTION DRIFT published_at" in result.stderr
    records = read_jsonl(tmp_path / "out")
    assert 0 < len(records) < len(broken)
    validator = Draft202012Validator(load_schema())
    for record in records:
        assert list(validator.iter_errors(record)) == [], record["url"]


PARAGRAPHS = [
    "Pemerintah memutuskan menaikkan harga bahan bakar minyak bersubsidi mulai pekan depan, kata menteri dalam jumpa pers di Jakarta.",
    "Keputusan itu diambil setelah rapat terbatas yang berlangsung hampir lima jam di Istana Negara dengan para menteri ekonomi.",
    "Sejumlah ekonom menilai kenaikan harga akan mendorong inflasi, terutama pada kelompok bahan makanan dan transportasi umum.",
    "Pemerintah berjanji menyalurkan bantuan langsung tunai kepada keluarga miskin untuk menjaga daya beli mereka hingga akhir tahun.",
]
URL = "https://www.alinea.id/bisnis/harga-bbm-naik-pekan-depan-b2q0AbCdE"


def page(header: str, body: str, after: str = "", head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Harga BBM naik | Alinea.id</title>{head}</head><body>"
        "<nav class='menu'><a href='/bisnis'>Bisnis</a><a href='/politik'>Politik</a></nav>"
        f"<main><article><h1>Harga BBM naik pekan depan</h1>{header}<div>{body}</div>{after}</article></main>"
        "<aside class='kolom-kanan'><div class='box1'><a href='/politik/lain-b2q0AbCdF'>Berita lain</a>"
        "<span>Senin, 1 Januari 2024 09:00</span></div></aside></body></html>"
    ).encode()


def paragraphs(extra: dict[int, str] | None = None) -> str:
    out = []
    for n, text in enumerate(PARAGRAPHS):
        out.append(f"<p>{text}</p>")
        out.append((extra or {}).get(n, ""))
    return "".join(out)


def test_author_linked_to_a_profile_page_and_a_separate_date_line() -> None:
    html = page("<div><a href='/penulis/dian-pratiwi'>Dian Pratiwi</a></div><div>Senin, 2 September 2024 10:15 WIB</div>", paragraphs())
    article = extract_article([response_for(URL, html)]).article
    assert article.authors == ["Dian Pratiwi"], "authors"
    assert article.published_at == "2024-09-02T10:15:00+07:00", "published_at"
    assert article.body == "\n\n".join(PARAGRAPHS), "body"


def test_an_italic_standfirst_in_the_body_container_is_the_lead() -> None:
    lead = "Kenaikan harga berlaku untuk pertalite dan solar bersubsidi."
    html = page("<p>Senin, 2 September 2024 10:15</p>", f"<p><em>{lead}</em></p>" + paragraphs())
    article = extract_article([response_for(URL, html)]).article
    assert article.lead == lead, "lead"
    assert article.body == "\n\n".join(PARAGRAPHS), "body"


def test_a_baca_juga_box_in_the_middle_does_not_cut_the_body() -> None:
    box = "<div class='box-promo'><div>Baca Juga</div><div><a href='/bisnis/harga-beras-b2q0AbCdG'>Harga beras turun lagi</a></div></div>"
    html = page("<p>Senin, 2 September 2024 10:15</p>", paragraphs({1: box}))
    article = extract_article([response_for(URL, html)]).article
    assert article.body == "\n\n".join(PARAGRAPHS), "body"
    assert "https://www.alinea.id/bisnis/harga-beras-b2q0AbCdG" not in article.related_urls, "related_urls"


def test_an_embedded_tweet_is_not_body_text() -> None:
    tweet = "<blockquote class='twitter-tweet'><p>Harga BBM naik lagi, rakyat menjerit! pic.twitter.com/abc — Warganet (@warga) 2 September 2024</p></blockquote>"
    html = page("<p>Senin, 2 September 2024 10:15</p>", paragraphs({2: tweet}))
    assert extract_article([response_for(URL, html)]).article.body == "\n\n".join(PARAGRAPHS), "body"


def test_a_reporter_label_standing_alone_before_the_names() -> None:
    after = "<div class='kredit'><span>Reporter</span><div>Dian Pratiwi</div><div>Rudi Hartono</div><span>Editor</span><div>Siti Aminah</div></div>"
    html = page("<p>Senin, 2 September 2024 10:15</p>", paragraphs(), after)
    article = extract_article([response_for(URL, html)]).article
    assert article.authors == ["Dian Pratiwi", "Rudi Hartono"], "authors"
    assert article.editor == "Siti Aminah", "editor"


def test_a_relative_date_on_the_page_uses_its_time_element() -> None:
    header = "<p>Dian Pratiwi</p><time datetime='2024-09-02T03:15:00Z'>2 jam yang lalu</time>"
    html = page(header, paragraphs(), head="<meta property='article:published_time' content='2020-01-01T00:00:00+07:00'>")
    article = extract_article([response_for(URL, html)]).article
    assert article.published_at == "2024-09-02T10:15:00+07:00", "published_at"
    assert article.published_raw == "2 jam yang lalu", "published_raw"


def test_no_date_anywhere_in_the_article_means_no_date_not_a_sidebar_card_date() -> None:
    html = page("<p>Dian Pratiwi</p>", paragraphs())
    article = extract_article([response_for(URL, html)]).article
    assert article.published_at is None, "published_at: a neighbouring card's date must not be taken"


@pytest.mark.parametrize(
    "headline",
    [
        "Longsor di Banten, 404 warga mengungsi",
        "404 warga mengungsi akibat longsor",
        "Jenazah korban tidak ditemukan",
        "Banjir rendam 1.404 rumah",
    ],
)
def test_a_headline_that_mentions_404_or_not_found_is_still_an_article(headline: str) -> None:
    html = page("<p>Senin, 2 September 2024 10:15</p>", paragraphs()).replace(b"Harga BBM naik pekan depan", headline.encode())
    assert extract_article([response_for(URL, html)]).article.title == headline, "title"


@pytest.mark.parametrize("headline", ["Halaman tidak ditemukan", "Error 404 - Not Found", "Page not found"])
def test_an_error_page_headline_is_not_an_article(headline: str) -> None:
    html = page("<p>Senin, 2 September 2024 10:15</p>", paragraphs()).replace(b"Harga BBM naik pekan depan", headline.encode())
    with pytest.raises(NotAnArticle):
        extract_article([response_for(URL, html)])
