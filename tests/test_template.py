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
        assert ws["A1"].value == table.title(lang)  # a title, then the instructions
        assert ws["A2"].value.startswith(table.intro(lang))
        headers = [c.value for c in ws[3]]
        assert headers[0].startswith(table.columns[0].label(lang))
        validated = _validated(ws)
        for j in range(len(table.columns)):
            assert f"{openpyxl.utils.get_column_letter(j + 1)}4" in validated
        assert ws["A4"].protection.locked is False


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


# -- the workbook shows what it expects -----------------------------------------------------------------
def _rows(ws):
    return {str(c.value): c.row for c in ws["A"] if c.value}


def test_row_heights_fit_the_wrapped_text(template, questionnaire):
    """Every question row is tall enough for its question and its allowed values, at a generous 1.15
    characters per unit of column width (real fonts fit about 1.1) and 15 / 12 points a line."""
    import math

    lang, wb = template
    for area in questionnaire.areas:
        ws = wb[area.sheet(lang)]
        rows = _rows(ws)
        widths = {k: ws.column_dimensions[k].width for k in "BE"}
        for item in area.questions:
            r = rows[item.id]
            label, allowed = ws[f"B{r}"].value, ws[f"E{r}"].value
            need = max(15 * math.ceil(len(label) / (widths["B"] * 1.15)),
                       12 * math.ceil(len(allowed) / (widths["E"] * 1.45)))
            assert ws.row_dimensions[r].height >= need, (area.sheet(lang), item.id)
        intro = ws["B2"].value
        width = sum(ws.column_dimensions[k].width for k in "BCDE")
        assert ws.row_dimensions[2].height >= 15 * math.ceil(len(intro) / (width * 1.15))


def test_allowed_values_and_the_multiple_choice_hint_are_visible(template, questionnaire):
    lang, wb = template
    area = next(a for a in questionnaire.areas if any(x.id == "D01" for x in a.questions))
    ws = wb[area.sheet(lang)]
    r = _rows(ws)["D01"]
    assert "Alt+Enter" in ws[f"E{r}"].value
    dv = next(dv for dv in ws.data_validations.dataValidation if f"C{r}" in str(dv.sqref))
    assert "Alt+Enter" in dv.prompt
    assert ws[f"E{r}"].alignment.wrap_text


def test_codes_are_text_cells_with_a_code_rule(template, questionnaire):
    lang, wb = template
    cover = wb[{"cs": "Úvod", "en": "Cover"}[lang]]
    r = _rows(cover)["service_id"]
    assert cover[f"C{r}"].number_format == "@"
    dv = next(dv for dv in cover.data_validations.dataValidation if f"C{r}" in str(dv.sqref))
    assert dv.type == "custom" and f"LEN(C{r})=7" in dv.formula1
    assert "7" in cover[f"E{r}"].value and "text" not in cover[f"E{r}"].value.split()
    files = wb[next(t.sheet(lang) for t in questionnaire.records if t.id == "files")]
    assert files["A4"].number_format == "@"
    dv = next(dv for dv in files.data_validations.dataValidation if "A4" in str(dv.sqref))
    assert dv.type == "custom" and "LEN(A4)" in dv.formula1


def test_percent_cells_have_a_percent_format_and_a_0_to_100_rule(template, questionnaire):
    lang, wb = template
    for area in questionnaire.areas:
        ws = wb[area.sheet(lang)]
        rows = _rows(ws)
        for item in area.questions:
            if item.kind != "percent":
                continue
            r = rows[item.id]
            assert "%" in ws[f"C{r}"].number_format
            dv = next(dv for dv in ws.data_validations.dataValidation if f"C{r}" in str(dv.sqref))
            assert f"C{r}>=0" in dv.formula1 and f"C{r}<=1" in dv.formula1  # 0–100 % stored as 0–1
            assert "0–100" in ws[f"E{r}"].value


def test_cover_shows_labels_not_keys(template, questionnaire):
    lang, wb = template
    cover = wb[{"cs": "Úvod", "en": "Cover"}[lang]]
    assert cover.column_dimensions["A"].hidden  # the keys the reader needs stay in column A, out of sight
    assert cover["B1"].value == questionnaire.title(lang)
    labels = {cover[f"B{r}"].value for r in _rows(cover).values()}
    assert {x.label(lang) for x in questionnaire.identification} <= labels
    shown = [c.value for row in cover.iter_rows(min_col=2) for c in row if isinstance(c.value, str)]
    assert not [v for v in shown if v in {x.id for x in questionnaire.identification}]


def test_every_sheet_prints_the_service_sheet_and_page(template, questionnaire):
    _, wb = template
    for ws in wb.worksheets:
        if ws.sheet_state == "hidden":
            continue
        assert ws.oddHeader.left.text == "AD Zkouška"
        assert ws.oddHeader.right.text == "&A"
        assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text


def test_the_service_name_header_without_a_name_is_the_file_name(tmp_path, questionnaire):
    path = write_template(tmp_path / "t.xlsx", questionnaire)
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.oddHeader.left.text == "&F"
