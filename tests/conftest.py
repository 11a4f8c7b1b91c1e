"""Shared test helpers: responses built the way the crawler builds them, fixture cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.fixtures import FixtureCase, load_cases

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "alinea"
SEED_TEXT = ROOT / "tests" / "fixtures" / "seed" / "000_3ebb8a7b683d4ab0.txt"

CASES = load_cases(FIXTURES)
POSITIVE_CASES = [c for c in CASES if c.expect.get("article", True) is not False]
NEGATIVE_CASES = [c for c in CASES if c.expect.get("article", True) is False]
RECONSTRUCTED_CASES = [c for c in POSITIVE_CASES if c.provenance.get("kind") == "reconstruction"]


def response_for(url: str, body: bytes | str, encoding: str | None = None, headers: dict[str, str] | None = None) -> HtmlResponse:
    """An ``HtmlResponse`` as Scrapy's downloader would build it for ``url``."""
    if isinstance(body, str):
        body = body.encode(encoding or "utf-8")
    return HtmlResponse(url=url, body=body, encoding=encoding, headers=headers, request=Request(url))


def case_by_name(name: str) -> FixtureCase:
    return next(c for c in CASES if c.name == name)


@pytest.fixture(scope="session")
def seed_paragraphs() -> list[str]:
    """The seed article's body paragraphs (and its subheading), from the real page's text."""
    text = SEED_TEXT.read_text(encoding="utf-8")
    start = text.index("Kamis (25/4), menjadi hari bersejarah")
    end = text.index("pengaruh Tiongkok. (AFP)") + len("pengaruh Tiongkok. (AFP)")
    # every line is a paragraph as a reader sees it (the last two lines are one <br> apart)
    lines = [" ".join(line.split()) for line in text[start:end].split("\n")]
    return [line for line in lines if line and line != "Sponsored"]
