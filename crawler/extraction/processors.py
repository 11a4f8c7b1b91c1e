"""Pure text processors wired into the item loader; each is safe on ``None`` and garbage."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.extraction.dates import DAY_NAMES, find_date

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH_TO_SPACE = str.maketrans(dict.fromkeys(_ZERO_WIDTH, " "))
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
_LABEL_RE = re.compile(
    r"^(?:reporter|reporters|penulis|wartawan|oleh|by|kontributor|editor|redaktur|penyunting)"
    r"(?:\s*[:\-–]\s*|\s+|$)",
    re.IGNORECASE,
)
_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:,|&|;|\s+dan\s+|\s+and\s+)\s*")
SITE_NAMES = frozenset({"alinea.id", "alinea", "redaksi", "redaksi alinea", "tim redaksi", "admin"})

KNOWN_AGENCIES = {
    "afp": "AFP", "reuters": "Reuters", "antara": "Antara", "ap": "AP", "xinhua": "Xinhua",
    "bernama": "Bernama", "kyodo": "Kyodo", "yonhap": "Yonhap", "anadolu": "Anadolu",
    "dpa": "DPA", "bloomberg": "Bloomberg", "bbc": "BBC", "cnn": "CNN", "sputnik": "Sputnik",
    "tass": "TASS", "efe": "EFE", "upi": "UPI", "ians": "IANS", "ani": "ANI",
    "al jazeera": "Al Jazeera", "aljazeera": "Al Jazeera", "the guardian": "The Guardian",
}  # fmt: skip
_AGENCY_RE = re.compile(
    r"\((?P<agency>" + "|".join(sorted(map(re.escape, KNOWN_AGENCIES), key=len, reverse=True)) + r")(?:\s*/\s*[^()]{1,40})?\)\s*[.]?\s*$",
    re.IGNORECASE,
)
_SOURCE_LABEL_RE = re.compile(r"^\s*(?:sumber|source)\s*:\s*(?P<agency>[^,.;]{2,40})\s*\.?\s*$", re.IGNORECASE)

# Caption credits, tried in order: "…. Alinea.id/MT Fadillah", "…. /Facebook", "Foto: Antara",
# "…. Foto twitter.com/X". Each comes with what any match of it contains (a colon, a slash, the
# word foto/photo), tested first: the patterns' lazy captions cost a pass per position of the text.
_FOTO_RE = re.compile(r"foto|photo", re.IGNORECASE)
_CREDIT_PATTERNS = (
    re.compile(r"^(?P<caption>.*?)\s*\(?\b(?:foto|photo|sumber foto|dok(?:umentasi)?)\s*:\s*(?P<credit>[^()]+?)\)?\s*$", re.IGNORECASE),
    re.compile(r"^(?P<caption>.*?)\s*\b(?:alinea\.id|alinea)\s*/\s*(?P<credit>[^/].*?)\s*$", re.IGNORECASE),
    re.compile(r"^(?P<caption>.*?\S)\s+/\s*(?P<credit>[^/\s][^/]*?)\s*$"),
    re.compile(r"^(?P<caption>.*?[.!?\"”])\s+(?P<credit>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}\s*/\s*\S[^/]*?)\s*$"),
    re.compile(r"^(?P<caption>.*?[.!?\"”])\s*\b(?:foto|photo)\s+(?P<credit>\S.*?)\s*$", re.IGNORECASE),
)  # fmt: skip
_CREDIT_NEEDS = (":", "/", "/", "/", None)
"""What each of :data:`_CREDIT_PATTERNS` needs in a caption to match (``None``: foto/photo)."""


def clean_text(value: str | None) -> str | None:
    """Collapse all whitespace (incl. NBSP and zero-width) to single spaces; ``None`` if empty.

    >>> clean_text("  Kim\\u00a0Jong-un \\n dan  Putin ")
    'Kim Jong-un dan Putin'
    >>> clean_text(" \\t\\n") is None
    True
    >>> clean_text(None) is None
    True
    """
    if value is None:
        return None
    text = str(value)
    if _ZERO_WIDTH_RE.search(text):  # separators a reader does not see
        text = text.translate(_ZERO_WIDTH_TO_SPACE)
    return " ".join(text.split()) or None  # str.split: every Unicode whitespace, NBSP included


def strip_label(value: str | None) -> str | None:
    """Drop a leading ``Reporter:``/``Penulis:``/``Editor:``-style label.

    >>> strip_label("Reporter: Khairisa Ferida")
    'Khairisa Ferida'
    >>> strip_label("Oleh Kudus Purnomo Wahidin")
    'Kudus Purnomo Wahidin'
    >>> strip_label("Reporter:") is None
    True
    """
    cleaned = clean_text(value)
    return clean_text(_LABEL_RE.sub("", cleaned, count=1)) if cleaned else None


def split_names(value: str | None) -> list[str]:
    """Split a credit line into person names, dropping labels and the publisher's name.

    >>> split_names("Reporter: Marselinus Gual, Fatah Hidayat Sidiq & Ardiansyah Fadli")
    ['Marselinus Gual', 'Fatah Hidayat Sidiq', 'Ardiansyah Fadli']
    >>> split_names("Oleh Bonifasius Tukan · Kamis, 25 April 2019 | 13:45 WIB")
    ['Bonifasius Tukan']
    >>> split_names("Alinea.id")
    []
    >>> split_names("")
    []
    """
    cleaned = strip_label(value)
    date = find_date(cleaned)
    if cleaned and date:  # a byline: the names stand before the date
        cleaned = strip_label(cleaned[: date.start()])
    if not cleaned:
        return []
    names = []
    for part in _AUTHOR_SPLIT_RE.split(cleaned):
        name = strip_label(part) or ""
        name = name.strip(" .,:;-–—|·•/")
        if name and name.lower() not in SITE_NAMES and name not in DAY_NAMES and looks_like_name(name):
            names.append(name)
    return names


_SENTENCE_PUNCTUATION_RE = re.compile(r"[!?:;\"“”]|\.\s*$|\.\s")


def looks_like_name(value: str) -> bool:
    """A person's name: 1–6 words, starts with a letter, no digits, no sentence punctuation.

    >>> looks_like_name("Khairisa Ferida"), looks_like_name("Kamis, 25 Apr 2019"), looks_like_name("x" * 80)
    (True, False, False)
    """
    words = value.split()
    return (
        0 < len(words) <= 6
        and len(value) <= 60
        and value[0].isalpha()
        and not any(ch.isdigit() for ch in value)
        and not _SENTENCE_PUNCTUATION_RE.search(value)
    )


def unique(values: Iterable[str | None]) -> list[str]:
    """Keep the first occurrence of each value, in order; drop empties.

    >>> unique(["A", "B", "A", "", None, "C"])
    ['A', 'B', 'C']
    """
    seen: set[str] = set()
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def split_caption_credit(text: str | None) -> tuple[str | None, str | None]:
    """Split an image caption into ``(caption, credit)``.

    >>> split_caption_credit("Ilustrasi BPJS Kesehatan. Alinea.id/MT Fadillah")
    ('Ilustrasi BPJS Kesehatan.', 'MT Fadillah')
    >>> split_caption_credit("Kampanye PDI pada Mei 1997. /Facebook")
    ('Kampanye PDI pada Mei 1997.', 'Facebook')
    >>> split_caption_credit("Warga antre di stasiun. Foto: Antara/Hafidz Mubarak")
    ('Warga antre di stasiun.', 'Antara/Hafidz Mubarak')
    >>> split_caption_credit("Massa aksi di depan gedung DPR. Foto twitter.com/X")
    ('Massa aksi di depan gedung DPR.', 'twitter.com/X')
    >>> split_caption_credit("Api di lahan gambut. ANTARA FOTO/Rudi Hartanto")
    ('Api di lahan gambut.', 'ANTARA FOTO/Rudi Hartanto')
    >>> split_caption_credit("Suasana rapat paripurna.")
    ('Suasana rapat paripurna.', None)
    >>> split_caption_credit("  ")
    (None, None)
    """
    cleaned = clean_text(text)
    if cleaned is None:
        return None, None
    for pattern, needed in zip(_CREDIT_PATTERNS, _CREDIT_NEEDS, strict=True):
        if (needed not in cleaned) if needed else not _FOTO_RE.search(cleaned):
            continue  # the pattern cannot match: its colon, slash or photo label is missing
        match = pattern.match(cleaned)
        if match and match["credit"].strip():
            credit = clean_text(match["credit"].strip(" ()"))
            if credit and len(credit) <= 80:
                return clean_text(match["caption"]), credit
    return cleaned, None


def normalize_credit(text: str | None) -> str | None:
    """A credit as printed in its own element, without ``Foto:``/``Alinea.id/``/``/`` prefixes.

    >>> normalize_credit("Alinea.id/MT Fadillah"), normalize_credit("Foto: Antara"), normalize_credit("/Reuters")
    ('MT Fadillah', 'Antara', 'Reuters')
    >>> normalize_credit(" ") is None
    True
    """
    cleaned = clean_text(text)
    if cleaned is None:
        return None
    cleaned = re.sub(r"^(?:\(?\s*(?:foto|photo|sumber foto|dok(?:umentasi)?)\s*:?\s*)", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"^(?:alinea(?:\.id)?\s*)?/\s*", "", cleaned, flags=re.IGNORECASE)
    return clean_text(cleaned.rstrip(")"))


def agency_credit(text: str | None) -> str | None:
    """The news agency credited at the end of an article's text: ``… Tiongkok. (AFP)``.

    >>> agency_credit("upaya untuk menyeimbangkan pengaruh Tiongkok. (AFP)")
    'AFP'
    >>> agency_credit("kata dia. (ANTARA)")
    'Antara'
    >>> agency_credit("Sumber: Reuters")
    'Reuters'
    >>> agency_credit("menurut data BPS (2024).") is None
    True
    >>> agency_credit(None) is None
    True
    """
    if not text:
        return None
    match = _AGENCY_RE.search(text) or _SOURCE_LABEL_RE.match(text)
    if not match:
        return None
    agency = clean_text(match["agency"]) or ""
    return KNOWN_AGENCIES.get(agency.lower(), agency if _SOURCE_LABEL_RE.match(text) else None)


_WORD_RE = re.compile(r"[^\W_]\S*")
"""A whitespace-separated token with a letter or digit in it (``[^\\W_]`` is ``str.isalnum``),
matched from its first letter or digit to its end: one match per such token, as
``\\S*[^\\W_]\\S*`` gives, without backtracking over every token."""


def count_words(text: str | None) -> int:
    """Words in ``text`` (whitespace-separated tokens with a letter or digit).

    >>> count_words("Kim Jong-un dan Putin (AFP)")
    5
    >>> count_words("") , count_words(None), count_words(" - ")
    (0, 0, 0)
    """
    if not text:
        return 0
    return len(_WORD_RE.findall(text))


def strip_site_suffix(title: str | None) -> str | None:
    """Drop an SEO suffix such as `` | Alinea.id`` from a metadata title.

    >>> strip_site_suffix("Perdana, Kim Jong-un dan Putin bertatap muka | Alinea.id")
    'Perdana, Kim Jong-un dan Putin bertatap muka'
    >>> strip_site_suffix("Alinea.id") is None
    True
    """
    cleaned = clean_text(title)
    if cleaned is None:
        return None
    cleaned = re.sub(r"\s*[|\-–—:]\s*alinea(?:\.id)?(?:\s*[|\-–—:].*)?$", "", cleaned, flags=re.IGNORECASE)
    return None if cleaned.lower() in SITE_NAMES else clean_text(cleaned)
