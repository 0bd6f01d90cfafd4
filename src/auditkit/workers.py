"""Where a stage's work runs: in this process or in a pool of worker processes, behind one interface.

A stage hands :func:`workers` a *context* (what every task needs: the questionnaire, the language, the
spool…) and then runs a task function over chunks of work with :meth:`Workers.map`. The task function is
called as ``task(context, chunk)`` on both sides, and each chunk's outcome is yielded in the order of the
chunks, as its result or as the exception it raised, so the stage has one code path whatever the number of
jobs. The context reaches each worker once, when the pool starts, not with every chunk.

**No fork while a thread runs.** A pool forks its workers at once when it is opened (the fork start
method: ~0.2 s for two workers, which inherit the imported modules and the loaded definitions). Forking
copies only the calling thread, so a lock held by another thread (a progress bar's refresh thread, a
library's logging thread) would stay locked in the child forever; the command line draws progress from
the main thread (``render.progress_bar``) so no other thread exists. Should a library caller run threads
of its own, the pool spawns fresh interpreters instead (about 3 s more on two cores, see docs/performance.md),
never forking this process.

The workers ignore SIGINT and die with this process (``interrupt.worker_init``); a pool left by an
exception (a signal, an error) ends its workers at once instead of finishing their queue.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

C = TypeVar("C")  # the context of a stage
T = TypeVar("T")  # a chunk of work
R = TypeVar("R")  # a chunk's result

Task = Callable[[C, T], R]


def default_jobs(n_items: int, *, heavy: bool = False) -> int:
    """Processes pay above a few dozen workbooks (or a few reports, ``heavy``); never more than the cores."""
    return 1 if n_items < (4 if heavy else 40) else max(1, min(os.cpu_count() or 1, 4))


def chunks(items: Sequence[T], jobs: int, per_job: int = 8, most: int = 4) -> list[list[T]]:
    """``items`` in chunks small enough that the workers finish together (about ``per_job`` per worker,
    at most ``most`` items each) and large enough to pay for sending them; the same on both sides."""
    size = max(1, min(most, len(items) // (jobs * per_job)))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class Workers(ABC, Generic[C]):
    """Runs ``task(context, chunk)`` over chunks; :meth:`map` yields ``(chunk, result or exception)``."""

    jobs: int

    @abstractmethod
    def map(self, task: Task[C, T, R], items: Sequence[T],
            before: Callable[[T], None] | None = None) -> Iterator[tuple[T, R | Exception]]:
        """Each chunk of ``items`` with its result or the exception its task raised, in the order of
        ``items``; ``before(chunk)`` is called as the chunk's turn comes (here: before its task runs; in a
        pool: before its result is awaited). A :class:`BaseException` that is not an ``Exception`` (a stop
        signal) is never caught."""


class InProcess(Workers[C]):
    """The tasks run here, one after the other, as the results are asked for (so progress is live)."""

    jobs = 1

    def __init__(self, context: C) -> None:
        self.context = context

    def map(self, task: Task[C, T, R], items: Sequence[T],
            before: Callable[[T], None] | None = None) -> Iterator[tuple[T, R | Exception]]:
        for item in items:
            if before is not None:
                before(item)
            try:
                yield item, task(self.context, item)
            except Exception as exc:  # noqa: BLE001 - handed to the stage, as a pool hands a worker's
                yield item, exc


_context: Any = None  # a worker's context, installed once by its initializer


def _install(context: Any, parent: int) -> None:
    from auditkit.interrupt import worker_init

    global _context
    worker_init(parent)
    _context = context


def _run(task: Task[Any, T, R], item: T) -> R:
    return task(_context, item)


def _nothing() -> None:
    return None


class Pool(Workers[C]):
    """``jobs`` worker processes holding the stage's context; the tasks are sent to them all at once."""

    def __init__(self, context: C, jobs: int) -> None:
        import multiprocessing  # here: a run in one process never loads the pool's modules
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        method = "fork" if threading.active_count() == 1 else "spawn"
        self.start_method = method
        self._executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                                             initializer=_install, initargs=(context, os.getpid()))
        from auditkit.interrupt import held

        try:
            # the fork method starts every worker now, from this one thread; a stop signal is held back
            # meanwhile: arriving inside the interpreter's after-fork handlers it would be printed as
            # "Exception ignored" with a traceback and lost, instead of stopping the run
            with held():
                self._executor.submit(_nothing)
        except BaseException:  # a stop signal while they start (delivered as the block ends): none is left behind
            self.end()
            raise

    def map(self, task: Task[C, T, R], items: Sequence[T],
            before: Callable[[T], None] | None = None) -> Iterator[tuple[T, R | Exception]]:
        futures: list[tuple[T, Future[R]]] = [(item, self._executor.submit(_run, task, item)) for item in items]
        for item, future in futures:
            if before is not None:
                before(item)
            try:
                yield item, future.result()
            except Exception as exc:  # noqa: BLE001 - a task's error, or a worker that died (BrokenProcessPool)
                yield item, exc

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def end(self) -> None:
        """Stop now: pending work cancelled, every worker terminated (killed if it lingers) and reaped."""
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            with contextlib.suppress(Exception):
                p.terminate()
        for p in processes:
            with contextlib.suppress(Exception):
                p.join(timeout=3)
                if p.is_alive():
                    p.kill()
                    p.join(timeout=3)


@contextlib.contextmanager
def workers(context: C, jobs: int) -> Iterator[Workers[C]]:
    """In this process for one job, else a pool of ``jobs`` processes (closed when the block ends, ended at
    once when it is left by an exception).

    Before a fork the heap is frozen: the garbage collector never walks what was there, so the workers
    neither copy those pages nor spend time on them (~10 %).
    """
    if jobs <= 1:
        yield InProcess(context)
        return
    gc.freeze()
    try:
        pool = Pool(context, jobs)
        try:
            yield pool
        except BaseException:
            pool.end()
            raise
        else:
            pool.close()
    finally:
        gc.unfreeze()
