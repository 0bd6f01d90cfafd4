"""Typed audits parked on disk while a round is processed.

The workers validate and score; each valid audit (every answer and comment) is written here, and the
worker returns only the small scored result. The main process reads one audit back at a time, for the
long answers sheet of the tidy workbook and for the provider reports, so its memory does not grow with
the size of the round.

The folder is private to the run (``tempfile.mkdtemp``, mode 0700, named after the run's process id) and
removed at the end; only this process and its workers write to it, so reading it back with ``pickle``
trusts nothing from outside. The texts in it are already redacted (validation redacts them), but a
spool is still a copy of every audit: :func:`cleanup` removes this process's spools (signal handlers
call it), and every new spool first removes the leftovers of runs whose process is gone (a SIGKILL).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from auditkit.interrupt import process_alive
from auditkit.validation.models import Audit

PREFIX = "auditkit-spool-"
_LIVE: dict[Path, int] = {}  # spools created by this process → its pid (forked workers never remove them)


def remove_leftovers(root: Path | None = None) -> list[Path]:
    """Remove spools of runs that no longer exist (killed with SIGKILL, power loss); return them.

    Only folders named ``auditkit-spool-<pid>-…``, owned by this user, whose process is gone.
    """
    root = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        entries = list(root.glob(PREFIX + "*"))
    except OSError:
        return removed
    for folder in entries:
        pid_text = folder.name[len(PREFIX):].split("-", 1)[0]
        try:
            st = folder.lstat()
        except OSError:
            continue
        if not pid_text.isdigit() or st.st_uid != os.getuid() or not folder.is_dir() or folder.is_symlink():
            continue
        if int(pid_text) != os.getpid() and not process_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextlib.contextmanager
def _terminate_unwinds() -> Iterator[None]:
    """While a spool exists, SIGTERM that nobody else handles unwinds like Ctrl+C (exit status 143), so
    the spool's ``finally`` removes it. A handler installed by the caller is left alone (it calls
    :func:`cleanup`); forked workers inherit the handler but never remove their parent's spool."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def cleanup() -> None:
    """Remove every spool this process created and has not removed yet (safe to call from a signal handler
    path and more than once; a forked worker never removes its parent's spool)."""
    for folder, owner in list(_LIVE.items()):
        if owner == os.getpid():
            shutil.rmtree(folder, ignore_errors=True)
            _LIVE.pop(folder, None)


@dataclass(frozen=True)
class Parked:
    """Where one audit waits: a part file of the spool and the byte range in it."""

    part: str
    offset: int
    length: int


class SpoolWriter:
    """Appends audits to one part file; one writer per worker task, so writers never share a file."""

    def __init__(self, folder: Path) -> None:
        fd, name = tempfile.mkstemp(prefix="part-", suffix=".pickle", dir=folder)
        self._file = os.fdopen(fd, "wb")
        self.part = Path(name).name

    def put(self, audit: Audit) -> Parked:
        data = pickle.dumps(audit, protocol=pickle.HIGHEST_PROTOCOL)
        offset = self._file.tell()
        self._file.write(data)
        return Parked(self.part, offset, len(data))

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Spool:
    """A folder of parked audits and, in the main process, the index file name → :class:`Parked`."""

    folder: Path
    index: dict[str, Parked] = field(default_factory=dict)

    @classmethod
    @contextlib.contextmanager
    def temporary(cls) -> Iterator[Spool]:
        remove_leftovers()
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))  # mode 0700: private to this user
        _LIVE[folder] = os.getpid()
        try:
            with _terminate_unwinds():
                yield cls(folder)
        finally:
            if _LIVE.get(folder) == os.getpid():
                shutil.rmtree(folder, ignore_errors=True)
                _LIVE.pop(folder, None)

    def writer(self) -> SpoolWriter:
        return SpoolWriter(self.folder)

    def load(self, file: str) -> Audit:
        """The audit of ``file`` (KeyError if it was not parked).

        Each load opens the part anew, so a forked child and its parent never share a file position.
        """
        where = self.index[file]
        with (self.folder / where.part).open("rb") as fh:
            fh.seek(where.offset)
            data = fh.read(where.length)
        if len(data) != where.length:
            raise OSError(f"spool part {where.part} is shorter than expected")
        audit = pickle.loads(data)  # written by this run, in its own private folder
        if not isinstance(audit, Audit):
            raise TypeError(f"spool part {where.part} does not hold an audit")
        return audit
