"""A page as a reader sees it: text blocks in reading order, with where each one sits.

The parsers never walk raw markup for text. They ask this model for blocks (paragraph-like
runs of text), the ``h1``, the main-content container (found by where the long paragraphs
are, not by class names) and the article region around it. Chrome that is never content
(scripts, styles, ad slots) is dropped before anything is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree
from parsel import Selector

from crawler.extraction.dates import find_date
from crawler.extraction.errors import ExtractionError
from crawler.extraction.processors import clean_text, strip_site_suffix
from crawler.extraction.structured import StructuredData

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "amp-carousel",
    ]
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
IMAGE_TAGS = frozenset({"img", "amp-img", "picture"})
DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "button",
        "select",
        "input",
        "textarea",
        "amp-ad",
        "amp-analytics",
        "amp-sticky-ad",
        "amp-auto-ads",
        "amp-pixel",
        "amp-social-share",
        "amp-iframe",
    ]
)
CAPTION_TAGS = frozenset({"figcaption"})

# Confirmed ad containers (Indonesian adblock lists) plus generic ad/iklan class tokens.
AD_CLASS_RE = re.compile(
    r"(?:^|[-_\s])(?:ads?|adv|advert\w*|iklan\w*|adsbygoogle|gpt|dfp|banner-ads?)(?:[-_\s]|$)"
    r"|^ads|flying_carpet|ads-popup|ads-billboard",
    re.IGNORECASE,
)
AD_ID_RE = re.compile(r"^(?:div-gpt-ad|google_ads|gpt-|ad-slot|ads?[-_])", re.IGNORECASE)
CAPTION_CLASS_RE = re.compile(r"caption|keterangan|credit|wp-caption-text|img-desc|foto-?desc", re.IGNORECASE)
# Negative evidence only: a paragraph under one of these never counts as body text.
NON_CONTENT_CLASS_RE = re.compile(
    r"sidebar|related|terkait|lainnya|popular|populer|terpopuler|widget|comment|komentar|footer|"
    r"trending|rekomendasi|recommend|newsletter|share|social|breadcrumb|menu|navbar|"
    r"twitter-tweet|instagram-media|tiktok-embed|fb-post|"
    r"\bnav\b|card|list-?berita|box1|hasilcari",
    re.IGNORECASE,
)
SENTENCE_END_RE = re.compile(r"[.!?…\"”')](\s|$)")
LONG_PARAGRAPH = 60
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(eq=False)
class Block:
    """One paragraph-like run of text in reading order."""

    text: str
    element: Any  # the innermost block-level lxml element holding the text
    index: int
    heading: str | None = None  # "h1".."h6" when inside a heading
    bold: bool = False  # all the text is inside <strong>/<b>
    italic: bool = False  # all the text is inside <em>/<i>
    caption: bool = False  # inside a figcaption or a caption-classed element
    after_image: bool = False  # an image came right before this block
    link_chars: int = 0
    ancestors: tuple[Any, ...] = field(default=(), repr=False)

    @cached_property
    def date(self) -> re.Match[str] | None:
        """The first Indonesian date in the text (computed once)."""
        return find_date(self.text)

    @property
    def link_density(self) -> float:
        return self.link_chars / max(1, len(self.text))

    @cached_property
    def is_paragraph(self) -> bool:
        """Looks like running text: long enough, has sentence punctuation, mostly not links."""
        return (
            self.heading is None
            and not self.caption
            and len(self.text) >= LONG_PARAGRAPH
            and self.link_density < 0.5
            and bool(SENTENCE_END_RE.search(self.text))
        )


def _classes(element: Any) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


AD_HINTS = ("ad", "iklan", "gpt", "dfp", "flying")
"""Substrings (lower case) that every class or id the ad patterns match contains: a cheap test
before the regex, which most elements never need."""


def _may_be_ad(value: str | None) -> bool:
    if not value:
        return False
    low = value.lower()
    return any(hint in low for hint in AD_HINTS)


def is_ad(element: Any) -> bool:
    classes, ident = element.get("class"), element.get("id")
    return bool((_may_be_ad(classes) and AD_CLASS_RE.search(classes)) or (_may_be_ad(ident) and AD_ID_RE.search(ident)))


class _Linearizer:
    """Turns an element tree into :class:`Block` objects in reading order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[tuple[int, Any]] = []  # (index of the next block, image element)
        self.markers: list[tuple[int, Any]] = []  # (index of the next block, marker element)
        self._parts: list[tuple[str, bool, bool, bool]] = []  # (text, in_link, in_bold, in_italic)
        self._after_image = False

    def run(self, root: Any) -> None:
        self._walk(root, (), False, False, False, None, False)
        self._flush((root,), None, False)

    def _flush(self, ancestors: tuple[Any, ...], heading: str | None, caption: bool) -> None:
        if not self._parts:
            return
        raw = "".join(part[0] for part in self._parts)
        text = clean_text(raw)
        if text:
            link_chars = sum(len(t.strip()) for t, in_link, _, _ in self._parts if in_link)
            bold = all(in_bold for t, _, in_bold, _ in self._parts if t.strip())
            italic = all(in_italic for t, _, _, in_italic in self._parts if t.strip())
            element = next((a for a in reversed(ancestors) if a.tag in BLOCK_TAGS), ancestors[-1])
            self.blocks.append(
                Block(text, element, len(self.blocks), heading, bold, italic, caption, self._after_image, link_chars, ancestors)
            )
            self._after_image = False
        self._parts = []

    def _walk(
        self, el: Any, ancestors: tuple[Any, ...], in_link: bool, in_bold: bool, in_italic: bool, heading: str | None, caption: bool
    ) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        ancestors = (*ancestors, el)
        is_block = tag in BLOCK_TAGS
        if tag in HEADING_TAGS:
            heading = tag
        classes = el.get("class")
        if tag in CAPTION_TAGS or (is_block and classes and CAPTION_CLASS_RE.search(classes)):
            caption = True
        if is_block:
            self._flush(ancestors[:-1], heading if tag not in HEADING_TAGS else None, caption)
        if classes and "artikelend" in classes:
            self.markers.append((len(self.blocks), el))
        if tag in IMAGE_TAGS:
            self._flush(ancestors, heading, caption)
            self.images.append((len(self.blocks), el))
            self._after_image = True
        elif tag == "br":  # a line break starts a new paragraph, as a reader sees it
            self._flush(ancestors, heading, caption)
        in_link = in_link or tag == "a"
        in_bold = in_bold or tag in ("strong", "b")
        in_italic = in_italic or tag in ("em", "i")
        if el.text:
            self._parts.append((el.text, in_link, in_bold, in_italic))
        for child in el:
            if not isinstance(child.tag, str):  # comments, processing instructions
                if child.tail:
                    self._parts.append((child.tail, in_link, in_bold, in_italic))
                continue
            self._walk(child, ancestors, in_link, in_bold, in_italic, heading, caption)
            if child.tail:
                self._parts.append((child.tail, in_link, in_bold, in_italic))
        if is_block:
            self._flush(ancestors, heading, caption)


NOISE_XPATH = "//comment() | //*[@class or @id or @hidden or @style]"


def _drop_noise(root: Any) -> None:
    """Remove what is never content: scripts, styles, embeds (in C, by ``strip_elements``),
    comments, ad slots and hidden elements; the text that follows a removed element stays."""
    etree.strip_elements(root, *DROP_TAGS, with_tail=False)
    doomed = [
        el
        for el in root.xpath(NOISE_XPATH)
        if not isinstance(el.tag, str)
        or is_ad(el)
        or el.get("hidden") is not None
        or "display:none" in (el.get("style") or "").replace(" ", "")
    ]
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:  # keep the text that follows the removed element
            previous = el.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


class Document:
    """One HTML page, de-noised and linearized."""

    def __init__(self, html: str, url: str) -> None:
        self.url = url
        # C0 control characters are never text; lxml refuses some of them in element tails
        self.selector = Selector(text=CONTROL_CHARS_RE.sub("", html) or "<html></html>", base_url=url)
        # Metadata and links are read before de-noising removes scripts (JSON-LD) and ad slots.
        self.structured = StructuredData(self.selector)
        root = self.selector.root
        _drop_noise(root)
        body = root.find(".//body") if root is not None else None
        self.root = body if body is not None else root
        linearizer = _Linearizer()
        if self.root is not None:
            try:
                linearizer.run(self.root)
            except RecursionError as error:
                raise ExtractionError(f"markup on {url} is nested too deep to read") from error
        self._non_content: dict[Any, bool] = {}
        self.blocks = linearizer.blocks
        self.images = linearizer.images
        self.markers = linearizer.markers

    # --- structure -------------------------------------------------------------------------

    def is_non_content(self, element: Any) -> bool:
        """Class or id says sidebar, related list, share bar…: never body (negative evidence only)."""
        known = self._non_content.get(element)
        if known is None:
            known = self._non_content[element] = bool(NON_CONTENT_CLASS_RE.search(_classes(element)))
        return known

    def under_non_content(self, ancestors: tuple[Any, ...]) -> bool:
        return any(self.is_non_content(a) for a in ancestors)

    @cached_property
    def h1_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.heading == "h1" or b.element.tag == "h1"]

    @cached_property
    def title_block(self) -> Block | None:
        """The headline ``h1``: the last one before the main content (a masthead may hold another)."""
        candidates = [b for b in self.h1_blocks if len(b.text) >= 8 and strip_site_suffix(b.text)]
        if not candidates:
            return None
        start = self.container_range[0]
        before = [b for b in candidates if b.index <= start]
        return before[-1] if before else candidates[0]

    @cached_property
    def container(self) -> Any | None:
        """The main-content element: descend from the body into whichever child holds at
        least 70% of the long-paragraph text, and stop where the text splits."""
        weights: dict[Any, int] = {}
        for block in self.blocks:
            if not block.is_paragraph or self.under_non_content(block.ancestors[1:]):
                continue
            for ancestor in block.ancestors:
                weights[ancestor] = weights.get(ancestor, 0) + len(block.text)
        if not weights or self.root is None:
            return None
        node = self.root
        while True:
            total = weights.get(node, 0)
            heavy = [child for child in node if weights.get(child, 0) >= 0.7 * total]
            if not heavy:
                return node
            node = heavy[0]

    @cached_property
    def container_range(self) -> tuple[int, int]:
        """``[first, last]`` block indexes inside the container (``(0, -1)`` when none)."""
        container = self.container
        inside = [b.index for b in self.blocks if container is not None and container in b.ancestors]
        return (inside[0], inside[-1]) if inside else (0, -1)

    def in_container(self, block: Block) -> bool:
        first, last = self.container_range
        return first <= block.index <= last

    @cached_property
    def region(self) -> Any | None:
        """The article region: the smallest element holding both the ``h1`` and the container."""
        container = self.container
        if container is None or self.title_block is None:
            return container
        h1_ancestors = self.title_block.ancestors
        node = container
        while node is not None and node not in h1_ancestors:
            node = node.getparent()
        return node if node is not None else self.root

    def in_region(self, block: Block) -> bool:
        return self.region is not None and self.region in block.ancestors

    def elements_under(self, element: Any, xpath: str) -> list[Any]:
        return list(element.xpath(xpath)) if element is not None else []
