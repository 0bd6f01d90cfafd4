"""The action plan: one service's findings in priority order, each with its recommended measure.

``plan_rows`` is the one source of the plan's rows: the provider report's closing chapter prints them, and
a plan workbook (the provider's reply: measure, owner, deadline) can be written from the same rows.

Priority rule (docs/summary.md, "Priority of findings"), first difference wins:
1. an unmet **key criterion** (critical item) comes first;
2. then the **weight** of the item that raised the finding (critical 3, seed-derived 2, others 1;
   an indicator's finding counts as weight 2);
3. then the **effect on inclusion**: findings in the areas listed as ``inclusion_areas`` in
   templates/reports/provider.yaml (basic activities and planning, staffing, outcomes, children,
   cooperation) before the others;
4. then the area's verdict, worst first, and the questionnaire's order.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditkit.questionnaire.models import Questionnaire
from auditkit.reports.texts import Texts, recommendations, texts
from auditkit.scoring import Flag, ScoredAudit

INDICATOR_WEIGHT = 2.0


@dataclass(frozen=True)
class PlanRow:
    """One row of the action plan. ``ref`` ("A2") is the finding's reference in the report's area
    chapters; ``rank`` its place in priority order (1 = first)."""

    rank: int
    ref: str
    key: str  # the recommendation key (recommendations.yaml)
    area: str
    area_label: str
    title: str
    measure: str
    critical: bool
    weight: float
    inclusion: bool
    flag: Flag


def inclusion_areas(t: Texts | None = None) -> set[str]:
    t = t or texts("provider")
    return set(t("priority.inclusion_areas", "cs").split())


def finding_refs(scored: ScoredAudit, q: Questionnaire) -> dict[int, str]:
    """id(flag) → its reference: the area's code and the finding's number within the area, in the
    questionnaire's order ("A1", "A2", "C1")."""
    order = {a.id: i for i, a in enumerate(q.areas)}
    refs: dict[int, str] = {}
    counts: dict[str, int] = {}
    for _, f in sorted(enumerate(scored.findings), key=lambda p: (order.get(p[1].area, 99), p[0])):
        counts[f.area] = counts.get(f.area, 0) + 1
        code = q.area(f.area).code if f.area in order else f.area
        refs[id(f)] = f"{code}{counts[f.area]}"
    return refs


def _weight(q: Questionnaire, f: Flag) -> float:
    if f.question_id:
        found = q.questions().get(f.question_id)
        if found is not None:
            return float(found[1].effective_weight)
    return INDICATOR_WEIGHT


def plan_rows(scored: ScoredAudit, q: Questionnaire, lang: str) -> list[PlanRow]:
    """The action plan of one service: its findings in priority order (rule in the module docstring)."""
    rec = recommendations(q)
    inclusion = inclusion_areas()
    refs = finding_refs(scored, q)
    order = {a.id: i for i, a in enumerate(q.areas)}
    verdicts = [v.id for v in q.scoring.verdicts]  # best first

    def verdict_rank(f: Flag) -> int:
        v = scored.areas[f.area].verdict if f.area in scored.areas else None
        return -verdicts.index(v) if v in verdicts else 1

    def key(p: tuple[int, Flag]):
        i, f = p
        return (not f.critical, -_weight(q, f), f.area not in inclusion, verdict_rank(f), order.get(f.area, 99), i)

    rows = []
    for rank, (_, f) in enumerate(sorted(enumerate(scored.findings), key=key), start=1):
        area = q.area(f.area) if f.area in order else None
        rows.append(PlanRow(
            rank=rank, ref=refs[id(f)], key=f.key, area=f.area,
            area_label=f"{area.code} {area.title(lang)}" if area else f.area,
            title=rec(f"{f.key}.title", lang), measure=rec(f"{f.key}.text", lang),
            critical=f.critical, weight=_weight(q, f), inclusion=f.area in inclusion, flag=f,
        ))
    return rows
