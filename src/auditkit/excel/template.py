"""Write the blank workbook an auditor fills, from a questionnaire definition (openpyxl)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import __version__, words
from auditkit.excel import layout
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.models import Column, Question, Questionnaire, RecordTable
from auditkit.questionnaire.wording import OR, expected, special_labels

_TITLE = Font(name="Calibri", bold=True, size=14, color="1F3864")
_BOLD = Font(name="Calibri", bold=True)
_SMALL = Font(name="Calibri", size=9, color="595959")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF9E5")
_ID_FONT = Font(name="Calibri", color="808080", size=9)
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)

_WORDS = words.by_lang("workbook", "template")  # templates/reports/workbook.yaml, read on first use
_EXCEL_PROMPT_MAX = 255
_EXCEL_TITLE_MAX = 32


# Row heights are computed: neither Excel nor LibreOffice fits a row to wrapped text when it opens a file.
# A column's width counts digits of the default font, so text of that font fits about 1.1 characters per
# unit whatever the font (Calibri in Excel, DejaVu Sans where LibreOffice lacks Calibri and Carlito); the
# figures below are a little lower, so rows come out a little roomy, never cut.
_CHARS_PER_WIDTH = {9: 1.35, 10: 1.15, 11: 1.0, 14: 0.75}  # characters per unit of column width, by font size
_LINE_HEIGHT = {9: 12.0, 10: 13.5, 11: 15.0, 14: 19.0}  # points per line, by font size
_MAX_ROW_HEIGHT = 409  # Excel's limit, in points


def _lines(text: str, width: float, size: int = 11) -> int:
    """Lines ``text`` takes when wrapped in a column of ``width`` (Excel units) at font ``size``."""
    per_line = max(4, int(width * _CHARS_PER_WIDTH[size]) - 1)
    return sum(max(1, len(textwrap.wrap(part, per_line))) for part in str(text).split("\n"))


def _fit(ws: Worksheet, row: int, *cells: tuple[str | None, float, int], minimum: float = 15) -> None:
    """Set the height of ``row`` to fit each (text, column width, font size)."""
    height = max([minimum] + [_lines(t, w, size) * _LINE_HEIGHT[size] + 4 for t, w, size in cells if t])
    ws.row_dimensions[row].height = min(_MAX_ROW_HEIGHT, height)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Lists:
    """Dropdown values live on a hidden sheet: no 255-character limit, commas in labels are safe."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.col = 0
        self.cache: dict[tuple[str, ...], str] = {}

    def ref(self, values: tuple[str, ...]) -> str:
        if values not in self.cache:
            self.col += 1
            letter = get_column_letter(self.col)
            for i, v in enumerate(values, start=1):
                self.ws.cell(row=i, column=self.col, value=v)
            self.cache[values] = f"{layout.LISTS_SHEET}!${letter}$1:${letter}${len(values)}"
        return self.cache[values]


def _validation(q: Questionnaire, item: Question | Column, cell: str, lang: Lang, lists: _Lists) -> DataValidation:
    """The data validation for one answer cell (or the top cell of a record column range)."""
    words = _WORDS[lang]
    kind = kind_of(item)
    rule = kind.excel_rule(q, item, cell, lang, tuple(special_labels(q, item, lang)), lists.ref)
    dv = DataValidation(type=rule.type, formula1=rule.formula1, operator=rule.operator, allow_blank=True)
    want = expected(q, item, lang)
    dv.error = _clip(words["error"].format(expected=want), _EXCEL_PROMPT_MAX)
    dv.errorTitle = words["error_title"]
    dv.errorStyle = "warning"  # a person may still keep the value; `auditkit validate` is the judge
    prompt = kind.prompt(item, lang, item.help(lang) if item.help is not None else want)
    dv.prompt = _clip(prompt, _EXCEL_PROMPT_MAX)
    dv.promptTitle = _clip(item.label(lang), _EXCEL_TITLE_MAX)
    dv.showInputMessage = True
    dv.showErrorMessage = True
    return dv


def _protect(ws: Worksheet) -> None:
    p = ws.protection
    p.sheet = True  # no password: the lock keeps structure, not secrets
    p.formatColumns = False
    p.formatRows = False
    p.formatCells = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _print_setup(ws: Worksheet, title_rows: str, lang: Lang, heading: str, landscape: bool = True) -> None:
    """A4, one page wide, the header row on every page; the page header names the service (or the file when
    the template does not know it yet) and the sheet, the footer the page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = False
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # a new worksheet has both (the stubs allow None)
    header.left.text = heading.replace("&", "&&")[:120] if heading else "&F"
    header.left.size = 9
    header.right.text = "&A"
    header.right.size = 9
    footer.right.text = _WORDS[lang]["page"]
    footer.right.size = 9
    footer.left.text = "auditkit"
    footer.left.size = 8


_QUESTION_WIDTHS = (9, 62, 20, 48, 30)  # ID, question, answer, comment, allowed values
_TOP = Alignment(vertical="top")


def _question_sheet(
    wb: Workbook,
    q: Questionnaire,
    lists: _Lists,
    name: str,
    title: str,
    intro: str | None,
    items: tuple[Question, ...],
    lang: Lang,
    heading: str,
    prefill: dict[str, str] | None = None,
    hide_ids: bool = False,
) -> Worksheet:
    """A question sheet; ``hide_ids``: column A (the keys the reader finds rows by) is hidden (the cover)."""
    ws = wb.create_sheet(name)
    title_cell = ws["B1" if hide_ids else "A1"]
    title_cell.value = title
    title_cell.font = _TITLE
    ws.row_dimensions[1].height = _LINE_HEIGHT[14] + 4
    if intro:  # over the whole width of the table, so it takes few lines
        ws["B2"] = intro
        ws["B2"].alignment = _WRAP
        ws.merge_cells(start_row=2, start_column=2, end_row=2, end_column=len(_QUESTION_WIDTHS))
        _fit(ws, 2, (intro, sum(_QUESTION_WIDTHS[1:]), 11))
    header_row = 4
    for col, key in enumerate(("id", "question", "answer", "comment", "allowed")):
        c = ws.cell(row=header_row, column=col + 1, value=layout.HEADERS[key][lang])
        c.font = _BOLD
        c.fill = _HEADER_FILL
        c.border = _BOX
        c.alignment = _WRAP
    _fit(ws, header_row, *((layout.HEADERS[k][lang], w, 11) for k, w in
                           zip(("id", "question", "answer", "comment", "allowed"), _QUESTION_WIDTHS, strict=True)))
    for i, item in enumerate(items):
        r = header_row + 1 + i
        key = ws.cell(row=r, column=1, value=item.id)
        key.font = _ID_FONT
        key.alignment = _TOP
        label = item.label(lang) + (f" [{item.unit(lang)}]" if item.unit is not None else "")
        ws.cell(row=r, column=2, value=label).alignment = _WRAP
        answer = ws.cell(row=r, column=layout.COL_ANSWER + 1)
        if prefill and item.id in prefill:
            answer.value = prefill[item.id]
        answer.fill = _ANSWER_FILL
        answer.protection = _UNLOCKED
        kind = kind_of(item)
        answer.alignment = Alignment(vertical="top", wrap_text=kind.text_cell)
        if kind.number_format:
            answer.number_format = kind.number_format
        elif kind.text_cell:
            answer.number_format = "@"  # identifiers keep their leading zero; nothing becomes a date
        comment = ws.cell(row=r, column=layout.COL_COMMENT + 1)
        comment.protection = _UNLOCKED
        comment.alignment = _WRAP
        comment.number_format = "@"  # evidence is text, never a formula or a date
        allowed_text = expected(q, item, lang)
        allowed = ws.cell(row=r, column=layout.COL_ALLOWED + 1, value=allowed_text)
        allowed.alignment = _WRAP
        allowed.font = _SMALL
        for col in range(1, 6):
            ws.cell(row=r, column=col).border = _BOX
        _fit(ws, r, (label, _QUESTION_WIDTHS[1], 11), (allowed_text, _QUESTION_WIDTHS[4], 9),
             (answer.value, _QUESTION_WIDTHS[2], 11), minimum=30)
        dv = _validation(q, item, answer.coordinate, lang, lists)
        dv.add(answer.coordinate)
        ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", _QUESTION_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.column_dimensions["A"].hidden = hide_ids
    ws.freeze_panes = f"A{header_row + 1}"
    _protect(ws)
    _print_setup(ws, f"{header_row}:{header_row}", lang, heading)
    return ws


def _record_notes(q: Questionnaire, table: RecordTable, lang: Lang) -> list[str]:
    """What the record sheet's instructions say besides the table's intro: blank means none, N/A by role."""
    words = _WORDS[lang]
    columns = {c.id: c for c in table.columns}
    notes = []
    for c in table.columns:
        if c.blank_means is not None:
            notes.append(words["blank_means"].format(column=c.label(lang), value=f"{c.blank_means:g}"))
        for col, options in c.applies_to.items():
            labels = [o.label(lang) for o in q.options_for(columns[col]) if o.id in options]
            rows = ", ".join(labels[:-1]) + OR[lang] + labels[-1] if len(labels) > 1 else labels[0]
            notes.append(words["applies_to"].format(column=c.label(lang), by=columns[col].label(lang), rows=rows))
    return notes


def _record_sheet(wb: Workbook, q: Questionnaire, lists: _Lists, table: RecordTable, lang: Lang,
                  heading: str) -> Worksheet:
    """Title, instructions, one header row (``layout.RECORD_HEADER_ROW``), then one row per record."""
    ws = wb.create_sheet(table.sheet(lang))
    header = layout.RECORD_HEADER_ROW
    first, last = header + 1, header + table.rows
    prefill_col = next((c for c in table.columns if c.id == table.prefill), None)
    prefill_values = [o.label(lang) for o in q.options_for(prefill_col)] if prefill_col else []
    if prefill_values:
        last = header + len(prefill_values)
    ws["A1"] = table.title(lang)
    ws["A1"].font = _TITLE
    ws.row_dimensions[1].height = _LINE_HEIGHT[14] + 4
    intro = " ".join(x for x in (table.intro(lang) if table.intro is not None else "", _WORDS[lang]["records_hint"]) if x)
    instructions = "\n".join([intro, *_record_notes(q, table, lang)])
    ws["A2"] = instructions
    ws["A2"].alignment = _WRAP
    width = max(sum(c.width for c in table.columns), 60)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(len(table.columns), 1))
    _fit(ws, 2, (instructions, width, 11))
    labels = []
    for j, col in enumerate(table.columns, start=1):
        text = col.label(lang) + (f" [{col.unit(lang)}]" if col.unit else "")
        labels.append((text, col.width, 11))
        h = ws.cell(row=header, column=j, value=text)
        h.font = _BOLD
        h.fill = _HEADER_FILL
        h.border = _BOX
        h.alignment = _WRAP
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width
        for r in range(first, last + 1):
            cell = ws.cell(row=r, column=j)
            cell.protection = _UNLOCKED
            cell.border = _BOX
            cell.number_format = kind_of(col).number_format or "@"
            if col is prefill_col:
                cell.value = prefill_values[r - first]
        dv = _validation(q, col, f"{letter}{first}", lang, lists)
        if table.intro is not None and j == 1:
            dv.prompt = _clip(table.intro(lang), _EXCEL_PROMPT_MAX)
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)
    _fit(ws, header, *labels, minimum=30)
    if prefill_col is not None:
        for r in range(first, last + 1):
            _fit(ws, r, (prefill_values[r - first], prefill_col.width, 11))
    ws.freeze_panes = f"A{first}"
    _protect(ws)
    _print_setup(ws, f"{header}:{header}", lang, heading)
    return ws


def _named(q: Questionnaire, service_name: str | None) -> dict[str, str] | None:
    """``--service-name`` written into the field that plays the service name (its id is the questionnaire's)."""
    field = q.role_field("service_name")
    return {field.id: service_name} if service_name and field is not None else None


def build_template(q: Questionnaire, lang: Lang = "cs", service_name: str | None = None) -> Workbook:
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the default sheet: the template names and orders its own
    lists_ws = wb.create_sheet(layout.LISTS_SHEET)
    lists = _Lists(lists_ws)
    heading = service_name or ""
    cover = _question_sheet(
        wb, q, lists, layout.COVER_SHEET[lang], q.title(lang), q.instructions(lang), q.identification, lang,
        heading, prefill=_named(q, service_name), hide_ids=True,
    )
    cover["B3"] = _WORDS[lang]["round_hint"].format(qid=q.id, version=q.version)
    cover["B3"].font = _ID_FONT
    for area in q.areas:
        intro = area.intro(lang) if area.intro is not None else None
        _question_sheet(wb, q, lists, area.sheet(lang), f"{area.code} {area.title(lang)}", intro, area.questions,
                        lang, heading)
    for table in q.records:
        _record_sheet(wb, q, lists, table, lang, heading)
    meta = wb.create_sheet(layout.META_SHEET)
    for i, (key, value) in enumerate(
        zip(layout.META_KEYS, (q.id, q.version, lang, f"auditkit {__version__}"), strict=True), start=1
    ):
        meta.cell(row=i, column=1, value=key)
        meta.cell(row=i, column=2, value=value).number_format = "@"
    for hidden in (meta, lists_ws):
        hidden.sheet_state = "hidden"
        _protect(hidden)
    # the lists sheet is created first (validations refer to it); keep it at the end, out of the way
    wb.move_sheet(lists_ws, offset=len(wb.sheetnames) - 1)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.title = q.title(lang)
    wb.properties.creator = f"auditkit {__version__}"
    wb.properties.language = "cs-CZ" if lang == "cs" else "en-GB"
    return wb


def write_template(out: Path, q: Questionnaire, lang: Lang = "cs", service_name: str | None = None) -> Path:
    wb = build_template(q, lang, service_name)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out


__all__ = ["build_template", "write_template"]
