"""The provider report (Závěrečná zpráva): one service's own results, findings and recommendations.

``write_provider_report(audit, scored, bench, q, lang, out)`` writes the PDF atomically. Every word comes
from templates/reports/provider.yaml, common.yaml and recommendations.yaml (checked before drawing).

Privacy: the only figures about other services are the anonymous ``Benchmark`` aggregates, and none at
all when ``bench.suppressed``. Auditor text (comments, text answers, identification) arrives redacted by
validation, passes ``personal.redact_again`` and is escaped before it enters Paragraph markup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

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
from auditkit.questionnaire.models import (
    LANGS,
    NUMBER_KINDS,
    SCALE_KINDS,
    Area,
    Indicator,
    Question,
    Questionnaire,
)
from auditkit.reports import fmt, pdfkit
from auditkit.reports.pdfkit import esc
from auditkit.reports.texts import Texts, recommendations, texts
from auditkit.scoring import Flag, ScoredAudit, effective_answers
from auditkit.summary import Benchmark, Stats, quartile_position
from auditkit.validation.models import Answer, Audit
from auditkit.validation.personal import redact_again

__all__ = ["write_provider_report"]

PDF_LANG = {"cs": "cs-CZ", "en": "en-GB"}
NO_VERDICT_COLOR = "#9AA5B1"
FLAG_COLOR = "#C62828"
MARGIN = 2 * cm

# Keys of provider.yaml the report uses, by section; checked before anything is drawn.
_KEYS = {
    "": "title subject keywords footer",
    "cover": "service_name provider service_id audit_date auditors audit_round intro confidential",
    "summary": "title intro findings col_findings col_median col_value indices_title chart_title"
               " chart_title_own legend_own legend_median legend_range comparison suppressed process_over",
    "area": "score median counts not_scored found_title col_id col_question col_answer col_comment legend"
            " findings_title findings_note no_findings critical found evidence recommendation strengths_title"
            " strengths_intro no_strengths no_findings_lowered lost_title lost_intro col_status col_lost"
            " status.no status.partly status.not_evidenced lost_points also_found",
    "answer": "scale blank",
    "indicators": "title intro intro_own col_indicator col_value col_median col_position suppressed"
                  " no_direction position.1 position.2 position.3 position.4",
    "next_steps": "title intro col_no col_step col_area col_priority priority_critical priority_area"
                  " priority_other none",
    "annex": "title questionnaire benchmark reproducibility_title reproducibility_intro thresholds_title"
             " thresholds_intro col_item col_threshold col_source source_law source_calibration",
}
PROVIDER_KEYS = [f"{section}.{k}" if section else k for section, keys in _KEYS.items() for k in keys.split()]
COMMON_KEYS = ["author", "method.title", "method.text", "na", "page_label", "process_index", "outcome_index",
               "score", "verdict_label", "area", "reproducibility", "verdict.none", "clipped"]
COMMENT_CHARS = 12_000  # an auditor's comment in the answers table (it flows over about five pages)
EVIDENCE_CHARS = 1_500  # the evidence quoted in a finding box (the answers table holds more of it)


@dataclass
class _Ctx:
    """Everything one report needs, looked up once."""

    audit: Audit
    scored: ScoredAudit
    bench: Benchmark
    q: Questionnaire
    lang: str
    p: Texts
    c: Texts
    rec: Texts
    width: float = A4[0] - 2 * MARGIN  # the frame width of ReportDoc with MARGIN
    numbers: dict[int, int] = field(default_factory=dict)  # id(a flag of scored.findings) → number

    def t(self, key: str, **params) -> str:
        return self.p(key, self.lang, **params)

    def common(self, key: str, **params) -> str:
        return self.c(key, self.lang, **params)

    @property
    def compare(self) -> bool:
        """Whether regional aggregates may be shown (never below the minimum group, whatever the flag)."""
        return not self.bench.suppressed and self.bench.n >= self.bench.min_group

    def area_stats(self, area_id: str) -> Stats:
        return self.bench.areas.get(area_id) or Stats(n=0)

    def indicator_stats(self, indicator_id: str) -> Stats:
        return self.bench.indicators.get(indicator_id) or Stats(n=0)


# ---------------------------------------------------------------------------------------------- entry point


def write_provider_report(audit: Audit, scored: ScoredAudit, bench: Benchmark, q: Questionnaire, lang: str,
                          out: Path) -> Path:
    """Write the provider report for one service to ``out`` (atomically) and return ``out``."""
    ctx = _context(audit, scored, bench, q, lang)
    title = ctx.t("title")
    service = _clean(scored.service.service_name)
    out = Path(out)
    with atomic_write(out) as tmp:
        doc = pdfkit.ReportDoc(
            str(tmp), title=f"{title} – {service}", author=ctx.common("author"),
            subject=ctx.t("subject", service=service, service_id=_clean(scored.service.service_id)),
            keywords=ctx.t("keywords"), creator=f"auditkit {auditkit.__version__}", lang=PDF_LANG[lang],
            header_left=title, header_right=service, footer_left=ctx.t("footer", hash=_short_hash(scored)),
            page_label=ctx.common("page_label"), margin=MARGIN,
        )
        ctx.width = doc.width
        story = [*_cover(ctx), *_summary(ctx)]
        for area in q.areas:
            story += _area_chapter(ctx, area)
        story += [*_indicators(ctx), *_next_steps(ctx), *_annex(ctx)]
        with _binary_streams():
            doc.build(story)
    return out


@contextlib.contextmanager
def _binary_streams():
    """Flate-only streams while building: ReportLab's default ASCII85 layer costs ~15 % of the build time
    (pure-Python encoder) and a quarter more bytes, and no reader needs it."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _context(audit: Audit, scored: ScoredAudit, bench: Benchmark, q: Questionnaire, lang: str) -> _Ctx:
    if lang not in LANGS:
        raise ValueError(f"report language must be one of {', '.join(LANGS)}, not {lang!r}")
    if audit.sha256 != scored.sha256:
        raise ValueError("the audit and the scored audit come from different workbooks")
    if (scored.questionnaire_id, scored.questionnaire_version) != (q.id, q.version):
        used = f"{scored.questionnaire_id}@{scored.questionnaire_version}"
        raise ValueError(f"the audit was scored with {used}, not with {q.key}")
    p, c, rec = texts("provider"), texts("common"), recommendations(q)
    p.require(PROVIDER_KEYS)
    c.require(COMMON_KEYS + [f"verdict.{v.id}" for v in q.scoring.verdicts])
    rec.require(sorted({f"{f.key}.{part}" for f in scored.findings for part in ("title", "text")}))
    # answers the record sheets give (e.g. C08 from the staff sheet) are shown as scored
    audit = audit.model_copy(update={"answers": effective_answers(q, audit, scored.indicators)})
    ctx = _Ctx(audit, scored, bench, q, lang, p, c, rec)
    ctx.numbers = {id(f): n for n, f in enumerate(_prioritised(ctx), start=1)}
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
        s["cover_title"] = ParagraphStyle("cover_title", s["title"], fontSize=24, leading=30, spaceAfter=6)
        s["cover_sub"] = ParagraphStyle("cover_sub", s["body"], fontSize=11.5, leading=15,
                                        textColor=pdfkit.MUTED, spaceAfter=26)
        s["cover_service"] = ParagraphStyle("cover_service", s["title"], fontSize=17, leading=22,
                                            textColor=pdfkit.INK, spaceAfter=14)
        s["h3"] = ParagraphStyle("h3", s["body"], fontName=pdfkit.FONT_BOLD, fontSize=9.5, leading=13,
                                 textColor=pdfkit.ACCENT, spaceBefore=8, spaceAfter=3, keepWithNext=1)
        s["h2_loose"] = ParagraphStyle("h2_loose", s["h2"], keepWithNext=0)
        s["finding_title"] = ParagraphStyle("finding_title", s["cell_bold"], fontSize=9.5, leading=12.5,
                                            spaceAfter=2)
        s["finding"] = ParagraphStyle("finding", s["cell"], spaceAfter=2)
        s["bullet"] = ParagraphStyle("bullet", s["body"], leftIndent=12, bulletIndent=2, spaceAfter=2,
                                    bulletFontName=pdfkit.FONT, bulletColor=pdfkit.ACCENT)
        s["repro"] = ParagraphStyle("repro", s["body"], fontSize=8.5, leading=12, backColor=pdfkit.ZEBRA,
                                    borderPadding=6, spaceBefore=6, spaceAfter=10)
        _STYLES = s
    return _STYLES


def _para(text: str, style: str = "body") -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(esc(text), _styles()[style])


def _verdict(ctx: _Ctx, verdict_id: str | None) -> tuple[str, str]:
    """(label, colour) of an area verdict; unscored areas get a grey 'not scored'."""
    if verdict_id is None:
        return ctx.t("area.not_scored"), NO_VERDICT_COLOR
    v = ctx.q.verdict(verdict_id)
    return v.label(ctx.lang), v.color


def _verdict_text(ctx: _Ctx, verdict_id: str | None) -> str:
    return ctx.common(f"verdict.{verdict_id or 'none'}")


def _pct(ctx: _Ctx, x: float | None) -> str:
    return fmt.pct(x, 0, ctx.lang, dash=ctx.common("na"))


def _area_title(area: Area, lang: str) -> str:
    return f"{area.code} {area.title(lang)}"


def _area_of(ctx: _Ctx, flag: Flag) -> Area:
    return ctx.q.area(flag.area)


# ---------------------------------------------------------------------------------------------- cover


def _cover(ctx: _Ctx) -> list[Flowable]:
    s, svc = _styles(), ctx.scored.service
    rows = [
        (ctx.t("cover.service_name"), svc.service_name),
        (ctx.t("cover.provider"), svc.provider),
        (ctx.t("cover.service_id"), svc.service_id),
        (ctx.t("cover.audit_date"), fmt.date(svc.audit_date, ctx.lang)),
        (ctx.t("cover.auditors"), svc.auditors),
        (ctx.t("cover.audit_round"), svc.audit_round),
    ]
    data = [[Paragraph(esc(k), s["cell_bold"]), Paragraph(esc(_clean(v) or ctx.common("na")), s["cell"])]
            for k, v in rows]
    info = Table(data, colWidths=[4.5 * cm, ctx.width - 4.5 * cm], hAlign="LEFT")
    info.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdfkit.FONT, 8.5),  # else the table starts in Helvetica
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, pdfkit.RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 1.2, pdfkit.ACCENT),
    ]))
    return [
        Spacer(1, 3 * cm),
        Paragraph(esc(ctx.t("title")), s["cover_title"]),
        Paragraph(esc(ctx.q.title(ctx.lang)), s["cover_sub"]),
        Paragraph(esc(_clean(svc.service_name)), s["cover_service"]),
        info,
        Spacer(1, 1.2 * cm),
        _para(ctx.t("cover.intro")),
        _para(ctx.t("cover.confidential"), "note"),
        PageBreak(),
    ]


# ---------------------------------------------------------------------------------------------- summary


def _summary(ctx: _Ctx) -> list[Flowable]:
    sc, q = ctx.scored, ctx.q
    crit = sum(f.critical for f in sc.findings)
    story: list[Flowable] = [
        pdfkit.heading(ctx.t("summary.title"), 0, key="summary"),
        _para(ctx.t("summary.intro")),
        _area_table(ctx),
        Spacer(1, 4),
        _para(ctx.t("summary.findings", findings=len(sc.findings), critical=crit)),
        Paragraph(esc(ctx.t("summary.indices_title")), _styles()["h3"]),
        _indices_table(ctx),
        Paragraph(esc(ctx.t("summary.chart_title" if ctx.compare else "summary.chart_title_own")),
                  _styles()["h3"]),
    ]
    rows = []
    for a in q.areas:
        own = sc.areas[a.id].score
        st = ctx.area_stats(a.id) if ctx.compare else None
        rows.append((_area_title(a, ctx.lang), own, *(_med_range(st))))
    legend = (ctx.t("summary.legend_own"), ctx.t("summary.legend_median"), ctx.t("summary.legend_range"))
    story.append(pdfkit.range_chart(rows, width=ctx.width, value_fmt=lambda v: _pct(ctx, v),
                                    tick_fmt=lambda v: _pct(ctx, v), legend=legend if ctx.compare else None,
                                    row_height=19))
    story.append(_comparison_note(ctx))
    story.append(PageBreak())
    return story


def _med_range(st: Stats | None) -> tuple[float | None, float | None, float | None]:
    if st is None:
        return None, None, None
    return st.median, st.min, st.max


def _comparison_note(ctx: _Ctx) -> Paragraph:
    if ctx.compare:
        return _para(ctx.t("summary.comparison", n=ctx.bench.n, of=lang_.of(ctx.bench.n, ctx.lang)), "note")
    return _para(ctx.t("summary.suppressed", n=ctx.bench.n, min_group=ctx.bench.min_group), "note")


def _area_table(ctx: _Ctx) -> Table:
    head = [ctx.common("area"), ctx.common("score"), ctx.common("verdict_label")]
    widths = [ctx.width - 10.6 * cm, 2.0 * cm, 4.4 * cm]
    if ctx.compare:
        head.append(ctx.t("summary.col_median"))
        widths.append(2.4 * cm)
    head.append(ctx.t("summary.col_findings"))
    widths.append(1.8 * cm)
    if not ctx.compare:
        widths[0] += 2.4 * cm
    data = [head]
    for a in ctx.q.areas:
        s = ctx.scored.areas[a.id]
        label, color = _verdict(ctx, s.verdict)
        row = [_area_title(a, ctx.lang), _pct(ctx, s.score), pdfkit.verdict_cell(label, color)]
        if ctx.compare:
            row.append(_pct(ctx, ctx.area_stats(a.id).median))
        row.append(str(s.red_flags))
        data.append(row)
    align = ["LEFT", "RIGHT", "LEFT"] + (["RIGHT"] if ctx.compare else []) + ["RIGHT"]
    return pdfkit.table(data, widths, align=align)


def _indices_table(ctx: _Ctx) -> Table:
    sc, b = ctx.scored, ctx.bench
    head = ["", ctx.t("summary.col_value")] + ([ctx.t("summary.col_median")] if ctx.compare else [])
    data = [head]
    process_areas = sum(a.kind == "process" for a in ctx.q.areas)
    process = ctx.t("summary.process_over", label=ctx.common("process_index"), n=sc.process_areas,
                    total=process_areas)
    for label, own, st in ((process, sc.process_index, b.process),
                           (ctx.common("outcome_index"), sc.outcome_index, b.outcome)):
        data.append([label, _pct(ctx, own)] + ([_pct(ctx, st.median)] if ctx.compare else []))
    widths = [ctx.width - 10.6 * cm, 2.0 * cm] + ([2.4 * cm] if ctx.compare else [])  # as in the area table
    return pdfkit.table(data, widths, align=["LEFT", "RIGHT", "RIGHT"])


# ---------------------------------------------------------------------------------------------- area chapters


def _area_chapter(ctx: _Ctx, area: Area) -> list[Flowable]:
    s = ctx.scored.areas[area.id]
    st = _styles()
    flags = [f for f in ctx.scored.findings if f.area == area.id]
    story: list[Flowable] = [
        CondPageBreak(11 * cm),  # the chapter's head and a good part of its answers table start together
        pdfkit.heading(_area_title(area, ctx.lang), 0, key=f"area-{area.id}"),
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
        boxes = [_finding_box(ctx, f) for f in sorted(flags, key=lambda f: ctx.numbers[id(f)])]
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
    data = [[ctx.t("area.col_id"), ctx.t("area.col_question"), ctx.t("area.col_status"), ctx.t("area.col_lost")]]
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
    cells, widths = [], []
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
    data = [[ctx.t(f"area.col_{k}") for k in ("id", "question", "answer", "comment")]]
    spans = []
    for row, item in enumerate(area.questions, start=1):
        answer = ctx.audit.answers.get(item.id)
        text = _answer_text(ctx, item, answer)
        shown = esc(text)
        if item.id in flagged:
            shown = f'<font color="{FLAG_COLOR}"><b>{shown}</b></font>'
        star = "\u00a0★" if item.critical else ""
        comment = _clean(answer.comment) if answer is not None and answer.comment else ""
        if not comment and len(text) > 24:
            spans.append(("SPAN", (2, row), (3, row)))  # a long answer (several choices) takes the free cell
        data.append([
            item.id,
            Paragraph(esc(item.label(ctx.lang)) + star, st["cell"]),
            Paragraph(shown, st["cell"]),
            Paragraph(_long_text(ctx, comment, COMMENT_CHARS, answer.sheet, item.id), st["cell"]) if comment else "",
        ])
    w = ctx.width
    widths = [1.0 * cm, w * 0.40 - 1.0 * cm, 3.4 * cm, w * 0.60 - 3.4 * cm]
    return pdfkit.table(data, widths, style_extra=spans)


def _answer_text(ctx: _Ctx, item: Question, answer: Answer | None) -> str:
    """The answer as the reader understands it: option label, number with unit, date, N/A, not evidenced."""
    lang = ctx.lang
    if answer is None or answer.status in ("blank", "invalid"):
        return ctx.t("answer.blank")
    if answer.status == "na":
        return ctx.q.not_applicable.label(lang)
    if answer.status == "not_evidenced":
        return ctx.q.not_evidenced.label(lang)
    value = answer.value
    if item.kind in SCALE_KINDS or item.kind in ("choice", "multi_choice"):
        labels = {o.id: o.label(lang) for o in ctx.q.options_for(item)}
        if item.kind == "multi_choice":
            values = value if isinstance(value, list) else [value]
            return ", ".join(labels.get(str(v), _clean(v)) for v in values) or ctx.t("answer.blank")
        text = labels.get(str(value), _clean(value))
        return ctx.t("answer.scale", value=text) if item.kind == "scale_0_3" else text
    if item.kind in NUMBER_KINDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(ctx, item, float(value))
    if isinstance(value, dt.date):
        return fmt.date(value, lang)
    return _clean(value)


def _number(ctx: _Ctx, item: Question, value: float) -> str:
    decimals = 0 if value.is_integer() else (1 if round(value, 1) == value else 2)
    if item.kind == "percent":
        return fmt.pct(value, decimals, ctx.lang)
    return lang_.with_unit(value, item.unit(ctx.lang) if item.unit else None, ctx.lang, decimals)


def _finding_box(ctx: _Ctx, flag: Flag) -> Flowable:
    st = _styles()
    number = ctx.numbers[id(flag)]
    title = f"{number}. {esc(ctx.rec(f'{flag.key}.title', ctx.lang))}"
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
    # the answer goes with the question: a full score can be a "no" (e.g. "is aid conditional? – never")
    answers = ctx.audit.answers
    bullets = [Paragraph(f"{esc(x.label(ctx.lang))} – <b>{esc(_answer_text(ctx, x, answers.get(x.id)))}</b>",
                         st["bullet"], bulletText="✓") for x in items]
    head = KeepTogether([title, _para(ctx.t("area.strengths_intro")), *bullets[:3]])
    return [head, *bullets[3:], Spacer(1, 6)]


# ---------------------------------------------------------------------------------------------- indicators


def _ind_value(ctx: _Ctx, ind: Indicator, value: float | None) -> str:
    text = fmt.num(value, ind.decimals, ctx.lang, dash=ctx.common("na"))
    if value is None or ind.unit is None:
        return text
    return f"{text}\u00a0{ind.unit(ctx.lang)}"


def _position(ctx: _Ctx, ind: Indicator, value: float | None) -> str:
    if not ctx.compare:
        return ctx.t("indicators.suppressed")
    if ind.higher_is_better is None:
        return ctx.t("indicators.no_direction")
    pos = quartile_position(value, ctx.indicator_stats(ind.id), ind.higher_is_better)
    return ctx.common("na") if pos is None else ctx.t(f"indicators.position.{pos}")


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
    return [
        CondPageBreak(8 * cm),
        pdfkit.heading(ctx.t("indicators.title"), 0, key="indicators"),
        _para(ctx.t("indicators.intro" if ctx.compare else "indicators.intro_own")),
        pdfkit.table(data, widths, align=align),
        _comparison_note(ctx),
    ]


# ---------------------------------------------------------------------------------------------- next steps


def _priority(ctx: _Ctx, flag: Flag) -> tuple[int, int]:
    """Sort key: critical flags first, then by the area's verdict from the worst (last in the
    questionnaire's list) to the best, then flags in unscored areas."""
    if flag.critical:
        return 0, 0
    verdicts = [v.id for v in ctx.q.scoring.verdicts]  # best first, worst last
    verdict = ctx.scored.areas[flag.area].verdict
    if verdict is None:
        return 2, 0
    return 1, -verdicts.index(verdict)


def _prioritised(ctx: _Ctx) -> list[Flag]:
    order = {a.id: i for i, a in enumerate(ctx.q.areas)}
    indexed = sorted(enumerate(ctx.scored.findings),
                     key=lambda p: (*_priority(ctx, p[1]), order.get(p[1].area, 99), p[0]))
    return [f for _, f in indexed]


def _priority_text(ctx: _Ctx, flag: Flag) -> str:
    if flag.critical:
        return ctx.t("next_steps.priority_critical")
    verdict = ctx.scored.areas[flag.area].verdict
    if verdict is None:
        return ctx.t("next_steps.priority_other")
    return ctx.t("next_steps.priority_area", verdict=ctx.q.verdict(verdict).label(ctx.lang))


def _next_steps(ctx: _Ctx) -> list[Flowable]:
    story: list[Flowable] = [CondPageBreak(6 * cm),
                             pdfkit.heading(ctx.t("next_steps.title"), 0, key="next-steps")]
    flags = _prioritised(ctx)
    if not flags:
        return story + [_para(ctx.t("next_steps.none"))]
    data = [[ctx.t("next_steps.col_no"), ctx.t("next_steps.col_step"), ctx.t("next_steps.col_area"),
             ctx.t("next_steps.col_priority")]]
    for f in flags:
        data.append([f"{ctx.numbers[id(f)]}.", ctx.rec(f"{f.key}.title", ctx.lang),
                     _area_title(_area_of(ctx, f), ctx.lang), _priority_text(ctx, f)])
    w = ctx.width
    table = pdfkit.table(data, [1.0 * cm, w * 0.5 - 1.0 * cm, w * 0.27, w * 0.23],
                         align=["RIGHT", "LEFT", "LEFT", "LEFT"])
    return story + [_para(ctx.t("next_steps.intro")), table]


# ---------------------------------------------------------------------------------------------- annex


_RULES = (("below", "<"), ("at_most", "≤"), ("above", ">"), ("at_least", "≥"))


def _thresholds(ctx: _Ctx) -> list[Flowable]:
    """Every numeric red-flag threshold, labelled as a legal norm or the audit's calibration threshold."""
    st = _styles()
    rows = []
    items = [(x.label(ctx.lang), x.kind == "percent", x.unit, x.red_flag) for a in ctx.q.areas for x in a.questions
             if x.red_flag is not None and x.red_flag.numeric() and x.kind != "scale_0_3"]
    items += [(i.label(ctx.lang), bool(i.unit and i.unit.cs == "%"), None if i.unit and i.unit.cs == "%" else i.unit,
               i.red_flag) for i in ctx.q.indicators if i.red_flag is not None]
    for label, percent, unit, rule in items:
        op, limit = next((sign, getattr(rule, name)) for name, sign in _RULES if getattr(rule, name) is not None)
        number = fmt.pct(limit, 0, ctx.lang) if percent else fmt.num(limit, 0 if float(limit).is_integer() else 1,
                                                                         ctx.lang)
        shown = f"{op} {number}" + (f" ({unit(ctx.lang)})" if unit and not percent else "")
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
    return [
        CondPageBreak(9 * cm),
        pdfkit.heading(ctx.t("annex.title"), 0, key="annex"),
        Paragraph(esc(ctx.common("method.title")), _styles()["h2"]),
        _para(ctx.common("method.text")),
        _para(ctx.t("annex.questionnaire", title=q.title(ctx.lang), qid=q.id, version=q.version)),
        _para(ctx.t("annex.benchmark", min_group=ctx.bench.min_group)),
        *_thresholds(ctx),
        Paragraph(esc(ctx.t("annex.reproducibility_title")), _styles()["h2"]),
        _para(ctx.t("annex.reproducibility_intro")),
        _para(repro, "repro"),
    ]
