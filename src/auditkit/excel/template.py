"""Write the blank workbook an auditor fills, from a questionnaire definition (openpyxl)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import __version__
from auditkit.excel import layout
from auditkit.fsutil import atomic_write
from auditkit.questionnaire.models import Column, Question, Questionnaire, value_range
from auditkit.questionnaire.wording import expected, special_labels

_TITLE = Font(bold=True, size=14, color="1F3864")
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF9E5")
_ID_FONT = Font(color="808080", size=9)
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)

_WORDS = {
    "cs": {
        "cover_intro": "Identifikace služby",
        "help_title": "Nápověda",
        "error_title": "Neplatná hodnota",
        "error": "Zadejte {expected}.",
        "records_hint": "Vyplňte po řádcích; prázdné řádky nevadí.",
        "round_hint": "Šablona dotazníku {qid} verze {version}.",
    },
    "en": {
        "cover_intro": "Service identification",
        "help_title": "Help",
        "error_title": "Invalid value",
        "error": "Enter {expected}.",
        "records_hint": "Fill row by row; blank rows are fine.",
        "round_hint": "Questionnaire template {qid} version {version}.",
    },
}
PERCENT_FORMAT = "0 %"  # a true percent format: "40 %" typed is stored as 0.4 and read back as 40 %
_EXCEL_PROMPT_MAX = 255
_EXCEL_TITLE_MAX = 32


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


def _validation(q: Questionnaire, item: Question | Column, cell: str, lang: str, lists: _Lists) -> DataValidation:
    """The data validation for one answer cell (or the top cell of a record column range)."""
    words = _WORDS[lang]
    extra = tuple(special_labels(q, item, lang))
    quoted = "".join(f',{cell}="{s}"' for s in extra)
    kind = item.kind
    if kind in ("yes_no", "yes_partly_no", "scale_0_3", "choice"):
        values = tuple(o.label(lang) for o in q.options_for(item)) + extra
        dv = DataValidation(type="list", formula1=lists.ref(values), allow_blank=True)
    elif kind in ("integer", "decimal", "percent"):
        conds = [f"ISNUMBER({cell})"]
        if kind == "integer":
            conds.append(f"INT({cell})={cell}")
        lo, hi = value_range(item)
        scale = 100 if kind == "percent" else 1  # a %-formatted cell stores 40 % as 0.4
        if lo is not None:
            conds.append(f"{cell}>={lo / scale:g}")
        if hi is not None:
            conds.append(f"{cell}<={hi / scale:g}")
        test = f"AND({','.join(conds)})"
        dv = DataValidation(type="custom", formula1=f"OR({test}{quoted})" if extra else test, allow_blank=True)
    elif kind == "date":
        test = f"AND(ISNUMBER({cell}),{cell}>=DATE({int(item.min or 1900)},1,1),{cell}<=DATE({int(item.max or 2100)},12,31))"
        dv = DataValidation(type="custom", formula1=f"OR({test}{quoted})" if extra else test, allow_blank=True)
    else:  # text, multi_choice
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(item.max_length), allow_blank=True)
    want = expected(q, item, lang)
    dv.error = _clip(words["error"].format(expected=want), _EXCEL_PROMPT_MAX)
    dv.errorTitle = words["error_title"]
    dv.errorStyle = "warning"  # a person may still keep the value; `auditkit validate` is the judge
    prompt = item.help(lang) if item.help is not None else want
    dv.prompt = _clip(prompt, _EXCEL_PROMPT_MAX)
    dv.promptTitle = _clip(item.label(lang), _EXCEL_TITLE_MAX)
    dv.showInputMessage = True
    dv.showErrorMessage = True
    return dv


def _number_format(item: Question | Column) -> str | None:
    return {"date": "D. M. YYYY", "decimal": "0.##", "percent": PERCENT_FORMAT, "integer": "0"}.get(item.kind)


def _protect(ws: Worksheet) -> None:
    p = ws.protection
    p.sheet = True  # no password: the lock keeps structure, not secrets
    p.formatColumns = False
    p.formatRows = False
    p.formatCells = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _print_setup(ws: Worksheet, title_rows: str, landscape: bool = True) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = False


def _question_sheet(
    wb: Workbook,
    q: Questionnaire,
    lists: _Lists,
    name: str,
    title: str,
    intro: str | None,
    items: tuple[Question, ...],
    lang: str,
    prefill: dict[str, str] | None = None,
) -> Worksheet:
    ws = wb.create_sheet(name)
    ws["A1"] = title
    ws["A1"].font = _TITLE
    if intro:
        ws["B2"] = intro
        ws["B2"].alignment = _WRAP
        ws.row_dimensions[2].height = max(30, 15 * (len(intro) // 110 + 1))
    header_row = 4
    for col, key in enumerate(("id", "question", "answer", "comment", "allowed")):
        c = ws.cell(row=header_row, column=col + 1, value=layout.HEADERS[key][lang])
        c.font = _BOLD
        c.fill = _HEADER_FILL
        c.border = _BOX
        c.alignment = _WRAP
    for i, item in enumerate(items):
        r = header_row + 1 + i
        ws.cell(row=r, column=1, value=item.id).font = _ID_FONT
        label = item.label(lang) + (f" [{item.unit(lang)}]" if item.unit is not None else "")
        ws.cell(row=r, column=2, value=label).alignment = _WRAP
        answer = ws.cell(row=r, column=layout.COL_ANSWER + 1)
        if prefill and item.id in prefill:
            answer.value = prefill[item.id]
        answer.fill = _ANSWER_FILL
        answer.protection = _UNLOCKED
        answer.alignment = Alignment(vertical="top", wrap_text=item.kind in ("text", "multi_choice"))
        fmt = _number_format(item)
        if fmt:
            answer.number_format = fmt
        elif item.kind == "text":
            answer.number_format = "@"
        comment = ws.cell(row=r, column=layout.COL_COMMENT + 1)
        comment.protection = _UNLOCKED
        comment.alignment = _WRAP
        comment.number_format = "@"  # evidence is text, never a formula or a date
        allowed = ws.cell(row=r, column=layout.COL_ALLOWED + 1, value=expected(q, item, lang))
        allowed.alignment = _WRAP
        allowed.font = Font(size=9, color="595959")
        for col in range(1, 6):
            ws.cell(row=r, column=col).border = _BOX
        ws.row_dimensions[r].height = max(30, 15 * (len(label) // 70 + 1))
        dv = _validation(q, item, answer.coordinate, lang, lists)
        dv.add(answer.coordinate)
        ws.add_data_validation(dv)
    for letter, width in zip("ABCDE", (9, 62, 20, 48, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    _protect(ws)
    _print_setup(ws, f"{header_row}:{header_row}")
    return ws


def _record_sheet(wb: Workbook, q: Questionnaire, lists: _Lists, table, lang: str) -> Worksheet:
    ws = wb.create_sheet(table.sheet(lang))
    first, last = 2, table.rows + 1
    prefill_col = next((c for c in table.columns if c.id == table.prefill), None)
    prefill_values = [o.label(lang) for o in prefill_col.options] if prefill_col else []
    if prefill_values:
        last = len(prefill_values) + 1
    for j, col in enumerate(table.columns, start=1):
        h = ws.cell(row=1, column=j, value=col.label(lang) + (f" [{col.unit(lang)}]" if col.unit else ""))
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
            fmt = _number_format(col)
            cell.number_format = fmt or "@"
            if col is prefill_col:
                cell.value = prefill_values[r - first]
        dv = _validation(q, col, f"{letter}{first}", lang, lists)
        if table.intro is not None and j == 1:
            dv.prompt = _clip(table.intro(lang), _EXCEL_PROMPT_MAX)
        dv.add(f"{letter}{first}:{letter}{last}")
        ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 45
    ws.freeze_panes = "A2"
    _protect(ws)
    _print_setup(ws, "1:1")
    return ws


def build_template(q: Questionnaire, lang: str = "cs", service_name: str | None = None) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    lists_ws = wb.create_sheet(layout.LISTS_SHEET)
    lists = _Lists(lists_ws)
    cover = _question_sheet(
        wb, q, lists, layout.COVER_SHEET[lang], q.title(lang), q.instructions(lang), q.identification, lang,
        prefill={"service_name": service_name} if service_name else None,
    )
    cover["B3"] = _WORDS[lang]["round_hint"].format(qid=q.id, version=q.version)
    cover["B3"].font = Font(size=9, color="808080")
    cover.row_dimensions[2].height = 150
    for area in q.areas:
        intro = area.intro(lang) if area.intro is not None else None
        _question_sheet(wb, q, lists, area.sheet(lang), f"{area.code} {area.title(lang)}", intro, area.questions, lang)
    for table in q.records:
        _record_sheet(wb, q, lists, table, lang)
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


def write_template(out: Path, q: Questionnaire, lang: str = "cs", service_name: str | None = None) -> Path:
    wb = build_template(q, lang, service_name)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out


__all__ = ["build_template", "write_template"]
