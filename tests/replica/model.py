"""The replica's site: compact article metadata, lookups and publishing."""

from __future__ import annotations

import bisect
import random
import string
from collections import OrderedDict
from datetime import date, datetime, timedelta
from itertools import accumulate

from . import bank, dates, seed_article
from .article import LAYOUT_2019, LAYOUT_2023, Article, ArticleMeta
from .content import build_article, make_title, slugify

FIRST_DAY = date(2019, 1, 2)
LAST_DAY = date(2026, 5, 20)
"""The initial articles are spread over these days; the newest is on LAST_DAY."""

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
#: Codes grow with time like the real ones: ``1Xgj9kbZ`` was 2019-05-21 19:31 WIB and
#: ``2nhl9RfN`` 2025-01-21 06:10 WIB; a code is OFFSET + minute * PER_MINUTE + jitter.
CODE_PER_MINUTE = 1_485_600
CODE_OFFSET = 5_435_167_218_649 - CODE_PER_MINUTE * 25_974_031

_LAYOUT_OLD_UNTIL = dates.to_minute(datetime(2022, 7, 1, tzinfo=dates.WIB))
_LAYOUT_NEW_FROM = dates.to_minute(datetime(2023, 1, 1, tzinfo=dates.WIB))
_YEARS = tuple(range(2019, 2019 + len(next(iter(bank.SECTION_WEIGHTS.values())))))
_YEAR_STARTS = [dates.to_minute(datetime(y, 1, 1, tzinfo=dates.WIB)) for y in _YEARS[1:]]
_SECTION_NAMES = tuple(bank.SECTION_WEIGHTS)
_CUM_WEIGHTS = [list(accumulate(bank.SECTION_WEIGHTS[s][y] for s in _SECTION_NAMES)) for y in range(len(_YEARS))]
_CACHE_SIZE = 2048


def base62(value: int) -> str:
    """``value`` in digits ``0-9A-Za-z``."""
    out = []
    while value:
        value, digit = divmod(value, 62)
        out.append(_BASE62[digit])
    return "".join(reversed(out)) or "0"


def _day_minute(day: date) -> int:
    return dates.to_minute(datetime(day.year, day.month, day.day, tzinfo=dates.WIB))


def _spread_minutes(rng: random.Random, count: int, taken: int) -> list[int]:
    """``count`` strictly rising minutes over FIRST_DAY..LAST_DAY, 05:00-23:00, avoiding ``taken``."""
    days = (LAST_DAY - FIRST_DAY).days + 1
    first = _day_minute(FIRST_DAY)
    out: list[int] = []
    last = -1
    for j in range(count):
        position = (j + rng.random()) * days / count
        day = int(position)
        minute = max(first + day * 1440 + 300 + int((position - day) * 1080), last + 1)
        if minute == taken:
            minute += 1
        out.append(minute)
        last = minute
    if out:  # the newest article is published on LAST_DAY
        out[-1] = max(out[-1], _day_minute(LAST_DAY) + 19 * 60 + rng.randint(0, 59))
    return out


class Site:
    """All articles of one replica, oldest first; ``articles[i].index == i``."""

    def __init__(self, count: int, seed: int) -> None:
        if count < 1:
            raise ValueError("a site needs at least one article (the seed article)")
        self.seed = seed
        self.articles: list[ArticleMeta] = []
        self.minutes: list[int] = []
        self.by_code: dict[str, int] = {}
        self.by_section: dict[str, list[int]] = {s: [] for s in bank.SECTIONS}
        self._rng = random.Random(seed)
        self._publish_rng = random.Random(f"{seed}:publish")
        self._cache: OrderedDict[int, Article] = OrderedDict()
        seed_minute = dates.to_minute(seed_article.PUBLISHED)
        minutes = _spread_minutes(self._rng, count - 1, seed_minute)
        at = bisect.bisect_left(minutes, seed_minute)
        for minute in minutes[:at]:
            self._add(self._make_meta(self._rng, minute))
        self._add(self._seed_meta(seed_minute))
        for minute in minutes[at:]:
            self._add(self._make_meta(self._rng, minute))

    def __len__(self) -> int:
        return len(self.articles)

    def _code(self, rng: random.Random, minute: int) -> str:
        return base62(CODE_OFFSET + minute * CODE_PER_MINUTE + rng.randrange(CODE_PER_MINUTE))

    def _make_meta(self, rng: random.Random, minute: int) -> ArticleMeta:
        year = bisect.bisect_right(_YEAR_STARTS, minute)
        section = rng.choices(_SECTION_NAMES, cum_weights=_CUM_WEIGHTS[year])[0]
        vocab = bank.SECTIONS[section]
        topic = rng.randrange(len(vocab.topics))
        when = dates.from_minute(minute)
        title = make_title(rng, section, topic, when)
        slug_title = make_title(rng, section, topic, when) if rng.random() < 0.12 else title
        authors = rng.sample(range(len(bank.AUTHORS)), 2 if rng.random() < 0.15 else 1)
        if minute < _LAYOUT_OLD_UNTIL:
            layout = LAYOUT_2019
        elif minute >= _LAYOUT_NEW_FROM:
            layout = LAYOUT_2023
        else:
            layout = rng.choice((LAYOUT_2019, LAYOUT_2023))
        return ArticleMeta(
            index=len(self.articles),
            code=self._code(rng, minute),
            section=section,
            slug=slugify(slug_title),
            title=title,
            minute=minute,
            topic=topic,
            authors=tuple(authors),
            editor=rng.randrange(len(bank.EDITORS)) if rng.random() < 0.45 else -1,
            subsection=rng.randrange(len(vocab.subsections)),
            layout=layout,
            parts=rng.choice((2, 2, 3)) if rng.random() < 0.1 else 1,
        )

    def _seed_meta(self, minute: int) -> ArticleMeta:
        return ArticleMeta(
            index=len(self.articles),
            code=self._code(self._rng, minute),
            section=seed_article.SECTION,
            slug=seed_article.SLUG,
            title=seed_article.TITLE,
            minute=minute,
            topic=-1,
            authors=(bank.AUTHORS.index(seed_article.AUTHOR),),
            editor=-1,
            subsection=0,
            layout=LAYOUT_2019,
            parts=1,
        )

    def _add(self, meta: ArticleMeta) -> None:
        self.articles.append(meta)
        self.minutes.append(meta.minute)
        self.by_code[meta.code] = meta.index
        self.by_section[meta.section].append(meta.index)

    def publish(self, count: int) -> list[ArticleMeta]:
        """Add ``count`` articles newer than all others (deterministic in call order)."""
        new = []
        for _ in range(count):
            minute = self.minutes[-1] + self._publish_rng.randint(3, 45)
            meta = self._make_meta(self._publish_rng, minute)
            self._add(meta)
            new.append(meta)
        return new

    def find(self, code: str) -> ArticleMeta | None:
        """The article with this 8-character code."""
        index = self.by_code.get(code)
        return None if index is None else self.articles[index]

    def content(self, meta: ArticleMeta) -> Article:
        """Full content of an article (built lazily, LRU-cached)."""
        article = self._cache.get(meta.index)
        if article is None:
            article = build_article(meta, self.articles, self.seed)
            self._cache[meta.index] = article
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(meta.index)
        return article

    def latest(self, offset: int, limit: int, section: str | None = None) -> list[ArticleMeta]:
        """Newest first, skipping ``offset``; ``section`` restricts to one section."""
        indexes: list[int] | range = range(len(self.articles)) if section is None else self.by_section.get(section, [])
        stop = len(indexes) - offset
        start = max(stop - limit, 0)
        if stop <= 0:
            return []
        return [self.articles[indexes[i]] for i in range(stop - 1, start - 1, -1)]

    def count(self, section: str | None = None) -> int:
        """Number of articles, optionally of one section."""
        return len(self.articles) if section is None else len(self.by_section.get(section, []))

    def between(self, start: datetime, end: datetime) -> list[ArticleMeta]:
        """Articles published in ``[start, end)``, newest first."""
        lo = bisect.bisect_left(self.minutes, dates.to_minute(start))
        hi = bisect.bisect_left(self.minutes, dates.to_minute(end))
        return self.articles[lo:hi][::-1]

    def on_day(self, day: date) -> list[ArticleMeta]:
        """Articles of one WIB calendar day, newest first."""
        start = datetime(day.year, day.month, day.day, tzinfo=dates.WIB)
        return self.between(start, start + timedelta(days=1))

    def months(self) -> list[tuple[int, int]]:
        """Every ``(year, month)`` from the oldest to the newest article."""
        first, last = self.articles[0].published, self.articles[-1].published
        out = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def in_month(self, year: int, month: int) -> list[ArticleMeta]:
        """Articles of one WIB month, oldest first."""
        start = datetime(year, month, 1, tzinfo=dates.WIB)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dates.WIB)
        return self.between(start, end)[::-1]

    def search(self, query: str) -> list[ArticleMeta]:
        """Articles whose title contains every word of ``query``, newest first."""
        words = query.casefold().split()
        if not words:
            return []
        return [meta for meta in reversed(self.articles) if all(word in meta.title.casefold() for word in words)]

    def picks(self) -> list[ArticleMeta]:
        """Twelve "editor's picks" among the newest 2000."""
        rng = random.Random(f"{self.seed}:picks:{len(self.articles)}")
        pool = self.articles[-2000:]
        return rng.sample(pool, min(12, len(pool)))

    def popular(self) -> list[ArticleMeta]:
        """Ten "most read" articles among the newest 500 (changes as articles are published)."""
        rng = random.Random(f"{self.seed}:popular:{len(self.articles)}")
        pool = self.articles[-500:]
        return rng.sample(pool, min(10, len(pool)))
