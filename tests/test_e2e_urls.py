"""``scrapy crawl alinea -a urls=...`` for real, against the fixture pages on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NEGATIVE_CASES, POSITIVE_CASES
from tests.crawl import read_jsonl, run_crawl
from tests.fixture_site import serve_cases

pytestmark = pytest.mark.e2e
VOLATILE = ("url", "scraped_at")


def test_crawl_urls_scrapes_exactly_those_articles(tmp_path: Path) -> None:
    with serve_cases([*POSITIVE_CASES, *NEGATIVE_CASES]) as base:
        urls = ",".join(case.url for case in POSITIVE_CASES)
        result = run_crawl(base, "-a", f"urls={urls}", output=tmp_path / "out", settings={"ROBOTSTXT_OBEY": "False"})
    assert result.returncode == 0, result.stderr[-3000:]
    records = read_jsonl(tmp_path / "out")
    by_id = {r["article_id"]: r for r in records}
    assert len(records) == len(by_id) == len(POSITIVE_CASES)
    for case in POSITIVE_CASES:
        expected = case.expected()["article"]
        got = by_id[expected["article_id"]]
        for field, value in expected.items():
            if field not in VOLATILE:
                assert got[field] == value, f"{case.name}: field {field!r}"
        assert got["url"].startswith(base), "url is where the page was fetched from"
    assert "ALINEA-SUMMARY" in result.stderr
    assert "/indeks" not in result.stderr and "/rss" not in result.stderr, "nothing but the given URLs"


def test_dash_capital_o_writes_only_the_given_file(tmp_path: Path) -> None:
    case = POSITIVE_CASES[0]
    with serve_cases([case]) as base:
        result = run_crawl(
            base,
            "-a",
            f"urls={case.url}",
            "-O",
            str(tmp_path / "mine.jsonl"),
            output=tmp_path / "out",
            settings={"ROBOTSTXT_OBEY": "False"},
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert [r["article_id"] for r in read_jsonl(tmp_path, "mine.jsonl")] == [case.expected()["article"]["article_id"]]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.jsonl"))


def test_a_missing_page_is_logged_and_yields_nothing(tmp_path: Path) -> None:
    with serve_cases([]) as base:
        result = run_crawl(base, "-a", "urls=https://www.alinea.id/politik/tidak-ada-b0000000Z", output=tmp_path / "out")
    assert result.returncode == 0
    assert read_jsonl(tmp_path / "out") == []
    assert "b0000000Z" in result.stderr and "404" in result.stderr
