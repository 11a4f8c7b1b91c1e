"""The extractors a user would run instead, each mapped onto the Article fields it can fill.

* :func:`trafilatura_extract`: ``trafilatura.bare_extraction`` with its default settings and
  metadata on, the best generic extractor.
* :func:`newswatch_extract`: a minimal re-implementation of the approach of the only other
  public alinea.id scraper (okkymabruri/news-watch), written from its described behaviour:
  BeautifulSoup with ``html.parser``; ``og:title`` else the ``h1``; the date from
  ``div.frontdate`` parsed by ``dateparser`` (Indonesian); the reporter from
  ``div.written__reporter div.reporter__nama``; the body as the ``<p>`` elements longer than 40
  characters under the ``div`` before the article node (else under the ``h1``'s ``div``); the
  section from the URL path.
* :func:`alinea_extract`: this project's extraction, from the same bytes.

Each returns a dict with some of the keys of :data:`FIELDS`; a missing key means "this
extractor does not produce that field".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

FIELDS = (
    "title",
    "lead",
    "authors",
    "editor",
    "published_at",
    "published_day",
    "published_raw",
    "section",
    "category",
    "subcategory",
    "main_image",
    "images",
    "body",
    "subheadings",
    "source",
    "tags",
    "related_urls",
)
"""Compared fields: the Article's, plus ``published_day`` (date only) and ``main_image`` (URL)."""

Extractor = Callable[[bytes, str], dict[str, Any]]


def alinea_extract(body: bytes, url: str) -> dict[str, Any]:
    """This project's extractor on one page."""
    from scrapy.http import HtmlResponse, Request

    from crawler.extraction import extract_article

    response = HtmlResponse(url=url, body=body, request=Request(url))
    article = extract_article([response]).article
    images = list(article.images or [])
    return {
        "title": article.title,
        "lead": article.lead,
        "authors": list(article.authors or []),
        "editor": article.editor,
        "published_at": article.published_at,
        "published_day": (article.published_at or "")[:10] or None,
        "published_raw": article.published_raw,
        "section": article.section,
        "category": article.category,
        "subcategory": article.subcategory,
        "main_image": images[0]["url"] if images else None,
        "images": images,
        "body": article.body,
        "subheadings": list(article.subheadings or []),
        "source": article.source,
        "tags": list(article.tags or []),
        "related_urls": list(article.related_urls or []),
    }


def trafilatura_extract(body: bytes, url: str) -> dict[str, Any]:
    """``trafilatura.bare_extraction`` (defaults, metadata on) on the page's text."""
    import trafilatura

    document = trafilatura.bare_extraction(body.decode("utf-8", errors="replace"), url=url, with_metadata=True)
    if document is None:
        return {}
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    authors = [a.strip() for a in re.split(r";|,", data.get("author") or "") if a.strip()]
    categories = data.get("categories") or []
    return {
        "title": data.get("title"),
        "lead": data.get("description"),
        "authors": authors,
        "published_day": data.get("date"),
        "category": categories[0] if categories else None,
        "main_image": data.get("image"),
        "body": data.get("text"),
        "tags": [t.strip() for tag in data.get("tags") or [] for t in str(tag).split(",") if t.strip()],
    }


_NEWSWATCH_MIN_CHARS = 40
_NEWSWATCH_FALLBACK_CHARS = 80


def newswatch_extract(body: bytes, url: str) -> dict[str, Any]:
    """The news-watch approach (see the module docstring) on the page's text."""
    import dateparser
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body.decode("utf-8", errors="replace"), "html.parser")
    out: dict[str, Any] = {}
    og_title = soup.find("meta", attrs={"property": "og:title"})
    title = str(og_title.get("content") or "").strip() if og_title else ""
    h1 = soup.select_one("h1")
    if not title and h1 is not None:
        title = h1.get_text(strip=True)
    out["title"] = title or None
    date_node = soup.select_one("div.frontdate")
    shown = date_node.get_text(" ", strip=True) if date_node else ""
    moment = dateparser.parse(shown, languages=["id"]) if shown else None
    out["published_at"] = moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None
    out["published_day"] = moment.strftime("%Y-%m-%d") if moment else None
    reporter = soup.select_one("div.written__reporter div.reporter__nama")
    out["authors"] = [reporter.get_text(strip=True)] if reporter else []
    article_node = soup.select_one("article") or soup.select_one("div.artikelend")
    container = article_node.find_previous("div") if article_node is not None else None
    anchor = container or (h1.find_parent("div") if h1 is not None else None)
    paragraphs = []
    if anchor is not None:
        paragraphs = [t for p in anchor.find_all("p") if len(t := p.get_text(" ", strip=True)) > _NEWSWATCH_MIN_CHARS]
    if not paragraphs:
        paragraphs = [t for p in soup.find_all("p") if len(t := p.get_text(" ", strip=True)) > _NEWSWATCH_FALLBACK_CHARS]
    out["body"] = " ".join(paragraphs) or None
    out["section"] = urlsplit(url).path.strip("/").split("/")[0] or None
    return out


def lxml_parse_only(body: bytes, url: str) -> dict[str, Any]:
    """The floor of any lxml-based extractor: parse the page into a tree, extract nothing."""
    import lxml.html

    lxml.html.document_fromstring(body)
    return {}


def article_region_page(body: bytes, url: str) -> bytes:
    """The page cut down to what this project's extraction reads of it at the least: the whole
    ``<head>`` (metadata, JSON-LD) and the article region (the smallest element holding the
    headline and the main text), without the menus, sidebar, lists and footer around it."""
    import lxml.html
    from lxml import etree

    from crawler.extraction.document import Document

    region = Document(body.decode("utf-8", errors="replace"), url).region
    page = lxml.html.document_fromstring(body)
    head = page.find("head")
    scripts = "".join(
        etree.tostring(s, encoding="unicode", with_tail=False) for s in page.xpath("//body//script[@type='application/ld+json']")
    )
    head_html = etree.tostring(head, encoding="unicode", with_tail=False).removesuffix("</head>") if head is not None else "<head>"
    region_html = etree.tostring(region, encoding="unicode", with_tail=False) if region is not None else ""
    return f"<!DOCTYPE html><html>{head_html}{scripts}</head><body>{region_html}</body></html>".encode()


_REGION_PAGES: dict[bytes, bytes] = {}


def cut_regions(pages: list[tuple[bytes, str]]) -> None:
    """Cut every page for :func:`alinea_region_only` ahead of the timing."""
    for body, url in pages:
        _REGION_PAGES[body] = article_region_page(body, url)


def alinea_region_only(body: bytes, url: str) -> dict[str, Any]:
    """This project's extraction on :func:`article_region_page` of the page (see
    :func:`cut_regions`): what ours would cost if it never walked the chrome around the article."""
    cut = _REGION_PAGES.get(body)
    if cut is None:
        cut = _REGION_PAGES[body] = article_region_page(body, url)
    return alinea_extract(cut, url)


EXTRACTORS: dict[str, Extractor] = {
    "alinea (ours)": alinea_extract,
    "trafilatura": trafilatura_extract,
    "news-watch (bs4)": newswatch_extract,
}
"""Name to extractor, ours first."""

FLOORS: dict[str, Extractor] = {"lxml parse only (floor)": lxml_parse_only, "alinea, article region only (bound)": alinea_region_only}
"""Timed alongside the extractors, not scored: what parsing alone costs, and what ours costs
when the page holds nothing but the article region (a bound on walking less of the page)."""
