"""The 2019 desktop layout (the seed article): masthead with a theme toggle, ``h1``, lead,
author box, byline ``<author> <Dayname>, <D> <Mon> <YYYY> <HH:MM> WIB``, image, body,
``Berita Lainnya``."""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from crawler.extraction.document import Document
from crawler.extraction.parsers.base import ArticleParser

BYLINE_RE = re.compile(r"\b\d{1,2}\s+[A-Z][a-z]{2,3}\s+(?:19|20)\d{2}\s+\d{1,2}[:.]\d{2}\s*WIB\b")


class Desktop2019(ArticleParser):
    name: ClassVar[str] = "desktop-2019"
    valid_until: ClassVar[date | None] = date(2022, 12, 31)

    @classmethod
    def matches(cls, doc: Document) -> int:
        near_title = doc.blocks[: (doc.title_block.index + 12) if doc.title_block else 40]
        # "WIB" in the text first: every byline match ends with it, and most blocks have none
        return 2 * any("WIB" in b.text and BYLINE_RE.search(b.text) for b in near_title)
