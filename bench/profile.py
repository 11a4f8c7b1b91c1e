"""Profiles (cProfile) of the extraction and of the crawl loop, top items by own time.

* extraction: ``extract_article`` over the replica's pages of every layout, in-process;
* crawl loop: a whole ``scrapy crawl alinea`` process under ``python -m cProfile`` against a
  replica (the replica runs in its own process and is not in the profile).

    python -m bench.profile [--quick] [--top N] [--save DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import PYTHON, crawl_command, heading, line, replica, run_process, tempdir
from bench.crawl import WHOLE_SITE
from bench.extraction import fetch_pages

COMMAND = "python -m bench.profile"


def _where(key: tuple[str, int, str]) -> str:
    filename, number, name = key
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{name} ({filename}:{number})" if number else name


def top(stats: pstats.Stats, count: int, sort: str = "tottime", only: str | None = None) -> list[dict[str, Any]]:
    """The ``count`` heaviest functions by ``sort`` (``only``: a path fragment to keep)."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for key, (_, calls, tottime, cumtime, _) in raw.items():
        if only and only not in key[0]:
            continue
        rows.append({"function": _where(key), "calls": calls, "tottime_s": tottime, "cumtime_s": cumtime, "share": tottime / total})
    index = "tottime_s" if sort == "tottime" else "cumtime_s"
    rows.sort(key=lambda r: r[index], reverse=True)
    return rows[:count]


def cumulative_share(stats: pstats.Stats, name: str, path: str) -> float:
    """Share of the profiled time spent inside ``name`` defined in a file containing ``path``."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    return sum(v[3] for k, v in raw.items() if k[2] == name and path in k[0]) / total


def show(rows: list[dict[str, Any]], title: str) -> None:
    """Print a top list."""
    print(f"  {title}")
    print(f"  {'own s':>8} {'cum s':>8} {'share':>6} {'calls':>9}  function")
    for row in rows:
        print(f"  {row['tottime_s']:8.2f} {row['cumtime_s']:8.2f} {row['share']:6.1%} {row['calls']:9d}  {row['function']}")


def profile_extraction(per_layout: int, count: int, save: Path | None) -> dict[str, Any]:
    """cProfile of ``extract_article`` over the replica's pages (three passes)."""
    from bench.baselines import alinea_extract

    with replica(600) as site:
        pages = fetch_pages(site.base_url, site.articles(full=True), per_layout)
    alinea_extract(pages[0].body, pages[0].url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        for page in pages:
            alinea_extract(page.body, page.url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if save:
        stats.dump_stats(str(save / "extraction.prof"))
    line("profiled", f"{3 * len(pages)} extractions, {stats.total_tt:.2f} s")  # type: ignore[attr-defined]
    own = top(stats, count)
    ours = top(stats, count, "cumtime", only="crawler/")
    show(own, "by own time:")
    show(ours, "crawler/ functions by cumulative time:")
    return {"by_own_time": own, "crawler_by_cumulative": ours}


def profile_crawl(articles: int, count: int, save: Path | None) -> dict[str, Any]:
    """cProfile of a whole-replica ``scrapy crawl alinea`` process."""
    with replica(articles) as site, tempdir("profile") as folder:
        root = Path(folder)
        command = crawl_command(site.base_url, root / "out", root / "state", *WHOLE_SITE)
        profiled = [PYTHON, "-m", "cProfile", "-o", str(root / "crawl.prof"), *command[1:]]
        result = run_process(profiled)
        stats = pstats.Stats(str(root / "crawl.prof"))
        if save:
            shutil.copy(root / "crawl.prof", save / "crawl.prof")
    line("profiled", f"{result.count('new')} articles, {stats.total_tt:.2f} s in the crawl process")  # type: ignore[attr-defined]
    shares = {
        "extract_article": cumulative_share(stats, "extract_article", "crawler/extraction/__init__.py"),
        "pagination_urls": cumulative_share(stats, "pagination_urls", "crawler/extraction/__init__.py"),
        "item pipelines (process_item)": cumulative_share(stats, "process_item", "crawler/pipelines/"),
        "ValidationPipeline.process_item": cumulative_share(stats, "process_item", "crawler/pipelines/validation.py"),
        "ExportPipeline.publish": cumulative_share(stats, "publish", "crawler/pipelines/export.py"),
        "spider.article_requests": cumulative_share(stats, "article_requests", "crawler/spiders/alinea.py"),
    }
    for name, share in shares.items():
        line(f"share of crawl time in {name}", f"{share:.1%}")
    own = top(stats, count)
    show(own, "by own time:")
    return {"articles": articles, "shares": shares, "by_own_time": own}


def run(quick: bool = False, count: int = 20, save: Path | None = None) -> dict[str, Any]:
    """Both profiles; print and return their top items."""
    per_layout, articles = (10, 1000) if quick else (30, 3000)
    shown = f"{COMMAND}{' --quick' if quick else ''} --top {count}"
    heading("Profile of the extraction (cProfile)", shown)
    extraction = profile_extraction(per_layout, count, save)
    heading("Profile of the crawl loop (cProfile)", shown)
    crawl = profile_crawl(articles, count, save)
    return {"extraction": extraction, "crawl": crawl}


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.profile``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages, a smaller crawl")
    parser.add_argument("--top", type=int, default=20, help="functions listed")
    parser.add_argument("--save", type=Path, help="folder to write extraction.prof and crawl.prof into")
    args = parser.parse_args(argv)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    run(args.quick, args.top, args.save)


if __name__ == "__main__":
    main()
