"""Typed audits parked on disk while a round is processed.

The workers validate and score; each valid audit (every answer and comment) is written here, and the
worker returns only the small scored result. The main process reads one audit back at a time, for the
long answers sheet of the tidy workbook and for the provider reports, so its memory does not grow with
the size of the round.

The folder is private to the run (``tempfile.mkdtemp``, mode 0700) and removed at the end; only this
process and its workers write to it, so reading it back with ``pickle`` trusts nothing from outside.
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

from auditkit.validation.models import Audit


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

    def __enter__(self) -> SpoolWriter:
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
        folder = Path(tempfile.mkdtemp(prefix="auditkit-spool-"))
        try:
            yield cls(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

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
        audit = pickle.loads(data)  # noqa: S301 - written by this run, in its own private folder
        if not isinstance(audit, Audit):
            raise TypeError(f"spool part {where.part} does not hold an audit")
        return audit
