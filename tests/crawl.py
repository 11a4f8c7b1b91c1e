"""Run the real ``scrapy crawl alinea`` as a subprocess, the way users run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

FAST_SETTINGS = {
    # politeness off against loopback servers: tests measure behaviour, not manners
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "LOG_LEVEL": "INFO",
}


def run_crawl(
    base_url: str,
    *args: str,
    output: Path,
    settings: dict[str, Any] | None = None,
    timeout: float = 240,
) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl alinea ARGS`` against ``base_url``; JSON Lines land in ``output``."""
    merged = {
        **FAST_SETTINGS,
        "ALINEA_BASE_URL": base_url,
        "EXPORT_DIR": str(output),
        "STATE_DIR": str(output.parent / "state"),
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "alinea", *args]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def read_jsonl(directory: Path, pattern: str = "*.jsonl") -> list[dict[str, Any]]:
    """Every record of every published JSON Lines file in ``directory`` (hidden files excluded)."""
    records = []
    for path in sorted(directory.glob(pattern)):
        if path.name.startswith("."):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            records.append(json.loads(line))
    return records
