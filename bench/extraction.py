"""Benchmark 1: extraction cost per article page and field accuracy, ours against the peers.

Fetches the replica's pages once (single-part articles of each desktop layout, and their AMP
pages), then in one process times every extractor on the same bytes, interleaved page by page
so that machine noise hits all of them alike, and scores each field against the replica's
ground truth.

    python -m bench.extraction [--quick] [--pages N] [--repeats R]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.baselines import EXTRACTORS, FIELDS, FLOORS, cut_regions
from bench.common import Summary, heading, line, replica, table

CANONICAL = "https://www.alinea.id"
LAYOUTS = ("desktop2019", "desktop2023", "amp")
AMP_FIELDS = frozenset({"title", "lead", "authors", "published_at", "published_day", "section", "main_image", "body"})
"""What an AMP page shows; the other fields are judged on desktop pages only."""
COMMAND = "python -m bench.extraction"


@dataclass
class Page:
    """One fetched page and the ground truth of its article."""

    layout: str
    url: str
    """The address on alinea.id the page stands for (what the extractors are told)."""
    body: bytes
    truth: dict[str, Any]


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        data: bytes = response.read()
    return data


def fetch_pages(base_url: str, records: list[dict[str, Any]], per_layout: int) -> list[Page]:
    """``per_layout`` single-part articles of each desktop layout, plus AMP pages of as many."""
    pages: list[Page] = []
    single = [r for r in records if r["pages"] == 1 and not r.get("deleted")]
    step = max(1, len(single) // (per_layout * 4))
    for layout in LAYOUTS:
        pool = single if layout == "amp" else [r for r in single if r["layout"] == layout]
        chosen = (pool[::step] if layout != "amp" else pool[step // 2 :: step])[:per_layout]
        for record in chosen:
            path = record["canonical_url"].removeprefix(CANONICAL)
            prefix = "/amp" if layout == "amp" else ""
            pages.append(Page(layout, CANONICAL + prefix + path, _fetch(base_url + prefix + path), record))
    return pages


# --- accuracy ---------------------------------------------------------------------------------


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return re.sub(r"\s+", " ", value).strip() or None
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def truth_of(page: Page, field: str) -> Any:
    """The ground truth of ``field`` for this page."""
    truth = page.truth
    if field == "published_day":
        return truth["published_at"][:10]
    if field == "main_image":
        return truth["images"][0]["url"] if truth["images"] else None
    return truth.get(field)


def is_right(field: str, value: Any, expected: Any) -> bool:
    """Whether an extracted value is the ground truth (whitespace-insensitive).

    A timestamp without an offset (a naive ``dateparser`` result) is judged on its wall-clock
    time, which the site prints in WIB: the most generous reading."""
    if field == "published_at" and isinstance(value, str) and len(value) == 19 and expected:
        return value == expected[:19]
    if field == "published_day" and isinstance(value, str):
        return value[:10] == expected
    return _norm(value) == _norm(expected)


def token_f1(value: str | None, expected: str) -> float:
    """Bag-of-words F1 of a body against the truth (1.0: the same words)."""
    got, want = (value or "").split(), expected.split()
    if not got or not want:
        return 0.0
    counts: dict[str, int] = {}
    for word in want:
        counts[word] = counts.get(word, 0) + 1
    common = 0
    for word in got:
        if counts.get(word, 0) > 0:
            counts[word] -= 1
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def judged_fields(page: Page) -> list[str]:
    """The fields judged on this page."""
    return [f for f in FIELDS if page.layout != "amp" or f in AMP_FIELDS]


# --- the benchmark ----------------------------------------------------------------------------


def run(quick: bool = False, per_layout: int | None = None, repeats: int | None = None, articles: int = 600) -> dict[str, Any]:
    """Time and score every extractor; print the figures; return them."""
    per_layout = per_layout or (15 if quick else 60)
    repeats = repeats or (3 if quick else 5)
    heading("1. Extraction cost and accuracy per article page", f"{COMMAND} --pages {per_layout} --repeats {repeats}")
    with replica(articles) as site:
        records = site.articles(full=True)
        pages = fetch_pages(site.base_url, records, per_layout)
    sizes = [len(p.body) for p in pages if p.layout != "amp"]
    line("pages", f"{len(pages)} ({per_layout} per layout: {', '.join(LAYOUTS)}), replica of {articles} articles")
    line("desktop page size", f"median {statistics.median(sizes) / 1024:.0f} KB, max {max(sizes) / 1024:.0f} KB")
    timed = {**EXTRACTORS, **FLOORS}
    names = list(timed)
    results: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in names}
    cut_regions([(p.body, p.url) for p in pages])
    for extract in timed.values():  # warm-up: imports, caches, first-call costs
        extract(pages[0].body, pages[0].url)
    times: dict[str, list[list[float]]] = {name: [[] for _ in pages] for name in names}
    totals: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(repeats):
        rep_total = dict.fromkeys(names, 0.0)
        for index, page in enumerate(pages):
            order = names[index % len(names) :] + names[: index % len(names)]  # rotate who goes first
            for name in order:
                gc.collect()
                start = time.perf_counter()
                try:
                    value = timed[name](page.body, page.url)
                except Exception as error:  # a crash counts as every field wrong
                    value = {"error": repr(error)}
                elapsed = time.perf_counter() - start
                times[name][index].append(elapsed)
                rep_total[name] += elapsed
                if rep == 0:
                    results[name][index] = value
        for name in names:
            totals[name].append(rep_total[name])
    figures = _report_speed(pages, names, times, totals)
    figures["accuracy"] = _report_accuracy(pages, list(EXTRACTORS), results)
    figures["pages"] = len(pages)
    figures["repeats"] = repeats
    return figures


def _report_speed(
    pages: list[Page], names: list[str], times: dict[str, list[list[float]]], totals: dict[str, list[float]]
) -> dict[str, Any]:
    figures: dict[str, Any] = {"speed": {}}
    rows = []
    ours = names[0]
    for layout in (*LAYOUTS, "all"):
        chosen = [i for i, p in enumerate(pages) if layout in ("all", p.layout)]
        for name in names:
            per_page = [statistics.median(times[name][i]) * 1000 for i in chosen]
            summary = Summary.of(per_page)
            rate = 1000 / statistics.fmean(per_page)
            rows.append([layout, name, f"{summary.median:.1f}", f"{summary.p95:.1f}", f"{rate:.0f}"])
            figures["speed"].setdefault(layout, {})[name] = {"median_ms": summary.median, "p95_ms": summary.p95, "pages_per_s": rate}
    print("  Per page (median over repeats, then over pages):")
    table(["layout", "extractor", "median ms", "p95 ms", "pages/s (1 core)"], rows)
    print("  Speed-up of ours, per run (total time of each extractor over all pages; same run, same pages):")
    for name in names[1:]:
        ratios = [theirs / mine for theirs, mine in zip(totals[name], totals[ours], strict=True)]
        summary = Summary.of(ratios)
        line(f"{name} / ours", summary.show("x", 2))
        figures["speed"].setdefault("ratio", {})[name] = {"median": summary.median, "low": summary.low, "high": summary.high}
    return figures


def _report_accuracy(pages: list[Page], names: list[str], results: dict[str, dict[int, dict[str, Any]]]) -> dict[str, Any]:
    accuracy: dict[str, dict[str, float | None]] = {name: {} for name in names}
    rows = []
    for field in FIELDS:
        row = [field]
        for name in names:
            judged = [i for i, p in enumerate(pages) if field in judged_fields(p)]
            produced = [i for i in judged if field in results[name][i]]
            if not judged or not produced:
                accuracy[name][field] = None
                row.append("—")
                continue
            right = sum(is_right(field, results[name][i].get(field), truth_of(pages[i], field)) for i in judged)
            accuracy[name][field] = right / len(judged)
            row.append(f"{right / len(judged):.0%}")
        rows.append(row)
    row = ["body token F1"]
    for name in names:
        scores = [token_f1(results[name][i].get("body"), p.truth["body"]) for i, p in enumerate(pages)]
        accuracy[name]["body_token_f1"] = statistics.fmean(scores)
        row.append(f"{statistics.fmean(scores):.3f}")
    rows.append(row)
    print(
        f"  Field accuracy against ground truth (share of pages exactly right; — = not produced; AMP pages judged on {', '.join(sorted(AMP_FIELDS))}):"
    )
    table(["field", *names], rows)
    wrong = {name: [f for f, share in accuracy[name].items() if share is not None and f != "body_token_f1" and share < 1] for name in names}
    for name in names:
        line(f"fields not 100% right: {name}", ", ".join(wrong[name]) or "none")
    return {"shares": accuracy, "wrong": wrong, "examples": _examples(pages, names[0], results[names[0]])}


def _examples(pages: list[Page], name: str, results: dict[int, dict[str, Any]]) -> list[str]:
    """Up to five mismatches of ours, for the report."""
    out = []
    for index, page in enumerate(pages):
        for field in judged_fields(page):
            got = results[index].get(field)
            if not is_right(field, got, truth_of(page, field)):
                out.append(f"{page.layout} {page.url} {field}: got {str(got)[:120]!r}, want {str(truth_of(page, field))[:120]!r}")
    for example in out[:5]:
        print(f"  mismatch ({name}): {example}")
    return out[:20]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m bench.extraction``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer pages and repeats")
    parser.add_argument("--pages", type=int, help="pages per layout")
    parser.add_argument("--repeats", type=int, help="timed passes over the pages")
    args = parser.parse_args(argv)
    run(args.quick, args.pages, args.repeats)


if __name__ == "__main__":
    main()
