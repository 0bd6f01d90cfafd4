"""The spool: typed audits parked on disk by the workers and read back one at a time."""

from __future__ import annotations

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
