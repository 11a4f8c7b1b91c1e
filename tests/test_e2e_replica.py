"""Real ``scrapy crawl alinea`` processes against the local replica of alinea.id."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crawler import exitcodes
from crawler.pipelines.validation import load_schema
from crawler.state.store import SeenStore
from tests.crawl import FAST_SETTINGS, ROOT, read_jsonl, run_crawl
from tests.replica.testing import Replica, run_replica

pytestmark = pytest.mark.e2e

WHOLE_SITE = {"ALINEA_LISTING_MAX_PAGES": "1000"}
COMPARED_FIELDS = (
    "canonical_url", "section", "category", "subcategory", "title", "lead", "authors", "editor", "published_at",
    "published_raw", "images", "body", "subheadings", "source", "tags", "related_urls", "pages",
)  # fmt: skip
VALIDATOR = Draft202012Validator(load_schema())


@pytest.fixture(scope="module")
def site() -> Iterator[Replica]:
    """A read-only replica shared by the tests that do not change it."""
    with run_replica(articles=240, seed=7) as replica:
        yield replica


def truth_of(replica: Replica) -> dict[str, dict[str, Any]]:
    return {a["article_id"]: a for a in replica.articles(full=True) if not a.get("deleted")}


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    line = next(line for line in result.stderr.splitlines() if "ALINEA-SUMMARY" in line)
    return dict(pair.split("=", 1) for pair in line.split("ALINEA-SUMMARY", 1)[1].split())


def assert_exactly_once(records: list[dict[str, Any]], expected_ids: set[str]) -> None:
    counts = Counter(r["article_id"] for r in records)
    assert [i for i, n in counts.items() if n > 1] == [], "delivered twice"
    assert sorted(expected_ids - set(counts)) == [], "never delivered"
    assert sorted(set(counts) - expected_ids) == [], "not published by the site"


def test_full_latest_crawl_yields_exactly_the_site_with_every_field_right(site: Replica, tmp_path: Path) -> None:
    result = run_crawl(site.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    records = read_jsonl(tmp_path / "out")
    truth = truth_of(site)
    assert_exactly_once(records, set(truth))
    mismatches = []
    for record in records:
        errors = [e.message for e in VALIDATOR.iter_errors(record)]
        assert errors == [], f"{record['url']}: {errors}"
        expected = truth[record["article_id"]]
        mismatches += [(field, record["url"]) for field in COMPARED_FIELDS if record[field] != expected[field]]
    assert mismatches == [], f"fields differing from the replica's ground truth: {Counter(f for f, _ in mismatches)}"
    line = summary(result)
    assert line["new"] == str(len(truth)) and line["failed"] == "0" and line["health"] == "ok"
    stats = site.stats()
    assert stats["search"] == 0, "the search page (which ignores page=) is never walked"
    assert stats["amp"] == 0, "AMP links in listings are fetched as the desktop page"


def test_multipage_articles_are_merged_from_all_their_parts(site: Replica, tmp_path: Path) -> None:
    truth = {i: a for i, a in truth_of(site).items() if a["pages"] > 1}
    assert truth, "the replica has multi-page articles"
    urls = ",".join(a["canonical_url"] for a in truth.values())
    result = run_crawl(site.base_url, "-a", f"urls={urls}", output=tmp_path / "out")
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    for record in read_jsonl(tmp_path / "out"):
        expected = truth[record["article_id"]]
        assert (record["pages"], record["body"]) == (expected["pages"], expected["body"]), f"{record['url']}: pages/body"


def test_backfill_since_yields_exactly_the_articles_on_or_after_that_day(site: Replica, tmp_path: Path) -> None:
    truth = truth_of(site)
    days = sorted(date.fromisoformat(a["published_at"][:10]) for a in truth.values())
    since = days[len(days) * 3 // 4]
    result = run_crawl(site.base_url, "-a", f"since={since}", output=tmp_path / "out")
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    expected = {i for i, a in truth.items() if date.fromisoformat(a["published_at"][:10]) >= since}
    assert_exactly_once(read_jsonl(tmp_path / "out"), expected)


@pytest.mark.parametrize(("robots", "sitemap"), [(True, True), (False, False), (True, False), (False, True)])
def test_backfill_works_with_and_without_robots_and_sitemaps(robots: bool, sitemap: bool, tmp_path: Path) -> None:
    with run_replica(articles=60, seed=3, robots=robots, sitemap=sitemap) as replica:
        result = run_crawl(replica.base_url, "-a", "since=2019-01-01", output=tmp_path / "out")
        stats = replica.stats()
        truth = truth_of(replica)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert_exactly_once(read_jsonl(tmp_path / "out"), set(truth))
    assert stats["robots"] == 1, "robots.txt is asked for once, present or not"
    if sitemap:
        assert stats["sitemap"] > 1, "the sitemap index and its monthly sitemaps are walked"
    else:
        assert stats["sitemap"] <= 1, "a missing sitemap is probed once, then left alone"


def test_scheduled_runs_fetch_only_what_is_new(tmp_path: Path) -> None:
    with run_replica(articles=80, seed=11) as replica:
        first = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        assert first.returncode == exitcodes.OK, first.stderr[-3000:]
        before = {r["article_id"] for r in read_jsonl(tmp_path / "out")}
        new_ids = set(replica.publish(7))
        replica.reset_stats()
        second = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        stats = replica.stats()
        truth = truth_of(replica)
    assert second.returncode == exitcodes.OK, second.stderr[-3000:]
    records = read_jsonl(tmp_path / "out")
    assert_exactly_once(records, set(truth))
    assert {r["article_id"] for r in records} - before == new_ids
    assert stats["article"] == len(new_ids), "no known article page is downloaded again"
    listing = sum(stats[k] for k in ("home", "more", "indeks", "section", "rss", "sitemap"))
    assert listing <= 8, f"a handful of listing requests, not {listing}"
    assert summary(second)["new"] == "7"


def test_transient_server_errors_are_retried_and_deleted_articles_reported(tmp_path: Path) -> None:
    with run_replica(articles=90, seed=5, faults="article:503@0.3x1,article:429@0.1x1,article:404@0.05") as replica:
        result = run_crawl(replica.base_url, output=tmp_path / "out", settings={**WHOLE_SITE, "RETRY_TIMES": "2"})
        everything = replica.articles(full=True)
    deleted = {a["article_id"] for a in everything if a.get("deleted")}
    assert deleted, "the fault spec deleted some articles"
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    assert_exactly_once(read_jsonl(tmp_path / "out"), {a["article_id"] for a in everything} - deleted)
    for article_id in deleted:
        assert any(article_id in line and "404" in line for line in result.stderr.splitlines()), f"{article_id}: failure logged with reason"
    line = summary(result)
    assert line["failed"] == str(len(deleted)), "the summary counts what the site did not serve"
    assert "retry/count" in result.stderr


def test_an_unseen_layout_is_extracted_by_the_fallback_signals(tmp_path: Path) -> None:
    """A redesign with entirely different class names and wrappers: structure and text patterns
    still carry every field a reader sees."""
    with run_replica(articles=40, seed=9, faults="article:unknownlayout@1") as replica:
        result = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        truth = truth_of(replica)
    assert result.returncode == exitcodes.OK, result.stderr[-3000:]
    records = read_jsonl(tmp_path / "out")
    assert_exactly_once(records, set(truth))
    for record in records:
        expected = truth[record["article_id"]]
        # the unseen layout prints the date its own way and shows a subcategory its usual layout hides
        for field in set(COMPARED_FIELDS) - {"category", "subcategory", "published_raw"}:
            assert record[field] == expected[field], f"{record['url']}: field {field!r} on the unseen layout"


def test_a_layout_that_hides_the_date_trips_the_health_exit_status(tmp_path: Path) -> None:
    """A redesign that drops the date from the page and the metadata: nothing invalid is
    delivered, the run exits 6 and names the field and example URLs."""
    with run_replica(articles=30, seed=9, faults="article:brokenlayout@0.5") as replica:
        result = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        truth = truth_of(replica)
    assert result.returncode == exitcodes.EXTRACTION_HEALTH, result.stderr[-3000:]
    health = next(line for line in result.stderr.splitlines() if "EXTRACTION HEALTH FAILED" in line)
    assert "published_at" in health and replica.base_url in health, health
    records = read_jsonl(tmp_path / "out")
    assert 0 < len(records) < len(truth)
    assert all(not list(VALIDATOR.iter_errors(r)) for r in records)
    assert summary(result)["invalid"] == str(len(truth) - len(records)), "the undated articles are refused, counted"


def test_refresh_mode_delivers_changed_articles_again_as_updates(tmp_path: Path) -> None:
    with run_replica(articles=20, seed=4) as replica:
        first = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        assert first.returncode == exitcodes.OK
        refresh = {**WHOLE_SITE, "STATE_REFRESH_DAYS": "36500", "EXPORT_PROVENANCE": "True"}
        again = run_crawl(replica.base_url, output=tmp_path / "out2", settings={**refresh, "STATE_DIR": str(tmp_path / "state")})
        truth = truth_of(replica)
    assert again.returncode == exitcodes.OK, again.stderr[-2000:]
    assert read_jsonl(tmp_path / "out2") == [], "unchanged articles are re-fetched but not delivered again"
    assert f"'state/unchanged': {len(truth)}" in again.stderr


def test_a_killed_run_at_any_moment_loses_nothing_and_delivers_nothing_twice(tmp_path: Path) -> None:
    """SIGKILL at random moments and at the two worst points of a batch publish, then rerun."""
    out, state = tmp_path / "out", tmp_path / "state"
    rng = random.Random(20261126)
    with run_replica(articles=300, seed=13) as replica:
        settings = {**FAST_SETTINGS, **WHOLE_SITE, "ALINEA_BASE_URL": replica.base_url, "EXPORT_DIR": str(out), "STATE_DIR": str(state)}
        # small batches, and a crawl slow enough (about 35 s of work) that kills land mid-run
        settings.update(EXPORT_BATCH_ITEMS="4", DOWNLOAD_DELAY="0.1", CONCURRENT_REQUESTS_PER_DOMAIN="1")
        kills = 0
        for crash_at in ("before-rename:1", "after-rename:1", "before-rename:3", "after-rename:2"):
            crashed = run_crawl(replica.base_url, output=out, settings={**settings, "EXPORT_CRASH_AT": crash_at})
            assert crashed.returncode == -signal.SIGKILL, f"{crash_at}: {crashed.stderr[-2000:]}"
            kills += 1
        for _ in range(60):
            if kills >= 24:
                break
            process = _start_crawl(settings)
            time.sleep(rng.uniform(0.8, 2.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait()
        assert kills >= 24, "at least 20 random kill points besides the 4 publish points"
        final = run_crawl(replica.base_url, output=out, settings=settings)
        truth = truth_of(replica)
    assert final.returncode == exitcodes.OK, final.stderr[-3000:]
    records = []
    for path in sorted(out.glob("*.jsonl")):
        assert not path.name.startswith("."), "temporary files are hidden"
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n"), f"{path.name}: torn last line"
        records += [json.loads(line) for line in text.splitlines()]
    assert_exactly_once(records, set(truth))
    store = SeenStore(state / "alinea.sqlite3")
    try:
        assert store.delivered_ids() == set(truth), "the state agrees with the published files"
        assert store.counts().pending == 0
    finally:
        store.close()


def _start_crawl(settings: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "scrapy", "crawl", "alinea"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_lost_state_is_refused_then_rebuilt_without_redelivery(tmp_path: Path) -> None:
    with run_replica(articles=30, seed=17) as replica:
        first = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        assert first.returncode == exitcodes.OK
        (tmp_path / "state" / "alinea.sqlite3").unlink()
        refused = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        assert refused.returncode == exitcodes.STATE_ERROR
        assert "scrapy state rebuild" in refused.stdout
        rebuild = subprocess.run(
            [
                sys.executable,
                "-m",
                "scrapy",
                "state",
                "rebuild",
                "-s",
                f"STATE_DIR={tmp_path / 'state'}",
                "-s",
                f"EXPORT_DIR={tmp_path / 'out'}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert rebuild.returncode == 0, rebuild.stdout + rebuild.stderr
        again = run_crawl(replica.base_url, output=tmp_path / "out", settings=WHOLE_SITE)
        truth = truth_of(replica)
    assert again.returncode == exitcodes.OK
    assert summary(again)["new"] == "0"
    assert_exactly_once(read_jsonl(tmp_path / "out"), set(truth))


def test_unreachable_site_has_its_own_exit_status(tmp_path: Path) -> None:
    result = run_crawl("http://127.0.0.1:9", output=tmp_path / "out", settings={"RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "3"})
    assert result.returncode == exitcodes.UNREACHABLE, result.stderr[-2000:]


def test_backfill_streams_stop_where_the_sitemaps_cover_them_and_walk_to_the_end_without(tmp_path: Path) -> None:
    """With sitemaps, /indeks and /more are only a safety net: they stop at the first page the
    sitemaps listed entirely; without sitemaps they walk back to ``since``. Same articles either way."""
    hits = {}
    for sitemap in (True, False):
        with run_replica(articles=900, seed=3, sitemap=sitemap) as replica:
            out = tmp_path / str(sitemap) / "out"
            result = run_crawl(replica.base_url, "-a", "since=2019-01-01", output=out)
            hits[sitemap] = replica.stats()
            truth = truth_of(replica)
        assert result.returncode == exitcodes.OK, result.stderr[-3000:]
        assert_exactly_once(read_jsonl(out), set(truth))
        assert hits[sitemap]["article"] == len(truth), "each article page is fetched once"
    pages = -(-900 // 30)
    assert hits[False]["indeks"] == pages and hits[False]["more"] >= 900 // 10, (
        f"without sitemaps the streams walk to the end: {hits[False]}"
    )
    assert hits[True]["indeks"] <= 5 and hits[True]["more"] <= 5, f"with sitemaps the streams stop early: {hits[True]}"
