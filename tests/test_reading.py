"""Every value read as the auditor meant it: number formats, special answers, lists, blank-like input.

Each test types into a workbook made from the template (as a person would), validates it through the
library and asserts on (sheet, cell, code) and on the value read.
"""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest
from conftest import find_row, set_answer, validate, where

A, B, C, D, E, F = (
    "A Smlouva", "B Základní činnosti", "C Personál a vrátnice", "D Potraviny a materiální pomoc", "E Supervize",
    "F Výsledky",
)


# -- 1. numbers read with their cell format -------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "number_format", "read"),
    [
        (1.0, None, 100),  # "100 %" typed in the template's %-formatted cell: Excel stores 1
        (0.4, None, 40),
        (0.07, None, 7),  # 0.07 × 100 = 7.000000000000001 in binary: the noise is rounded away
        (1, "0.00%", 100),
        (0.333, "0.0\\ %", 33.3),  # LibreOffice writes an escaped space
        ("100 %", None, 100),  # text typed with a % sign: read as written
        ("40 %", "General", 40),
        ("40", "General", 40),
        (40, "General", 40),
        (40, "0", 40),
    ],
)
def test_percent_answers_read_as_shown(edited, typed, number_format, read):
    cell = {}

    def typing(wb):
        cell["c"] = set_answer(wb, A, "A05", typed)
        if number_format:
            wb[A][cell["c"]].number_format = number_format

    result = validate(edited(typing))
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.answers["A05"].value == read
    assert not [f for f in result.findings if f.cell == cell["c"]]


@pytest.mark.parametrize(("typed", "shown"), [(2.5, "250 %"), (1.5, "150 %"), (-0.3, "-30 %")])
def test_percent_out_of_range_names_the_cell_and_what_it_shows(edited, typed, shown):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, A, "A05", typed))))
    assert (A, cell["c"], "answer_range") in where(result)
    (finding,) = [f for f in result.findings if f.cell == cell["c"]]
    assert f"„{shown}“" in finding.message and "0–100" in finding.message


@pytest.mark.parametrize(("typed", "value"), [("-30 %", -30), ("150 %", 150), (250, 250)])
def test_percent_points_out_of_range(edited, typed, value):
    """Text and numbers in a General cell are percent points: 0–100 unless the question says otherwise."""
    cell = {}

    def typing(wb):
        cell["c"] = set_answer(wb, B, "B05", typed)
        wb[B][cell["c"]].number_format = "General"

    result = validate(edited(typing))
    assert (B, cell["c"], "answer_range") in where(result)


@pytest.mark.parametrize(("typed", "read", "other"), [(1, 1, "100"), ("1", 1, "100"), (0.4, 40, "0,4"), ("0,5", 50, "0,5")])
def test_a_bare_number_up_to_one_in_a_general_cell_warns(edited, typed, read, other):
    cell = {}

    def typing(wb):
        cell["c"] = set_answer(wb, A, "A05", typed)
        wb[A][cell["c"]].number_format = "General"

    result = validate(edited(typing))
    assert result.status == "valid"
    assert result.audit.answers["A05"].value == read
    assert where(result) == {(A, cell["c"], "answer_percent_ambiguous")}
    (finding,) = result.findings
    assert finding.severity == "warning"
    assert f"{other} %" in finding.message


def test_float_noise_is_rounded_away(edited):
    def typing(wb):
        set_answer(wb, E, "E02", 3.0000000000000004)  # integer question: a formula's cached 3
        set_answer(wb, C, "C03", 0.1 + 0.2 + 3.5)  # 3.8000000000000003
        wb["Personál"]["B5"] = 0.30000000000000004 + 0.7

    result = validate(edited(typing))
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.answers["E02"].value == 3
    assert result.audit.answers["C03"].value == 3.8


def _with_cached_formula(path, sheet_index: int, cell: str, formula: str, cached: str) -> None:
    """Rewrite one cell of a saved workbook as a formula with a cached result (as Excel stores it)."""
    tmp = path.with_suffix(".tmp")
    shutil.move(path, tmp)
    with zipfile.ZipFile(tmp) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == f"xl/worksheets/sheet{sheet_index}.xml":
                text = data.decode()
                pattern = re.compile(rf'<c r="{cell}"([^>]*?)(?: t="\w+")?([^>]*)>.*?</c>')
                text, n = pattern.subn(rf'<c r="{cell}"\1\2><f>{formula}</f><v>{cached}</v></c>', text)
                assert n == 1
                data = text.encode()
            out.writestr(info, data)
    tmp.unlink()


def test_formula_with_a_cached_noisy_result(edited):
    cell = {}

    def typing(wb):
        cell["c"] = set_answer(wb, E, "E02", 0)
        cell["index"] = wb.sheetnames.index(E) + 1  # openpyxl numbers sheet parts in workbook order

    path = edited(typing)
    index = cell["index"]
    _with_cached_formula(path, index, cell["c"], "0.1*30", "3.0000000000000004")
    result = validate(path)
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.answers["E02"].value == 3


# -- 2. "nedoloženo" on every question -------------------------------------------------------------------
@pytest.mark.parametrize(("sheet", "qid"), [(B, "B01"), (D, "D02"), (E, "E01"), (C, "C01"), (F, "F01")])
def test_not_evidenced_is_accepted_where_na_is_not(edited, sheet, qid):
    result = validate(edited(lambda wb: set_answer(wb, sheet, qid, "nedoloženo")))
    assert not [f for f in result.findings if f.question_id == qid]
    assert result.audit.answers[qid].status == "not_evidenced"


@pytest.mark.parametrize(("sheet", "qid"), [(B, "B01"), (E, "E01")])
def test_na_is_refused_where_not_allowed_and_the_message_offers_not_evidenced(edited, sheet, qid):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, sheet, qid, "N/A"))))
    assert (sheet, cell["c"], "answer_na_not_allowed") in where(result)
    (finding,) = [f for f in result.findings if f.cell == cell["c"]]
    assert "nedoloženo" in finding.message.split("Zadejte", 1)[1]


def test_identification_takes_no_special_answers(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, "Úvod", "service_id", "nedoloženo"))))
    assert ("Úvod", cell["c"], "answer_na_not_allowed") in where(result)


def test_template_offers_not_evidenced_on_every_question(questionnaire, tmp_path):
    import openpyxl

    from auditkit.excel.template import write_template

    path = write_template(tmp_path / "t.xlsx", questionnaire)
    wb = openpyxl.load_workbook(path)
    ws = wb[E]
    row = find_row(ws, "E01")
    assert "nedoloženo" in ws[f"E{row}"].value and "N/A" not in ws[f"E{row}"].value
    dv = next(dv for dv in ws.data_validations.dataValidation if f"C{row}" in str(dv.sqref))
    ref = dv.formula1.split("!")[1].replace("$", "")
    values = [c.value for (c,) in wb["_lists"][ref]]
    assert "nedoloženo" in values and "N/A" not in values


# -- 3. multiple choice ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "potravinové balíčky\nteplá jídla",  # Alt+Enter
        "potravinové balíčky\r\nteplá jídla\n",
        "Potravinové Balíčky ;  TEPLÁ JÍDLA;",
        "potravinove balicky, tepla jidla",
        "- potravinové balíčky\n- teplá jídla",
        "potravinové balíčky\u2028teplá jídla",
    ],
)
def test_multiple_choice_one_per_line_or_separated(edited, typed):
    result = validate(edited(lambda wb: set_answer(wb, D, "D01", typed)))
    assert not [f for f in result.findings if f.question_id == "D01"], [f.message for f in result.findings]
    assert result.audit.answers["D01"].value == ["food_parcels", "meals"]


def test_multiple_choice_names_the_unknown_part(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, D, "D01", "teplá jídla\nkoloběžky"))))
    assert (D, cell["c"], "answer_choice") in where(result)


# -- 4. blank-like input in record tables ---------------------------------------------------------------
def _departures_row(ws, label):
    return next(c.row for c in ws["A"] if c.value == label)


@pytest.mark.parametrize("typed", ["-", "–", None, 0, "0"])
def test_a_prefilled_departures_row_may_stay_blank(edited, typed):
    cell = {}

    def typing(wb):
        ws = wb["Odchody"]
        r = _departures_row(ws, "neznámo")
        cell["c"] = f"B{r}"
        ws[cell["c"]] = typed

    result = validate(edited(typing))
    assert not [f for f in result.findings if f.sheet == "Odchody" and f.code != "records_inconsistent"]
    rows = {row["destination"]: row["count"] for row in result.audit.records["departures"]}
    assert rows.get("unknown", 0) == 0


@pytest.mark.parametrize("typed", ["-", "–", None, "0", 0])
def test_no_reception_hours_may_be_blank_or_a_dash(edited, typed):
    def typing(wb):
        wb["Personál"]["D5"] = typed

    result = validate(edited(typing))
    assert not [f for f in result.findings if f.sheet == "Personál"], [f.message for f in result.findings]
    assert result.audit.records["staff"][1]["reception_hours"] == 0


@pytest.mark.parametrize("qualification", [None, "-", "N/A", "n/a", "splňuje"])
def test_other_staff_need_no_qualification_or_training(edited, qualification):
    def typing(wb):
        ws = wb["Personál"]
        ws["A32"], ws["B32"], ws["C32"], ws["D32"], ws["E32"] = "jiný personál", 0.5, qualification, "-", "N/A"

    result = validate(edited(typing))
    assert not [f for f in result.findings if f.sheet == "Personál"], [f.message for f in result.findings]
    row = result.audit.records["staff"][-1]
    assert row["role"] == "other" and row["reception_hours"] == 0 and row["training_hours"] is None
    assert row["qualification"] == ("meets" if qualification == "splňuje" else None)


def test_na_where_the_column_applies_is_an_error(edited):
    def typing(wb):
        ws = wb["Personál"]
        ws["A32"], ws["B32"], ws["C32"], ws["D32"], ws["E32"] = "sociální pracovník", 0.5, "N/A", 0, None

    result = validate(edited(typing))
    found = where(result)
    assert ("Personál", "C32", "record_na_not_applicable") in found
    assert ("Personál", "E32", "record_required") in found


# -- 8. messages in the workbook's language -------------------------------------------------------------
def _cli(*args: str):
    import os
    import subprocess
    import sys

    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "auditkit.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_an_english_workbook_gets_english_messages_without_lang(edited, good_workbook_en):
    from auditkit.validation.batch import validate_paths

    path = edited(lambda wb: set_answer(wb, "E Supervision", "E02", "twice"), name="en.xlsx", source=good_workbook_en)
    (result,) = validate_paths([path], lang=None)
    (finding,) = [f for f in result.findings if f.code == "answer_type"]
    assert finding.message.startswith("Sheet E Supervision, cell ")
    (czech,) = [f for f in validate_paths([path], lang="cs")[0].findings if f.code == "answer_type"]
    assert czech.message.startswith("List E Supervision, buňka ")
    proc = _cli("validate", str(path), "--json")
    assert proc.returncode == 1
    assert "Sheet E Supervision" in proc.stdout and "List " not in proc.stdout


# -- 9. one rule for duplicate services -----------------------------------------------------------------
def test_validate_rejects_two_workbooks_of_one_service_like_summarize(tmp_path, good_workbook):
    import json

    from auditkit.validation.batch import validate_paths

    folder = tmp_path / "round"
    folder.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(good_workbook, folder / name)
    results = validate_paths([folder])
    assert [(r.status, [f.code for f in r.findings]) for r in results] == [("invalid", ["file_duplicate_service"])] * 2
    proc = _cli("validate", str(folder), "--json")
    assert proc.returncode == 1
    files = json.loads(proc.stdout)["files"]
    assert [f["status"] for f in files] == ["invalid", "invalid"]


# -- 6. invisible characters removed once ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["\u3164", "\u2800", " \u200b\u2800 ", "\u115f\u1160", "\U000e0041\U000e0042", "\u2028"])
def test_a_name_that_renders_blank_is_missing(edited, name):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, "Úvod", "service_name", name))))
    assert ("Úvod", cell["c"], "ident_missing") in where(result)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Azylový dům\U000e0048\U000e0069 Hvězda", "Azylový dům Hvězda"),  # tag characters
        ("Azylový\u00ad dům\u2060 Hvězda\u200e", "Azylový dům Hvězda"),
        ("Azylový dům\u3164 Hvězda", "Azylový dům Hvězda"),
    ],
)
def test_invisible_characters_are_removed_from_names(edited, typed, read):
    result = validate(edited(lambda wb: set_answer(wb, "Úvod", "service_name", typed)))
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.service.service_name == read


def test_every_format_character_is_removed():
    import sys
    import unicodedata

    from auditkit.excel.normalize import clean_text

    kept = [
        f"U+{c:04X}" for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cf", "Zl", "Zp") and clean_text(f"a{chr(c)}b") not in ("ab", "a b")
    ]
    assert kept == []


# -- 5. messages say what is expected; IDs in any case; extra words -------------------------------------
@pytest.mark.parametrize("typed", ["48271", "482716", "48271634", "ABC1234"])
def test_a_wrong_service_identifier_says_seven_digits(edited, typed):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, "Úvod", "service_id", typed))))
    assert ("Úvod", cell["c"], "answer_type") in where(result)
    (finding,) = [f for f in result.findings if f.cell == cell["c"]]
    assert "7 číslic" in finding.message and "Očekáváno text" not in finding.message


def test_an_identifier_that_lost_its_leading_zero_says_so(edited):
    cell = {}

    def typing(wb):
        cell["c"] = set_answer(wb, "Úvod", "service_id", 123456)  # 0123456 typed in a General cell
        wb["Úvod"][cell["c"]].number_format = "General"

    result = validate(edited(typing))
    assert ("Úvod", cell["c"], "answer_leading_zero") in where(result)
    (finding,) = [f for f in result.findings if f.cell == cell["c"]]
    assert "0123456" in finding.message and "úvodní nul" in finding.message


@pytest.mark.parametrize(("typed", "read"), [("0123456", "0123456"), ("482 7163", "4827163"), (4827163, "4827163")])
def test_identifiers_read_as_meant(edited, typed, read):
    result = validate(edited(lambda wb: set_answer(wb, "Úvod", "service_id", typed)))
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.service.service_id == read


@pytest.mark.parametrize(("typed", "read"), [("K 07", "K07"), ("k07", "k07"), (" K07 ", "K07")])
def test_file_codes_read_as_meant(edited, typed, read):
    def typing(wb):
        wb["Spisy"]["A4"] = typed

    result = validate(edited(typing))
    assert not [f for f in result.findings if f.sheet == "Spisy"], [f.message for f in result.findings]
    assert result.audit.records["files"][0]["code"] == read


def test_a_name_in_the_file_code_column_asks_for_a_code_not_a_shorter_name(edited):
    def typing(wb):
        wb["Spisy"]["A4"] = "Nováková J."

    result = validate(edited(typing))
    assert ("Spisy", "A4", "record_type") in where(result)
    (finding,) = [f for f in result.findings if f.where() == ("Spisy", "A4", "record_type")]
    assert "kód spisu" in finding.message and "např. K07" in finding.message and "Zkraťte" not in finding.message


def test_a_long_text_message_does_not_invite_names(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, "Úvod", "auditors", "x" * 301))))
    assert ("Úvod", cell["c"], "answer_too_long") in where(result)
    (finding,) = [f for f in result.findings if f.cell == cell["c"]]
    assert "kódem spisu, ne jménem" in finding.message


def test_question_ids_match_in_any_case(edited):
    def typing(wb):
        ws = wb[A]
        ws[f"A{find_row(ws, 'A03')}"] = "a03"
        ws = wb["Úvod"]
        ws[f"A{find_row(ws, 'service_id')}"] = "Service_ID"

    result = validate(edited(typing))
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.answers["A03"].status == "answered"
    assert result.audit.service.service_id == "4827163"


@pytest.mark.parametrize(("typed", "status"), [("nelze hodnotit", "na"), ("N / A", "na"), ("n. a.", "na"),
                                               ("Nelze posoudit", "na"), ("ne doloženo", "not_evidenced")])
def test_extra_words_for_special_answers(edited, typed, status):
    result = validate(edited(lambda wb: set_answer(wb, A, "A10", typed)))
    assert not [f for f in result.findings if f.question_id == "A10"], [f.message for f in result.findings]
    assert result.audit.answers["A10"].status == status


@pytest.mark.parametrize(("typed", "read"), [("splněno", "2"), ("2 - splněno", "2"), ("2 – splněno", "2"),
                                             ("2 (splněno)", "2"), ("Příkladně", "3"), ("0 – nesplněno", "0"),
                                             ("1: částečně splněno", "1"), (2.0, "2")])
def test_scale_words(edited, typed, read):
    result = validate(edited(lambda wb: set_answer(wb, B, "B04", typed)))
    assert not [f for f in result.findings if f.question_id == "B04"], [f.message for f in result.findings]
    assert result.audit.answers["B04"].value == read


def test_scale_digit_and_word_that_disagree_are_refused(edited):
    cell = {}
    result = validate(edited(lambda wb: cell.setdefault("c", set_answer(wb, B, "B04", "2 - nesplněno"))))
    assert (B, cell["c"], "answer_choice") in where(result)


@pytest.mark.parametrize(("typed", "read"), [("30. března 2023", (2023, 3, 30)), ("30.března 2023", (2023, 3, 30)),
                                             ("1. září 2023", (2023, 9, 1)), ("30. brezna 2023", (2023, 3, 30)),
                                             ("30 March 2023", (2023, 3, 30)), ("March 30, 2023", (2023, 3, 30))])
def test_dates_with_month_names(edited, typed, read):
    import datetime as dt

    result = validate(edited(lambda wb: set_answer(wb, E, "E12", typed)))
    assert not [f for f in result.findings if f.question_id == "E12"], [f.message for f in result.findings]
    assert result.audit.answers["E12"].value == dt.date(*read)
