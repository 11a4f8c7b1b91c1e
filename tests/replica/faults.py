"""Fault specs: which requests fail, how, and for how long.

Grammar (comma-separated rules, whitespace ignored)::

    SPEC  := "" | RULE ("," RULE)*
    RULE  := KIND ":" FAULT "@" RATE ["x" K]
    KIND  := article | amp | article_part | home | more | indeks | section | search
           | rss | robots | sitemap | other | *
    FAULT := 500 | 502 | 503 | 503ra | 429 | slow[SECONDS] | reset | truncate
           | redirect | redirectloop | 404 | badcharset | unknownlayout
           | brokenlayout
    RATE  := a number in [0, 1]: the share of URLs the rule selects
    K     := transient: a selected URL fails on its first K requests, then succeeds

Selection is a hash of (seed, kind, fault, request key), so it is deterministic, does not
depend on request order, and a higher rate selects a superset. Without ``xK`` a rule is
persistent. A persistent ``article:404`` rule deletes the selected articles: their desktop
parts and AMP page answer 404 and ``/_replica/articles`` marks them ``deleted``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

KINDS = (
    "article",
    "amp",
    "article_part",
    "home",
    "more",
    "indeks",
    "section",
    "search",
    "rss",
    "robots",
    "sitemap",
    "other",
)
FAULTS = (
    "500",
    "502",
    "503",
    "503ra",
    "429",
    "slow",
    "reset",
    "truncate",
    "redirect",
    "redirectloop",
    "404",
    "badcharset",
    "unknownlayout",
    "brokenlayout",
)
ARTICLE_FAMILY = ("article", "article_part", "amp")
_RULE = re.compile(
    r"^(?P<kind>\*|[a-z_]+):(?P<fault>\d{3}(?:ra)?|[a-z]+)(?P<arg>\d+(?:\.\d+)?)?"
    r"@(?P<rate>\d*\.?\d+)(?:x(?P<first>\d+))?$"
)


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``kind:fault@rate[xK]`` rule."""

    kind: str
    fault: str
    rate: float
    first: int | None = None
    seconds: float | None = None
    """Sleep of a ``slow`` rule; ``None`` uses the injector's default."""

    def __str__(self) -> str:
        arg = "" if self.seconds is None else f"{self.seconds:g}"
        first = "" if self.first is None else f"x{self.first}"
        return f"{self.kind}:{self.fault}{arg}@{self.rate:g}{first}"

    @property
    def deletes(self) -> bool:
        """A persistent ``article:404`` rule: selected articles are gone."""
        return self.fault == "404" and self.kind == "article" and self.first is None

    def matches(self, kind: str) -> bool:
        """Whether the rule applies to requests of ``kind``."""
        if self.deletes:
            return kind in ARTICLE_FAMILY
        return self.kind in ("*", kind)


def parse_spec(spec: str) -> list[Rule]:
    """Parse a spec string into rules (raises :class:`FaultSpecError`)."""
    rules = []
    for text in re.sub(r"\s+", "", spec).split(","):
        if not text:
            continue
        match = _RULE.match(text)
        if not match:
            raise FaultSpecError(f"bad fault rule {text!r}: expected KIND:FAULT@RATE[xK]")
        kind, fault, arg = match["kind"], match["fault"], match["arg"]
        if kind != "*" and kind not in KINDS:
            raise FaultSpecError(f"unknown kind {kind!r} in {text!r}")
        if fault not in FAULTS:
            raise FaultSpecError(f"unknown fault {fault!r} in {text!r}")
        if arg is not None and fault != "slow":
            raise FaultSpecError(f"only slow takes a number: {text!r}")
        rate = float(match["rate"])
        if not 0 <= rate <= 1:
            raise FaultSpecError(f"rate must be within [0, 1]: {text!r}")
        first = int(match["first"]) if match["first"] else None
        if first == 0:
            raise FaultSpecError(f"x0 never fails, drop the rule: {text!r}")
        rules.append(Rule(kind, fault, rate, first, float(arg) if arg else None))
    return rules


class Faults:
    """The active rules and the per-URL request counts of transient ones."""

    def __init__(self, seed: int, spec: str = "", slow_seconds: float = 30.0) -> None:
        self.seed = seed
        self.slow_seconds = slow_seconds
        self.rules: list[Rule] = []
        self._seen: Counter[tuple[str, str]] = Counter()
        self.replace(spec)

    def replace(self, spec: str, slow_seconds: float | None = None) -> None:
        """Install a new spec; transient counts start over."""
        self.rules = parse_spec(spec)
        self._seen.clear()
        if slow_seconds is not None:
            self.slow_seconds = slow_seconds

    def _selected(self, rule: Rule, key: str) -> bool:
        if rule.rate >= 1:
            return True
        if rule.rate <= 0:
            return False
        digest = hashlib.blake2b(f"{self.seed}|{rule.kind}:{rule.fault}|{key}".encode(), digest_size=8).digest()
        return int.from_bytes(digest) / 2**64 < rule.rate

    def pick(self, kind: str, key: str, article_id: str | None, skip: frozenset[str] = frozenset()) -> Rule | None:
        """The rule that hits this request (first match wins), counting transient hits."""
        for rule in self.rules:
            if rule.fault in skip or not rule.matches(kind):
                continue
            selection_key = article_id if rule.deletes and article_id else key
            if not self._selected(rule, selection_key):
                continue
            if rule.first is not None:
                seen = self._seen[(str(rule), key)]
                if seen >= rule.first:
                    continue
                self._seen[(str(rule), key)] = seen + 1
            return rule
        return None

    def deleted(self, article_id: str) -> bool:
        """Whether a persistent ``article:404`` rule has removed the article."""
        return any(rule.deletes and self._selected(rule, article_id) for rule in self.rules)

    def sleep_for(self, rule: Rule) -> float:
        """Seconds a ``slow`` rule waits before answering."""
        return self.slow_seconds if rule.seconds is None else rule.seconds

    def describe(self) -> dict[str, Any]:
        """JSON view for ``GET /_replica/faults``."""
        return {
            "spec": ",".join(str(rule) for rule in self.rules),
            "slow_seconds": self.slow_seconds,
            "rules": [{"kind": r.kind, "fault": r.fault, "rate": r.rate, "first": r.first, "seconds": r.seconds} for r in self.rules],
        }
