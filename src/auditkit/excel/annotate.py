"""The annotated return copy: the auditor's own workbook with every validation problem shown on its cell.

A copy, never the original: each problem with a cell becomes a cell comment and a highlighted cell; a first
sheet lists every problem grouped by sheet, with a link to the cell. Answers, styles of answers (number
formats), data validations, sheet protection and the hidden sheets are kept as they are, so the copy
validates exactly as the original (the list sheet is ignored by the reader, see ``layout.ANNOTATION_SHEET``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from auditkit.excel import layout
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.validation.problems import SEVERITY_RANK

if TYPE_CHECKING:  # validation problems: this module only reads their fields
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

    from auditkit.validation.problems import Problem

_FILL = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}
AUTHOR = "auditkit"
ANNOTATABLE = (".xlsx", ".xlsm")


def _coordinate(ref: str) -> tuple[str, int] | None:
    """(column letters, row) of a cell reference, or of the first cell of a range ("C6:C20", as a check of
    a record table names the column it sums); None for anything else."""
    from openpyxl.utils.cell import coordinate_from_string
    from openpyxl.utils.exceptions import CellCoordinatesException

    try:
        return coordinate_from_string(ref.split(":", 1)[0])
    except (ValueError, CellCoordinatesException):
        return None


def _anchor(ws: Worksheet, ref: str) -> Cell | MergedCell:
    """The cell that carries ``ref``'s content: the top-left cell of a merged range it lies in; for a range,
    its first cell. ValueError for a reference that names no cell."""
    from openpyxl.cell.cell import MergedCell

    at = _coordinate(ref)
    if at is None:
        raise ValueError(ref)
    ref = f"{at[0]}{at[1]}"
    cell: Cell | MergedCell = ws[ref]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if ref in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


def _comment_on(cell: Cell | MergedCell, problems: list[Problem], words: dict[str, str]) -> None:
    from openpyxl.comments import Comment

    lines = [f"{words[p.severity]}: {_body(p)}" for p in problems]
    text = "\n\n".join(lines)
    if cell.comment is not None and cell.comment.text:
        text = cell.comment.text.rstrip() + "\n\n" + text
    comment = Comment(text, AUTHOR)
    comment.width = 320
    comment.height = min(600, 40 + 16 * sum(1 + len(line) // 45 for line in lines))
    cell.comment = comment


def _highlight(cell: Cell | MergedCell, severity: str) -> None:
    from openpyxl.styles import PatternFill

    cell.fill = PatternFill(fill_type="solid", start_color=_FILL[severity], end_color=_FILL[severity])


def _sort_key(f: Problem) -> tuple[int, int, str, int]:
    col, row = (_coordinate(f.cell) if f.cell else None) or ("", 0)
    return (row, len(col), col, SEVERITY_RANK[f.severity])


def _body(p: Problem) -> str:
    """The message without its "Sheet X, cell Y:" prefix (the list has columns for both)."""
    head, sep, rest = p.message.partition(": ")
    return rest if sep and p.sheet and p.sheet in head and (not p.cell or p.cell in head) else p.message


def _list_sheet(wb: Workbook, problems: list[Problem], lang: Lang, present: list[str]) -> None:
    """The first sheet: every problem grouped by sheet (file-level ones first), each cell a link."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    words = layout.ANNOTATION[lang]
    ws = wb.create_sheet(layout.ANNOTATION_SHEET[lang], 0)
    ws["A1"] = words["title"]
    ws["A1"].font = Font(bold=True, size=14)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    ws["A2"] = words["counts"].format(errors=errors, warnings=warnings)
    ws["A3"] = words["note"]
    ws["A3"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A3:E3")
    ws.row_dimensions[3].height = 45
    header = 5
    for col, key in enumerate(("sheet", "cell", "severity", "question", "message"), start=1):
        c = ws.cell(row=header, column=col, value=words[key])
        c.font = Font(bold=True)
        c.fill = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
    groups: dict[str, list[Problem]] = defaultdict(list)
    for p in problems:
        groups[p.sheet or ""].append(p)
    row = header + 1
    order = {name: i for i, name in enumerate(present)}  # file-level problems first, then in the tabs' order
    for sheet in sorted(groups, key=lambda s: (s != "", order.get(s, len(order)), s)):
        for p in sorted(groups[sheet], key=_sort_key):
            ws.cell(row=row, column=1, value=sheet or words["whole_file"])
            cell = ws.cell(row=row, column=2, value=p.cell or "")
            for c in range(1, 6):
                ws.cell(row=row, column=c).alignment = Alignment(wrap_text=c in (1, 5), vertical="top")
            if p.cell and sheet in present:
                quoted = "'" + sheet.replace("'", "''") + "'"
                cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quoted}!{p.cell}", display=p.cell)
                cell.font = Font(color="0563C1", underline="single")
            sev = ws.cell(row=row, column=3, value=words[p.severity])
            sev.fill = PatternFill(fill_type="solid", start_color=_FILL[p.severity], end_color=_FILL[p.severity])
            ws.cell(row=row, column=4, value=p.question_id or "")
            text = _body(p)
            ws.cell(row=row, column=5, value=text)
            ws.row_dimensions[row].height = 15 * max(1, -(-len(text) // 95))
            row += 1
    if not problems:
        ws.cell(row=row, column=1, value=words["none"])
    for letter, width in zip("ABCDE", (30, 8, 11, 14, 100)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.sheet_properties.tabColor = "C00000" if errors else "70AD47"


def annotate_workbook(src: Path, dest: Path, problems: list[Problem], lang: Lang) -> int:
    """Write ``dest``: a copy of ``src`` with ``problems`` on their cells and listed on a first sheet.

    Returns how many cells were annotated. ``dest`` is written atomically (temp file + rename).
    """
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    wb = openpyxl.load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", keep_links=True)
    for name in layout.ANNOTATION_SHEET.values():  # an older annotation is replaced, not stacked
        if name in wb.sheetnames:
            del wb[name]
    words = layout.ANNOTATION[lang]
    by_cell: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in problems:
        if p.sheet in wb.sheetnames and p.cell:
            by_cell[(p.sheet, p.cell)].append(p)
    annotated = 0  # the cells that got a comment (not those only listed on the first sheet)
    for (sheet, ref), found in by_cell.items():
        ws = wb[sheet]
        if not isinstance(ws, Worksheet):  # a chart sheet has no cells: listed on the first sheet only
            continue
        try:
            cell = _anchor(ws, ref)
        except ValueError:  # not a cell reference openpyxl knows: listed on the first sheet only
            continue
        found.sort(key=lambda p: SEVERITY_RANK[p.severity])
        _comment_on(cell, found, words)
        _highlight(cell, found[0].severity)
        annotated += 1
    _list_sheet(wb, problems, lang, list(wb.sheetnames))
    wb.active = 0
    for other in wb.worksheets[1:]:
        other.sheet_view.tabSelected = False
    with atomic_write(dest) as tmp:
        wb.save(tmp)
    return annotated
