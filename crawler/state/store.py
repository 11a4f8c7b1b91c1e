"""The seen-set: every article delivered, in SQLite (standard library, one file, no server).

Delivery is two-phase so that a crash at any moment leaves a state the next run can settle:

1. ``begin_batch``: the batch's articles are recorded as *pending* for its output file;
2. the export pipeline publishes the file by atomic rename;
3. ``commit_batch``: the articles become *delivered*.

``recover`` (run at every start) commits pending batches whose file exists and forgets the
others, whose articles are then fetched again. An article counts as known only once delivered.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.urls import CANONICAL_ORIGIN

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,               -- canonical URL without https://www.alinea.id
    content_hash BLOB NOT NULL,       -- 8 bytes of BLAKE2b over the article's content fields
    published_at INTEGER,             -- epoch seconds
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    file_id INTEGER NOT NULL REFERENCES files(id),
    delivered INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS articles_published ON articles(published_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS failures (
    article_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,               -- where to fetch it again (canonical path)
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    first_failed INTEGER NOT NULL,
    last_failed INTEGER NOT NULL
) WITHOUT ROWID;
"""
SCHEMA_VERSION = "1"
HASHED_FIELDS = ("title", "lead", "authors", "editor", "published_at", "modified_at", "images", "body", "subheadings", "tags")


class StateError(Exception):
    """The state store cannot be trusted (corrupt, or missing while output exists)."""


def content_hash(item: dict[str, Any]) -> bytes:
    """8 bytes identifying an article's content (what a reader would notice changing)."""
    payload = json.dumps([item.get(f) for f in HASHED_FIELDS], ensure_ascii=False, sort_keys=True)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=8).digest()


def _epoch(iso: str | None) -> int | None:
    return int(datetime.fromisoformat(iso).timestamp()) if iso else None


@dataclass
class Counts:
    delivered: int
    pending: int
    files: int
    oldest: str | None
    newest: str | None


class SeenStore:
    """SQLite-backed set of delivered articles, keyed by ``article_id``."""

    def __init__(self, path: Path, *, check: bool = False) -> None:
        """Open (or create) the store. ``check`` also verifies every page of the file
        (``PRAGMA quick_check``, ~0.2 s at 1,000,000 articles): the crawl command does it once
        per run, not every component that opens the store."""
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            verdict = self.db.execute("PRAGMA quick_check").fetchone()[0] if check else "ok"
            if verdict != "ok":
                raise StateError(f"state file {path} is corrupt ({verdict})")
            self.db.executescript(SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise StateError(f"state file {path} is unreadable ({error})") from error

    def close(self) -> None:
        self.db.close()

    # --- queries --------------------------------------------------------------------------------

    def is_known(self, article_id: str) -> bool:
        """Delivered in an earlier batch (pending ones do not count)."""
        row = self.db.execute("SELECT 1 FROM articles WHERE article_id = ? AND delivered = 1", (article_id,)).fetchone()
        return row is not None

    def known_hash(self, article_id: str) -> tuple[bytes, int | None] | None:
        """``(content hash, published_at epoch)`` of a delivered article."""
        row = self.db.execute(
            "SELECT content_hash, published_at FROM articles WHERE article_id = ? AND delivered = 1", (article_id,)
        ).fetchone()
        return (bytes(row[0]), row[1]) if row else None

    def delivered_ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT article_id FROM articles WHERE delivered = 1")}

    def counts(self) -> Counts:
        delivered, oldest, newest = self.db.execute(
            "SELECT count(*), min(published_at), max(published_at) FROM articles WHERE delivered = 1"
        ).fetchone()
        pending = self.db.execute("SELECT count(*) FROM articles WHERE delivered = 0").fetchone()[0]
        files = self.db.execute("SELECT count(*) FROM files WHERE status = 'delivered'").fetchone()[0]

        def iso(epoch: int | None) -> str | None:
            return datetime.fromtimestamp(epoch).astimezone().isoformat() if epoch is not None else None

        return Counts(delivered, pending, files, iso(oldest), iso(newest))

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every delivered article, for ``scrapy state export``."""
        query = (
            "SELECT a.article_id, a.path, hex(a.content_hash), a.published_at, a.first_seen, a.last_seen, f.name "
            "FROM articles a JOIN files f ON f.id = a.file_id WHERE a.delivered = 1 ORDER BY a.published_at"
        )
        for article_id, path, digest, published, first, last, name in self.db.execute(query):
            yield {
                "article_id": article_id,
                "canonical_url": CANONICAL_ORIGIN + path,
                "content_hash": digest.lower(),
                "published_at": published,
                "first_seen": first,
                "last_seen": last,
                "output_file": name,
            }

    # --- delivery -------------------------------------------------------------------------------

    def begin_batch(self, file_name: str, items: Iterable[dict[str, Any]]) -> None:
        """Phase 1: record ``items`` as pending for ``file_name`` (durable before the rename)."""
        now = int(time.time())
        with self._transaction():
            cursor = self.db.execute("INSERT INTO files (name, status, created) VALUES (?, 'pending', ?)", (file_name, now))
            file_id = cursor.lastrowid
            for item in items:
                path = str(item["canonical_url"]).removeprefix(CANONICAL_ORIGIN)
                self.db.execute(
                    "INSERT INTO articles (article_id, path, content_hash, published_at, first_seen, last_seen, file_id, delivered) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 0) "
                    "ON CONFLICT(article_id) DO UPDATE SET path = excluded.path, content_hash = excluded.content_hash, "
                    "published_at = excluded.published_at, last_seen = excluded.last_seen, file_id = excluded.file_id, delivered = 0",
                    (item["article_id"], path, content_hash(item), _epoch(item.get("published_at")), now, now, file_id),
                )

    def commit_batch(self, file_name: str) -> None:
        """Phase 3: the file is published; its articles are delivered."""
        with self._transaction():
            row = self.db.execute("SELECT id FROM files WHERE name = ?", (file_name,)).fetchone()
            if row is None:
                return
            self.db.execute("UPDATE files SET status = 'delivered' WHERE id = ?", (row[0],))
            self.db.execute("UPDATE articles SET delivered = 1 WHERE file_id = ?", (row[0],))

    def recover(self, export_dir: Path) -> tuple[int, int]:
        """Settle batches a crash left pending: ``(committed, rolled back)`` file counts."""
        committed = rolled_back = 0
        for file_id, name in self.db.execute("SELECT id, name FROM files WHERE status = 'pending'").fetchall():
            if (export_dir / name).exists():
                self.commit_batch(name)
                committed += 1
            else:
                with self._transaction():
                    self.db.execute("DELETE FROM articles WHERE file_id = ? AND delivered = 0", (file_id,))
                    self.db.execute("DELETE FROM files WHERE id = ?", (file_id,))
                rolled_back += 1
        return committed, rolled_back

    def record_failure(self, article_id: str, path: str, reason: str) -> None:
        """An article this run could not deliver: the next runs fetch it again first."""
        now = int(time.time())
        self.db.execute(
            "INSERT INTO failures VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT(article_id) DO UPDATE SET "
            "path = excluded.path, reason = excluded.reason, attempts = attempts + 1, last_failed = excluded.last_failed",
            (article_id, path, reason[:500], now, now),
        )

    def retry_paths(self, max_attempts: int, max_age_days: float) -> list[str]:
        """Paths of failed articles still worth another try (not delivered since, not given up)."""
        oldest = int(time.time() - max_age_days * 86400)
        rows = self.db.execute(
            "SELECT f.path FROM failures f WHERE f.attempts < ? AND f.first_failed >= ? AND NOT EXISTS "
            "(SELECT 1 FROM articles a WHERE a.article_id = f.article_id AND a.delivered = 1) ORDER BY f.last_failed",
            (max_attempts, oldest),
        )
        return [row[0] for row in rows]

    def touch(self, article_id: str) -> None:
        """A known article was seen again (refresh mode, unchanged)."""
        self.db.execute("UPDATE articles SET last_seen = ? WHERE article_id = ?", (int(time.time()), article_id))

    def claim(self, article_id: str, seen: bytes | None) -> bool:
        """Take an article for this run's next batch. Always granted here: the run lock lets one
        process at a time use this file. (The Redis store arbitrates between workers.)"""
        return True

    # --- maintenance ----------------------------------------------------------------------------

    def forget_before(self, day: datetime) -> int:
        """Forget delivered articles published before ``day``; returns how many."""
        with self._transaction():
            cursor = self.db.execute("DELETE FROM articles WHERE published_at < ? AND delivered = 1", (int(day.timestamp()),))
        return cursor.rowcount

    def reset(self) -> None:
        with self._transaction():
            self.db.execute("DELETE FROM articles")
            self.db.execute("DELETE FROM files")
            self.db.execute("DELETE FROM failures")

    def is_empty(self) -> bool:
        return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def state_path(settings: Any) -> Path:
    """The state file: ``STATE_FILE``, or ``<STATE_DIR>/alinea.sqlite3``."""
    explicit = settings.get("STATE_FILE")
    return Path(explicit) if explicit else Path(settings.get("STATE_DIR", "state")) / "alinea.sqlite3"


def open_store(settings: Any, *, export_dir: Path | None = None, check: bool = False) -> SeenStore:
    """Open the state store, refusing to start from nothing when output already exists:
    a lost state file must never silently re-deliver the whole site."""
    path = state_path(settings)
    if not path.exists() and export_dir is not None and any(export_dir.glob("*.jsonl")):
        raise StateError(
            f"state file {path} is missing but {export_dir} holds published output: run "
            f"`scrapy state rebuild` to rebuild it from the output files, or `scrapy state reset --yes` "
            f"to deliver everything again"
        )
    return SeenStore(path, check=check)
