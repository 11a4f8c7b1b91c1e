"""Indonesian date formatting in the site's clock (WIB, UTC+07:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
SHORT_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_RFC822_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_RFC822_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def from_minute(minute: int) -> datetime:
    """Datetime in WIB for a count of minutes since the Unix epoch."""
    return datetime.fromtimestamp(minute * 60, tz=UTC).astimezone(WIB)


def to_minute(when: datetime) -> int:
    """Minutes since the Unix epoch of an aware datetime."""
    return int(when.timestamp()) // 60


def iso(when: datetime) -> str:
    """ISO 8601 with seconds and offset: ``2019-04-25T13:45:00+07:00``."""
    return when.isoformat(timespec="seconds")


def short_month(when: datetime, august: str = "Agu") -> str:
    """Short Indonesian month; August is spelled ``Agu`` or ``Agt``."""
    return august if when.month == 8 else SHORT_MONTHS[when.month - 1]


def byline_2019(when: datetime, august: str = "Agu") -> str:
    """``Kamis, 25 Apr 2019 13:45 WIB``."""
    return f"{DAYS[when.weekday()]}, {when.day} {short_month(when, august)} {when.year} {when:%H:%M} WIB"


def frontdate_2023(when: datetime) -> str:
    """``Selasa, 21 Januari 2025 06:10`` (full month, no zone)."""
    return f"{DAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when.year} {when:%H:%M}"


def long_with_zone(when: datetime) -> str:
    """``Kamis, 25 April 2019 | 13:45 WIB`` (used by the unknown layout)."""
    return f"{DAYS[when.weekday()]}, {when.day} {MONTHS[when.month - 1]} {when.year} | {when:%H:%M} WIB"


def day_ref(when: datetime) -> str:
    """In-body day reference such as ``Kamis (25/4)``."""
    return f"{DAYS[when.weekday()]} ({when.day}/{when.month})"


def rfc822(when: datetime) -> str:
    """RSS pubDate: ``Thu, 25 Apr 2019 13:45:00 +0700``."""
    return f"{_RFC822_DAYS[when.weekday()]}, {when.day:02d} {_RFC822_MONTHS[when.month - 1]} {when.year} {when:%H:%M:%S} +0700"
