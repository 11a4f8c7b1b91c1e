"""Shared helpers: statistics, the machine, the replica, and real ``scrapy crawl`` processes."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

FAST_SETTINGS = {
    # politeness off: loopback replica, we measure the crawler, not its manners
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "False",
    "LOG_LEVEL": "INFO",
    "LOGSTATS_INTERVAL": "10",
}
SUMMARY_RE = re.compile(r"ALINEA-SUMMARY (?P<fields>.*)$", re.MULTILINE)


# --- statistics -----------------------------------------------------------------------------


def percentile(values: Sequence[float], share: float) -> float:
    """Linear-interpolated percentile (``share`` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Summary:
    """Median and spread of repeated measurements."""

    runs: int
    median: float
    p95: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise ``values`` (at least one)."""
        return cls(len(values), statistics.median(values), percentile(values, 0.95), min(values), max(values))

    def show(self, unit: str = "", digits: int = 1) -> str:
        """``12.3 unit (n=5, range 11.0-14.2)``."""
        f = f"{{:.{digits}f}}"
        spread = f"range {f.format(self.low)}-{f.format(self.high)}"
        return f"{f.format(self.median)}{unit} (median of n={self.runs}, {spread})"


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ``ys`` over ``xs`` (0 with fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


# --- the machine ----------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "memory_gib": round(_memory_gib(), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {
            name: _version(name) for name in ("scrapy", "lxml", "parsel", "twisted", "trafilatura", "beautifulsoup4", "dateparser")
        },
    }


def show_machine(info: dict[str, Any]) -> str:
    """One paragraph describing the machine."""
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    return (
        f"{info['date']}: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, {info['os']}, "
        f"Python {info['python']}, load {info['load_avg_1m']} at start; {packages}"
    )


# --- output -----------------------------------------------------------------------------------


def heading(title: str, command: str) -> None:
    """Print a benchmark's title and the command that runs it alone."""
    print(f"\n=== {title} ===\n$ {command}", flush=True)


def line(label: str, value: str) -> None:
    """Print one figure."""
    print(f"  {label:<44} {value}", flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a Markdown table (pasteable into BENCHMARKS.md)."""
    print("  | " + " | ".join(headers) + " |")
    print("  |" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("  | " + " | ".join(row) + " |")
    sys.stdout.flush()


# --- the replica --------------------------------------------------------------------------------


@contextmanager
def replica(articles: int, seed: int = 1) -> Iterator[Any]:
    """A replica process with ``articles`` articles (robots and sitemaps on, no faults)."""
    from tests.replica.testing import run_replica

    with run_replica(articles=articles, seed=seed) as running:
        yield running


def tempdir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary directory that is removed afterwards."""
    return tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-")


# --- crawl processes ----------------------------------------------------------------------------


@dataclass
class CrawlRun:
    """What one ``scrapy crawl alinea`` process did."""

    returncode: int
    wall: float
    """Seconds from process start to exit."""
    summary: dict[str, str]
    """Fields of the ``ALINEA-SUMMARY`` line."""
    stats: dict[str, Any]
    """Scrapy's final stats (parsed from the log's stats dump where possible)."""
    log_tail: str
    rss: list[tuple[float, int]] = field(default_factory=list)
    """``(seconds since start, VmRSS kB)`` samples."""
    peak_kb: int = 0
    """VmHWM at the last sample."""
    cpu: float = 0.0
    """CPU seconds (user + system) the process used."""
    problems: list[str] = field(default_factory=list)
    """The log's ERROR and WARNING lines (at most 50)."""

    @property
    def elapsed(self) -> float:
        """The crawl's own elapsed seconds (summary line), or the wall time."""
        raw = self.summary.get("elapsed", "").rstrip("s")
        return float(raw) if raw else self.wall

    def count(self, key: str) -> int:
        """An integer field of the summary line."""
        return int(self.summary.get(key, "0") or 0)


def crawl_command(base_url: str, export: Path, state: Path, *args: str, settings: dict[str, str] | None = None) -> list[str]:
    """The ``scrapy crawl alinea`` command line the benchmarks run."""
    merged = {**FAST_SETTINGS, "ALINEA_BASE_URL": base_url, "EXPORT_DIR": str(export), "STATE_DIR": str(state), **(settings or {})}
    command = [PYTHON, "-m", "scrapy", "crawl", "alinea", *args]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    return command


def show_command(command: Sequence[str]) -> str:
    """A command line as a user would type it (``python -m scrapy`` shown as ``scrapy``)."""
    shown = list(command)
    if shown[:3] == [PYTHON, "-m", "scrapy"]:
        shown = ["scrapy", *shown[3:]]
    elif shown and shown[0] == PYTHON:
        shown[0] = "python"
    return " ".join(shown)


def tidy(command: str, base_url: str | None = None) -> str:
    """A shown command with the replica URL and temporary folders as placeholders."""
    if base_url:
        command = command.replace(base_url, "<replica>")
    return re.sub(r"[^\s=]*/bench-[a-z-]+[a-z0-9_]{8}", "<tmp>", command)


def read_rss(pid: int) -> tuple[int, int] | None:
    """``(VmRSS, VmHWM)`` in kB of a live process."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", text, re.MULTILINE))
    if "VmRSS" not in values:
        return None
    return int(values["VmRSS"]), int(values.get("VmHWM", 0))


def run_process(command: Sequence[str], *, cwd: Path = ROOT, timeout: float = 1800, sample_every: float = 0.0) -> CrawlRun:
    """Run ``command`` with the repository on ``PYTHONPATH``; sample its RSS when asked."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with tempfile.TemporaryFile() as log:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        samples: list[tuple[float, int]] = []
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                value = read_rss(process.pid)
                if value is not None:
                    samples.append((time.perf_counter() - start, value[0]))
                    peak[0] = max(peak[0], value[1])
                stop.wait(sample_every)

        sampler = threading.Thread(target=sample, daemon=True) if sample_every > 0 else None
        if sampler:
            sampler.start()
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stop.set()
        if sampler:
            sampler.join()
        log.seek(0)
        text = log.read().decode("utf-8", errors="replace")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    problems = [entry for entry in text.splitlines() if "] ERROR:" in entry or "] WARNING:" in entry][:50]
    return CrawlRun(returncode, wall, parse_summary(text), parse_stats(text), text[-4000:], samples, peak[0], cpu, problems)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def parse_summary(log: str) -> dict[str, str]:
    """The ``key=value`` fields of the last ``ALINEA-SUMMARY`` line."""
    # the line itself, not the (line-wrapped) copy in Scrapy's stats dump, which comes later
    matches = [m for m in SUMMARY_RE.findall(log) if "reason=" in m]
    if not matches:
        return {}
    return dict(part.split("=", 1) for part in matches[-1].split() if "=" in part)


def parse_stats(log: str) -> dict[str, Any]:
    """Numeric entries of Scrapy's final stats dump (``'key': value``)."""
    start = log.rfind("Dumping Scrapy stats:")
    if start < 0:
        return {}
    stats: dict[str, Any] = {}
    for key, value in re.findall(r"'([^']+)':\s*([0-9.]+)[,}]", log[start:]):
        stats[key] = float(value) if "." in value else int(value)
    return stats


def count_jsonl(directory: Path) -> int:
    """Records in the published JSON Lines files of ``directory``."""
    total = 0
    for path in directory.glob("*.jsonl"):
        if not path.name.startswith("."):
            with path.open("rb") as handle:
                total += sum(1 for _ in handle)
    return total


def dump_json(path: Path, data: Any) -> None:
    """Write ``data`` as pretty JSON."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
