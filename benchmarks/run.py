#!/usr/bin/env python
"""auditkit benchmarks: every figure is measured in one run, next to its baseline, as a median with its spread.

    python benchmarks/run.py                 # quick run (a few minutes): N = 100, 500
    python benchmarks/run.py --full          # full run (≤ 15 minutes on 2 cores): N = 100 … 5,000
    python benchmarks/run.py --full --write-docs   # and put the results into docs/performance.md and README.md

Every comparison is interleaved: the things compared take turns (A B A B …, or 100 500 1000 … 100 500 1000 …),
so that other work on the machine hits them alike, and each figure is the median of the repetitions with their
range (min–max). A verdict is judged on the median with a stated margin: "yes" when the median beats the goal
by at least the margin, "NO" when it misses by at least the margin, "borderline" in between (a figure that
close to its goal is within the noise of a shared machine and could go either way in another run).

Workbooks: a few hundred distinct fills are generated with ``auditkit.samples`` (``varied_profile(i)`` +
``write_audit``); the rest are copies of them with a new service identifier, name and provider written into
the cover sheet at the zip level (only that part is compressed again). ``--workdir`` keeps them for later runs.

Nothing here asserts on time: a missing piece (a module not written yet, a failing command) prints ``n/a`` with
the first line of its error and the run goes on. See docs/performance.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"

try:  # the installed package, else the source tree next to this script
    import auditkit
except ImportError:
    sys.path.insert(0, str(SRC))
    import auditkit

PKG_PARENT = Path(auditkit.__file__).resolve().parent.parent  # what the child processes must import too

LANG = "cs"
DISTINCT = 300  # distinct generated fills; every further workbook is a copy of one with a new identity

# Targets (issues "Fast at every realistic scale" and "Linear at any round size, close to the read floor").
TARGET_VALIDATE_1 = 2.5  # auditkit validate DIR --jobs 1 vs a bare calamine process over the same folder
TARGET_VALIDATE_N = 1.6  # the same with the default jobs
TARGET_SUMMARIZE_S = 10.0  # summarize of 1000 workbooks, default jobs
TARGET_STEP = 1.3  # marginal cost per workbook (or per service) of a step ≤ 1.3× that of the step before
TARGET_REPORT_RATIO = 1.5  # provider report vs a bare ReportLab document of the same size
TARGET_HELP_S = 0.3  # auditkit --help
TARGET_VALIDATE_ONE = 3.0  # auditkit validate one.xlsx vs auditkit --help
MARGIN = 0.05  # a median within 5 % of its goal is "borderline"

DOCS_START, DOCS_END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
README_START, README_END = "<!-- benchmark:readme -->", "<!-- /benchmark:readme -->"


# ------------------------------------------------------------------------------------------------ output


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        out = [f"### {self.title}", ""]
        if self.rows:
            widths = [max(len(str(x)) for x in col) for col in zip(self.header, *self.rows)]
            def line(cells: Sequence[str]) -> str:
                return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
            out += [line(self.header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
            out += [line(r) for r in self.rows]
        for n in self.notes:
            out += ["", n]
        return "\n".join(out)

    def print(self) -> None:
        text = self.markdown()
        OUTPUT.append(text)
        print("\n" + text, flush=True)


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    verdict: str  # "yes", "NO", "borderline", "n/a"


RESULTS: dict[str, Any] = {}  # raw figures, written as JSON
TARGETS: list[Target] = []
OUTPUT: list[str] = []  # the Markdown of every section, in order


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


def mib(kib: float | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.0f}"


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def spread(xs: Sequence[float], fmt: Callable[[float], str], unit: str = "") -> str:
    """'median (min–max)' of repetitions, or the one value."""
    if not xs:
        return "n/a"
    if len(xs) == 1:
        return f"{fmt(xs[0])}{unit}"
    return f"{fmt(med(xs))}{unit} ({fmt(min(xs))}–{fmt(max(xs))})"


def times(x: float) -> str:
    return f"{x:.2f}×"


def judge(value: float | None, goal: float, *, margin: float = MARGIN) -> str:
    """A median against an upper bound: 'yes' below it by the margin, 'NO' above it by the margin."""
    if value is None:
        return "n/a"
    if value <= goal * (1 - margin):
        return "yes"
    if value > goal * (1 + margin):
        return "NO"
    return "borderline"


def target(name: str, goal: str, measured: str, verdict: str) -> None:
    TARGETS.append(Target(name, goal, measured, verdict))


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
    for dist in ("python-calamine", "openpyxl", "pandas", "reportlab", "pydantic", "PyYAML", "typer"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} (not installed)")
    with contextlib.suppress(Exception):
        import yaml

        versions.append("libyaml " + ("yes" if getattr(yaml, "__with_libyaml__", False) else "no"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"machine: {model}, {cores} cores available ({os.cpu_count()} CPUs){mem}",
        f"python: {platform.python_version()} ({platform.python_implementation()}) on {platform.platform()}",
        f"auditkit {getattr(auditkit, '__version__', '?')} from {shown(Path(auditkit.__file__).parent)}" + commit(),
        "libraries: " + ", ".join(versions),
    ]


def shown(path: Path | str) -> str:
    """A path as the report names it: within the checkout, relative to it; elsewhere (an environment, the
    machine's folders), by its last parts only, so the report says nothing about this machine's layout."""
    p = Path(path)
    with contextlib.suppress(ValueError):
        return f"{p.resolve().relative_to(ROOT)} of the checkout"
    return str(Path("<environment>", *p.parts[-2:])) if p.name == "auditkit" and p.parent.name == "bin" else p.name


def commit() -> str:
    with contextlib.suppress(Exception):
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"], capture_output=True,
                             text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"], capture_output=True,
                               text=True, check=True, timeout=10).stdout.strip()
        return f" (commit {out}{', with uncommitted changes' if dirty else ''})" if out else ""
    return ""


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


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")


def _raw_members(path: Path) -> list[tuple[str, int, bytes, int, int]]:
    """(name, method, compressed bytes, size, crc) of every member, read from the zip without inflating."""
    import zipfile

    data = path.read_bytes()
    out = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            head = _LOCAL.unpack_from(data, info.header_offset)
            start = info.header_offset + _LOCAL.size + head[9] + head[10]
            out.append((info.filename, info.compress_type, data[start:start + info.compress_size], info.file_size,
                        info.CRC))
    return out


def _write_zip(dst: Path, members: list[tuple[str, int, bytes, int, int]]) -> None:
    local, central, offset = [], [], 0
    for name, method, comp, size, crc in members:
        raw = name.encode("utf-8")
        head = _LOCAL.pack(b"PK\x03\x04", 20, 0x800, method, 0, 0x21, crc, len(comp), size, len(raw), 0)
        local += (head, raw, comp)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21, crc, len(comp), size, len(raw),
                                     0, 0, 0, 0, 0, offset) + raw)
        offset += len(head) + len(raw) + len(comp)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    tmp = dst.with_suffix(".part")
    tmp.write_bytes(b"".join(local) + directory + end)
    tmp.replace(dst)


def _identity(i: int) -> dict[bytes, bytes]:
    """The cover-sheet cells that make workbook i a service of its own (as samples.varied_profile writes them)."""
    return {f">{9000000 + i:07d}<".encode(): b"",
            f">Azylový dům č. {i}<".encode(): b"",
            f">Poskytovatel {i}, z. s.<".encode(): b""}


def _copy_chunk(folder: str, pairs: list[tuple[int, int]]) -> int:
    """Workbook i as a copy of the generated workbook src: the identity cells replaced, only their part
    compressed again (every other member copied as it is)."""
    cache: dict[int, list[tuple[str, int, bytes, int, int]]] = {}
    for i, src in pairs:
        if src not in cache:
            cache = {src: _raw_members(Path(folder) / f"ad_{src:05d}.xlsx")}
        old, new = list(_identity(src)), list(_identity(i))
        members = []
        for name, method, comp, size, crc in cache[src]:
            if name.startswith("xl/worksheets/") and method == 8:
                xml = zlib.decompress(comp, -15)
                if old[0] in xml:
                    for a, b in zip(old, new):
                        if xml.count(a) != 1:
                            raise RuntimeError(f"ad_{src:05d}.xlsx: {a!r} found {xml.count(a)} times in {name}")
                        xml = xml.replace(a, b)
                    c = zlib.compressobj(6, zlib.DEFLATED, -15)
                    comp, size, crc = c.compress(xml) + c.flush(), len(xml), zlib.crc32(xml)
            members.append((name, method, comp, size, crc))
        _write_zip(Path(folder) / f"ad_{i:05d}.xlsx", members)
    return len(pairs)


def _generator_key() -> str:
    """Generated workbooks are reused only while the questionnaire and the generating code are unchanged."""
    from auditkit.questionnaire.loader import default_questionnaire

    q = default_questionnaire()
    h = hashlib.sha256(f"{q.id} {q.version} {LANG} {DISTINCT}".encode())
    pkg = Path(auditkit.__file__).parent
    for rel in ("samples.py", "excel/fill.py", "excel/template.py", "excel/layout.py"):
        with contextlib.suppress(OSError):
            h.update((pkg / rel).read_bytes())
    h.update(Path(__file__).read_bytes().split(b"# -- end of the generator --")[0])
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
    """A pool of workbooks (DISTINCT generated, the rest copies) and one folder per size (hard links)."""

    def __init__(self, workdir: Path, jobs: int) -> None:
        self.workdir = workdir
        self.pool = workdir / "pool"
        self.jobs = jobs
        self.generated = self.copied = 0
        self.gen_seconds = self.copy_seconds = 0.0
        key = _generator_key()
        stamp = workdir / "generator.key"
        if self.pool.exists() and (not stamp.exists() or stamp.read_text().strip() != key):
            log("generator changed: discarding cached workbooks")
            shutil.rmtree(self.pool)
            for d in workdir.glob("n*"):
                shutil.rmtree(d, ignore_errors=True)
        self.pool.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key + "\n")

    def _run(self, fn: Callable[[str, list[Any]], int], items: list[Any]) -> None:
        if self.jobs > 1 and len(items) > 8:
            size = max(1, len(items) // (self.jobs * 4))
            chunks = [items[i : i + size] for i in range(0, len(items), size)]
            with ProcessPoolExecutor(max_workers=self.jobs) as pool:
                for fut in [pool.submit(fn, str(self.pool), c) for c in chunks]:
                    fut.result()
        else:
            fn(str(self.pool), items)

    def ensure(self, n: int) -> None:
        missing = [i for i in range(n) if not (self.pool / f"ad_{i:05d}.xlsx").exists()]
        distinct = [i for i in missing if i < DISTINCT]
        if distinct:
            log(f"generating {len(distinct)} workbooks into {self.pool} ({self.jobs} processes) …")
            t = time.perf_counter()
            self._run(_gen_chunk, distinct)
            self.generated += len(distinct)
            self.gen_seconds += time.perf_counter() - t
        copies = [(i, i % DISTINCT) for i in missing if i >= DISTINCT]
        if copies:
            self.ensure(min(n, DISTINCT))
            t = time.perf_counter()
            self._run(_copy_chunk, sorted(copies, key=lambda x: (x[1], x[0])))
            self.copied += len(copies)
            self.copy_seconds += time.perf_counter() - t
            log(f"copied {len(copies)} workbooks in {time.perf_counter() - t:.1f} s")

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

# -- end of the generator --

# ------------------------------------------------------------------------------------------------ 1. read


def calamine_read(path: Path) -> None:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
    wb.close()


def bench_read(wbs: Workbooks, n: int, n_pandas: int, reps: int) -> None:
    """CPU time per workbook in this process: the floor and auditkit's read and validation take turns."""
    files = wbs.files(n)
    s = Section(f"Read + validate in one process ({n} workbooks; CPU ms per workbook, median (min–max) of "
                f"{reps} interleaved passes; pandas on {n_pandas})",
                ["reader", "ms / workbook", "× calamine (median of the passes' ratios)"])
    from auditkit.excel.reader import read_workbook
    from auditkit.validation.batch import validate_paths

    def validate(subset: list[Path]) -> None:
        res = validate_paths(subset, LANG)
        bad = [r for r in res if r.status != "valid"]
        if bad:
            raise RuntimeError(f"{len(bad)} generated workbooks not valid, e.g. {bad[0].file}: "
                               f"{bad[0].findings[0].code if bad[0].findings else '?'}")

    def pandas_read(subset: list[Path]) -> None:
        import pandas as pd

        for p in subset:
            pd.read_excel(p, sheet_name=None, engine="openpyxl")

    floor = "python-calamine, every sheet to_python() (the floor)"
    variants: list[tuple[str, Callable[[list[Path]], Any], list[Path]]] = [
        (floor, lambda fs: [calamine_read(p) for p in fs], files),
        ("auditkit read_workbook (container checks + calamine + normalise)",
         lambda fs: [read_workbook(p) for p in fs], files),
        ("auditkit validate_paths (read + validate), --jobs 1", validate, files),
        ('pandas.read_excel(sheet_name=None, engine="openpyxl")', pandas_read, files[:n_pandas]),
    ]
    got: dict[str, list[float]] = {name: [] for name, _, _ in variants}
    errors: dict[str, str] = {}
    for round_ in range(reps + 1):  # round 0 warms up: imports, registry, first-use caches
        for name, fn, subset in variants:
            if name in errors:
                continue
            try:
                gc.collect()
                t = time.process_time()
                fn(subset)
                if round_:
                    got[name].append((time.process_time() - t) / len(subset))
            except Exception as exc:  # noqa: BLE001
                errors[name] = na(exc)
    for name, _, _ in variants:
        if name in errors:
            s.rows.append([name, errors[name], ""])
            continue
        ratios = [a / b for a, b in zip(got[name], got[floor])] if got[floor] else []
        s.rows.append([name, spread(got[name], ms), spread(ratios, times)])
    RESULTS["read"] = {"n": n, "cpu_s_per_workbook": got, "errors": errors}
    s.notes.append("CPU time (user + system of this process) per workbook; each pass runs every reader over the "
                   "same files in turn, and the ratio is taken within each pass.")
    s.print()
    bench_steps(files, reps, med(got[floor]) if got[floor] else None)


# the steps of validating one workbook, as `auditkit validate` runs them: (label, module, function); a step's
# time is its function's own, less the steps inside it (calamine: what _read_xlsx spends outside its steps)
STEPS = [
    ("read the file into memory", "auditkit.excel.reader", "_load"),
    ("container and XML checks: inflate every part, scan cells (the hostile-input guarantees)",
     "auditkit.excel.reader", "_check_zip"),
    ("hand calamine the checked parts (an uncompressed zip in memory)", "auditkit.excel.reader", "_stored_zip"),
    ("normalise every cell (text cleaned, numbers, percent formats)", "auditkit.excel.reader", "_grid"),
    ("python-calamine parses the sheets", "auditkit.excel.reader", "_read_xlsx"),
    ("find the sheets and the questionnaire", "auditkit.validation.workbook", "_locate"),
    ("questions: each answer and comment typed and checked", "auditkit.validation.workbook", "_read_questions"),
    ("record tables: each row typed and checked", "auditkit.validation.workbook", "_read_records"),
    ("answers against the record tables (sums, indicators)", "auditkit.validation.workbook", "_check_against_records"),
    ("personal data: every typed text checked", "auditkit.validation.workbook", "_check_personal"),
]


def bench_steps(files: list[Path], reps: int, floor: float | None) -> None:
    """Where a workbook's time goes in ``auditkit validate`` (no typed audit kept), step by step, in this
    process: each step's function is timed (CPU) while the files are validated ``reps`` times."""
    import importlib

    s = Section(f"validate, step by step ({len(files)} workbooks, {reps} passes; CPU ms per workbook, median of the "
                "passes)", ["step", "ms / workbook", "× calamine", "share"])
    try:
        from auditkit.validation.batch import validate_one
    except ImportError as exc:
        s.rows.append(["validate_one", na(exc), "", ""])
        s.print()
        return
    spent: dict[str, float] = {}
    stack: list[float] = []  # time spent in nested steps, per open step
    patched: list[tuple[Any, str, Any]] = []

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kw: Any) -> Any:
            stack.append(0.0)
            t = time.process_time()
            try:
                return fn(*args, **kw)
            finally:
                took = time.process_time() - t
                inner = stack.pop()
                spent[label] = spent.get(label, 0.0) + took - inner
                if stack:
                    stack[-1] += took
        return run

    missing = []
    for label, module, name in STEPS:
        mod = importlib.import_module(module)
        fn = getattr(mod, name, None)
        if fn is None:
            missing.append(label)
            continue
        patched.append((mod, name, fn))
        setattr(mod, name, timed(label, fn))
    passes: list[dict[str, float]] = []
    totals: list[float] = []
    try:
        for _ in range(reps):
            spent.clear()
            gc.collect()
            t = time.process_time()
            for p in files:
                validate_one(p, p.name, None, keep_audit=False)
            totals.append((time.process_time() - t) / len(files))
            passes.append({k: v / len(files) for k, v in spent.items()})
    except TypeError:  # before validate_one took keep_audit
        s.rows.append(["validate_one(keep_audit=False)", "n/a (not in this version)", "", ""])
        s.print()
        return
    finally:
        for mod, name, fn in patched:
            setattr(mod, name, fn)
    total = med(totals)
    rows = []
    for label, _, _ in STEPS:
        if label in missing:
            rows.append([label, "n/a", "", ""])
            continue
        v = med([x.get(label, 0.0) for x in passes])
        rows.append([label, ms(v), times(v / floor) if floor else "", f"{100 * v / total:.0f} %"])
    rest = total - sum(med([x.get(label, 0.0) for x in passes]) for label, _, _ in STEPS if label not in missing)
    rows.append(["the rest (hash of the file, cover fields, record sums, results)", ms(rest), times(rest / floor) if floor
                 else "", f"{100 * rest / total:.0f} %"])
    rows.append(["total: validate one workbook", ms(total), times(total / floor) if floor else "", ""])
    s.rows += rows
    RESULTS["steps"] = {"n": len(files), "total": totals, "steps": passes}
    s.notes.append("× calamine: the step's time over the floor above (python-calamine reading every sheet). The "
                   "floor parses the same sheets as the step \"python-calamine parses the sheets\" plus inflating "
                   "them; everything else is what validation adds. The files were validated in the passes above, so what is "
                   "kept per text or value (cleaned cells, parsed answers, the personal-data check of each comment) "
                   "is mostly found again here, as it is in a round whose workbooks share their template's labels "
                   "and typical answers; comments typed anew in every workbook cost more (the personal-data check: "
                   "about 20 µs per new text).")
    s.print()


# ------------------------------------------------------------------------------------------------ 2. process


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


def bench_process(wbs: Workbooks, n: int, reps: int) -> None:
    folder = wbs.folder(n)
    s = Section(f"validate, whole process over a folder of {n} workbooks (start-up included; median (min–max) "
                f"of {reps} interleaved runs)",
                ["command", "wall s", "ms / workbook", "CPU s", "peak RSS MiB", "× bare (wall)"])
    cmds = [("bare", "python -c <bare calamine read of every sheet>",
             [sys.executable, "-c", BARE_CALAMINE_SCRIPT, str(folder)]),
            ("jobs1", "auditkit validate DIR --jobs 1", [*cli_cmd(), "validate", str(folder), "--jobs", "1"]),
            ("default", "auditkit validate DIR (default jobs)", [*cli_cmd(), "validate", str(folder)])]
    for _, _, cmd in cmds:
        run_child(cmd)  # warm-up: page cache, bytecode cache
    runs: dict[str, list[Child]] = {k: [] for k, _, _ in cmds}
    for _ in range(reps):
        for key, _, cmd in cmds:
            runs[key].append(run_child(cmd))
    bare = runs["bare"]
    for key, label, _ in cmds:
        rs = runs[key]
        bad = [r for r in rs if r.rc not in (0, 1) or "auditkit failed" in r.stderr]
        if bad:
            s.rows.append([label, na(bad[0].error()), "", "", "", ""])
            continue
        ratios = [r.wall / b.wall for r, b in zip(rs, bare)]
        s.rows.append([label, spread([r.wall for r in rs], sec), ms(med([r.wall for r in rs]) / n),
                       spread([r.cpu for r in rs], sec), mib(med([r.maxrss_kib for r in rs])),
                       spread(ratios, times)])
        RESULTS.setdefault("process", {"n": n})[key] = {"wall": [r.wall for r in rs], "cpu": [r.cpu for r in rs],
                                                       "maxrss_kib": [r.maxrss_kib for r in rs], "ratio": ratios}
        if key != "bare":
            goal = TARGET_VALIDATE_1 if key == "jobs1" else TARGET_VALIDATE_N
            target(f"`validate` of {n} workbooks vs a bare calamine process, "
                   f"{'--jobs 1' if key == 'jobs1' else 'default jobs'}", f"≤ {goal:g}×",
                   spread(ratios, times), judge(med(ratios), goal))
    s.notes.append("The ratio is taken run by run (each auditkit run against the bare run just before it). "
                   f"command: {' '.join(shown(c) for c in cli_cmd())}")
    s.print()


# ------------------------------------------------------------------------------------------------ 3. growth


def summarize_run(folder: Path, jobs: int | None, workdir: Path, reports: bool = False) -> tuple[Child, str | None]:
    out = workdir / f"out_{folder.name}_j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    child = run_child([*cli_cmd(), "summarize", str(folder), "--out", str(out),
                       *(["--jobs", str(jobs)] if jobs else []), *([] if reports else ["--no-reports"])])
    failed = child.rc not in (0, 1) or "auditkit failed" in child.stderr or not (out / "summary.json").exists()
    if reports and not failed and len(list((out / "reports").glob("*.pdf"))) != len(list(folder.glob("*.xlsx"))):
        failed = True
    error = child.error() if failed else None
    if not failed:  # every generated workbook must count: a rejected one would make the round smaller
        data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        missing = [name for name in ("summary.pdf", "summary.xlsx") if not (out / name).exists()]
        if data.get("rejected") or missing:
            error = f"{len(data.get('rejected') or [])} workbooks rejected; not written: {', '.join(missing) or '–'}"
    shutil.rmtree(out, ignore_errors=True)
    return child, error


def bench_growth(wbs: Workbooks, sizes: list[int], jobs: int | None, reps: int, workdir: Path) -> None:
    label = "default jobs" if jobs is None else f"--jobs {jobs}"
    s = Section(f"summarize --no-reports by round size, {label} (whole process; median (min–max) of {reps} "
                "repetitions, the sizes interleaved)",
                ["N", "wall s", "ms / workbook", "marginal ms / wb", "step ratio", "CPU s", "peak RSS MiB",
                 "MiB per 1,000 services"])
    summarize_run(wbs.folder(sizes[0]), jobs, workdir)  # warm-up: bytecode cache, page cache
    runs: dict[int, list[Child]] = {n: [] for n in sizes}
    failed: dict[int, str] = {}
    for rep in range(reps):
        for n in sizes:
            if n in failed:
                continue
            log(f"summarize N={n} {label} ({rep + 1}/{reps})")
            child, err = summarize_run(wbs.folder(n), jobs, workdir)
            if err:
                failed[n] = err
            else:
                runs[n].append(child)
    prev: tuple[int, float, float, float | None] | None = None  # n, wall, rss, marginal
    steps: list[tuple[int, int, float]] = []
    mem_steps: list[tuple[int, int, float]] = []
    for n in sizes:
        if n in failed:
            s.rows.append([str(n), na(failed[n]), "", "", "", "", "", ""])
            prev = None
            continue
        wall, rss = med([c.wall for c in runs[n]]), med([c.maxrss_kib for c in runs[n]])
        marginal = ratio = per_k = None
        if prev:
            marginal = (wall - prev[1]) / (n - prev[0])
            per_k = (rss - prev[2]) / (n - prev[0]) * 1000
            mem_steps.append((prev[0], n, per_k))
            if prev[3]:
                ratio = marginal / prev[3]
                steps.append((prev[0], n, ratio))
        s.rows.append([str(n), spread([c.wall for c in runs[n]], sec), ms(wall / n),
                       ms(marginal) if marginal is not None else "–", f"{ratio:.2f}×" if ratio else "–",
                       spread([c.cpu for c in runs[n]], sec), spread([c.maxrss_kib for c in runs[n]], mib),
                       mib(per_k) if per_k is not None else "–"])
        prev = (n, wall, rss, marginal)
    RESULTS.setdefault("growth", {})[label] = {str(n): {"wall": [c.wall for c in runs[n]],
                                                        "cpu": [c.cpu for c in runs[n]],
                                                        "maxrss_kib": [c.maxrss_kib for c in runs[n]]}
                                               for n in sizes if n not in failed}
    s.notes.append("marginal ms / wb: (wall at N − wall at the size before) ÷ (the workbooks added), from the "
                   "medians; step ratio: a step's marginal cost ÷ the step before's (1.00 = linear). MiB per 1,000 "
                   "services: the growth of peak RSS over the step, per 1,000 services. Peak RSS is ru_maxrss "
                   "from wait4: the largest single process (the CLI or one worker), not the sum.")
    s.print()
    if steps:
        worst = max(steps, key=lambda x: x[2])
        target(f"summarize cost per workbook step to step, {label}",
               f"each step ≤ {TARGET_STEP:g}× the step before",
               ", ".join(f"{b:,}: {r:.2f}×" for _, b, r in steps) + f" (worst {worst[2]:.2f}×)",
               judge(worst[2], TARGET_STEP))
    if len(mem_steps) >= 2:  # bounded per service: what a service costs does not grow with the round
        growth = [(b, k / max(prev_k, 1024.0)) for (_, _, prev_k), (_, b, k) in itertools.pairwise(mem_steps)]
        worst = max(r for _, r in growth)
        target(f"summarize peak memory per service bounded, {label}",
               f"MiB per 1,000 services of each step ≤ {TARGET_STEP:g}× the step before's",
               ", ".join(f"{a:,}→{b:,}: {mib(k)}" for a, b, k in mem_steps) + f" MiB (worst step {worst:.2f}×)",
               judge(worst, TARGET_STEP))
    if 1000 in runs and runs[1000] and jobs is None:
        w = [c.wall for c in runs[1000]]
        target("summarize 1,000 workbooks, default jobs", f"≤ {TARGET_SUMMARIZE_S:g} s", spread(w, sec, " s"),
               judge(med(w), TARGET_SUMMARIZE_S))


# ------------------------------------------------------------------------------------------------ 4. summary PDF


def bench_summary_pdf(wbs: Workbooks, sizes: list[int], reps: int, workdir: Path) -> None:
    """write_summary_pdf alone, in this process, for rounds of each size (copies of scored services)."""
    s = Section(f"Summary PDF by round size, in one process (CPU s of write_summary_pdf; median (min–max) of {reps} "
                "repetitions, the sizes interleaved)",
                ["services", "CPU s", "ms / service", "marginal ms / service", "step ratio", "pages"])
    try:
        from auditkit.pipeline import questionnaire_of, score_results
        from auditkit.reports.summary_pdf import write_summary_pdf
        from auditkit.summary import summarize_round
        from auditkit.validation.batch import validate_paths

        results = validate_paths(wbs.files(min(DISTINCT, max(sizes))), LANG)
        scored = score_results(results)
        q = questionnaire_of(scored)
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["", na(exc), "", "", "", ""])
        s.print()
        return

    def services(n: int) -> list[Any]:
        out = []
        for i in range(n):
            x = scored[i % len(scored)]
            service = x.service.model_copy(update={"service_name": f"Azylový dům č. {i}",
                                                   "service_id": f"{9000000 + i:07d}"})
            out.append(x.model_copy(update={"file": f"ad_{i:05d}.xlsx", "service": service}))
        return out

    got: dict[int, list[float]] = {n: [] for n in sizes}
    pages: dict[int, int] = {}
    every = services(max(sizes))  # each round is the first n of these (shared, not copied again)
    summaries = {n: summarize_round(q, every[:n], []) for n in sizes}
    out = workdir / "summary.pdf"
    write_summary_pdf(summaries[sizes[0]], q, LANG, out)  # warm-up: fonts, styles
    gc.collect()
    gc.freeze()  # the rounds' objects stay out of the collector's way: the PDF's own work is timed
    for _ in range(reps):
        for n in sizes:
            t = time.process_time()
            write_summary_pdf(summaries[n], q, LANG, out)
            got[n].append(time.process_time() - t)
            pages[n] = pdf_pages(out)
    gc.unfreeze()
    prev: tuple[int, float, float | None] | None = None
    steps = []
    for n in sizes:
        t, best = med(got[n]), min(got[n])
        # the marginal cost from the fastest repetition of each size: the work is the same every time, so the
        # fastest is the one least disturbed by the machine (a difference of two medians doubles their noise)
        marginal = (best - prev[1]) / (n - prev[0]) if prev else None
        ratio = marginal / prev[2] if prev and prev[2] and marginal is not None else None
        if ratio is not None:
            steps.append((n, ratio))
        s.rows.append([f"{n:,}", spread(got[n], sec), ms(t / n), ms(marginal) if marginal is not None else "–",
                       f"{ratio:.2f}×" if ratio is not None else "–", str(pages[n])])
        prev = (n, best, marginal)
    RESULTS["summary_pdf"] = {str(n): got[n] for n in sizes}
    s.notes.append("marginal ms / service: (the fastest repetition at N − the fastest at the size before) ÷ the "
                   "services added; the same document is built every time, so the fastest repetition is the one the "
                   "machine disturbed least, and a difference of two medians would carry the noise of both.")
    s.notes.append("The services are copies of the scored generated ones under new names, so the document has the "
                   "shape of a real round of that size (overview of one row per service on as many pages as "
                   "it takes). Up to 40 services the PDF has a profile page per service; above, none.")
    s.print()
    if steps:
        worst = max(steps, key=lambda x: x[1])
        target("summary PDF cost per service step to step", f"each step ≤ {TARGET_STEP:g}× the step before",
               ", ".join(f"{n:,}: {r:.2f}×" for n, r in steps) + f" (worst {worst[1]:.2f}×)",
               judge(worst[1], TARGET_STEP))


def bench_phases(wbs: Workbooks, n: int, workdir: Path) -> None:
    """Where summarize's time goes at size n, in this process (jobs 1), phase by phase (one run)."""
    s = Section(f"summarize phases in one process, N = {n:,} (jobs 1, no provider reports; one run, CPU s; with more "
                "jobs the workbooks are shared among the workers and the round's outputs are written side by side)",
                ["phase", "CPU s", "ms / workbook", "share"])
    folder = wbs.folder(n)
    phases: list[tuple[str, float | str]] = []
    out = workdir / "phases"
    out.mkdir(exist_ok=True)
    try:
        from auditkit.pipeline import process_files, questionnaire_of
        from auditkit.spool import Spool
        from auditkit.summary import summarize_round

        spool = Spool(out / "spool")
        spool.folder.mkdir(exist_ok=True)
        t = time.process_time()
        results, scored = process_files([folder], LANG, 1, spool=spool)
        phases.append(("validate + score + park the audits (process_files)", time.process_time() - t))
        t = time.process_time()
        q = questionnaire_of(scored)
        summary = summarize_round(q, scored, results)
        phases.append(("summarize_round (statistics)", time.process_time() - t))
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["process_files / summarize_round", na(exc), "", ""])
        s.print()
        return

    def step(label: str, fn: Callable[[], Any]) -> None:
        try:
            t = time.process_time()
            fn()
            phases.append((label, time.process_time() - t))
        except Exception as exc:  # noqa: BLE001
            phases.append((label, na(exc)))

    # the round's own outputs, each written by the code summarize runs for it (side by side with 2+ jobs)
    try:
        from auditkit.pipeline import ROUND_OUTPUTS, _round_output, _RoundOutputs

        context = _RoundOutputs(summary=summary, spool=spool, q=q, lang=LANG, out=out)
        words = {"tidy": "summary.xlsx, audits read back from the spool", "json": "streamed",
                 "summary_pdf": "", "opendata": "CSV + datapackage.json, audits read back from the spool"}
        for item in ROUND_OUTPUTS:
            what = item[1] if item[0] == "summary_pdf" else words[item[0]]
            step(f"{item[0]} ({what})", lambda item=item: _round_output(context, item))
    except ImportError as exc:
        phases.append(("the round's outputs", na(exc)))
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


def bench_with_reports(wbs: Workbooks, n: int, reps: int, workdir: Path) -> None:
    """summarize with one provider report per service: the reports are written in parallel."""
    s = Section(f"summarize with provider reports, whole process (N = {n}; median (min–max) of {reps} "
                "interleaved runs)", ["jobs", "wall s", "ms / service", "CPU s", "peak RSS MiB", "speed-up"])
    folder = wbs.folder(n)
    runs: dict[int, list[Child]] = {1: [], 2: []}
    errors: dict[int, str] = {}
    for rep in range(reps):
        for jobs in (1, 2):
            if jobs in errors:
                continue
            log(f"summarize N={n} --jobs {jobs} with reports ({rep + 1}/{reps})")
            child, err = summarize_run(folder, jobs, workdir, reports=True)
            if err:
                errors[jobs] = err
            else:
                runs[jobs].append(child)
    for jobs in (1, 2):
        if jobs in errors:
            s.rows.append([str(jobs), na(errors[jobs]), "", "", "", ""])
            continue
        w = [c.wall for c in runs[jobs]]
        speed = [a.wall / b.wall for a, b in zip(runs[1], runs[jobs])] if runs[1] else []
        s.rows.append([str(jobs), spread(w, sec), ms(med(w) / n), spread([c.cpu for c in runs[jobs]], sec),
                       mib(med([c.maxrss_kib for c in runs[jobs]])), spread(speed, times)])
    RESULTS["with_reports"] = {"n": n, **{str(j): [c.wall for c in r] for j, r in runs.items()}}
    s.notes.append("Each report is written whole by one worker (the typed audit read back from the spool), so "
                   "the files are the same whatever the number of jobs.")
    s.print()


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
    if type(f).__name__ == "PagedTable":
        f = f.make(f.rows[f.start:], f.start, True)
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
    from xml.sax.saxutils import escape

    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    body = ParagraphStyle("bare", fontName=font, fontSize=9, leading=11.5)
    style = TableStyle([("FONT", (0, 0), (-1, -1), font, 8), ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def conv(f: Any) -> Any:
        if type(f).__name__ == "Contents":  # auditkit's one-pass contents (page numbers filled in at the end)
            return [Paragraph(escape(title), body) for _, title, _ in f.entries]
        if type(f).__name__ == "PagedTable":  # a table laid out a page at a time: the bare one is one table
            return conv(f.make(f.rows[f.start:], f.start, True))
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

    flat: list[Any] = []
    for f in story:
        got = conv(f)
        flat += got if isinstance(got, list) else [got]
    return flat


def bare_build(story: list[Any], out: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2.4 * cm,
                            bottomMargin=2 * cm, title="bare")
    doc.build(list(story))


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def bench_doc(s: Section, label: str, make: Callable[[Path], Any], tmp: Path, reps: int,
              target_ratio: float | None = None) -> None:
    """Time one auditkit PDF writer and three bare ReportLab equivalents built from its captured story.

    The four builds take turns in every round (so that load on the machine hits them alike); each figure
    is the median of ``reps`` rounds, the ratios are taken round by round.
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
        if target_ratio:
            target("provider report vs bare ReportLab", f"≤ {target_ratio:g}×", "n/a", "n/a")
        return
    from auditkit.reports import pdfkit

    variants: list[tuple[str, Callable[[], Any]]] = [(label, lambda: make(out))]
    for name, font, charts in [("bare ReportLab, Helvetica, same charts", "Helvetica", True),
                               ("bare ReportLab, Helvetica, no charts", "Helvetica", False),
                               ("bare ReportLab, DejaVu (auditkit's TTF), same charts", pdfkit.FONT, True)]:
        bare = tmp / f"bare_{len(variants)}.pdf"
        variants.append((name, lambda font=font, charts=charts, bare=bare:
                         bare_build(bare_story(story, font, charts), bare)))
    got: dict[str, list[float]] = {name: [] for name, _ in variants}
    errors: dict[str, str] = {}
    for round_ in range(reps + 1):  # round 0 warms up
        for name, fn in variants:
            if name in errors:
                continue
            try:
                t = time.perf_counter()
                fn()
                if round_:
                    got[name].append(time.perf_counter() - t)
            except Exception as exc:  # noqa: BLE001
                errors[name] = na(exc)
    own = got[label]
    shape = f"{counts['paragraphs']} / {counts['tables']} / {counts['drawings']}"
    s.rows.append([label, spread(own, ms), f"{pages}", shape, "", ms(cold)])
    same_charts: list[float] = []
    for i, (name, _) in enumerate(variants[1:], start=1):
        if name in errors:
            s.rows.append([f"  {name}", errors[name], "", "", "", ""])
            continue
        ratios = [a / b for a, b in zip(own, got[name])]
        charts = "no charts" not in name
        c = story_counts(bare_story(story, "Helvetica", charts))
        s.rows.append([f"  {name}", spread(got[name], ms), f"{pdf_pages(tmp / f'bare_{i}.pdf')}",
                       f"{c['paragraphs']} / {c['tables']} / {c['drawings']}", spread(ratios, times), ""])
        if i == 1:
            same_charts = ratios
    RESULTS.setdefault("reports", {})[label] = {"times": own, "cold": cold, "pages": pages, **counts,
                                                "ratio_bare_same_charts": same_charts}
    if target_ratio:
        target("provider report vs bare ReportLab (Helvetica, same charts)", f"≤ {target_ratio:g}×",
               spread(same_charts, times), judge(med(same_charts), target_ratio) if same_charts else "n/a")


def bench_reports(tmp: Path, reps: int) -> None:
    s = Section(f"PDF reports (sample round; ms of a build in a warm process, median (min–max) of {reps} "
                "interleaved rounds)",
                ["document", "ms", "pages", "paragraphs / tables / charts", "auditkit ÷ this",
                 "first build in process, ms"])
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

    bench_doc(s, f"provider report ({Path(own.file).stem})", provider, tmp, reps, target_ratio=TARGET_REPORT_RATIO)
    try:
        summary, _ = run_round([sample_audits_dir()], LANG, 1)

        def summary_pdf(out: Path) -> None:
            from auditkit.reports.summary_pdf import write_summary_pdf

            write_summary_pdf(summary, q, LANG, out)
    except Exception as exc:  # noqa: BLE001
        s.rows.append(["summary PDF", na(exc), "", "", "", ""])
    else:
        bench_doc(s, f"summary PDF ({len(summary.services)} services)", summary_pdf, tmp, reps)
    s.notes.append("Bare documents are rebuilt from the story auditkit handed to ReportLab: the same paragraph "
                   "texts (plain, one style), tables of the same shape and column widths, and the very same "
                   "chart Drawings (or none); A4, 2 cm margins, no header/footer, no outline. "
                   "\"auditkit ÷ this\" is the auditkit time divided by the bare time, round by round.")
    s.print()


# ------------------------------------------------------------------------------------------------ 5. start-up


def bench_startup(reps: int, tmp: Path) -> None:
    from auditkit.paths import sample_audits_dir

    one = min(sample_audits_dir().glob("*.xlsx"))
    s = Section(f"Start-up (whole process; median (min–max) of {reps} runs, the commands taking turns)",
                ["command", "wall s", "CPU s", "peak RSS MiB", "× auditkit --help (wall)"])
    cmds = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("auditkit --help", [*cli_cmd(), "--help"]),
        (f"auditkit validate {one.name}", [*cli_cmd(), "validate", str(one)]),
        (f"auditkit report {one.name} --benchmark <sample round> (one PDF)",
         [*cli_cmd(), "report", str(one), "--benchmark", str(sample_audits_dir()), "--out", str(tmp / "r.pdf")]),
    ]
    for _, cmd in cmds:
        run_child(cmd)  # warm the page cache and the bytecode
    runs: dict[str, list[Child]] = {label: [] for label, _ in cmds}
    for _ in range(reps):
        for label, cmd in cmds:
            runs[label].append(run_child(cmd))
    helps = [r.wall for r in runs["auditkit --help"]]
    for label, _ in cmds:
        rs = runs[label]
        if any(r.rc not in (0, 1) for r in rs):
            s.rows.append([label, na(rs[0].error()), "", "", ""])
            continue
        ratios = [r.wall / h for r, h in zip(rs, helps)]
        s.rows.append([label, spread([r.wall for r in rs], lambda x: f"{x:.3f}"),
                       spread([r.cpu for r in rs], lambda x: f"{x:.3f}"), mib(max(r.maxrss_kib for r in rs)),
                       spread(ratios, times)])
    RESULTS["startup"] = {label: {"wall": [r.wall for r in rs], "cpu": [r.cpu for r in rs]}
                          for label, rs in runs.items()}
    target("`auditkit --help` start-up", f"≤ {TARGET_HELP_S:g} s", spread(helps, lambda x: f"{x:.3f}", " s"),
           judge(med(helps), TARGET_HELP_S))
    validate = runs[cmds[2][0]]
    if all(r.rc in (0, 1) for r in validate):
        for what, get in (("wall", lambda r: r.wall), ("CPU", lambda r: r.cpu)):
            ratios = [get(v) / max(get(h), 1e-9) for v, h in zip(validate, runs["auditkit --help"])]
            target(f"`auditkit validate {one.name}` vs `auditkit --help` ({what} time)", f"≤ {TARGET_VALIDATE_ONE:g}×",
                   spread(ratios, times), judge(med(ratios), TARGET_VALIDATE_ONE))
    s.notes.append("CPU time (user + system of the process, from wait4) is steadier than wall time on a busy machine; "
                   "the ratio to `auditkit --help` is taken run by run.")
    s.print()


# ------------------------------------------------------------------------------------------------ docs


def write_docs(markdown: str, run: dict[str, Any]) -> list[Path]:
    """Put this run's Markdown into docs/performance.md and its key figures into README.md, between markers."""
    written = []
    perf = ROOT / "docs" / "performance.md"
    body = "\n".join(("#" + line) if line.startswith("### ") else line for line in markdown.splitlines())
    text = perf.read_text(encoding="utf-8")
    if text.count(DOCS_START) == 1 and text.count(DOCS_END) == 1:
        head, rest = text.split(DOCS_START, 1)
        _, tail = rest.split(DOCS_END, 1)
        perf.write_text(f"{head}{DOCS_START}\n{body}\n{DOCS_END}{tail}", encoding="utf-8")
        written.append(perf)
    else:
        log(f"{perf}: not exactly one {DOCS_START} … {DOCS_END} pair: not written")
    readme = ROOT / "README.md"
    sentence = run.get("readme")
    text = readme.read_text(encoding="utf-8")
    if sentence and text.count(README_START) == 1 and text.count(README_END) == 1:
        head, rest = text.split(README_START, 1)
        _, tail = rest.split(README_END, 1)
        readme.write_text(f"{head}{README_START}{sentence}{README_END}{tail}", encoding="utf-8")
        written.append(readme)
    return written


def readme_sentence() -> str | None:
    """The figures README quotes, from this run: summarize of 1,000 workbooks and the provider reports."""
    g = RESULTS.get("growth", {}).get("default jobs", {}).get("1000")
    w = RESULTS.get("with_reports", {})
    if not g:
        return None
    walls = g["wall"]
    text = (f"A round of 1,000 workbooks takes {sec(med(walls))} s on two cores without the provider reports "
            f"(median of {len(walls)} runs, {sec(min(walls))}–{sec(max(walls))} s)")
    base = RESULTS.get("growth", {}).get("default jobs", {}).get(str(w.get("n")))
    if w.get("2") and base:  # what the reports add to the same round without them, per report
        per = (med(w["2"]) - med(base["wall"])) / w["n"]
        text += f", plus about {ms(per)} ms per provider report with 2 jobs"
    return text + " ([docs/performance.md](docs/performance.md))."


# ------------------------------------------------------------------------------------------------ main


SECTIONS = ("read", "process", "growth", "pdf", "phases", "with-reports", "reports", "startup")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="the default: N = 100, 500, 3 repetitions (a few minutes)")
    mode.add_argument("--full", action="store_true", help="N = 100 … 5,000, 5 repetitions (≤ 15 minutes on 2 cores)")
    ap.add_argument("--workdir", type=Path, help="keep generated workbooks here and reuse them in later runs")
    ap.add_argument("--json", type=Path, help="write the raw figures as JSON (default: benchmark.json in the "
                                              "current folder with --write-docs)")
    ap.add_argument("--markdown", type=Path, help="also write the printed Markdown to this file")
    ap.add_argument("--write-docs", action="store_true",
                    help="put the results into docs/performance.md and README.md (between their markers)")
    ap.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--sizes", help="round sizes of the growth and summary-PDF tables, e.g. 100,500,1000")
    ap.add_argument("--reps", type=int, help="repetitions of every interleaved comparison")
    args = ap.parse_args()

    if args.full:
        sizes, reps, n_read, n_pandas, n_process, n_reports = [100, 500, 1000, 2000, 5000], 5, 100, 20, 500, 100
        pdf_sizes, pdf_reps, growth_reps_1 = [100, 500, 1000, 2000, 5000], 5, 3
    else:
        sizes, reps, n_read, n_pandas, n_process, n_reports = [100, 500], 3, 50, 10, 200, 20
        pdf_sizes, pdf_reps, growth_reps_1 = [100, 500, 1000], 3, 0
    if args.sizes:
        sizes = pdf_sizes = sorted({int(x) for x in args.sizes.split(",")})
    if args.reps:
        reps = pdf_reps = args.reps
        growth_reps_1 = min(growth_reps_1, args.reps)
    only = set(args.only.split(",")) if args.only else None
    unknown = (only or set()) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    want = lambda name: only is None or name in only

    head = ["# auditkit benchmarks" + (" (--full)" if args.full else " (quick)"), ""]
    started_at = time.strftime("%Y-%m-%d %H:%M %Z")
    head += [f"- {line}" for line in machine()]
    head += [f"- command: {' '.join(shown(c) for c in cli_cmd())}", f"- started {started_at}; at start: {load()}"]
    print("\n".join(head), flush=True)

    started = time.perf_counter()
    tmp_ctx = tempfile.TemporaryDirectory(prefix="auditkit-bench-") if args.workdir is None else None
    workdir = Path(tmp_ctx.name) if tmp_ctx else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="auditkit-bench-out-"))
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        wbs = Workbooks(workdir, jobs=nproc)
        need = max([*(sizes if want("growth") else []), n_read if want("read") else 0,
                    n_process if want("process") else 0, min(1000, max(sizes)) if want("phases") else 0,
                    n_reports if want("with-reports") else 0, min(DISTINCT, max(pdf_sizes)) if want("pdf") else 0, 1])
        wbs.ensure(need)
        gen = []
        if wbs.generated:
            gen.append(f"generated {wbs.generated} workbooks in {wbs.gen_seconds:.1f} s "
                       f"({1000 * wbs.gen_seconds / wbs.generated:.0f} ms each with {nproc} processes)")
        if wbs.copied:
            gen.append(f"copied {wbs.copied} more under new identities in {wbs.copy_seconds:.1f} s "
                       f"({1000 * wbs.copy_seconds / wbs.copied:.1f} ms each)")
        if gen:
            line = "- " + "; ".join(gen)
            head.append(line)
            print(line, flush=True)

        sections: list[tuple[str, Callable[[], None]]] = [
            ("read", lambda: bench_read(wbs, n_read, n_pandas, reps)),
            ("process", lambda: bench_process(wbs, n_process, reps)),
            ("growth", lambda: bench_growth(wbs, sizes, None, reps, scratch)),
            ("growth", lambda: bench_growth(wbs, [n for n in sizes if n <= 2000], 1, growth_reps_1, scratch)
             if growth_reps_1 else None),
            ("pdf", lambda: bench_summary_pdf(wbs, pdf_sizes, pdf_reps, scratch)),
            ("phases", lambda: bench_phases(wbs, min(1000, max(sizes)), scratch)),
            ("with-reports", lambda: bench_with_reports(wbs, n_reports, 3, scratch)),
            ("reports", lambda: bench_reports(scratch, reps + 2)),
            ("startup", lambda: bench_startup(7, scratch)),
        ]
        for name, fn in sections:
            if not want(name):
                continue
            log(f"section {name} ({time.perf_counter() - started:.0f} s so far)")
            try:
                fn()
            except Exception as exc:  # noqa: BLE001 - a broken section must not hide the others
                Section(name, [], notes=[na(exc)]).print()
                traceback.print_exc(file=sys.stderr)

        s = Section("Targets", ["target", "goal", "measured: median (min–max)", "met"])
        for t in TARGETS:
            s.rows.append([t.name, t.goal, t.measured, t.verdict])
        s.notes.append(f"met: judged on the median with a {MARGIN:.0%} margin — \"yes\" when the median beats the goal "
                       f"by at least {MARGIN:.0%}, \"NO\" when it misses it by at least {MARGIN:.0%}, \"borderline\" "
                       "in between (within the noise of a shared machine: another run could go either way).")
        s.print()
        took = time.perf_counter() - started
        tail = f"(benchmark run took {took:.0f} s; at the end: {load()})"
        print("\n" + tail, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if tmp_ctx:
            tmp_ctx.cleanup()
    markdown = "\n".join(head) + "\n\n" + "\n\n".join(OUTPUT) + "\n\n" + tail + "\n"
    run = {"mode": "full" if args.full else "quick", "started": started_at, "seconds": took, "machine": machine(),
           "results": RESULTS, "targets": [t.__dict__ for t in TARGETS], "readme": readme_sentence()}
    json_path = args.json or (Path("benchmark.json") if args.write_docs else None)
    if json_path:
        json_path.write_text(json.dumps(run, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"wrote {json_path}")
    if args.markdown:
        args.markdown.write_text(markdown, encoding="utf-8")
    if args.write_docs:
        for path in write_docs(markdown, run):
            log(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
