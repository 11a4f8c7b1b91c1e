"""Extraction health: field coverage and signal drift per run, loud when the site changes.

Spidermon is the ecosystem's monitoring framework; this project does not use it because what
it needs is small and specific: per-field coverage against thresholds, a check that each field
came from its primary signal (the provenance the parsers record), a message naming field,
share and example URLs, and the run's exit status (which Spidermon monitors cannot set). That
is this one extension over stats the spider already keeps, with no extra dependency.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import CONTRACT_FIELDS
from crawler.signals import article_extracted

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLDS = {
    "title": 1.0,
    "published_at": 1.0,
    "body": 1.0,
    "authors": 0.95,
    "lead": 0.8,
    "images": 0.8,
}
"""Least share of extracted articles that must have each field non-empty."""

PRIMARY_SIGNALS: dict[str, dict[str, frozenset[str]]] = {
    "title": {"*": frozenset({"h1"})},
    "lead": {"*": frozenset({"after-h1"})},
    "published_at": {
        "desktop-current": frozenset({"css:frontdate", "text:date-line"}),
        "*": frozenset({"css:frontdate", "text:date-line"}),
    },
    "authors": {
        "desktop-current": frozenset({"css:reporter__nama", "text:reporter-label"}),
        "*": frozenset({"css:reporter__nama", "text:reporter-label", "text:byline", "class+name-shape:author"}),
    },
    "body": {"*": frozenset({"container-paragraphs"})},
}
"""The signals that normally carry a field, per layout version (``*``: any layout). A field
carried by anything else came from a fallback: the page no longer looks as expected."""


class ExtractionHealth:
    """Check field coverage and signal drift at the end of a run.

    Settings:

    * ``HEALTH_ENABLED`` (default ``True``)
    * ``HEALTH_THRESHOLDS``: ``{field: least share}``, merged over :data:`DEFAULT_THRESHOLDS`
    * ``HEALTH_MIN_ITEMS`` (default ``10``): fewer articles than this, and only the 100%
      thresholds are judged (a two-article run says little about a 95% share)

    Stats: ``health/items``, ``health/coverage/<field>`` (share), ``health/fallback/<field>``,
    ``health/failed`` (names of failing fields), ``health/drift`` (fields carried by fallbacks).
    A failed check makes ``scrapy crawl`` exit with status 6 (see ``crawler/exitcodes.py``).
    """

    def __init__(self, crawler: Crawler, thresholds: dict[str, float], min_items: int) -> None:
        self.crawler = crawler
        self.thresholds = thresholds
        self.min_items = min_items
        self.items = 0
        self.present: dict[str, int] = defaultdict(int)
        self.missing_examples: dict[str, list[str]] = defaultdict(list)
        self.fallbacks: dict[str, list[str]] = defaultdict(list)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionHealth:
        settings = crawler.settings
        if not settings.getbool("HEALTH_ENABLED", True):
            raise NotConfigured
        thresholds = {**DEFAULT_THRESHOLDS, **{k: float(v) for k, v in settings.getdict("HEALTH_THRESHOLDS").items()}}
        extension = cls(crawler, thresholds, settings.getint("HEALTH_MIN_ITEMS", 10))
        crawler.signals.connect(extension.article_extracted, signal=article_extracted)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def article_extracted(self, article: Any, layout: str, provenance: dict[str, str]) -> None:
        """Called by the spider for every article extraction produced (valid or not)."""
        adapter = ItemAdapter(article)
        self.items += 1
        url = str(adapter.get("url"))
        for field in CONTRACT_FIELDS:
            if adapter.get(field) not in (None, "", [], {}):
                self.present[field] += 1
            elif len(self.missing_examples[field]) < 3:
                self.missing_examples[field].append(url)
        for field, by_layout in PRIMARY_SIGNALS.items():
            signal = provenance.get(field)
            primary = by_layout.get(layout, by_layout["*"])
            if signal is not None and signal not in primary:
                self.fallbacks[field].append(f"{url} ({signal})")

    def check(self) -> tuple[list[str], list[str]]:
        """``(failures, drift)``: one message per failing field and per drifting field."""
        failures: list[str] = []
        drift: list[str] = []
        if not self.items:
            return failures, drift
        for field, least in self.thresholds.items():
            share = self.present[field] / self.items
            judged = least >= 1.0 or self.items >= self.min_items
            if judged and share < least:
                examples = ", ".join(self.missing_examples[field]) or "-"
                failures.append(f"{field}: {share:.0%} of {self.items} articles (threshold {least:.0%}); e.g. {examples}")
        for field, cases in self.fallbacks.items():
            drift.append(f"{field}: carried by a fallback signal on {len(cases)} of {self.items} articles; e.g. {', '.join(cases[:3])}")
        return failures, drift

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        stats.set_value("health/items", self.items)
        for field in CONTRACT_FIELDS:
            if self.items:
                stats.set_value(f"health/coverage/{field}", round(self.present[field] / self.items, 4))
        for field, cases in self.fallbacks.items():
            stats.set_value(f"health/fallback/{field}", len(cases))
        failures, drift = self.check()
        for message in drift:
            logger.warning("EXTRACTION DRIFT %s", message)
        if drift:
            stats.set_value("health/drift", ",".join(sorted(self.fallbacks)))
        for message in failures:
            logger.error("EXTRACTION HEALTH FAILED %s", message)
        if failures:
            stats.set_value("health/failed", ",".join(m.split(":", 1)[0] for m in failures))
