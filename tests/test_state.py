"""The state store, the run lock and the maintenance command, without the engine."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import exitcodes
from crawler.commands.state import rebuild
from crawler.state.lock import RunLock
from crawler.state.store import SeenStore, StateError, content_hash, open_store
from tests.crawl import ROOT, run_crawl


def item(article_id: str, body: str = "Isi berita.") -> dict[str, object]:
    return {
        "article_id": article_id,
        "canonical_url": f"https://www.alinea.id/politik/judul-{article_id}",
        "published_at": "2024-08-17T10:00:00+07:00",
        "title": "Judul",
        "body": body,
    }


def test_an_article_is_known_only_once_its_batch_is_committed(tmp_path: Path) -> None:
    store = SeenStore(tmp_path / "s.sqlite3")
    store.begin_batch("a-0001.jsonl", [item("b0000000A")])
    assert not store.is_known("b0000000A"), "pending is not delivered"
    store.commit_batch("a-0001.jsonl")
    assert store.is_known("b0000000A")
    assert not store.is_known("b0000000B")
    assert store.counts().delivered == 1


def test_recovery_commits_published_batches_and_rolls_back_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    store = SeenStore(tmp_path / "s.sqlite3")
    store.begin_batch("published.jsonl", [item("b0000000A")])
    (out / "published.jsonl").write_text("{}\n")  # renamed, then the process died
    store.begin_batch("lost.jsonl", [item("b0000000B")])  # died before the rename
    assert store.recover(out) == (1, 1)
    assert store.is_known("b0000000A")
    assert not store.is_known("b0000000B")
    assert store.recover(out) == (0, 0), "recovery is idempotent"


def test_content_hash_changes_with_the_content_only() -> None:
    assert content_hash(item("b0000000A")) == content_hash({**item("b0000000A"), "scraped_at": "later"})
    assert content_hash(item("b0000000A")) != content_hash(item("b0000000A", body="Isi berita, diperbarui."))


def test_missing_state_with_existing_output_is_an_error_not_a_redelivery(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    (out / "alinea-x-0001.jsonl").write_text(json.dumps(item("b0000000A")) + "\n")
    with pytest.raises(StateError, match="state rebuild"):
        open_store({"STATE_DIR": str(tmp_path / "state")}, export_dir=out)


def test_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match=r"s\.sqlite3"):
        SeenStore(path)


def test_rebuild_recreates_the_seen_set_from_output_files(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    (out / "alinea-1-0001.jsonl").write_text("".join(json.dumps(item(f"b000000{n}A")) + "\n" for n in range(3)))
    (out / "alinea-2-0001.jsonl").write_text(json.dumps(item("b0000009A")) + "\n{torn")
    path = tmp_path / "state" / "alinea.sqlite3"
    path.parent.mkdir()
    path.write_bytes(b"garbage")
    assert rebuild(path, out) == 4
    store = SeenStore(path)
    assert store.is_known("b0000009A") and store.is_known("b0000001A")
    assert (path.parent / "alinea.sqlite3.broken").exists(), "the broken file is kept aside"


def test_forget_before_a_date(tmp_path: Path) -> None:
    from datetime import datetime

    store = SeenStore(tmp_path / "s.sqlite3")
    old = {**item("b0000000A"), "published_at": "2019-01-01T10:00:00+07:00"}
    store.begin_batch("f.jsonl", [old, item("b0000000B")])
    store.commit_batch("f.jsonl")
    assert store.forget_before(datetime.fromisoformat("2020-01-01T00:00:00+07:00")) == 1
    assert not store.is_known("b0000000A") and store.is_known("b0000000B")


def test_lock_is_exclusive_and_dies_with_its_process(tmp_path: Path) -> None:
    first = RunLock(tmp_path)
    assert first.acquire()
    assert not RunLock(tmp_path).acquire()
    first.release()
    # a process that takes the lock and is killed leaves nothing behind that blocks
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from crawler.state.lock import RunLock; from pathlib import Path; import time; lock = RunLock(Path({str(tmp_path)!r})); lock.acquire(); print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert not RunLock(tmp_path).acquire()
    holder.kill()
    holder.wait()
    holder.stdout.close()
    after = RunLock(tmp_path)
    assert after.acquire()
    after.release()


@pytest.mark.e2e
def test_a_second_run_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    lock = RunLock(tmp_path / "state")
    assert lock.acquire()
    try:
        result = run_crawl("http://127.0.0.1:9", "-a", "urls=https://www.alinea.id/politik/x-b0000000A", output=tmp_path / "out")
    finally:
        lock.release()
    assert result.returncode == exitcodes.LOCKED
    assert "holds" in result.stdout


@pytest.mark.e2e
def test_state_command_show_and_reset(tmp_path: Path) -> None:
    store = SeenStore(tmp_path / "state" / "alinea.sqlite3")
    store.begin_batch("f.jsonl", [item("b0000000A")])
    store.commit_batch("f.jsonl")
    store.close()
    env_settings = ["-s", f"STATE_DIR={tmp_path / 'state'}"]
    show = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "show", *env_settings], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert "delivered articles: 1" in show.stdout, show.stdout + show.stderr
    refused = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "reset", *env_settings], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    reset = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "reset", "--yes", *env_settings], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert reset.returncode == 0
    assert not SeenStore(tmp_path / "state" / "alinea.sqlite3").is_known("b0000000A")


def test_state_file_is_sqlite_with_the_documented_columns(tmp_path: Path) -> None:
    SeenStore(tmp_path / "s.sqlite3").close()
    columns = {row[1] for row in sqlite3.connect(tmp_path / "s.sqlite3").execute("PRAGMA table_info(articles)")}
    assert {"article_id", "path", "content_hash", "published_at", "first_seen", "last_seen", "file_id"} <= columns
