"""The spool: typed audits parked on disk by the workers and read back one at a time."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import set_answer

from auditkit.pipeline import process_files
from auditkit.spool import Spool


@pytest.fixture
def round_folder(tmp_path, good_workbook):
    """Three valid workbooks of two services (one duplicated) and one invalid workbook."""
    import openpyxl

    folder = tmp_path / "round"
    folder.mkdir()
    shutil.copy(good_workbook, folder / "a.xlsx")
    shutil.copy(good_workbook, folder / "a_copy.xlsx")  # the same service twice: both rejected
    for name, sid, broken in (("b.xlsx", "1111111", False), ("c.xlsx", "2222222", True)):
        wb = openpyxl.load_workbook(good_workbook)
        ws = wb.worksheets[0]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == "service_id" or (isinstance(cell.value, str) and "Identifikátor" in cell.value):
                    ws.cell(cell.row, 3).value = sid
        if broken:
            set_answer(wb, "E Supervize", "E02", "hodně")
        wb.save(folder / name)
    return folder


@pytest.mark.parametrize("jobs", [1, 2])
def test_valid_audits_are_parked_not_kept(round_folder, jobs):
    with Spool.temporary() as spool:
        results, scored = process_files([round_folder], "cs", jobs, spool=spool)
        status = {r.file.rsplit("/", 1)[-1]: r.status for r in results}
        assert status == {"a.xlsx": "invalid", "a_copy.xlsx": "invalid", "b.xlsx": "valid", "c.xlsx": "invalid"}
        assert all(r.audit is None for r in results)  # nothing large comes back from the workers
        assert set(spool.index) == {s.file for s in scored} == {str(round_folder / "b.xlsx")}
        audit = spool.load(str(round_folder / "b.xlsx"))
        assert audit.sha256 == scored[0].sha256 and audit.answers["E02"].value == 11
        with pytest.raises(KeyError):
            spool.load(str(round_folder / "c.xlsx"))  # invalid files are not parked
        folder = spool.folder
        assert folder.is_dir() and any(folder.iterdir())
    assert not folder.exists()  # removed with everything in it


def test_without_a_spool_the_audits_stay_in_the_results(round_folder):
    results, _ = process_files([round_folder], "cs", 1)
    valid = [r for r in results if r.status == "valid"]
    assert valid and all(r.audit is not None for r in valid)


def test_spool_is_private_and_cleanup_removes_it():
    import os
    import stat

    from auditkit import spool as spool_module

    with Spool.temporary() as spool:
        assert stat.S_IMODE(spool.folder.stat().st_mode) == 0o700
        assert spool.folder.name.startswith(f"{spool_module.PREFIX}{os.getpid()}-")
        spool_module.cleanup()  # what a signal handler calls
        assert not spool.folder.exists()
    spool_module.cleanup()  # twice is harmless


def test_leftover_of_a_killed_run_is_removed_by_the_next(tmp_path):
    import subprocess
    import sys

    from auditkit import spool as spool_module

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=False)
    pid = int(dead.stdout)  # a process that has exited: its spool is a leftover
    leftover = tmp_path / f"{spool_module.PREFIX}{pid}-abc"
    leftover.mkdir()
    (leftover / "part-1.pickle").write_bytes(b"x")
    live = tmp_path / f"{spool_module.PREFIX}{os.getppid()}-def"  # a running process: kept
    live.mkdir()
    other = tmp_path / "auditkit-other"
    other.mkdir()
    assert spool_module.remove_leftovers(tmp_path) == [leftover]
    assert not leftover.exists() and live.exists() and other.exists()


def test_next_run_removes_a_leftover_in_the_temporary_folder(tmp_path, monkeypatch):
    import subprocess
    import sys
    import tempfile

    from auditkit import spool as spool_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=False)
    leftover = tmp_path / f"{spool_module.PREFIX}{int(dead.stdout)}-xyz"
    leftover.mkdir()
    with Spool.temporary() as spool:
        assert spool.folder.parent == tmp_path
        assert not leftover.exists()


def test_sigterm_while_a_spool_exists_removes_it(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    code = ("import sys, time, tempfile; tempfile.tempdir = sys.argv[1]\n"
            "from auditkit.spool import Spool\n"
            "with Spool.temporary() as s:\n"
            "    (s.folder / 'part-1.pickle').write_bytes(b'comments')\n"
            "    print(s.folder, flush=True)\n"
            "    time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    folder = proc.stdout.readline().strip()
    assert folder and os.path.isdir(folder)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    time.sleep(0.1)
    assert not os.path.exists(folder) and list(tmp_path.iterdir()) == []
