"""Benchmark 5: memory of a long crawl, sampled over time.

Crawls a whole replica (backfill mode, as in benchmark 2) while a thread reads the crawl
process's ``VmRSS`` from ``/proc/<pid>/status`` every second. Reports the peak (``VmHWM``),
RSS at quarters of the run, and the least-squares slope of RSS after warm-up (the first
quarter of the run), in MiB per minute and per 10,000 articles.

    python -m bench.memory [--quick] [--articles N]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from bench.common import heading, line, replica, show_command, slope, tidy
from bench.crawl import crawl_site

COMMAND = "python -m bench.memory"
WARMUP_SHARE = 0.25
TARGET_MIB = 250


def run(quick: bool = False, articles: int | None = None) -> dict[str, Any]:
    """One sampled crawl; print and return the figures."""
    articles = articles or (2_000 if quick else 50_000)
    heading("5. Memory over a long crawl", f"{COMMAND} --articles {articles}")
    with replica(articles) as site:
        result, command = crawl_site(site.base_url, sample_every=1.0)
    line("crawl command", tidy(show_command(command), site.base_url))
    delivered = result.count("new")
    line("crawl", f"{delivered} articles in {result.elapsed:.0f}s (exit {result.returncode}), {len(result.rss)} RSS samples")
    line("run summary", " ".join(f"{k}={v}" for k, v in result.summary.items()))
    for problem in result.problems[:10]:
        print(f"  log: {problem[:300]}")
    samples = result.rss
    if not samples:
        return {"articles": articles, "error": "no samples"}
    end = samples[-1][0]
    steady = [(t, kb) for t, kb in samples if t >= end * WARMUP_SHARE]
    mib_per_s = slope([t for t, _ in steady], [kb / 1024 for _, kb in steady])
    rate = delivered / result.elapsed if result.elapsed else 0.0
    per_10k = mib_per_s / rate * 10_000 if rate else 0.0
    quarters = [next((kb for t, kb in samples if t >= end * q), samples[-1][1]) / 1024 for q in (0.25, 0.5, 0.75, 1.0)]
    peak = result.peak_kb / 1024
    line("peak RSS (VmHWM)", f"{peak:.0f} MiB  target < {TARGET_MIB} MiB")
    line("RSS at 25% / 50% / 75% / end of the run", " / ".join(f"{q:.0f}" for q in quarters) + " MiB")
    line("slope after warm-up", f"{mib_per_s * 60:+.2f} MiB/min = {per_10k:+.1f} MiB per 10,000 articles")
    return {
        "articles": articles,
        "delivered": delivered,
        "summary": result.summary,
        "problems": result.problems,
        "elapsed_s": result.elapsed,
        "peak_mib": peak,
        "quarters_mib": quarters,
        "slope_mib_per_min": mib_per_s * 60,
        "slope_mib_per_10k_articles": per_10k,
        "samples": [(round(t, 1), kb) for t, kb in samples],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.memory``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 articles instead of 50,000")
    parser.add_argument("--articles", type=int, help="articles in the replica")
    args = parser.parse_args(argv)
    run(args.quick, args.articles)


if __name__ == "__main__":
    main()
