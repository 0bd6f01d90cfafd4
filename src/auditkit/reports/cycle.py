"""The audit cycle in the reports (docs/cycle.md): what changed since the previous audit, and the replies.

Words in templates/reports/cycle.yaml. The provider report gets ``provider_since_previous`` and
``provider_replies`` (its own service only); the summary gets ``summary_changes`` (named services only in
the region's edition: ``anonymous`` leaves the names out).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Paragraph, Spacer

from auditkit import lang as lang_
from auditkit.lang import Lang
from auditkit.questionnaire.models import Questionnaire
from auditkit.reports import pdfkit
from auditkit.reports.pdfkit import esc
from auditkit.rounds import PreviousScores, RoundChanges, ServiceChange, ServiceCycle, fact_of
from auditkit.scoring import Flag, ScoredAudit
from auditkit.summary import Summary
from auditkit.texts import recommendations, texts
from auditkit.validation.models import Reply


def _t(key: str, lang: Lang, **params: object) -> str:
    return texts("cycle")(key, lang, **params)


def _para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, pdfkit.styles()[style])


def _pct(x: float | None, lang: Lang) -> str:
    return lang_.percent(x, 0, lang)


def _delta(prev: float | None, now: float | None, lang: Lang) -> str:
    if prev is None or now is None:
        return "–"
    d = round(now) - round(prev)
    return ("+" if d > 0 else "") + lang_.number(d, 0, lang) if d else "0"


def _date(d: dt.date | None, lang: Lang) -> str:
    from auditkit.reports import fmt

    return fmt.date(d, lang)  # "–" for none


def _fact_title(q: Questionnaire, fact: str, lang: Lang) -> str:
    rec = recommendations(q)
    return rec(f"{fact}.title", lang) if f"{fact}.title" in rec.data else fact


Chapter = Callable[[str], Flowable]


def provider_since_previous(q: Questionnaire, scored: ScoredAudit, change: ServiceChange | None,
                            comparable: bool, lang: Lang, width: float, chapter: Chapter | None = None
                            ) -> list[Flowable]:
    """The section "Od minulého auditu" of a provider report ([] when no previous round was given);
    ``chapter`` makes the report's own chapter heading (a plain heading without it)."""
    if change is None:
        return []
    story: list[Flowable] = [(chapter or _heading)(_t("provider.title", lang))]
    prev: PreviousScores | None = change.previous
    if prev is None:
        return story + [_para(_t("provider.not_in_previous", lang))]
    story.append(_para(_t("provider.intro", lang, date=_date(prev.audit_date, lang),
                          prev=_pct(prev.process_index, lang), now=_pct(scored.process_index, lang))))
    rows: list[list[object]] = [[_t(f"provider.col_{c}", lang) for c in ("area", "prev", "now", "change")]]
    for a in q.areas:
        before, now = prev.areas.get(a.id), scored.areas[a.id].score if a.id in scored.areas else None
        rows.append([f"{a.code} {a.title(lang)}", _pct(before, lang), _pct(now, lang), _delta(before, now, lang)])
    story.append(pdfkit.table(rows, [width - 7.5 * cm, 2.5 * cm, 2.5 * cm, 2.5 * cm],
                              align=["LEFT", "RIGHT", "RIGHT", "RIGHT"]))
    story.append(Spacer(1, 6))
    if not comparable:
        return story + [_para(_t("provider.not_comparable", lang), "note")]
    statuses = list(change.changes.values())
    story.append(_para(_t("provider.counts", lang, new=statuses.count("new"), persisting=statuses.count("persisting"),
                          resolved=len(change.resolved))))
    if change.resolved:
        story.append(pdfkit.heading(_t("provider.resolved_title", lang), 1))
        for f in change.resolved:
            credit = (" – " + _t("provider.credited", lang, measure=esc(f.reply.measure))
                      if f.reply is not None and f.reply.measure else "")
            story.append(_para("• " + esc(_fact_title(q, f.fact, lang)) + credit))
    overdue = [f for f in scored.findings if fact_of(f) in change.overdue]
    if overdue:  # every persisting finding is marked in its area; the overdue measures are named here
        story.append(pdfkit.heading(_t("provider.overdue_title", lang), 1))
        rec = recommendations(q)
        for flag in overdue:
            deadline = _date(change.overdue[fact_of(flag)], lang)
            story.append(_para("• " + esc(rec(f"{flag.key}.title", lang)) + " – <b>"
                               + esc(_t("provider.overdue", lang, deadline=deadline)) + "</b>"))
    return story


def provider_replies(q: Questionnaire, scored: ScoredAudit, replies: dict[str, Reply] | None, lang: Lang,
                     width: float, chapter: Chapter | None = None) -> list[Flowable]:
    """The section "Vyjádření poskytovatele": each objection with its reasons and the decision on it."""
    if replies is None:
        return []
    story: list[Flowable] = [(chapter or _heading)(_t("provider.replies_title", lang))]
    words = texts("plan")
    rec = recommendations(q)
    objections = [(f, replies[fact_of(f)]) for f in scored.findings
                  if fact_of(f) in replies and replies[fact_of(f)].objection]
    if not objections:
        return story + [_para(_t("provider.no_objection", lang))]
    story.append(_para(_t("provider.replies_intro", lang)))
    rows: list[list[object]] = [[_t(f"provider.col_{c}", lang) for c in ("finding", "reply", "decision")]]
    for f, r in objections:
        reply = "<b>" + esc(words(f"responses.{r.response}", lang)) + "</b>"
        if r.reasons:
            reply += ": " + esc(lang_.quote(r.reasons, lang))
        decision = (esc(words(f"decisions.{r.decision}", lang)) if r.decision
                    else "<i>" + esc(_t("provider.pending", lang)) + "</i>")
        if r.decision_reason:
            decision += ": " + esc(r.decision_reason)
        rows.append([esc(rec(f"{f.key}.title", lang)), _para(reply, "cell"), _para(decision, "cell")])
    story.append(pdfkit.table(rows, [0.32 * width, 0.43 * width, 0.25 * width]))
    return story


def finding_marks(cycle: ServiceCycle | None, flag: Flag, lang: Lang) -> list[str]:
    """Lines added to a finding in the provider report: its change since the previous audit (an overdue
    measure in bold) and the provider's objection with the auditor's decision."""
    if cycle is None:
        return []
    fact, marks = fact_of(flag), []
    change = cycle.change
    status = change.changes.get(fact) if change is not None else None
    if status is not None:
        text = f"<b>{esc(_t('provider.mark_title', lang))}:</b> {esc(_t(f'provider.mark_{status}', lang))}"
        deadline = change.overdue.get(fact) if change is not None else None
        if deadline is not None:
            text += " – <b>" + esc(_t("provider.overdue", lang, deadline=_date(deadline, lang))) + "</b>"
        marks.append(text)
    reply = (cycle.replies or {}).get(fact)
    if reply is not None and reply.objection:
        words = texts("plan")
        text = (f"<b>{esc(_t('provider.objection_title', lang))}:</b> "
                f"{esc(words(f'responses.{reply.response}', lang))}")
        if reply.reasons:
            text += " – " + esc(lang_.quote(reply.reasons, lang))
        decision = words(f"decisions.{reply.decision}", lang) if reply.decision else _t("provider.pending", lang)
        marks.append(text + f" ({esc(_t('provider.col_decision', lang)).lower()}: {esc(decision)})")
    return marks


def _heading(text: str) -> Flowable:
    return pdfkit.heading(text, 0)


def summary_changes(q: Questionnaire, summary: Summary, lang: Lang, width: float,
                    anonymous: bool = False) -> list[Flowable]:
    """The summary's chapter "Změny od minulého kola" (and the providers' replies), [] when neither applies."""
    story: list[Flowable] = []
    comparison = summary.comparison
    if comparison is not None:
        c: RoundChanges = comparison.round
        both = sum(1 for s in comparison.services.values() if s.previous is not None)
        story.append(pdfkit.heading(_t("summary.title", lang), 0))
        if c.comparable:
            story.append(_para(_t("summary.intro", lang, source=esc(_source(c.source)), n=both, new=c.new,
                                  persisting=c.persisting, resolved=c.resolved, overdue=c.overdue)))
        else:
            story.append(_para(_t("summary.not_comparable", lang, version=c.previous_version)))
        story.append(pdfkit.heading(_t("summary.trend_title", lang), 1))
        rows: list[list[object]] = [[_t(f"summary.col_{k}", lang) for k in ("area", "prev", "now", "change")]]
        for a, tr in zip(q.areas, c.area_trend):
            rows.append([f"{a.code} {a.title(lang)}", _pct(tr.previous_median, lang), _pct(tr.current_median, lang),
                         _delta(tr.previous_median, tr.current_median, lang)])
        for key, tr in (("process", c.process_trend), ("outcome", c.outcome_trend)):
            rows.append([_t(f"summary.{key}", lang), _pct(tr.previous_median, lang), _pct(tr.current_median, lang),
                         _delta(tr.previous_median, tr.current_median, lang)])
        story.append(pdfkit.table(rows, [width - 8.4 * cm, 2.8 * cm, 2.8 * cm, 2.8 * cm],
                                  align=["LEFT", "RIGHT", "RIGHT", "RIGHT"]))
        if c.systemic:
            story.append(pdfkit.heading(_t("summary.systemic_title", lang), 1))
            srows: list[list[object]] = [[_t(f"summary.col_{k}", lang) for k in ("finding", "prev", "now")]]
            for x in c.systemic[:15]:
                srows.append([esc(_fact_title(q, x.fact, lang)), f"{x.previous} {lang_.of(x.n, lang)} {x.n}",
                              f"{x.current} {lang_.of(x.n, lang)} {x.n}"])
            story.append(pdfkit.table(srows, [width - 6 * cm, 3 * cm, 3 * cm], align=["LEFT", "RIGHT", "RIGHT"]))
        story.append(Spacer(1, 6))
        if anonymous:
            if c.only_previous or c.only_current:
                story.append(_para(_t("summary.only_counts", lang, prev=len(c.only_previous),
                                      now=len(c.only_current))))
        else:
            for key, refs in (("only_previous", c.only_previous), ("only_current", c.only_current)):
                if refs:
                    names = ", ".join(esc(r.service_name or r.service_id) for r in refs)
                    story.append(_para(_t(f"summary.{key}", lang, names=names)))
    if summary.replies is not None:
        story.append(pdfkit.heading(_t("summary.objections_title", lang), 1 if story else 0))
        story.append(_para(_t("summary.objections", lang, **summary.replies.objections.model_dump())))
        if not anonymous:
            story += _objections_table(q, summary, lang, width)
    return story


def _objections_table(q: Questionnaire, summary: Summary, lang: Lang, width: float) -> list[Flowable]:
    """Every disputed finding of the round: the service, the finding, the provider's reasons, the decision."""
    assert summary.replies is not None
    rec = recommendations(q)
    words = texts("plan")
    rows: list[list[object]] = [[_t(f"summary.col_{c}", lang) for c in ("service", "finding", "reply", "decision")]]
    for s in summary.services:
        replies = summary.replies.by_service.get(s.service.service_id, {})
        for f in s.findings:
            r = replies.get(fact_of(f))
            if r is None or not r.objection:
                continue
            reply = "<b>" + esc(words(f"responses.{r.response}", lang)) + "</b>"
            if r.reasons:
                reply += ": " + esc(lang_.quote(r.reasons, lang))
            decision = words(f"decisions.{r.decision}", lang) if r.decision else _t("provider.pending", lang)
            rows.append([esc(s.service.service_name), esc(rec(f"{f.key}.title", lang)), _para(reply, "cell"),
                         esc(decision)])
    if len(rows) == 1:
        return []
    return [pdfkit.table(rows, [0.2 * width, 0.27 * width, 0.38 * width, 0.15 * width])]


def _source(source: str) -> str:
    """The previous round as a reader knows it: the folder or file name, not a machine path."""
    from pathlib import Path

    p = Path(source)
    return p.parent.name + "/" + p.name if p.name == "summary.json" and p.parent.name else p.name
