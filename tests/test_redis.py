"""Shared state on Redis: a real redis-server on loopback, several ``scrapy crawl alinea`` workers
crawling the local replica at once, killed ones included."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler import exitcodes
from crawler.state.store import StateError
from tests.crawl import FAST_SETTINGS, ROOT, read_jsonl, run_crawl
from tests.replica.testing import Replica, run_replica

WHOLE_SITE = {"ALINEA_LISTING_MAX_PAGES": "1000"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on 127.0.0.1 (no persistence), stopped at teardown. CI installs
    it (.ci/run); missing, the test fails rather than skips."""
    import redis

    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does it)")
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    command = [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)]
    with (folder / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"redis-server did not start: {(folder / 'redis.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def prefix(redis_url: str, request: pytest.FixtureRequest) -> str:
    """A key namespace of this test's own on the shared server."""
    return f"t{abs(hash(request.node.nodeid)) % 10**8}"


def redis_settings(redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    return {"STATE_BACKEND": "redis", "STATE_REDIS_URL": redis_url, "STATE_REDIS_PREFIX": prefix, **extra}


def truth_ids(replica: Replica) -> set[str]:
    return {a["article_id"] for a in replica.articles() if not a.get("deleted")}


def assert_exactly_once(records: list[dict[str, Any]], expected: set[str]) -> None:
    counts = Counter(r["article_id"] for r in records)
    assert [i for i, n in counts.items() if n > 1] == [], "delivered twice"
    assert sorted(expected - set(counts)) == [], "never delivered"
    assert sorted(set(counts) - expected) == [], "not published by the site"


def worker_settings(replica: Replica, root: Path, name: str, shared: dict[str, str], **extra: str) -> dict[str, str]:
    """One worker: its own state folder (so its own worker id) and its own output folder."""
    return {
        **FAST_SETTINGS,
        **WHOLE_SITE,
        **shared,
        "ALINEA_BASE_URL": replica.base_url,
        "EXPORT_DIR": str(root / name / "output"),
        "STATE_DIR": str(root / name / "state"),
        **extra,
    }


def start_worker(settings: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "scrapy", "crawl", "alinea"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_all(processes: list[subprocess.Popen[bytes]], timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=max(deadline - time.monotonic(), 0.1)))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"a worker ran longer than {timeout}s")
    return codes


def wait_for_lease(shared: dict[str, str], state_dir: Path, timeout: float = 30) -> None:
    """Until the worker of ``state_dir`` (default worker id: host and state folder) holds its lease."""
    from scrapy.settings import Settings

    from crawler.state.redis_store import connect, keys_for

    client = connect(Settings(shared))
    key = keys_for(shared).lock(f"{socket.gethostname()}:{state_dir.resolve()}")
    try:
        deadline = time.monotonic() + timeout
        while not client.exists(key):
            if time.monotonic() > deadline:
                pytest.fail(f"no lease {key} after {timeout}s")
            time.sleep(0.05)
    finally:
        client.close()


def summary(log: str) -> dict[str, str]:
    line = next(line for line in log.splitlines() if "ALINEA-SUMMARY" in line and "summary/line" not in line)
    return dict(pair.split("=", 1) for pair in line.split("ALINEA-SUMMARY", 1)[1].split())


def all_records(root: Path) -> list[dict[str, Any]]:
    return [record for folder in sorted(root.glob("*/output")) for record in read_jsonl(folder)]


# --- without Redis ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_nothing_about_redis_is_imported_without_redis_configured(tmp_path: Path) -> None:
    """A real crawl with the default backend: every module it imports, none of them Redis."""
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "scrapy",
        "crawl",
        "alinea",
        "-a",
        "urls=https://www.alinea.id/politik/x-b0000000A",
    ]
    for name, value in {"ALINEA_BASE_URL": "http://127.0.0.1:9", "RETRY_TIMES": "0", "STATE_DIR": str(tmp_path / "state")}.items():
        command += ["-s", f"{name}={value}"]
    command += ["-s", f"EXPORT_DIR={tmp_path / 'out'}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "crawler.pipelines.export" in imported and "crawler.state.backends" in imported, result.stderr[-2000:]
    redis_modules = sorted(m for m in imported if m.split(".")[0] in ("redis", "scrapy_redis") or m.startswith("crawler.state.redis"))
    assert redis_modules == []
    assert (tmp_path / "state" / "alinea.sqlite3").exists(), "the SQLite backend did the work"


# --- the store against a real Redis ----------------------------------------------------------------


def test_claims_pins_and_leases_decide_who_delivers(redis_url: str, prefix: str, tmp_path: Path) -> None:
    from crawler.state.redis_store import RedisStore, connect, keys_for

    settings = redis_settings(redis_url, prefix)
    keys = keys_for(settings)
    client = connect(settings)
    one, two = RedisStore(connect(settings), keys, "one"), RedisStore(connect(settings), keys, "two")
    article = {"article_id": "b0000000A", "canonical_url": "https://www.alinea.id/politik/x-b0000000A", "title": "Judul"}
    try:
        client.set(keys.lock("one"), "lease-1")
        assert one.claim("b0000000A", None)
        assert not two.claim("b0000000A", None), "a live worker's claim holds"
        client.delete(keys.lock("one"))  # worker one died: its lease expired
        assert two.claim("b0000000A", None), "a dead worker's claim is taken over"
        with pytest.raises(StateError, match="no longer claimed"):
            one.begin_batch("one-0001.jsonl", [article])
        two.begin_batch("two-0001.jsonl", [article])
        assert not one.claim("b0000000A", None), "pinned to a batch being published: never taken over, even from the dead"
        assert two.recover(tmp_path) == (0, 1), "its file never appeared: rolled back"
        assert one.claim("b0000000A", None)
        client.set(keys.lock("one"), "lease-2")
        fenced = RedisStore(connect(settings), keys, "one", lease="lease-1")
        with pytest.raises(StateError, match="lease"):
            fenced.begin_batch("one-0002.jsonl", [article])  # an old process of worker one, woken up
        fenced.close()
        one.begin_batch("one-0003.jsonl", [article])
        (tmp_path / "one-0003.jsonl").write_text("{}\n")
        assert one.recover(tmp_path) == (1, 0), "renamed before the crash: committed"
        known = one.known_hash("b0000000A")
        assert known is not None and two.is_known("b0000000A")
        assert not two.claim("b0000000A", None), "delivered"
        assert two.claim("b0000000A", known[0]), "refresh mode: an update of the content it compared against"
        assert not one.claim("b0000000A", bytes(8)), "but not against a content it did not see"
        assert one.counts().delivered == 1 and next(one.rows())["worker"] == "one"
    finally:
        one.close()
        two.close()
        client.close()


@pytest.mark.e2e
def test_a_worker_runs_once_and_a_killed_one_does_not_block(redis_url: str, prefix: str, tmp_path: Path) -> None:
    from crawler.state.redis_lock import RedisRunLock
    from crawler.state.redis_store import connect, keys_for

    settings = redis_settings(redis_url, prefix, STATE_WORKER_ID="w1", STATE_LOCK_TTL="60")
    # a live process of worker w1 holds the lease: a second one is refused with exit status 3
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from scrapy.settings import Settings; from crawler.state.redis_lock import RedisRunLock; "
            f"lock = RedisRunLock(Settings({settings!r})); assert lock.acquire(); print('held', flush=True); time.sleep(60)",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = run_crawl(
            "http://127.0.0.1:9", "-a", "urls=https://www.alinea.id/politik/x-b0000000A", output=tmp_path / "out", settings=settings
        )
        assert refused.returncode == exitcodes.LOCKED, refused.stdout + refused.stderr[-2000:]
        assert "holds" in refused.stdout and str(holder.pid) in refused.stdout
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    from scrapy.settings import Settings

    after_kill = RedisRunLock(Settings(settings))
    assert after_kill.acquire(), "its pid is gone on this host: taken over at once, not after the 60 s TTL"
    after_kill.release()
    # a lease from another host that stopped refreshing it lapses after its TTL
    client = connect(Settings(settings))
    client.set(keys_for(settings).lock("w1"), json.dumps({"host": "elsewhere", "pid": 1, "frontier": ""}), px=1500)
    elsewhere = RedisRunLock(Settings(settings))
    assert not elsewhere.acquire()
    time.sleep(1.7)
    assert elsewhere.acquire()
    elsewhere.release()
    client.close()


# --- several workers, real crawls -----------------------------------------------------------------


@pytest.mark.e2e
def test_a_process_that_lost_its_lease_publishes_nothing(redis_url: str, prefix: str, tmp_path: Path) -> None:
    """Fencing: a process whose lease is not the worker's current one (it was stopped past the
    TTL and another process took the worker over) has every batch refused, then stops; the
    worker's next run delivers everything."""
    shared = redis_settings(redis_url, prefix)
    with run_replica(articles=20, seed=41) as replica:
        settings = worker_settings(replica, tmp_path, "a", shared, EXPORT_BATCH_ITEMS="5")
        fenced = run_crawl(replica.base_url, output=tmp_path / "a" / "output", settings={**settings, "STATE_REDIS_LEASE": "an old lease"})
        assert fenced.returncode == exitcodes.CUT_SHORT, fenced.stderr[-3000:]
        assert "not published" in fenced.stderr and "lost its lease" in fenced.stderr
        assert read_jsonl(tmp_path / "a" / "output") == []
        again = run_crawl(replica.base_url, output=tmp_path / "a" / "output", settings=settings)
        assert again.returncode == exitcodes.OK, again.stderr[-3000:]
        assert_exactly_once(read_jsonl(tmp_path / "a" / "output"), truth_ids(replica))


@pytest.mark.e2e
@pytest.mark.timeout(150)
def test_workers_share_one_frontier_and_deliver_every_article_once(redis_url: str, prefix: str, tmp_path: Path) -> None:
    shared = redis_settings(redis_url, prefix, EXPORT_BATCH_ITEMS="10")
    slow = {"DOWNLOAD_DELAY": "0.15", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}  # about 12 s of work for three workers
    with run_replica(articles=150, seed=31) as replica:
        names = ("a", "b", "c")
        workers = [start_worker(worker_settings(replica, tmp_path, n, shared, **slow), tmp_path / f"{n}.log") for n in names]
        wait_for_lease(shared, tmp_path / "a" / "state")
        twin = run_crawl(replica.base_url, output=tmp_path / "a" / "output", settings={**worker_settings(replica, tmp_path, "a", shared)})
        codes = wait_all(workers, timeout=100)
        logs = {n: (tmp_path / f"{n}.log").read_text(errors="replace") for n in names}
        full = {a["article_id"]: a for a in replica.articles(full=True) if not a.get("deleted")}
        truth = set(full)
        stats = replica.stats()
        assert codes == [exitcodes.OK] * 3, {n: logs[n][-2500:] for n in names}
        assert twin.returncode == exitcodes.LOCKED, "a second process of worker a is refused while a runs"
        records = all_records(tmp_path)
        assert_exactly_once(records, truth)
        multipage = [r for r in records if full[r["article_id"]]["pages"] > 1]
        assert multipage and stats["article_part"] > 0
        for record in multipage:  # parts travel between workers as plain data: merged as on one host
            expected = full[record["article_id"]]
            assert (record["pages"], record["body"]) == (expected["pages"], expected["body"]), record["url"]
        delivered = {n: len(read_jsonl(tmp_path / n / "output")) for n in names}
        assert all(delivered.values()), f"every worker took part: {delivered}"
        assert stats["article"] == len(truth), "one shared dupefilter: no article page fetched twice"

        # the next scheduled round: a new session re-reads the listings (the dupefilter of the last
        # one is gone) and delivers exactly what was published since
        new_ids = set(replica.publish(5))
        again = run_crawl(replica.base_url, output=tmp_path / "b" / "output", settings=worker_settings(replica, tmp_path, "b", shared))
        assert again.returncode == exitcodes.OK, again.stderr[-3000:]
        assert summary(again.stderr)["new"] == "5"
        assert_exactly_once(all_records(tmp_path), truth | new_ids)
    show = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "show", *(f"-s{k}={v}" for k, v in shared.items())],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert f"delivered articles: {len(truth) + 5}" in show.stdout and "pending (in flight): 0" in show.stdout, show.stdout + show.stderr


@pytest.mark.e2e
@pytest.mark.timeout(150)
def test_killed_workers_lose_nothing_and_deliver_nothing_twice(redis_url: str, prefix: str, tmp_path: Path) -> None:
    """Worker c dies at the worst moment of a publish (file renamed, batch not committed), b is
    SIGKILLed at a random moment after its first file, a carries on. Then c and b are started
    again, as cron would: every article exactly once across the three output folders."""
    from scrapy.settings import Settings

    from crawler.state.redis_store import connect, keys_for

    shared = redis_settings(redis_url, prefix, EXPORT_BATCH_ITEMS="5", STATE_LOCK_TTL="3")
    slow = {"DOWNLOAD_DELAY": "0.15", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
    rng = random.Random(20261126)
    with run_replica(articles=120, seed=37) as replica:
        crash = worker_settings(replica, tmp_path, "c", shared, EXPORT_CRASH_AT="after-rename:2", **slow)
        c = start_worker(crash, tmp_path / "c.log")
        time.sleep(1.0)  # c starts the session and walks the listings
        a = start_worker(worker_settings(replica, tmp_path, "a", shared, **slow), tmp_path / "a.log")
        b = start_worker(worker_settings(replica, tmp_path, "b", shared, **slow), tmp_path / "b.log")
        deadline = time.monotonic() + 40
        while not any((tmp_path / "b" / "output").glob("alinea-*.jsonl")) and time.monotonic() < deadline and b.poll() is None:
            time.sleep(0.1)
        time.sleep(rng.uniform(0, 1.0))
        assert b.poll() is None, "b is still crawling when it is killed:\n" + (tmp_path / "b.log").read_text(errors="replace")[-2500:]
        b.send_signal(signal.SIGKILL)
        codes = wait_all([a, b, c], timeout=90)
        assert codes[1:] == [-signal.SIGKILL, -signal.SIGKILL], (tmp_path / "c.log").read_text(errors="replace")[-2500:]
        assert codes[0] == exitcodes.OK, (tmp_path / "a.log").read_text(errors="replace")[-2500:]
        so_far = all_records(tmp_path)
        assert [i for i, n in Counter(r["article_id"] for r in so_far).items() if n > 1] == [], "nothing twice, even mid-crash"
        client = connect(Settings(shared))
        pending = client.hkeys(keys_for(shared).pending)
        client.close()
        assert [f for f in pending if f.split("\t")[0].endswith("/c/state")], f"c's renamed batch awaits c's return: {pending}"

        for name in ("c", "b"):  # the killed workers come back (cron's next tick)
            rerun = run_crawl(
                replica.base_url, output=tmp_path / name / "output", settings=worker_settings(replica, tmp_path, name, shared)
            )
            assert rerun.returncode == exitcodes.OK, rerun.stderr[-3000:]
        truth = truth_ids(replica)
    assert_exactly_once(all_records(tmp_path), truth)
    client = connect(Settings(shared))
    keys = keys_for(shared)
    try:
        assert client.hlen(keys.delivered) == len(truth)
        assert client.hlen(keys.pending) == 0 and client.hlen(keys.claims) == 0, "every claim settled"
    finally:
        client.close()
