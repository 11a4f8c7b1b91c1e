"""One run at a time: an advisory ``flock`` that the kernel releases when the process dies."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class RunLock:
    """Exclusive lock on ``<directory>/alinea.lock``; a crashed run can never leave it stuck."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "alinea.lock"
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another live process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        """The pid written by the process holding the lock (for the error message)."""
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
