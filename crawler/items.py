"""The output contract: one :class:`Article` per alinea.id article.

Every field has a default because item loaders fill fields one at a time; the exported
JSON object keeps the field order below. ``crawler/schema/article.schema.json`` is the same
contract as a JSON Schema, and the validation pipeline checks every item against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class Article:
    """An alinea.id news article as a reader sees it on the page."""

    url: str | None = None
    """URL the article was fetched from (its first page), absolute."""
    canonical_url: str | None = None
    """``https://www.alinea.id/<section>/<slug>-b<code>``: https, www, no AMP, query or fragment."""
    article_id: str | None = None
    """The ``b<code>`` token of the URL, e.g. ``b1Xgj9kbZ``."""
    section: str | None = None
    """The URL's section slug, e.g. ``pemilu``."""
    category: str | None = None
    """The section's display label on the page, e.g. ``Sosial dan Gaya Hidup``, or null."""
    subcategory: str | None = None
    """The sub-section label on the page, e.g. ``Kesehatan``, or null."""
    title: str | None = None
    """Headline as shown on the page."""
    lead: str | None = None
    """The one-sentence standfirst under the title, or null."""
    authors: list[str] = field(default_factory=list)
    """Reporters/writers in page order, no duplicates, no ``Reporter:`` prefixes."""
    editor: str | None = None
    """The editor credited on the page, or null."""
    published_at: str | None = None
    """ISO 8601 with seconds and offset, Asia/Jakarta: ``2019-04-25T13:45:00+07:00``."""
    published_raw: str | None = None
    """The date text as shown: ``Kamis, 25 Apr 2019 13:45 WIB``."""
    modified_at: str | None = None
    """Same format as ``published_at``, or null."""
    images: list[dict[str, str | None]] = field(default_factory=list)
    """``{"url", "caption", "credit"}`` objects, main image first; absolute URLs; the caption
    without its credit; credit e.g. ``MT Fadillah`` or null."""
    body: str | None = None
    """Paragraphs and subheadings in reading order joined by ``\\n\\n``, whitespace collapsed;
    no ads, captions, promos or chrome. A closing agency credit such as ``(AFP)`` stays."""
    subheadings: list[str] = field(default_factory=list)
    """The subheadings that appear in ``body``, in order."""
    source: str | None = None
    """News agency credited, e.g. ``AFP``, ``Reuters``, ``Antara``, or null."""
    tags: list[str] = field(default_factory=list)
    """Topic tags shown on the page."""
    related_urls: list[str] = field(default_factory=list)
    """Canonical URLs of the related articles the page lists."""
    pages: int = 1
    """How many pages (``?page=N`` parts) were merged into this item."""
    word_count: int = 0
    """Words in ``body``."""
    language: str = "id"
    """Always ``id`` (Indonesian)."""
    scraped_at: str | None = None
    """ISO 8601 UTC (``Z``), when the item was produced."""

    # Not part of the default output: exported only when switched on (see README "Settings").
    is_update: bool | None = None
    """``True`` when a known article is delivered again because its content changed
    (``STATE_REFRESH_DAYS``); exported only in refresh mode."""
    _meta: dict[str, Any] | None = None
    """Extraction details (layout version, the signal behind each field); exported only with
    ``EXPORT_PROVENANCE``."""


ARTICLE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Article))
CONTRACT_FIELDS: tuple[str, ...] = ARTICLE_FIELDS[: ARTICLE_FIELDS.index("scraped_at") + 1]
"""The keys of every output line, in order."""


def article_from_dict(data: dict[str, Any]) -> Article:
    """An :class:`Article` from a JSON object with the contract's keys (unknown keys ignored)."""
    return Article(**{name: data[name] for name in ARTICLE_FIELDS if name in data})


def contract_dict(article: Article) -> dict[str, Any]:
    """The article as one output line holds it: the contract's keys, in order."""
    return {name: getattr(article, name) for name in CONTRACT_FIELDS}
