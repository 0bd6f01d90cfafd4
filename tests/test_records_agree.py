"""Typed answers against the record sheets, and N/A only under its declared condition (validation)."""

from __future__ import annotations

from conftest import set_answer, validate, where

C, D, F = "C Personál a vrátnice", "D Potraviny a materiální pomoc", "F Výsledky"


def test_the_sample_workbook_agrees_with_its_sheets(good_workbook):
    codes = {f.code for f in validate(good_workbook).problems}
    assert not codes & {"answer_contradicts_records", "figure_differs_from_records", "na_condition_unmet"}


def test_training_answer_that_contradicts_the_staff_sheet_is_a_warning_naming_both(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, C, "C08", "ne"))))
    assert (C, cell["c"], "answer_contradicts_records") in where(result)
    (finding,) = [f for f in result.problems if f.code == "answer_contradicts_records"]
    assert finding.severity == "warning" and finding.question_id == "C08"
    assert "Personál" in finding.message and "„ne“" in finding.message and "„ano“" in finding.message
    assert result.status == "valid"


def test_staff_sheet_short_of_training_contradicts_yes(edited):
    def change(wb):
        ws = wb["Personál"]
        header = [c.value for c in ws[3]]  # title and instructions above the header
        col = header.index("Hodin dalšího vzdělávání v kalendářním roce") + 1
        ws.cell(row=5, column=col, value=10)  # the first social worker: 10 h of the 24 due
    result = validate(edited(change))
    assert any(f.code == "answer_contradicts_records" and f.question_id == "C08" for f in result.problems)


def test_median_stay_far_from_the_files_is_a_warning(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, F, "F06", 30))))
    (finding,) = [f for f in result.problems if f.code == "figure_differs_from_records"]
    assert (finding.sheet, finding.cell, finding.question_id) == (F, cell["c"], "F06")
    assert "Spisy" in finding.message and "30" in finding.message


def test_na_on_a_critical_item_only_under_its_condition(edited):
    cell = {}

    def na_with_aid(wb):
        cell["c"] = set_answer(wb, D, "D03", "N/A")

    result = validate(edited(na_with_aid))
    assert (D, cell["c"], "na_condition_unmet") in where(result)
    assert result.status == "invalid"

    def na_without_aid(wb):
        set_answer(wb, D, "D02", "žádná pomoc se neposkytuje")
        set_answer(wb, D, "D03", "N/A")

    result = validate(edited(na_without_aid, name="no_aid.xlsx"))
    assert not any(f.code == "na_condition_unmet" for f in result.problems)
