"""Structured data on a page: ``<meta>`` tags and JSON-LD, read once per page.

Structured data finds and confirms; it never overrides what the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from crawler.extraction.processors import clean_text

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "OpinionNewsArticle"})  # fmt: skip


class StructuredData:
    """``<meta>`` values by lower-cased name/property, and the JSON-LD objects of a page."""

    def __init__(self, root: Any) -> None:
        """Read from ``root``, an lxml element tree of the page (one pass over it, in C)."""
        self.meta: dict[str, list[str]] = {}
        scripts: list[str] = []
        canonical: str | None = None
        for element in root.iter("meta", "script", "link") if root is not None else ():
            tag = element.tag
            if tag == "meta":
                content = element.get("content")  # attributes by name: garbage attribute names make lxml's attrib dict raise
                if content is None:
                    continue
                key = element.get("property") or element.get("name") or element.get("itemprop")
                value = clean_text(content)
                if key and value:
                    self.meta.setdefault(key.strip().lower(), []).append(value)
            elif tag == "script":
                if element.get("type") == "application/ld+json" and element.text:
                    scripts.append(element.text)
            elif canonical is None and element.get("rel") == "canonical":
                canonical = element.get("href")
        self.jsonld: list[dict[str, Any]] = list(self._jsonld_objects(scripts))
        self.canonical = clean_text(canonical)

    @staticmethod
    def _jsonld_objects(scripts: list[str]) -> Iterator[dict[str, Any]]:
        for raw in scripts:
            try:
                data = json.loads(raw.strip().rstrip(";"))
            except ValueError:
                continue
            stack = [data]
            while stack:
                item = stack.pop(0)
                if isinstance(item, list):
                    stack.extend(item)
                elif isinstance(item, dict):
                    if "@graph" in item:
                        stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]])
                    yield item

    def first_meta(self, *keys: str) -> str | None:
        """The first non-empty ``<meta>`` value among ``keys`` (in the order given)."""
        for key in keys:
            values = self.meta.get(key)
            if values:
                return values[0]
        return None

    def article(self) -> dict[str, Any]:
        """The JSON-LD object describing the article (``NewsArticle`` and kin), or ``{}``."""
        for item in self.jsonld:
            types = item.get("@type")
            types = types if isinstance(types, list) else [types]
            if ARTICLE_TYPES.intersection(t for t in types if isinstance(t, str)):
                return item
        return {}

    def article_value(self, key: str) -> Any:
        return self.article().get(key)

    def person_names(self, key: str) -> list[str]:
        """Names of the ``Person`` entries under ``key`` (``author``/``editor``); organisations are skipped."""
        value = self.article_value(key)
        entries = value if isinstance(value, list) else [value]
        names = []
        for entry in entries:
            if isinstance(entry, str):
                names.append(entry)
            elif isinstance(entry, dict) and entry.get("@type", "Person") == "Person":
                name = entry.get("name")
                if isinstance(name, str):
                    names.append(name)
        return names

    def breadcrumb_names(self) -> list[str]:
        """Names of a JSON-LD ``BreadcrumbList``, in position order."""
        for item in self.jsonld:
            if item.get("@type") == "BreadcrumbList" and isinstance(item.get("itemListElement"), list):
                crumbs = [c for c in item["itemListElement"] if isinstance(c, dict)]
                crumbs.sort(key=lambda c: c.get("position", 0) if isinstance(c.get("position"), int) else 0)
                names = []
                for crumb in crumbs:
                    name = crumb.get("name")
                    if not name and isinstance(crumb.get("item"), dict):
                        name = crumb["item"].get("name")
                    if isinstance(name, str) and clean_text(name):
                        names.append(clean_text(name) or "")
                return names
        return []
