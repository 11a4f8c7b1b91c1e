"""Property tests (Hypothesis) of the pure units: text processors, dates, article URLs.

Every property runs on arbitrary text as well as on realistic text built from the site's own
vocabulary (labels, agencies, Indonesian dates, NBSP and zero-width spaces). Hypothesis is
derandomized and keeps no example database, so a run is the same on every machine; a failure
prints the smallest input that breaks the property.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from crawler.extraction.dates import (
    DAY_NAMES,
    MONTHS,
    WIB,
    ZONE_OFFSETS,
    find_date,
    parse_indonesian_datetime,
    parse_iso_datetime,
    to_iso,
)
from crawler.extraction.processors import (
    KNOWN_AGENCIES,
    SITE_NAMES,
    agency_credit,
    clean_text,
    count_words,
    looks_like_name,
    normalize_credit,
    split_caption_credit,
    split_names,
    strip_label,
    strip_site_suffix,
    unique,
)
from crawler.urls import (
    CANONICAL_ORIGIN,
    SITE_HOSTS,
    ArticleRef,
    article_request_url,
    canonical_url,
    is_site_url,
    page_number,
    parse_article_url,
    to_base,
)

PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "200")),
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
BASE = "http://127.0.0.1:8080"
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")
CANONICAL_RE = re.compile(r"^https://www\.alinea\.id/[a-z][a-z0-9-]*/[A-Za-z0-9-]+-b[0-9A-Za-z]{8}$")
ODD_SPACES = "\u00a0\u200b\u200c\u200d\u2060\ufeff"

# --- strategies ------------------------------------------------------------------------------

VOCABULARY = [
    *("Reporter:", "Penulis:", "Editor:", "Oleh", "Foto:", "Sumber:", "Alinea.id/", "alinea.id", "Redaksi", "Baca juga"),
    *("Khairisa Ferida", "Marselinus Gual", "MT Fadillah", "dan", "&", ",", ";", "|", "-", "–", "/", ".", ":", "(", ")"),
    *(f"({name})" for name in ("AFP", "Antara", "ANTARA", "Reuters", "AP", "Xinhua")),
    *("Kamis,", "25", "Apr", "2019", "13:45", "WIB", "WITA", "Januari", "06.10", "(25/4)", "pukul", "Agt", "Mei"),
    *("Presiden", "Jokowi", "mengatakan", "bahwa", "pemilu", "kata", "dia.", "Tiongkok.", "🙂", "\x00", "\t", "\n", *ODD_SPACES),
]
realistic_text = st.lists(st.sampled_from(VOCABULARY), max_size=25).map(" ".join) | st.lists(st.sampled_from(VOCABULARY), max_size=25).map(
    "".join
)
any_text = st.text(max_size=300) | realistic_text
maybe_text = st.none() | any_text

SECTIONS = st.from_regex(r"\A[a-z][a-z0-9-]{0,20}\Z")
SLUGS = st.from_regex(r"\A[A-Za-z0-9-]{1,60}\Z")
CODES = st.from_regex(r"\A[0-9A-Za-z]{8}\Z")
refs = st.builds(ArticleRef, SECTIONS, SLUGS, CODES.map(lambda code: "b" + code))

URL_PIECES = [
    "http://",
    "https://",
    "//",
    "www.alinea.id",
    "alinea.id",
    "m.alinea.id",
    "127.0.0.1:8080",
    "evil.example",
    "@",
    ":",
    "[",
    "]",
    "::1",
    "/",
    "/amp/",
    "peristiwa",
    "-b1Xgj9kbZ",
    "?page=2",
    "&",
    "#x",
    "%2e%2e",
    "..",
    "javascript:",
    "data:",
    " ",
    "\n",
    "\\",
]
url_like = st.lists(st.sampled_from(URL_PIECES), max_size=12).map("".join) | st.text(max_size=80)


def is_clean(value: str) -> bool:
    """A fixed point of :func:`clean_text`: no outer space, no space runs, no odd spaces."""
    return value == clean_text(value)


# --- text processors: never raise, return clean values -----------------------------------------

TEXT_PROCESSORS: list[tuple[str, Callable[[Any], Any], Callable[[Any], bool]]] = [
    ("clean_text", clean_text, lambda r: r is None or isinstance(r, str)),
    ("strip_label", strip_label, lambda r: r is None or isinstance(r, str)),
    ("split_names", split_names, lambda r: isinstance(r, list) and all(isinstance(n, str) for n in r)),
    ("split_caption_credit", split_caption_credit, lambda r: isinstance(r, tuple) and len(r) == 2),
    ("normalize_credit", normalize_credit, lambda r: r is None or isinstance(r, str)),
    ("agency_credit", agency_credit, lambda r: r is None or isinstance(r, str)),
    ("strip_site_suffix", strip_site_suffix, lambda r: r is None or isinstance(r, str)),
    ("count_words", count_words, lambda r: isinstance(r, int) and r >= 0),
    ("find_date", find_date, lambda r: r is None or isinstance(r, re.Match)),
    ("parse_indonesian_datetime", parse_indonesian_datetime, lambda r: r is None or isinstance(r, datetime)),
    ("parse_iso_datetime", parse_iso_datetime, lambda r: r is None or isinstance(r, datetime)),
]


@pytest.mark.parametrize(("name", "processor", "well_typed"), TEXT_PROCESSORS, ids=[p[0] for p in TEXT_PROCESSORS])
@PROPERTY
@given(text=maybe_text)
def test_text_processors_never_raise_on_arbitrary_text(
    name: str, processor: Callable[[Any], Any], well_typed: Callable[[Any], bool], text: str | None
) -> None:
    result = processor(text)
    assert well_typed(result), f"{name}({text!r}) returned {result!r}"


@PROPERTY
@given(text=maybe_text)
def test_clean_text_is_idempotent_and_collapses_every_space(text: str | None) -> None:
    once = clean_text(text)
    assert clean_text(once) == once, "clean_text is idempotent"
    if once is None:
        assert text is None or not re.sub(rf"[\s{ODD_SPACES}]", "", text), "None only for blank input"
        return
    assert once == once.strip(), "no outer whitespace"
    assert not any(ch.isspace() and ch != " " for ch in once), "every space is a plain space"
    assert "  " not in once and not any(ch in once for ch in ODD_SPACES), "no runs, no NBSP or zero-width"


@pytest.mark.parametrize(
    ("name", "processor"),
    [("strip_label", strip_label), ("normalize_credit", normalize_credit), ("strip_site_suffix", strip_site_suffix)],
)
@PROPERTY
@given(text=maybe_text)
def test_string_processors_return_clean_text_or_none(name: str, processor: Callable[[str | None], str | None], text: str | None) -> None:
    result = processor(text)
    assert result is None or (result and is_clean(result)), f"{name}({text!r}) = {result!r} is not clean"


@PROPERTY
@given(text=maybe_text)
def test_strip_site_suffix_is_idempotent_and_never_returns_the_site_name(text: str | None) -> None:
    once = strip_site_suffix(text)
    assert strip_site_suffix(once) == once, f"title: strip_site_suffix is idempotent on {text!r}"
    assert once is None or once.lower() not in SITE_NAMES, f"title: {once!r} is the site's name"


@PROPERTY
@given(text=maybe_text)
def test_split_names_returns_clean_person_names(text: str | None) -> None:
    names = split_names(text)
    for name in names:
        assert is_clean(name) and looks_like_name(name), f"authors: {name!r} from {text!r} is not a clean name"
        assert name.lower() not in SITE_NAMES and name not in DAY_NAMES, f"authors: {name!r} is the site or a day"
    assert split_names(", ".join(names)) == names, f"authors: splitting the joined names of {text!r} changes them"


@PROPERTY
@given(values=st.lists(st.none() | st.sampled_from(["", "A", "B", "Kartika", "kartika", " "]) | any_text, max_size=20))
def test_unique_keeps_first_occurrences_in_order(values: list[str | None]) -> None:
    result = unique(values)
    assert unique(result) == result, "unique is idempotent"
    assert len(result) == len(set(result)) and all(result), "no duplicates, no empties"
    assert result == [v for i, v in enumerate(values) if v and v not in values[:i]], "first occurrence order"


@PROPERTY
@given(text=maybe_text)
def test_caption_and_credit_are_clean_and_bounded(text: str | None) -> None:
    caption, credit = split_caption_credit(text)
    if clean_text(text) is None:
        assert (caption, credit) == (None, None), "blank caption text gives nothing"
        return
    assert caption is not None or credit is not None, f"images.caption: {text!r} lost entirely"
    assert caption is None or is_clean(caption), f"images.caption {caption!r} is not clean"
    assert credit is None or (is_clean(credit) and len(credit) <= 80), f"images.credit {credit!r} is not a clean short credit"


@PROPERTY
@given(text=maybe_text)
def test_agency_credit_names_a_known_agency_or_a_labelled_source(text: str | None) -> None:
    agency = agency_credit(text)
    if agency is None:
        return
    assert text is not None
    labelled = re.match(r"^\s*(?:sumber|source)\s*:", text, re.IGNORECASE)
    assert agency in KNOWN_AGENCIES.values() or (labelled and agency in text), f"source: {agency!r} from {text!r}"


@PROPERTY
@given(first=maybe_text, second=maybe_text)
def test_count_words_adds_up(first: str | None, second: str | None) -> None:
    joined = f"{first or ''} {second or ''}"
    assert count_words(joined) == count_words(first) + count_words(second), "word_count is additive over a space"


# --- dates -------------------------------------------------------------------------------------

wib_minutes = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2099, 12, 31, 23, 59)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


@st.composite
def indonesian_dates(draw: st.DrawFn) -> tuple[str, datetime]:
    """A date line as the site might print it, and the instant it means (in WIB)."""
    moment = draw(wib_minutes)
    names = [name for name, number in MONTHS.items() if number == moment.month]
    name = draw(st.sampled_from(names))
    month = draw(st.sampled_from([name, name.capitalize(), name.upper()]))
    day_name = draw(st.sampled_from(["", *(f"{d}, " for d in DAY_NAMES), *(f"{d} " for d in DAY_NAMES)]))
    day = draw(st.sampled_from([str(moment.day), f"{moment.day:02d}"]))
    dot = draw(st.sampled_from(["", "."]))
    separator = draw(st.sampled_from([" ", ", ", " | ", " - ", " pukul ", " jam "]))
    hour = draw(st.sampled_from([str(moment.hour), f"{moment.hour:02d}"]))
    colon = draw(st.sampled_from([":", "."]))
    zone = draw(st.sampled_from(["", *ZONE_OFFSETS]))
    prefix = draw(st.sampled_from(["", "Khairisa Ferida ", "Reporter: Marselinus Gual | ", "Diperbarui "]))
    suffix = draw(st.sampled_from(["", " ", " | Alinea.id", "\u00a0"]))
    zone_text = f" {zone}" if zone else ""
    text = f"{prefix}{day_name}{day} {month}{dot} {moment.year}{separator}{hour}{colon}{moment.minute:02d}{zone_text}{suffix}"
    offset = timedelta(hours=ZONE_OFFSETS[zone] if zone else 7)
    return text, moment.replace(tzinfo=timezone(offset)).astimezone(WIB)


@PROPERTY
@given(case=indonesian_dates())
def test_every_printed_date_form_parses_to_its_instant(case: tuple[str, datetime]) -> None:
    text, expected = case
    parsed = parse_indonesian_datetime(text)
    assert parsed == expected, f"published_at of {text!r}: {parsed} != {expected}"
    assert parsed is not None and parsed.utcoffset() == timedelta(hours=7), "published_at is in WIB"
    iso = to_iso(parsed)
    assert iso is not None and ISO_RE.match(iso), f"published_at {iso!r} breaks the schema format"


@PROPERTY
@given(text=maybe_text)
def test_any_parsed_date_is_wib_and_exports_in_schema_format(text: str | None) -> None:
    for parsed in (parse_indonesian_datetime(text), parse_indonesian_datetime(text, require_time=False), parse_iso_datetime(text)):
        if parsed is not None:
            assert parsed.utcoffset() == timedelta(hours=7), f"published_at of {text!r} is not WIB"
            iso = to_iso(parsed)
            assert iso is not None and ISO_RE.match(iso), f"published_at {iso!r} from {text!r} breaks the schema format"


@PROPERTY
@given(text=maybe_text)
def test_a_date_without_time_is_never_a_publication_time(text: str | None) -> None:
    match = find_date(text)
    if match is not None and match["hour"] is None:
        assert parse_indonesian_datetime(text) is None, f"published_at guessed a time for {text!r}"


aware_datetimes = st.datetimes(
    min_value=datetime(2, 1, 1),
    max_value=datetime(9998, 12, 31),
    timezones=st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-12 * 60, 14 * 60)),
)


@PROPERTY
@given(moment=aware_datetimes, separator=st.sampled_from(["T", " "]))
def test_iso_metadata_dates_round_trip_to_the_same_instant(moment: datetime, separator: str) -> None:
    text = moment.isoformat(sep=separator)
    parsed = parse_iso_datetime(text)
    assert parsed == moment, f"published_at of {text!r}: {parsed} is another instant"
    iso = to_iso(parsed)
    assert iso == to_iso(parse_iso_datetime(iso)), "to_iso/parse_iso_datetime round-trip is idempotent"


@PROPERTY
@given(moment=st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)))
def test_naive_iso_metadata_dates_mean_wib(moment: datetime) -> None:
    assert parse_iso_datetime(moment.isoformat()) == moment.replace(tzinfo=WIB), "a naive metadata date is WIB"


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+07:00", "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-01:00"])
def test_iso_dates_at_the_edge_of_the_calendar_are_refused_not_raised(text: str) -> None:
    assert parse_iso_datetime(text) is None, f"published_at metadata {text!r} is out of range"


# --- article URLs -----------------------------------------------------------------------------


@st.composite
def url_variants(draw: st.DrawFn, ref: ArticleRef) -> str:
    """Any spelling of ``ref``'s URL that a page, a feed or a user might use."""
    scheme = draw(st.sampled_from(["https", "http", "HTTPS", "Http"]))
    host = draw(st.sampled_from([*SITE_HOSTS, "WWW.ALINEA.ID", "Alinea.Id", "www.alinea.id:443", "alinea.id:80", "127.0.0.1:8080"]))
    user = draw(st.sampled_from(["", "reader@", "a:b@"]))
    amp = draw(st.sampled_from(["", "/amp"]))
    slash = draw(st.sampled_from(["", "/"]))
    query = draw(st.sampled_from(["", "?page=1", "?page=12", "?utm_source=x&utm_medium=y", "?", "?page=2&amp=1"]))
    fragment = draw(st.sampled_from(["", "#", "#komentar", "#page=3"]))
    space = draw(st.sampled_from(["", " ", "\n", "\t "]))
    origin = draw(st.sampled_from([f"{scheme}://{user}{host}", f"//{host}", ""]))
    return f"{space}{origin}{amp}{ref.path()}{slash}{query}{fragment}{space}"


@PROPERTY
@given(data=st.data(), ref=refs)
def test_every_variant_of_an_article_url_has_the_same_canonical_url(data: st.DataObject, ref: ArticleRef) -> None:
    variant = data.draw(url_variants(ref))
    assert parse_article_url(variant) == ref, f"article_id/section/slug of {variant!r}"
    assert canonical_url(variant) == ref.canonical_url, f"canonical_url of {variant!r}"
    assert CANONICAL_RE.match(ref.canonical_url), f"canonical_url {ref.canonical_url!r} breaks the schema pattern"
    assert canonical_url(ref.canonical_url) == ref.canonical_url, "canonical_url is idempotent"


@PROPERTY
@given(ref=refs, page=st.integers(0, 9999), base=st.sampled_from([CANONICAL_ORIGIN, BASE, "http://localhost:1/"]))
def test_article_request_urls_round_trip(ref: ArticleRef, page: int, base: str) -> None:
    url = article_request_url(ref, base, page)
    assert url.startswith(base.rstrip("/") + "/"), f"url {url!r} is on {base}"
    assert parse_article_url(url) == ref and page_number(url) == page, f"url {url!r} is part {page} of {ref}"


@PROPERTY
@given(ref=refs, page=st.integers(1, 9999), before=st.sampled_from(["", "utm=1&"]), after=st.sampled_from(["", "&x=2"]))
def test_page_number_reads_the_page_parameter(ref: ArticleRef, page: int, before: str, after: str) -> None:
    url = f"{CANONICAL_ORIGIN}{ref.path()}?{before}page={page}{after}"
    assert page_number(url) == page, f"pages: part number of {url!r}"


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("parse_article_url", parse_article_url),
        ("canonical_url", canonical_url),
        ("is_site_url", lambda url: is_site_url(url, BASE)),
    ],
)
@PROPERTY
@given(url=url_like)
@example(url="http://[")
@example(url="//[::1/peristiwa/x-b1Xgj9kbZ")
def test_url_recognisers_never_raise(name: str, function: Callable[[str], Any], url: str) -> None:
    function(url)  # the property is that this returns


@pytest.mark.parametrize("function", [lambda url: to_base(url, BASE), page_number], ids=["to_base", "page_number"])
@PROPERTY
@given(url=url_like)
@example(url="http://[")
@example(url="//[::1/peristiwa/x-b1Xgj9kbZ")
def test_url_rewriters_never_raise(function: Callable[[str], Any], url: str) -> None:
    function(url)


@PROPERTY
@given(url=url_like, base=st.sampled_from([CANONICAL_ORIGIN, BASE]))
def test_to_base_never_leaves_the_configured_origin(url: str, base: str) -> None:
    try:
        rebased = to_base(url, base)
    except ValueError:
        reject()  # the crash itself is test_url_rewriters_never_raise
    if rebased is None:
        return
    assert rebased.startswith(base + "/"), f"to_base({url!r}) = {rebased!r} leaves {base}"
    assert to_base(rebased, base) == rebased, f"to_base is idempotent on {url!r}"
    assert "#" not in rebased, f"to_base({url!r}) kept a fragment"


@PROPERTY
@given(
    scheme=st.sampled_from(["http", "https", "ftp", "javascript", "data", "file", "mailto", "gopher"]),
    host=st.sampled_from(
        [
            "evil.example",
            "alinea.id.evil.example",
            "wwwalinea.id",
            "www.alinea.id.",
            "evil.example:8080",
            "www.alinea.id@evil.example",
            "127.0.0.1:8081",
            "localhost:8080",
            "[::1]:8080",
        ]
    ),
    path=st.sampled_from(["/peristiwa/x-b1Xgj9kbZ", "/rss", "/", "/alinea.id/x", ""]),
)
def test_off_site_and_non_http_urls_are_dropped(scheme: str, host: str, path: str) -> None:
    url = f"{scheme}://{host}{path}"
    assert to_base(url, BASE) is None, f"off-site URL {url!r} is kept"
    assert not is_site_url(url, BASE), f"off-site URL {url!r} counts as the site"


@PROPERTY
@given(scheme=st.sampled_from(["ftp", "javascript", "data", "file", "mailto", "ws"]), host=st.sampled_from([*SITE_HOSTS, "127.0.0.1:8080"]))
def test_site_hosts_with_a_non_http_scheme_are_dropped(scheme: str, host: str) -> None:
    url = f"{scheme}://{host}/peristiwa/x-b1Xgj9kbZ"
    assert to_base(url, BASE) is None, f"non-http(s) URL {url!r} is kept"


# --- time: processors stay linear on long hostile strings ------------------------------------------

LONG_INPUTS = {
    "dots": ". " * 50_000,
    "capital-dots": "A. " * 50_000,
    "slashes": "a / " * 50_000,
    "foto-labels": "foto: " * 30_000,
    "date-fragments": "25 Apr " * 30_000,
    "times": "2019 13:45 " * 30_000,
    "parentheses": "(" * 100_000,
    "agencies": "(AFP / " * 30_000,
    "spaces": " " * 200_000 + "x",
    "digits": "1" * 200_000,
}
LONG_PROCESSORS = [processor for name, processor, _ in TEXT_PROCESSORS if name not in ("count_words",)]


@pytest.mark.parametrize("kind", sorted(LONG_INPUTS))
def test_processors_stay_fast_on_long_hostile_text(kind: str) -> None:
    text = LONG_INPUTS[kind]
    for processor in (*LONG_PROCESSORS, canonical_url, parse_article_url):
        started = time.perf_counter()
        processor(text)
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, f"{getattr(processor, '__name__', processor)} took {elapsed:.1f}s on {len(text)} chars of {kind}"
