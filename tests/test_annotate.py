"""validate --annotate: the auditor's own workbook comes back with every problem on its cell."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from conftest import set_answer, validate, where
from test_cli import run

from auditkit.annotation import AnnotateTargetError, annotate_results
from auditkit.excel.layout import ANNOTATION_SHEET
from auditkit.validation.batch import validate_paths

A, E = "A Smlouva", "E Supervize"


def _planted(wb):
    set_answer(wb, E, "E02", "dvakrát")  # not a number
    set_answer(wb, A, "A02", "možná")  # not an option
    set_answer(wb, A, "A03", None)  # a required answer left blank


def _values(wb):
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _validations(wb):
    return {ws.title: sorted((str(d.sqref), d.type, d.formula1, d.formula2, d.operator)
                             for d in ws.data_validations.dataValidation) for ws in wb.worksheets}


@pytest.fixture
def bad(edited):
    return edited(_planted, name="kotva.xlsx")


def test_copy_marks_every_planted_cell_and_changes_no_answer(tmp_path, bad):
    original = validate(bad)
    planted = {(s, c) for s, c, _ in where(original, "error")}
    assert len(planted) == 3
    before = bad.read_bytes()
    proc = run("validate", str(bad), "--annotate", str(tmp_path / "out" / "kotva_opravy.xlsx"))
    assert proc.returncode == 1, proc.stderr
    assert bad.read_bytes() == before  # the original is never touched
    copy = tmp_path / "out" / "kotva_opravy.xlsx"
    wb, src = openpyxl.load_workbook(copy), openpyxl.load_workbook(bad)

    for sheet, cell in planted:
        target = wb[sheet][cell]
        assert target.comment is not None and target.comment.author == "auditkit", (sheet, cell)
        assert target.fill.start_color.rgb.endswith("FFC7CE")
    assert wb[E]["A1"].comment is None  # only problem cells carry comments

    assert wb.sheetnames[0] == ANNOTATION_SHEET["cs"]
    assert wb.sheetnames[1:] == src.sheetnames
    values = _values(wb)
    del values[ANNOTATION_SHEET["cs"]]
    assert values == _values(src)
    assert _validations(wb) == {k: v for k, v in _validations(src).items()} | {ANNOTATION_SHEET["cs"]: []}
    assert wb["_meta"].sheet_state == src["_meta"].sheet_state
    assert all(wb[n].protection.sheet == src[n].protection.sheet for n in src.sheetnames)

    listing = wb[ANNOTATION_SHEET["cs"]]
    links = {(r[0].value, r[1].value, r[1].hyperlink.location if r[1].hyperlink else None)
             for r in listing.iter_rows(min_row=6) if r[1].value}
    for sheet, cell in planted:
        assert (sheet, cell, f"'{sheet}'!{cell}") in links

    again = validate(copy)
    assert sorted(where(again)) == sorted(where(original))
    assert again.status == original.status


def test_clean_workbook_copy_says_so_and_validates_clean(tmp_path, good_workbook):
    results = validate_paths([good_workbook])
    (done,) = annotate_results(results, tmp_path / "copy.xlsx", "en")  # the workbook's language wins
    assert (done.status, done.cells) == ("written", 0)
    wb = openpyxl.load_workbook(tmp_path / "copy.xlsx")
    texts = [c.value for row in wb[ANNOTATION_SHEET["cs"]].iter_rows() for c in row if c.value]
    assert any("žádná chyba" in str(t) for t in texts)
    assert validate(tmp_path / "copy.xlsx").findings == []


def test_annotating_a_copy_again_replaces_the_list_sheet(tmp_path, bad):
    first = tmp_path / "first.xlsx"
    annotate_results(validate_paths([bad]), first, "cs")
    second = tmp_path / "second.xlsx"
    annotate_results(validate_paths([first]), second, "cs")
    assert openpyxl.load_workbook(second).sheetnames.count(ANNOTATION_SHEET["cs"]) == 1


def test_folder_gets_one_copy_per_workbook(tmp_path, edited, good_workbook):
    folder = tmp_path / "round"
    folder.mkdir()
    shutil.copy(edited(_planted, name="a.xlsx"), folder / "a.xlsx")
    shutil.copy(good_workbook, folder / "b.xlsx")
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    proc = run("validate", str(folder), "--annotate", str(tmp_path / "back"))
    assert proc.returncode == 1
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == ["a.xlsx", "b.xlsx"]
    assert "a.xlsx" in proc.stderr and "b.xlsx" in proc.stderr


def test_copy_never_replaces_its_source(tmp_path, bad):
    folder = bad.parent
    before = bad.read_bytes()
    (done,) = annotate_results(validate_paths([bad]), folder, "cs")
    assert done.status == "would_overwrite"
    assert bad.read_bytes() == before


def test_unusable_targets_are_usage_errors(tmp_path, bad, good_workbook):
    proc = run("validate", str(bad), str(good_workbook), "--annotate", str(tmp_path / "one.xlsx"))
    assert proc.returncode == 2
    assert "--annotate" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(AnnotateTargetError):
        annotate_results(validate_paths([bad]), tmp_path / "dir.xlsx", "cs")


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")
def test_copy_opens_in_libreoffice_and_keeps_its_validations(tmp_path, bad):
    copy = tmp_path / "copy.xlsx"
    annotate_results(validate_paths([bad]), copy, "cs")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--calc",
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(copy)],
        check=True, capture_output=True, timeout=240,
    )
    resaved = tmp_path / "lo" / "copy.xlsx"
    wb = openpyxl.load_workbook(resaved)
    assert wb[E][next(c for s, c, _ in where(validate(bad)) if s == E)].comment is not None
    assert any(dv.type == "list" for dv in wb[A].data_validations.dataValidation)
    assert sorted(where(validate(resaved))) == sorted(where(validate(bad)))


def test_english_workbook_gets_an_english_copy(tmp_path, good_workbook_en):
    proc = run("validate", str(good_workbook_en), "--annotate", str(tmp_path / "copy.xlsx"))
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(tmp_path / "copy.xlsx")
    assert wb.sheetnames[0] == ANNOTATION_SHEET["en"]


def test_a_range_gets_its_comment_on_its_first_cell_and_a_bad_reference_is_only_listed(tmp_path, good_workbook):
    """A record table's check names a range ("C6:C9"): its comment goes on C6. A reference that names no cell
    is listed on the first sheet and not counted as annotated."""
    from auditkit.excel.annotate import annotate_workbook
    from auditkit.validation.problems import make

    sheet = openpyxl.load_workbook(good_workbook).sheetnames[1]
    problems = [make("answer_required", "cs", str(good_workbook), sheet=sheet, cell=cell, label="x", expected="y",
                     question_id="A01") for cell in ("C5", "C6:C9", "C-5")]
    copy = tmp_path / "copy.xlsx"
    assert annotate_workbook(good_workbook, copy, problems, "cs") == 2
    wb = openpyxl.load_workbook(copy)
    assert wb[sheet]["C5"].comment is not None and wb[sheet]["C6"].comment is not None
    listed = [c.value for row in wb[ANNOTATION_SHEET["cs"]].iter_rows() for c in row]
    assert {"C5", "C6:C9", "C-5"} <= set(listed)
