"""``scrapy state``: look after the seen-set of delivered articles.

scrapy state show                     counts, oldest and newest article
scrapy state export [FILE]            the seen-set as JSON Lines (stdout by default)
scrapy state forget --before DATE     forget articles published before DATE (YYYY-MM-DD)
scrapy state reset --yes              forget everything: the next run delivers all again
scrapy state rebuild                  rebuild the seen-set from the published output files

With ``STATE_BACKEND = "redis"`` the state is shared by every worker: ``show`` and ``export``
cover all of them (and ``show`` lists the live workers), ``rebuild`` adds this worker's output
files to the delivered-set (run it on every worker after Redis lost its data, or to move a
host from SQLite to Redis), and ``forget``, ``reset`` and ``rebuild`` refuse to run while
another worker holds its lease.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler import exitcodes
from crawler.state.backends import backend, location, open_store, run_lock
from crawler.state.store import SeenStore, StateError, state_path


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 (the base class declares it so)

    def syntax(self) -> str:
        return "show | export [FILE] | forget --before YYYY-MM-DD | reset --yes | rebuild"

    def short_desc(self) -> str:
        return "Show, export, prune, reset or rebuild the crawl state"

    def long_desc(self) -> str:
        return __doc__ or ""

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--before", help="forget: a YYYY-MM-DD date")
        parser.add_argument("--yes", action="store_true", help="reset: confirm")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if not args:
            raise UsageError("which action? " + self.syntax())
        assert self.settings is not None
        action, rest = args[0], args[1:]
        try:
            lock = run_lock(self.settings)
        except StateError as error:
            print(f"state error: {error}")
            self.exitcode = exitcodes.STATE_ERROR
            return
        try:
            if action != "show" and action != "export":
                if not lock.acquire():
                    print(f"a crawl (pid {lock.holder()}) is running; try again when it is done")
                    self.exitcode = exitcodes.LOCKED
                    return
                others = getattr(lock, "others", None)
                running = others() if callable(others) else []
                if running:
                    print(f"other workers are crawling ({', '.join(running)}); try again when they are done")
                    self.exitcode = exitcodes.LOCKED
                    return
            self._run(action, rest, opts)
        except StateError as error:
            print(f"state error: {error}")
            self.exitcode = exitcodes.STATE_ERROR
        finally:
            lock.release()

    def _run(self, action: str, rest: list[str], opts: argparse.Namespace) -> None:
        """One action on the configured store (SQLite file, or the Redis store the workers share)."""
        assert self.settings is not None
        export_dir = Path(self.settings.get("EXPORT_DIR", "output"))
        where = location(self.settings)
        shared = backend(self.settings) == "redis"
        if action == "rebuild" and not shared:
            path = state_path(self.settings)
            print(f"rebuilt {path}: {rebuild(path, export_dir)} articles from {export_dir}")
            return
        store = open_store(self.settings) if shared else SeenStore(state_path(self.settings), check=True)
        try:
            if action == "rebuild":
                print(f"added {store.rebuild(export_dir)} articles from {export_dir} to {where}")  # type: ignore[attr-defined]
            elif action == "show":
                counts = store.counts()
                print(f"state: {where}")
                print(f"delivered articles: {counts.delivered} in {counts.files} files")
                print(f"pending (in flight): {counts.pending}")
                print(f"published between: {counts.oldest} and {counts.newest}")
                if shared:
                    print(f"workers crawling now: {', '.join(store.live_workers()) or 'none'}")  # type: ignore[attr-defined]
            elif action == "export":
                out = open(rest[0], "w", encoding="utf-8") if rest else sys.stdout  # noqa: SIM115
                for row in store.rows():
                    out.write(json.dumps(row, ensure_ascii=False) + "\n")
                if rest:
                    out.close()
            elif action == "forget":
                if not opts.before:
                    raise UsageError("forget needs --before YYYY-MM-DD")
                day = datetime.fromisoformat(opts.before).astimezone()
                print(f"forgot {store.forget_before(day)} articles published before {opts.before}")
            elif action == "reset":
                if not opts.yes:
                    raise UsageError("reset forgets every delivered article; confirm with --yes")
                store.reset()
                print(f"reset {where}: the next runs deliver every article they find again")
            else:
                raise UsageError(f"unknown action {action!r}: " + self.syntax())
        finally:
            store.close()


def rebuild(path: Path, export_dir: Path) -> int:
    """Recreate the state from the published output files (each file one delivered batch)."""
    if path.exists():
        backup = path.with_suffix(path.suffix + ".broken")
        path.replace(backup)
        for suffix in ("-wal", "-shm"):
            sidecar = Path(str(path) + suffix)
            if sidecar.exists():
                sidecar.unlink()
    store = SeenStore(path)
    total = 0
    try:
        for output in sorted(export_dir.glob("*.jsonl")):
            if output.name.startswith("."):
                continue
            items = []
            for line in output.read_text(encoding="utf-8").splitlines():
                try:
                    items.append(json.loads(line))
                except ValueError:
                    continue  # a line a consumer mangled: skip it, keep the rest
            store.begin_batch(output.name, items)
            store.commit_batch(output.name)
            total += len(items)
    finally:
        store.close()
    return total
