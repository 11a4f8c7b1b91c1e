"""Start the replica in a subprocess and drive its control API (urllib only).

Usage::

    with run_replica(articles=200, seed=1) as replica:
        replica.articles(full=True)

From ``tests/conftest.py``::

    from tests.replica.testing import replica_fixture
    replica = replica_fixture(scope="session", articles=500)
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parents[2]
URL_PREFIX = "REPLICA_URL="


class ReplicaError(RuntimeError):
    """The replica process did not start or a control call failed."""


class Replica:
    """A running replica process and its control API."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str, stderr_path: Path) -> None:
        self.process = process
        self.base_url = base_url
        self._stderr_path = stderr_path

    def __enter__(self) -> Replica:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """Absolute replica URL of a root-relative path."""
        return self.base_url + path

    def _call(self, path: str, method: str = "GET", body: bytes | None = None) -> Any:
        request = urllib.request.Request(self.url(path), data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)

    def articles(self, full: bool = False, ids: list[str] | None = None) -> list[dict[str, Any]]:
        """``/_replica/articles``: summaries, or complete ground truth with ``full``."""
        query: dict[str, str] = {}
        if full:
            query["full"] = "1"
        if ids:
            query["id"] = ",".join(ids)
        suffix = "?" + urlencode(query) if query else ""
        result: list[dict[str, Any]] = self._call("/_replica/articles" + suffix)
        return result

    def publish(self, count: int = 1) -> list[str]:
        """Publish ``count`` new articles; their ids."""
        ids: list[str] = self._call(f"/_replica/publish?count={count}", "POST", b"")["article_ids"]
        return ids

    def stats(self) -> dict[str, Any]:
        """Hits per path kind, plus ``status`` and ``faults`` counters."""
        result: dict[str, Any] = self._call("/_replica/stats")
        return result

    def reset_stats(self) -> None:
        """Zero the counters."""
        self._call("/_replica/stats/reset", "POST", b"")

    def set_faults(self, spec: str, slow_seconds: float | None = None) -> dict[str, Any]:
        """Replace the fault spec (transient counts restart); the new fault state."""
        payload: dict[str, Any] = {"spec": spec}
        if slow_seconds is not None:
            payload["slow_seconds"] = slow_seconds
        result: dict[str, Any] = self._call("/_replica/faults", "POST", json.dumps(payload).encode())
        return result

    def faults(self) -> dict[str, Any]:
        """The current fault state."""
        result: dict[str, Any] = self._call("/_replica/faults")
        return result

    def stop(self) -> None:
        """Terminate the process (kill it if it does not exit)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        self._stderr_path.unlink(missing_ok=True)


def _read_url(process: subprocess.Popen[bytes], timeout: float) -> str | None:
    """Wait for the ``REPLICA_URL=`` line on stdout."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.1):
                if process.poll() is not None:
                    return None
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                return None
            buffer += chunk
            for line in buffer.decode(errors="replace").splitlines():
                if line.startswith(URL_PREFIX):
                    return line.removeprefix(URL_PREFIX).strip()
    return None


def run_replica(
    articles: int = 200,
    seed: int = 1,
    robots: bool = True,
    sitemap: bool = True,
    faults: str = "",
    slow_seconds: float | None = None,
    host: str = "127.0.0.1",
    startup_timeout: float = 120.0,
) -> Replica:
    """Start ``python -m tests.replica --port 0 ...`` from the repository root."""
    command = [
        sys.executable,
        "-m",
        "tests.replica",
        "--port",
        "0",
        "--host",
        host,
        "--articles",
        str(articles),
        "--seed",
        str(seed),
        "--robots" if robots else "--no-robots",
        "--sitemap" if sitemap else "--no-sitemap",
        "--faults",
        faults,
    ]
    if slow_seconds is not None:
        command += ["--slow-seconds", str(slow_seconds)]
    handle, name = tempfile.mkstemp(prefix="replica-", suffix=".stderr")
    stderr_path = Path(name)
    with os.fdopen(handle, "wb") as stderr:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=stderr)
    base_url = _read_url(process, startup_timeout)
    if base_url is None:
        process.kill()
        process.wait()
        detail = stderr_path.read_text(errors="replace")[-2000:]
        stderr_path.unlink(missing_ok=True)
        raise ReplicaError(f"replica did not start: {' '.join(command)}\n{detail}")
    return Replica(process, base_url, stderr_path)


def replica_fixture(scope: str = "session", **options: Any) -> Callable[..., Iterator[Replica]]:
    """A pytest fixture running one replica with ``run_replica(**options)``.

    Assign it in a conftest: ``replica = replica_fixture(articles=500)``.
    """
    import pytest  # only test code asks for fixtures

    def fixture() -> Iterator[Replica]:
        with run_replica(**options) as replica:
            yield replica

    return pytest.fixture(scope=scope)(fixture)  # type: ignore[call-overload]


def replica_factory_fixture(scope: str = "function") -> Callable[..., Iterator[Callable[..., Replica]]]:
    """A pytest fixture yielding ``start(**options) -> Replica``; all are stopped at teardown."""
    import pytest

    def fixture() -> Iterator[Callable[..., Replica]]:
        started: list[Replica] = []

        def start(**options: Any) -> Replica:
            replica = run_replica(**options)
            started.append(replica)
            return replica

        yield start
        for replica in started:
            replica.stop()

    return pytest.fixture(scope=scope)(fixture)  # type: ignore[call-overload]
