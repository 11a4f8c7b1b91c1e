"""Article extraction: saved or downloaded page(s) in, one :class:`~crawler.items.Article` out.

Runs without the Scrapy engine: give it the :class:`~scrapy.http.HtmlResponse` objects of an
article's page parts (``?page=N``) in order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scrapy.http import TextResponse

from crawler.extraction.document import Document
from crawler.extraction.errors import ExtractionError, NotAnArticle
from crawler.extraction.loader import ArticleLoader
from crawler.extraction.parsers import select_parser
from crawler.extraction.processors import count_words
from crawler.items import Article
from crawler.urls import join_url, page_number, parse_article_url

MOJIBAKE_MARKERS = ("Ã", "â€", "Â")
MIN_BODY_WORDS = 30
"""Fewer words than this in the body paragraphs: not an article (an error page, a shell)."""
PAGE_HREF_RE = re.compile(r"""href\s*=\s*["']([^"'<>]*[?&](?:amp;)?page=\d+[^"'<>]*)["']""", re.IGNORECASE)
END_OF_PAGE_RE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
"""A complete page closes its body or document; a page cut off in transit does not."""
NOT_FOUND_RE = re.compile(
    r"^\W*(?:error\s*)?(?:404|410)\s*(?:$|[-–|:.]|not\s+found|halaman)|^\W*(?:halaman|page|artikel|berita)\s+(?:tidak\s+(?:ditemukan|tersedia)|not\s+found)"
    r"|^\W*(?:not\s+found|page\s+expired)\W*$",
    re.IGNORECASE,
)
"""An error page's headline ("Halaman tidak ditemukan", "404"), not a headline that mentions
404 houses or something "tidak ditemukan"."""


@dataclass
class Extraction:
    """An extracted article with the signal that produced each field and the layout version."""

    article: Article
    provenance: dict[str, str] = field(default_factory=dict)
    layout: str = ""


def page_text(response: TextResponse) -> str:
    """The response's text; a page declaring a single-byte charset while its bytes are UTF-8
    (a broken encoding declaration) is read as UTF-8."""
    text = response.text
    if response.encoding.lower().replace("-", "") in ("utf8",) or not any(m in text for m in MOJIBAKE_MARKERS):
        return text
    try:
        return response.body.decode("utf-8")
    except UnicodeDecodeError:
        return text


def extract_article(parts: Sequence[TextResponse], *, now: datetime | None = None) -> Extraction:
    """Extract one article from its page parts (part 0 first).

    Raises :class:`NotAnArticle` when the first URL is not an article URL or when the page has
    no title or no body: such a page never yields a half-filled item.
    """
    if not parts:
        raise NotAnArticle("no page given")
    url = parts[0].url
    ref = parse_article_url(url)
    if ref is None:
        raise NotAnArticle(f"not an article URL: {url}")
    texts = [page_text(response) for response in parts]
    for response, text in zip(parts, texts, strict=True):
        if not END_OF_PAGE_RE.search(text[-8192:]):
            raise ExtractionError(f"page {response.url} is cut off (no closing </body> or </html>); not delivered half")
    docs = [Document(text, response.url) for response, text in zip(parts, texts, strict=True)]
    parser = select_parser(docs[0])(docs, ref)
    paragraphs = [text for kind, text in parser.body_parts if kind == "p"]
    if count_words(" ".join(paragraphs)) < MIN_BODY_WORDS:
        raise NotAnArticle(f"no article body found on {url} ({len(paragraphs)} paragraphs)")
    if parser.looks_like_listing():
        raise NotAnArticle(f"a listing, not an article, at {url}")
    if NOT_FOUND_RE.search(parser.title_text or ""):
        raise NotAnArticle(f"a 'not found' page at {url}: {parser.title_text!r}")

    loader = ArticleLoader()
    provenance: dict[str, str] = {}
    loader.add_value("url", url)
    loader.add_value("canonical_url", ref.canonical_url)
    loader.add_value("article_id", ref.article_id)
    loader.add_value("section", ref.section)
    published_raw = None
    for name, unit in parser.field_units():
        for signal, value in unit():
            if name == "published":
                moment, raw = value
                published_raw = published_raw or raw
                if moment is not None:
                    loader.add_value("published_at", moment)
                    loader.add_value("published_raw", raw or published_raw)
                    provenance["published_at"] = signal
                    break
                continue
            loader.add_value(name, value)
            if loader.get_collected_values(name):
                provenance[name] = signal
                break
    if not loader.get_collected_values("published_raw") and published_raw:
        loader.add_value("published_raw", published_raw)  # shown but unparseable: validation reports it
    if not loader.get_collected_values("title"):
        raise NotAnArticle(f"no title found on {url}")
    body = loader.get_output_value("body")
    loader.add_value("pages", len(parts))
    loader.add_value("word_count", count_words(body))
    loader.add_value("language", "id")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    loader.add_value("scraped_at", moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return Extraction(article=loader.load_item(), provenance=provenance, layout=parser.name)


def pagination_urls(response: TextResponse) -> list[int]:
    """The ``?page=N`` part numbers an article page links to (for the spider to fetch)."""
    ref = parse_article_url(response.url)
    if ref is None:
        return []
    if b"page=" not in response.body:
        return []  # most articles have one part: no need to look further
    numbers = set()
    # only hrefs that carry a page number can point at a part: find those in the raw text
    # rather than parsing the page again and resolving its ~200 links
    for href in PAGE_HREF_RE.findall(response.text):
        absolute = join_url(response.url, html.unescape(href))
        target = parse_article_url(absolute)
        if absolute and target and target.article_id == ref.article_id:
            number = page_number(absolute)
            if number > 0:
                numbers.add(number)
    return sorted(numbers)


__all__ = ["Extraction", "ExtractionError", "NotAnArticle", "extract_article", "page_text", "pagination_urls"]
