"""The action plan: one row per finding in priority order, and the provider's reply to each (docs/cycle.md).

``plan_rows`` is the one source of the plan's rows: the plan workbook written beside each provider report
and the replies read back from it. Priority (documented in docs/cycle.md): established non-compliance on a
critical item first, then other established findings (answer no, a threshold, an indicator), then partly and
not evidenced; within each, the item's weight, then the effect on inclusion (findings in the areas listed as
``inclusion_areas`` in templates/reports/plan.yaml first), then the questionnaire's area order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel

from auditkit.excel.plan_workbook import write_plan
from auditkit.lang import Lang
from auditkit.questionnaire.models import Questionnaire
from auditkit.rounds import Objections, Replies
from auditkit.scoring import Flag, ScoredAudit
from auditkit.texts import recommendations, texts
from auditkit.validation.models import FileResult, Reply
from auditkit.validation.personal import redact
from auditkit.validation.problems import make


def redact_text(text: str | None, lang: Lang) -> str | None:
    """Free text of a reply as every output shows it: personal data replaced."""
    return redact(text, lang) if text else text

_ESTABLISHED = ("no", "threshold", "indicator")
PLAN_SUFFIX = "_plan.xlsx"


class PlanRow(BaseModel):
    number: int
    fact: str
    key: str  # wording key in recommendations.yaml
    area: str
    area_label: str
    title: str
    basis: str | None
    basis_label: str
    recommendation: str
    critical: bool


def _weight(q: Questionnaire, flag: Flag) -> float:
    if flag.question_id and flag.question_id in q.questions():
        return q.questions()[flag.question_id][1].effective_weight
    return 1.0


def inclusion_areas() -> set[str]:
    """Areas whose findings bear most directly on clients' social inclusion (templates/reports/plan.yaml)."""
    return set(texts("plan")("inclusion_areas", "cs").split())


def priority(q: Questionnaire, flag: Flag) -> tuple[object, ...]:
    """Critical first, then established findings, then the item's weight, then the effect on inclusion
    (findings in ``inclusion_areas`` first), then the questionnaire's area order."""
    order = {a.id: i for i, a in enumerate(q.areas)}
    return (not flag.critical, flag.basis not in _ESTABLISHED, -_weight(q, flag), flag.area not in inclusion_areas(),
            order.get(flag.area, 99), flag.key)


def plan_rows(q: Questionnaire, service: ScoredAudit, lang: Lang) -> list[PlanRow]:
    """The service's findings as plan rows, most urgent first."""
    rec = recommendations(q)
    words = texts("plan")
    rows = []
    for i, flag in enumerate(sorted(service.findings, key=lambda f: priority(q, f)), start=1):
        rows.append(PlanRow(
            number=i, fact=flag.fact, key=flag.key, area=flag.area, area_label=q.area(flag.area).title(lang),
            title=rec(f"{flag.key}.title", lang), basis=flag.basis,
            basis_label=words(f"bases.{flag.basis}", lang),
            recommendation=rec(f"{flag.key}.text", lang), critical=flag.critical,
        ))
    return rows


def count_objections(replies: dict[str, dict[str, Reply]]) -> Objections:
    """``replies``: service id → fact → reply."""
    all_replies = [r for by_fact in replies.values() for r in by_fact.values() if r.objection]
    return Objections(
        plans=len(replies),
        filed=len(all_replies),
        upheld=sum(r.decision == "upheld" for r in all_replies),
        partly=sum(r.decision == "partly" for r in all_replies),
        rejected=sum(r.decision == "rejected" for r in all_replies),
        pending=sum(r.decision is None for r in all_replies),
    )


def plan_path(report: Path) -> Path:
    """The plan workbook beside a provider report: ``<service id>_<name>_plan.xlsx``."""
    return report.with_name(report.stem + PLAN_SUFFIX)


def write_service_plan(q: Questionnaire, service: ScoredAudit, lang: Lang, out: Path, report_date: dt.date,
                       deadline: dt.date) -> Path:
    """The plan workbook of one service (docs/cycle.md), written atomically."""
    info = service.service
    meta = {"questionnaire_id": q.id, "questionnaire_version": q.version, "service_id": info.service_id,
            "audit_round": info.audit_round, "source_sha256": service.sha256}
    return write_plan(out, texts("plan"), lang,
                      {"service_name": info.service_name, "service_id": info.service_id, "provider": info.provider,
                       "audit_date": info.audit_date},
                      plan_rows(q, service, lang), report_date, deadline, meta)


def collect_replies(
    results: list[FileResult], services: list[ScoredAudit], lang: Lang, questionnaire_id: str | None = None,
) -> Replies:
    """Replies from validated plan files, matched to this round's services and findings.

    A file that is not a plan, a plan with errors, a plan of another questionnaire than the round's
    (``questionnaire_id``) or a plan for a service not in this round is rejected
    (listed with its problems); a reply to a finding the service no longer has is reported and left out.
    Free text (reasons, measure, role) is redacted like every text that leaves a workbook.
    """
    current = {s.service.service_id: {f.fact for f in s.findings} for s in services}
    by_service: dict[str, dict[str, Reply]] = {}
    files = []
    for r in results:
        if r.status == "skipped":
            files.append(r)
            continue
        problems = list(r.problems)
        if r.plan is None:
            if r.status == "valid":
                problems.append(make("plan_not_a_plan", lang, r.file))
            files.append(r.model_copy(update={"status": "invalid", "problems": problems, "audit": None}))
            continue
        if questionnaire_id is not None and r.plan.questionnaire_id != questionnaire_id:
            problems.append(make("plan_other_questionnaire", lang, r.file, found=r.plan.questionnaire_id,
                                 expected=questionnaire_id))
            files.append(r.model_copy(update={"status": "invalid", "problems": problems}))
            continue
        if r.status == "invalid" or r.plan.service_id not in current:
            if r.plan.service_id not in current:
                problems.append(make("plan_service_not_in_round", lang, r.file, value=r.plan.service_id))
            files.append(r.model_copy(update={"status": "invalid", "problems": problems}))
            continue
        replies = {}
        for reply in r.plan.replies:
            if reply.fact not in current[r.plan.service_id]:
                problems.append(make("plan_fact_not_in_round", lang, r.file, value=reply.fact))
                continue
            replies[reply.fact] = reply.model_copy(update={
                k: redact_text(getattr(reply, k), lang) for k in ("reasons", "measure", "role", "decision_reason")})
        by_service[r.plan.service_id] = replies
        files.append(r.model_copy(update={"problems": problems}))
    return Replies(by_service=by_service, files=files, objections=count_objections(by_service))
