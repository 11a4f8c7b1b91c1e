"""``scrapy savefixture`` captures pages with provenance, and the capture re-parses the same."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.commands.savefixture import fixture_dir
from crawler.fixtures import load_cases
from tests.crawl import ROOT
from tests.replica.testing import run_replica

pytestmark = pytest.mark.e2e
CORE = ("title", "lead", "authors", "published_at", "published_raw", "body", "subheadings", "source", "images", "pages")


def savefixture(base_url: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "savefixture",
            *args,
            "--root",
            str(root),
            "-s",
            f"ALINEA_BASE_URL={base_url}",
            "-s",
            "ROBOTSTXT_OBEY=False",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_capture_a_replica_page_then_reparse_it_offline(tmp_path: Path) -> None:
    with run_replica(articles=60, seed=21) as replica:
        truth = {a["article_id"]: a for a in replica.articles(full=True)}
        multi = next(a for a in truth.values() if a["pages"] > 1)
        single = next(a for a in truth.values() if a["pages"] == 1)
        result = savefixture(replica.base_url, tmp_path, multi["canonical_url"], single["canonical_url"])
    assert result.returncode == 0, result.stderr[-3000:]
    cases = {case.path.name: case for case in load_cases(tmp_path)}
    assert set(cases) == {f"{a['section']}-{a['article_id']}" for a in (multi, single)}
    for article in (multi, single):
        case = cases[f"{article['section']}-{article['article_id']}"]
        assert len(case.page_files) == article["pages"] and all(p.exists() for p in case.page_files)
        assert case.provenance["kind"] == "real capture" and case.provenance["saved_at"].endswith("Z")
        saved = case.expected()["article"]
        for field in CORE:
            assert saved[field] == article[field], f"{case.name}: field {field!r}"
    check = subprocess.run(
        [sys.executable, "-m", "crawler.fixtures", "--check", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout


def test_a_missing_page_is_reported_not_saved(tmp_path: Path) -> None:
    with run_replica(articles=5, seed=21) as replica:
        result = savefixture(replica.base_url, tmp_path, "https://www.alinea.id/politik/tidak-ada-b0000000A")
    assert result.returncode == 1
    assert "saved 0 of 1" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_non_article_urls_are_refused(tmp_path: Path) -> None:
    result = savefixture("https://www.alinea.id", tmp_path, "https://evil.example/politik/x-b0000000A")
    assert result.returncode == 2
    assert "not an alinea.id article URL" in result.stderr + result.stdout


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs/path", "a/../../b", "..", ""])
def test_fixture_names_cannot_escape_their_folder(name: str, tmp_path: Path) -> None:
    path = fixture_dir(tmp_path, name)
    assert path.resolve().parent == tmp_path.resolve(), json.dumps(name)
