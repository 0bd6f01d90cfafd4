"""auditkit.workers: one interface for work in this process and in a pool of worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from auditkit.workers import InProcess, Pool, chunks, default_jobs, workers


def square_all(ctx: int, chunk: list[int]) -> list[int]:
    """A task: the chunk's numbers squared plus the context; 13 is refused; 99 kills its worker."""
    if 99 in chunk:
        os._exit(3)
    if 13 in chunk:
        raise ValueError("thirteen")
    return [n * n + ctx for n in chunk]


def context_and_pid(ctx: str, chunk: list[int]) -> list[tuple[str, int]]:
    return [(ctx, os.getpid()) for _ in chunk]


def outcome(pairs) -> list:
    return [(chunk, got if not isinstance(got, Exception) else (type(got).__name__, str(got))) for chunk, got in pairs]


@pytest.mark.parametrize("jobs", [1, 2])
def test_both_sides_yield_every_chunk_in_order_with_its_result_or_its_error(jobs):
    items = chunks(list(range(20)), jobs)
    seen = []
    with workers(100, jobs) as pool:
        got = outcome(pool.map(square_all, items, before=seen.append))
    assert isinstance(pool, InProcess if jobs == 1 else Pool)
    assert seen == items  # each chunk's turn told before its result, in order
    assert [c for c, _ in got] == items
    for chunk, result in got:
        assert result == (("ValueError", "thirteen") if 13 in chunk else [n * n + 100 for n in chunk])


def test_in_process_and_pool_give_the_same_outcomes():
    items = chunks(list(range(40)), 2)
    with workers(7, 1) as one, workers(7, 2) as two:
        assert outcome(one.map(square_all, items)) == outcome(two.map(square_all, items))


def test_the_context_reaches_each_worker_once_and_the_tasks_run_there():
    with workers("ctx", 2) as pool:
        got = [r for _, rs in pool.map(context_and_pid, [[1]] * 8) for r in rs]
    assert {c for c, _ in got} == {"ctx"}
    assert os.getpid() not in {p for _, p in got} and len({p for _, p in got}) <= 2
    with workers("ctx", 1) as here:
        assert [r for _, rs in here.map(context_and_pid, [[1]]) for r in rs] == [("ctx", os.getpid())]


def test_a_worker_that_dies_fails_its_chunk_not_the_stage():
    with workers(0, 2) as pool:
        got = list(pool.map(square_all, [[1], [99], [2]]))
    assert got[0] == ([1], [1])
    assert isinstance(got[1][1], BrokenProcessPool)  # and the chunks after it, which the pool can no longer run
    assert all(isinstance(r, BrokenProcessPool) or r == [4] for _, r in got[2:])


def test_leaving_the_block_by_an_exception_ends_the_workers_at_once():
    with pytest.raises(KeyError), workers(0, 2) as pool:
        processes = list(pool._executor._processes.values())
        assert len(processes) == 2 and all(p.is_alive() for p in processes)  # started when the pool opened
        raise KeyError("stop")
    for p in processes:  # bounded: the pool's own thread may be collecting a worker's exit at this moment
        p.join(timeout=5)
    assert all(_ended(p) for p in processes)


def _ended(process: Any) -> bool:
    """The worker runs no more: gone, or exited and not yet collected. Asked of the system, not of the
    Process object: when another thread of the pool collects the exit first, is_alive() still says True."""
    stat = Path(f"/proc/{process.pid}/stat")
    if not Path("/proc/self/stat").exists():  # no /proc: the object's own word
        return not process.is_alive()
    try:
        state = stat.read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_a_pool_never_forks_while_another_thread_runs():
    """With a thread of the caller running, the workers are spawned afresh: same results."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        with workers(1, 2) as pool:
            assert pool.start_method == "spawn"
            assert outcome(pool.map(square_all, [[2], [3]])) == [([2], [5]), ([3], [10])]
    finally:
        stop.set()
        thread.join()
    with workers(1, 2) as pool:
        assert pool.start_method == "fork"


def test_summarize_forks_only_from_a_single_thread(tmp_path):
    """The real run with the command line's progress bar: every fork happens while one thread runs."""
    script = textwrap.dedent(f"""
        import os, threading
        forks = []
        os.register_at_fork(before=lambda: forks.append(threading.active_count()))
        from pathlib import Path
        from auditkit.paths import sample_audits_dir
        from auditkit.pipeline import run_summary
        from auditkit.render import progress_bar
        with progress_bar("cs") as listen:
            run_summary([sample_audits_dir()], Path({str(tmp_path / 'out')!r}), "cs", jobs=2, events=listen)
        print(forks)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    forks = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(forks) >= 6 and set(forks) == {1}  # three pools (workbooks, round outputs, reports) of two workers


@pytest.mark.parametrize(("n", "heavy", "want"), [(1, False, 1), (39, False, 1), (3, True, 1)])
def test_small_rounds_run_in_process(n, heavy, want):
    assert default_jobs(n, heavy=heavy) == want


def test_chunks_cover_the_items_in_order():
    for n in (0, 1, 7, 100, 1001):
        for jobs in (1, 2, 4):
            parts = chunks(list(range(n)), jobs)
            assert [i for p in parts for i in p] == list(range(n))
            assert all(1 <= len(p) <= 4 for p in parts)
