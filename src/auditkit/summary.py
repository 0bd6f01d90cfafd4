"""Aggregation across services (plain Python: a few medians, quartiles and one rank correlation): statistics per area and indicator, systemic findings,
the staffing ↔ inclusion relationship, ranking, and the anonymous regional benchmark for reports."""

from __future__ import annotations

import math

from pydantic import BaseModel

from auditkit.questionnaire.models import Questionnaire
from auditkit.rounds import Comparison, Replies
from auditkit.scoring import ScoredAudit
from auditkit.validation.models import FileResult


class Stats(BaseModel):
    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: float | None = None
    max: float | None = None


class Systemic(BaseModel):
    key: str  # the fact key (recommendations.yaml: its topic title and text)
    area: str
    count: int  # services with this finding
    n: int  # services scored
    services: list[str]  # service names (for the region; never in provider reports)


class Relationship(BaseModel):
    x: str
    y: str
    points: list[tuple[str, float, float]]  # (service name, x, y)
    spearman: float | None
    n: int


class Summary(BaseModel):
    questionnaire_id: str
    questionnaire_version: str
    services: list[ScoredAudit]  # ranked by process index, best first
    rejected: list[FileResult]  # invalid files with their problems
    skipped: list[FileResult]  # not workbooks (lock files, other suffixes)
    area_stats: dict[str, Stats]
    indicator_stats: dict[str, Stats]
    process_stats: Stats
    outcome_stats: Stats
    verdict_counts: dict[str, dict[str, int]]  # area → verdict → services
    systemic: list[Systemic]
    relationship: Relationship | None
    comparison: Comparison | None = None  # against the previous round (summarize --previous)
    replies: Replies | None = None  # the providers' returned plans (summarize --replies)


def quantile(xs: list[float], p: float) -> float:
    """The ``p`` quantile of sorted ``xs`` by linear interpolation between the closest ranks (the method of
    pandas, numpy and R's default type 7): the median of 4 values is the mean of the middle two."""
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def stats(values: list[float | None]) -> Stats:
    xs = sorted(v for v in values if v is not None and not math.isnan(v))
    if not xs:
        return Stats(n=0)
    return Stats(n=len(xs), median=quantile(xs, 0.5), q1=quantile(xs, 0.25), q3=quantile(xs, 0.75),
                 min=xs[0], max=xs[-1])


def _rank_key(s: ScoredAudit) -> tuple[float, str, str]:
    return (-(s.process_index if s.process_index is not None else -1), s.service.service_name, s.file)


def ranks(xs: list[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of their ranks."""
    order = sorted(range(len(xs)), key=xs.__getitem__)
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in order[i : j + 1]:
            out[k] = (i + j) / 2 + 1
        i = j + 1
    return out


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Spearman's rank correlation (Pearson's r of the ranks); None below 3 points or for a constant side."""
    import statistics

    if len(xs) < 3:
        return None
    try:
        value = statistics.correlation(ranks(xs), ranks(ys))
    except statistics.StatisticsError:  # a constant variable: no correlation to speak of
        return None
    return round(value, 4)


def summarize_round(q: Questionnaire, scored: list[ScoredAudit], results: list[FileResult]) -> Summary:
    """The summary analysis of one round: ``scored`` are the included services, ``results`` every file.

    Every service must be of ``q`` (``validation.mixed`` rejects the others before): a round is never merged
    across questionnaires."""
    other = sorted({f"{s.questionnaire_id}@{s.questionnaire_version}" for s in scored} - {q.key})
    if other:
        raise ValueError(f"a round of {q.key} given services of {', '.join(other)}; reject them first")
    services = sorted(scored, key=_rank_key)
    area_stats = {a.id: stats([s.areas[a.id].score for s in services]) for a in q.areas}
    indicator_stats = {i.id: stats([s.indicators.get(i.id) for s in services]) for i in q.indicators}
    verdicts = {
        a.id: {v.id: sum(s.areas[a.id].verdict == v.id for s in services) for v in q.scoring.verdicts} for a in q.areas
    }
    systemic: dict[str, Systemic] = {}
    for s in services:  # a fact counts once per service, whatever the number or basis of its flags
        for fact, area in dict.fromkeys((f.fact, f.area) for f in s.findings):
            item = systemic.setdefault(fact, Systemic(key=fact, area=area, count=0, n=len(services), services=[]))
            item.count += 1
            item.services.append(s.service.service_name)
    area_order = {a.id: i for i, a in enumerate(q.areas)}
    ordered = sorted(systemic.values(), key=lambda x: (-x.count, area_order.get(x.area, 99), x.key))
    rel = None
    if q.analysis.relationship is not None:
        rx, ry = q.analysis.relationship.x, q.analysis.relationship.y
        points = [
            (s.service.service_name, x, y)
            for s in services
            if (x := s.indicators.get(rx)) is not None and (y := s.indicators.get(ry)) is not None
        ]
        rel = Relationship(
            x=rx, y=ry, points=points, n=len(points),
            spearman=spearman([p[1] for p in points], [p[2] for p in points]),
        )
    return Summary(
        questionnaire_id=q.id,
        questionnaire_version=q.version,
        services=services,
        rejected=[r for r in results if r.status == "invalid"],
        skipped=[r for r in results if r.status == "skipped"],
        area_stats=area_stats,
        indicator_stats=indicator_stats,
        process_stats=stats([s.process_index for s in services]),
        outcome_stats=stats([s.outcome_index for s in services]),
        verdict_counts=verdicts,
        systemic=ordered,
        relationship=rel,
    )


class Benchmark(BaseModel):
    """Anonymous regional figures for a provider report: aggregates only, suppressed below ``min_group``."""

    n: int
    min_group: int
    suppressed: bool
    areas: dict[str, Stats]
    indicators: dict[str, Stats]
    process: Stats
    outcome: Stats


def benchmark(q: Questionnaire, scored: list[ScoredAudit]) -> Benchmark:
    n = len(scored)
    suppressed = n < q.analysis.min_group
    if suppressed:
        empty = Stats(n=n)
        return Benchmark(
            n=n, min_group=q.analysis.min_group, suppressed=True,
            areas={a.id: empty for a in q.areas}, indicators={i.id: empty for i in q.indicators},
            process=empty, outcome=empty,
        )
    return Benchmark(
        n=n, min_group=q.analysis.min_group, suppressed=False,
        areas={a.id: stats([s.areas[a.id].score for s in scored]) for a in q.areas},
        indicators={i.id: stats([s.indicators.get(i.id) for s in scored]) for i in q.indicators},
        process=stats([s.process_index for s in scored]),
        outcome=stats([s.outcome_index for s in scored]),
    )


def quartile_position(value: float | None, st: Stats, higher_is_better: bool | None = True) -> int | None:
    """1 = best quarter … 4 = worst quarter of the region; None when unknown or suppressed."""
    if value is None or st.q1 is None or st.q3 is None or st.median is None:
        return None
    if value >= st.q3:
        pos = 1
    elif value >= st.median:
        pos = 2
    elif value >= st.q1:
        pos = 3
    else:
        pos = 4
    return pos if higher_is_better is not False else 5 - pos
