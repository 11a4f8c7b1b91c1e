"""AMP pages (2019–2022, ``/amp/<section>/<slug>-b<code>``): title, lead, main-image caption
with credit, body; no masthead."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from crawler.extraction.document import Document
from crawler.extraction.parsers.base import ArticleParser

AMP_ATTRIBUTES = frozenset({"amp", "⚡"})


class Amp(ArticleParser):
    name: ClassVar[str] = "amp"
    valid_until: ClassVar[date | None] = date(2022, 12, 31)

    @classmethod
    def matches(cls, doc: Document) -> int:
        html = doc.selector.root
        is_amp = html is not None and any(html.get(name) is not None for name in AMP_ATTRIBUTES)
        return 5 * (is_amp or "/amp/" in doc.url)
