"""template --from: the next round's workbook shows the previous round and is a normal workbook."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from conftest import find_row, validate
from test_cli import run

from auditkit.excel.fill import fill
from auditkit.excel.layout import COVER_SHEET, PREVIOUS

A = "A Smlouva"


@pytest.fixture
def prefilled(tmp_path, good_workbook):
    out = tmp_path / "next.xlsx"
    proc = run("template", "--from", str(good_workbook), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _column(ws, title: str) -> int:
    for row in ws.iter_rows(max_row=30):
        for c in row:
            if isinstance(c.value, str) and c.value.startswith(title):
                return c.column
    raise KeyError(title)


def test_previous_answers_and_evidence_beside_blank_answers(prefilled, good_workbook):
    before = validate(good_workbook).audit
    wb = openpyxl.load_workbook(prefilled)
    ws = wb[A]
    prev_col = _column(ws, PREVIOUS["cs"]["answer"].format(round="").strip())
    evid_col = _column(ws, PREVIOUS["cs"]["comment"])
    assert evid_col == prev_col + 1
    for qid in ("A01", "A02", "A05"):
        r = find_row(ws, qid)
        assert ws.cell(row=r, column=3).value is None  # the answer is blank
        assert ws.cell(row=r, column=prev_col).value not in (None, "")
        assert ws.cell(row=r, column=evid_col).value == before.answers[qid].comment
        assert ws.cell(row=r, column=prev_col).protection.locked  # read-only
    assert ws.cell(row=find_row(ws, "A02"), column=prev_col).value in ("ano", "částečně", "ne", "nedoloženo", "N/A")


def test_identification_carried_but_date_and_round_left_blank(prefilled, good_workbook):
    before = validate(good_workbook).audit.service
    cover = openpyxl.load_workbook(prefilled)[COVER_SHEET["cs"]]
    value = {qid: cover.cell(row=find_row(cover, qid), column=3).value
             for qid in ("service_name", "provider", "service_id", "audit_date", "audit_round")}
    assert value["service_name"] == before.service_name
    assert value["provider"] == before.provider
    assert value["service_id"] == before.service_id
    assert value["audit_date"] is None and value["audit_round"] is None


def test_previous_answers_typed_again_validate_to_the_same_values(tmp_path, prefilled, questionnaire,
                                                                   good_workbook):
    """The previous-answer column is written the way an auditor types: copied into the answer cells (as an
    auditor finding nothing changed would do), the next round validates clean with the same answers."""
    before = validate(good_workbook).audit
    wb = openpyxl.load_workbook(prefilled)
    for name in [COVER_SHEET["cs"]] + [a.sheet("cs") for a in questionnaire.areas]:
        ws = wb[name]
        prev_col = _column(ws, PREVIOUS["cs"]["answer"].format(round="").strip())
        for row in ws.iter_rows(min_row=5):
            if row[0].value and row[2].value is None:
                row[2].value = ws.cell(row=row[0].row, column=prev_col).value
    fill(wb, questionnaire, "cs", {"audit_date": dt.date(2024, 3, 5), "audit_round": "2024"})
    out = tmp_path / "filled.xlsx"
    wb.save(out)
    result = validate(out)
    assert result.status == "valid", [f.message for f in result.findings if f.severity == "error"]
    after = result.audit
    assert {k: (a.status, a.value) for k, a in after.answers.items()} == \
        {k: (a.status, a.value) for k, a in before.answers.items()}
    assert after.service.service_id == before.service.service_id
    assert after.service.audit_round == "2024"
    assert after.records["staff"] == before.records["staff"]  # the staff list carried over, still readable


def test_blank_next_round_is_incomplete_not_broken(prefilled):
    result = validate(prefilled)
    codes = {f.code for f in result.findings}
    assert result.status == "invalid"
    assert "answer_missing" in codes or "answer_required" in codes
    assert all(f.sheet and f.cell for f in result.findings if f.code.startswith("answer_"))


def test_unreadable_previous_workbook_writes_nothing(tmp_path):
    bad = tmp_path / "old.xlsx"
    bad.write_bytes(b"not a workbook")
    out = tmp_path / "next.xlsx"
    proc = run("template", "--from", str(bad), "--out", str(out))
    assert proc.returncode == 1
    assert not out.exists()
    assert "Traceback" not in proc.stderr + proc.stdout
