"""Article page templates, one module per layout."""

from __future__ import annotations

from ..article import LAYOUT_2019, LAYOUT_2023, Article
from . import amp, desktop2019, desktop2023, unknown
from .common import Chrome

LAYOUT_UNKNOWN = "unknown"
LAYOUT_AMP = "amp"


def render_article(article: Article, part: int, chrome: Chrome, layout: str, charset: str = "utf-8") -> str:
    """Render one part of ``article`` in ``layout`` (a desktop layout, ``amp`` or ``unknown``)."""
    if layout == LAYOUT_AMP:
        return amp.render(article, chrome, charset)
    if layout == LAYOUT_UNKNOWN:
        return unknown.render(article, part, chrome, charset)
    if layout == LAYOUT_2019:
        return desktop2019.render(article, part, chrome, charset)
    if layout == LAYOUT_2023:
        return desktop2023.render(article, part, chrome, charset)
    raise ValueError(f"unknown layout {layout!r}")


__all__ = ["LAYOUT_AMP", "LAYOUT_UNKNOWN", "Chrome", "render_article"]
