"""Validation of filled workbooks: every finding code, at the right sheet and cell."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from conftest import find_row, set_answer, validate, where

from auditkit.excel.fill import fill
from auditkit.excel.template import build_template

A, C, E, F = "A Smlouva", "C Personál a vrátnice", "E Supervize", "F Výsledky"


def test_filled_template_validates_clean(good_workbook):
    result = validate(good_workbook)
    assert result.status == "valid"
    assert result.problems == []
    audit = result.audit
    assert audit.service.service_id == "4827163"
    assert audit.service.audit_date == dt.date(2023, 2, 14)
    assert audit.answers["E02"].value == 11
    assert audit.answers["C05"].value == "non_care"
    assert audit.answers["E02"].cell == f"C{find_row(openpyxl.load_workbook(good_workbook)[E], 'E02')}"
    assert len(audit.records["staff"]) == 1 + 4 + 3


def test_english_template_validates_clean(good_workbook_en):
    result = validate(good_workbook_en, lang="en")
    assert result.status == "valid", [f.message for f in result.problems]
    assert result.audit.answers["C05"].value == "no_reception"


def test_typed_like_a_person_validates_clean(edited):
    def typing(wb):
        set_answer(wb, A, "A02", "Ano ")  # trailing space, capital letter
        set_answer(wb, A, "A03", "  ČÁSTEČNĚ")
        set_answer(wb, A, "A06", "castecne")  # no diacritics
        set_answer(wb, A, "A05", "40 %")
        set_answer(wb, C, "C03", "3,8")  # decimal comma as text
        set_answer(wb, C, "C01", "48")  # number stored as text
        set_answer(wb, E, "E02", 11.0)  # whole number read as float
        set_answer(wb, E, "E12", "30. 3. 2023")
        set_answer(wb, "Úvod", "audit_date", "14.2.2023")
        set_answer(wb, "Úvod", "service_id", 4827163)  # typed as a number
        set_answer(wb, A, "A10", "n/a")
        set_answer(wb, A, "A08", "NEDOLOŽENO")
        set_answer(wb, A, "A09", "ano\u00a0")  # non-breaking space
        wb["Personál"]["B5"] = "1,0"

    result = validate(edited(typing))
    assert result.status == "valid", [f.message for f in result.problems]
    answers = result.audit.answers
    assert answers["A02"].value == "yes"
    assert answers["A03"].value == "partly"
    assert answers["A06"].value == "partly"
    assert answers["A05"].value == 40
    assert answers["C03"].value == 3.8
    assert answers["E12"].value == dt.date(2023, 3, 30)
    assert answers["A10"].status == "na"
    assert answers["A08"].status == "not_evidenced"
    assert result.audit.service.service_id == "4827163"


def test_planted_errors_are_reported_at_their_cells(edited):
    cells = {}

    def plant(wb):
        cells["type"] = set_answer(wb, E, "E02", "dvakrát")
        cells["range"] = set_answer(wb, E, "E08", 45)
        cells["choice"] = set_answer(wb, C, "C05", "recepční")
        cells["required"] = set_answer(wb, A, "A02", None)
        cells["personal"] = set_answer(wb, A, "A03", "Klientka 925315/1234 nesouhlasila.", column="D")

    result = validate(edited(plant))
    assert result.status == "invalid"
    found = where(result)
    assert (E, cells["type"], "answer_type") in found
    assert (E, cells["range"], "answer_range") in found
    assert (C, cells["choice"], "answer_choice") in found
    assert (A, cells["required"], "answer_required") in found
    assert (A, cells["personal"], "personal_data") in found
    message = next(f.message for f in result.problems if f.code == "answer_type")
    assert message.startswith(f"List {E}, buňka {cells['type']}:")
    assert "celé číslo 0–52" in message and "„dvakrát“" in message


def test_messages_in_english(edited):
    result = validate(edited(lambda wb: set_answer(wb, E, "E02", "twice")), lang="en")
    message = next(f.message for f in result.problems if f.code == "answer_type")
    assert message.startswith(f"Sheet {E}, cell ")
    assert "a whole number 0–52" in message


def test_renamed_sheet_is_read_with_a_warning(edited):
    def rename(wb):
        wb[E].title = "Supervize 2023"

    result = validate(edited(rename))
    assert result.status == "valid"
    assert ("Supervize 2023", None, "sheet_renamed") in where(result, "warning")
    assert result.audit.answers["E02"].value == 11


def test_deleted_sheet_is_missing_with_a_suggestion(edited):
    def delete_and_add(wb):
        del wb[E]
        wb.create_sheet("E Supervise")  # an empty sheet with a near name

    result = validate(edited(delete_and_add))
    finding = next(f for f in result.problems if f.code == "sheet_missing")
    assert finding.sheet == E
    assert "E Supervise" in finding.message


def test_deleted_question_row_and_duplicates(edited):
    cells = {}

    def change(wb):
        ws = wb[A]
        ws.delete_rows(find_row(ws, "A04"))
        row = find_row(ws, "A05")
        ws[f"A{row}"] = "A02"  # now A02 twice; A05 missing
        cells["dup"] = f"A{row}"
        ws[f"A{ws.max_row + 2}"] = "A99"
        cells["unknown"] = f"A{ws.max_row}"

    result = validate(edited(change))
    found = where(result)
    assert (A, None, "question_missing") in found
    assert {f.question_id for f in result.problems if f.code == "question_missing"} == {"A04", "A05"}
    assert (A, cells["dup"], "question_duplicate") in found
    assert (A, cells["unknown"], "question_unknown") in found


def test_blank_rows_keep_excel_numbering(edited):
    def insert(wb):
        wb[E].insert_rows(6, amount=3)

    path = edited(insert)
    result = validate(path)
    row = find_row(openpyxl.load_workbook(path)[E], "E08")
    assert result.audit.answers["E08"].cell == f"C{row}"


def test_service_identification(edited):
    cells = {}

    def change(wb):
        cells["name"] = set_answer(wb, "Úvod", "service_name", None)
        cells["id"] = set_answer(wb, "Úvod", "service_id", "48271")

    result = validate(edited(change))
    found = where(result)
    assert ("Úvod", cells["name"], "ident_missing") in found
    assert ("Úvod", cells["id"], "answer_type") in found


def test_na_where_not_allowed(edited):
    result = validate(edited(lambda wb: set_answer(wb, F, "F01", "N/A")))
    assert any(f.code == "answer_na_not_allowed" and f.sheet == F for f in result.problems)


def test_record_tables_against_answers(edited):
    def change(wb):
        ws = wb["Personál"]
        ws["B5"] = 0.5  # first social worker: 1.0 → 0.5 makes the FTE sum disagree with C03
        ws["A22"] = "kuchař"  # invalid role
        ws["B22"] = 1
        ws["B23"] = "hodně"  # no role and a bad FTE
        wb["Odchody"]["B4"] = 20  # departures sum no longer equals F01

    result = validate(edited(change))
    found = where(result)
    assert ("Personál", "A22", "record_choice") in found
    assert ("Personál", "B23", "record_type") in found
    assert ("Personál", "A23", "record_required") in found
    inconsistent = [f for f in result.problems if f.code == "records_inconsistent"]
    assert {f.sheet for f in inconsistent} == {"Odchody"}  # the staff sum is skipped: a cell there is bad
    assert f"'{F}'!C" in inconsistent[0].message


def test_fte_sum_names_both_cells(edited):
    result = validate(edited(lambda wb: wb["Personál"].__setitem__("B5", 0.5)))
    (finding,) = [f for f in result.problems if f.code == "records_inconsistent"]
    assert finding.sheet == "Personál" and finding.cell.startswith("B4:B")
    assert f"'{C}'!C" in finding.message and "3,3" in finding.message


def test_formula_errors_and_merged_cells(edited):
    cells = {}

    def change(wb):
        cells["error"] = set_answer(wb, E, "E03", "#DIV/0!")
        ws = wb[A]
        row = find_row(ws, "A06")
        ws.merge_cells(f"C{row}:D{row}")
        cells["merged"] = f"C{row}"

    result = validate(edited(change))
    found = where(result)
    assert (E, cells["error"], "formula_error") in found
    assert (A, cells["merged"], "merged_cells") in found


def test_not_a_workbook_and_damaged_files(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    csv = tmp_path / "data.xlsx"
    csv.write_text("a;b\n1;2\n", encoding="utf-8")
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(bytes(range(256)) * 8)
    zipped = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("readme.txt", "not a workbook")
    missing = tmp_path / "missing.xlsx"
    codes = {p.name: [f.code for f in validate(p).problems] for p in (empty, csv, noise, zipped, missing)}
    assert codes == {
        "empty.xlsx": ["file_empty"],
        "data.xlsx": ["file_not_workbook"],
        "noise.xlsx": ["file_not_workbook"],
        "archive.xlsx": ["file_not_workbook"],
        "missing.xlsx": ["file_missing"],
    }


def test_truncated_workbook(tmp_path, good_workbook):
    data = good_workbook.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    result = validate(cut)
    assert [f.code for f in result.problems] == ["file_unreadable"]


def test_a_foreign_workbook_is_not_an_audit(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Rozpočet 2023"
    path = tmp_path / "rozpocet.xlsx"
    wb.save(path)
    assert [f.code for f in validate(path).problems] == ["not_audit_workbook"]


@pytest.mark.parametrize(
    ("cell", "value", "code"),
    [("B1", "jiny-dotaznik", "questionnaire_unknown"), ("B2", "9.0", "version_unknown")],
)
def test_unknown_questionnaire_or_version(edited, cell, value, code):
    result = validate(edited(lambda wb: wb["_meta"].__setitem__(cell, value)))
    assert where(result) == {("_meta", cell, code)}


def test_missing_meta_sheet_falls_back_with_a_warning(edited):
    result = validate(edited(lambda wb: wb.remove(wb["_meta"])))
    assert result.status == "valid"
    assert (None, None, "meta_missing") in where(result, "warning")


def test_duplicated_sheet(edited):
    def copy(wb):
        wb.security = None
        clone = wb.copy_worksheet(wb[E])
        clone.title = "E Supervize (2)"

    result = validate(edited(copy))
    assert ("E Supervize (2)", None, "sheet_duplicate") in where(result)


def test_long_text_and_multi_choice(edited, questionnaire):
    cells = {}

    def change(wb):
        cells["multi"] = set_answer(wb, C, "C12", "casework; neznámé téma")
        cells["long"] = set_answer(wb, "Úvod", "audit_round", "x" * 50)

    result = validate(edited(change))
    found = where(result)
    assert (C, cells["multi"], "answer_choice") in found
    assert ("Úvod", cells["long"], "answer_too_long") in found


def test_fill_writes_labels_in_the_template_language(questionnaire):
    wb = fill(build_template(questionnaire, "en"), questionnaire, "en", {"A02": "partly"})
    ws = wb["A Contract"]
    assert ws[f"C{find_row(ws, 'A02')}"].value == "partly"


def test_a_repeated_value_parses_the_same_every_time(questionnaire):
    """parse() keeps what it found per question and value: a repeat must give the same answer or problem."""
    from auditkit.excel.normalize import CellError
    from auditkit.validation.cells import parse

    items = questionnaire.questions()
    yes_no = next(item for _, item in items.values() if item.kind == "yes_no")
    supervisions = items["E02"][1]
    multi = next(item for _, item in items.values() if item.kind == "multi_choice")
    for _ in range(3):
        assert parse(questionnaire, yes_no, "Ano") == ("answered", "yes")
        assert parse(questionnaire, supervisions, "11") == ("answered", 11)
        with pytest.raises(CellError) as problem:
            parse(questionnaire, supervisions, "hodně")
        assert problem.value.code == "answer_type"
        with pytest.raises(CellError) as problem:
            parse(questionnaire, yes_no, "11")  # the same text, another question: not a cached number
        assert problem.value.code == "answer_choice"
    first = parse(questionnaire, multi, multi.options[0].label.cs)[1]
    first.append("changed by the caller")
    assert parse(questionnaire, multi, multi.options[0].label.cs)[1] == [multi.options[0].id]
