"""The blank workbook: structure, validations on every answer cell, protection, print setup."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.worksheet.cell_range import CellRange

from auditkit.excel.template import write_template


@pytest.fixture(scope="module", params=["cs", "en"])
def template(request, tmp_path_factory, questionnaire):
    path = tmp_path_factory.mktemp("tpl") / f"template_{request.param}.xlsx"
    write_template(path, questionnaire, request.param, service_name="AD Zkouška")
    return request.param, openpyxl.load_workbook(path)


def _validated(ws) -> set[str]:
    cells = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            r = CellRange(str(rng))
            for row in range(r.min_row, r.max_row + 1):
                for col in range(r.min_col, r.max_col + 1):
                    cells.add(f"{openpyxl.utils.get_column_letter(col)}{row}")
    return cells


def test_sheets_and_metadata(template, questionnaire):
    lang, wb = template
    expected = [{"cs": "Úvod", "en": "Cover"}[lang]] + [a.sheet(lang) for a in questionnaire.areas]
    expected += [r.sheet(lang) for r in questionnaire.records] + ["_meta", "_lists"]
    assert wb.sheetnames == expected
    meta = wb["_meta"]
    assert meta.sheet_state == "hidden" and wb["_lists"].sheet_state == "hidden"
    assert [meta["B1"].value, meta["B2"].value, meta["B3"].value] == [questionnaire.id, questionnaire.version, lang]
    assert wb.security.lockStructure


def test_every_answer_cell_has_validation_and_is_unlocked(template, questionnaire):
    lang, wb = template
    answer_word = {"cs": "Odpověď", "en": "Answer"}[lang]
    sheets = [({"cs": "Úvod", "en": "Cover"}[lang], questionnaire.identification)]
    sheets += [(a.sheet(lang), a.questions) for a in questionnaire.areas]
    for name, items in sheets:
        ws = wb[name]
        assert ws["C4"].value == answer_word
        assert ws.protection.sheet
        assert ws.freeze_panes == "A5"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4  # 9 = A4
        validated = _validated(ws)
        ids = {str(c.value): c.row for c in ws["A"] if c.value}
        for item in items:
            row = ids[item.id]
            assert f"C{row}" in validated, (name, item.id)
            assert ws[f"C{row}"].protection.locked is False
            assert ws[f"D{row}"].protection.locked is False
            assert ws[f"B{row}"].protection.locked is not False  # structure stays locked


def test_dropdowns_offer_labels_and_na(template, questionnaire):
    lang, wb = template
    ws = wb[questionnaire.area("contract").sheet(lang)]
    lists = wb["_lists"]
    dv = next(d for d in ws.data_validations.dataValidation if "C6" in str(d.sqref).split())  # A02: N/A allowed
    assert dv.type == "list"
    col = dv.formula1.split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    values = [c.value for c in lists[col] if c.value is not None]
    if lang == "cs":
        assert values[:3] == ["ano", "částečně", "ne"] and "N/A" in values and "nedoloženo" in values
    else:
        assert values[:3] == ["yes", "partly", "no"] and "not evidenced" in values
    assert dv.prompt  # help shown as input message


def test_record_sheets_have_column_validations(template, questionnaire):
    lang, wb = template
    for table in questionnaire.records:
        ws = wb[table.sheet(lang)]
        headers = [c.value for c in ws[1]]
        assert headers[0].startswith(table.columns[0].label(lang))
        validated = _validated(ws)
        for j in range(len(table.columns)):
            assert f"{openpyxl.utils.get_column_letter(j + 1)}2" in validated
        assert ws["A2"].protection.locked is False


def test_service_name_prefilled(template):
    lang, wb = template
    ws = wb[{"cs": "Úvod", "en": "Cover"}[lang]]
    row = next(c.row for c in ws["A"] if c.value == "service_name")
    assert ws[f"C{row}"].value == "AD Zkouška"


def test_blank_template_reports_missing_answers(tmp_path, questionnaire):
    from conftest import validate

    path = write_template(tmp_path / "blank.xlsx", questionnaire, "cs")
    result = validate(path)
    codes = {f.code for f in result.findings}
    assert codes == {"ident_missing", "answer_required"}
