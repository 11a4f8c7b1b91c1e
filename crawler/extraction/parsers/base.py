"""The signals every alinea.id layout shares, one small unit per field.

Each field unit is a generator of ``(signal, value)`` candidates, best first: structured data
that the page confirms, the layout's markup, structural cues, then text patterns. The loader
keeps the first candidate that survives its processors and records which signal it was
(field provenance). Layout versions subclass :class:`ArticleParser` and change the constants
or the order, never the machinery.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from functools import cached_property
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from lxml import etree

from crawler.extraction.dates import find_date, parse_indonesian_datetime, parse_iso_datetime
from crawler.extraction.document import Block, Document, _classes, text_of
from crawler.extraction.processors import (
    agency_credit,
    clean_text,
    looks_like_name,
    normalize_credit,
    split_caption_credit,
    split_names,
    strip_site_suffix,
)
from crawler.urls import ArticleRef, canonical_url, join_url, parse_article_url

Candidates = Iterator[tuple[str, Any]]
T = TypeVar("T")

# --- confirmed selectors (../shared/alinea-site.md, news-watch) ------------------------------
DATE_CLASS = "frontdate"  # div.frontdate
REPORTER_CLASSES = ("written__reporter", "reporter__nama")  # div.written__reporter div.reporter__nama
END_CLASS = "artikelend"  # div.artikelend
# --- guessed selectors: each is only used together with a second signal ---------------------
LEAD_CLASS_RE = re.compile(r"lead|excerpt|summary|ringkasan|deskripsi|description|intro|standfirst|sub-?title|subjudul", re.I)
AUTHOR_CLASS_RE = re.compile(r"author|penulis|reporter|writer|byline|wartawan", re.I)
CATEGORY_CLASS_RE = re.compile(r"kategori|category|rubrik|kanal|channel|breadcrumb|section", re.I)
IMAGE_SKIP_RE = re.compile(r"logo|icon|avatar|author|profile|penulis|reporter|emoji|spinner|sprite|pixel|blank\.gif", re.I)
CREDIT_CLASS_RE = re.compile(r"credit|sumber|photographer|fotografer", re.I)
IMAGE_PLACEHOLDER_RE = re.compile(r"placeholder|lazy|blank\.", re.I)
IMAGE_CROP_RE = re.compile(r"^(https?://img\.alinea\.id)/crop/\d+x\d+/content/")
IMAGE_FILE_RE = re.compile(r"\.(?:jpe?g|png|webp|gif)$", re.I)  # an alt text that is a file name
# --- text patterns ----------------------------------------------------------------------------
AD_LABEL_RE = re.compile(
    r"^(?:sponsored|advertisement|iklan|adv|ads|advertorial|konten sponsor|sponsored content|konten bersponsor|"
    r"scroll to continue(?: with content)?|lanjutkan membaca(?: di bawah)?|"
    r"scroll (?:ke (?:atas|bawah) )?untuk melanjutkan(?: membaca)?|lanjut(?:kan)? baca)$",
    re.I,
)
PROMO_RE = re.compile(
    r"^(?:baca|simak|lihat|tonton|klik|ikuti|follow|dapatkan|download)\b.{0,20}?(?:juga|selengkapnya|:|berita|update|kami)", re.I
)
END_RE = re.compile(
    r"^(?:(?:berita|artikel) (?:lainnya|lain|terkait)|baca (?:juga|lagi)|related|rekomendasi|terpopuler|"
    r"tags?|topik|topics?|label|bagikan|share|komentar)\s*:?$"
    r"|^(?:tags?|topik|reporter|penulis|editor|redaktur|penyunting|sumber)\s*:",
    re.I,
)
PROMO_HEADING_RE = re.compile(r"^(?:baca|lihat|simak) (?:juga|pula)\s*:?$", re.I)
RELATED_CLASS_RE = re.compile(r"related|terkait|lainnya", re.I)
RELATED_HEADING_RE = re.compile(
    r"^(?:(?:berita|artikel) (?:lainnya|lain|terkait|pilihan)|baca (?:juga|lagi)|lihat juga|related(?: news| articles)?)\s*:?$",
    re.I,
)
TAG_LABEL_RE = re.compile(r"^(?:tags?|topik|topics?|label|kata kunci)\s*:?\s*", re.I)
TAG_HREF_RE = re.compile(r"/(?:tag|tags|topik|topic|label|hashtag)/|[?&](?:q|tag)=", re.I)


class LabelPattern:
    """A credit label (``Editor:``) at the start of a text or after a separator (``… | Editor: X``),
    and the ``name`` after it: the pattern ``^(?:.*[<separators>]\\s*)?<label>``, case-insensitive.

    A text without a separator can only match at its start, and is tried with the label alone:
    most paragraphs then fail on their first letter, where the whole pattern scans the line
    for a separator and backtracks over it (a few microseconds a paragraph, every paragraph)."""

    def __init__(self, separators: str, label: str) -> None:
        self.separators = separators
        self.pattern = re.compile(rf"^(?:.*[{separators}]\s*)?{label}", re.I)
        self.at_start = re.compile(rf"^{label}", re.I)

    def search(self, text: str) -> re.Match[str] | None:
        """The same match as ``self.pattern.search(text)``."""
        if any(separator in text for separator in self.separators):
            return self.pattern.search(text)
        return self.at_start.search(text)


EDITOR_RE = LabelPattern("|•", r"(?:editor|redaktur|penyunting)\s*:?\s*(?P<name>[^|•,;\n]*)$")
REPORTER_LABEL_RE = LabelPattern(
    "|•·",
    r"(?:reporter|reporters|penulis|wartawan|oleh|kontributor)\s*:?\s*"
    r"(?P<name>[^|•·]*?)\s*(?:[|•·].*|\b(?:editor|redaktur|penyunting|fotografer)\b.*)?$",
)
AUTHOR_HREF_RE = re.compile(r"/(?:penulis|author|authors|reporter|wartawan|profil|profile)/[^/?#]+", re.I)
MODIFIED_LABEL_RE = re.compile(r"\b(?:diperbarui|diperbaharui|update[d]?|pembaruan)\b", re.I)
CATEGORY_SPLIT_RE = re.compile(r"\s+[-–—|›»>/]\s+")
PUNCTUATED_END_RE = re.compile(r"[.!?,;:\"”'’)]$")
HOME_CRUMBS = frozenset({"home", "beranda", "alinea.id", "alinea", "index"})
# --- queries, compiled once (``element.xpath(string)`` compiles its expression on every call);
# hrefs as plain strings: they are only compared and looked up in sets
HREFS_UNDER = etree.XPath(".//a/@href", smart_strings=False)
HREFS_OF_LINK = etree.XPath("./ancestor-or-self::a/@href | .//a/@href", smart_strings=False)
HREFS_AFTER = etree.XPath("following::a/@href", smart_strings=False)
FIGCAPTIONS_UNDER = etree.XPath(".//figcaption")


def reporter_names(doc: Document) -> list[Any]:
    """``.written__reporter .reporter__nama`` elements (the confirmed reporter block)."""
    outer, inner = REPORTER_CLASSES
    boxes = set(doc.with_class(outer))
    if not boxes:
        return []
    return [n for n in doc.with_class(inner) if any(a in boxes for a in n.iterancestors())]


def _is_sentence(text: str) -> bool:
    return len(text.split()) >= 4 and len(text) >= 20


NON_WORD_RE = re.compile(r"\W+")


def _norm(text: str | None) -> str:
    """``text`` lower-cased, its words joined by single spaces (for comparing texts)."""
    return NON_WORD_RE.sub(" ", (text or "").lower()).strip()


def _per_part(method: Callable[[Any, Document], T]) -> Callable[[Any, Document], T]:
    """Compute a per-page-part value once per parser (the field units share them)."""

    @functools.wraps(method)
    def cached(self: Any, doc: Document) -> T:
        key = (method.__name__, id(doc))
        if key not in self._memo:
            self._memo[key] = method(self, doc)
        return self._memo[key]

    return cached


class ArticleParser:
    """Base parser: every field from the shared signals. Subclasses are layout versions."""

    name: ClassVar[str] = "base"
    valid_until: ClassVar[date | None] = None
    """Last day this layout was seen on the site (``None``: still current)."""

    def __init__(self, parts: list[Document], ref: ArticleRef) -> None:
        self.parts = parts
        self.doc = parts[0]
        self.ref = ref
        self._memo: dict[tuple[str, int], Any] = {}
        self._norms: dict[str | None, str] = {}
        self._article_urls: dict[tuple[str, str | None], str | None] = {}

    @classmethod
    def matches(cls, doc: Document) -> int:
        """How strongly ``doc`` looks like this layout (0: not at all)."""
        return 0

    # --- helpers ------------------------------------------------------------------------------

    def _meta(self, *keys: str) -> str | None:
        return self.doc.structured.first_meta(*keys)

    def _jsonld(self, key: str) -> Any:
        return self.doc.structured.article_value(key)

    def _norm(self, text: str | None) -> str:
        """:func:`_norm`, once per parser and text: the body, the header and the fields
        compare the same few dozen texts (the title most of all) again and again, and each
        call is a regex pass over a whole paragraph."""
        if text not in self._norms:
            self._norms[text] = _norm(text)
        return self._norms[text]

    def _same_text(self, a: str | None, b: str | None) -> bool:
        return bool(a and b) and self._norm(a) == self._norm(b)

    def _article_url(self, doc: Document, href: str | None) -> str | None:
        """The canonical URL of the article ``href`` on ``doc`` links to (``None``: not an
        article link), resolved once per parser: the listing check, the related links, the tags
        and the images resolve the same links again and again."""
        key = (doc.url, href)
        if key not in self._article_urls:
            self._article_urls[key] = canonical_url(join_url(doc.url, href))
        return self._article_urls[key]

    @cached_property
    def title_text(self) -> str | None:
        block = self.doc.title_block
        return block.text if block else None

    @_per_part
    def header_blocks(self, doc: Document) -> list[Block]:
        """Blocks of the article region before its body starts (the article's header)."""
        start = self.body_start(doc)
        title = doc.title_block
        blocks = [b for b in doc.blocks[:start] if doc.in_region(b) or (title and abs(b.index - title.index) <= 8)]
        return [b for b in blocks if not doc.under_non_content(b.ancestors[2:])]

    @_per_part
    def lead_block(self, doc: Document) -> Block | None:
        """The standfirst: the first sentence right after the headline that is not a byline,
        date, caption or category line."""
        title = doc.title_block
        if title is None:
            return None
        container = doc.container
        for block in doc.blocks[title.index + 1 : title.index + 10]:
            if block.caption or block.heading == "h1" or block.link_density > 0.5:
                continue
            if block.date or self._same_text(block.text, title.text) or AD_LABEL_RE.match(block.text):
                continue
            if not _is_sentence(block.text) or looks_like_name(block.text):
                continue
            in_container = container is not None and container in block.ancestors
            if not in_container:
                return block
            if LEAD_CLASS_RE.search(_classes(block.element)) or any(self._same_text(block.text, d) for d in self._descriptions(doc)):
                return block
            if (block.italic or block.bold) and len(block.text) <= 400:
                return block  # a standfirst set in italics or bold above plain paragraphs
            if block.element.getparent() is not self._paragraph_parent(doc) or block.heading:
                return block
            return None
        return None

    @staticmethod
    def _descriptions(doc: Document) -> list[str | None]:
        """The page's own summary (metadata, JSON-LD): a lead that repeats it is the lead."""
        described = doc.structured.article_value("description")
        return [
            doc.structured.first_meta("description", "og:description", "twitter:description"),
            described if isinstance(described, str) else None,
        ]

    @staticmethod
    def _paragraph_parent(doc: Document) -> Any | None:
        """The element holding most of the container's paragraphs (``None`` without any)."""
        parents = [b.element.getparent() for b in doc.blocks if b.is_paragraph and doc.in_container(b)]
        if not parents:
            return None
        counts = Counter(parents)
        # max over the same set with the same counts as ``max(set(parents), key=parents.count)``
        # (ties resolve identically), without counting the list once per distinct parent
        return max(set(parents), key=counts.__getitem__)

    def body_start(self, doc: Document) -> int:
        """Index of the first block that may belong to the body."""
        first, _ = doc.container_range
        after = [b.index + 1 for b in (doc.title_block,) if b is not None and doc.in_container(b)]
        return max([first, *after])

    @_per_part
    def body_blocks(self, doc: Document) -> list[tuple[str, Block]]:
        """``("p" | "h", block)`` for the body of one page part, in reading order.

        A subheading may open a later part (the body continues there) but not the first one,
        and may not close the last one."""
        first, last = doc.container_range
        if last < first:
            return []
        lead = self.lead_block(doc)
        start = max(self.body_start(doc), lead.index + 1 if lead and doc.in_container(lead) else 0)
        end = min([last + 1, *(i for i, _ in doc.markers if i > start)])
        header_texts = {self._norm(t) for t in (self.title_text, lead.text if lead else None) if t}
        out: list[tuple[str, Block]] = []
        for position, block in enumerate(doc.blocks[start:end], start):
            text = block.text
            if END_RE.match(text) and (out or block.heading):
                if not (PROMO_HEADING_RE.match(text) and self._paragraphs_follow(doc, position, end)):
                    break
                continue  # a "Baca juga" box in the middle of the body: skip it, the body goes on
            if self._norm(text) in header_texts or AD_LABEL_RE.match(text) or PROMO_RE.match(text):
                continue
            if block.caption or (block.after_image and len(text) < 250 and split_caption_credit(text)[1]):
                continue
            inner = block.ancestors[block.ancestors.index(doc.container) + 1 :] if doc.container in block.ancestors else ()
            if block.link_density > 0.6 or doc.under_non_content(inner):
                continue
            date_match = block.date
            if date_match and len(text) < 120 and not any(kind == "p" for kind, _ in out):
                continue  # a byline/date line at the top
            if date_match and len(date_match.group(0)) >= 0.8 * len(text):
                continue  # a bare date line is never body text
            out.append(("h" if self._is_subheading(block) else "p", block))
        while doc is self.parts[0] and out and out[0][0] == "h":
            out.pop(0)
        while doc is self.parts[-1] and out and (out[-1][0] == "h" or looks_like_name(out[-1][1].text)):
            out.pop()  # a trailing heading or lone author line is not body
        return self._mark_pattern_subheadings(out)

    @staticmethod
    def _paragraphs_follow(doc: Document, position: int, end: int) -> bool:
        return any(b.is_paragraph and not doc.under_non_content(b.ancestors[2:]) for b in doc.blocks[position + 1 : end])

    def interleaved_article_links(self, doc: Document) -> int:
        """Link-only blocks pointing at other articles *between* body paragraphs: a listing's
        cards. An article has a few ("Baca juga" promos); a listing has one per paragraph."""
        body = self.body_blocks(doc)
        if not body:
            return 0
        first, last = body[0][1].index, body[-1][1].index
        return sum(
            1
            for block in doc.blocks[first : last + 1]
            if block.link_density > 0.6 and self._article_links(block.element, doc, HREFS_OF_LINK)
        )

    def looks_like_listing(self) -> bool:
        paragraphs = sum(1 for kind, _ in self.body_parts if kind == "p")
        cards = sum(self.interleaved_article_links(doc) for doc in self.parts)
        return cards >= 5 and cards >= 0.5 * paragraphs

    @staticmethod
    def _is_subheading(block: Block) -> bool:
        text = block.text
        words = len(text.split())
        if block.heading in ("h2", "h3", "h4", "h5", "h6"):
            return words <= 20
        return block.bold and words <= 12 and not text.endswith((".", ",", ";", ":"))

    @staticmethod
    def _mark_pattern_subheadings(out: list[tuple[str, Block]]) -> list[tuple[str, Block]]:
        """Text pattern: a short unpunctuated line between two paragraphs is a subheading."""
        marked = list(out)
        for i in range(1, len(out) - 1):
            kind, block = out[i]
            text = block.text
            if (
                kind == "p"
                and len(text.split()) <= 8
                and text[:1].isupper()
                and not PUNCTUATED_END_RE.search(text)
                and out[i - 1][0] == "p"
                and out[i + 1][0] == "p"
                and len(out[i + 1][1].text) >= 60
            ):
                marked[i] = ("h", block)
        return marked

    @cached_property
    def body_parts(self) -> list[tuple[str, str]]:
        """``(kind, text)`` for the whole article, all page parts in order, no repeats."""
        seen: set[str] = set()
        out = []
        for doc in self.parts:
            for kind, block in self.body_blocks(doc):
                key = self._norm(block.text)
                if key in seen and kind == "p":
                    continue
                seen.add(key)
                out.append((kind, block.text))
        return out

    # --- fields -------------------------------------------------------------------------------

    def title(self) -> Candidates:
        yield "h1", self.title_text
        yield "jsonld:headline", self._jsonld("headline")
        yield "meta:og:title", strip_site_suffix(self._meta("og:title", "twitter:title"))
        yield "html:title", strip_site_suffix(self.doc.selector.xpath("//title/text()").get())

    def lead(self) -> Candidates:
        block = self.lead_block(self.doc)
        yield "after-h1", block.text if block else None

    def published(self) -> Candidates:
        """``(signal, (datetime | None, raw text))``: the page's date line first."""
        doc = self.doc
        meta_moment = self._meta_published()
        for node in doc.with_class(DATE_CLASS)[:1]:
            yield "css:frontdate", self._page_date(" ".join(node.xpath(".//text()")), meta_moment)
        title = doc.title_block
        pivot = title.index if title else self.body_start(doc)
        lines = [b for b in self.header_blocks(doc) if len(b.text) <= 160 and b.date]
        if not lines:  # a layout that prints the date after the body (a footer line): the article's own region only
            lines = [
                b
                for b in doc.blocks
                if len(b.text) <= 160
                and not doc.in_container(b)
                and (doc.in_region(b) or (title is not None and abs(b.index - title.index) <= 15))
                and b.link_density < 0.5
                and b.date  # looked for in the few blocks left, not in the whole page
                and not doc.under_non_content(b.ancestors[2:])  # never a card's date in a sidebar or related list
            ]
        for block in sorted(lines, key=lambda b: abs(b.index - pivot)):
            yield "text:date-line", self._page_date(block.text, meta_moment)
        for node in doc.selector.xpath("//time[@datetime]")[:3]:
            if doc.region is None or doc.region in node.root.iterancestors():
                raw = node.root.get("datetime") or ""
                yield "html:time[datetime]", (parse_iso_datetime(raw), clean_text(node.xpath("string()").get()) or raw)
        for signal, raw in self._meta_published_raw():
            yield signal, (parse_iso_datetime(raw), raw)

    def _meta_published_raw(self) -> Iterator[tuple[str, str]]:
        value = self._jsonld("datePublished")
        if isinstance(value, str):
            yield "jsonld:datePublished", value
        for key in ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate"):
            raw = self._meta(key)
            if raw:
                yield f"meta:{key}", raw

    def _meta_published(self) -> datetime | None:
        for _, raw in self._meta_published_raw():
            moment = parse_iso_datetime(raw)
            if moment:
                return moment
        return None

    @staticmethod
    def _page_date(text: str, meta_moment: datetime | None) -> tuple[datetime | None, str | None]:
        match = find_date(clean_text(text))
        if match is None:
            return None, None
        raw = clean_text(match.group(0))
        moment = parse_indonesian_datetime(raw)
        if moment is None and meta_moment is not None:
            day = parse_indonesian_datetime(raw, require_time=False)
            if day and day.date() == meta_moment.date():
                moment = meta_moment  # the page shows the day, metadata the time of that day
        return moment, raw

    def modified(self) -> Candidates:
        for block in self.header_blocks(self.doc):
            if MODIFIED_LABEL_RE.search(block.text) and block.date:
                yield "text:updated-label", parse_indonesian_datetime(block.text[MODIFIED_LABEL_RE.search(block.text).end() :])  # type: ignore[union-attr]
        value = self._jsonld("dateModified")
        yield "jsonld:dateModified", parse_iso_datetime(value) if isinstance(value, str) else None
        yield "meta:article:modified_time", parse_iso_datetime(self._meta("article:modified_time", "og:updated_time"))

    def authors(self) -> Candidates:
        doc = self.doc
        confirmed = [clean_text(" ".join(n.xpath(".//text()"))) for n in reporter_names(doc)]
        yield "css:reporter__nama", [name for value in confirmed for name in split_names(value)]
        yield "text:reporter-label", self._labelled(REPORTER_LABEL_RE, many=True)
        for block in self.header_blocks(doc):
            match = block.date
            if match and match.start() > 0:
                yield "text:byline", split_names(block.text[: match.start()])
        classed = [
            b.text
            for b in self.header_blocks(doc)
            if looks_like_name(b.text) and any(doc.classes_match(AUTHOR_CLASS_RE, a) for a in b.ancestors[-3:])
        ]
        yield "class+name-shape:author", [n for text in classed for n in split_names(text)]
        region = doc.region if doc.region is not None else doc.root
        linked = [
            clean_text(text_of(a))
            for a in (region.iter("a") if region is not None else ())
            if AUTHOR_HREF_RE.search(a.get("href") or "") and not doc.under_non_content(tuple(a.iterancestors()))
        ]
        yield "links:author-href", [n for text in linked for n in split_names(text)]
        header = self.header_blocks(doc)
        for i, block in enumerate(header):
            if block.date and not block.date.start():  # a bare date line: a name right before it is the byline's
                before = header[i - 1] if i else None
                if before is not None and looks_like_name(before.text) and not self._same_text(before.text, self.title_text):
                    yield "structure:name-before-date", split_names(before.text)
        yield "jsonld:author", [n for text in doc.structured.person_names("author") for n in split_names(text)]
        yield "meta:author", split_names(self._meta("author", "article:author", "dc.creator"))

    @cached_property
    def _region_blocks(self) -> list[Block]:
        """The blocks of the first part's article region (all of them without one)."""
        doc = self.doc
        return [b for b in doc.blocks if doc.region is None or doc.in_region(b)]

    def _labelled(self, label: LabelPattern, many: bool = False) -> list[str]:
        """Names after a label (``Editor: X``), in the same block or, when the label stands
        alone (``<span>Reporter</span><div>A</div><div>B</div>``), in the next block(s)."""
        blocks = self._region_blocks
        for i, block in enumerate(blocks):
            match = label.search(block.text)
            if not match:
                continue
            names = split_names(match["name"])
            following = blocks[i + 1 : i + 1 + (8 if many else 1)] if not match["name"] else []
            for after in following:
                found = split_names(after.text) if looks_like_name(after.text) or "," in after.text else []
                if not found:
                    break
                names += found
            if names:
                return names
        return []

    def editor(self) -> Candidates:
        names = self._labelled(EDITOR_RE)
        yield "text:editor-label", names[0] if names else None
        names = self.doc.structured.person_names("editor")
        yield "jsonld:editor", names[0] if names else None

    def images(self) -> Candidates:
        found, has_header_image = self._page_images()
        og = self._meta("og:image", "twitter:image")
        og_absolute = join_url(self.doc.url, og) if og else None
        og_url = _normalize_image_url(og_absolute) if og_absolute else None
        if og_url and not has_header_image and not any(img["url"] == og_url for img in found):
            found.insert(0, {"url": og_url, "caption": None, "credit": None})
            yield "meta:og:image+page", found
        else:
            yield "page:images", found

    def _page_images(self) -> tuple[list[dict[str, str | None]], bool]:
        """Images of the header (main) and of the body of every part, and whether the first
        part's header had one."""
        out: list[dict[str, str | None]] = []
        seen: set[str] = set()
        has_header_image = False
        for part_no, doc in enumerate(self.parts):
            start = self.body_start(doc)
            body = self.body_blocks(doc)
            body_end = body[-1][1].index if body else start
            header_from = min([b.index for b in self.header_blocks(doc)] or [start])
            for position, element in doc.images:
                in_header = header_from <= position <= start and doc.region is not None and doc.region in element.iterancestors()
                in_body = start <= position <= body_end + 1 and doc.in_container(doc.blocks[min(position, len(doc.blocks) - 1)])
                if not (in_header or in_body) or self._skip_image(element, doc):
                    continue
                url = _image_url(element, doc.url)
                if not url or url in seen:
                    continue
                seen.add(url)
                caption, credit = self._caption(element, position, doc)
                has_header_image = has_header_image or (in_header and part_no == 0)
                out.append({"url": url, "caption": caption, "credit": credit})
        return out, has_header_image

    def _skip_image(self, element: Any, doc: Document) -> bool:
        attributes = " ".join(element.get(name) or "" for name in ("src", "alt", "class", "id", "data-src"))
        if IMAGE_SKIP_RE.search(attributes):
            return True
        for ancestor in element.iterancestors():
            if ancestor.tag == "a" and self._article_url(doc, ancestor.get("href")):
                return True  # a thumbnail linking to another article
            if doc.is_non_content(ancestor) or doc.classes_match(AUTHOR_CLASS_RE, ancestor):
                return True
        width = element.get("width")
        return bool(width and width.isdigit() and int(width) < 100)

    def _caption(self, element: Any, position: int, doc: Document) -> tuple[str | None, str | None]:
        caption_el = None
        figure = next((a for a in element.iterancestors() if a.tag == "figure"), None)
        if figure is not None:
            caption_el = next(iter(FIGCAPTIONS_UNDER(figure)), None)
        if caption_el is None and position < len(doc.blocks):
            block = doc.blocks[position]
            if block.caption or (block.after_image and len(block.text) < 250 and split_caption_credit(block.text)[1]):
                caption_el = block.element
        if caption_el is None:
            alt = clean_text(element.get("alt"))
            if alt and not IMAGE_FILE_RE.search(alt):
                return split_caption_credit(alt)
            return None, None
        text = clean_text(text_of(caption_el)) or ""
        credit_nodes = [n for n in caption_el.iterdescendants() if isinstance(n.tag, str) and CREDIT_CLASS_RE.search(_classes(n))]
        credit_text = clean_text(text_of(credit_nodes[0])) if credit_nodes else None
        if credit_text and credit_text in text:
            caption = clean_text(text.replace(credit_text, "", 1))
            return caption, normalize_credit(credit_text)
        return split_caption_credit(text)

    def body(self) -> Candidates:
        yield "container-paragraphs", [text for _, text in self.body_parts]

    def subheadings(self) -> Candidates:
        yield "body-subheadings", [text for kind, text in self.body_parts if kind == "h"]

    def source(self) -> Candidates:
        paragraphs = [text for kind, text in self.body_parts if kind == "p"]
        yield "text:agency-credit", agency_credit(paragraphs[-1]) if paragraphs else None
        doc = self.parts[-1]
        _, last = doc.container_range
        for block in doc.blocks[last + 1 : last + 15]:
            if block.text.lower().startswith(("sumber", "source")):
                yield "text:source-label", agency_credit(block.text)

    def category(self) -> Candidates:
        crumbs = self._category_line
        yield "page:category-line", crumbs[0] if crumbs else None
        names = [n for n in self.doc.structured.breadcrumb_names() if n.lower() not in HOME_CRUMBS]
        names = [n for n in names if not self._same_text(n, self.title_text)]
        yield "jsonld:breadcrumb", names[0] if names else None
        section = self._jsonld("articleSection")
        yield "jsonld:articleSection", section if isinstance(section, str) else None
        yield "meta:article:section", self._meta("article:section")

    def subcategory(self) -> Candidates:
        crumbs = self._category_line
        if crumbs:
            yield "page:category-line", crumbs[1] if len(crumbs) > 1 else None
            return
        names = [n for n in self.doc.structured.breadcrumb_names() if n.lower() not in HOME_CRUMBS]
        names = [n for n in names if not self._same_text(n, self.title_text)]
        yield "jsonld:breadcrumb", names[1] if len(names) > 1 else None

    @cached_property
    def _category_line(self) -> list[str]:
        """``[category, subcategory?]`` from the header's category line or breadcrumb."""
        doc = self.doc
        for block in self.header_blocks(doc):
            text = block.text
            if len(text) > 80 or block.caption or block.date or self._same_text(text, self.title_text):
                continue
            parts = [p for p in CATEGORY_SPLIT_RE.split(text) if p and p.lower() not in HOME_CRUMBS]
            if not all(len(p.split()) <= 6 for p in parts) or any(doc.classes_match(AUTHOR_CLASS_RE, a) for a in block.ancestors[-3:]):
                continue  # not section names, or an author box
            classed = any(doc.classes_match(CATEGORY_CLASS_RE, a) for a in block.ancestors[-3:])
            shaped = len(parts) == 2 and all(p[:1].isupper() and len(p.split()) <= 5 for p in parts)
            if classed or shaped or self._links_to_section(block, doc):  # the links (costly to resolve) last
                return parts[:2]
        return []

    def _links_to_section(self, block: Block, doc: Document) -> bool:
        """Whether ``block`` links to the article's section page (not to an article in it)."""
        links = [urlsplit(u).path for u in (join_url(doc.url, h) for h in HREFS_UNDER(block.element)) if u]
        return any(p.strip("/").split("/")[0] == self.ref.section for p in links if not parse_article_url(p))

    def tags(self) -> Candidates:
        doc = self.doc
        region = doc.region if doc.region is not None else doc.root
        in_body = {block.element for _, block in self.body_blocks(doc)}
        anchors = [
            a
            for a in (region.iter("a") if region is not None else ())
            # cheap test first: only rel=tag or tag-shaped hrefs can be tags
            if ("tag" in (a.get("rel") or "").split() or TAG_HREF_RE.search(a.get("href") or ""))
            and not in_body.intersection(a.iterancestors())  # a keyword linked inside a paragraph is not a tag
            and not self._article_url(doc, a.get("href"))
            and not any(doc.is_non_content(p) and "tag" not in _classes(p).lower() for p in a.iterancestors())
        ]
        yield "links:rel-tag", [self._tag_text(a) for a in anchors if "tag" in (a.get("rel") or "").split()]
        yield "links:tag-href", [self._tag_text(a) for a in anchors if TAG_HREF_RE.search(a.get("href") or "")]
        labelled: list[str] = []
        for block in doc.blocks:
            if doc.in_region(block) and TAG_LABEL_RE.match(block.text) and ":" in block.text[:12]:
                rest = TAG_LABEL_RE.sub("", block.text, count=1)
                labelled.extend(t.strip().lstrip("#") for t in re.split(r"\s*[,;|•]\s*", rest) if t.strip())
        yield "text:tag-label", labelled

    @staticmethod
    def _tag_text(anchor: Any) -> str | None:
        text = clean_text(text_of(anchor))
        return clean_text(text.lstrip("#")) if text else None

    def related_urls(self) -> Candidates:
        """Links to other articles listed under a related-news heading (``Berita Lainnya``…),
        looked for from the heading outwards, never into the body or a sidebar."""
        urls = []
        for doc in self.parts:
            for block in doc.blocks:
                if not RELATED_HEADING_RE.match(block.text):
                    continue
                last = doc.container_range[1]
                if PROMO_HEADING_RE.match(block.text) and doc.in_container(block) and self._paragraphs_follow(doc, block.index, last + 1):
                    continue  # a "Baca juga" promo inside the body, not the related list
                body_chain = {doc.container, *doc.container.iterancestors()} if doc.container is not None else set()
                node = block.element
                after = set(HREFS_AFTER(node))  # links after the heading, anywhere
                while node is not None and node is not doc.root:
                    if node in body_chain:
                        break  # climbed up to an element holding the body
                    links = self._article_links(node, doc, only=after)
                    if links:
                        urls.extend(links)
                        break
                    node = node.getparent()
                    if node is None or (doc.is_non_content(node) and not RELATED_CLASS_RE.search(_classes(node))):
                        break
        yield "text:related-heading", urls

    def _article_links(self, element: Any, doc: Document, hrefs_of: etree.XPath = HREFS_UNDER, only: set[str] | None = None) -> list[str]:
        """Canonical URLs of the other articles linked under ``element`` (the hrefs ``hrefs_of``
        finds; only those in ``only``, when given)."""
        out = []
        hrefs = hrefs_of(element)
        if only is not None:
            hrefs = [h for h in hrefs if h in only]
        own = self.ref.canonical_url
        for href in hrefs:
            url = self._article_url(doc, href)
            if url and url != own:
                out.append(url)
        return out

    def field_units(self) -> list[tuple[str, Any]]:
        """``(item field, unit)`` pairs the loader fills, in dependency-free order."""
        return [
            ("category", self.category),
            ("subcategory", self.subcategory),
            ("title", self.title),
            ("lead", self.lead),
            ("authors", self.authors),
            ("editor", self.editor),
            ("published", self.published),
            ("modified_at", self.modified),
            ("images", self.images),
            ("body", self.body),
            ("subheadings", self.subheadings),
            ("source", self.source),
            ("tags", self.tags),
            ("related_urls", self.related_urls),
        ]


def _normalize_image_url(url: str) -> str:
    """Crops (``/crop/600x400/content/…``) name the same picture as ``/img/content/…``."""
    return IMAGE_CROP_RE.sub(r"\1/img/content/", url)


def _image_url(element: Any, base: str) -> str | None:
    if element.tag == "picture":
        inner = element.find(".//img")
        if inner is not None:
            element = inner
    for attribute in ("data-src", "data-original", "data-lazy-src", "src", "data-srcset", "srcset"):
        value = (element.get(attribute) or "").strip()
        if attribute.endswith("srcset") and value:
            value = value.split(",")[0].strip().split(" ")[0]
        if not value or value.startswith("data:") or IMAGE_PLACEHOLDER_RE.search(value):
            continue
        url = join_url(base, value)
        if url and urlsplit(url).scheme in ("http", "https"):
            return _normalize_image_url(url)
    return None
