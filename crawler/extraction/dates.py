"""Indonesian publication dates, as alinea.id prints them, to ISO 8601 in Asia/Jakarta.

Seen on the site: ``Kamis, 25 Apr 2019 13:45 WIB`` (2019: short month, ``WIB``) and
``Selasa, 21 Januari 2025 06:10`` (current: full month, no zone). The site's clock is WIB
(UTC+07:00) with or without the suffix; WITA/WIT times are converted to WIB.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")
ZONE_OFFSETS = {"WIB": 7, "WITA": 8, "WIT": 9, "GMT": 0, "UTC": 0}

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Jum'at", "Sabtu", "Minggu", "Ahad")
MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "agust": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_ALT = "|".join(re.escape(d) for d in DAY_NAMES)

DATE_RE = re.compile(
    rf"(?:(?P<day_name>{_DAY_ALT})\s*,?\s*)?"
    rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_ALT})\.?\s+(?P<year>(?:19|20)\d{{2}})"
    r"(?:\s*(?:[,|\-–]|pukul|jam)?\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?"
    r"(?:\s*(?P<zone>WIB|WITA|WIT|GMT|UTC)\b)?)?",
    re.IGNORECASE,
)
"""An Indonesian date with optional day name, time and zone. ``Kamis (25/4)`` never matches:
a month *name* is required."""
DATE_HINT_RE = re.compile(r"\d\s")
"""What every :data:`DATE_RE` match contains (the day number, then a space): a test twenty
times cheaper than the full pattern, which most paragraphs fail."""
DATE_CORE_RE = re.compile(rf"\d\s+(?:{_MONTH_ALT})\.?\s+(?:19|20)\d{{2}}", re.IGNORECASE)
"""What every :data:`DATE_RE` match contains (the day's last digit, the month, the year): the
second test, for the paragraphs that pass the first with a number in them. The full pattern
tries its optional day names at every position of a paragraph; this one only where a digit is."""

ISO_START_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
"""What a machine date starts with (date and time of day)."""


def find_date(text: str | None) -> re.Match[str] | None:
    """The first Indonesian date in ``text`` (with or without a time).

    >>> find_date("Khairisa Ferida Kamis, 25 Apr 2019 13:45 WIB").group(0)
    'Kamis, 25 Apr 2019 13:45 WIB'
    >>> find_date("Selasa, 21 Januari 2025 06:10").group(0)
    'Selasa, 21 Januari 2025 06:10'
    >>> find_date("Kamis (25/4), menjadi hari bersejarah") is None
    True
    >>> find_date(None) is None
    True
    """
    if not text or ("20" not in text and "19" not in text):
        return None  # no year: every match has one (19xx or 20xx), and a substring test is cheapest
    if not DATE_HINT_RE.search(text) or not DATE_CORE_RE.search(text):
        return None
    return DATE_RE.search(text)


def _from_match(match: re.Match[str]) -> datetime | None:
    try:
        naive = datetime(
            int(match["year"]),
            MONTHS[match["month"].lower()],
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
        )
    except (ValueError, KeyError):
        return None
    zone = (match["zone"] or "WIB").upper()
    aware = naive.replace(tzinfo=timezone(timedelta(hours=ZONE_OFFSETS[zone])))
    return aware.astimezone(WIB)


def parse_indonesian_datetime(text: str | None, *, require_time: bool = True) -> datetime | None:
    """Parse the first Indonesian date in ``text`` to an aware datetime in WIB.

    A date without a time of day is ``None`` unless ``require_time`` is false: a publication
    time is never guessed.

    >>> parse_indonesian_datetime("Kamis, 25 Apr 2019 13:45 WIB").isoformat()
    '2019-04-25T13:45:00+07:00'
    >>> parse_indonesian_datetime("Jumat, 9 Agt 2019 08:05").isoformat()
    '2019-08-09T08:05:00+07:00'
    >>> parse_indonesian_datetime("Rabu, 7 Agu 2019 10:00 WITA").isoformat()
    '2019-08-07T09:00:00+07:00'
    >>> parse_indonesian_datetime("31 Februari 2019 10:00") is None
    True
    >>> parse_indonesian_datetime("Kamis, 25 Apr 2019") is None
    True
    >>> parse_indonesian_datetime("   ") is None
    True
    """
    match = find_date(text)
    if match is None or (require_time and match["hour"] is None):
        return None
    return _from_match(match)


def parse_iso_datetime(text: str | None) -> datetime | None:
    """Parse a machine date from metadata (ISO 8601, zone optional: naive means WIB) to WIB.

    >>> parse_iso_datetime("2019-04-25T06:45:00Z").isoformat()
    '2019-04-25T13:45:00+07:00'
    >>> parse_iso_datetime("2025-01-21 06:10:00").isoformat()
    '2025-01-21T06:10:00+07:00'
    >>> parse_iso_datetime("2025-01-21") is None
    True
    >>> parse_iso_datetime("kemarin") is None
    True
    >>> parse_iso_datetime("0001-01-01T00:00:00+07:00") is None
    True
    """
    if not text:
        return None
    value = text.strip()
    if not ISO_START_RE.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=WIB)
    try:
        return parsed.astimezone(WIB)
    except OverflowError:  # 0001-01-01 or 9999-12-31 with an offset: not a publication date
        return None


def to_iso(moment: datetime | None) -> str | None:
    """ISO 8601 with seconds and the +07:00 offset.

    >>> to_iso(parse_iso_datetime("2019-04-25T06:45:30.25Z"))
    '2019-04-25T13:45:30+07:00'
    >>> to_iso(None) is None
    True
    """
    if moment is None:
        return None
    return moment.astimezone(WIB).replace(microsecond=0).isoformat()
