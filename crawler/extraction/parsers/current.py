"""The current desktop layout (2023–): main image and caption first, category line
``<Section> - <Subsection>``, ``div.frontdate`` with a full month and no zone, ``h1``, lead,
body, reporter block ``div.written__reporter`` after the body, ``div.artikelend``."""

from __future__ import annotations

from typing import ClassVar

from crawler.extraction.document import Document
from crawler.extraction.parsers.base import DATE_CSS, REPORTER_CSS, ArticleParser

MARKERS_CSS = f"{DATE_CSS}, {REPORTER_CSS}, div.artikelend"


class CurrentDesktop(ArticleParser):
    name: ClassVar[str] = "desktop-current"

    @classmethod
    def matches(cls, doc: Document) -> int:
        return 3 * bool(doc.selector.css(MARKERS_CSS))
