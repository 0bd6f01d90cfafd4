"""The tidy workbook of a round: one table per sheet, one row per observation, for analysts.

Auditors' text is always stored as a text cell, never as a formula (a comment starting with '=' stays text).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from auditkit.fsutil import atomic_write
from auditkit.questionnaire.models import Questionnaire
from auditkit.summary import Summary
from auditkit.validation.models import Audit

_BOLD = Font(bold=True)
_XLSX_TEXT_MAX = 32767


def _cell(ws: Any, value: Any) -> Any:
    """A value for ``ws.append``: plain where openpyxl keeps it as is, a typed cell where it would not."""
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, str):
        value = value[:_XLSX_TEXT_MAX]
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(ws, value=None)
        cell.value = value
        cell.data_type = "s"  # text, never a formula (openpyxl would take '=…' as one)
        return cell
    if isinstance(value, (dt.date, dt.datetime)):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "D. M. YYYY H:MM" if isinstance(value, dt.datetime) else "D. M. YYYY"
        return cell
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    head = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = _BOLD
        head.append(c)
    ws.append(head)
    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    ws.freeze_panes = "A2"


def write_tidy(summary: Summary, audits: dict[str, Audit], q: Questionnaire, lang: str, out: Path) -> Path:
    """``audits`` maps file → Audit for the included services (answers in long form)."""
    wb = Workbook(write_only=True)
    services = summary.services
    _sheet(wb, "services", [
        "file", "service_id", "service_name", "provider", "audit_date", "audit_round", "auditors", "rank",
        "process_index", "outcome_index", "red_flags", "sha256",
    ], [[
        s.file, s.service.service_id, s.service.service_name, s.service.provider, s.service.audit_date,
        s.service.audit_round, s.service.auditors, i + 1, s.process_index, s.outcome_index, len(s.findings), s.sha256,
    ] for i, s in enumerate(services)])

    questions = q.questions()
    answer_rows = []
    for s in services:
        audit = audits.get(s.file)
        if audit is None:
            continue
        for qid, a in audit.answers.items():
            area, item = questions[qid]
            value = a.value
            answer_rows.append([
                s.file, s.service.service_id, area.id, qid, item.label(lang), item.kind, a.status,
                value if not isinstance(value, (dt.date,)) else value, a.comment, a.sheet, a.cell,
            ])
    _sheet(wb, "answers", ["file", "service_id", "area", "question_id", "question", "kind", "status", "value",
                           "comment", "sheet", "cell"], answer_rows)

    _sheet(wb, "area_scores", ["file", "service_id", "area", "area_title", "score", "verdict", "scored_items",
                               "not_applicable", "not_evidenced", "red_flags", "critical_flags"], [[
        s.file, s.service.service_id, a.area, q.area(a.area).title(lang), a.score, a.verdict, a.scored,
        a.not_applicable, a.not_evidenced, a.red_flags, a.critical_flags,
    ] for s in services for a in s.areas.values()])

    labels = {i.id: i for i in q.indicators}
    _sheet(wb, "indicators", ["file", "service_id", "indicator", "label", "unit", "value"], [[
        s.file, s.service.service_id, k, labels[k].label(lang), labels[k].unit(lang) if labels[k].unit else None, v,
    ] for s in services for k, v in s.indicators.items()])

    _sheet(wb, "findings", ["file", "service_id", "area", "key", "question_id", "indicator_id", "critical", "value",
                            "evidence", "sheet", "cell"], [[
        s.file, s.service.service_id, f.area, f.key, f.question_id, f.indicator_id, f.critical, f.value,
        f.evidence, f.sheet, f.cell,
    ] for s in services for f in s.findings])

    _sheet(wb, "statistics", ["measure", "kind", "n", "median", "q1", "q3", "min", "max"], [
        [k, kind, st.n, st.median, st.q1, st.q3, st.min, st.max]
        for kind, group in (("area", summary.area_stats), ("indicator", summary.indicator_stats),
                            ("index", {"process_index": summary.process_stats, "outcome_index": summary.outcome_stats}))
        for k, st in group.items()
    ])

    _sheet(wb, "systemic_findings", ["key", "area", "services_with_finding", "services_scored", "services"], [
        [x.key, x.area, x.count, x.n, "; ".join(x.services)] for x in summary.systemic
    ])

    _sheet(wb, "rejected_files", ["file", "status", "code", "severity", "sheet", "cell", "message"], [
        [r.file, r.status, f.code, f.severity, f.sheet, f.cell, f.message]
        for r in [*summary.rejected, *summary.skipped] for f in r.findings
    ])
    with atomic_write(out) as tmp:
        wb.save(tmp)
    return out
