"""Which state backend a run uses, behind one interface: SQLite (default) or Redis.

``STATE_BACKEND = "sqlite"`` keeps the seen-set in ``STATE_DIR/alinea.sqlite3`` and the run
lock in ``STATE_DIR/alinea.lock`` (one host). ``STATE_BACKEND = "redis"`` keeps both, plus the
scheduler queue and the request dupefilter (scrapy-redis), on the Redis at ``STATE_REDIS_URL`` so
that several ``scrapy crawl alinea`` workers share one frontier and one delivered-set (see
:mod:`crawler.state.redis_store` for how exactly-once holds across them).

Nothing here imports Redis: the Redis modules are imported only when the backend is ``redis``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from scrapy.settings import SETTINGS_PRIORITIES

from crawler.state.store import Counts, SeenStore, StateError, state_path
from crawler.state.store import open_store as open_sqlite_store

BACKENDS = ("sqlite", "redis")


class Store(Protocol):
    """What the spider, the pipelines and ``scrapy state`` ask of a seen-set."""

    def known_hash(self, article_id: str) -> tuple[bytes, int | None] | None: ...
    def is_known(self, article_id: str) -> bool: ...
    def claim(self, article_id: str, seen: bytes | None) -> bool: ...
    def begin_batch(self, file_name: str, items: Iterable[dict[str, Any]]) -> None: ...
    def commit_batch(self, file_name: str) -> None: ...
    def recover(self, export_dir: Path) -> tuple[int, int]: ...
    def touch(self, article_id: str) -> None: ...
    def record_failure(self, article_id: str, path: str, reason: str) -> None: ...
    def retry_paths(self, max_attempts: int, max_age_days: float) -> list[str]: ...
    def delivered_ids(self) -> set[str]: ...
    def counts(self) -> Counts: ...
    def rows(self) -> Iterator[dict[str, Any]]: ...
    def forget_before(self, day: datetime) -> int: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


class RunLockLike(Protocol):
    """One run per state (SQLite: per ``STATE_DIR``; Redis: per worker)."""

    @property
    def path(self) -> Path | str: ...
    def acquire(self) -> bool: ...
    def holder(self) -> str: ...
    def release(self) -> None: ...


def backend(settings: Any) -> str:
    """``STATE_BACKEND``: ``sqlite`` or ``redis``."""
    name = str(settings.get("STATE_BACKEND") or "sqlite").strip().lower()
    if name not in BACKENDS:
        raise StateError(f"STATE_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")
    return name


def shares_frontier(settings: Any) -> bool:
    """Workers share the scheduler queue (scrapy-redis): requests must carry only data that
    can be serialized and executed by any worker."""
    return backend(settings) == "redis"


def worker_id(settings: Any) -> str:
    """``STATE_WORKER_ID``, by default ``<hostname>:<absolute STATE_DIR>``: unique per host and
    state folder, and the same every time that worker is started again."""
    explicit = str(settings.get("STATE_WORKER_ID") or "").strip()
    name = explicit or f"{socket.gethostname()}:{state_path(settings).parent.resolve()}"
    if any(c in name for c in "\t\n\r"):
        raise StateError(f"STATE_WORKER_ID must not contain tabs or newlines: {name!r}")
    return name


def _redis() -> tuple[Any, Any]:
    """The Redis modules, imported only now, with a clear error when the
    ``redis`` extra is not installed."""
    try:
        from crawler.state import redis_lock, redis_store
    except ImportError as error:
        raise StateError(f"STATE_BACKEND = 'redis' needs the redis extra: pip install 'alinea-crawler[redis]' ({error})") from error
    return redis_store, redis_lock


def open_store(settings: Any, *, export_dir: Path | None = None, check: bool = False) -> Store:
    """Open the configured store; refuses to start from nothing when ``export_dir`` already
    holds published output (a lost state must never silently re-deliver the whole site)."""
    if backend(settings) == "redis":
        redis_store, _ = _redis()
        store: Store = redis_store.open_redis_store(settings, export_dir=export_dir)
        return store
    return open_sqlite_store(settings, export_dir=export_dir, check=check)


def existing_store(settings: Any) -> Store | None:
    """The store for readers (the spider skipping known articles), or ``None`` when there is no
    state yet. Never creates one."""
    if backend(settings) == "redis":
        return open_store(settings)
    path = state_path(settings)
    return SeenStore(path) if path.exists() else None


def run_lock(settings: Any, spider: str | None = None, spider_args: Mapping[str, str] | None = None) -> RunLockLike:
    """The run lock. With Redis and a ``spider``, taking it also joins that spider's shared
    frontier for these spider arguments (see :mod:`crawler.state.redis_lock`)."""
    if backend(settings) == "redis":
        _, redis_lock = _redis()
        lock: RunLockLike = redis_lock.RedisRunLock(settings, spider=spider, spider_args=spider_args)
        return lock
    from crawler.state.lock import RunLock

    return RunLock(state_path(settings).parent)


def crawl_settings(lock: RunLockLike) -> dict[str, Any]:
    """Settings a crawl needs from its lock (Redis: the lease, the frontier's scheduler keys)."""
    settings = getattr(lock, "crawl_settings", None)
    return settings() if callable(settings) else {}


def location(settings: Any) -> str:
    """Where the state lives, for messages."""
    if backend(settings) == "redis":
        return f"{redis_url(settings)} (keys {settings.get('STATE_REDIS_PREFIX') or 'alinea'}:*)"
    return str(state_path(settings))


def redis_url(settings: Any) -> str:
    return str(settings.get("STATE_REDIS_URL") or "redis://127.0.0.1:6379/0")


# --- scrapyd ------------------------------------------------------------------------------------


def deploy_defaults(settings: Any, spider_args: Mapping[str, str]) -> Path | None:
    """Under scrapyd, put relative ``STATE_DIR``/``EXPORT_DIR`` defaults in a stable folder.

    scrapyd starts every job in its own working directory with the project's egg on the path,
    so ``state/`` and ``output/`` relative to it would land wherever scrapyd was started. A job
    is recognised by the ``_job`` argument scrapyd passes; unless ``schedule.json`` gave the
    setting (``setting=EXPORT_DIR=/srv/alinea/output``), both go under ``DEPLOY_DATA_DIR``,
    by default ``$XDG_DATA_HOME/alinea-crawler/<scrapyd project>`` (``~/.local/share/…``).
    Returns that folder, or ``None`` outside scrapyd.
    """
    if "_job" not in spider_args:
        return None
    explicit = str(settings.get("DEPLOY_DATA_DIR") or "").strip()
    if explicit:
        data = Path(explicit).expanduser()
    else:
        home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        data = Path(home) / "alinea-crawler" / (os.environ.get("SCRAPY_PROJECT") or "default")
    for name, folder in (("STATE_DIR", "state"), ("EXPORT_DIR", "output")):
        given = settings.getpriority(name) or 0
        if given <= SETTINGS_PRIORITIES["project"] and not Path(str(settings.get(name))).is_absolute():
            settings.set(name, str(data / folder), priority="project")
    return data
