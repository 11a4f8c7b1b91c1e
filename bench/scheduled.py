"""Benchmark 3: the cost of a scheduled (cron) run with a large seen-set.

A replica of 100,000 articles whose every article is already in the state store (written
through ``SeenStore.begin_batch``/``commit_batch``, as the export pipeline does); then, per run,
the replica publishes 20 new articles and one latest-mode ``scrapy crawl alinea`` runs
(robots.txt obeyed, delays off). Counted: requests per kind at the replica, articles delivered,
and wall time against a bare ``scrapy list`` start-up of the same project.

    python -m bench.scheduled [--quick] [--known N] [--runs R]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import PYTHON, ROOT, Summary, count_jsonl, crawl_command, heading, line, replica, run_process, show_command, tempdir
from crawler.state.store import SeenStore

COMMAND = "python -m bench.scheduled"
NEW_PER_RUN = 20
BATCH = 10_000
ARTICLE_KINDS = frozenset({"article", "article_part", "amp"})
REQUEST_KINDS = ("robots", "rss", "home", "indeks", "more", "section", "sitemap", "article", "article_part", "amp", "other")


def seed_state(path: Path, records: list[dict[str, Any]]) -> None:
    """Record every article of ``records`` as delivered, in export-sized batches."""
    store = SeenStore(path)
    try:
        for start in range(0, len(records), BATCH):
            name = f"alinea-seed-{start // BATCH:04d}.jsonl"
            store.begin_batch(name, records[start : start + BATCH])
            store.commit_batch(name)
    finally:
        store.close()


def bare_startup(runs: int) -> Summary:
    """Wall seconds of ``scrapy list`` in the project (settings and spider imported, no crawl)."""
    return Summary.of([run_process([PYTHON, "-m", "scrapy", "list"], cwd=ROOT).wall for _ in range(runs)])


def run(quick: bool = False, known: int = 100_000, runs: int | None = None) -> dict[str, Any]:
    """Seed the state, then time latest-mode runs that each find 20 new articles."""
    runs = runs or (2 if quick else 5)
    heading("3. Scheduled-run cost with a large seen-set", f"{COMMAND} --known {known} --runs {runs}")
    walls: list[float] = []
    requests: list[int] = []
    delivered: list[int] = []
    per_kind: list[dict[str, int]] = []
    shown = ""
    with replica(known) as site, tempdir("scheduled") as folder:
        root = Path(folder)
        records = site.articles()
        seed_state(root / "state" / "alinea.sqlite3", records)
        line("state", f"{len(records)} delivered articles, {(root / 'state' / 'alinea.sqlite3').stat().st_size / 2**20:.1f} MiB")
        for number in range(runs):
            new_ids = set(site.publish(NEW_PER_RUN))
            site.reset_stats()
            out = root / f"out-{number}"
            command = crawl_command(site.base_url, out, root / "state", settings={"ROBOTSTXT_OBEY": "True"})
            shown = show_command(command).replace(site.base_url, "<replica>").replace(folder, "<tmp>")
            result = run_process(command)
            hits = site.stats()
            kinds = {kind: int(hits.get(kind, 0)) for kind in REQUEST_KINDS if hits.get(kind)}
            total = sum(kinds.values())
            got = count_jsonl(out)
            walls.append(result.wall)
            requests.append(total)
            delivered.append(got)
            per_kind.append(kinds)
            missing = len(new_ids) - got
            line(f"run {number + 1}", f"{got}/{len(new_ids)} new delivered, {total} requests {kinds}, {result.wall:.2f}s wall")
            if result.returncode != 0 or missing:
                print(f"  exit {result.returncode}; log tail:\n{result.log_tail[-1500:]}")
    startup = bare_startup(runs)
    wall = Summary.of(walls)
    overhead = Summary.of([w - startup.median for w in walls])
    listing = Summary.of([sum(v for k, v in kinds.items() if k not in ARTICLE_KINDS and k != "robots") for kinds in per_kind])
    line("crawl command", shown)
    line("requests per run", Summary.of(requests).show("", 0) + f"  target {NEW_PER_RUN} + a handful")
    line("listing requests (not robots.txt, not articles)", listing.show("", 0) + "  (rss, home, indeks, more, ...)")
    line("wall time of the run", wall.show(" s", 2))
    line("bare start-up (`scrapy list`)", startup.show(" s", 2))
    line("run minus bare start-up", overhead.show(" s", 2))
    return {
        "known": known,
        "runs": runs,
        "requests": vars(Summary.of(requests)),
        "requests_by_kind": per_kind,
        "listing_requests": vars(listing),
        "delivered": delivered,
        "wall_s": vars(wall),
        "bare_startup_s": vars(startup),
        "overhead_s": vars(overhead),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.scheduled``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--known", type=int, default=100_000, help="articles already delivered")
    parser.add_argument("--runs", type=int, help="scheduled runs")
    args = parser.parse_args(argv)
    run(args.quick, args.known, args.runs)


if __name__ == "__main__":
    main()
