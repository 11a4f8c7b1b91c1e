"""Per-worker run lock on Redis: a lease with a heartbeat, and membership of a shared frontier.

The lock of worker ``W`` is the key ``<prefix>:lock:W`` (``SET NX PX STATE_LOCK_TTL``); a daemon
thread refreshes it every third of the TTL while the process lives. So a second process of the
same worker is refused (exit status 3), and a killed worker cannot block forever: its lease
expires after the TTL, or at once when it restarts on the same host and finds the recorded pid
gone. Other workers use the lease to tell whether a claim's owner is alive
(:mod:`crawler.state.redis_store`).

Taking the lock for a crawl also joins the spider's *frontier*: the scrapy-redis request queue
and dupefilter shared by every worker crawling that spider with the same arguments (so a
backfill and the latest-mode rounds never mix their requests). The dupefilter of scrapy-redis
assumes one crawl session; here a session lasts while workers are crawling the frontier. The
worker that finds no other live member starts a new session: in the same atomic step it empties
the frontier's queue and dupefilter, so each scheduled round re-reads the listings and retries
what an earlier round lost, while workers that join a running round share its dupefilter.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

import redis

from crawler.state.backends import redis_url, worker_id
from crawler.state.redis_store import connect, keys_for
from crawler.state.store import StateError

logger = logging.getLogger(__name__)

STARTING_BUSY_MS = 15_000
"""A worker counts as busy while it starts, so the others do not close before it has crawled."""

ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[6] then return -1 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if ARGV[5] == '' then return 2 end
local alone = 1
for _, member in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if member ~= ARGV[4] then
    local lease = redis.call('GET', ARGV[3] .. member)
    if lease and cjson.decode(lease).frontier == ARGV[5] then alone = 0 else redis.call('SREM', KEYS[3], member) end
  end
end
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SET', KEYS[2], 'starting', 'PX', ARGV[7])
if alone == 1 then redis.call('DEL', KEYS[4], KEYS[5]) end
return alone
"""

REFRESH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""

RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[2])
return 1
"""


def frontier_id(spider: str, spider_args: Mapping[str, str] | None) -> str:
    """``alinea`` for a plain run, ``alinea-<digest>`` with spider arguments (scrapyd's own
    ``_job``/``_version`` left out): workers share a frontier only when they crawl alike.

    >>> frontier_id("alinea", {"_job": "42"})
    'alinea'
    >>> frontier_id("alinea", {"since": "2024-01-01"}) == frontier_id("alinea", {"since": "2024-01-01", "_job": "7"})
    True
    """
    args = {key: value for key, value in (spider_args or {}).items() if not key.startswith("_")}
    if not args:
        return spider
    return f"{spider}-{hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()[:10]}"


class RedisRunLock:
    """The lease of this worker (``STATE_WORKER_ID``) on ``STATE_REDIS_URL``.

    Settings: ``STATE_REDIS_URL``, ``STATE_REDIS_PREFIX``, ``STATE_WORKER_ID``,
    ``STATE_LOCK_TTL`` (seconds, default 60).
    """

    def __init__(self, settings: Any, spider: str | None = None, spider_args: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.keys = keys_for(settings)
        self.worker = worker_id(settings)
        self.ttl_ms = max(int(settings.getfloat("STATE_LOCK_TTL", 60) * 1000), 1000)
        self.frontier = frontier_id(spider, spider_args) if spider else ""
        self.path = f"{redis_url(settings)} key {self.keys.lock(self.worker)}"
        self.value = ""
        self.new_session = False
        self.lost = threading.Event()
        self.client: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def frontier_base(self) -> str:
        return self.keys.frontier(self.frontier)

    def acquire(self) -> bool:
        """Take the lease without waiting; ``False`` when a live process of this worker holds it."""
        self.client = connect(self.settings)
        value = json.dumps(
            {
                "token": secrets.token_hex(8),
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "frontier": self.frontier,
                "since": int(time.time()),
            }
        )
        try:
            result = self._acquire(value, stale="")
            if result < 0:
                stale = self._stale_on_this_host()
                if stale is None or (result := self._acquire(value, stale)) < 0:
                    return False
                logger.warning("took over the lease of worker %s from a process of it that died (%s)", self.worker, stale)
        except redis.RedisError as error:
            raise StateError(f"cannot take the lease of worker {self.worker} on {redis_url(self.settings)} ({error})") from error
        self.value = value
        self.new_session = result == 1
        if self.frontier:
            logger.info(
                "worker %s %s frontier %s",
                self.worker,
                "starts a new session of" if self.new_session else "joins the running session of",
                self.frontier,
            )
        self._thread = threading.Thread(target=self._heartbeat, name="state-lease", daemon=True)
        self._thread.start()
        return True

    def _acquire(self, value: str, stale: str) -> int:
        base = self.frontier_base
        script = self.client.register_script(ACQUIRE)
        keys = [self.keys.lock(self.worker), self.keys.busy(self.worker), f"{base}:members", f"{base}:requests", f"{base}:dupefilter"]
        args = [value, self.ttl_ms, self.keys.lock_prefix, self.worker, self.frontier, stale, STARTING_BUSY_MS]
        return int(script(keys=keys, args=args))

    def _stale_on_this_host(self) -> str | None:
        """The current lease if it was taken by a process of this host that is gone."""
        current = self.client.get(self.keys.lock(self.worker))
        if not current:
            return ""  # expired meanwhile
        try:
            holder = json.loads(current)
            pid = int(holder["pid"])
        except (ValueError, KeyError, TypeError):
            return None
        if holder.get("host") != socket.gethostname():
            return None
        if pid == os.getpid():
            return str(current)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return str(current)
        except PermissionError:
            return None
        return None

    def _heartbeat(self) -> None:
        refresh = self.client.register_script(REFRESH)
        interval = self.ttl_ms / 3000
        while not self._stop.wait(interval):
            try:
                held = refresh(keys=[self.keys.lock(self.worker)], args=[self.value, self.ttl_ms])
            except redis.RedisError as error:
                logger.warning("could not refresh the lease of worker %s: %s", self.worker, error)
                continue
            if not held:
                logger.error("worker %s lost its lease (expired or taken over): its next batch will be refused", self.worker)
                self.lost.set()
                return

    def holder(self) -> str:
        """``<pid> on <host> since <time>`` of the process holding the lease (for the message)."""
        try:
            current = self.client.get(self.keys.lock(self.worker)) if self.client is not None else None
            holder = json.loads(current) if current else {}
        except (redis.RedisError, ValueError):
            return "?"
        if not holder:
            return "?"
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(holder.get("since", 0)))
        return f"{holder.get('pid')} on {holder.get('host')} since {since}"

    def others(self) -> list[str]:
        """Other workers holding a lease now (maintenance refuses to change the state under them)."""
        prefix = self.keys.lock_prefix
        return sorted(
            k.removeprefix(prefix) for k in self.client.scan_iter(match=prefix + "*", count=1000) if k != self.keys.lock(self.worker)
        )

    def crawl_settings(self) -> dict[str, Any]:
        """What the crawl needs: the lease (fencing token for the store), and scrapy-redis'
        scheduler and dupefilter on this frontier's keys."""
        base = self.frontier_base
        return {
            "STATE_WORKER_ID": self.worker,
            "STATE_REDIS_LEASE": self.value,
            "STATE_REDIS_FRONTIER": self.frontier,
            "SCHEDULER": "crawler.state.redis_frontier.Scheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "REDIS_URL": redis_url(self.settings),
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_FLUSH_ON_START": False,
            "SCHEDULER_QUEUE_KEY": f"{base}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{base}:dupefilter",
            "EXTENSIONS": {"crawler.state.redis_frontier.FrontierPresence": 450},
        }

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.client is None:
            return
        if self.value:
            base = self.frontier_base
            script = self.client.register_script(RELEASE)
            try:
                script(keys=[self.keys.lock(self.worker), self.keys.busy(self.worker), f"{base}:members"], args=[self.value, self.worker])
            except redis.RedisError as error:
                logger.warning("could not release the lease of worker %s (it expires by itself): %s", self.worker, error)
            self.value = ""
        self.client.close()
        self.client = None
