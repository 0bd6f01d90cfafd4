"""The provider report (Závěrečná zpráva): one service's own results, findings and recommendations.

``write_provider_report(audit, scored, bench, q, lang, out)`` writes the PDF atomically. Every word comes
from templates/reports/provider.yaml, common.yaml and recommendations.yaml (checked before drawing).

Order: page 1 the conclusion (service, dates, auditors, status, the overall verdict, the indices with n,
the priority findings, strengths, what happens next) · page 2 contents, scope and sample, results by area ·
a chapter per area · indicators · the action plan (``auditkit.plan.plan_rows``, the rows of the plan workbook
that comes with the report) and the sign-off · the method annex
with the technical references (sheet and cell of each finding, questionnaire, hash) · glossary.

Privacy: the only figures about other services are the anonymous ``Benchmark`` aggregates — median and
interquartile range with n, never minimum or maximum — and none at all below the minimum group. No chart
is drawn from regional figures, so no drawn shape encodes another provider's value. Auditor text
(comments, text answers, identification) arrives redacted by validation, passes
``personal.redact_again`` and is escaped before it enters Paragraph markup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

import auditkit
from auditkit import lang as lang_
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.plan import PlanRow, plan_rows
from auditkit.questionnaire.kinds import kind_of, render_answer, render_status
from auditkit.questionnaire.models import (
    LANGS,
    Area,
    Indicator,
    Question,
    Questionnaire,
    RedFlag,
    Text,
)
from auditkit.reports import cycle as cycle_story
from auditkit.reports import fmt, pdfkit
from auditkit.reports.pdfkit import esc
from auditkit.reports.toc import Contents, TocDoc, TocHeading, chapter_break
from auditkit.rounds import ServiceCycle
from auditkit.scoring import Flag, ScoredAudit, effective_answers, item_score
from auditkit.summary import Benchmark, Stats, quartile_position
from auditkit.texts import Texts, recommendations, texts_for
from auditkit.validation.models import Answer, Audit
from auditkit.validation.personal import redact_again

__all__ = ["write_provider_report"]

PDF_LANG = {"cs": "cs-CZ", "en": "en-GB"}
NO_VERDICT_COLOR = "#9AA5B1"
FLAG_COLOR = "#D55E00"  # the serious verdict's vermillion; never alone: a ▲ or a word goes with it
MARGIN = 2 * cm
QUARTERS_FROM = 8  # regional positions in quarters only from this many services; below it, halves
LONG_DOCUMENT = 8  # pages: a longer report gets a table of contents and a glossary

# Keys of provider.yaml the report uses, by section; checked before anything is drawn.
_KEYS = {
    "": "title subject keywords footer response_days status.draft status.final",
    "priority": "max_shown",
    "conclusion": "title service provider service_id audit_date auditors status issue_date overall.good"
                  " overall.reserves overall.serious overall.none areas area_count critical indices"
                  " indices_region indices_suppressed priorities_title priorities_intro priority_item"
                  " critical_mark no_priorities strengths_title strength_good strength_best strength_next no_strengths"
                  " next_title next_draft next_final",
    "scope": "title intro audit_date files files_value interviews interviews_value documents limitations"
             " not_recorded no_limitations confidential",
    "summary": "title intro findings col_findings col_median col_iqr col_value indices_title comparison"
               " suppressed process_over",
    "area": "score median counts not_scored found_title col_id col_question col_answer col_comment legend"
            " findings_title findings_note no_findings critical found evidence recommendation strengths_title"
            " strengths_intro no_strengths no_findings_lowered lost_title lost_intro col_status col_lost"
            " status.no status.partly status.not_evidenced lost_points also_found",
    "indicators": "title intro intro_own col_indicator col_value col_median col_position suppressed"
                  " no_direction position.1 position.2 position.3 position.4 half.better half.median"
                  " half.weaker",
    "plan": "title intro col_rank col_finding col_measure col_own col_owner col_deadline none",
    "signoff": "title text issued signature",
    "annex": "title questionnaire benchmark where_title where_intro where_row col_ref col_where"
             " reproducibility_title reproducibility_intro thresholds_title thresholds_intro col_item"
             " col_threshold col_source source_law source_calibration",
}
PROVIDER_KEYS = [f"{section}.{k}" if section else k for section, keys in _KEYS.items() for k in keys.split()]
COMMON_KEYS = ["author", "method.title", "method.text", "na", "page_label", "process_index", "outcome_index",
               "score", "verdict_label", "area", "reproducibility", "verdict.none", "toc", "glossary.title",
               "clipped"]
COMMENT_CHARS = 12_000  # an auditor's comment in the answers table (it flows over about five pages)
EVIDENCE_CHARS = 1_500  # the evidence quoted in a finding box (the answers table holds more of it)


@dataclass
class _Ctx:
    """Everything one report needs, looked up once."""

    audit: Audit
    scored: ScoredAudit
    bench: Benchmark
    q: Questionnaire
    lang: Lang
    p: Texts
    c: Texts
    rec: Texts
    width: float = A4[0] - 2 * MARGIN  # the frame width of ReportDoc with MARGIN
    frame_height: float = A4[1] - 4.4 * cm
    refs: dict[str, str] = field(default_factory=dict)  # a finding's fact → its label in the report ("A2")
    issued: dt.date = field(default_factory=dt.date.today)
    deadline: dt.date = field(default_factory=dt.date.today)
    plan: list[PlanRow] = field(default_factory=list)
    cycle: ServiceCycle = field(default_factory=ServiceCycle)  # previous audit and replies (docs/cycle.md)
    pages: dict[str, int] = field(default_factory=dict)  # chapter key → page (filled while drawing)
    chapters: list[tuple[str, str, int]] = field(default_factory=list)  # (key, title, level) for the TOC

    def t(self, key: str, **params: Any) -> str:
        return self.p(key, self.lang, **params)

    def common(self, key: str, **params: Any) -> str:
        return self.c(key, self.lang, **params)

    @property
    def compare(self) -> bool:
        """Whether regional aggregates may be shown (never below the minimum group, whatever the flag)."""
        return not self.bench.suppressed and self.bench.n >= max(self.bench.min_group, 5)

    @property
    def quarters(self) -> bool:
        return self.compare and self.bench.n >= QUARTERS_FROM

    def area_stats(self, area_id: str) -> Stats:
        return self.bench.areas.get(area_id) or Stats(n=0)

    def indicator_stats(self, indicator_id: str) -> Stats:
        return self.bench.indicators.get(indicator_id) or Stats(n=0)

    def chapter(self, text: str, key: str, level: int = 0, style: ParagraphStyle | None = None) -> TocHeading:
        """A heading listed in the table of contents."""
        self.chapters.append((key, text, level))
        return TocHeading(text, self.pages, key, level, style=style)


# ---------------------------------------------------------------------------------------------- entry point


def write_provider_report(audit: Audit, scored: ScoredAudit, bench: Benchmark, q: Questionnaire, lang: Lang,
                          out: Path, *, report_date: dt.date | None = None,
                          deadline: dt.date | None = None, cycle: ServiceCycle | None = None) -> Path:
    """Write the provider report for one service to ``out`` (atomically) and return ``out``.

    The date of issue is the cover sheet's ``issue_date``, else ``report_date``, else today; the reply is due
    by ``deadline`` (the plan workbook's), else ``response_days`` after the date of issue. ``cycle``: what
    changed since the previous audit and the provider's replies (docs/cycle.md), when the run has them.

    A report longer than ``LONG_DOCUMENT`` pages gets a table of contents and a glossary; one that turns
    out shorter is built again without them."""
    out = Path(out)
    with atomic_write(out) as tmp:
        dates = (report_date, deadline)
        pages = _build(audit, scored, bench, q, lang, tmp, dates, long=True, cycle=cycle)
        if pages <= LONG_DOCUMENT:
            _build(audit, scored, bench, q, lang, tmp, dates, long=False, cycle=cycle)
    return out


def _build(audit: Audit, scored: ScoredAudit, bench: Benchmark, q: Questionnaire, lang: Lang, path: Path,
           dates: tuple[dt.date | None, dt.date | None], long: bool, cycle: ServiceCycle | None = None) -> int:
    ctx = _context(audit, scored, bench, q, lang)
    ctx.cycle = cycle or ServiceCycle()
    ctx.issued = scored.service.issue_date or dates[0] or dt.date.today()
    ctx.deadline = dates[1] if dates[1] and not scored.service.issue_date else (
        ctx.issued + dt.timedelta(days=int(ctx.t("response_days"))))
    title = ctx.t("title")
    service = _clean(scored.service.service_name)
    doc = TocDoc(
        str(path), title=f"{title} – {service}", author=ctx.common("author"),
        subject=ctx.t("subject", service=service, service_id=_clean(scored.service.service_id)),
        keywords=ctx.t("keywords"), creator=f"auditkit {auditkit.__version__}", lang=PDF_LANG[lang],
        header_left=title, header_right=service, footer_left=ctx.t("footer"),
        page_label=ctx.common("page_label"), margin=MARGIN,
    )
    ctx.width, ctx.frame_height = doc.width, doc.height
    body: list[Flowable] = [*_scope(ctx), *_summary(ctx)]
    body += cycle_story.provider_since_previous(q, scored, ctx.cycle.change, ctx.cycle.comparable, lang, ctx.width,
                                                chapter=lambda text: ctx.chapter(text, "previous"))
    for area in q.areas:
        body += _area_chapter(ctx, area)
    body += _indicators(ctx)
    body += cycle_story.provider_replies(q, scored, ctx.cycle.replies, lang, ctx.width,
                                         chapter=lambda text: ctx.chapter(text, "replies"))
    body += [*_plan(ctx), *_signoff(ctx), *_annex(ctx)]
    if long:
        body += _glossary(ctx)
    contents = _contents(ctx) if long else []
    story = [*_conclusion(ctx), *contents, *body]
    doc.toc_pages, doc.toc_keys = ctx.pages, [k for k, _, _ in ctx.chapters]
    with _binary_streams():
        doc.build(story)
    return doc.page


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    """Flate-only streams while building: ReportLab's default ASCII85 layer costs ~15 % of the build time
    (pure-Python encoder) and a quarter more bytes, and no reader needs it."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _context(audit: Audit, scored: ScoredAudit, bench: Benchmark, q: Questionnaire, lang: Lang) -> _Ctx:
    if lang not in LANGS:
        raise ValueError(f"report language must be one of {', '.join(LANGS)}, not {lang!r}")
    if audit.sha256 != scored.sha256:
        raise ValueError("the audit and the scored audit come from different workbooks")
    if (scored.questionnaire_id, scored.questionnaire_version) != (q.id, q.version):
        used = f"{scored.questionnaire_id}@{scored.questionnaire_version}"
        raise ValueError(f"the audit was scored with {used}, not with {q.key}")
    p, c, rec = texts_for(q, "provider"), texts_for(q, "common"), recommendations(q)
    p.require(PROVIDER_KEYS)
    c.require(COMMON_KEYS + [f"verdict.{v.id}" for v in q.scoring.verdicts])
    rec.require(sorted({f"{f.key}.{part}" for f in scored.findings for part in ("title", "text")}))
    # answers the record sheets give (e.g. C08 from the staff sheet) are shown as scored
    audit = audit.model_copy(update={"answers": effective_answers(q, audit, scored.indicators)})
    ctx = _Ctx(audit, scored, bench, q, lang, p, c, rec)
    ctx.refs = finding_refs(scored, q)
    ctx.plan = plan_rows(q, scored, lang)
    return ctx


# ---------------------------------------------------------------------------------------------- helpers


def _clean(text: object) -> str:
    """Auditor-typed text as plain text without personal data."""
    return redact_again(str(text)) if text is not None else ""  # validation redacted it; see personal.py


def _long_text(ctx: _Ctx, text: str, limit: int, sheet: str | None, qid: str | None) -> str:
    """Auditor text as markup, cut at ``limit`` characters with a visible note saying where the rest is."""
    cut, clipped = pdfkit.clip(text, limit)
    if not clipped:
        return esc(cut)
    note = ctx.common("clipped", n=fmt.num(len(text), 0, ctx.lang), sheet=sheet or "–", qid=qid or "–")
    return f"{esc(cut)} <i>{esc(note)}</i>"


def _short_hash(scored: ScoredAudit) -> str:
    return scored.sha256[:12]


_STYLES: dict[str, ParagraphStyle] | None = None


def _styles() -> dict[str, ParagraphStyle]:
    """pdfkit's styles plus a few of the report's own, built once per process."""
    global _STYLES
    if _STYLES is None:
        s = pdfkit.styles()
        s["cover_title"] = ParagraphStyle("cover_title", s["title"], fontSize=17, leading=21, spaceAfter=2)
        s["cover_sub"] = ParagraphStyle("cover_sub", s["body"], fontSize=9.5, leading=12.5,
                                        textColor=pdfkit.MUTED, spaceAfter=8)
        s["cover_service"] = ParagraphStyle("cover_service", s["title"], fontSize=15, leading=19,
                                            textColor=pdfkit.INK, spaceAfter=8)
        s["lead"] = ParagraphStyle("lead", s["body"], fontSize=10.5, leading=14.5, spaceAfter=4)
        s["h3"] = ParagraphStyle("h3", s["body"], fontName=pdfkit.FONT_BOLD, fontSize=9.5, leading=13,
                                 textColor=pdfkit.ACCENT, spaceBefore=8, spaceAfter=3, keepWithNext=1)
        s["h2_loose"] = ParagraphStyle("h2_loose", s["h2"], keepWithNext=0)
        s["finding_title"] = ParagraphStyle("finding_title", s["cell_bold"], fontSize=9.5, leading=12.5,
                                            spaceAfter=2)
        s["finding"] = ParagraphStyle("finding", s["cell"], spaceAfter=2)
        s["bullet"] = ParagraphStyle("bullet", s["body"], leftIndent=12, bulletIndent=2, spaceAfter=2,
                                    bulletFontName=pdfkit.FONT, bulletColor=pdfkit.ACCENT)
        s["numbered"] = ParagraphStyle("numbered", s["body"], leftIndent=16, bulletIndent=0, spaceAfter=2.5,
                                      bulletFontName=pdfkit.FONT_BOLD, bulletColor=pdfkit.ACCENT)
        s["repro"] = ParagraphStyle("repro", s["body"], fontSize=8.5, leading=12, backColor=pdfkit.ZEBRA,
                                    borderPadding=6, spaceBefore=6, spaceAfter=10)
        _STYLES = s
    return _STYLES


def _para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped); "§ 91" keeps its number on the same line."""
    return Paragraph(esc(text.replace("§ ", "§\u00a0")), _styles()[style])


def _mark(ctx: _Ctx, verdict_id: str | None) -> str:
    return ctx.c.setting(f"verdict_mark.{verdict_id}.symbol", ctx.lang, "○") if verdict_id else "○"


def _verdict(ctx: _Ctx, verdict_id: str | None) -> tuple[str, str]:
    """(label with its mark, colour) of an area verdict; unscored areas get a grey 'not scored'."""
    if verdict_id is None:
        return f"○ {ctx.t('area.not_scored')}", NO_VERDICT_COLOR
    v = ctx.q.verdict(verdict_id)
    return f"{_mark(ctx, verdict_id)} {v.label(ctx.lang)}", v.color


def _verdict_text(ctx: _Ctx, verdict_id: str | None) -> str:
    return ctx.common(f"verdict.{verdict_id or 'none'}")


def _pct(ctx: _Ctx, x: float | None) -> str:
    return fmt.pct(x, 0, ctx.lang, dash=ctx.common("na"))


def _iqr(ctx: _Ctx, st: Stats) -> str:
    if st.q1 is None or st.q3 is None:
        return ctx.common("na")
    return f"{fmt.num(st.q1, 0, ctx.lang)}–{_pct(ctx, st.q3)}"


def _area_title(area: Area, lang: Lang) -> str:
    return f"{area.code} {area.title(lang)}"


def _kv_table(ctx: _Ctx, rows: list[tuple[str, str]], label_width: float = 4.5 * cm) -> Table:
    s = _styles()
    data = [[Paragraph(esc(k), s["cell_bold"]), Paragraph(esc(v), s["cell"])] for k, v in rows]
    info = Table(data, colWidths=[label_width, ctx.width - label_width], hAlign="LEFT")
    info.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdfkit.FONT, 8.5),  # else the table starts in Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, pdfkit.RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, pdfkit.ACCENT),
    ]))
    return info


def _status(ctx: _Ctx) -> str:
    status = ctx.scored.service.report_status
    return ctx.t(f"status.{status if status in ('draft', 'final') else 'draft'}")


def _issue_date(ctx: _Ctx) -> str:
    return fmt.date(ctx.issued, ctx.lang)


def _fact(flag: Flag) -> str:
    return str(getattr(flag, "fact", None) or flag.key)


def finding_refs(scored: ScoredAudit, q: Questionnaire) -> dict[str, str]:
    """A finding's fact → its label in the report: the area's code and the finding's number within the
    area, in the questionnaire's order ("A1", "A2", "C1")."""
    order = {a.id: i for i, a in enumerate(q.areas)}
    refs: dict[str, str] = {}
    counts: dict[str, int] = {}
    for _, f in sorted(enumerate(scored.findings), key=lambda p: (order.get(p[1].area, 99), p[0])):
        counts[f.area] = counts.get(f.area, 0) + 1
        code = q.area(f.area).code if f.area in order else f.area
        refs[_fact(f)] = f"{code}{counts[f.area]}"
    return refs


def _ref(ctx: _Ctx, row: PlanRow) -> str:
    return ctx.refs.get(row.fact, "")


def _area_label(ctx: _Ctx, area_id: str) -> str:
    return _area_title(ctx.q.area(area_id), ctx.lang) if area_id in {a.id for a in ctx.q.areas} else area_id


# ---------------------------------------------------------------------------------------------- page 1


def _conclusion(ctx: _Ctx) -> list[Flowable]:
    s, svc = _styles(), ctx.scored.service
    na = ctx.common("na")
    facts = [
        (ctx.t("conclusion.provider"), _clean(svc.provider) or na),
        (ctx.t("conclusion.service_id"), _clean(svc.service_id) or na),
        (ctx.t("conclusion.audit_date"), fmt.date(svc.audit_date, ctx.lang)),
        (ctx.t("conclusion.auditors"), _clean(svc.auditors) or na),
        (ctx.t("conclusion.status"), _status(ctx)),
        (ctx.t("conclusion.issue_date"), _issue_date(ctx)),
    ]
    story: list[Flowable] = [
        Paragraph(esc(ctx.t("title")), s["cover_title"]),
        Paragraph(esc(ctx.q.title(ctx.lang)), s["cover_sub"]),
        Paragraph(esc(_clean(svc.service_name)), s["cover_service"]),
        _kv_table(ctx, facts, 3.8 * cm),
        Spacer(1, 4),
        ctx.chapter(ctx.t("conclusion.title"), "conclusion"),
        _para(" ".join(_overall_sentences(ctx)), "lead"),
        _para(" ".join(_index_sentences(ctx))),
        Paragraph(esc(ctx.t("conclusion.priorities_title")), s["h2"]),
    ]
    story += _priorities(ctx)
    story.append(Paragraph(esc(ctx.t("conclusion.strengths_title")), s["h2"]))
    story += [Paragraph(esc(text), s["bullet"], bulletText="✓") for text in _strength_sentences(ctx)]
    example = _ref(ctx, ctx.plan[0]) if ctx.plan else "A1"
    key = "conclusion.next_final" if svc.report_status == "final" else "conclusion.next_draft"
    text = ctx.t(key, days=(ctx.deadline - ctx.issued).days, deadline=fmt.date(ctx.deadline, ctx.lang),
                 example=example)
    story += [Paragraph(esc(ctx.t("conclusion.next_title")), s["h2"]), _para(text), PageBreak()]
    return story


def _overall_verdict(ctx: _Ctx) -> str | None:
    """The band of the process index by the questionnaire's verdict thresholds (red flags are counted
    per area; here the index alone decides)."""
    index = ctx.scored.process_index
    if index is None:
        return None
    for v in ctx.q.scoring.verdicts:
        if index >= v.min_score - 1e-9:
            return v.id
    return ctx.q.scoring.verdicts[-1].id


def _overall_sentences(ctx: _Ctx) -> list[str]:
    verdict = _overall_verdict(ctx)
    key = f"conclusion.overall.{verdict}" if f"conclusion.overall.{verdict}" in ctx.p.data else "conclusion.overall.none"
    out = [ctx.t(key)]
    counts = []
    for v in ctx.q.scoring.verdicts:
        k = sum(a.verdict == v.id for a in ctx.scored.areas.values())
        if k:
            counts.append(ctx.t("conclusion.area_count", label=v.label(ctx.lang), count=k))
    if counts:
        out.append(ctx.t("conclusion.areas", counts=", ".join(counts)))
    critical = sum(f.critical for f in ctx.scored.findings)
    if critical:
        out.append(ctx.t("conclusion.critical", n=critical))
    return out


def _index_sentences(ctx: _Ctx) -> list[str]:
    sc, b = ctx.scored, ctx.bench
    out = [ctx.t("conclusion.indices", process=_pct(ctx, sc.process_index), outcome=_pct(ctx, sc.outcome_index))]
    if ctx.compare:
        out.append(ctx.t("conclusion.indices_region", n=b.n, median=_pct(ctx, b.process.median),
                         q1=fmt.num(b.process.q1, 0, ctx.lang), q3=_pct(ctx, b.process.q3),
                         omedian=_pct(ctx, b.outcome.median)))
    else:
        out.append(ctx.t("conclusion.indices_suppressed", n=b.n, min_group=max(b.min_group, 5)))
    return out


def _priorities(ctx: _Ctx) -> list[Flowable]:
    s = _styles()
    if not ctx.plan:
        return [_para(ctx.t("conclusion.no_priorities"))]
    shown = ctx.plan[: int(ctx.t("priority.max_shown"))]
    out: list[Flowable] = [_para(ctx.t("conclusion.priorities_intro"))]
    for row in shown:
        text = esc(ctx.t("conclusion.priority_item", title=row.title, area=_area_label(ctx, row.area),
                         ref=_ref(ctx, row)))
        if row.critical:
            text += f" <b>★ {esc(ctx.t('conclusion.critical_mark'))}</b>"
        out.append(Paragraph(text, s["numbered"], bulletText=f"{row.number}."))
    return out


def _important(ctx: _Ctx, area: Area) -> tuple[int, int]:
    """(requirements met in full, important requirements scored) in an area: weight ≥ 2 or critical."""
    strengths = set(ctx.scored.strengths)
    scored = [x for x in area.questions if (x.effective_weight >= 2 or x.critical)
              and item_score(ctx.q, x, ctx.audit.answers.get(x.id)) is not None]
    return sum(x.id in strengths for x in scored), len(scored)


def _strength_sentences(ctx: _Ctx) -> list[str]:
    """2–3 genuine strengths: the areas rated good practice, best first; else the best rated area that
    is not a serious deficiency."""
    verdicts = [v.id for v in ctx.q.scoring.verdicts]
    areas = [a for a in ctx.q.areas if ctx.scored.areas[a.id].score is not None]
    areas.sort(key=lambda a: -(ctx.scored.areas[a.id].score or 0))
    good = [a for a in areas if ctx.scored.areas[a.id].verdict == verdicts[0]][:3]
    out = []
    for a in good:
        k, m = _important(ctx, a)
        out.append(ctx.t("conclusion.strength_good", n=m, k=k, of=lang_.of(m, ctx.lang),
                         area=lang_.quote(_area_title(a, ctx.lang), ctx.lang),
                         score=_pct(ctx, ctx.scored.areas[a.id].score)))
    if len(out) < 2:
        rest = [a for a in areas if a not in good and ctx.scored.areas[a.id].verdict != verdicts[-1]]
        for a in rest[: 2 - len(out)]:
            k, m = _important(ctx, a)
            key = "conclusion.strength_next" if out else "conclusion.strength_best"
            out.append(ctx.t(key, n=m, k=k, of=lang_.of(m, ctx.lang),
                             area=lang_.quote(_area_title(a, ctx.lang), ctx.lang),
                             score=_pct(ctx, ctx.scored.areas[a.id].score)))
    return out or [ctx.t("conclusion.no_strengths")]


# ---------------------------------------------------------------------------------------------- page 2


def _contents(ctx: _Ctx) -> list[Flowable]:
    entries = [e for e in ctx.chapters if e[0] != "conclusion"]
    return [Paragraph(esc(ctx.common("toc")), _styles()["h1"]), Contents(entries), Spacer(1, 8)]


def _scope(ctx: _Ctx) -> list[Flowable]:
    svc = ctx.scored.service
    missing = ctx.t("scope.not_recorded")
    rows = [
        (ctx.t("scope.audit_date"), fmt.date(svc.audit_date, ctx.lang)),
        (ctx.t("scope.files"), ctx.t("scope.files_value", n=svc.files_sampled)
         if svc.files_sampled is not None else missing),
        (ctx.t("scope.interviews"), ctx.t("scope.interviews_value", n=svc.interviews)
         if svc.interviews is not None else missing),
        (ctx.t("scope.documents"), _clean(svc.documents) or missing),
        (ctx.t("scope.limitations"), _clean(svc.limitations) or ctx.t("scope.no_limitations")),
    ]
    return [
        ctx.chapter(ctx.t("scope.title"), "scope"),
        _para(ctx.t("scope.intro")),
        _kv_table(ctx, rows),
        Spacer(1, 4),
        _para(ctx.t("scope.confidential", min_group=max(ctx.bench.min_group, 5)), "note"),
    ]


def _summary(ctx: _Ctx) -> list[Flowable]:
    sc = ctx.scored
    crit = sum(f.critical for f in sc.findings)
    return [
        ctx.chapter(ctx.t("summary.title"), "summary"),
        _para(ctx.t("summary.intro")),
        _area_table(ctx),
        Spacer(1, 4),
        _para(ctx.t("summary.findings", findings=len(sc.findings), critical=crit)),
        Paragraph(esc(ctx.t("summary.indices_title")), _styles()["h3"]),
        _indices_table(ctx),
        _comparison_note(ctx),
    ]


def _comparison_note(ctx: _Ctx) -> Paragraph:
    if ctx.compare:
        return _para(ctx.t("summary.comparison", n=ctx.bench.n), "note")
    return _para(ctx.t("summary.suppressed", n=ctx.bench.n, min_group=max(ctx.bench.min_group, 5)), "note")


def _area_table(ctx: _Ctx) -> Table:
    head = [ctx.common("area"), ctx.common("score"), ctx.common("verdict_label")]
    widths = [ctx.width - 11.1 * cm, 1.5 * cm, 3.7 * cm]
    align = ["LEFT", "RIGHT", "LEFT"]
    if ctx.compare:
        head += [ctx.t("summary.col_median"), ctx.t("summary.col_iqr")]
        widths += [1.8 * cm, 2.2 * cm]
        align += ["RIGHT", "RIGHT"]
    else:
        widths[0] += 4.0 * cm
    head.append(ctx.t("summary.col_findings"))
    widths.append(1.9 * cm)
    align.append("RIGHT")
    data: list[list[object]] = [list(head)]
    for a in ctx.q.areas:
        s = ctx.scored.areas[a.id]
        label, color = _verdict(ctx, s.verdict)
        row: list[object] = [_area_title(a, ctx.lang), _pct(ctx, s.score), pdfkit.verdict_cell(label, color)]
        if ctx.compare:
            st = ctx.area_stats(a.id)
            row += [_pct(ctx, st.median), _iqr(ctx, st)]
        row.append(str(s.red_flags))
        data.append(row)
    return pdfkit.table(data, widths, align=align)


def _indices_table(ctx: _Ctx) -> Table:
    sc, b = ctx.scored, ctx.bench
    head = ["", ctx.t("summary.col_value")]
    if ctx.compare:
        head += [ctx.t("summary.col_median"), ctx.t("summary.col_iqr")]
    data = [head]
    process_areas = sum(a.kind == "process" for a in ctx.q.areas)
    process = ctx.t("summary.process_over", label=ctx.common("process_index"), n=sc.process_areas,
                    total=process_areas, of=lang_.of(process_areas, ctx.lang))
    for label, own, st in ((process, sc.process_index, b.process),
                           (ctx.common("outcome_index"), sc.outcome_index, b.outcome)):
        row = [label, _pct(ctx, own)]
        if ctx.compare:
            row += [_pct(ctx, st.median), _iqr(ctx, st)]
        data.append(row)
    widths = [ctx.width - 8.2 * cm, 2.4 * cm] + ([2.6 * cm, 3.2 * cm] if ctx.compare else [])
    if not ctx.compare:
        widths[0] += 5.8 * cm
    return pdfkit.table(data, widths, align=["LEFT", "RIGHT", "RIGHT", "RIGHT"])


# ---------------------------------------------------------------------------------------------- area chapters


def _area_chapter(ctx: _Ctx, area: Area) -> list[Flowable]:
    s = ctx.scored.areas[area.id]
    st = _styles()
    flags = [f for f in ctx.scored.findings if f.area == area.id]
    story: list[Flowable] = [
        chapter_break(ctx.frame_height, 9 * cm),  # a new page only when this one is ≥ 60 % full
        ctx.chapter(_area_title(area, ctx.lang), f"area-{area.id}"),
        _score_box(ctx, area),
        _para(_verdict_text(ctx, s.verdict)),
        _para(ctx.t("area.counts", scored=s.scored, na=s.not_applicable, ne=s.not_evidenced), "note"),
        # not keepWithNext: that would push the whole (splittable) table to the next page
        CondPageBreak(4 * cm),
        Paragraph(esc(ctx.t("area.found_title")), st["h2_loose"]),
        _answers_table(ctx, area, flags),
        _para(ctx.t("area.legend"), "note"),
    ]
    story += _findings_and_lost(ctx, area, flags)
    story += _strengths(ctx, area)
    return story


def _findings_and_lost(ctx: _Ctx, area: Area, flags: list[Flag]) -> list[Flowable]:
    """The area's findings, then — when its verdict is not good — where it lost points."""
    st = _styles()
    s = ctx.scored.areas[area.id]
    title = Paragraph(esc(ctx.t("area.findings_title")), st["h2"])
    story: list[Flowable] = []
    if flags:
        boxes = [_finding_box(ctx, f) for f in flags]
        story += [KeepTogether([title, _para(ctx.t("area.findings_note"), "note"), boxes[0]]), *boxes[1:]]
    good = ctx.q.scoring.verdicts[0].id
    # the findings above explain the rest; a good area needs no account of its few lost points
    lost = [x for x in s.lost if x.points_lost > 0] if s.verdict != good else []
    if not flags:
        empty = "area.no_findings_lowered" if lost else "area.no_findings"
        story.append(KeepTogether([title, _para(ctx.t(empty))]))
    if not lost:
        return story
    questions = ctx.q.questions()
    data: list[list[object]] = [
        [ctx.t("area.col_id"), ctx.t("area.col_question"), ctx.t("area.col_status"), ctx.t("area.col_lost")]]
    for x in sorted(lost, key=lambda x: -x.points_lost):
        item = questions[x.question_id][1]
        data.append([x.question_id, Paragraph(esc(item.label(ctx.lang)), st["cell"]),
                     ctx.t(f"area.status.{x.status}"),
                     ctx.t("area.lost_points", points=fmt.num(x.points_lost, 1, ctx.lang))])
    w = ctx.width
    table = pdfkit.table(data, [1.0 * cm, w - 6.4 * cm, 3.2 * cm, 2.2 * cm], align=["LEFT", "LEFT", "LEFT", "RIGHT"])
    head = [Paragraph(esc(ctx.t("area.lost_title")), st["h2"]), _para(ctx.t("area.lost_intro"), "note")]
    return [*story, KeepTogether([*head, table])]


def _score_box(ctx: _Ctx, area: Area) -> Table:
    s = ctx.scored.areas[area.id]
    label, color = _verdict(ctx, s.verdict)
    pairs = [(ctx.t("area.score"), _pct(ctx, s.score)), (ctx.common("verdict_label"), None)]
    if ctx.compare:
        pairs.append((ctx.t("area.median"), _pct(ctx, ctx.area_stats(area.id).median)))
    cells: list[object] = []
    widths: list[float] = []
    for name, value in pairs:
        cells.append(name)
        widths.append(_text_width(name) + 14)
        if value is None:
            cells.append(pdfkit.verdict_cell(label, color))
            widths.append(max(_text_width(label, bold=True) + 14, 4.0 * cm))
        else:
            cells.append(Paragraph(f"<b>{esc(value)}</b>", _styles()["cell"]))
            widths.append(_text_width(value, bold=True) + 18)
    box = pdfkit.table([cells], widths, header_rows=0, zebra=False,
                       style_extra=[("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                    ("BACKGROUND", (0, 0), (0, 0), pdfkit.ZEBRA),
                                    ("BACKGROUND", (2, 0), (2, 0), pdfkit.ZEBRA),
                                    ("BACKGROUND", (4, 0), (4, 0), pdfkit.ZEBRA)])
    box.spaceAfter = 6
    return box


def _text_width(text: str, bold: bool = False, size: float = 8.5) -> float:
    return pdfmetrics.stringWidth(text, pdfkit.FONT_BOLD if bold else pdfkit.FONT, size)


def _answers_table(ctx: _Ctx, area: Area, flags: list[Flag]) -> Table:
    st = _styles()
    flagged = {f.question_id for f in flags if f.question_id}
    data: list[list[object]] = [[ctx.t(f"area.col_{k}") for k in ("id", "question", "answer", "comment")]]
    spans = []
    for row, item in enumerate(area.questions, start=1):
        answer = ctx.audit.answers.get(item.id)
        text = _answer_text(ctx, item, answer)
        shown = esc(text)
        if item.id in flagged:
            shown = f'<font color="{FLAG_COLOR}"><b>▲\u00a0{shown}</b></font>'
        star = "\u00a0★" if item.critical else ""
        comment = _clean(answer.comment) if answer is not None and answer.comment else ""
        if not comment and len(text) > 24:
            spans.append(("SPAN", (2, row), (3, row)))  # a long answer (several choices) takes the free cell
        data.append([
            item.id,
            Paragraph(esc(item.label(ctx.lang).replace("§ ", "§\u00a0")) + star, st["cell"]),
            Paragraph(shown, st["cell"]),
            Paragraph(_long_text(ctx, comment, COMMENT_CHARS, answer.sheet, item.id), st["cell"])
            if comment and answer is not None else "",
        ])
    w = ctx.width
    widths = [1.0 * cm, w * 0.40 - 1.0 * cm, 3.4 * cm, w * 0.60 - 3.4 * cm]
    return pdfkit.table(data, widths, style_extra=spans)


def _answer_text(ctx: _Ctx, item: Question, answer: Answer | None) -> str:
    """The answer as the reader understands it: option label, number with unit, date, N/A, not evidenced."""
    if answer is None:
        return render_status(ctx.q, item, "blank", None, ctx.lang)
    text = render_status(ctx.q, item, answer.status, answer.value, ctx.lang)
    return _clean(text) if answer.status == "answered" and kind_of(item).free_text else text


def _finding_box(ctx: _Ctx, flag: Flag) -> Flowable:
    st = _styles()
    title = f"{ctx.refs[_fact(flag)]} {esc(ctx.rec(f'{flag.key}.title', ctx.lang))}"
    if flag.critical:
        title += f' <font color="{FLAG_COLOR}">★ {esc(ctx.t("area.critical"))}</font>'
    parts = [Paragraph(title, st["finding_title"]),
             Paragraph(f"<b>{esc(ctx.t('area.found'))}:</b> {esc(_found_text(ctx, flag))}", st["finding"])]
    for extra in flag.sources[1:]:  # one fact, one finding: the other answers and figures that show it
        also = _found_text(ctx, Flag(key=flag.key, fact=flag.fact, basis=extra.basis, area=flag.area,
                                     question_id=extra.question_id, indicator_id=extra.indicator_id))
        parts.append(Paragraph(f"<b>{esc(ctx.t('area.also_found'))}:</b> {esc(also)}", st["finding"]))
    if flag.evidence:
        evidence = _long_text(ctx, _clean(flag.evidence), EVIDENCE_CHARS, flag.sheet, flag.question_id)
        parts.append(Paragraph(f"<b>{esc(ctx.t('area.evidence'))}:</b> {evidence}", st["finding"]))
    parts.append(Paragraph(f"<b>{esc(ctx.t('area.recommendation'))}:</b> "
                           f"{esc(ctx.rec(f'{flag.key}.text', ctx.lang))}", st["finding"]))
    parts += [Paragraph(text, st["finding"]) for text in cycle_story.finding_marks(ctx.cycle, flag, ctx.lang)]
    color = FLAG_COLOR if flag.critical else _verdict(ctx, ctx.scored.areas[flag.area].verdict)[1]
    box = pdfkit.FlowTable([[parts]], colWidths=[ctx.width], hAlign="LEFT")
    box.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdfkit.FONT, 8.5),
        ("LINEBEFORE", (0, 0), (0, 0), 3, colors.HexColor(color), 0),  # butt cap: no overhang
        ("BACKGROUND", (0, 0), (-1, -1), pdfkit.ZEBRA),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
    ]))
    box.spaceAfter = 5
    return box


def _found_text(ctx: _Ctx, flag: Flag) -> str:
    """"question – answer" for a question's flag, "indicator: value" for an indicator's."""
    if flag.question_id:
        _, item = ctx.q.questions()[flag.question_id]
        answer = ctx.audit.answers.get(flag.question_id)
        return f"{item.label(ctx.lang)} – {_answer_text(ctx, item, answer)}"
    ind = next(i for i in ctx.q.indicators if i.id == flag.indicator_id)
    return f"{ind.label(ctx.lang)}: {_ind_value(ctx, ind, ctx.scored.indicators.get(ind.id))}"


def _strengths(ctx: _Ctx, area: Area) -> list[Flowable]:
    st = _styles()
    ids = {x.id for x in area.questions}
    items = [x for x in area.questions if x.id in set(ctx.scored.strengths) & ids]
    title = Paragraph(esc(ctx.t("area.strengths_title")), st["h2"])
    if not items:
        return [KeepTogether([title, _para(ctx.t("area.no_strengths"))])]
    # the requirement in words; the answer only where a full score is not a plain "yes" (e.g. "is aid
    # conditional? – never")
    answers = ctx.audit.answers
    yes = {o.label(ctx.lang) for o in ctx.q.options_for(items[0]) if o.id == "yes"} | {"ano", "yes"}
    bullets = []
    for x in items:
        shown = _answer_text(ctx, x, answers.get(x.id))
        text = esc(x.label(ctx.lang))
        if shown not in yes:
            text += f" – <b>{esc(shown)}</b>"
        bullets.append(Paragraph(text, st["bullet"], bulletText="✓"))
    head = KeepTogether([title, _para(ctx.t("area.strengths_intro")), *bullets[:3]])
    return [head, *bullets[3:], Spacer(1, 6)]


# ---------------------------------------------------------------------------------------------- indicators


def _ind_value(ctx: _Ctx, ind: Indicator, value: float | None) -> str:
    if value is None:
        return ctx.common("na")
    return lang_.with_unit(value, ind.unit(ctx.lang) if ind.unit else None, ctx.lang, ind.decimals)


def _position(ctx: _Ctx, ind: Indicator, value: float | None) -> str:
    """The regional position in words: quarters from QUARTERS_FROM services, halves below."""
    if not ctx.compare:
        return ctx.t("indicators.suppressed")
    if ind.higher_is_better is None:
        return ctx.t("indicators.no_direction")
    st = ctx.indicator_stats(ind.id)
    if value is None or st.median is None:
        return ctx.common("na")
    if ctx.quarters:
        pos = quartile_position(value, st, ind.higher_is_better)
        return ctx.common("na") if pos is None else ctx.t(f"indicators.position.{pos}")
    if abs(value - st.median) < 1e-9:
        return ctx.t("indicators.half.median")
    better = (value > st.median) == bool(ind.higher_is_better)
    return ctx.t("indicators.half.better" if better else "indicators.half.weaker")


def _indicators(ctx: _Ctx) -> list[Flowable]:
    head = [ctx.t("indicators.col_indicator"), ctx.t("indicators.col_value")]
    widths = [ctx.width - 3.0 * cm - 4.2 * cm, 3.0 * cm]
    if ctx.compare:
        head.append(ctx.t("indicators.col_median"))
        widths = [widths[0] - 2.6 * cm, 3.0 * cm, 2.6 * cm]
    head.append(ctx.t("indicators.col_position"))
    widths.append(4.2 * cm)
    data = [head]
    for ind in ctx.q.indicators:
        value = ctx.scored.indicators.get(ind.id)
        row = [ind.label(ctx.lang), _ind_value(ctx, ind, value)]
        if ctx.compare:
            row.append(_ind_value(ctx, ind, ctx.indicator_stats(ind.id).median))
        row.append(_position(ctx, ind, value))
        data.append(row)
    align = ["LEFT", "RIGHT"] + (["RIGHT"] if ctx.compare else []) + ["LEFT"]
    intro = (ctx.t("indicators.intro", quarters_from=QUARTERS_FROM) if ctx.compare
             else ctx.t("indicators.intro_own"))
    return [
        chapter_break(ctx.frame_height, 8 * cm),
        ctx.chapter(ctx.t("indicators.title"), "indicators"),
        _para(intro),
        pdfkit.table(data, widths, align=align),
        _comparison_note(ctx),
    ]


# ---------------------------------------------------------------------------------------------- action plan


def _plan(ctx: _Ctx) -> list[Flowable]:
    st = _styles()
    story: list[Flowable] = [chapter_break(ctx.frame_height, 8 * cm), ctx.chapter(ctx.t("plan.title"), "plan")]
    if not ctx.plan:
        return story + [_para(ctx.t("plan.none"))]
    head = [ctx.t(f"plan.col_{k}") for k in ("rank", "finding", "measure", "own", "owner", "deadline")]
    data: list[list[object]] = [list(head)]
    for row in ctx.plan:
        finding = f"<b>{esc(_ref(ctx, row))} {esc(row.title)}</b><br/>{esc(_area_label(ctx, row.area))}"
        if row.critical:
            finding += f" · ★ {esc(ctx.t('area.critical'))}"
        data.append([f"{row.number}.", Paragraph(finding, st["cell"]),
                     Paragraph(esc(row.recommendation.replace("§ ", "§\u00a0")), st["cell"]), "", "", ""])
    w = ctx.width
    widths = [1.5 * cm, 4.0 * cm, w - 1.5 * cm - 4.0 * cm - 2.6 * cm - 2.1 * cm - 1.5 * cm, 2.6 * cm,
              2.1 * cm, 1.5 * cm]
    table = pdfkit.table(data, widths, align=["RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT"],
                         style_extra=[("LINEBEFORE", (3, 0), (5, -1), 0.4, pdfkit.RULE)])
    return story + [_para(ctx.t("plan.intro", deadline=fmt.date(ctx.deadline, ctx.lang))), table]


def _signoff(ctx: _Ctx) -> list[Flowable]:
    svc = ctx.scored.service
    names = [n.strip() for n in _clean(svc.auditors).split(",") if n.strip()] or [ctx.common("na")]
    sign = [[Paragraph(esc(n), _styles()["cell_bold"]), "", ""] for n in names]
    table = Table([[a, ctx.t("signoff.signature"), ""] for a, _, _ in sign],
                  colWidths=[6 * cm, 2 * cm, 6 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdfkit.FONT, 8),
        ("TEXTCOLOR", (1, 0), (1, -1), pdfkit.MUTED),
        ("LINEBELOW", (2, 0), (2, -1), 0.5, pdfkit.INK),
        ("TOPPADDING", (0, 0), (-1, -1), 10), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
    ]))
    return [KeepTogether([
        Spacer(1, 8),
        ctx.chapter(ctx.t("signoff.title"), "signoff", level=1),
        _para(ctx.t("signoff.text", status=_status(ctx))),
        _para(ctx.t("signoff.issued", date=_issue_date(ctx))),
        table,
    ])]


# ---------------------------------------------------------------------------------------------- annex


_RULES = (("below", "<"), ("at_most", "≤"), ("above", ">"), ("at_least", "≥"))


def _thresholds(ctx: _Ctx) -> list[Flowable]:
    """Every numeric red-flag threshold, labelled as a legal norm or the audit's calibration threshold."""
    st = _styles()
    rows = []
    items: list[tuple[str, Question | None, Text | None, RedFlag]] = [
        (x.label(ctx.lang), x, None, x.red_flag) for a in ctx.q.areas for x in a.questions
        if x.red_flag is not None and x.red_flag.numeric() and kind_of(x).numeric]
    items += [(i.label(ctx.lang), None, i.unit, i.red_flag) for i in ctx.q.indicators if i.red_flag is not None]
    for label, question, unit, rule in items:
        op, limit = next((sign, getattr(rule, name)) for name, sign in _RULES if getattr(rule, name) is not None)
        decimals = 0 if float(limit).is_integer() else 1
        if question is not None:  # the threshold written like the answer it is compared with
            number = render_answer(ctx.q, question, limit, ctx.lang)
        elif unit is not None and unit.cs == "%":
            number = fmt.pct(limit, 0, ctx.lang)
        else:
            number = lang_.with_unit(limit, unit(ctx.lang) if unit else None, ctx.lang, decimals)
        shown = f"{op} {number}"
        kind = ctx.t(f"annex.source_{rule.source}")
        origin = f"{kind}: {rule.origin(ctx.lang)}" if rule.origin else kind
        rows.append([Paragraph(esc(label), st["cell"]), shown, Paragraph(esc(origin), st["cell"])])
    if not rows:
        return []
    head = [ctx.t("annex.col_item"), ctx.t("annex.col_threshold"), ctx.t("annex.col_source")]
    w = ctx.width
    table = pdfkit.table([head, *rows], [w * 0.48, 2.6 * cm, w * 0.52 - 2.6 * cm])
    return [Paragraph(esc(ctx.t("annex.thresholds_title")), st["h2"]), _para(ctx.t("annex.thresholds_intro")), table]


def _annex(ctx: _Ctx) -> list[Flowable]:
    q, sc = ctx.q, ctx.scored
    repro = ctx.common("reproducibility", version=auditkit.__version__, qid=sc.questionnaire_id,
                       qversion=sc.questionnaire_version, hash=_short_hash(sc))
    story: list[Flowable] = [
        chapter_break(ctx.frame_height, 9 * cm),
        ctx.chapter(ctx.t("annex.title"), "annex"),
        Paragraph(esc(ctx.common("method.title")), _styles()["h2"]),
        _para(ctx.common("method.text")),
        _para(ctx.t("annex.questionnaire", title=q.title(ctx.lang), qid=q.id, version=q.version)),
        _para(ctx.t("annex.benchmark", min_group=max(ctx.bench.min_group, 5), quarters_from=QUARTERS_FROM)),
        *_thresholds(ctx),
    ]
    where = [f for f in sc.findings if f.sheet]
    if where:
        order = {a.id: i for i, a in enumerate(q.areas)}
        where.sort(key=lambda f: (order.get(f.area, 99), ctx.refs[_fact(f)]))
        data = [[ctx.t("annex.col_ref"), ctx.t("annex.col_where")]]
        data += [[f"{ctx.refs[_fact(f)]} {ctx.rec(f'{f.key}.title', ctx.lang)}",
                  ctx.t("annex.where_row", sheet=lang_.quote(f.sheet or "", ctx.lang), cell=f.cell or "–")]
                 for f in where]
        story += [Paragraph(esc(ctx.t("annex.where_title")), _styles()["h2"]),
                  _para(ctx.t("annex.where_intro"), "note"),
                  pdfkit.table(data, [ctx.width * 0.62, ctx.width * 0.38])]
    story += [Paragraph(esc(ctx.t("annex.reproducibility_title")), _styles()["h2"]),
              _para(ctx.t("annex.reproducibility_intro")), _para(repro, "repro")]
    return story


def _glossary(ctx: _Ctx) -> list[Flowable]:
    keys = sorted({k.split(".")[2] for k in ctx.c.data if k.startswith("glossary.terms.")},
                  key=lambda k: list(ctx.c.data).index(f"glossary.terms.{k}.term"))
    data = [[Paragraph(esc(ctx.common(f"glossary.terms.{k}.term")), _styles()["cell_bold"]),
             ctx.common(f"glossary.terms.{k}.text")] for k in keys]
    return [chapter_break(ctx.frame_height, 7 * cm), ctx.chapter(ctx.common("glossary.title"), "glossary"),
            pdfkit.table(data, [4.6 * cm, ctx.width - 4.6 * cm], header_rows=0)]
