"""Layout versions, one module each; :func:`select_parser` picks the one a page is.

Adding a version for a redesign: a new module with an :class:`ArticleParser` subclass whose
``matches`` recognises the new markers, listed in :data:`PARSERS`, plus its fixtures.
"""

from __future__ import annotations

from crawler.extraction.dates import parse_indonesian_datetime
from crawler.extraction.document import Document
from crawler.extraction.parsers.amp import Amp
from crawler.extraction.parsers.base import ArticleParser
from crawler.extraction.parsers.current import CurrentDesktop
from crawler.extraction.parsers.v2019 import Desktop2019

PARSERS: tuple[type[ArticleParser], ...] = (Amp, CurrentDesktop, Desktop2019)


def select_parser(doc: Document) -> type[ArticleParser]:
    """The layout version ``doc`` is: the strongest markers win; with none, the page's date
    decides (a version is valid until its ``valid_until`` day)."""
    scores = [(parser.matches(doc), parser) for parser in PARSERS]
    best_score, best = max(scores, key=lambda pair: pair[0])
    if best_score > 0:
        return best
    dated = next((parse_indonesian_datetime(b.text, require_time=False) for b in doc.blocks if b.date), None)
    if dated is not None:
        for parser in sorted(PARSERS, key=lambda p: p.valid_until or dated.date()):
            if parser is not Amp and (parser.valid_until is None or dated.date() <= parser.valid_until):
                return parser
    return CurrentDesktop


__all__ = ["PARSERS", "ArticleParser", "select_parser"]
