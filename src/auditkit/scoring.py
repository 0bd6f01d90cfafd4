"""Scoring, interpreted from the questionnaire: item scores, area %, verdicts, findings, indicators.

Method (docs/scoring.md): an item scores in [0, 1] (its option's score, or the score band its number falls
in); N/A and blank optional answers are left out; "not evidenced" scores 0 and is counted apart.
Area % = Σ weight·score / Σ weight × 100, given only when at least half of the area's weight could be
assessed. The verdict is the first band whose minimum score and maximum number of findings hold; a critical
finding (non-compliance established on a ★ item) forces the critical verdict.

A finding records its **basis** (the answer "no" / "partly" / "not evidenced", a number past a threshold,
or a computed indicator) and its **fact**: red flags of one service that measure the same fact become one
finding carrying all their evidence.
"""

from __future__ import annotations

import statistics

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from auditkit import compute
from auditkit.questionnaire.kinds import Value, kind_of
from auditkit.questionnaire.models import (
    ESTABLISHED,
    Basis,
    Question,
    Questionnaire,
    RedFlag,
)
from auditkit.validation.models import Answer, Audit, ServiceInfo

# the order in which a basis speaks for a merged finding: what establishes the fact first
_STRENGTH: dict[str, int] = {"no": 0, "threshold": 1, "indicator": 2, "partly": 3, "not_evidenced": 4}


def value_text(basis: str, value: Value | None) -> str | None:
    """A finding's value as the JSON and the tidy workbook give it (docs/summary.md): the option id, the ids of
    a multiple choice joined by "; " (as in the answers table), the number or the ISO date as text,
    ``not_evidenced`` for a finding on an answer that was not evidenced."""
    if basis == "not_evidenced" and value is None:
        return "not_evidenced"
    if isinstance(value, list):
        return "; ".join(value)
    return None if value is None else str(value)


class Evidence(BaseModel):
    """One answer or computed figure behind a finding."""

    basis: Basis
    question_id: str | None = None
    indicator_id: str | None = None
    # the answer, typed as validation read it (an option id, option ids, a number, a date; None when not
    # evidenced), or an indicator's value as text with the indicator's decimals
    value: Value | None = None
    evidence: str | None = None  # the auditor's comment
    sheet: str | None = None
    cell: str | None = None

    @field_serializer("value")
    def _value_text(self, value: Value | None) -> str | None:
        return value_text(self.basis, value)


class Flag(BaseModel):
    """An audit finding: one fact, its basis, all its evidence; becomes a finding with a recommendation.

    ``key`` is the wording key in templates/reports/recommendations.yaml (``<fact>.<basis>``: its
    ``title`` and ``text``); the first evidence item is the one the finding's basis rests on.
    """

    key: str
    fact: str
    basis: Basis
    area: str
    question_id: str | None = None
    indicator_id: str | None = None
    critical: bool = False  # non-compliance established on a critical (★) item
    value: Value | None = None  # as in Evidence: typed
    evidence: str | None = None
    sheet: str | None = None
    cell: str | None = None
    sources: list[Evidence] = Field(default_factory=list)

    @field_serializer("value")
    def _value_text(self, value: Value | None) -> str | None:
        return value_text(self.basis, value)


class Lost(BaseModel):
    """What lowered an area: an item with its status and the percentage points it cost, or a finding's
    evidence that costs no points (an indicator, an unscored figure past its threshold) with 0 points."""

    model_config = ConfigDict(frozen=True)  # services share equal items (share_lost): none may change one

    question_id: str  # a question ID, or an indicator id for a computed figure
    status: str  # no | partly | not_evidenced; threshold | indicator for a finding without points
    points_lost: float


class AreaScore(BaseModel):
    area: str
    score: float | None  # 0–100; None when less than half of the area's weight could be assessed
    verdict: str | None
    assessable: bool = True
    scored: int = 0  # items that entered the score
    not_applicable: int = 0
    not_evidenced: int = 0
    red_flags: int = 0  # findings in the area
    critical_flags: int = 0
    lost: list[Lost] = Field(default_factory=list)


class ScoredAudit(BaseModel):
    file: str
    sha256: str
    questionnaire_id: str
    questionnaire_version: str
    service: ServiceInfo
    areas: dict[str, AreaScore]
    process_index: float | None
    process_areas: int = 0  # how many process areas the process index stands on
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
    return kind_of(item).score(q, item, answer.value)


def _scorable(q: Questionnaire, item: Question) -> bool:
    return kind_of(item).scorable(q, item)


def flag_hit(rule: RedFlag, value: Value | None, status: str = "answered") -> bool:
    """Whether an answer is a red flag. On a multiple choice, ``answer_in`` matches when any (or, with
    ``match: all``, every) listed option was chosen."""
    if status == "not_evidenced":
        return rule.not_evidenced
    if status != "answered" or value is None:
        return False
    if rule.answer_in is not None:
        if isinstance(value, (list, tuple)):
            chosen = {str(v) for v in value}
            if rule.match == "not_all":
                return not all(v in chosen for v in rule.answer_in)
            test = all if rule.match == "all" else any
            return test(v in chosen for v in rule.answer_in)
        return str(value) in rule.answer_in
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False  # a number rule meets a number: the kind's flag_value gives one, or None when it has none
    return rule.hits_number(float(value))


def answer_basis(q: Questionnaire, item: Question, answer: Answer) -> Basis:
    """What an answer that raised a flag establishes: "no", "partly", "not_evidenced" or "threshold".

    A choice answer is "partly" when its option scores between 0 and 1 (e.g. "sometimes", 0–3 scale "1"),
    else "no"; a number past its threshold is "threshold"."""
    if answer.status == "not_evidenced":
        return "not_evidenced"
    return kind_of(item).basis(q, item, answer.value)


def _status(answer: Answer, score: float) -> str:
    if answer.status == "not_evidenced":
        return "not_evidenced"
    return "no" if score <= 0 else "partly"


def _verdict(q: Questionnaire, score: float | None, flags: int, critical: int) -> str | None:
    if score is None:
        return None
    if critical:
        return q.scoring.critical_verdict
    for v in q.scoring.verdicts:
        if score >= v.min_score - 1e-9 and (v.max_red_flags is None or flags <= v.max_red_flags):
            return v.id
    return q.scoring.verdicts[-1].id  # pragma: no cover - the last band catches everything


def indicators(q: Questionnaire, audit: Audit) -> dict[str, float | None]:
    return compute.indicator_values(q, audit.answers, audit.records)


def derived_answer(item: Question, answer: Answer | None, values: dict[str, float | None]) -> Answer | None:
    """The answer the record tables give for an item with ``derived_from`` (None when they cannot).

    It keeps the typed answer's comment and cell, so the finding still shows the auditor's evidence."""
    d = item.derived_from
    computed = values.get(d.indicator) if d is not None else None
    if d is None or computed is None:
        return None
    if answer is not None and answer.status not in ("answered", "blank"):
        return None  # "not evidenced" stays what the auditor found (validation warns about the sheet)
    option = "yes" if computed <= d.yes_upto + 1e-9 else "no"
    base = answer or Answer(question_id=item.id, status="answered")
    return base.model_copy(update={"status": "answered", "value": option})


def effective_answers(q: Questionnaire, audit: Audit, values: dict[str, float | None]) -> dict[str, Answer]:
    """The answers scoring uses: typed answers, with record-table derivations in place of typed ones."""
    out = dict(audit.answers)
    for area in q.areas:
        for item in area.questions:
            derived = derived_answer(item, out.get(item.id), values)
            if derived is not None:
                out[item.id] = derived
    return out


def na_allowed_here(item: Question, answers: dict[str, Answer]) -> bool:
    """Whether N/A is accepted on ``item`` given the other answers (a declared ``na_when`` condition)."""
    if item.na_when is None:
        return item.na_allowed
    other = answers.get(item.na_when.question)
    return other is not None and other.status == "answered" and str(other.value) in item.na_when.answer_in


_LOST: dict[tuple[str, str, float], Lost] = {}
_LOST_MAX = 100_000


def share_lost(scored: ScoredAudit) -> ScoredAudit:
    """``scored`` with every :class:`Lost` item replaced by an equal one that other services share.

    A round's main process keeps every service's scores for the summary; a Lost item (question, status,
    points) is the same in many services, and as a pydantic model it costs about 500 bytes: sharing them
    takes a third off what a scored service holds (about 63 → 42 KiB). Nothing changes a Lost item after
    scoring, so sharing one changes no result."""
    if len(_LOST) > _LOST_MAX:
        _LOST.clear()
    for area in scored.areas.values():
        area.lost[:] = [_LOST.setdefault((x.question_id, x.status, x.points_lost), x) for x in area.lost]
    return scored


def score_audit(q: Questionnaire, audit: Audit) -> ScoredAudit:
    findings: list[Flag] = []
    areas: dict[str, AreaScore] = {}
    strengths: list[str] = []
    values = indicators(q, audit)
    answers = effective_answers(q, audit, values)
    for area in q.areas:
        num = den = total = 0.0
        counts = {"scored": 0, "not_applicable": 0, "not_evidenced": 0}
        raised: list[tuple[Evidence, bool]] = []  # (evidence, critical)
        losses: list[tuple[str, str, float]] = []  # (question id, status, weight × (1 - score))
        for item in area.questions:
            answer = answers.get(item.id)
            if answer is not None and answer.status == "na" and not na_allowed_here(item, answers):
                # N/A where the questionnaire does not accept it: the item counts as not evidenced
                answer = answer.model_copy(update={"status": "not_evidenced", "value": None})
            if _scorable(q, item) and item.effective_weight > 0:
                total += item.effective_weight
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
                if s < 1 and answer is not None:
                    losses.append((item.id, _status(answer, s), item.effective_weight * (1 - s)))
            if item.red_flag is not None and answer is not None:
                value = kind_of(item).flag_value(answer.value) if item.red_flag.numeric() else answer.value
                if flag_hit(item.red_flag, value, answer.status):
                    source = item.derived_from.indicator if item.derived_from is not None else None
                    derived = answer.status == "answered" and source is not None and values.get(source) is not None
                    basis = "indicator" if derived else answer_basis(q, item, answer)
                    raised.append((Evidence(
                        basis=basis, question_id=item.id, value=answer.value, evidence=answer.comment,
                        sheet=answer.sheet, cell=answer.cell,
                        indicator_id=source if derived else None,
                    ), item.critical and basis in ESTABLISHED))
        for ind in q.indicators:
            if ind.area == area.id and ind.red_flag is not None and flag_hit(ind.red_flag, values[ind.id]):
                raised.append((Evidence(basis="indicator", indicator_id=ind.id,
                                        value=f"{values[ind.id]:.{ind.decimals}f}"), False))
        area_findings = _merge(q, area.id, raised)
        assessable = den > 0 and den >= total / 2 - 1e-9
        score = round(100 * num / den, 4) if assessable else None
        critical = sum(f.critical for f in area_findings)
        lost = [Lost(question_id=qid, status=st, points_lost=round(100 * w / den, 2))
                for qid, st, w in losses] if assessable else []
        # a finding that costs no points (an indicator, an unscored item past its threshold) still explains
        # the verdict: it is listed with 0 points
        costed = {x.question_id for x in lost}
        for f in area_findings:
            for ev in f.sources:
                ref = ev.question_id or ev.indicator_id or ""
                if ref not in costed:
                    lost.append(Lost(question_id=ref, status=ev.basis, points_lost=0.0))
                    costed.add(ref)
        areas[area.id] = AreaScore(
            area=area.id, score=score, verdict=_verdict(q, score, len(area_findings), critical),
            assessable=assessable, red_flags=len(area_findings), critical_flags=critical, lost=lost, **counts,
        )
        findings.extend(area_findings)
    process = [a.score for a in areas.values() if a.score is not None and q.area(a.area).kind == "process"]
    outcome_id = q.scoring.outcome_indicator
    return ScoredAudit(
        file=audit.file, sha256=audit.sha256, questionnaire_id=audit.questionnaire_id,
        questionnaire_version=audit.questionnaire_version, service=audit.service, areas=areas,
        process_index=round(statistics.fmean(process), 4) if process else None, process_areas=len(process),
        outcome_index=values.get(outcome_id) if outcome_id else None,
        indicators=values, findings=findings, strengths=strengths,
    )


def _merge(q: Questionnaire, area: str, raised: list[tuple[Evidence, bool]]) -> list[Flag]:
    """One finding per fact: its basis is the strongest of its evidence, which comes first."""
    facts = q.facts()
    by_fact: dict[str, list[tuple[Evidence, bool]]] = {}
    for ev, crit in raised:
        fact = facts[ev.question_id or ev.indicator_id or ""]
        by_fact.setdefault(fact, []).append((ev, crit))
    out = []
    for fact, items in by_fact.items():
        items.sort(key=lambda x: _STRENGTH[x[0].basis])
        first = items[0][0]
        out.append(Flag(
            key=f"{fact}.{first.basis}", fact=fact, basis=first.basis, area=area,
            question_id=first.question_id, indicator_id=first.indicator_id,
            critical=any(c for _, c in items), value=first.value, evidence=first.evidence,
            sheet=first.sheet, cell=first.cell, sources=[ev for ev, _ in items],
        ))
    return out
