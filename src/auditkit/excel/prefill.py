"""The next round prefilled (``template --from``): a blank template that shows the previous round beside it.

Added to a freshly built template: the identification fields the questionnaire lists in ``next_round.keep``
carried over (the audit date and round are left blank), on every question sheet two locked columns after the
template's own — the previous answer, written the way an auditor types it, and the previous evidence — and
the record tables listed in ``next_round.records`` (the staff list) filled with the previous rows beside a
note to update them. Answers stay blank; the result is a normal workbook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from auditkit.excel import layout
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.models import Column, Question, Questionnaire, RecordTable

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from auditkit.validation.models import Answer, Audit

_PREV_FILL = PatternFill("solid", fgColor="EDEDED")
_PREV_FONT = Font(color="595959", size=9, italic=True)
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CHARS_PER_LINE = 40  # of the previous-evidence column at its width, in the template's small font
_MAX_ROW_HEIGHT = 409  # Excel's limit, in points


def typed(q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
    """A typed value written the way an auditor types it in ``lang`` (it validates if typed again)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "yes" if value else "no"
    return kind_of(item).typed(q, item, value, lang)


def previous_answer(q: Questionnaire, item: Question, answer: Answer | None, lang: Lang) -> str:
    if answer is None or answer.status in ("blank", "invalid"):
        return ""
    special = q.special_label(answer.status, lang)
    return special if special is not None else typed(q, item, answer.value, lang)


def _header_row(ws: Worksheet) -> int:
    answer = layout.HEADERS["answer"]
    for number, row in enumerate(ws.iter_rows(min_row=1, max_row=layout.HEADER_SCAN_ROWS,
                                              max_col=layout.COL_ANSWER + 1), start=1):
        if row[layout.COL_ANSWER].value in answer.values():
            return number
    raise ValueError(f"{ws.title}: no answer header")


def _new_cell(ws: Worksheet, row: int, column: int) -> Cell:
    """A cell of a column added after the template's own: never part of a merged range."""
    cell = ws.cell(row=row, column=column)
    if not isinstance(cell, Cell):
        raise TypeError(f"{ws.title}: {get_column_letter(column)}{row} is merged")
    return cell


def _previous_columns(ws: Worksheet, items: tuple[Question, ...], q: Questionnaire, previous: Audit,
                      lang: Lang) -> None:
    words = layout.PREVIOUS[lang]
    header = _header_row(ws)
    first = ws.max_column + 1
    label = previous.service.audit_round or (previous.service.audit_date.year if previous.service.audit_date else "")
    for j, key in enumerate(("answer", "comment")):
        cell = _new_cell(ws, header, first + j)
        cell.value = words[key].format(round=label).strip()
        cell.font = Font(bold=True, color="595959")
        cell.fill = _PREV_FILL
        cell.border = _BOX
        cell.alignment = _WRAP
    ws.row_dimensions[header].height = max(ws.row_dimensions[header].height or 15, 30)
    ws.column_dimensions[get_column_letter(first)].width = 20
    ws.column_dimensions[get_column_letter(first + 1)].width = 44
    by_id = {item.id: item for item in items}
    for r, row in enumerate(ws.iter_rows(min_row=header + 1, max_col=1), start=header + 1):
        qid = row[0].value
        if not isinstance(qid, str) or qid not in by_id:
            continue
        if qid in previous.answers:
            answer = previous.answers[qid]
            texts = (previous_answer(q, by_id[qid], answer, lang), answer.comment or "")
        else:  # an identification field: kept on the service, not among the answers
            texts = (typed(q, by_id[qid], _kept(q, previous, str(qid)), lang), "")
        for j, text in enumerate(texts):
            cell = _new_cell(ws, r, first + j)
            cell.value = text or None
            cell.font = _PREV_FONT
            cell.fill = _PREV_FILL
            cell.border = _BOX
            cell.alignment = _WRAP
            cell.number_format = "@"
        lines = sum(1 + len(part) // _CHARS_PER_LINE for part in texts[1].split("\n")) if texts[1] else 1
        height = ws.row_dimensions[r].height or 15
        ws.row_dimensions[r].height = min(_MAX_ROW_HEIGHT, max(height, 12 * lines + 4))
    ws.print_area = f"A1:{get_column_letter(first + 1)}{ws.max_row}"


def _carry_records(ws: Worksheet, table: RecordTable, rows: list[dict[str, Any]], q: Questionnaire,
                   lang: Lang) -> None:
    """The previous rows typed into the (unlocked) record cells, a note beside the header to update them."""
    first_label = table.columns[0].label(lang)
    header = next(number for number, r in enumerate(ws.iter_rows(min_row=1, max_row=layout.HEADER_SCAN_ROWS,
                                                                 max_col=1), start=1)
                  if str(r[0].value or "").startswith(first_label))
    for i, record in enumerate(rows[: table.rows]):
        for j, col in enumerate(table.columns, start=1):
            value = record.get(col.id)
            if value is None:
                continue
            number = kind_of(col).numeric and isinstance(value, (int, float))
            ws.cell(row=header + 1 + i, column=j, value=value if number else typed(q, col, value, lang))
    note = ws.cell(row=header, column=len(table.columns) + 2, value=layout.PREVIOUS[lang]["records_note"])
    note.font = Font(bold=True, color="C00000")
    note.alignment = _WRAP
    ws.column_dimensions[get_column_letter(len(table.columns) + 2)].width = 40


def _kept(q: Questionnaire, previous: Audit, field_id: str) -> Any:
    """The previous value of an identification field: by its id, else (an audit read before fields were kept
    by id) by the role it plays."""
    if field_id in previous.service.fields:
        return previous.service.fields[field_id] or None
    item = next((x for x in q.identification if x.id == field_id), None)
    return getattr(previous.service, item.role, None) or None if item is not None and item.role else None


def add_previous(wb: Workbook, q: Questionnaire, previous: Audit, lang: Lang) -> None:
    """Show ``previous`` (an earlier round of the same service) in the template ``wb`` built from ``q``."""
    cover = wb[layout.COVER_SHEET[lang]]
    header = _header_row(cover)
    for row in cover.iter_rows(min_row=header + 1, max_col=layout.COL_ANSWER + 1):
        item = next((x for x in q.identification if x.id == row[0].value), None)
        if item is None or item.id not in q.next_round.keep:
            continue
        value = _kept(q, previous, item.id)
        if value not in (None, ""):
            row[layout.COL_ANSWER].value = typed(q, item, value, lang)
    for sheet, items in [(cover, q.identification)] + [(wb[a.sheet(lang)], a.questions) for a in q.areas]:
        _previous_columns(sheet, items, q, previous, lang)
    for table in q.records:
        rows = previous.records.get(table.id) or []
        if table.id in q.next_round.records and rows:
            _carry_records(wb[table.sheet(lang)], table, rows, q, lang)
