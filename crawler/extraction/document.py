"""A page as a reader sees it: text blocks in reading order, with where each one sits.

The parsers never walk raw markup for text. They ask this model for blocks (paragraph-like
runs of text), the ``h1``, the main-content container (found by where the long paragraphs
are, not by class names) and the article region around it. Chrome that is never content is
never read: scripts, styles and embeds are stripped first, and the walk that builds the blocks
leaves out comments, ad slots and hidden elements (then takes them out of the tree too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.selector import create_root_node

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
CONFIRMED_CLASSES = frozenset({"frontdate", "written__reporter", "reporter__nama", "artikelend"})
"""Class names public code uses against the live site (``../shared/alinea-site.md``): the walk
indexes the elements that carry them, so the layout versions look them up without a query
over the whole page."""
CONFIRMED_CLASS_RE = re.compile("|".join(sorted(CONFIRMED_CLASSES)))
"""A cheap test of a class attribute before it is split into names."""
SENTENCE_END_RE = re.compile(r"[.!?…\"”')](\s|$)")
LONG_PARAGRAPH = 60
CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""C0 control characters (not tab, newline, carriage return) and DEL: never text. In UTF-8 they
are single bytes that never occur inside another character's encoding, so deleting the bytes
deletes exactly those characters."""


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


text_of = etree.XPath("string()")
"""All the text under an element, as ``lxml.html``'s ``text_content()`` gives it."""


def _classes(element: Any) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


AD_HINT_RE = re.compile(r"ad|iklan|gpt|dfp|flying", re.IGNORECASE)
"""What every class or id the ad patterns match contains: a cheap test before the full
patterns, which most elements never need."""


def is_noise(element: Any, classes: str | None) -> bool:
    """An ad slot (confirmed containers, generic ad/iklan classes and ids) or a hidden element."""
    if classes and AD_HINT_RE.search(classes) and AD_CLASS_RE.search(classes):
        return True
    ident = element.get("id")
    if ident and AD_HINT_RE.search(ident) and AD_ID_RE.search(ident):
        return True
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and "display:none" in style.replace(" ", ""))


class _Linearizer:
    """Turns an element tree into :class:`Block` objects in reading order.

    The hottest loop of extraction (every element of the page passes here once): the open
    elements live on one shared stack, and a block's ancestors are copied only when it has text."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.images: list[tuple[int, Any]] = []  # (index of the next block, image element)
        self.markers: list[tuple[int, Any]] = []  # (index of the next block, marker element)
        self.by_class: dict[str, list[Any]] = {}  # confirmed class name -> elements, in page order
        self._parts: list[tuple[str, bool, bool, bool]] = []  # (text, in_link, in_bold, in_italic)
        self._stack: list[Any] = []  # the element being walked and its ancestors, outermost first
        self._after_image = False
        self.noise: list[Any] = []  # comments, ad slots and hidden elements the walk left out

    def run(self, root: Any) -> None:
        self._walk(root, root.get("class"), False, False, False, None, False)
        if self._parts:
            self._stack.append(root)
            self._flush(1, None, False)

    def _flush(self, depth: int, heading: str | None, caption: bool) -> None:
        """Close the pending text as a block whose ancestors are the stack's first ``depth`` elements."""
        parts = self._parts
        if len(parts) == 1:  # the common case: one run of text
            raw, in_link, bold, italic = parts[0]
            text = clean_text(raw)
            link_chars = len(raw.strip()) if in_link and text else 0
        else:
            text = clean_text("".join([part[0] for part in parts]))
            link_chars, bold, italic = 0, True, True
            if text:
                for raw, in_link, in_bold, in_italic in parts:
                    stripped = raw.strip()
                    if in_link:
                        link_chars += len(stripped)
                    if stripped:
                        bold = bold and in_bold
                        italic = italic and in_italic
        if text:
            ancestors = tuple(self._stack[:depth])
            element = ancestors[-1]
            for ancestor in reversed(ancestors):
                if ancestor.tag in BLOCK_TAGS:
                    element = ancestor
                    break
            self.blocks.append(
                Block(text, element, len(self.blocks), heading, bold, italic, caption, self._after_image, link_chars, ancestors)
            )
            self._after_image = False
        parts.clear()

    def _walk(
        self, el: Any, classes: str | None, in_link: bool, in_bold: bool, in_italic: bool, heading: str | None, caption: bool
    ) -> None:
        tag = el.tag  # lxml's HTML parser gives lower-case names; comments never get here
        stack = self._stack
        parts = self._parts
        stack.append(el)
        depth = len(stack)
        is_block = tag in BLOCK_TAGS
        if tag in HEADING_TAGS:
            heading = tag
        if tag in CAPTION_TAGS or (is_block and classes and CAPTION_CLASS_RE.search(classes)):
            caption = True
        if is_block and parts:
            self._flush(depth - 1, heading if tag not in HEADING_TAGS else None, caption)
        if classes and CONFIRMED_CLASS_RE.search(classes):
            if "artikelend" in classes:
                self.markers.append((len(self.blocks), el))
            for name in CONFIRMED_CLASSES.intersection(classes.split()):
                self.by_class.setdefault(name, []).append(el)
        if tag in IMAGE_TAGS:
            if parts:
                self._flush(depth, heading, caption)
            self.images.append((len(self.blocks), el))
            self._after_image = True
        elif tag == "br" and parts:  # a line break starts a new paragraph, as a reader sees it
            self._flush(depth, heading, caption)
        if tag == "a":
            in_link = True
        elif tag == "strong" or tag == "b":
            in_bold = True
        elif tag == "em" or tag == "i":
            in_italic = True
        text = el.text
        if text:
            parts.append((text, in_link, in_bold, in_italic))
        for child in el:
            if child.tag.__class__ is str:
                child_classes = child.get("class")
                if is_noise(child, child_classes):
                    self.noise.append(child)
                else:
                    self._walk(child, child_classes, in_link, in_bold, in_italic, heading, caption)
            elif child.tag is etree.Comment:
                self.noise.append(child)
            tail = child.tail  # what follows a left-out element stays: it is the parent's text
            if tail:
                parts.append((tail, in_link, in_bold, in_italic))
        if is_block and parts:
            self._flush(depth, heading, caption)
        stack.pop()


def _remove(elements: list[Any]) -> None:
    """Take ``elements`` out of the tree, keeping the text that follows each one."""
    for el in elements:
        parent = el.getparent()
        if parent is None:
            continue
        if el.tail:
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
        # lxml's plain HTML parser, not lxml.html's: the latter looks up a Python element class
        # for every element the walk touches, for methods not used here.
        data = html.encode("utf-8").translate(None, CONTROL_BYTES)  # lxml refuses them in element tails
        root = create_root_node("", etree.HTMLParser, base_url=url, body=data, encoding="utf-8")  # empty: <html/>
        self.selector = Selector(root=root, type="html")
        # Metadata is read before scripts (JSON-LD) go.
        self.structured = StructuredData(root)
        # What is never content: scripts, styles, embeds (in C); comments, ad slots and hidden
        # elements are left out by the walk and then taken out of the tree for later queries.
        etree.strip_elements(root, *DROP_TAGS, with_tail=False)
        body = root.find(".//body")
        self.root = body if body is not None else root
        linearizer = _Linearizer()
        try:
            linearizer.run(self.root)
        except RecursionError as error:
            raise ExtractionError(f"markup on {url} is nested too deep to read") from error
        _remove(linearizer.noise)
        self._class_tests: dict[tuple[re.Pattern[str], Any], bool] = {}
        self.blocks = linearizer.blocks
        self.images = linearizer.images
        self.markers = linearizer.markers
        self._by_class = linearizer.by_class

    def with_class(self, name: str) -> list[Any]:
        """Elements carrying the class ``name`` (one of :data:`CONFIRMED_CLASSES`), in page order."""
        if name not in CONFIRMED_CLASSES:
            raise ValueError(f"{name!r} is not an indexed class; query the page instead")
        return self._by_class.get(name, [])

    # --- structure -------------------------------------------------------------------------

    def is_non_content(self, element: Any) -> bool:
        """Class or id says sidebar, related list, share bar…: never body (negative evidence only)."""
        return self.classes_match(NON_CONTENT_CLASS_RE, element)

    def classes_match(self, pattern: re.Pattern[str], element: Any) -> bool:
        """Whether ``pattern`` finds something in ``element``'s class or id (tested once per
        element and pattern: the same ancestors are asked about again and again)."""
        key = (pattern, element)
        known = self._class_tests.get(key)
        if known is None:
            known = self._class_tests[key] = bool(pattern.search(_classes(element)))
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
