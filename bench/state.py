"""Benchmark 4: the seen-set at scale: size on disk, lookup time, open time, crawl start-up.

Builds a :class:`~crawler.state.store.SeenStore` of synthetic delivered articles (realistic
ids, paths and dates) through its ``begin_batch``/``commit_batch`` API in export-sized batches,
then measures the file, ``is_known`` and ``known_hash`` (what the spider calls per discovered
link) on random hits and misses, the store's open time, and the start-up of a one-URL
``scrapy crawl alinea`` with that state against the same with an empty one.

    python -m bench.state [--quick] [--articles N]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import string
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Summary, crawl_command, heading, line, replica, run_process, show_command, tempdir
from crawler.state.store import SeenStore
from crawler.urls import CANONICAL_ORIGIN

COMMAND = "python -m bench.state"
BATCH = 10_000
LOOKUPS = 100_000
SECTIONS = ("politik", "bisnis", "nasional", "peristiwa", "gaya-hidup", "kolom", "hiburan", "olahraga")
ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
WORDS = ["warga", "pemerintah", "anggaran", "kebijakan", "harga", "program", "daerah", "proyek", "pemilu", "banjir", "tarif", "pajak"]


def synthetic(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``count`` distinct articles shaped like the real ones."""
    rng = random.Random(seed)
    start = datetime(2017, 1, 1, tzinfo=UTC)
    for index in range(count):
        code = "".join(rng.choice(ALPHABET) for _ in range(7)) + ALPHABET[index % 62]
        slug = "-".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
        yield {
            "article_id": f"b{code}",
            "canonical_url": f"{CANONICAL_ORIGIN}/{rng.choice(SECTIONS)}/{slug}-b{code}",
            "published_at": (start + timedelta(minutes=index * 5)).isoformat(),
            "title": slug.replace("-", " "),
        }


def build(path: Path, count: int) -> tuple[float, list[str]]:
    """Write ``count`` delivered articles; ``(seconds, their ids)``."""
    ids: list[str] = []
    store = SeenStore(path)
    began = time.perf_counter()
    batch: list[dict[str, Any]] = []
    try:
        for item in synthetic(count):
            ids.append(item["article_id"])
            batch.append(item)
            if len(batch) == BATCH:
                _deliver(store, batch, len(ids))
                batch = []
        if batch:
            _deliver(store, batch, len(ids))
    finally:
        store.close()
    return time.perf_counter() - began, ids


def _deliver(store: SeenStore, batch: list[dict[str, Any]], serial: int) -> None:
    name = f"alinea-bench-{serial:08d}.jsonl"
    store.begin_batch(name, batch)
    store.commit_batch(name)


def size_on_disk(path: Path) -> int:
    """Bytes of the database and its WAL/SHM side files."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if p.exists())


def time_calls(call: Any, keys: list[str]) -> list[float]:
    """Microseconds of ``call(key)`` for each key."""
    out = []
    clock = time.perf_counter_ns
    for key in keys:
        began = clock()
        call(key)
        out.append((clock() - began) / 1000)
    return out


def run(quick: bool = False, articles: int | None = None) -> dict[str, Any]:
    """Build the store, measure it, print and return the figures."""
    articles = articles or (200_000 if quick else 1_000_000)
    heading("4. State at scale: the seen-set", f"{COMMAND} --articles {articles}")
    figures: dict[str, Any] = {"articles": articles}
    with tempdir("state") as folder:
        path = Path(folder) / "state" / "alinea.sqlite3"
        seconds, ids = build(path, articles)
        size = size_on_disk(path)
        figures.update(build_s=seconds, bytes=size)
        line("build (begin_batch + commit_batch)", f"{seconds:.1f} s, {articles / seconds:,.0f} articles/s")
        line("size on disk", f"{size / 2**20:.1f} MiB ({size / articles:.0f} B/article)  target < 150 MB at 1,000,000")
        opens = []
        for _ in range(5):
            began = time.perf_counter()
            SeenStore(path).close()
            opens.append((time.perf_counter() - began) * 1000)
        checks = []
        for _ in range(5):
            db = sqlite3.connect(path)
            began = time.perf_counter()
            db.execute("PRAGMA quick_check").fetchone()
            checks.append((time.perf_counter() - began) * 1000)
            db.close()
        figures["open_ms"] = vars(Summary.of(opens))
        figures["quick_check_ms"] = vars(Summary.of(checks))
        line("SeenStore(path) open (warm page cache)", Summary.of(opens).show(" ms"))
        line("  of which PRAGMA quick_check", Summary.of(checks).show(" ms"))
        rng = random.Random(3)
        hits = rng.sample(ids, min(LOOKUPS, len(ids)))
        known = set(ids)
        misses = [m for m in (item["article_id"] for item in synthetic(LOOKUPS, seed=11)) if m not in known]
        store = SeenStore(path)
        try:
            for name, call in (("is_known", store.is_known), ("known_hash", store.known_hash)):
                for label, keys in (("hit", hits), ("miss", misses)):
                    micros = time_calls(call, keys)
                    summary = Summary.of(micros)
                    figures[f"{name}_{label}_us"] = {**vars(summary), "mean": sum(micros) / len(micros)}
                    line(
                        f"{name} {label} ({len(keys):,} random)",
                        f"median {summary.median:.1f} µs, p95 {summary.p95:.1f} µs, mean {sum(micros) / len(micros):.1f} µs  target < 50 µs",
                    )
        finally:
            store.close()
        figures["startup"] = _startup(path)
    return figures


def _startup(path: Path, runs: int = 3) -> dict[str, Any]:
    """Wall seconds of a one-URL crawl with the big state against an empty one (same replica)."""
    walls: dict[str, list[float]] = {"empty state": [], "big state": []}
    shown = ""
    with replica(30) as site, tempdir("startup") as folder:
        url = site.articles()[-1]["canonical_url"].replace(CANONICAL_ORIGIN, site.base_url)
        for number in range(runs):
            for label, state in (("empty state", Path(folder) / f"empty-{number}"), ("big state", path.parent)):
                export = Path(folder) / f"out-{label[:3]}-{number}"
                command = crawl_command(site.base_url, export, state, "-a", f"urls={url}")
                shown = (
                    show_command(command).replace(site.base_url, "<replica>").replace(str(path.parent), "<state>").replace(folder, "<tmp>")
                )
                walls[label].append(run_process(command).wall)
    line("one-URL crawl command", shown)
    out: dict[str, Any] = {}
    for label, values in walls.items():
        line(f"one-URL crawl wall, {label}", Summary.of(values).show(" s", 2))
        out[label] = vars(Summary.of(values))
    delta = [b - e for b, e in zip(walls["big state"], walls["empty state"], strict=True)]
    line("start-up cost of the big state (same run)", Summary.of(delta).show(" s", 2))
    out["delta"] = vars(Summary.of(delta))
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.state``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200,000 articles instead of 1,000,000")
    parser.add_argument("--articles", type=int, help="articles in the seen-set")
    args = parser.parse_args(argv)
    run(args.quick, args.articles)


if __name__ == "__main__":
    main()
