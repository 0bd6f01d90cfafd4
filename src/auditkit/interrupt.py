"""SIGINT and SIGTERM stop a run cleanly: an exception unwinds it, so every ``finally`` removes what the
run made (staging folder, spool) and the worker processes are ended before the command exits.

Worker processes ignore SIGINT (Ctrl+C reaches the whole process group; the parent decides) and die with
their parent even when it is killed outright (Linux ``PR_SET_PDEATHSIG``), so no process outlives the
command.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import threading
from collections.abc import Iterator

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A stop signal arrived; the exit code is 128 + the signal number (130 SIGINT, 143 SIGTERM).

    A BaseException but not a KeyboardInterrupt: no ``except Exception`` swallows it, and click does not
    turn it into its own "Aborted!" with exit code 1.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_committed = False  # the run's outputs are in place: a later stop no longer undoes anything


def committed() -> bool:
    """Whether this process has already put its outputs in place (a stop after that only ends the command)."""
    return _committed


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Run the block with the stop signals held back (in the main thread): one arriving meanwhile is
    delivered when the block ends, in ordinary code, where :func:`stoppable` turns it into
    :class:`Interrupted`."""
    main = threading.current_thread() is threading.main_thread()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if main else None
    try:
        yield
    finally:
        if old is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def commit() -> Iterator[None]:
    """Run the block that puts the outputs in place with the stop signals held back, then note that it
    happened: a stop arriving meanwhile is delivered after the block, so it can never leave the outputs
    half-replaced nor be reported as "previous outputs unchanged" once they were replaced."""
    global _committed
    with held():
        yield
        _committed = True


@contextlib.contextmanager
def stoppable() -> Iterator[None]:
    """While the block runs, SIGINT and SIGTERM raise :class:`Interrupted` in the main thread; once one
    has arrived, further ones are ignored so that the cleanup on the way out is not cut short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    owner = os.getpid()

    def stop(signum: int, frame: object) -> None:
        if os.getpid() != owner:  # a worker forked a moment ago, before its initializer ran
            os._exit(128 + signum)
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def worker_init(parent: int | None = None) -> None:
    """Initializer of every worker process: leave stopping to the parent, die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # held by the parent while it started the pool
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the parent dies, however it dies
    if parent is not None and os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
