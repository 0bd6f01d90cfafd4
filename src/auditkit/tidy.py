"""The tidy workbook of a round: one table per sheet, one row per observation, for analysts.

Auditors' text is always stored as a text cell, never as a formula (a comment starting with '=' stays text).
The long answers sheet (about 1,300 cells per service) is streamed one audit at a time, so a national
round of a thousand workbooks is written in seconds and in flat memory (``excel.xlsxout``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from auditkit.excel.xlsxout import XlsxStream
from auditkit.questionnaire.models import Questionnaire
from auditkit.summary import Summary
from auditkit.validation.models import Audit


def write_tidy(summary: Summary, audit_of: Callable[[str], Audit], q: Questionnaire, lang: str, out: Path) -> Path:
    """``audit_of(file)`` gives the typed audit of an included service (its answers, in long form)."""
    services = summary.services
    with XlsxStream(out) as wb:
        wb.sheet("services", [
            "file", "service_id", "service_name", "provider", "audit_date", "audit_round", "auditors", "rank",
            "process_index", "outcome_index", "red_flags", "sha256",
        ]).extend([
            s.file, s.service.service_id, s.service.service_name, s.service.provider, s.service.audit_date,
            s.service.audit_round, s.service.auditors, i + 1, s.process_index, s.outcome_index, len(s.findings),
            s.sha256,
        ] for i, s in enumerate(services))

        answers = wb.sheet("answers", ["file", "service_id", "area", "question_id", "question", "kind", "status",
                                       "value", "comment", "sheet", "cell"])
        # per question, what every row of it repeats: (area, question text, kind)
        fixed = {qid: (area.id, item.label(lang), item.kind) for qid, (area, item) in q.questions().items()}
        for s in services:
            sid = s.service.service_id
            for qid, a in audit_of(s.file).answers.items():
                area, label, kind = fixed[qid]
                answers.append((s.file, sid, area, qid, label, kind, a.status, a.value, a.comment, a.sheet, a.cell))

        wb.sheet("area_scores", ["file", "service_id", "area", "area_title", "score", "verdict", "scored_items",
                                 "not_applicable", "not_evidenced", "red_flags", "critical_flags"]).extend([
            s.file, s.service.service_id, a.area, q.area(a.area).title(lang), a.score, a.verdict, a.scored,
            a.not_applicable, a.not_evidenced, a.red_flags, a.critical_flags,
        ] for s in services for a in s.areas.values())

        labels = {i.id: i for i in q.indicators}
        wb.sheet("indicators", ["file", "service_id", "indicator", "label", "unit", "value"]).extend([
            s.file, s.service.service_id, k, labels[k].label(lang), labels[k].unit(lang) if labels[k].unit else None,
            v,
        ] for s in services for k, v in s.indicators.items())

        wb.sheet("findings", ["file", "service_id", "area", "key", "question_id", "indicator_id", "critical",
                              "value", "evidence", "sheet", "cell"]).extend([
            s.file, s.service.service_id, f.area, f.key, f.question_id, f.indicator_id, f.critical, f.value,
            f.evidence, f.sheet, f.cell,
        ] for s in services for f in s.findings)

        wb.sheet("statistics", ["measure", "kind", "n", "median", "q1", "q3", "min", "max"]).extend(
            [k, kind, st.n, st.median, st.q1, st.q3, st.min, st.max]
            for kind, group in (("area", summary.area_stats), ("indicator", summary.indicator_stats),
                                ("index", {"process_index": summary.process_stats,
                                           "outcome_index": summary.outcome_stats}))
            for k, st in group.items()
        )

        wb.sheet("systemic_findings", ["key", "area", "services_with_finding", "services_scored", "services"]).extend(
            [x.key, x.area, x.count, x.n, "; ".join(x.services)] for x in summary.systemic
        )

        wb.sheet("rejected_files", ["file", "status", "code", "severity", "sheet", "cell", "message"]).extend(
            [r.file, r.status, f.code, f.severity, f.sheet, f.cell, f.message]
            for r in [*summary.rejected, *summary.skipped] for f in r.findings
        )
    return out
