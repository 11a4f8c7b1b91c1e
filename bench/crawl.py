"""Benchmark 2: end-to-end crawl throughput against ``scrapy bench``, in the same script.

Each run crawls a whole replica (backfill mode ``-a since=2019-01-01``: streams and sitemaps;
politeness off; extraction, validation, dedup, state and export on) and runs ``scrapy bench`` (Scrapy's own
link-following spider against its own local server, no parsing) right after it, so each
ratio compares two measurements taken within a minute of each other.

    python -m bench.crawl [--quick] [--articles N] [--runs R]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    PYTHON,
    CrawlRun,
    Summary,
    crawl_command,
    heading,
    line,
    process_cpu,
    replica,
    run_process,
    show_command,
    tempdir,
    tidy,
)

COMMAND = "python -m bench.crawl"
BENCH_SECONDS = 10
CRAWLED_RE = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")
WHOLE_SITE = ("-a", "since=2019-01-01")
"""Backfill from the replica's first day. Latest mode cannot be relied on to walk a whole site:
its listing streams stop on their first page when the RSS feed already scheduled its links."""


def scrapy_bench(seconds: int = BENCH_SECONDS) -> tuple[float, CrawlRun]:
    """Pages/min of ``scrapy bench`` (run outside the project so its settings do not apply):
    responses over the spider's elapsed time, from its final stats."""
    with tempdir("scrapy-bench") as folder:
        command = [PYTHON, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}"]
        result = run_process(command, cwd=Path(folder), timeout=seconds * 10 + 60)
    responses = result.stats.get("response_received_count", 0)
    elapsed = result.stats.get("elapsed_time_seconds", 0.0)
    if responses and elapsed:
        return responses / elapsed * 60, result
    rates = [int(m[1]) for m in CRAWLED_RE.findall(result.log_tail)]
    return (max(rates) if rates else 0.0), result


def crawl_site(base_url: str, *, settings: dict[str, str] | None = None, sample_every: float = 0.0) -> tuple[CrawlRun, list[str]]:
    """One complete crawl of the replica into fresh folders."""
    with tempdir("crawl") as folder:
        root = Path(folder)
        command = crawl_command(base_url, root / "out", root / "state", *WHOLE_SITE, settings=settings)
        result = run_process(command, sample_every=sample_every)
    return result, command


def run(quick: bool = False, articles: int | None = None, runs: int | None = None) -> dict[str, Any]:
    """Alternate whole-replica crawls and ``scrapy bench``; print and return the figures."""
    articles = articles or (1000 if quick else 5000)
    runs = runs or (2 if quick else 3)
    heading("2. End-to-end crawl throughput vs scrapy bench", f"{COMMAND} --articles {articles} --runs {runs}")
    ours_articles, ours_pages, bench_pages, ratios = [], [], [], []
    crawl_cpu, replica_cpu, bench_cpu = [], [], []
    failed = 0
    shown = ""
    with replica(articles) as site:
        for _ in range(runs):
            site.reset_stats()
            served_before = process_cpu(site.process.pid)
            result, command = crawl_site(site.base_url)
            served = process_cpu(site.process.pid) - served_before
            hits = site.stats()
            requests = sum(v for k, v in hits.items() if isinstance(v, int) and k != "control")
            shown = show_command(command)
            if result.returncode != 0 or result.count("new") < articles * 0.99:
                print(f"  crawl did not finish cleanly (exit {result.returncode}, new={result.count('new')}); run excluded:")
                print(result.log_tail[-1500:])
                failed += 1
                continue
            elapsed = result.elapsed
            rate_articles = result.count("new") / elapsed * 60
            rate_pages = requests / elapsed * 60
            reference, reference_run = scrapy_bench()
            crawl_cpu.append(result.cpu / max(requests, 1) * 1000)
            replica_cpu.append(served / max(requests, 1) * 1000)
            bench_cpu.append(reference_run.cpu / max(reference_run.stats.get("response_received_count", 1), 1) * 1000)
            ours_articles.append(rate_articles)
            ours_pages.append(rate_pages)
            bench_pages.append(reference)
            ratios.append(rate_pages / reference if reference else 0.0)
            for problem in result.problems[:5]:
                print(f"  log: {problem[:300]}")
            line("run", f"{result.count('new')} articles, {requests} requests in {elapsed:.1f}s; scrapy bench {reference:.0f} pages/min")
    if not ratios:
        raise RuntimeError("every crawl run failed")
    line("crawl command", tidy(shown, site.base_url))
    if failed:
        line("failed runs (excluded)", str(failed))
    line("scrapy bench command", f"scrapy bench -s CLOSESPIDER_TIMEOUT={BENCH_SECONDS} (outside the project)")
    articles_summary, pages_summary = Summary.of(ours_articles), Summary.of(ours_pages)
    bench_summary, ratio_summary = Summary.of(bench_pages), Summary.of(ratios)
    line("ours: articles/min", articles_summary.show("", 0))
    line("ours: pages/min (every request to the replica)", pages_summary.show("", 0))
    line("scrapy bench: pages/min", bench_summary.show("", 0))
    line("ours pages/min ÷ scrapy bench (same run)", ratio_summary.show("", 3) + "  target >= 0.70")
    line("CPU per page: our crawl process", Summary.of(crawl_cpu).show(" ms", 2))
    line("CPU per page: the replica serving it", Summary.of(replica_cpu).show(" ms", 2))
    line("CPU per page: scrapy bench (spider + its server)", Summary.of(bench_cpu).show(" ms", 2))
    return {
        "articles": articles,
        "runs": runs,
        "failed_runs": failed,
        "articles_per_min": vars(articles_summary),
        "pages_per_min": vars(pages_summary),
        "scrapy_bench_pages_per_min": vars(bench_summary),
        "ratio": vars(ratio_summary),
        "target_met": ratio_summary.median >= 0.7,
        "cpu_ms_per_page": {
            "crawl": vars(Summary.of(crawl_cpu)),
            "replica": vars(Summary.of(replica_cpu)),
            "scrapy_bench": vars(Summary.of(bench_cpu)),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.crawl``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller replica, fewer runs")
    parser.add_argument("--articles", type=int, help="articles in the replica")
    parser.add_argument("--runs", type=int, help="crawl + scrapy bench pairs")
    args = parser.parse_args(argv)
    run(args.quick, args.articles, args.runs)


if __name__ == "__main__":
    main()
