"""A returned plan workbook, checked like an audit workbook: every problem named by sheet and cell.

The provider's columns are read with the same cell normalisation as the answers (``ano ``-style case and
spaces, Czech dates, numbers stored as text); the rules: a known reply, status and decision; reasons when the
provider does not fully agree; a real deadline not before the report date; no personal data in the free text
(a role, not a person's name).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from auditkit.excel.layout import CHOICE_COLUMNS, CHOICES, PLAN_COLUMNS
from auditkit.excel.normalize import CellError, fold
from auditkit.excel.reader import Book, Sheet, cell_ref
from auditkit.lang import Lang
from auditkit.questionnaire.models import Column, Option, Questionnaire, Text
from auditkit.texts import texts
from auditkit.validation import personal
from auditkit.validation.cells import as_text, parse
from auditkit.validation.models import Reply, ReturnedPlan
from auditkit.validation.problems import phrase

_TEXT_COLUMNS = ("reasons", "measure", "role", "decision_reason")


@lru_cache(maxsize=1)
def _columns() -> dict[str, Column]:
    """The provider's columns as record columns, so that cells are parsed like any answer."""
    t = texts("plan")

    def label(key: str) -> Text:
        return Text(cs=t(key, "cs"), en=t(key, "en"))

    cols = {}
    for cid, group in CHOICE_COLUMNS.items():
        options = tuple(Option(id=x, label=label(f"{group}.{x}"), aliases=(x.replace("_", " "),))
                        for x in CHOICES[group])
        cols[cid] = Column(id=cid, label=label(f"columns.{cid}"), kind="choice", options=options, required=False)
    for cid in _TEXT_COLUMNS:
        cols[cid] = Column(id=cid, label=label(f"columns.{cid}"), kind="text", max_length=4000, required=False)
    cols["deadline"] = Column(id="deadline", label=label("columns.deadline"), kind="date", min=2000, max=2100,
                              required=False)
    return cols


def _header(sheet: Sheet) -> dict[str, int]:
    t = texts("plan")
    wanted = {fold(t(f"columns.{cid}", lang)): cid for cid, _, _ in PLAN_COLUMNS for lang in ("cs", "en")}
    for row in sheet.rows[:5]:
        found = {wanted[fold(str(v))]: i for i, v in enumerate(row) if v is not None and fold(str(v)) in wanted}
        if "fact" in found:
            return found
    return {}


def _plan_sheet(book: Book) -> Sheet | None:
    t = texts("plan")
    names = {fold(t("sheet_plan", lang)) for lang in ("cs", "en")}
    named = [s for s in book.sheets.values() if fold(s.name) in names]
    return named[0] if named else next((s for s in book.sheets.values() if _header(s)), None)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def validate_plan(book: Book, meta: dict[str, str], q: Questionnaire, add: Any, lang: Lang) -> ReturnedPlan | None:
    """Check a returned plan; ``add(code, **where)`` records a problem. Returns the replies read."""
    sheet = _plan_sheet(book)
    t = texts("plan")
    if sheet is None:
        add("plan_sheet_missing", expected=t("sheet_plan", lang))
        return None
    cols = _header(sheet)
    missing = [cid for cid, _, open_ in PLAN_COLUMNS if open_ and cid not in cols]
    for cid in missing:
        add("plan_column_missing", sheet=sheet.name, column=t(f"columns.{cid}", lang))
    report_date = _date(meta.get("report_date"))
    defs = _columns()
    replies = []
    for r in range(1, len(sheet.rows)):
        fact = sheet.get(r, cols["fact"])
        raw = {cid: sheet.get(r, i) for cid, i in cols.items() if cid in defs}
        if fact is None or not str(fact).strip():
            if any(v is not None and str(v).strip() for v in raw.values()):
                add("plan_row_without_finding", sheet=sheet.name, cell=cell_ref(r, cols["fact"]))
            continue
        reply: dict[str, Any] = {"fact": as_text(fact).strip()}
        for cid, value in raw.items():
            where = {"sheet": sheet.name, "cell": cell_ref(r, cols[cid])}
            try:
                _, reply[cid] = parse(q, defs[cid], value)
            except CellError:
                column = t(f"columns.{cid}", lang)
                group = CHOICE_COLUMNS.get(cid)
                if cid == "deadline":
                    add("plan_date_invalid", value=value, column=column, **where)
                elif group:
                    options = " / ".join(t(f"{group}.{x}", lang) for x in CHOICES[group])
                    add("plan_choice_invalid", value=value, column=column, options=options, **where)
                else:  # the text's own value may be what cannot be read: not quoted
                    add("plan_text_invalid", column=column, **where)
                reply[cid] = None
                continue
            if cid in _TEXT_COLUMNS and reply[cid]:
                for kind in personal.detect(reply[cid]):
                    add("personal_data", detail=phrase("personal_data", kind, lang),
                        hint=phrase("personal_data", "hint_" + kind, lang),
                        token=personal.TOKENS[lang if lang in personal.TOKENS else "cs"][kind], **where)
        _check_row(reply, r, cols, sheet, report_date, add, lang)
        replies.append(Reply(**{k: v for k, v in reply.items() if k in Reply.model_fields}))
    return ReturnedPlan(service_id=meta.get("service_id", ""), questionnaire_id=meta.get("questionnaire_id", ""),
                        report_date=report_date, replies=replies)


def _check_row(reply: dict[str, Any], r: int, cols: dict[str, int], sheet: Sheet, report_date: dt.date | None,
               add: Any, lang: Lang) -> None:
    def at(cid: str) -> dict[str, str]:
        return {"sheet": sheet.name, "cell": cell_ref(r, cols.get(cid, 0))}

    response = reply.get("response")
    if response is None and "response" in cols and sheet.get(r, cols["response"]) is None:
        add("plan_response_missing", **at("response"))
    if response in ("partly", "disagree") and not reply.get("reasons"):
        add("plan_reason_missing", **at("reasons"))
    deadline = reply.get("deadline")
    if deadline is not None and report_date is not None and deadline < report_date:
        add("plan_deadline_before_report", value=deadline.isoformat(), report_date=report_date.isoformat(),
            **at("deadline"))
    if reply.get("measure") and deadline is None and sheet.get(r, cols.get("deadline", 0)) is None:
        add("plan_deadline_missing", **at("deadline"))
    if reply.get("decision") is not None and response not in ("partly", "disagree"):
        add("plan_decision_without_objection", **at("decision"))
