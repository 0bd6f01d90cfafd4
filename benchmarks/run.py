#!/usr/bin/env python
"""auditkit benchmarks: every figure is measured in one run, next to its baseline, and printed as a ratio.

    python benchmarks/run.py            # full run (N = 10, 100, 500, 1000; several minutes)
    python benchmarks/run.py --quick    # smoke run (N = 10, 50; well under two minutes)

Workbooks are generated with ``auditkit.samples`` (``varied_profile(i)`` + ``write_audit``) into a work folder
(a temporary one unless ``--workdir`` is given, in which case they are kept and reused by later runs). One pool
of workbooks is generated for the largest size; the folder of each size N hard-links the first N of them.

Nothing here asserts on time: a missing piece (a module not written yet, a failing command) prints ``n/a`` with
the first line of its error and the run goes on. See docs/performance.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

try:  # the installed package, else the source tree next to this script
    import auditkit  # noqa: F401
except ImportError:
    sys.path.insert(0, str(SRC))
    import auditkit  # noqa: F401

PKG_PARENT = Path(auditkit.__file__).resolve().parent.parent  # what the child processes must import too

LANG = "cs"

# Targets from the issue "Fast at every realistic scale".
TARGET_PROCESS_RATIO = 2.0  # auditkit validate DIR vs a bare calamine process over the same folder
TARGET_SUMMARIZE_S = 10.0  # summarize of 1000 workbooks with --jobs 2
TARGET_REPORT_RATIO = 1.5  # provider report vs a bare ReportLab document of the same size
TARGET_HELP_S = 0.3  # auditkit --help
TARGET_LINEARITY = 1.3  # marginal cost per workbook at the largest N / at the middle N


# ------------------------------------------------------------------------------------------------ output


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def print(self) -> None:
        print(f"\n### {self.title}\n", flush=True)
        if self.rows:
            widths = [max(len(str(x)) for x in col) for col in zip(self.header, *self.rows)]
            line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
            print(line(self.header))
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
            for r in self.rows:
                print(line(r))
        for n in self.notes:
            print(f"\n{n}")
        sys.stdout.flush()


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None  # None: could not be measured


RESULTS: dict[str, Any] = {}  # raw figures, written with --json
TARGETS: list[Target] = []


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def first_line(exc: BaseException | str) -> str:
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return (lines[0] if lines else "error")[:160]


def na(err: BaseException | str) -> str:
    return f"n/a ({first_line(err)})"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    v = seconds * 1000
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}"


def sec(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.2f}"


def ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f}"


def _times(fn: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    return statistics.median(_times(fn, repeat))


def best_time(fn: Callable[[], Any], repeat: int) -> float:
    """Fastest of ``repeat`` passes: the least disturbed by other work on the machine."""
    return min(_times(fn, repeat))


def machine() -> list[str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    from importlib import metadata

    versions = []
    for dist in ("python-calamine", "openpyxl", "lxml", "pandas", "reportlab", "pydantic", "PyYAML", "typer"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} (not installed)")
    with contextlib.suppress(Exception):
        import yaml

        versions.append("libyaml " + ("yes" if getattr(yaml, "__with_libyaml__", False) else "no"))
    return [
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}),"
        f" {model}{mem}",
        f"python: {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}",
        f"auditkit {getattr(auditkit, '__version__', '?')} from {Path(auditkit.__file__).parent}",
        "libraries: " + ", ".join(versions),
    ]


# ------------------------------------------------------------------------------------------------ children


@dataclass
class Child:
    wall: float
    rc: int
    maxrss_kib: int  # largest resident set of the child and of its (waited-for) descendants
    stderr: str
    cpu: float = 0.0  # user + system seconds of the child and its (waited-for) descendants

    def error(self) -> str:
        lines = [ln for ln in self.stderr.splitlines() if ln.strip()]
        for ln in lines:
            if "failed" in ln or "Error" in ln or "error" in ln:
                return first_line(ln)
        return first_line(lines[0]) if lines else f"exit code {self.rc}"


# Child processes run with a bytecode cache, as an installed package has: PYTHONDONTWRITEBYTECODE (set in
# some sandboxes) would make every start-up recompile auditkit from source. The cache lives outside the
# source tree (PYTHONPYCACHEPREFIX), so nothing is written under src/.
PYCACHE = Path(tempfile.gettempdir()) / "auditkit-bench-pycache"


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PKG_PARENT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("COLUMNS", "120")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def load() -> str:
    with contextlib.suppress(OSError):
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "load average n/a"


# A small launcher measures the child: ru_maxrss of a process forked from this (large) benchmark process would
# include this process's own resident set (the kernel keeps the pre-exec high-water mark), so the command is
# spawned from a fresh, small interpreter which reports wall time, exit status and the child's wait4 rusage.
LAUNCHER = """
import os, sys, time
res, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(res, "w") as f:
    f.write(f"{wall!r} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)} {ru.ru_utime + ru.ru_stime!r}")
"""


def run_child(cmd: Sequence[str], cwd: Path | None = None) -> Child:
    """Run a command, stdout discarded; wall time, exit code and peak RSS (of it and its waited-for children)."""
    exe = cmd[0] if os.path.isabs(cmd[0]) else (shutil.which(cmd[0]) or cmd[0])
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory(prefix="auditkit-bench-run-") as d:
        res = Path(d) / "result"
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(res), exe, *cmd[1:]],
                              stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                              env=child_env(), cwd=cwd, check=False)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
        if not res.exists():
            return Child(wall=float("nan"), rc=proc.returncode or 1, maxrss_kib=0, cpu=0.0,
                         stderr=text or f"launcher failed ({proc.returncode})")
        wall, rss, rc, cpu = res.read_text().split()
    return Child(wall=float(wall), rc=int(rc), maxrss_kib=int(rss), stderr=text, cpu=float(cpu))


def cli_cmd() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m auditkit.cli``."""
    script = Path(sys.executable).parent / "auditkit"
    if script.exists() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "auditkit.cli"]


BARE_CALAMINE_SCRIPT = """
import sys, pathlib, python_calamine as pc
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.xlsx")):
    wb = pc.CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    wb.close()
    n += 1
print(n)
"""


# ------------------------------------------------------------------------------------------------ workbooks

_GEN_Q = None


def _gen_chunk(folder: str, indexes: list[int]) -> int:
    global _GEN_Q
    from auditkit.questionnaire.loader import default_questionnaire
    from auditkit.samples import varied_profile, write_audit

    if _GEN_Q is None:
        _GEN_Q = default_questionnaire()
    for i in indexes:
        write_audit(_GEN_Q, varied_profile(i), Path(folder) / f"ad_{i:05d}.xlsx", LANG)
    return len(indexes)


def _generator_key() -> str:
    """Generated workbooks are reused only while the questionnaire and the generating code are unchanged."""
    from auditkit.questionnaire.loader import default_questionnaire

    q = default_questionnaire()
    h = hashlib.sha256(f"{q.id} {q.version} {LANG}".encode())
    pkg = Path(auditkit.__file__).parent
    for rel in ("samples.py", "excel/fill.py", "excel/template.py", "excel/layout.py"):
        with contextlib.suppress(OSError):
            h.update((pkg / rel).read_bytes())
    for f in sorted(Path(q_dir()).rglob("*")) if q_dir() else []:
        if f.is_file():
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def q_dir() -> Path | None:
    with contextlib.suppress(Exception):
        from auditkit.paths import questionnaires_dir

        return questionnaires_dir()
    return None


class Workbooks:
    """A pool of generated workbooks and one folder per size (hard links to the first N of the pool)."""

    def __init__(self, workdir: Path, jobs: int) -> None:
        self.workdir = workdir
        self.pool = workdir / "pool"
        self.jobs = jobs
        self.generated = 0
        self.gen_seconds = 0.0
        key = _generator_key()
        stamp = workdir / "generator.key"
        if self.pool.exists() and (not stamp.exists() or stamp.read_text().strip() != key):
            log("generator changed: discarding cached workbooks")
            shutil.rmtree(self.pool)
            for d in workdir.glob("n*"):
                shutil.rmtree(d, ignore_errors=True)
        self.pool.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key + "\n")

    def ensure(self, n: int) -> None:
        missing = [i for i in range(n) if not (self.pool / f"ad_{i:05d}.xlsx").exists()]
        if not missing:
            return
        log(f"generating {len(missing)} workbooks into {self.pool} ({self.jobs} processes) …")
        t = time.perf_counter()
        if self.jobs > 1 and len(missing) > 8:
            size = max(1, len(missing) // (self.jobs * 8))
            chunks = [missing[i : i + size] for i in range(0, len(missing), size)]
            with ProcessPoolExecutor(max_workers=self.jobs) as pool:
                for fut in [pool.submit(_gen_chunk, str(self.pool), c) for c in chunks]:
                    fut.result()
        else:
            _gen_chunk(str(self.pool), missing)
        dt = time.perf_counter() - t
        self.generated += len(missing)
        self.gen_seconds += dt
        log(f"generated {len(missing)} workbooks in {dt:.1f} s")

    def folder(self, n: int) -> Path:
        """A folder holding exactly the first n workbooks."""
        self.ensure(n)
        d = self.workdir / f"n{n}"
        want = {f"ad_{i:05d}.xlsx" for i in range(n)}
        if d.exists() and {p.name for p in d.iterdir()} == want:
            return d
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for name in sorted(want):
            try:
                os.link(self.pool / name, d / name)
            except OSError:
                shutil.copy2(self.pool / name, d / name)
        return d

    def files(self, n: int) -> list[Path]:
        return sorted(self.folder(n).glob("*.xlsx"))


# ------------------------------------------------------------------------------------------------ 1. read


def calamine_read(path: Path) -> None:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    wb.close()


def bench_read(wbs: Workbooks, n: int, n_pandas: int, repeat: int) -> None:
    files = wbs.files(n)
    folder = wbs.folder(n)
    sec_ = Section(
        f"Read + validate, in one process ({n} workbooks, best of {repeat} passes; pandas on {n_pandas})",
        ["reader", "ms / workbook", "× calamine", "× auditkit validate"],
    )
    rows: dict[str, float | str] = {}

    def measure(label: str, per_file: Callable[[Path], Any] | None, subset: list[Path],
                whole: Callable[[], Any] | None = None) -> None:
        try:
            (per_file or (lambda p: None))(subset[0])  # warm-up: imports, registry, first-use caches
            if whole is not None:
                whole()
                t = best_time(whole, repeat)
            else:
                t = best_time(lambda: [per_file(p) for p in subset], repeat)
            rows[label] = t / len(subset)
        except Exception as exc:  # noqa: BLE001
            rows[label] = na(exc)

    measure("python-calamine, every sheet to_python() (floor)", calamine_read, files)

    def read_wb(p: Path) -> None:
        from auditkit.excel.reader import read_workbook

        read_workbook(p)

    measure("auditkit read_workbook (container checks + calamine + normalise)", read_wb, files)

    def validate_dir() -> None:
        from auditkit.validation.batch import validate_paths

        res = validate_paths([folder], LANG)
        bad = [r for r in res if r.status != "valid"]
        if bad:
            raise RuntimeError(f"{len(bad)} generated workbooks not valid, e.g. {bad[0].file}: "
                               f"{bad[0].findings[0].code if bad[0].findings else '?'}")

    def validate_one(p: Path) -> None:
        from auditkit.validation.batch import validate_paths

        validate_paths([p], LANG)

    measure("auditkit validate_paths (read + validate)", validate_one, files, whole=validate_dir)

    def pandas_read(p: Path) -> None:
        import pandas as pd

        pd.read_excel(p, sheet_name=None, engine="openpyxl")

    measure("pandas.read_excel(sheet_name=None, engine=\"openpyxl\")", pandas_read, files[:n_pandas])

    floor = rows.get("python-calamine, every sheet to_python() (floor)")
    val = rows.get("auditkit validate_paths (read + validate)")
    floor = floor if isinstance(floor, float) else None
    val = val if isinstance(val, float) else None
    for label, t in rows.items():
        if isinstance(t, float):
            sec_.rows.append([label, ms(t), ratio(t, floor), ratio(t, val)])
        else:
            sec_.rows.append([label, t, "", ""])
    RESULTS["read"] = {k: v for k, v in rows.items()}
    sec_.print()


# ------------------------------------------------------------------------------------------------ 2. process


def bench_process(wbs: Workbooks, n: int, repeat: int) -> None:
    folder = wbs.folder(n)
    s = Section(
        f"Whole process over a folder of {n} workbooks (start-up included, median of {repeat} runs)",
        ["command", "wall s", "ms / workbook", "CPU s", "peak RSS MiB", "× bare (wall)", "× bare (CPU)"],
    )
    bare_cmd = [sys.executable, "-c", BARE_CALAMINE_SCRIPT, str(folder)]
    cmd = [*cli_cmd(), "validate", str(folder)]
    run_child(bare_cmd)  # warm-up: page cache, bytecode cache
    run_child([*cli_cmd(), "validate", str(wbs.files(1)[0])])
    bare, runs = [], []
    for _ in range(repeat):  # interleaved, so that both see the same load on the machine
        bare.append(run_child(bare_cmd))
        runs.append(run_child(cmd))
    bare_t = statistics.median(c.wall for c in bare)
    s.rows.append(["python -c <bare calamine read of every sheet>", sec(bare_t), ms(bare_t / n),
                   sec(statistics.median(c.cpu for c in bare)), mib(max(c.maxrss_kib for c in bare)), "1.00×", "1.00×"])
    bad = [r for r in runs if r.rc not in (0, 1) or "auditkit failed" in r.stderr]
    if bad:
        s.rows.append(["auditkit validate DIR", na(bad[0].error()), "", "", "", "", ""])
        TARGETS.append(Target("validate DIR vs bare calamine process", f"≤ {TARGET_PROCESS_RATIO:g}×", "n/a", None))
    else:
        t = statistics.median(r.wall for r in runs)
        s.rows.append(["auditkit validate DIR", sec(t), ms(t / n), sec(statistics.median(r.cpu for r in runs)),
                       mib(max(r.maxrss_kib for r in runs)), ratio(t, bare_t),
                       ratio(statistics.median(r.cpu for r in runs), statistics.median(c.cpu for c in bare))])
        if any(r.rc == 1 for r in runs):
            s.notes.append("note: validate exited 1 (some generated workbook has errors).")
        # the target is set for 500 workbooks: with fewer, start-up (~0.2 s against ~0.02 s) dominates
        met = t / bare_t <= TARGET_PROCESS_RATIO if n >= 500 else None
        TARGETS.append(Target(f"`auditkit validate DIR` ({n} wb) vs bare calamine process",
                              f"≤ {TARGET_PROCESS_RATIO:g}× at 500 wb", ratio(t, bare_t), met))
        RESULTS["process"] = {"n": n, "bare_s": bare_t, "validate_s": t}
    s.notes.append(f"command: {' '.join(cli_cmd())} validate DIR")
    rss = []
    for m in sorted({1, 10, n // 10, n} - {0}):
        if m == n and runs:
            rss.append((m, max(r.maxrss_kib for r in runs)))
        else:
            rss.append((m, run_child([*cli_cmd(), "validate", str(wbs.folder(m))]).maxrss_kib))
    s.notes.append("peak RSS of `validate` by number of workbooks: "
                   + ", ".join(f"{m}: {mib(k)} MiB" for m, k in rss))
    RESULTS.setdefault("process", {})["validate_rss_by_n"] = dict(rss)
    s.print()


# ------------------------------------------------------------------------------------------------ 3. summarize


def summarize_run(folder: Path, jobs: int, workdir: Path, reports: bool = False) -> tuple[Child, str | None]:
    out = workdir / f"out_{folder.name}_j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    child = run_child([*cli_cmd(), "summarize", str(folder), "--out", str(out), "--jobs", str(jobs),
                       *([] if reports else ["--no-reports"])])
    failed = child.rc not in (0, 1) or "auditkit failed" in child.stderr or not (out / "summary.json").exists()
    if reports and not failed and len(list((out / "reports").glob("*.pdf"))) != len(list(folder.glob("*.xlsx"))):
        failed = True
    shutil.rmtree(out, ignore_errors=True)
    return child, (child.error() if failed else None)


def bench_with_reports(wbs: Workbooks, n: int, workdir: Path) -> None:
    """summarize with one provider report per service: the reports are written in parallel."""
    s = Section(f"summarize with provider reports, whole process (N = {n}, one run each)",
                ["jobs", "wall s", "ms / service", "CPU s", "peak RSS MiB", "speed-up"])
    folder = wbs.folder(n)
    walls: dict[int, float] = {}
    for jobs in (1, 2):
        log(f"summarize N={n} --jobs {jobs} with reports")
        child, err = summarize_run(folder, jobs, workdir, reports=True)
        if err:
            s.rows.append([str(jobs), na(err), "", "", "", ""])
            continue
        walls[jobs] = child.wall
        s.rows.append([str(jobs), sec(child.wall), ms(child.wall / n), sec(child.cpu), mib(child.maxrss_kib),
                       f"{walls[1] / child.wall:.2f}×" if 1 in walls else ""])
    RESULTS["with_reports"] = {"n": n, **{str(j): w for j, w in walls.items()}}
    s.notes.append("Each report is written whole by one worker (the typed audit read back from the spool), so "
                   "the files are the same whatever the number of jobs.")
    s.print()


def bench_summarize(wbs: Workbooks, sizes: list[int], workdir: Path) -> None:
    s = Section(
        "summarize --no-reports, whole process (one run each; summary.pdf + summary.xlsx + summary.json)",
        ["N", "jobs", "wall s", "workbooks / s", "ms / workbook", "marginal ms / wb", "CPU s", "peak RSS MiB"],
    )
    got: dict[tuple[int, int], Child] = {}
    summarize_run(wbs.folder(min(sizes)), 1, workdir)  # warm-up: bytecode cache, page cache
    for jobs in (1, 2):
        prev: tuple[int, float] | None = None
        for n in sizes:
            folder = wbs.folder(n)
            log(f"summarize N={n} --jobs {jobs}")
            child, err = summarize_run(folder, jobs, workdir)
            if err:
                s.rows.append([str(n), str(jobs), na(err), "", "", "", "", ""])
                prev = None
                continue
            got[(n, jobs)] = child
            marginal = (child.wall - prev[1]) / (n - prev[0]) if prev else None
            s.rows.append([str(n), str(jobs), sec(child.wall), f"{n / child.wall:.0f}", ms(child.wall / n),
                           ms(marginal) if marginal is not None else "–", sec(child.cpu), mib(child.maxrss_kib)])
            prev = (n, child.wall)
    RESULTS["summarize"] = {f"{n}/{j}": {"wall": c.wall, "maxrss_kib": c.maxrss_kib} for (n, j), c in got.items()}
    big = max(sizes)
    c2 = got.get((big, 2))
    if big >= 1000:
        TARGETS.append(Target(f"summarize {big} workbooks, --jobs 2", f"≤ {TARGET_SUMMARIZE_S:g} s",
                              sec(c2.wall) + " s" if c2 else "n/a",
                              (c2.wall <= TARGET_SUMMARIZE_S) if c2 else None))
    if len(sizes) >= 3:
        for jobs in (1, 2):
            a, b, c = (got.get((n, jobs)) for n in sizes[-3:])
            n0, n1, n2 = sizes[-3:]
            if not (a and b and c):
                TARGETS.append(Target(f"summarize grows linearly (--jobs {jobs})", "marginal ms/wb ratio ≤ "
                                      f"{TARGET_LINEARITY:g}", "n/a (a size failed)", None))
            else:
                m1 = (b.wall - a.wall) / (n1 - n0)
                m2 = (c.wall - b.wall) / (n2 - n1)
                s.notes.append(f"growth, --jobs {jobs}: marginal cost {ms(m1)} ms/wb ({n0}→{n1}) vs "
                               f"{ms(m2)} ms/wb ({n1}→{n2}): ratio {m2 / m1:.2f} (1.00 = linear; judged on "
                               "the three largest sizes: up to 40 services the summary PDF has one annex page "
                               "per service, which makes a small round dearer per workbook)")
                TARGETS.append(Target(f"summarize grows linearly (--jobs {jobs})",
                                      f"marginal ms/wb {n1}→{n2} ≤ {TARGET_LINEARITY:g}× {n0}→{n1}",
                                      f"{m2 / m1:.2f}×", m2 / m1 <= TARGET_LINEARITY))
    for jobs in (1, 2):
        rss = [got[(n, jobs)].maxrss_kib for n in sizes if (n, jobs) in got]
        if len(rss) != len(sizes) and max(sizes) >= 1000:
            TARGETS.append(Target(f"summarize peak memory flat in N (--jobs {jobs})", "RSS at the largest N ≤ "
                                  "1.5× the smallest", "n/a (a size failed)", None))
        elif len(rss) == len(sizes):
            s.notes.append(f"peak RSS, --jobs {jobs}: {' → '.join(mib(r) for r in rss)} MiB for N = "
                           f"{', '.join(map(str, sizes))} (should be flat)")
            TARGETS.append(Target(f"summarize peak memory flat in N (--jobs {jobs})",
                                  f"RSS at N={sizes[-1]} ≤ 1.5× N={sizes[0]}",
                                  f"{mib(rss[0])} → {mib(rss[-1])} MiB", rss[-1] <= 1.5 * rss[0]))
    s.notes.append("CPU s is user + system time of the command and its workers (wait4). Only validation and "
                   "scoring run in the workers; the outputs are written by the main process, so with 2 jobs "
                   "wall > CPU / 2. CPU s close to wall with 1 job means nothing else competed for the core. "
                   "Peak RSS is ru_maxrss from wait4: the largest single process (the CLI or one worker), "
                   "not the sum of the workers.")
    s.print()


def bench_phases(wbs: Workbooks, n: int, workdir: Path) -> None:
    """Where summarize's time goes at size n, in this process (jobs 1), phase by phase."""
    s = Section(f"summarize phases in one process, N = {n} (jobs 1, no provider reports)",
                ["phase", "s", "ms / workbook", "share"])
    folder = wbs.folder(n)
    phases: list[tuple[str, float | str]] = []
    out = workdir / "phases"
    out.mkdir(exist_ok=True)
    try:
        from auditkit.pipeline import process_files, questionnaire_of
        from auditkit.spool import Spool
        from auditkit.summary import summarize_round, summary_json

        spool = Spool(out / "spool")
        spool.folder.mkdir(exist_ok=True)
        t = time.perf_counter()
        results, scored = process_files([folder], LANG, 1, spool=spool)
        phases.append(("validate + score + park the audits (process_files)", time.perf_counter() - t))
        t = time.perf_counter()
        q = questionnaire_of(scored)
        summary = summarize_round(q, scored, results)
        phases.append(("summarize_round (statistics)", time.perf_counter() - t))
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["process_files / summarize_round", na(exc), "", ""])
        s.print()
        return
    def step(label: str, fn: Callable[[], Any]) -> None:
        try:
            t = time.perf_counter()
            fn()
            phases.append((label, time.perf_counter() - t))
        except Exception as exc:  # noqa: BLE001
            phases.append((label, na(exc)))

    def tidy() -> None:
        from auditkit.tidy import write_tidy

        write_tidy(summary, spool.load, q, LANG, out / "summary.xlsx")

    def js() -> None:
        with (out / "summary.json").open("w", encoding="utf-8") as fh:
            json.dump(summary_json(summary), fh, ensure_ascii=False, indent=2, default=str)

    def pdf() -> None:
        from auditkit.reports.summary_pdf import write_summary_pdf

        write_summary_pdf(summary, q, LANG, out / "summary.pdf")

    step("write_tidy (summary.xlsx, audits read back from the spool)", tidy)
    step("summary_json + json.dump", js)
    step("write_summary_pdf (summary.pdf)", pdf)
    total = sum(t for _, t in phases if isinstance(t, float))
    for label, t in phases:
        if isinstance(t, float):
            s.rows.append([label, sec(t), ms(t / n), f"{100 * t / total:.0f} %"])
        else:
            s.rows.append([label, t, "", ""])
    s.rows.append(["total", sec(total), ms(total / n), ""])
    RESULTS["phases"] = {"n": n, **{k: v for k, v in phases}}
    shutil.rmtree(out, ignore_errors=True)
    s.print()


# ------------------------------------------------------------------------------------------------ 4. reports


@contextlib.contextmanager
def capture_story() -> Iterator[list[list[Any]]]:
    """Record the flowables every ReportLab build is given (auditkit's own code is not touched)."""
    from reportlab.platypus.doctemplate import BaseDocTemplate

    original = BaseDocTemplate.build
    stories: list[list[Any]] = []

    def build(self, flowables, *a, **kw):
        stories.append(list(flowables))
        return original(self, flowables, *a, **kw)

    BaseDocTemplate.build = build
    try:
        yield stories
    finally:
        BaseDocTemplate.build = original


def _walk(f: Any) -> Iterator[Any]:
    from reportlab.platypus import KeepTogether, Table

    if isinstance(f, (list, tuple)):
        for x in f:
            yield from _walk(x)
        return
    yield f
    if isinstance(f, KeepTogether):
        yield from _walk(getattr(f, "_content", []))
    elif isinstance(f, Table):
        for row in f._cellvalues:
            for cell in row:
                if not isinstance(cell, str):
                    yield from _walk(cell)


def story_counts(story: list[Any]) -> dict[str, int]:
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import Paragraph, Table

    counts = {"paragraphs": 0, "tables": 0, "drawings": 0}
    for f in _walk(story):
        if isinstance(f, Paragraph):
            counts["paragraphs"] += 1
        elif isinstance(f, Table):
            counts["tables"] += 1
        elif isinstance(f, Drawing):
            counts["drawings"] += 1
    return counts


def bare_story(story: list[Any], font: str, charts: bool) -> list[Any]:
    """The same document in plain ReportLab: same paragraph texts, same table shapes and column widths,
    the same chart Drawings (or none), one plain style, one font."""
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    body = ParagraphStyle("bare", fontName=font, fontSize=9, leading=11.5)
    style = TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def conv(f: Any) -> Any:
        if isinstance(f, Paragraph):
            return Paragraph(escape(f.getPlainText()), body)
        if isinstance(f, Table):
            data = [[cell(c) for c in row] for row in f._cellvalues]
            t = Table(data, colWidths=getattr(f, "_argW", None), repeatRows=getattr(f, "repeatRows", 0))
            t.setStyle(style)
            return t
        if isinstance(f, Drawing):
            return f if charts else Spacer(1, 1)
        if isinstance(f, KeepTogether):
            return KeepTogether([conv(x) for x in getattr(f, "_content", [])])
        if isinstance(f, (list, tuple)):
            return [conv(x) for x in f]
        return copy.copy(f)  # spacers, page breaks, other plain flowables

    def cell(c: Any) -> Any:
        if c is None or isinstance(c, str):
            return c or ""
        if isinstance(c, Drawing) and not charts:
            return ""
        if isinstance(c, (list, tuple)):
            return [conv(x) for x in c]
        return conv(c)

    return [conv(f) for f in story]


def bare_build(story: list[Any], out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2.4 * cm,
                            bottomMargin=2 * cm, title="bare")
    doc.build(list(story))


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def bench_doc(s: Section, label: str, make: Callable[[Path], Any], tmp: Path, repeat: int,
              target: bool = False) -> None:
    """Time one auditkit PDF writer and three bare ReportLab equivalents built from its captured story.

    The four builds take turns in every round (so that load on the machine hits them alike); each figure
    is the fastest of ``repeat`` rounds.
    """
    try:
        out = tmp / "auditkit.pdf"
        t = time.perf_counter()
        with capture_story() as stories:
            make(out)
        cold = time.perf_counter() - t
        story = stories[-1]
        counts = story_counts(story)
        pages = pdf_pages(out)
    except Exception as exc:  # noqa: BLE001
        s.rows.append([label, na(exc), "", "", "", ""])
        if target:
            TARGETS.append(Target("provider report vs bare ReportLab", f"≤ {TARGET_REPORT_RATIO:g}×", "n/a", None))
        return
    from auditkit.reports import pdfkit

    variants: list[tuple[str, Callable[[], Any]]] = [(label, lambda: make(out))]
    for name, font, charts in [("bare ReportLab, Helvetica, same charts", "Helvetica", True),
                               ("bare ReportLab, Helvetica, no charts", "Helvetica", False),
                               ("bare ReportLab, DejaVu (auditkit's TTF), same charts", pdfkit.FONT, True)]:
        bare = tmp / f"bare_{len(variants)}.pdf"
        variants.append((name, lambda font=font, charts=charts, bare=bare:
                         bare_build(bare_story(story, font, charts), bare)))
    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    errors: dict[str, str] = {}
    for round_ in range(repeat + 1):  # round 0 warms up
        for name, fn in variants:
            if name in errors:
                continue
            try:
                t = time.perf_counter()
                fn()
                if round_:
                    times[name].append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001
                errors[name] = na(exc)
    warm = min(times[label]) if times[label] else None
    s.rows.append([label, ms(warm), f"{pages}", f"{counts['paragraphs']} / {counts['tables']} / "
                   f"{counts['drawings']}", "", ms(cold)])
    same_charts = None
    for i, (name, _) in enumerate(variants[1:], start=1):
        if name in errors:
            s.rows.append([f"  {name}", errors[name], "", "", "", ""])
            continue
        t = min(times[name])
        charts = "no charts" not in name
        c = story_counts(bare_story(story, "Helvetica", charts))
        s.rows.append([f"  {name}", ms(t), f"{pdf_pages(tmp / f'bare_{i}.pdf')}",
                       f"{c['paragraphs']} / {c['tables']} / {c['drawings']}", ratio(warm, t), ""])
        if i == 1:
            same_charts = t
    RESULTS.setdefault("reports", {})[label] = {"warm": warm, "cold": cold, "pages": pages, **counts,
                                                "bare_same_charts": same_charts}
    if target:
        ok = (warm / same_charts <= TARGET_REPORT_RATIO) if (warm and same_charts) else None
        TARGETS.append(Target("provider report vs bare ReportLab (Helvetica, same charts)",
                              f"≤ {TARGET_REPORT_RATIO:g}×", ratio(warm, same_charts), ok))


def bench_reports(tmp: Path, repeat: int) -> None:
    s = Section(
        f"PDF reports (sample round; ms = fastest of {repeat} builds in a warm process, builds interleaved)",
        ["document", "ms", "pages", "paragraphs / tables / charts", "auditkit ÷ this", "first build in process, ms"],
    )
    try:
        from auditkit.paths import sample_audits_dir
        from auditkit.pipeline import run_round, score_results
        from auditkit.questionnaire.loader import registry
        from auditkit.summary import benchmark
        from auditkit.validation.batch import validate_paths

        results = validate_paths([sample_audits_dir()], LANG)
        scored = score_results(results)
        if not scored:
            raise RuntimeError("no valid workbook in the sample round")
        q = registry()[(scored[0].questionnaire_id, scored[0].questionnaire_version)]
        bench = benchmark(q, scored)
        audits = {r.file: r.audit for r in results if r.audit is not None}
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["sample round", na(exc), "", "", "", ""])
        s.print()
        return

    # the report of the median-sized service (by number of findings) stands for all of them
    ordered = sorted(scored, key=lambda x: (len(x.findings), x.file))
    own = ordered[len(ordered) // 2]

    def provider(out: Path) -> None:
        from auditkit.reports.provider_pdf import write_provider_report

        write_provider_report(audits[own.file], own, bench, q, LANG, out)

    bench_doc(s, f"provider report ({Path(own.file).stem})", provider, tmp, repeat, target=True)

    def all_providers() -> None:
        from auditkit.reports.provider_pdf import write_provider_report

        for x in scored:
            write_provider_report(audits[x.file], x, bench, q, LANG, tmp / f"p_{Path(x.file).stem}.pdf")

    with contextlib.suppress(Exception):
        t = median_time(all_providers, 1)
        s.notes.append(f"all {len(scored)} provider reports of the sample round: {ms(t / len(scored))} ms per report")

    # run_round is done once outside the timing: the timed call is write_summary_pdf only
    try:
        summary, _ = run_round([sample_audits_dir()], LANG, 1)

        def summary_pdf(out: Path) -> None:
            from auditkit.reports.summary_pdf import write_summary_pdf

            write_summary_pdf(summary, q, LANG, out)
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["summary PDF", na(exc), "", "", "", ""])
    else:
        bench_doc(s, f"summary PDF ({len(summary.services)} services)", summary_pdf, tmp, repeat)
    s.notes.append("Bare documents are rebuilt from the story auditkit handed to ReportLab: the same paragraph "
                   "texts (plain, one style), tables of the same shape and column widths, and the very same "
                   "chart Drawings (or none); A4, 2 cm margins, no header/footer, no outline. "
                   "\"auditkit ÷ this\" is the auditkit time divided by the bare time.")
    s.print()


# ------------------------------------------------------------------------------------------------ 5. start-up


def bench_startup(repeat: int, tmp: Path) -> None:
    from auditkit.paths import sample_audits_dir

    one = sorted(sample_audits_dir().glob("*.xlsx"))[0]
    s = Section(f"Start-up (whole process, median of {repeat} runs)", ["command", "median s", "min s", "peak RSS MiB"])
    cmds = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("auditkit --help", [*cli_cmd(), "--help"]),
        (f"auditkit validate {one.name}", [*cli_cmd(), "validate", str(one)]),
        (f"auditkit report {one.name} --benchmark <sample round> (one PDF)",
         [*cli_cmd(), "report", str(one), "--benchmark", str(sample_audits_dir()), "--out", str(tmp / "r.pdf")]),
    ]
    got = {}
    for label, cmd in cmds:
        run_child(cmd)  # warm the page cache and the bytecode
        runs = [run_child(cmd) for _ in range(repeat)]
        if any(r.rc not in (0, 1) for r in runs):
            s.rows.append([label, na(runs[0].error()), "", ""])
            continue
        med = statistics.median(r.wall for r in runs)
        got[label] = med
        s.rows.append([label, sec(med), sec(min(r.wall for r in runs)), mib(max(r.maxrss_kib for r in runs))])
    RESULTS["startup"] = got
    h = got.get("auditkit --help")
    TARGETS.append(Target("`auditkit --help` start-up", f"≤ {TARGET_HELP_S:g} s", sec(h) + " s" if h else "n/a",
                          (h <= TARGET_HELP_S) if h is not None else None))
    s.print()


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (N = 10, 50) for a fast smoke run")
    ap.add_argument("--workdir", type=Path, help="keep generated workbooks here and reuse them in later runs")
    ap.add_argument("--json", type=Path, help="also write the raw figures as JSON to this file")
    ap.add_argument("--only", help="comma-separated sections: read,process,summarize,phases,with-reports,"
                                   "reports,startup")
    args = ap.parse_args()

    if args.quick:
        sizes, n_read, n_pandas, n_process, repeat, startup_repeat = [10, 50], 50, 10, 50, 3, 5
        n_reports = 10
    else:
        sizes, n_read, n_pandas, n_process, repeat, startup_repeat = [10, 100, 500, 1000], 100, 20, 500, 3, 7
        n_reports = 100
    only = set(args.only.split(",")) if args.only else None
    want = lambda name: only is None or name in only  # noqa: E731

    print("# auditkit benchmarks" + (" (--quick)" if args.quick else ""))
    print()
    for line in machine():
        print(f"- {line}")
    print(f"- command: {' '.join(cli_cmd())}")
    print(f"- at start: {load()} (other work on the machine inflates wall times; ratios are measured "
          "side by side)")
    sys.stdout.flush()

    started = time.perf_counter()
    tmp_ctx = tempfile.TemporaryDirectory(prefix="auditkit-bench-") if args.workdir is None else None
    workdir = Path(tmp_ctx.name) if tmp_ctx else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="auditkit-bench-out-"))
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        wbs = Workbooks(workdir, jobs=nproc)
        need = max([*(sizes if want("summarize") else []), n_read if want("read") else 0,
                    n_process if want("process") else 0, max(sizes) if want("phases") else 0,
                    n_reports if want("with-reports") else 0, 1])
        wbs.ensure(need)
        if wbs.generated:
            print(f"- generated {wbs.generated} workbooks in {wbs.gen_seconds:.1f} s "
                  f"({1000 * wbs.gen_seconds / wbs.generated:.0f} ms each with {nproc} processes)")

        sections: list[tuple[str, Callable[[], None]]] = [
            ("read", lambda: bench_read(wbs, n_read, n_pandas, repeat)),
            ("process", lambda: bench_process(wbs, n_process, repeat)),
            ("summarize", lambda: bench_summarize(wbs, sizes, scratch)),
            ("phases", lambda: bench_phases(wbs, max(sizes), scratch)),
            ("with-reports", lambda: bench_with_reports(wbs, n_reports, scratch)),
            ("reports", lambda: bench_reports(scratch, repeat + 2)),
            ("startup", lambda: bench_startup(startup_repeat, scratch)),
        ]
        for name, fn in sections:
            if not want(name):
                continue
            log(f"section {name}")
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - a broken section must not hide the others
                print(f"\n### {name}\n\nn/a ({first_line(exc)})")
                traceback.print_exc(file=sys.stderr)

        s = Section("Targets", ["target", "goal", "measured", "met"])
        for t in TARGETS:
            s.rows.append([t.name, t.goal, t.measured, "n/a" if t.met is None else "yes" if t.met else "NO"])
        s.print()
        print(f"\n(benchmark run took {time.perf_counter() - started:.0f} s; at the end: {load()})")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if tmp_ctx:
            tmp_ctx.cleanup()
    if args.json:
        args.json.write_text(json.dumps({"results": RESULTS, "targets": [t.__dict__ for t in TARGETS]},
                                        indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
