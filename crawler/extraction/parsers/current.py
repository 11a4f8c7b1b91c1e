"""The current desktop layout (2023–): main image and caption first, category line
``<Section> - <Subsection>``, ``div.frontdate`` with a full month and no zone, ``h1``, lead,
body, reporter block ``div.written__reporter`` after the body, ``div.artikelend``."""

from __future__ import annotations

from typing import ClassVar

from crawler.extraction.document import Document
from crawler.extraction.parsers.base import DATE_CLASS, END_CLASS, ArticleParser, reporter_names


class CurrentDesktop(ArticleParser):
    name: ClassVar[str] = "desktop-current"

    @classmethod
    def matches(cls, doc: Document) -> int:
        ends = [e for e in doc.with_class(END_CLASS) if e.tag == "div"]
        return 3 * bool(doc.with_class(DATE_CLASS) or reporter_names(doc) or ends)
