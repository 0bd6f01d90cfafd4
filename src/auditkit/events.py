"""What a run reports while it works: plain values handed to a listener, never printed by the pipeline.

``summarize`` goes through stages; each begins with :class:`StageStarted` (with the number of steps when it
has them) and ends with :class:`StageFinished`. Inside the ``workbooks`` stage every workbook is
:class:`FileStarted`, then :class:`FileDone` (included, warnings allowed) or :class:`FileRejected` (errors);
inside ``summary_pdf`` each edition and inside ``reports`` every provider report is :class:`OutputDone` or
:class:`OutputFailed`. The command line
draws them with rich (``render.progress_bar``); a library caller passes any callable, or none.

Events are emitted by the process that runs the command, in the order of the work (a pool's files are
told as their chunk comes back), so a listener needs no lock and no thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Stage = Literal["previous", "workbooks", "replies", "summary", "tidy", "json", "summary_pdf", "opendata", "reports"]


@dataclass(frozen=True)
class StageStarted:
    stage: Stage
    total: int | None = None  # the steps of the stage (files, reports), None when it has none to count


@dataclass(frozen=True)
class StageFinished:
    stage: Stage


@dataclass(frozen=True)
class FileStarted:
    file: str  # the name the file's result carries (its path as found)


@dataclass(frozen=True)
class FileDone:
    file: str
    warnings: int = 0


@dataclass(frozen=True)
class FileRejected:
    file: str
    errors: int


@dataclass(frozen=True)
class OutputDone:
    stage: Stage
    name: str  # the file written, relative to --out


@dataclass(frozen=True)
class OutputFailed:
    stage: Stage
    name: str


Event = StageStarted | StageFinished | FileStarted | FileDone | FileRejected | OutputDone | OutputFailed
Listener = Callable[[Event], None]


def ignore(event: Event) -> None:
    """The listener of a caller that wants no progress."""
