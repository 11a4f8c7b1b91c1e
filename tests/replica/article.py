"""Article data: compact metadata kept in memory, full content built on demand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import dates

SITE = "https://www.alinea.id"
LAYOUT_2019 = "desktop2019"
LAYOUT_2023 = "desktop2023"


@dataclass(slots=True)
class ArticleMeta:
    """What the site keeps per article; everything else is derived from the seed."""

    index: int
    code: str
    section: str
    slug: str
    title: str
    minute: int
    """Publication time, minutes since the Unix epoch."""
    topic: int
    """Index into the section's topic list; ``-1`` for the seed article."""
    authors: tuple[int, ...]
    editor: int
    """Index into ``bank.EDITORS``; ``-1`` when no editor is credited."""
    subsection: int
    layout: str
    parts: int

    @property
    def article_id(self) -> str:
        """The ``b<code>`` token that ends the URL."""
        return f"b{self.code}"

    @property
    def path(self) -> str:
        """Root-relative desktop path."""
        return f"/{self.section}/{self.slug}-b{self.code}"

    @property
    def canonical_url(self) -> str:
        """``https://www.alinea.id/<section>/<slug>-b<code>``."""
        return SITE + self.path

    @property
    def published(self) -> datetime:
        """Publication time in WIB."""
        return dates.from_minute(self.minute)

    def summary(self) -> dict[str, Any]:
        """The short record of ``/_replica/articles``."""
        return {
            "article_id": self.article_id,
            "canonical_url": self.canonical_url,
            "published_at": dates.iso(self.published),
            "section": self.section,
            "title": self.title,
        }


@dataclass(frozen=True, slots=True)
class Image:
    """An image with its caption split into text and credit."""

    url: str
    alt: str
    caption: str | None
    """Caption text without the credit."""
    credit: str | None
    """Normalised credit: ``Reuters``, ``MT Fadillah`` (shown as ``Alinea.id/MT Fadillah``), ``twitter.com/x``."""
    credit_shown: str | None
    """Credit as printed after the caption: ``/Reuters``, ``Foto twitter.com/x``."""

    def ground_truth(self) -> dict[str, str | None]:
        """``{url, caption, credit}``."""
        return {"url": self.url, "caption": self.caption, "credit": self.credit}


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A body paragraph; several lines are separated by ``<br>`` on the page."""

    lines: tuple[str, ...]
    markup: tuple[str, str] | None = None
    """Optional ``(tag, phrase)``: wrap the first occurrence of phrase in tag (strong/em/a)."""


@dataclass(frozen=True, slots=True)
class Subheading:
    """A short heading line inside the body."""

    text: str


@dataclass(frozen=True, slots=True)
class Ad:
    """An in-article ad slot labelled ``Sponsored``."""

    slot: int


@dataclass(frozen=True, slots=True)
class Promo:
    """A ``Baca juga: <title>`` link to another article."""

    target: ArticleMeta


@dataclass(frozen=True, slots=True)
class Figure:
    """An inline image with caption and credit."""

    image: Image


Block = Paragraph | Subheading | Ad | Promo | Figure


@dataclass(frozen=True, slots=True)
class Style:
    """Per-article markup choices for the parts of the page nobody has evidence for."""

    subheading_tag: str
    """``h2``, ``h3`` or ``strong`` (a ``<p><strong>`` line)."""
    caption_markup: str
    """``figcaption``, ``div`` or ``p`` (``<p class="img-caption">``)."""
    lead_markup: str
    """``p`` or ``h2``."""
    jsonld: str | None
    """``None``, ``person`` or ``organization`` (author of the NewsArticle)."""
    canonical: bool
    amphtml: bool
    og_suffix: bool
    published_meta: bool
    related_markup: str
    """``ul``, ``ol``, ``cards`` or ``js`` (empty list filled by script)."""
    tags_markup: str | None
    """``None`` (no visible tags), ``links`` or ``pills``."""
    august: str
    quotes: tuple[str, str]
    link_seed: int


@dataclass(frozen=True, slots=True)
class Article:
    """Full content of one article, the single source for every rendering."""

    meta: ArticleMeta
    lead: str
    authors: tuple[str, ...]
    editor: str | None
    category: str
    subcategory: str
    main_image: Image
    parts: tuple[tuple[Block, ...], ...]
    source: str | None
    tags: tuple[str, ...]
    related: tuple[ArticleMeta, ...]
    style: Style

    @property
    def title(self) -> str:
        """The headline (may differ from the slug)."""
        return self.meta.title

    def published_raw(self) -> str:
        """The date text as the desktop layout prints it."""
        when = self.meta.published
        if self.meta.layout == LAYOUT_2019:
            return dates.byline_2019(when, self.style.august)
        return dates.frontdate_2023(when)

    def blocks(self) -> list[Block]:
        """All body blocks, parts concatenated."""
        return [block for part in self.parts for block in part]

    def ground_truth(self) -> dict[str, Any]:
        """What a perfect extractor outputs for the desktop page (all parts)."""
        body: list[str] = []
        subheadings: list[str] = []
        images = [self.main_image.ground_truth()]
        for block in self.blocks():
            if isinstance(block, Paragraph):
                body.extend(line.strip() for line in block.lines)
            elif isinstance(block, Subheading):
                body.append(block.text)
                subheadings.append(block.text)
            elif isinstance(block, Figure):
                images.append(block.image.ground_truth())
        shows_related = self.style.related_markup != "js"
        return {
            **self.meta.summary(),
            "lead": self.lead,
            "authors": list(self.authors),
            "editor": self.editor,
            "published_raw": self.published_raw(),
            "category": self.category,
            "subcategory": self.subcategory if self.meta.layout == LAYOUT_2023 else None,
            "images": images,
            "body": "\n\n".join(body),
            "subheadings": subheadings,
            "source": self.source,
            "tags": list(self.tags) if self.style.tags_markup else [],
            "related_urls": [m.canonical_url for m in self.related] if shows_related else [],
            "pages": self.meta.parts,
            "layout": self.meta.layout,
        }
