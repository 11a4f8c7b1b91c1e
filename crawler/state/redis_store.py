"""The seen-set on Redis, shared by several workers: each article delivered exactly once across all.

Used when ``STATE_BACKEND = "redis"``. Every worker (``STATE_WORKER_ID``, by default
``<hostname>:<STATE_DIR>``) publishes its own files in its own ``EXPORT_DIR``; what is
delivered, and who is delivering what right now, lives in Redis under ``STATE_REDIS_PREFIX``:

* ``<p>:delivered``  hash  article id → ``{h: content hash, t: published, f/l: first/last seen,
  p: path, o: output file, w: worker}``: the delivered-set;
* ``<p>:claims``     hash  article id → ``<worker>`` (claimed, in that worker's open batch) or
  ``<worker>\\t<file>`` (pinned: in a batch being published as ``<file>``);
* ``<p>:pending``    hash  ``<worker>\\t<file>`` → the batch's records, between the two phases;
* ``<p>:files``      hash  ``<worker>\\t<file>`` → when it was committed, how many articles;
* ``<p>:claimed:<worker>`` set of the articles that worker claimed (to release them);
* ``<p>:lock:<worker>`` the worker's lease (:mod:`crawler.state.redis_lock`), kept alive by a
  heartbeat while the process runs and gone ``STATE_LOCK_TTL`` seconds after it dies.

Why an article reaches exactly one published file (every step is one Lua script, so atomic):

1. **claim** (state pipeline, before an item joins a batch) succeeds only if the article is not
   delivered (or, in refresh mode, still has the content hash the pipeline compared against),
   is not pinned, and is not claimed by another worker whose lease is alive. A claim by a dead
   worker (lease expired) is taken over.
2. **begin_batch** (export pipeline, file written and fsynced under its hidden name) checks that
   this process still holds its worker's lease and still owns every claim of the batch, then
   pins them to the file. A process that lost its lease (stopped longer than the TTL, another
   process took over its worker) or a claim is refused: its batch is discarded, not published.
   Pinned claims never expire: the file may already be published on that worker's disk.
3. the file is renamed into place (atomic), then **commit_batch** moves the batch to
   ``delivered`` and drops the pins.
4. **recover** (at each start of that worker) settles its batches left pending: the file
   exists → commit; it does not → roll back (the articles become free again). It also releases
   the claims a previous process of the worker left unpinned.

A worker that dies loses nothing and duplicates nothing: its unpublished articles were only
claimed (free again once its lease expires, or at once when it restarts) or pinned (settled by
its own recover, which alone can see whether the file reached its disk). A worker whose host is
gone for good is settled the same way by running it once elsewhere with its ``STATE_WORKER_ID``
and (a copy of) its ``EXPORT_DIR``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from crawler.state.backends import redis_url, worker_id
from crawler.state.store import Counts, StateError, _epoch, content_hash
from crawler.urls import CANONICAL_ORIGIN

SCHEMA_VERSION = "1"

CLAIM = """
local record = redis.call('HGET', KEYS[1], ARGV[1])
local delivered = ''
if record then delivered = cjson.decode(record).h end
if delivered ~= ARGV[3] then return 0 end
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and owner ~= ARGV[2] then
  if string.find(owner, '\\t', 1, true) then return 0 end
  if redis.call('EXISTS', ARGV[4] .. owner) == 1 then return 0 end
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
"""

BEGIN = """
if ARGV[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[3] then
  return redis.error_reply('LEASE this worker lost its lease (it expired, or another process took the worker over)')
end
for i = 5, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[1] then
    return redis.error_reply('CLAIM article ' .. ARGV[i] .. ' is no longer claimed by this worker')
  end
end
local pin = ARGV[1] .. '\\t' .. ARGV[2]
for i = 5, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], pin) end
redis.call('HSET', KEYS[2], pin, ARGV[4])
return #ARGV - 4
"""

COMMIT = """
local pin = ARGV[1] .. '\\t' .. ARGV[2]
local batch = redis.call('HGET', KEYS[2], pin)
if not batch then return -1 end
local records = cjson.decode(batch)
for _, r in ipairs(records) do
  local id = r.id
  local old = redis.call('HGET', KEYS[3], id)
  if old then r.f = cjson.decode(old).f end
  r.id = nil
  r.o = ARGV[2]
  r.w = ARGV[1]
  redis.call('HSET', KEYS[3], id, cjson.encode(r))
  if redis.call('HGET', KEYS[1], id) == pin then redis.call('HDEL', KEYS[1], id) end
  redis.call('SREM', KEYS[5], id)
end
redis.call('HDEL', KEYS[2], pin)
redis.call('HSET', KEYS[4], pin, cjson.encode({c = tonumber(ARGV[3]), n = #records}))
return #records
"""

ROLLBACK = """
local pin = ARGV[1] .. '\\t' .. ARGV[2]
local batch = redis.call('HGET', KEYS[2], pin)
if not batch then return -1 end
local records = cjson.decode(batch)
for _, r in ipairs(records) do
  if redis.call('HGET', KEYS[1], r.id) == pin then redis.call('HDEL', KEYS[1], r.id) end
  redis.call('SREM', KEYS[3], r.id)
end
redis.call('HDEL', KEYS[2], pin)
return #records
"""

RELEASE = """
local mine = ARGV[1] .. '\\t'
local released = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local owner = redis.call('HGET', KEYS[1], id)
  if owner == ARGV[1] then
    redis.call('HDEL', KEYS[1], id)
    redis.call('SREM', KEYS[2], id)
    released = released + 1
  elseif not owner or string.sub(owner, 1, #mine) ~= mine then
    redis.call('SREM', KEYS[2], id)
  end
end
return released
"""

TOUCH = """
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return 0 end
local r = cjson.decode(record)
r.l = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(r))
return 1
"""


class Keys:
    """Every key this project writes, under ``STATE_REDIS_PREFIX``."""

    def __init__(self, prefix: str) -> None:
        if not prefix or any(c in prefix for c in "%\t\n "):
            raise StateError(f"STATE_REDIS_PREFIX must be non-empty, without %, spaces or tabs: {prefix!r}")
        self.prefix = prefix
        self.meta = f"{prefix}:meta"
        self.delivered = f"{prefix}:delivered"
        self.claims = f"{prefix}:claims"
        self.pending = f"{prefix}:pending"
        self.files = f"{prefix}:files"
        self.failures = f"{prefix}:failures"
        self.lock_prefix = f"{prefix}:lock:"
        self.busy_prefix = f"{prefix}:busy:"

    def claimed(self, worker: str) -> str:
        return f"{self.prefix}:claimed:{worker}"

    def lock(self, worker: str) -> str:
        return self.lock_prefix + worker

    def busy(self, worker: str) -> str:
        return self.busy_prefix + worker

    def frontier(self, frontier: str) -> str:
        """Base of a frontier's keys: ``…:requests`` (scrapy-redis queue), ``…:dupefilter``,
        ``…:members`` (workers crawling it)."""
        return f"{self.prefix}:frontier:{frontier}"


def keys_for(settings: Any) -> Keys:
    return Keys(str(settings.get("STATE_REDIS_PREFIX") or "alinea"))


def connect(settings: Any) -> Any:
    """A client for ``STATE_REDIS_URL`` (strings in, strings out), checked with a PING."""
    url = redis_url(settings)
    try:
        client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=10, socket_timeout=30, health_check_interval=30)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise StateError(f"cannot use Redis at {url} ({error})") from error
    return client


class RedisStore:
    """The delivered-set and the claims of one worker, on Redis (same interface as
    :class:`crawler.state.store.SeenStore`)."""

    def __init__(self, client: Any, keys: Keys, worker: str, lease: str = "") -> None:
        self.client = client
        self.keys = keys
        self.worker = worker
        self.lease = lease
        self._claim = client.register_script(CLAIM)
        self._begin = client.register_script(BEGIN)
        self._commit = client.register_script(COMMIT)
        self._rollback = client.register_script(ROLLBACK)
        self._release = client.register_script(RELEASE)
        self._touch = client.register_script(TOUCH)

    def close(self) -> None:
        self.client.close()

    # --- queries --------------------------------------------------------------------------------

    def _record(self, article_id: str) -> dict[str, Any] | None:
        raw = self.client.hget(self.keys.delivered, article_id)
        return json.loads(raw) if raw else None

    def is_known(self, article_id: str) -> bool:
        """Delivered by any worker (claimed or pending ones do not count)."""
        return bool(self.client.hexists(self.keys.delivered, article_id))

    def known_hash(self, article_id: str) -> tuple[bytes, int | None] | None:
        record = self._record(article_id)
        return (bytes.fromhex(record["h"]), record.get("t")) if record else None

    def delivered_ids(self) -> set[str]:
        return set(self.client.hkeys(self.keys.delivered))

    def counts(self) -> Counts:
        published = [json.loads(raw).get("t") for _, raw in self.client.hscan_iter(self.keys.delivered, count=1000)]
        moments = [t for t in published if t is not None]
        pending = sum(len(json.loads(raw)) for raw in self.client.hvals(self.keys.pending))

        def iso(epoch: int | None) -> str | None:
            return datetime.fromtimestamp(epoch).astimezone().isoformat() if epoch is not None else None

        return Counts(
            len(published),
            pending,
            int(self.client.hlen(self.keys.files)),
            iso(min(moments, default=None)),
            iso(max(moments, default=None)),
        )

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every delivered article, for ``scrapy state export`` (with the worker that published it)."""
        records = [(article_id, json.loads(raw)) for article_id, raw in self.client.hscan_iter(self.keys.delivered, count=1000)]
        records.sort(key=lambda pair: (pair[1].get("t") is not None, pair[1].get("t") or 0))
        for article_id, record in records:
            yield {
                "article_id": article_id,
                "canonical_url": CANONICAL_ORIGIN + record["p"],
                "content_hash": record["h"],
                "published_at": record.get("t"),
                "first_seen": record.get("f"),
                "last_seen": record.get("l"),
                "output_file": record.get("o"),
                "worker": record.get("w"),
            }

    def live_workers(self) -> list[str]:
        """Workers holding a lease right now."""
        return sorted(
            key.removeprefix(self.keys.lock_prefix) for key in self.client.scan_iter(match=self.keys.lock_prefix + "*", count=1000)
        )

    # --- delivery -------------------------------------------------------------------------------

    def claim(self, article_id: str, seen: bytes | None) -> bool:
        """Take ``article_id`` for this worker's next batch; ``False`` when it was delivered since
        (with another content than ``seen``), is being published, or a live worker holds it."""
        args = [article_id, self.worker, seen.hex() if seen else "", self.keys.lock_prefix]
        return bool(self._claim(keys=[self.keys.delivered, self.keys.claims, self.keys.claimed(self.worker)], args=args))

    def begin_batch(self, file_name: str, items: Iterable[dict[str, Any]]) -> None:
        """Phase 1: pin the batch's claims to ``file_name`` (refused without lease or claims)."""
        now = int(time.time())
        records = []
        for item in items:
            path = str(item["canonical_url"]).removeprefix(CANONICAL_ORIGIN)
            records.append(
                {
                    "id": item["article_id"],
                    "p": path,
                    "h": content_hash(item).hex(),
                    "t": _epoch(item.get("published_at")),
                    "f": now,
                    "l": now,
                }
            )
        args = [self.worker, file_name, self.lease, json.dumps(records, ensure_ascii=False), *(r["id"] for r in records)]
        try:
            self._begin(keys=[self.keys.claims, self.keys.pending, self.keys.lock(self.worker)], args=args)
        except redis.RedisError as error:  # refused, or Redis unreachable: either way not recorded as pending
            raise StateError(f"batch {file_name} refused: {error}") from error

    def commit_batch(self, file_name: str) -> None:
        """Phase 3: the file is published; its articles are delivered."""
        keys = [self.keys.claims, self.keys.pending, self.keys.delivered, self.keys.files, self.keys.claimed(self.worker)]
        try:
            self._commit(keys=keys, args=[self.worker, file_name, int(time.time())])
        except redis.RedisError as error:
            raise StateError(f"batch {file_name} not committed: {error}") from error

    def recover(self, export_dir: Path) -> tuple[int, int]:
        """Settle this worker's batches a crash left pending, release its stale claims:
        ``(committed, rolled back)`` file counts."""
        committed = rolled_back = 0
        for field in self.client.hkeys(self.keys.pending):
            worker, _, name = field.partition("\t")
            if worker != self.worker:
                continue
            if (export_dir / name).exists():
                self.commit_batch(name)
                committed += 1
            else:
                self._rollback(keys=[self.keys.claims, self.keys.pending, self.keys.claimed(self.worker)], args=[self.worker, name])
                rolled_back += 1
        self._release(keys=[self.keys.claims, self.keys.claimed(self.worker)], args=[self.worker])
        return committed, rolled_back

    def record_failure(self, article_id: str, path: str, reason: str) -> None:
        """An article this run could not deliver: the next runs (any worker) fetch it again first."""
        now = int(time.time())
        old = self.client.hget(self.keys.failures, article_id)
        record = json.loads(old) if old else {"first": now, "attempts": 0}
        record.update(path=path, reason=reason[:500], attempts=record["attempts"] + 1, last=now)
        self.client.hset(self.keys.failures, article_id, json.dumps(record))

    def retry_paths(self, max_attempts: int, max_age_days: float) -> list[str]:
        """Paths of failed articles still worth another try (not delivered since, not given up)."""
        oldest = time.time() - max_age_days * 86400
        paths = []
        for article_id, raw in self.client.hgetall(self.keys.failures).items():
            record = json.loads(raw)
            key = article_id.decode() if isinstance(article_id, bytes) else article_id
            if record["attempts"] < max_attempts and record["first"] >= oldest and not self.is_known(key):
                paths.append(record["path"])
        return paths

    def touch(self, article_id: str) -> None:
        self._touch(keys=[self.keys.delivered], args=[article_id, int(time.time())])

    # --- maintenance ----------------------------------------------------------------------------

    def forget_before(self, day: datetime) -> int:
        """Forget delivered articles published before ``day``; returns how many."""
        cutoff = int(day.timestamp())
        old = [aid for aid, raw in self.client.hscan_iter(self.keys.delivered, count=1000) if (json.loads(raw).get("t") or cutoff) < cutoff]
        for start in range(0, len(old), 1000):
            self.client.hdel(self.keys.delivered, *old[start : start + 1000])
        return len(old)

    def reset(self) -> None:
        claimed = list(self.client.scan_iter(match=f"{self.keys.prefix}:claimed:*", count=1000))
        self.client.delete(self.keys.delivered, self.keys.files, self.keys.pending, self.keys.claims, self.keys.failures, *claimed)

    def is_empty(self) -> bool:
        return not self.client.exists(self.keys.files, self.keys.pending, self.keys.delivered)

    def rebuild(self, export_dir: Path) -> int:
        """Add every article of this worker's published files to the delivered-set (the other
        workers' files add theirs when they run it): after a Redis loss, or to move from SQLite."""
        total = 0
        now = int(time.time())
        for output in sorted(export_dir.glob("*.jsonl")):
            if output.name.startswith("."):
                continue
            records = {}
            for line in output.read_text(encoding="utf-8").splitlines():
                try:
                    item = json.loads(line)
                    path = str(item["canonical_url"]).removeprefix(CANONICAL_ORIGIN)
                    records[item["article_id"]] = json.dumps(
                        {"p": path, "h": content_hash(item).hex(), "t": _epoch(item.get("published_at")), "f": now, "l": now}
                        | {"o": output.name, "w": self.worker}
                    )
                except (ValueError, KeyError, TypeError):
                    continue  # a line a consumer mangled: skip it, keep the rest
            if records:
                self.client.hset(self.keys.delivered, mapping=records)
            self.client.hset(self.keys.files, f"{self.worker}\t{output.name}", json.dumps({"c": now, "n": len(records)}))
            total += len(records)
        self.client.hsetnx(self.keys.meta, "schema_version", SCHEMA_VERSION)
        return total


def open_redis_store(settings: Any, *, export_dir: Path | None = None) -> RedisStore:
    """The shared store, refusing to start from an empty Redis when this worker's
    ``export_dir`` already holds published output (Redis lost its data: ``scrapy state rebuild``)."""
    client = connect(settings)
    keys = keys_for(settings)
    store = RedisStore(client, keys, worker_id(settings), str(settings.get("STATE_REDIS_LEASE") or ""))
    if not client.exists(keys.meta):
        if export_dir is not None and any(export_dir.glob("*.jsonl")):
            store.close()
            raise StateError(
                f"Redis at {redis_url(settings)} holds no state under {keys.prefix}:* but {export_dir} holds published "
                f"output: run `scrapy state rebuild` on every worker to rebuild it from their output files, or "
                f"`scrapy state reset --yes` to deliver everything again"
            )
        client.hsetnx(keys.meta, "schema_version", SCHEMA_VERSION)
    return store
