"""Scoring, interpreted from the questionnaire: item scores, area %, verdicts, red flags, indicators.

Method (docs/scoring.md): an item scores in [0, 1] (its option's score, or the score band its number falls
in); N/A and blank optional answers are left out; "not evidenced" scores 0 and is counted apart.
Area % = Σ weight·score / Σ weight × 100. The verdict is the first band whose minimum score and maximum
number of red flags hold; a red flag on a critical item forces the critical verdict.
"""

from __future__ import annotations

import statistics
from typing import Any

from pydantic import BaseModel

from auditkit import formula
from auditkit.questionnaire.models import CHOICE_KINDS, NUMBER_KINDS, Question, Questionnaire, RedFlag
from auditkit.validation.models import Answer, Audit, ServiceInfo


class Flag(BaseModel):
    """A red flag: becomes a finding with evidence and a recommendation."""

    key: str  # recommendation key (templates/reports/recommendations.yaml)
    area: str
    question_id: str | None = None
    indicator_id: str | None = None
    critical: bool = False
    value: str | None = None  # the answer or indicator value, as the auditor's option id or number
    evidence: str | None = None  # the auditor's comment
    sheet: str | None = None
    cell: str | None = None


class AreaScore(BaseModel):
    area: str
    score: float | None  # 0–100; None when nothing in the area could be scored
    verdict: str | None
    scored: int = 0  # items that entered the score
    not_applicable: int = 0
    not_evidenced: int = 0
    red_flags: int = 0
    critical_flags: int = 0


class ScoredAudit(BaseModel):
    file: str
    sha256: str
    questionnaire_id: str
    questionnaire_version: str
    service: ServiceInfo
    areas: dict[str, AreaScore]
    process_index: float | None
    outcome_index: float | None
    indicators: dict[str, float | None]
    findings: list[Flag]
    strengths: list[str]  # question IDs with full score among weight ≥ 2 items


def item_score(q: Questionnaire, item: Question, answer: Answer | None) -> float | None:
    """Score in [0, 1], or None when the item does not enter the area score."""
    if answer is None or item.effective_weight == 0:
        return None
    if answer.status == "not_evidenced":
        return 0.0 if _scorable(q, item) else None
    if answer.status != "answered":
        return None
    if item.kind in CHOICE_KINDS and item.kind != "multi_choice":
        option = next((o for o in q.options_for(item) if o.id == answer.value), None)
        return option.score if option is not None else None
    if item.kind in NUMBER_KINDS and item.score_bands:
        for band in item.score_bands:
            if band.upto is None or answer.value <= band.upto:
                return band.score
    return None


def _scorable(q: Questionnaire, item: Question) -> bool:
    if item.kind in NUMBER_KINDS:
        return bool(item.score_bands)
    if item.kind in CHOICE_KINDS and item.kind != "multi_choice":
        return any(o.score is not None for o in q.options_for(item))
    return False


def _numeric(item: Question, value: Any) -> float | None:
    if item.kind == "scale_0_3" and isinstance(value, str) and value.isdigit():
        return float(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def flag_hit(rule: RedFlag, value: float | str | None, status: str = "answered") -> bool:
    if status == "not_evidenced":
        return rule.not_evidenced
    if status != "answered" or value is None:
        return False
    if rule.answer_in is not None:
        return str(value) in rule.answer_in
    number = float(value)
    if rule.below is not None:
        return number < rule.below
    if rule.at_most is not None:
        return number <= rule.at_most
    if rule.above is not None:
        return number > rule.above
    return rule.at_least is not None and number >= rule.at_least


def _verdict(q: Questionnaire, score: float | None, flags: int, critical: int) -> str | None:
    if score is None:
        return q.scoring.critical_verdict if critical else None
    if critical:
        return q.scoring.critical_verdict
    for v in q.scoring.verdicts:
        if score >= v.min_score - 1e-9 and (v.max_red_flags is None or flags <= v.max_red_flags):
            return v.id
    return q.scoring.verdicts[-1].id  # pragma: no cover - the last band catches everything


def indicators(q: Questionnaire, audit: Audit) -> dict[str, float | None]:
    def answer(qid: str) -> float | None:
        a = audit.answers.get(qid)
        if a is None or a.status != "answered" or isinstance(a.value, bool):
            return None
        return float(a.value) if isinstance(a.value, (int, float)) else None

    out = {}
    for ind in q.indicators:
        value = formula.evaluate(_parsed(ind.formula), answer, audit.records)
        out[ind.id] = None if value is None else round(value, 6)
    return out


_PARSED: dict[str, Any] = {}


def _parsed(text: str) -> Any:
    if text not in _PARSED:
        _PARSED[text] = formula.parse(text)
    return _PARSED[text]


def score_audit(q: Questionnaire, audit: Audit) -> ScoredAudit:
    flags: list[Flag] = []
    areas: dict[str, AreaScore] = {}
    strengths: list[str] = []
    values = indicators(q, audit)
    for area in q.areas:
        num = den = 0.0
        counts = {"scored": 0, "not_applicable": 0, "not_evidenced": 0}
        area_flags: list[Flag] = []
        for item in area.questions:
            answer = audit.answers.get(item.id)
            if answer is not None and answer.status == "na":
                counts["not_applicable"] += 1
            if answer is not None and answer.status == "not_evidenced":
                counts["not_evidenced"] += 1
            s = item_score(q, item, answer)
            if s is not None:
                num += item.effective_weight * s
                den += item.effective_weight
                counts["scored"] += 1
                if s >= 1 and (item.effective_weight >= 2 or item.critical):
                    strengths.append(item.id)
            if item.red_flag is not None and answer is not None:
                value = _numeric(item, answer.value) if item.red_flag.numeric() else answer.value
                if flag_hit(item.red_flag, value, answer.status):
                    area_flags.append(Flag(
                        key=item.recommendation or item.id, area=area.id, question_id=item.id,
                        critical=item.critical, value=_shown(answer), evidence=answer.comment,
                        sheet=answer.sheet, cell=answer.cell,
                    ))
        for ind in q.indicators:
            if ind.area == area.id and ind.red_flag is not None and flag_hit(ind.red_flag, values[ind.id]):
                area_flags.append(Flag(key=ind.recommendation or ind.id, area=area.id, indicator_id=ind.id,
                                       value=f"{values[ind.id]:.{ind.decimals}f}"))
        score = round(100 * num / den, 4) if den else None
        critical = sum(f.critical for f in area_flags)
        areas[area.id] = AreaScore(
            area=area.id, score=score, verdict=_verdict(q, score, len(area_flags), critical),
            red_flags=len(area_flags), critical_flags=critical, **counts,
        )
        flags.extend(area_flags)
    process = [a.score for a in areas.values() if a.score is not None and q.area(a.area).kind == "process"]
    outcome_id = q.scoring.outcome_indicator
    return ScoredAudit(
        file=audit.file, sha256=audit.sha256, questionnaire_id=audit.questionnaire_id,
        questionnaire_version=audit.questionnaire_version, service=audit.service, areas=areas,
        process_index=round(statistics.fmean(process), 4) if process else None,
        outcome_index=values.get(outcome_id) if outcome_id else None,
        indicators=values, findings=flags, strengths=strengths,
    )


def _shown(answer: Answer) -> str | None:
    if answer.status == "not_evidenced":
        return "not_evidenced"
    return None if answer.value is None else str(answer.value)
