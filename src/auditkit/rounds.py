"""Rounds compared: this round's services and findings matched to the previous round's (docs/cycle.md).

The previous round is read from its ``summary.json`` (or from a folder of workbooks, summarised the same way
first), so both sources give the same :class:`PreviousRound`. Services are matched by their identifier,
findings by service and fact key. A finding of this round is ``new`` or ``persisting``; a previous finding no
longer present is ``resolved``. When the questionnaire version changed, the previous facts are translated
through the ``from_versions`` mapping of the current questionnaire; a version without a mapping, or a fact
the mapping does not cover, is reported and never compared silently.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from auditkit.errors import UsageError
from auditkit.questionnaire.models import Questionnaire
from auditkit.scoring import Flag, ScoredAudit
from auditkit.validation.models import FileResult, Reply

Change = Literal["new", "persisting"]


def fact_of(flag: Flag | dict[str, Any]) -> str:
    """A finding's fact key; in a summary.json written before findings had facts, its key."""
    if isinstance(flag, dict):
        return str(flag.get("fact") or flag["key"])
    return flag.fact


class PreviousFinding(BaseModel):
    fact: str
    area: str
    question_id: str | None = None
    indicator_id: str | None = None
    basis: str | None = None
    critical: bool = False
    reply: Reply | None = None  # the provider's reply and measure in the previous round (its plan)


class PreviousScores(BaseModel):
    audit_date: dt.date | None = None
    areas: dict[str, float | None] = Field(default_factory=dict)  # area → score (0–100)
    verdicts: dict[str, str | None] = Field(default_factory=dict)
    process_index: float | None = None
    outcome_index: float | None = None


class PreviousService(BaseModel):
    service_id: str
    service_name: str
    scores: PreviousScores
    findings: list[PreviousFinding]


class PreviousRound(BaseModel):
    source: str
    questionnaire_id: str
    questionnaire_version: str
    services: dict[str, PreviousService]  # by service identifier
    area_medians: dict[str, float | None] = Field(default_factory=dict)
    process_median: float | None = None
    outcome_median: float | None = None


class ServiceChange(BaseModel):
    """One service of this round against the previous round."""

    service_id: str
    previous: PreviousScores | None  # None: the service was not in the previous round
    changes: dict[str, Change] = Field(default_factory=dict)  # fact → new / persisting (this round's findings)
    resolved: list[PreviousFinding] = Field(default_factory=list)
    overdue: dict[str, dt.date] = Field(default_factory=dict)  # persisting fact → deadline its agreed measure missed


class SystemicChange(BaseModel):
    fact: str
    area: str
    previous: int  # services with the finding in the previous round (among the services in both rounds)
    current: int
    n: int  # services in both rounds


class AreaTrend(BaseModel):
    area: str
    previous_median: float | None
    current_median: float | None


class ServiceRef(BaseModel):
    service_id: str
    service_name: str


class RoundChanges(BaseModel):
    """The round against the previous round (``comparison`` in summary.json)."""

    source: str  # where the previous round came from (a folder or a summary.json)
    previous_version: str  # the previous round's questionnaire version
    comparable: bool  # False: the questionnaire changed without a mapping; findings are not compared
    unmapped_facts: list[str] = Field(default_factory=list)  # previous facts the mapping does not cover
    new: int  # findings of this round new since the previous round (services in both rounds)
    persisting: int
    resolved: int
    overdue: int  # persisting findings whose measure agreed in the previous round is past its deadline
    measures_credited: int  # resolved findings for which the provider had agreed a measure
    only_previous: list[ServiceRef]
    only_current: list[ServiceRef]
    area_trend: list[AreaTrend]
    process_trend: AreaTrend
    outcome_trend: AreaTrend
    systemic: list[SystemicChange]  # facts whose count changed, largest change first


class Comparison(BaseModel):
    round: RoundChanges
    services: dict[str, ServiceChange]  # by service identifier, every service of this round


def service_cycle(summary_comparison: Comparison | None, replies: Replies | None, service_id: str) -> ServiceCycle | None:
    """The cycle of one service for its report (None when the run had neither --previous nor --replies)."""
    if summary_comparison is None and replies is None:
        return None
    return ServiceCycle(
        change=summary_comparison.services.get(service_id) if summary_comparison else None,
        comparable=summary_comparison.round.comparable if summary_comparison else True,
        replies=replies.by_service.get(service_id) if replies else None,
    )


class ServiceCycle(BaseModel):
    """What one provider report shows of the cycle: the change since the previous round and the replies."""

    change: ServiceChange | None = None  # None: no --previous
    comparable: bool = True
    replies: dict[str, Reply] | None = None  # fact → reply; None: no returned plan (or no --replies)


class Objections(BaseModel):
    """Objections of a round (``summarize --replies``): filed, and the auditor's decisions on them."""

    plans: int  # returned plans read
    filed: int  # replies "partly" or "disagree"
    upheld: int
    partly: int
    rejected: int
    pending: int  # filed, no decision yet


class Replies(BaseModel):
    """The returned plans of a round (``summarize --replies``): replies by service and fact, every file."""

    by_service: dict[str, dict[str, Reply]] = Field(default_factory=dict)  # service id → fact → reply
    files: list[FileResult] = Field(default_factory=list)  # every file of the folder: included or rejected
    objections: Objections


class PreviousRoundError(UsageError):
    """A --previous or --replies source cannot be used (a usage error: exit 2, words in errors.MESSAGES)."""

    def __init__(self, key: str, path: str, **params: Any) -> None:
        super().__init__(key, path=path, **params)


def previous_from_json(data: Any, source: str) -> PreviousRound:
    """A previous round from the documented summary.json (docs/summary.md)."""
    try:
        services: dict[str, PreviousService] = {}
        for s in data["services"]:
            areas = s.get("areas") or {}
            services[str(s["service_id"])] = PreviousService(
                service_id=str(s["service_id"]),
                service_name=str(s.get("service_name") or ""),
                scores=PreviousScores(
                    audit_date=s.get("audit_date"),
                    areas={k: v.get("score") for k, v in areas.items()},
                    verdicts={k: v.get("verdict") for k, v in areas.items()},
                    process_index=s.get("process_index"),
                    outcome_index=s.get("outcome_index"),
                ),
                findings=[PreviousFinding(fact=fact_of(f), area=f["area"], question_id=f.get("question_id"),
                                          indicator_id=f.get("indicator_id"), basis=f.get("basis"),
                                          critical=bool(f.get("critical")), reply=f.get("reply"))
                          for f in s.get("findings") or []],
            )
        return PreviousRound(
            source=source,
            questionnaire_id=data["questionnaire"]["id"],
            questionnaire_version=data["questionnaire"]["version"],
            services=services,
            area_medians={k: v.get("median") for k, v in (data.get("areas") or {}).items()},
            process_median=(data.get("process_index") or {}).get("median"),
            outcome_median=(data.get("outcome_index") or {}).get("median"),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise PreviousRoundError("previous_not_summary", source) from exc


def _translate(q: Questionnaire, prev: PreviousRound) -> tuple[bool, dict[str, list[str]], list[str]]:
    """(comparable, previous fact → this version's facts, previous facts not covered)."""
    current = set(q.fact_bases())
    seen = sorted({f.fact for s in prev.services.values() for f in s.findings})
    if prev.questionnaire_version == q.version:
        return True, {f: [f] for f in seen}, []
    mapping = q.from_versions.get(prev.questionnaire_version)
    if mapping is None:
        return False, {}, seen
    table: dict[str, list[str]] = {}
    unmapped = []
    for fact in seen:
        if fact in mapping.facts:
            target = mapping.facts[fact]
            table[fact] = [] if target is None else ([target] if isinstance(target, str) else list(target))
        elif fact in current:
            table[fact] = [fact]
        else:
            unmapped.append(fact)
    return True, table, unmapped


def _overdue(reply: Reply | None, audited: dt.date) -> bool:
    """An agreed measure whose deadline passed before this round's audit (the finding persists)."""
    return bool(reply is not None and reply.measure and reply.deadline is not None and reply.deadline < audited)


def compare(q: Questionnaire, services: list[ScoredAudit], prev: PreviousRound,
            area_medians: dict[str, float | None], process_median: float | None,
            outcome_median: float | None) -> Comparison:
    """This round (``services`` scored with ``q`` and its medians) against ``prev``."""
    if prev.questionnaire_id != q.id:
        raise PreviousRoundError("previous_other_questionnaire", prev.source, found=prev.questionnaire_id,
                                 expected=q.id)
    comparable, table, unmapped = _translate(q, prev)
    by_id = {s.service.service_id: s for s in services}
    changes: dict[str, ServiceChange] = {}
    counts_prev: dict[str, int] = {}
    counts_now: dict[str, int] = {}
    area_of: dict[str, str] = {}
    for sid, s in by_id.items():
        old = prev.services.get(sid)
        if old is None:
            changes[sid] = ServiceChange(service_id=sid, previous=None)
            continue
        now_facts = {fact_of(f): f for f in s.findings}
        if not comparable:
            changes[sid] = ServiceChange(service_id=sid, previous=old.scores)
            continue
        translated = {new: f for f in old.findings for new in table.get(f.fact, [])}
        change = {fact: ("persisting" if fact in translated else "new") for fact in now_facts}
        when = s.service.audit_date
        overdue: dict[str, dt.date] = {}
        for fact in sorted(change):
            reply = translated[fact].reply if fact in translated else None
            if when is not None and _overdue(reply, when) and reply is not None and reply.deadline is not None:
                overdue[fact] = reply.deadline
        # resolved: its fact (under this version's name) is still assessed and no longer found; a fact the
        # mapping retires (null) is neither resolved nor persisting
        resolved = [f for f in old.findings if table.get(f.fact) and not any(t in now_facts for t in table[f.fact])]
        changes[sid] = ServiceChange(service_id=sid, previous=old.scores, changes=change, resolved=resolved,
                                     overdue=overdue)
        for fact in set(translated):
            counts_prev[fact] = counts_prev.get(fact, 0) + 1
            area_of.setdefault(fact, translated[fact].area)
        for fact, f in now_facts.items():
            counts_now[fact] = counts_now.get(fact, 0) + 1
            area_of[fact] = f.area
    both = sum(1 for c in changes.values() if c.previous is not None)
    systemic = [SystemicChange(fact=f, area=area_of[f], previous=counts_prev.get(f, 0), current=counts_now.get(f, 0),
                               n=both)
                for f in sorted(set(counts_prev) | set(counts_now))
                if counts_prev.get(f, 0) != counts_now.get(f, 0)]
    systemic.sort(key=lambda x: (-abs(x.current - x.previous), x.fact))
    trend = [AreaTrend(area=a.id, previous_median=prev.area_medians.get(a.id), current_median=area_medians.get(a.id))
             for a in q.areas]
    statuses = [c for sc in changes.values() if sc.previous is not None for c in sc.changes.values()]
    return Comparison(services=changes, round=RoundChanges(
        source=prev.source,
        previous_version=prev.questionnaire_version,
        comparable=comparable,
        unmapped_facts=unmapped,
        new=statuses.count("new"),
        persisting=statuses.count("persisting"),
        resolved=sum(len(sc.resolved) for sc in changes.values()),
        overdue=sum(len(sc.overdue) for sc in changes.values()),
        measures_credited=sum(1 for sc in changes.values() for f in sc.resolved if f.reply and f.reply.measure),
        only_previous=[ServiceRef(service_id=k, service_name=v.service_name)
                       for k, v in sorted(prev.services.items()) if k not in by_id],
        only_current=[ServiceRef(service_id=k, service_name=v.service.service_name)
                      for k, v in sorted(by_id.items()) if k not in prev.services],
        area_trend=trend,
        process_trend=AreaTrend(area="process", previous_median=prev.process_median, current_median=process_median),
        outcome_trend=AreaTrend(area="outcome", previous_median=prev.outcome_median, current_median=outcome_median),
        systemic=systemic,
    ))
