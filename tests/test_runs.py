"""A run never breaks and never leaves a mess (docs/security.md, "Runs"): the real command line in a
subprocess, interrupted by SIGINT / SIGTERM / SIGKILL at several moments of a round of generated workbooks.

Each case checks: the exit code (130 / 143), no traceback and one line on stderr, ``--out`` holding either
the complete previous set or the complete new set (never a mix, ``reports/`` one round only), no staging
folder or spool left, and no process of the command still alive.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from auditkit.paths import sample_audits_dir

ROUND_SIZE = 120
ENV = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")


def clone_round(folder: Path, n: int) -> Path:
    """``n`` workbooks of distinct services: the sample workbooks with a new 7-digit service identifier
    written into their XML (a copy per identifier, made at the zip level: fast and exact)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(sample_audits_dir().glob("*.xlsx"))
    for i in range(n):
        src = sources[i % len(sources)]
        with zipfile.ZipFile(src) as zin:
            members = [(info, zin.read(info)) for info in zin.infolist()]
        old = _service_id(members)
        new = f"{9_000_000 + i}".encode()
        with zipfile.ZipFile(folder / f"round_{i:04d}.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
            for info, data in members:
                xml = info.filename.endswith(".xml")
                zout.writestr(info, data.replace(b">" + old + b"<", b">" + new + b"<") if xml else data)
    return folder


@functools.lru_cache(maxsize=1)
def _sample_ids() -> tuple[bytes, ...]:
    from auditkit.validation.batch import validate_paths

    return tuple(r.service.service_id.encode() for r in validate_paths([sample_audits_dir()]) if r.service)


def _service_id(members) -> bytes:
    """The 7-digit identifier a sample workbook's XML holds."""
    texts = b"".join(data for info, data in members if info.filename.endswith(".xml"))
    # a cell's whole value: the template's help text quotes an example identifier too
    return next(sid for sid in _sample_ids() if b">" + sid + b"<" in texts)


@pytest.fixture(scope="session")
def big_round(tmp_path_factory) -> Path:
    return clone_round(tmp_path_factory.mktemp("round") / "round", ROUND_SIZE)


def summarize(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "auditkit.cli", "summarize", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, start_new_session=True, **kw)


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_complete(out: Path) -> int:
    """``out`` is one whole output set: its JSON, PDF, xlsx and exactly one report per included service."""
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (out / "summary.pdf").stat().st_size > 0 and (out / "summary.xlsx").stat().st_size > 0
    ids = sorted(s["service_id"] for s in data["services"])
    reports = sorted(p.name.split("_", 1)[0] for p in (out / "reports").glob("*.pdf"))
    assert reports == ids
    assert len(list((out / "reports").iterdir())) == len(list((out / "reports").glob("*.pdf"))) * 2  # + plans
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    return len(ids)


def session_processes(sid: int) -> list[int]:
    """Live (not zombie) processes of the session ``sid`` (the command and anything it started)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(stat.parent.name))
    return found


def assert_no_mess(out: Path, pid: int) -> None:
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.auditkit-")] == []
    assert list(Path(tempfile.gettempdir()).glob(f"auditkit-spool-{pid}-*")) == []
    for _ in range(50):
        if not session_processes(pid):
            break
        time.sleep(0.1)
    assert session_processes(pid) == []


@pytest.fixture
def previous_set(tmp_path) -> tuple[Path, dict[str, str]]:
    """An --out already holding a complete output set (the six sample services)."""
    out = tmp_path / "out"
    proc = summarize(str(sample_audits_dir()), "--out", str(out))
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    assert assert_complete(out) == 6
    return out, snapshot(out)


@pytest.mark.parametrize(("signum", "delay"), [
    (signal.SIGINT, 0.3), (signal.SIGTERM, 1.5), (signal.SIGINT, 3.0), (signal.SIGTERM, 5.0), (signal.SIGINT, 8.0),
])
def test_a_signal_leaves_the_previous_or_the_new_set_and_nothing_else(big_round, previous_set, signum, delay):
    out, before = previous_set
    proc = summarize(str(big_round), "--out", str(out), "--jobs", "2")
    time.sleep(delay)
    os.killpg(proc.pid, signum)  # as Ctrl+C does: the command and its workers
    stdout, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr and "Traceback" not in stdout
    if proc.returncode in (0, 1):  # the round was done before the signal came: the new set
        assert assert_complete(out) == ROUND_SIZE
    else:
        assert proc.returncode == 128 + signum, stderr
        assert [line for line in stderr.splitlines() if line.strip()] == [
            line for line in stderr.splitlines() if line.strip() and signal.Signals(signum).name in line]
        assert len([line for line in stderr.splitlines() if line.strip()]) == 1, stderr
        if "po zápisu výstupů" in stderr:  # the stop came after the new set was in place, and says so
            assert assert_complete(out) == ROUND_SIZE
        else:
            assert snapshot(out) == before  # the previous set, untouched
    assert_no_mess(out, proc.pid)


def test_sigkill_leftovers_are_removed_by_the_next_run(big_round, previous_set, tmp_path):
    out, before = previous_set
    proc = summarize(str(big_round), "--out", str(out), "--jobs", "2")
    time.sleep(3)
    proc.kill()  # the parent only, as the OOM killer would
    proc.communicate(timeout=60)
    assert snapshot(out) == before
    for _ in range(50):  # the workers die with their parent
        if not session_processes(proc.pid):
            break
        time.sleep(0.1)
    assert session_processes(proc.pid) == []
    again = summarize(str(sample_audits_dir()), "--out", str(out))
    assert again.wait(timeout=300) == 0
    assert_no_mess(out, proc.pid)
    assert assert_complete(out) == 6


def test_reports_hold_exactly_one_round(tmp_path):
    """A re-run after services left the round (a rename, a smaller round) keeps no stale report."""
    big, small, out = tmp_path / "big", tmp_path / "small", tmp_path / "out"
    clone_round(big, 9)
    small.mkdir()
    for p in sorted(big.iterdir())[:3]:
        shutil.copy(p, small / p.name)
    for folder, n in ((big, 9), (small, 3)):
        proc = summarize(str(folder), "--out", str(out))
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
        assert assert_complete(out) == n


def test_out_holding_other_files_is_refused_and_kept(tmp_path):
    out = tmp_path / "project"
    out.mkdir()
    (out / "notes.docx").write_bytes(b"mine")
    proc = summarize(str(sample_audits_dir()), "--out", str(out))
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 2, stderr
    assert "notes.docx" in stderr and str(out) in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.docx"]


def test_no_fork_while_a_progress_thread_runs():
    """The progress bar draws on events from the main thread: no refresh thread exists when workers fork."""
    import threading

    from auditkit.events import FileDone, StageStarted
    from auditkit.render import progress_bar

    before = threading.active_count()
    with progress_bar("cs") as listen:
        listen(StageStarted("workbooks", 10))
        listen(FileDone("a.xlsx"))
        assert threading.active_count() == before


def test_the_progress_bar_draws_the_events(monkeypatch):
    import io

    from rich.console import Console

    from auditkit import render
    from auditkit.events import FileDone, FileRejected, FileStarted, OutputDone, StageFinished, StageStarted

    screen = io.StringIO()
    monkeypatch.setattr(render, "console_err", lambda: Console(file=screen, force_terminal=True, width=100))
    with render.progress_bar("cs") as listen:
        listen(StageStarted("workbooks", 3))
        for event in (FileStarted("a.xlsx"), FileDone("a.xlsx"), FileStarted("b.xlsx"), FileRejected("b.xlsx", 2)):
            listen(event)
        assert "2/3" in screen.getvalue() and "Zpracovávám sešity" in screen.getvalue()
        listen(StageFinished("workbooks"))
        listen(StageStarted("reports", 2))
        listen(OutputDone("reports", "reports/a.pdf"))
        assert "1/2" in screen.getvalue() and "Zapisuji výstupy" in screen.getvalue()


def test_outputs_are_readable_like_any_file(tmp_path):
    out = tmp_path / "out"
    proc = summarize(str(sample_audits_dir()), "--out", str(out))
    assert proc.wait(timeout=300) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask
    assert re.fullmatch(r"auditkit outputs.*\n", (out / ".auditkit-outputs").read_text(encoding="utf-8"))


# -- the user's mistakes and the machine's problems, in words ----------------------------------------------
def cli(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "auditkit.cli", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd, timeout=300, check=False, **kw)


def assert_in_words(proc: subprocess.CompletedProcess, code: int, *named: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "report this error" not in proc.stderr.lower()
    assert "nahlaste" not in proc.stderr.lower()
    for text in named:
        assert text in proc.stderr, proc.stderr


@pytest.fixture
def places(tmp_path) -> dict[str, Path]:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("poznámky", encoding="utf-8")
    (tmp_path / "locks").mkdir()
    (tmp_path / "locks" / "~$audit.xlsx").write_bytes(b"lock")
    return {"tmp": tmp_path, "empty": tmp_path / "empty", "txt": tmp_path / "notes.txt", "locks": tmp_path / "locks"}


def test_usage_mistakes_exit_2_naming_the_path(places):
    sample = str(sample_audits_dir())
    kotva = str(sample_audits_dir() / "ad_kotva.xlsx")
    t = places["tmp"]
    cases = [
        (("summarize", "--lang", "en"), ["--sample"]),
        (("summarize", str(t / "nonexistent")), [str(t / "nonexistent")]),
        (("summarize", str(places["txt"])), [str(places["txt"])]),
        (("summarize", str(places["empty"])), [str(places["empty"])]),
        (("summarize", str(places["locks"])), [str(places["locks"])]),  # only a lock file: an empty round
        (("summarize", sample, "--out", str(places["txt"])), [str(places["txt"])]),
        (("summarize", "--sample", sample), ["--sample"]),
        (("report", sample, "--out", str(t / "r.pdf")), [sample]),
        (("report", kotva, "--out", str(t)), [str(t)]),
        (("report", kotva, "--out", str(t / "r.txt")), [str(t / "r.txt"), ".pdf"]),
        (("report", str(t / "missing.xlsx"), "--out", str(t / "r.pdf")), [str(t / "missing.xlsx")]),
        (("template", "--out", str(t / "x.txt")), [str(t / "x.txt"), ".xlsx"]),
    ]
    for args, named in cases:
        assert_in_words(cli(*args), 2, *named)
    assert sorted(p.name for p in t.iterdir()) == ["empty", "locks", "notes.txt"]  # nothing written


def test_template_never_overwrites_without_force(tmp_path):
    filled = tmp_path / "filled.xlsx"
    shutil.copy(sample_audits_dir() / "ad_kotva.xlsx", filled)
    before = filled.read_bytes()
    assert_in_words(cli("template", "--out", str(filled)), 2, str(filled), "--force")
    assert filled.read_bytes() == before
    assert cli("template", "--out", str(filled), "--force").returncode == 0
    assert filled.read_bytes() != before


def test_summarize_sample_runs_the_bundled_round(tmp_path):
    proc = cli("summarize", "--sample", "--out", str(tmp_path / "out"), "--json", "--no-reports")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["services"]) == 6


def _limit_file_size() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (60 * 1024, 60 * 1024))  # as a full disk: writes fail (EFBIG)


def test_a_full_disk_is_said_in_words_and_the_previous_set_stays(previous_set):
    out, before = previous_set
    proc = cli("summarize", str(sample_audits_dir()), "--out", str(out), "--lang", "en",
               preexec_fn=_limit_file_size)
    assert_in_words(proc, 1, str(out), "disk is full")
    assert snapshot(out) == before
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.auditkit-")] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_said_in_words(tmp_path):
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        proc = cli("summarize", str(sample_audits_dir()), "--out", str(parent / "out"), "--lang", "en")
        assert_in_words(proc, 1, str(parent), "permission")
    finally:
        parent.chmod(0o755)


# -- every folder entry accounted for; inputs never include outputs ----------------------------------------
@pytest.fixture
def messy(tmp_path) -> Path:
    folder, outside = tmp_path / "round", tmp_path / "elsewhere"
    folder.mkdir()
    outside.mkdir()
    for name in ("ad_kotva.xlsx", "ad_jasmin.xlsx"):
        shutil.copy(sample_audits_dir() / name, folder / name)
    shutil.copy(sample_audits_dir() / "ad_pristav.xlsx", outside / "ad_pristav.xlsx")
    (folder / "sub.xlsx").mkdir()
    shutil.copy(sample_audits_dir() / "ad_lipova.xlsx", folder / "sub.xlsx" / "ad_lipova.xlsx")
    os.mkfifo(folder / "pipe.xlsx")
    (folder / "dangling.xlsx").symlink_to(tmp_path / "nothing.xlsx")
    (folder / "loop1.xlsx").symlink_to(folder / "loop2.xlsx")
    (folder / "loop2.xlsx").symlink_to(folder / "loop1.xlsx")
    (folder / "outside.xlsx").symlink_to(outside / "ad_pristav.xlsx")
    (folder / "alias.xlsx").symlink_to(folder / "ad_kotva.xlsx")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("x", encoding="utf-8")
    return folder


EXPECTED_ENTRIES = {
    "ad_kotva.xlsx": ("valid", None), "ad_jasmin.xlsx": ("valid", None),
    "sub.xlsx": ("skipped", "folder named like a workbook"), "sub.xlsx/ad_lipova.xlsx": ("valid", None),
    "pipe.xlsx": ("skipped", "never opened"), "dangling.xlsx": ("skipped", "does not exist"),
    "loop1.xlsx": ("skipped", "loops"), "loop2.xlsx": ("skipped", "loops"),
    "outside.xlsx": ("skipped", "outside the folder"), "alias.xlsx": ("skipped", "read under its own name"),
    ".git": ("skipped", "hidden folder"),
}


def test_every_folder_entry_is_accounted_for(messy):
    proc = cli("validate", str(messy), "--json", "--lang", "en")  # a FIFO must not hang it (timeout)
    assert proc.returncode == 0, proc.stderr
    files = {str(Path(f["file"]).relative_to(messy)): f for f in json.loads(proc.stdout)["files"]}
    assert set(files) == set(EXPECTED_ENTRIES)
    for name, (status, reason) in EXPECTED_ENTRIES.items():
        assert files[name]["status"] == status, name
        if reason:
            assert reason in files[name]["findings"][0]["message"], files[name]


def test_an_unreadable_folder_inside_the_round_is_accounted_for(tmp_path, monkeypatch):
    from auditkit.validation.batch import expand

    folder = tmp_path / "round"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(sample_audits_dir() / "ad_kotva.xlsx", folder / "ad_kotva.xlsx")
    scandir = os.scandir

    def refusing(path):  # root reads every folder: the refusal is simulated
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    todo, skipped = expand([folder], "en")
    assert [name for _, name in todo] == [str(folder / "ad_kotva.xlsx")]
    assert [(r.file, r.status) for r in skipped] == [(str(folder / "locked"), "skipped")]
    assert "the folder cannot be read (Permission denied)" in skipped[0].findings[0].message


def test_summarize_never_reads_its_own_outputs(messy):
    out = messy / "out"  # inside the input folder
    for _ in range(2):
        proc = cli("summarize", str(messy), "--out", str(out), "--json", "--lang", "en", "--no-reports")
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        assert len(data["services"]) == 3 and data["rejected"] == []
    skipped = {Path(r["file"]).name: r["findings"][0]["message"] for r in data["skipped"]}
    assert "auditkit's outputs" in skipped["out"]


# -- nothing from a workbook drives the terminal -------------------------------------------------------------
def test_escape_sequences_from_a_workbook_never_reach_the_terminal(tmp_path):
    import openpyxl
    from conftest import find_row

    folder = tmp_path / "round"
    folder.mkdir()
    for name in ("ad_kotva.xlsx", "ad_jasmin.xlsx"):
        shutil.copy(sample_audits_dir() / name, folder / name)
    for name, text in (("ad_kotva.xlsx", "Kotva _x001B_[2J_x001B_]0;owned_x0007_"),
                       ("ad_jasmin.xlsx", "dvakrát _x001B_[31m")):
        wb = openpyxl.load_workbook(folder / name)
        cover = wb.worksheets[0]
        if name == "ad_kotva.xlsx":
            cover[f"C{find_row(cover, 'service_name')}"] = text  # shown in the summary table
        else:
            ws = wb["E Supervize"]
            ws[f"C{find_row(ws, 'E02')}"] = text  # a wrong number: the message quotes it
        wb.save(folder / name)
    for args in (("validate", str(folder)), ("summarize", str(folder), "--out", str(tmp_path / "out"))):
        proc = cli(*args)
        assert proc.returncode in (0, 1), proc.stderr
        for stream in (proc.stdout, proc.stderr):
            assert not any(ch in stream for ch in "\x1b\x07\x9b"), repr(stream)
        assert "\\x1b" in proc.stdout
