"""``python -m bench [--quick] [--only NAMES] [--skip NAMES] [--json FILE]``: every benchmark.

Runs, in order: state, scheduled, extraction, crawl, memory, profile; prints the machine first
and a table of the targets last. ``--quick`` uses small sizes (a few minutes in all).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import crawl, extraction, memory, profile, scheduled, state
from bench.common import dump_json, machine, show_machine

BENCHMARKS: dict[str, Callable[[bool], dict[str, Any]]] = {
    "state": state.run,
    "scheduled": scheduled.run,
    "extraction": extraction.run,
    "crawl": crawl.run,
    "memory": memory.run,
    "profile": profile.run,
}


def _names(value: str | None) -> list[str]:
    names = [n.strip() for n in (value or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return names


def verdicts(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(target, measured, met?)`` for every target the results cover."""
    out: list[tuple[str, str, str]] = []

    def add(target: str, measured: str, met: bool) -> None:
        out.append((target, measured, "yes" if met else "NO"))

    if "extraction" in results:
        ratio = results["extraction"]["speed"]["ratio"]
        for name, want in (("trafilatura", 10.0), ("news-watch (bs4)", 5.0)):
            got = ratio[name]["median"]
            add(f"extraction >= {want:.0f}x faster than {name}", f"{got:.2f}x", got >= want)
        wrong = results["extraction"]["accuracy"]["wrong"]
        ours = wrong["alinea (ours)"]
        add("every field right (ours)", ", ".join(ours) or "all right", not ours)
    if "crawl" in results:
        got = results["crawl"]["ratio"]["median"]
        add("crawl >= 70% of scrapy bench page rate", f"{got:.0%}", got >= 0.7)
    if "scheduled" in results:
        extra = results["scheduled"]["listing_requests"]["median"]
        add("scheduled run: 20 articles + a handful of listing requests", f"{extra:.0f} listing requests (+ robots.txt)", extra <= 6)
    if "state" in results:
        figures = results["state"]
        size = figures["bytes"] / 1e6 * 1_000_000 / figures["articles"]
        add("seen-set < 150 MB at 1,000,000 articles", f"{size:.0f} MB (scaled to 1M)", size < 150)
        lookup = figures["is_known_hit_us"]["p95"]
        add("seen-set lookup < 50 µs", f"p95 {lookup:.1f} µs", lookup < 50)
    if "memory" in results and "peak_mib" in results["memory"]:
        peak = results["memory"]["peak_mib"]
        add(f"peak RSS < 250 MB over {results['memory']['articles']:,} articles", f"{peak:.0f} MiB", peak * 1.048576 < 250)
        per_10k = results["memory"]["slope_mib_per_10k_articles"]
        add("RSS flat after warm-up", f"{per_10k:+.1f} MiB per 10,000 articles", abs(per_10k) < 5)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes in all")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--skip", help="comma-separated benchmarks to leave out")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    chosen = _names(args.only) or list(BENCHMARKS)
    skipped = set(_names(args.skip))
    info = machine()
    print(f"Machine: {show_machine(info)}", flush=True)
    results: dict[str, Any] = {"machine": info, "quick": args.quick}
    began = time.perf_counter()
    for name in chosen:
        if name in skipped:
            continue
        started = time.perf_counter()
        results[name] = BENCHMARKS[name](args.quick)
        print(f"  ({name}: {time.perf_counter() - started:.0f} s)", flush=True)
    print(f"\n=== Targets ({'quick' if args.quick else 'full'} run, {time.perf_counter() - began:.0f} s) ===")
    for target, measured, met in verdicts(results):
        print(f"  {met:<4} {target:<62} {measured}")
    print(f"Machine: {show_machine(machine())}")
    results["verdicts"] = verdicts(results)
    if args.json:
        dump_json(args.json, results)


if __name__ == "__main__":
    main()
