"""Processors: tables that always include None, empty, whitespace and garbage."""

from __future__ import annotations

import pytest

from crawler.extraction.dates import parse_indonesian_datetime, parse_iso_datetime, to_iso
from crawler.extraction.processors import (
    agency_credit,
    clean_text,
    count_words,
    split_caption_credit,
    split_names,
    strip_site_suffix,
)
from crawler.urls import canonical_url, is_site_url, parse_article_url, to_base

GARBAGE = ["\x00\x01", "<<<>>>", "🙂" * 50, "a" * 10_000, "Kamis (25/4)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kamis, 25 Apr 2019 13:45 WIB", "2019-04-25T13:45:00+07:00"),
        ("Selasa, 21 Mei 2019 19:31 WIB", "2019-05-21T19:31:00+07:00"),
        ("Selasa, 21 Januari 2025 06:10", "2025-01-21T06:10:00+07:00"),
        ("Jumat, 9 Agt 2019 08:05 WIB", "2019-08-09T08:05:00+07:00"),
        ("Jumat, 9 Agu 2019 08:05 WIB", "2019-08-09T08:05:00+07:00"),
        ("Sabtu, 17 Agustus 2024 | 17:45", "2024-08-17T17:45:00+07:00"),
        ("Minggu, 1 Des 2024 00:00 WIB", "2024-12-01T00:00:00+07:00"),
        ("Senin, 3 Okt 2022 10:00 WITA", "2022-10-03T09:00:00+07:00"),
        ("Khairisa Ferida Kamis, 25 Apr 2019 13:45 WIB", "2019-04-25T13:45:00+07:00"),
        ("Rabu, 30 Februari 2022 10:00", None),  # no such day
        ("Kamis, 25 Apr 2019", None),  # no time of day: never guessed
        ("Kamis (25/4)", None),
        ("Kamis, 25 Foo 2019 13:45", None),
        (None, None),
        ("", None),
        ("   \n", None),
        *((g, None) for g in GARBAGE),
    ],
)
def test_parse_indonesian_datetime(text: str | None, expected: str | None) -> None:
    assert to_iso(parse_indonesian_datetime(text)) == expected, f"published_at from {text!r}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-25T13:45:00+07:00", "2019-04-25T13:45:00+07:00"),
        ("2019-04-25T06:45:00Z", "2019-04-25T13:45:00+07:00"),
        ("2019-04-25T13:45:00", "2019-04-25T13:45:00+07:00"),
        ("2019-04-25", None),
        ("2019-13-45T99:00:00", None),
        (None, None),
        ("", None),
        (" ", None),
        *((g, None) for g in GARBAGE),
    ],
)
def test_parse_iso_datetime(text: str | None, expected: str | None) -> None:
    assert to_iso(parse_iso_datetime(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ilustrasi BPJS Kesehatan. Alinea.id/MT Fadillah", ("Ilustrasi BPJS Kesehatan.", "MT Fadillah")),
        ("Kampanye PDI pada Mei 1997. /Facebook", ("Kampanye PDI pada Mei 1997.", "Facebook")),
        ("Massa aksi. Foto twitter.com/X", ("Massa aksi.", "twitter.com/X")),
        ("Warga antre. (Foto: Antara/Hafidz)", ("Warga antre.", "Antara/Hafidz")),
        ("Tanpa kredit sama sekali", ("Tanpa kredit sama sekali", None)),
        (None, (None, None)),
        ("", (None, None)),
        ("  \t", (None, None)),
        ("/", ("/", None)),
    ],
)
def test_split_caption_credit(text: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_caption_credit(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reporter: Khairisa Ferida", ["Khairisa Ferida"]),
        ("Penulis : Kudus Purnomo Wahidin, Marselinus Gual", ["Kudus Purnomo Wahidin", "Marselinus Gual"]),
        ("Oleh Fatah Hidayat Sidiq dan Ardiansyah Fadli", ["Fatah Hidayat Sidiq", "Ardiansyah Fadli"]),
        ("Alinea.id", []),
        ("Redaksi", []),
        ("Kamis, 25 Apr 2019 13:45 WIB", []),
        ("Khairisa Ferida Kamis, 25 Apr 2019 13:45 WIB", ["Khairisa Ferida"]),
        (None, []),
        ("", []),
        ("   ", []),
        ("Reporter:", []),
        *((g, []) for g in GARBAGE),
    ],
)
def test_split_names(text: str | None, expected: list[str]) -> None:
    assert split_names(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pengaruh Tiongkok. (AFP)", "AFP"),
        ("kata dia. (Antara)", "Antara"),
        ("kata dia (ANTARA).", "Antara"),
        ("kata dia. (Reuters/AP)", "Reuters"),
        ("data BPS (2024).", None),
        ("Sumber: Xinhua", "Xinhua"),
        (None, None),
        ("", None),
        (" ", None),
        *((g, None) for g in GARBAGE),
    ],
)
def test_agency_credit(text: str | None, expected: str | None) -> None:
    assert agency_credit(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" a \u00a0 b\n", "a b"), ("\u200b", None), (None, None), ("", None), ("  ", None), ("<b>", "<b>")],
)
def test_clean_text(text: str | None, expected: str | None) -> None:
    assert clean_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Judul | Alinea.id", "Judul"), ("Judul - alinea.id", "Judul"), ("Judul", "Judul"), ("Alinea.id", None), (None, None), ("", None)],
)
def test_strip_site_suffix(text: str | None, expected: str | None) -> None:
    assert strip_site_suffix(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("satu dua tiga", 3), ("a - b", 2), (None, 0), ("", 0), (" ", 0), ("!!!", 0)])
def test_count_words(text: str | None, expected: int) -> None:
    assert count_words(text) == expected


CANONICAL = "https://www.alinea.id/pemilu/dugaan-kecurangan-berkaca-pada-pemilu-masa-orde-baru-b1Xgj9kbZ"


@pytest.mark.parametrize(
    "variant",
    [
        CANONICAL,
        CANONICAL.replace("https://www.", "https://"),
        CANONICAL.replace("https://www.", "http://"),
        CANONICAL.replace("/pemilu/", "/amp/pemilu/"),
        CANONICAL + "/",
        CANONICAL + "?page=1",
        CANONICAL + "?utm_source=twitter#komentar",
        CANONICAL.replace("https://www.alinea.id", "http://127.0.0.1:8080"),
    ],
)
def test_every_url_variant_has_one_canonical_url(variant: str) -> None:
    assert canonical_url(variant) == CANONICAL
    ref = parse_article_url(variant)
    assert ref is not None and ref.article_id == "b1Xgj9kbZ" and ref.section == "pemilu"


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        " ",
        "https://www.alinea.id/",
        "https://www.alinea.id/indeks",
        "https://www.alinea.id/pemilu/x-b1Xgj9kb",
        "mailto:x@y",
        *GARBAGE,
    ],
)
def test_non_article_urls(url: str | None) -> None:
    assert parse_article_url(url) is None
    assert canonical_url(url) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://alinea.id/rss", "http://127.0.0.1:9/rss"),
        ("/indeks?page=2#x", "http://127.0.0.1:9/indeks?page=2"),
        ("https://www.alinea.id.evil.example/x", None),
        ("https://evil.example/https://www.alinea.id/x", None),
        ("javascript:alert(1)", None),
        ("ftp://www.alinea.id/x", None),
    ],
)
def test_to_base_keeps_the_crawl_on_the_site(url: str, expected: str | None) -> None:
    assert to_base(url, "http://127.0.0.1:9") == expected
    if not url.startswith("/"):
        assert is_site_url(url, "http://127.0.0.1:9") is (expected is not None)
