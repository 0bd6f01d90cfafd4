"""Write the provider's plan workbook ("Plán opatření a vyjádření poskytovatele") for one service.

Layout (docs/cycle.md): a cover sheet with the service, the report date, the reply deadline and instructions;
a "Plán" sheet with one header row and one row per finding — the auditor's columns locked and grey, the
provider's columns open with dropdowns and a date rule; a hidden ``_meta`` sheet saying that the workbook is
a plan, for which service and round, so that ``auditkit validate`` and ``summarize --replies`` recognise it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from auditkit import __version__
from auditkit.excel import layout
from auditkit.excel.layout import CHOICE_COLUMNS, CHOICES, PLAN_COLUMNS, PLAN_DOCUMENT
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang

_GREY = PatternFill("solid", fgColor="EDEDED")
_OPEN = PatternFill("solid", fgColor="FFF9E5")
_HEAD = PatternFill("solid", fgColor="D9E1F2")
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _fmt_date(d: dt.date | None, lang: Lang) -> str:
    if d is None:
        return ""
    return f"{d.day}. {d.month}. {d.year}" if lang == "cs" else d.isoformat()


def _protect(ws: Any) -> None:
    p = ws.protection
    p.sheet = True  # no password: the lock keeps the auditor's columns from accidental edits
    p.formatColumns = p.formatRows = p.formatCells = False
    p.autoFilter = False


def _lines(text: str, width: float) -> int:
    return sum(1 + int(len(part) / max(width * 1.1, 1)) for part in str(text).split("\n"))


def build_plan(t: Callable[..., str], lang: Lang, service: dict[str, Any], rows: list[Any], report_date: dt.date,
               deadline: dt.date, meta: dict[str, str]) -> Workbook:
    """``t`` is the plan's texts (templates/reports/plan.yaml); ``rows`` the plan rows (auditkit.plan)."""
    wb = Workbook()
    cover = wb.active
    assert isinstance(cover, Worksheet)  # a new workbook starts with one worksheet
    cover.title = t("sheet_cover", lang)
    cover["A1"] = t("title", lang)
    cover["A1"].font = Font(bold=True, size=14, color="1F3864")
    cover["A2"] = t("subtitle", lang, service=service["service_name"], service_id=service["service_id"],
                    audit_date=_fmt_date(service.get("audit_date"), lang))
    cover["A2"].alignment = _WRAP
    cover.merge_cells("A2:B2")
    cover.row_dimensions[2].height = 32
    facts = [("provider", service.get("provider", "")), ("report_date", _fmt_date(report_date, lang)),
             ("deadline", _fmt_date(deadline, lang)), ("findings", str(len(rows)))]
    for i, (key, value) in enumerate(facts, start=4):
        cover.cell(row=i, column=1, value=t(f"cover.{key}", lang)).font = Font(bold=True)
        cover.cell(row=i, column=2, value=value)
    cover["B6"].font = Font(bold=True, color="C00000")
    cover["A9"] = t("cover.instructions", lang)
    cover["A9"].alignment = _WRAP
    cover.merge_cells("A9:B9")
    cover.row_dimensions[9].height = 15 * _lines(t("cover.instructions", lang), 95) + 6
    for letter, cover_width in zip("AB", (26, 74)):
        cover.column_dimensions[letter].width = cover_width
    cover.page_setup.paperSize = cover.PAPERSIZE_A4
    cover.page_setup.fitToWidth, cover.page_setup.fitToHeight = 1, 0
    cover.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    _protect(cover)

    ws = wb.create_sheet(t("sheet_plan", lang))
    for j, (cid, width, _) in enumerate(PLAN_COLUMNS, start=1):
        c = ws.cell(row=1, column=j, value=t(f"columns.{cid}", lang))
        c.font = Font(bold=True)
        c.fill = _HEAD
        c.border = _BOX
        c.alignment = _WRAP
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[1].height = 45
    for i, row in enumerate(rows, start=2):
        values = {"number": row.number, "fact": row.fact, "area": row.area_label,
                  "finding": ("★ " if row.critical else "") + row.title, "basis": row.basis_label,
                  "recommendation": row.recommendation}
        height = 1
        for j, (cid, width, open_) in enumerate(PLAN_COLUMNS, start=1):
            c = ws.cell(row=i, column=j, value=values.get(cid))
            c.border = _BOX
            c.alignment = _WRAP
            c.fill = _OPEN if open_ else _GREY
            if open_:
                c.protection = Protection(locked=False)
                c.number_format = "D. M. YYYY" if cid == "deadline" else "@"
            height = max(height, _lines(values.get(cid) or "", width))
        ws.row_dimensions[i].height = min(409, 15 * height + 3)
    last = max(2, len(rows) + 1)
    col = {cid: get_column_letter(j) for j, (cid, _, _) in enumerate(PLAN_COLUMNS, start=1)}
    for cid, group in CHOICE_COLUMNS.items():
        labels = ",".join(t(f"{group}.{x}", lang) for x in CHOICES[group])
        dv = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
        dv.add(f"{col[cid]}2:{col[cid]}{last}")
        ws.add_data_validation(dv)
    date_rule = DataValidation(type="date", operator="greaterThanOrEqual",
                               formula1=f"DATE({report_date.year},{report_date.month},{report_date.day})",
                               allow_blank=True)
    date_rule.add(f"{col['deadline']}2:{col['deadline']}{last}")
    ws.add_data_validation(date_rule)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(PLAN_COLUMNS))}{last}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    _protect(ws)

    m = wb.create_sheet(layout.META_SHEET)
    for i, (key, value) in enumerate({"document": PLAN_DOCUMENT, **meta, "language": lang,
                                      "report_date": report_date.isoformat(), "deadline": deadline.isoformat(),
                                      "generator": f"auditkit {__version__}"}.items(), start=1):
        m.cell(row=i, column=1, value=key)
        m.cell(row=i, column=2, value=value).number_format = "@"
    m.sheet_state = "hidden"
    _protect(m)
    wb.active = 0
    return wb


def write_plan(out: Path, *args: Any, **kwargs: Any) -> Path:
    wb = build_plan(*args, **kwargs)
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out
