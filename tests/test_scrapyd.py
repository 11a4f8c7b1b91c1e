"""The project as a scrapyd service: a real scrapyd on loopback, the egg scrapyd-deploy builds,
jobs scheduled through schedule.json crawling the local replica."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.crawl import FAST_SETTINGS, ROOT, read_jsonl
from tests.replica.testing import Replica, run_replica

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(150)]

BIN = Path(sys.executable).parent
PROJECT_FILES = ("crawler", "pyproject.toml", "README.md", "scrapy.cfg")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tool(name: str) -> Path:
    """A console script of the venv; missing means the test extra was not installed: fail."""
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed: pip install -e '.[test]' (it pulls the deploy extra)")
    return path


class Scrapyd:
    def __init__(self, process: subprocess.Popen[bytes], url: str, home: Path) -> None:
        self.process = process
        self.url = url
        self.home = home

    def get(self, path: str, **query: str) -> Any:
        with urllib.request.urlopen(f"{self.url}{path}?{urlencode(query)}", timeout=30) as response:
            return json.load(response)

    def post(self, path: str, data: list[tuple[str, str]]) -> Any:
        request = urllib.request.Request(f"{self.url}{path}", data=urlencode(data).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)

    def wait_finished(self, job: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(j["id"] == job for j in self.get("listjobs.json", project="alinea")["finished"]):
                return
            time.sleep(0.3)
        pytest.fail(f"job {job} did not finish within {timeout}s:\n{self.log(job)[-3000:]}")

    def log(self, job: str) -> str:
        path = self.home / "logs" / "alinea" / "alinea" / f"{job}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else "(no log)"


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[Scrapyd]:
    """scrapyd on 127.0.0.1, started in a working directory of its own (as a service would be),
    with ``XDG_DATA_HOME`` in ``tmp_path/data``; stopped at teardown."""
    executable = tool("scrapyd")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
        "items_dir =\njobs_to_keep = 5\nmax_proc = 1\npoll_interval = 0.3\n"
    )
    # no PYTHONPATH: jobs must run the deployed egg, not this checkout
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"XDG_DATA_HOME": str(tmp_path / "data")}
    with (home / "scrapyd.out").open("wb") as out:
        process = subprocess.Popen([str(executable)], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Scrapyd(process, f"http://127.0.0.1:{port}/", home)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if server.get("daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"scrapyd did not start:\n{(home / 'scrapyd.out').read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def site() -> Iterator[Replica]:
    with run_replica(articles=60, seed=21) as replica:
        yield replica


def deploy(server: Scrapyd, workdir: Path) -> Path:
    """What a user does: ``scrapyd-deploy`` from a checkout of the project (here a copy, since
    the tool writes a setup.py shim beside scrapy.cfg). Returns the egg it built."""
    project = workdir / "project"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)
    with (project / "scrapy.cfg").open("a") as cfg:
        cfg.write(f"\n[deploy:test]\nurl = {server.url}\nproject = alinea\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    egg = workdir / "alinea.egg"
    built = subprocess.run(
        [str(tool("scrapyd-deploy")), "--build-egg", str(egg)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    deployed = subprocess.run(
        [str(tool("scrapyd-deploy")), "test", "--version", "r1", "--egg", str(egg)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "Server response (200)" in deployed.stderr, deployed.stderr
    response = json.loads(deployed.stdout)  # scrapyd answers errors with HTTP 200 too
    assert (response["status"], response["project"], response["spiders"]) == ("ok", "alinea", 1), response
    return egg


def schedule(server: Scrapyd, base_url: str) -> str:
    """``schedule.json`` the way the README's cron line does: settings and a spider argument."""
    settings = {**FAST_SETTINGS, "ALINEA_BASE_URL": base_url, "ALINEA_LISTING_MAX_PAGES": "1000", "EXPORT_BATCH_ITEMS": "25"}
    data = [("project", "alinea"), ("spider", "alinea"), ("mode", "latest")]
    data += [("setting", f"{name}={value}") for name, value in settings.items()]
    answer = server.post("schedule.json", data)
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


def summary(log: str) -> dict[str, str]:
    line = next(line for line in log.splitlines() if "ALINEA-SUMMARY" in line and "summary/line" not in line)
    return dict(pair.split("=", 1) for pair in line.split("ALINEA-SUMMARY", 1)[1].split())


def test_deployed_egg_runs_scheduled_jobs_exactly_once_into_a_stable_folder(scrapyd: Scrapyd, site: Replica, tmp_path: Path) -> None:
    egg = deploy(scrapyd, tmp_path)
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "crawler/schema/article.schema.json" in names, "the JSON Schema ships in the egg (package data)"
    assert "settings = crawler.settings" in entry_points, "scrapyd finds the settings through the egg's entry point"
    assert not any(name.startswith(("tests/", "bench/")) for name in names), "only the crawler package is deployed"
    assert scrapyd.get("listspiders.json", project="alinea")["spiders"] == ["alinea"]

    first = schedule(scrapyd, site.base_url)
    scrapyd.wait_finished(first)
    log = scrapyd.log(first)
    data = tmp_path / "data" / "alinea-crawler" / "alinea"
    records = read_jsonl(data / "output")
    truth = {a["article_id"] for a in site.articles() if not a.get("deleted")}
    counts = Counter(r["article_id"] for r in records)
    assert set(counts) == truth and max(counts.values()) == 1, f"every article exactly once:\n{log[-3000:]}"
    assert summary(log)["reason"] == "finished", log[-3000:]
    assert (data / "state" / "alinea.sqlite3").exists(), "the state lives beside the output, not in scrapyd's working directory"
    assert not (scrapyd.home / "output").exists() and not (scrapyd.home / "state").exists()

    second = schedule(scrapyd, site.base_url)  # the next cron tick
    scrapyd.wait_finished(second)
    assert summary(scrapyd.log(second))["new"] == "0", scrapyd.log(second)[-3000:]
    assert len(read_jsonl(data / "output")) == len(records), "a second job delivers nothing twice"
