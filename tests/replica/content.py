"""Deterministic generation of article text and full article content."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from . import bank, dates, seed_article
from .article import (
    LAYOUT_2019,
    Ad,
    Article,
    ArticleMeta,
    Block,
    Figure,
    Image,
    Paragraph,
    Promo,
    Style,
    Subheading,
)

IMG_HOST = "https://img.alinea.id"
_IMG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_SLUG_DROP = re.compile(r"[^a-z0-9\s-]+")
_SLUG_SEP = re.compile(r"[\s-]+")
#: Image ids rise by one every ten minutes from 2018-01-01 (WIB).
_IMAGE_EPOCH_MINUTE = dates.to_minute(datetime(2018, 1, 1, tzinfo=dates.WIB))


def slugify(text: str) -> str:
    """Laravel ``Str::slug``: punctuation dropped, words joined by ``-``."""
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG_SEP.sub("-", _SLUG_DROP.sub("", ascii_text.lower())).strip("-")


def cap(text: str) -> str:
    """Upper-case the first character only (sentence case)."""
    return text[:1].upper() + text[1:]


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class _Slots(dict[str, str]):
    """Template slots filled lazily, once per template, from a :class:`TextGen`."""

    def __init__(self, gen: TextGen, focus: bool) -> None:
        super().__init__()
        self.gen = gen
        self.focus = focus

    def __missing__(self, key: str) -> str:
        base = key.removesuffix("_cap")
        value = self.gen.slot(base, self) if base == key else cap(self[base])
        self[key] = value
        return value


class TextGen:
    """Fills bank templates with vocabulary of one section around one main topic."""

    def __init__(
        self,
        rng: random.Random,
        vocab: bank.SectionVocab,
        topic: int,
        when: datetime,
        quotes: tuple[str, str] = ('"', '"'),
    ) -> None:
        self.rng = rng
        self.vocab = vocab
        self.topic = vocab.topics[topic] if topic >= 0 else rng.choice(vocab.topics)
        self.when = when
        self.quotes = quotes
        self.org = rng.choice(vocab.orgs)
        self.place = rng.choice(bank.PLACES)
        self.prov = rng.choice(bank.PROVINCES)
        self._decks: dict[int, list[str]] = {}

    def fill(self, template: str, focus: bool = False) -> str:
        """One template with fresh slots; ``focus`` pins ``{topic}`` to the main topic."""
        return template.format_map(_Slots(self, focus))

    def draw(self, pool: tuple[str, ...], count: int = 1) -> list[str]:
        """Take from a shuffled deck of ``pool`` so an article rarely repeats a sentence."""
        deck = self._decks.setdefault(id(pool), [])
        out = []
        for _ in range(count):
            if not deck:
                deck.extend(pool)
                self.rng.shuffle(deck)
            out.append(deck.pop())
        return out

    def person(self) -> str:
        """A fictional source's name."""
        rng = self.rng
        if rng.random() < 0.06:
            return rng.choice(bank.MONONYMS)
        return f"{rng.choice(bank.FIRST_NAMES)} {rng.choice(bank.LAST_NAMES)}"

    def slot(self, name: str, slots: _Slots) -> str:
        """The value of one slot; nested templates share ``slots``."""
        rng = self.rng
        if name == "topic":
            return self.topic if slots.focus or rng.random() < 0.75 else rng.choice(self.vocab.topics)
        if name == "topic2":
            return rng.choice(self.vocab.topics)
        if name == "org":
            return self.org if rng.random() < 0.6 else rng.choice(self.vocab.orgs)
        if name == "place":
            return self.place if rng.random() < 0.6 else rng.choice(bank.PLACES)
        if name == "prov":
            return self.prov if rng.random() < 0.6 else rng.choice(bank.PROVINCES)
        if name == "person":
            return self.person()
        if name == "role":
            roles = self.vocab.roles if rng.random() < 0.8 else bank.ROLES_GENERIC
            return rng.choice(roles).format_map(slots)
        if name == "src":
            return f"{slots['role']} {slots['person']}"
        if name == "num":
            return _thousands(rng.choice((rng.randint(20, 999), rng.randint(1000, 25000))))
        if name == "small":
            return str(rng.randint(2, 40))
        if name == "pct":
            return f"{rng.randint(1, 60)},{rng.randint(1, 9)}%"
        if name == "money":
            unit = rng.choice(("triliun", "miliar", "miliar", "juta"))
            whole = rng.randint(1, 90 if unit == "triliun" else 900)
            return f"Rp{whole},{rng.randint(1, 9)} {unit}"
        if name == "scene":
            return rng.choice(self.vocab.scenes)
        if name == "dayref":
            back = timedelta(days=1) if rng.random() < 0.3 else timedelta(0)
            return dates.day_ref(self.when - back)
        if name == "year":
            return str(self.when.year)
        if name == "year0":
            return str(self.when.year - rng.randint(1, 5))
        if name == "period":
            return rng.choice(bank.PERIODS).format_map(slots)
        if name == "uni":
            return rng.choice(bank.UNIVERSITIES)
        if name == "said":
            return rng.choice(bank.SAID)
        if name == "q":
            return self.draw(bank.QUOTES)[0].format_map(slots)
        if name == "oq":
            return self.quotes[0]
        if name == "cq":
            return self.quotes[1]
        raise KeyError(name)

    def title(self) -> str:
        """A sentence-case headline."""
        pool = self.vocab.titles if self.rng.random() < 0.6 else bank.GENERIC_TITLES
        return cap(self.fill(self.rng.choice(pool), focus=True))

    def paragraph(self, kind: str) -> str:
        """One body paragraph of the given kind: opener, quote, data, statement or closer."""
        rng = self.rng
        if kind == "opener":
            return self.fill(rng.choice(bank.OPENERS))
        if kind == "quote":
            text = self.fill(rng.choice(bank.QUOTE_FRAMES))
            if rng.random() < 0.4:
                text += " " + self.fill(self.draw(bank.STATEMENTS)[0])
            return text
        pool, low, high = (bank.DATA_SENTENCES, 2, 3) if kind == "data" else (bank.STATEMENTS, 1, 3)
        sentences = self.draw(pool, rng.randint(low, high))
        if kind == "closer":
            sentences = [*sentences[:1], rng.choice(bank.CLOSERS)]
        return " ".join(self.fill(s) for s in sentences)


def make_title(rng: random.Random, section: str, topic: int, when: datetime) -> str:
    """The headline of a generated article (used when building site metadata)."""
    return TextGen(rng, bank.SECTIONS[section], topic, when).title()


def _choose_style(rng: random.Random, layout: str) -> Style:
    old = layout == LAYOUT_2019
    jsonld = None
    if rng.random() < (0.4 if old else 0.8):
        jsonld = "organization" if rng.random() < 0.3 else "person"
    return Style(
        subheading_tag=rng.choice(("strong", "strong", "h3") if old else ("h2", "h3", "strong")),
        caption_markup=rng.choice(("figcaption", "div", "p")),
        lead_markup="h2" if old and rng.random() < 0.3 else "p",
        jsonld=jsonld,
        canonical=rng.random() < 0.85,
        amphtml=rng.random() < (0.9 if old else 0.6),
        og_suffix=rng.random() < 0.5,
        published_meta=rng.random() < (0.4 if old else 0.8),
        related_markup=rng.choice(("ul", "ul", "cards", "ol", "js") if old else ("ul", "cards", "ol")),
        tags_markup=rng.choice((None, "links", "pills")),
        august=rng.choice(("Agu", "Agt")),
        quotes=("\u201c", "\u201d") if rng.random() < 0.2 else ('"', '"'),
        link_seed=rng.getrandbits(32),
    )


def _image_url(rng: random.Random, when: datetime, slug: str) -> str:
    image_id = 10_000 + (dates.to_minute(when) - _IMAGE_EPOCH_MINUTE) // 10 + rng.randint(0, 9)
    suffix = "".join(rng.choice(_IMG_CHARS) for _ in range(10))
    return f"{IMG_HOST}/img/content/{when:%Y/%m/%d}/{image_id}/{slug}-{suffix}.jpg"


def _credit(rng: random.Random, section: str) -> tuple[str, str]:
    """``(normalised, shown)`` photo credit."""
    roll = rng.random()
    if (section == "dunia" and roll < 0.7) or 0.45 <= roll < 0.8:
        agency = rng.choice(bank.AGENCY_PHOTO)
        return agency, f"/{agency}"
    if roll < 0.8:
        name = rng.choice(bank.PHOTOGRAPHERS)
        return name, f"Alinea.id/{name}"  # the contract's credit is the photographer: "MT Fadillah"
    handle = f"twitter.com/{rng.choice(bank.TWITTER_HANDLES)}"
    return handle, f"Foto {handle}"


def main_image_url(meta: ArticleMeta, seed: int) -> str:
    """The article's main image (its own random stream, so listings need no full build)."""
    if meta.topic < 0:
        return seed_article.IMAGE_URL
    rng = random.Random(f"{seed}:{meta.article_id}:image")
    return _image_url(rng, meta.published, meta.slug)


def crop_url(image_url: str) -> str:
    """The 600x400 crop used by listing cards."""
    return image_url.replace("/img/content/", "/crop/600x400/content/", 1)


def _make_image(rng: random.Random, gen: TextGen, section: str, url: str | None) -> Image:
    caption = cap(gen.fill(rng.choice(bank.CAPTION_TEMPLATES)))
    credit, shown = _credit(rng, section)
    if url is None:
        url = _image_url(rng, gen.when, slugify(" ".join(caption.split()[:6])))
    return Image(url=url, alt=caption, caption=caption, credit=credit, credit_shown=shown)


def _paragraph_kinds(rng: random.Random, count: int) -> list[str]:
    middle = rng.choices(("statement", "quote", "data"), weights=(5, 4, 2), k=count - 2)
    return ["opener", *middle, "closer"]


def _with_markup(rng: random.Random, text: str, gen: TextGen) -> Paragraph:
    for phrase in (gen.org, gen.place, gen.prov):
        if len(phrase) > 3 and phrase in text and rng.random() < 0.25:
            return Paragraph((text,), (rng.choice(("strong", "em", "a")), phrase))
    return Paragraph((text,))


def _pick_earlier(rng: random.Random, articles: Sequence[ArticleMeta], meta: ArticleMeta) -> ArticleMeta:
    """An older article, preferably of the same section."""
    window = min(meta.index, 2000)
    choice = articles[meta.index - 1 - rng.randrange(window)]
    for _ in range(3):
        if choice.section == meta.section:
            break
        choice = articles[meta.index - 1 - rng.randrange(window)]
    return choice


def _split_parts(blocks: list[Block], parts: int) -> tuple[tuple[Block, ...], ...]:
    """Cut the body into ``parts`` pieces at paragraph boundaries, roughly equal."""
    para_at = [i for i, block in enumerate(blocks) if isinstance(block, Paragraph)]
    cuts = [para_at[len(para_at) * k // parts] for k in range(1, parts)]
    for k in range(len(cuts)):
        while isinstance(blocks[cuts[k] - 1], Subheading):
            cuts[k] -= 1
    bounds = [0, *cuts, len(blocks)]
    return tuple(tuple(blocks[a:b]) for a, b in pairwise(bounds))


def build_article(meta: ArticleMeta, articles: Sequence[ArticleMeta], seed: int) -> Article:
    """Full content of ``meta``; depends only on the seed, the article and older articles."""
    rng = random.Random(f"{seed}:{meta.article_id}")
    if meta.topic < 0:
        return _seed_article(meta, rng)
    vocab = bank.SECTIONS[meta.section]
    style = _choose_style(rng, meta.layout)
    gen = TextGen(rng, vocab, meta.topic, meta.published, style.quotes)
    lead = gen.fill(rng.choice(bank.LEADS), focus=True)
    main_image = _make_image(rng, gen, meta.section, main_image_url(meta, seed))
    if meta.layout == LAYOUT_2019 and rng.random() < 0.3:
        main_image = Image(main_image.url, meta.title, meta.title, None, None)

    count = rng.randint(12, 20) if meta.parts > 1 else rng.randint(6, 20)
    paragraphs = [_with_markup(rng, gen.paragraph(k), gen) for k in _paragraph_kinds(rng, count)]
    if count > 6 and rng.random() < 0.05:
        at = rng.randrange(1, count - 2)
        paragraphs[at : at + 2] = [Paragraph(paragraphs[at].lines + paragraphs[at + 1].lines)]

    source = None
    if rng.random() < (0.65 if meta.section == "dunia" else 0.12):
        source = rng.choice(bank.WIRE_AGENCIES) if meta.section == "dunia" else "Antara"
        last = paragraphs[-1]
        paragraphs[-1] = Paragraph((*last.lines[:-1], f"{last.lines[-1]} ({source})"), last.markup)

    # Subheadings, ads, promos and figures, keyed by the paragraph they follow (never the last).
    inserts: dict[int, list[Block]] = {}
    n = len(paragraphs)
    for k in range(rng.choice((0, 0, 1, 1, 1, 2))):
        at = 2 + k * max(3, (n - 3) // 2) + rng.randint(0, 1)
        if at < n - 1:
            pool = vocab.subheadings + bank.GENERIC_SUBHEADINGS
            inserts.setdefault(at, []).append(Subheading(rng.choice(pool)))
    if rng.random() < 0.75:
        inserts.setdefault(max(1, n // 2 - 1), []).insert(0, Ad(1))
        if n > 10 and rng.random() < 0.3:
            inserts.setdefault(n * 3 // 4, []).insert(0, Ad(2))
    if meta.index > 0 and rng.random() < 0.4:
        inserts.setdefault(rng.randint(1, 3), []).insert(0, Promo(_pick_earlier(rng, articles, meta)))
    if rng.random() < 0.25:
        inserts.setdefault(rng.randint(2, n - 2), []).insert(0, Figure(_make_image(rng, gen, meta.section, None)))
    blocks: list[Block] = []
    for i, paragraph in enumerate(paragraphs):
        blocks.append(paragraph)
        blocks.extend(inserts.get(i, ()))

    related: tuple[ArticleMeta, ...] = ()
    if meta.index > 0:
        picks = {_pick_earlier(rng, articles, meta).index for _ in range(rng.randint(4, 6))}
        related = tuple(articles[i] for i in sorted(picks, reverse=True))
    tags = dict.fromkeys([gen.topic, gen.org, rng.choice((gen.place, gen.prov)), vocab.display])
    return Article(
        meta=meta,
        lead=lead,
        authors=tuple(bank.AUTHORS[i] for i in meta.authors),
        editor=bank.EDITORS[meta.editor] if meta.editor >= 0 else None,
        category=vocab.display,
        subcategory=vocab.subsections[meta.subsection],
        main_image=main_image,
        parts=_split_parts(blocks, meta.parts),
        source=source,
        tags=tuple(list(tags)[: rng.randint(2, 4)]),
        related=related,
        style=style,
    )


def _seed_article(meta: ArticleMeta, rng: random.Random) -> Article:
    """The real 2019 article, with the page choices its text rendering shows."""
    style = Style(
        subheading_tag="strong",
        caption_markup="figcaption",
        lead_markup="p",
        jsonld=None,
        canonical=True,
        amphtml=True,
        og_suffix=False,
        published_meta=False,
        related_markup="js",
        tags_markup=None,
        august="Agu",
        quotes=('"', '"'),
        link_seed=rng.getrandbits(32),
    )
    vocab = bank.SECTIONS[meta.section]
    title = seed_article.TITLE
    return Article(
        meta=meta,
        lead=seed_article.LEAD,
        authors=(seed_article.AUTHOR,),
        editor=None,
        category=vocab.display,
        subcategory=vocab.subsections[meta.subsection],
        main_image=Image(seed_article.IMAGE_URL, title, title, None, None),
        parts=(seed_article.BLOCKS,),
        source=seed_article.SOURCE,
        tags=(),
        related=(),
        style=style,
    )
