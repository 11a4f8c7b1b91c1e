"""Extraction on the fixture cases: per field, per case, against generated-then-reviewed JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from itemadapter import ItemAdapter

from crawler.extraction import NotAnArticle, extract_article
from crawler.fixtures import FixtureCase
from crawler.items import CONTRACT_FIELDS
from tests.conftest import NEGATIVE_CASES, POSITIVE_CASES, RECONSTRUCTED_CASES, ROOT, case_by_name, response_for

SEED_CASE = "seed-2019-kim-putin"


def test_there_are_cases_of_every_layout() -> None:
    layouts = {case.provenance.get("layout") for case in POSITIVE_CASES}
    assert {"2019-desktop", "current-desktop", "amp"} <= layouts
    assert any(len(case.parts) > 1 for case in POSITIVE_CASES), "a multi-page case"
    assert len(NEGATIVE_CASES) >= 3


def test_every_case_has_provenance() -> None:
    for case in [*POSITIVE_CASES, *NEGATIVE_CASES]:
        assert case.provenance.get("kind") in ("reconstruction", "real capture"), case.name
        assert case.provenance.get("saved_at"), case.name
        assert all(page.exists() for page in case.page_files), case.name


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {case.name: case.extract() for case in [*POSITIVE_CASES, *NEGATIVE_CASES]}


@pytest.mark.parametrize("field", CONTRACT_FIELDS)
@pytest.mark.parametrize("case", POSITIVE_CASES, ids=lambda c: c.name)
def test_field_matches_expected_json(case: FixtureCase, field: str, extracted: dict[str, dict]) -> None:
    article = extracted[case.name]["article"]
    assert article is not None, f"{case.name}: no article: {extracted[case.name].get('message')}"
    expected = case.expected()["article"]
    assert article[field] == expected[field], f"{case.name}: field {field!r} differs from expected.json"


@pytest.mark.parametrize("case", POSITIVE_CASES, ids=lambda c: c.name)
def test_layout_version_is_recognised(case: FixtureCase, extracted: dict[str, dict]) -> None:
    assert extracted[case.name]["layout"] == case.expected()["layout"]


HUMAN_FIELDS = (
    "title",
    "lead",
    "authors",
    "editor",
    "published_raw",
    "published_at",
    "subheadings",
    "source",
    "category",
    "subcategory",
    "tags",
    "related_urls",
)


@pytest.mark.parametrize("case", RECONSTRUCTED_CASES, ids=lambda c: c.name)
def test_reader_visible_fields_match_what_the_page_author_wrote_down(case: FixtureCase, extracted: dict[str, dict]) -> None:
    """``case.json``'s ``expect`` was written by hand by whoever built the page: an independent oracle."""
    article = extracted[case.name]["article"]
    checked = 0
    for field in HUMAN_FIELDS:
        if field in case.expect:
            assert article[field] == case.expect[field], f"{case.name}: field {field!r}"
            checked += 1
    body = article["body"].split("\n\n")
    paragraphs = [p for p in body if p not in article["subheadings"]]
    if "body_paragraph_count" in case.expect:
        assert len(paragraphs) == case.expect["body_paragraph_count"], f"{case.name}: body paragraphs"
    assert paragraphs[0].startswith(case.expect.get("body_first_opening", "")), f"{case.name}: body opening"
    assert paragraphs[-1].startswith(case.expect.get("body_last_opening", "")), f"{case.name}: body ending"
    assert paragraphs[-1].endswith(case.expect.get("body_last_ends_with", "")), f"{case.name}: body ending"
    for chrome in case.expect.get("not_in_body", []):
        assert chrome not in body, f"{case.name}: {chrome!r} is chrome, not body"
    main_image = article["images"][0] if article["images"] else {}
    for key in ("url", "caption", "credit"):
        if f"image_{key}" in case.expect:
            assert main_image.get(key) == case.expect[f"image_{key}"], f"{case.name}: field 'images'[0].{key}"
    assert checked >= 4, f"{case.name}: too few hand-written expectations"


@pytest.mark.parametrize("case", NEGATIVE_CASES, ids=lambda c: c.name)
def test_non_article_pages_yield_no_item(case: FixtureCase) -> None:
    with pytest.raises(NotAnArticle):
        extract_article(case.responses())


def test_seed_article_gives_exactly_the_seed_fields(seed_paragraphs: list[str]) -> None:
    article = extract_article(case_by_name(SEED_CASE).responses()).article
    assert article.title == "Perdana, Kim Jong-un dan Putin bertatap muka di Vladivostok", "title"
    assert article.lead == "Kim Jong-un dan Putin sepakat untuk membangun hubungan yang lebih dekat.", "lead"
    assert article.authors == ["Khairisa Ferida"], "authors"
    assert article.published_at == "2019-04-25T13:45:00+07:00", "published_at"
    assert article.published_raw == "Kamis, 25 Apr 2019 13:45 WIB", "published_raw"
    assert article.subheadings == ["Sekutu lama"], "subheadings"
    assert article.source == "AFP", "source"
    assert article.body == "\n\n".join(seed_paragraphs), "body"
    assert "Sponsored" not in (article.body or ""), "body"
    assert article.word_count == len(re.findall(r"\S*\w\S*", article.body or "")) == 630, "word_count"


def test_multipage_article_is_one_item_with_all_parts() -> None:
    case = next(c for c in POSITIVE_CASES if len(c.parts) > 1)
    whole = extract_article(case.responses()).article
    first = extract_article(case.responses()[:1]).article
    assert whole.pages == len(case.parts)
    assert whole.body and first.body and whole.body.startswith(first.body) and len(whole.body) > len(first.body)
    assert whole.title == first.title
    assert (whole.body or "").count(whole.lead or "\x00") == 0, "the header is not repeated in the body"


def test_cli_prints_the_seed_article() -> None:
    case = case_by_name(SEED_CASE)
    result = subprocess.run(
        [sys.executable, "-m", "crawler.extract", *map(str, case.page_files), "--url", case.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    printed = json.loads(result.stdout)
    assert list(printed) == list(CONTRACT_FIELDS)
    assert printed["title"] == "Perdana, Kim Jong-un dan Putin bertatap muka di Vladivostok"
    assert "Kamis (25/4)" in result.stdout, "UTF-8 JSON, not escaped"


def test_cli_exits_3_on_a_non_article() -> None:
    case = NEGATIVE_CASES[0]
    result = subprocess.run(
        [sys.executable, "-m", "crawler.extract", str(case.page_files[0]), "--url", case.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert "not an article" in result.stderr


def test_expected_json_is_up_to_date() -> None:
    result = subprocess.run([sys.executable, "-m", "crawler.fixtures", "--check"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_broken_encoding_declaration_is_read_as_utf8() -> None:
    case = case_by_name(SEED_CASE)
    body = case.page_files[0].read_bytes()
    response = response_for(case.url, body, headers={"Content-Type": "text/html; charset=iso-8859-1"})
    assert response.encoding == "cp1252", "the premise: Scrapy trusts the header"
    article = extract_article([response]).article
    assert article.title == "Perdana, Kim Jong-un dan Putin bertatap muka di Vladivostok"
    assert ItemAdapter(article)["body"] == extract_article(case.responses()).article.body


@pytest.mark.parametrize("case_name", ["negative/indeks-listing", "negative/not-found", "negative/empty-body"])
def test_non_article_pages_yield_no_item_even_at_an_article_url(case_name: str) -> None:
    """A listing or error page served at an article's URL (a soft 404, a redirect to /indeks)."""
    case = case_by_name(case_name)
    url = "https://www.alinea.id/peristiwa/dihapus-b2tZZZZZZ"
    with pytest.raises(NotAnArticle):
        extract_article([response_for(url, case.page_files[0].read_bytes())])
