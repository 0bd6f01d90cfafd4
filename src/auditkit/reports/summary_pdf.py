"""The summary analysis PDF for the region (Souhrnná analýza výstupů z procesních auditů).

``write_summary_pdf(summary, q, lang, out)`` renders a ``Summary`` with the building blocks of ``pdfkit``.
Every word comes from templates/reports/summary.yaml, common.yaml and recommendations.yaml; numbers and
dates go through ``fmt``. This report is for the region: it names the services. Auditor text is passed
through ``personal.redact_again`` (validation redacted it already) and printed as typed.

Sections (each a level-0 bookmark): title and key facts · method · overview table · results by area and
indicators · systemic findings · staffing ↔ inclusion relationship · recommendations for the region ·
excluded files · annex with one profile per service.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
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

from auditkit import lang as lang_
from auditkit.fsutil import atomic_write
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of, render_status
from auditkit.questionnaire.models import Indicator, Questionnaire
from auditkit.reports import fmt
from auditkit.reports.pdfkit import (
    ACCENT,
    FONT,
    FONT_BOLD,
    INK,
    LazyRows,
    clip,
    esc,
    hbar_chart,
    paged_table,
    scatter_chart,
    styles,
    table,
    verdict_cell,
    verdict_colors,
)
from auditkit.reports.pdfkit import Heading as H
from auditkit.reports.toc import Contents, TocDoc, TocHeading, chapter_break
from auditkit.scoring import Flag, ScoredAudit
from auditkit.summary import Relationship, Stats, Summary, Systemic
from auditkit.texts import Texts, recommendations, texts_for
from auditkit.validation.models import FileResult
from auditkit.validation.personal import redact_again as redact

__all__ = ["write_summary_pdf"]

LANG_TAGS = {"cs": "cs-CZ", "en": "en-GB"}
STRONG, MODERATE = 0.7, 0.4  # |Spearman ρ| from which a relationship is called strong / moderate
MAX_MESSAGES = 3  # messages shown per rejected file
EVIDENCE_CHARS = 1_000  # evidence quoted in a profile; the whole text is in summary.xlsx


# Above this many services the PDF shows distributions instead of one bar / label / page per service:
# the per-service detail of a large round lives in summary.xlsx and the provider reports.
LARGE_ROUND = 40
NAMES_SHOWN = 12


def write_summary_pdf(summary: Summary, q: Questionnaire, lang: Lang = "cs",
                      out: Path | str = "summary.pdf", *, anonymous: bool = False) -> Path:
    """Write the summary analysis of one round to ``out`` (atomically) and return its path.

    ``anonymous``: the edition that can go to providers and the public (summary-anonymni.pdf): services
    under random codes, no names, no ranks, no single-service lists, no chart of single services, no
    minimum or maximum, and every aggregate over fewer than ``min_group`` services suppressed."""
    ctx = _Ctx(summary, q, lang, anonymous=anonymous)
    out = Path(out)
    title = ctx.s("anonymous.title") if anonymous else ctx.s("title")
    with atomic_write(out) as tmp:
        doc = TocDoc(
            str(tmp), title=title, author=ctx.c("author"),
            subject=ctx.s("subject", qid=summary.questionnaire_id, qversion=summary.questionnaire_version),
            keywords=ctx.s("keywords"), lang=LANG_TAGS.get(lang, lang), header_right=ctx.round_label(),
            footer_left=ctx.s("footer.anonymous" if anonymous else "footer.regional"),  # the questionnaire: method
            page_label=ctx.c("page_label"),
        )
        ctx.width, ctx.frame_height = doc.width, doc.height
        story = _story(ctx)
        doc.toc_pages, doc.toc_keys = ctx.pages, [k for k, _, _ in ctx.chapters]
        doc.build(story)
    return out


# --------------------------------------------------------------------------------------------------- context


@dataclass
class _Ctx:
    summary: Summary
    q: Questionnaire
    lang: Lang
    anonymous: bool = False
    width: float = 17 * cm
    frame_height: float = 25 * cm
    st: dict[str, ParagraphStyle] = field(default_factory=styles)
    pages: dict[str, int] = field(default_factory=dict)  # chapter key → page (filled while drawing)
    chapters: list[tuple[str, str, int]] = field(default_factory=list)  # (key, title, level) for the contents

    def __post_init__(self) -> None:
        self._summary_texts: Texts = texts_for(self.q, "summary")  # the questionnaire's own words win
        self._common: Texts = texts_for(self.q, "common")
        self.rec: Texts = recommendations(self.q)
        self.indicators: dict[str, Indicator] = {i.id: i for i in self.q.indicators}
        self.regional: Texts = texts_for(self.q, "regional")
        self.codes = _codes(self.summary.services)
        self.names = [self.label(s) for s in self.summary.services]
        self.prefix, self.short = _strip_common_prefix(self.names)
        self.questions = self.q.questions()
        self.st["bullet"] = ParagraphStyle("bullet", self.st["body"], leftIndent=12, bulletIndent=2, spaceAfter=2,
                                           bulletFontName=FONT, bulletColor=ACCENT)
        self.st["h2_flat"] = ParagraphStyle("h2_flat", self.st["h2"], spaceBefore=0, spaceAfter=0,
                                            keepWithNext=0)

    def label(self, s: ScoredAudit) -> str:
        """A service as this edition names it: its name, or its code in the anonymous edition."""
        return self.codes[s.file] if self.anonymous else _name(s)

    @property
    def min_group(self) -> int:
        return max(self.q.analysis.min_group, 5)

    def shown(self, st: Stats) -> bool:
        """Whether an aggregate may be printed: always for the region, over ≥ min_group in the anonymous one."""
        return not self.anonymous or st.n >= self.min_group

    def h(self, text: str, level: int = 0, style: ParagraphStyle | None = None,
          key: str | None = None) -> TocHeading:
        """A heading listed in the table of contents."""
        key = key or f"s{len(self.chapters)}"
        self.chapters.append((key, " ".join(str(text).split()), level))
        return TocHeading(text, self.pages, key, level, style=style)

    # words
    def s(self, key: str, **params: Any) -> str:
        return self._summary_texts(key, self.lang, **params)

    def c(self, key: str, **params: Any) -> str:
        return self._common(key, self.lang, **params)

    def has(self, key: str) -> bool:
        return key in self._summary_texts.data

    def rec_title(self, key: str) -> str:
        return self.rec(f"{key}.title", self.lang) if f"{key}.title" in self.rec.data else key

    def theme(self, item: Systemic) -> str:
        return self.rec.setting(f"{item.key}.theme", self.lang, item.area)

    # numbers
    def num(self, x: float | None, decimals: int = 1) -> str:
        return fmt.num(x, decimals, self.lang).replace("-", "\u2212")

    def pct(self, x: float | None, decimals: int = 0) -> str:
        return fmt.pct(x, decimals, self.lang).replace("-", "\u2212")

    def span(self, lo: float | None, hi: float | None, decimals: int = 0, unit: str = "") -> str:
        if lo is None or hi is None:
            return self.c("na")
        text = f"{self.num(lo, decimals)}–{self.num(hi, decimals)}"
        return f"{text}\u00a0{unit}" if unit else text

    # labels
    def area_label(self, area_id: str) -> str:
        a = next((a for a in self.q.areas if a.id == area_id), None)
        return f"{a.code} {a.title(self.lang)}" if a else area_id

    def verdict(self, verdict_id: str | None) -> tuple[str, str] | None:
        if verdict_id is None:
            return None
        v = next((v for v in self.q.scoring.verdicts if v.id == verdict_id), None)
        return (v.label(self.lang), v.color) if v else (verdict_id, "#9E9E9E")

    def ind_label(self, ind: Indicator, with_unit: bool = False) -> str:
        label = ind.label(self.lang)
        return f"{label} ({ind.unit(self.lang)})" if with_unit and ind.unit else label

    def round_label(self) -> str:
        rounds = sorted({s.service.audit_round for s in self.summary.services if s.service.audit_round})
        return self.s("header_round", round=", ".join(rounds)) if rounds else ""

    def questionnaire_label(self) -> str:
        return self.s("facts.questionnaire_value", qid=self.summary.questionnaire_id,
                      qversion=self.summary.questionnaire_version)

    # paragraphs
    def p(self, text: str, style: str = "body") -> Paragraph:
        """A paragraph of plain text (escaped)."""
        return Paragraph(esc(text), self.st[style])

    def markup(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.st[style])

    def lead_in(self, text: str, level: int = 1, room: float = 4 * cm) -> list[Flowable]:
        """A heading that may stand above a long table which splits across pages: it does not pull the
        whole table onto the next page, but it is never left alone at the foot of a page either."""
        name = f"loose{level}"
        if name not in self.st:
            base = self.st["h1" if level == 0 else "h2"]
            self.st[name] = ParagraphStyle(name, base, keepWithNext=0)
        return [CondPageBreak(room), self.h(text, level, style=self.st[name])]

    def loose(self, text: str, room: float = 4 * cm) -> list[Flowable]:
        """The same for a plain (not bookmarked) sub-heading."""
        if "loose_p" not in self.st:
            self.st["loose_p"] = ParagraphStyle("loose_p", self.st["h2"], keepWithNext=0)
        return [CondPageBreak(room), Paragraph(esc(text), self.st["loose_p"])]

    def cell(self, text: str, width: float, align: str = "LEFT", bold: bool = False) -> Flowable | str:
        """A table cell of plain text: one drawn line when it fits the column (no markup parsing, no
        wrapping: most cells are numbers), else a wrapping paragraph."""
        if stringWidth(text, FONT_BOLD if bold else FONT, CELL_SIZE) <= width - 8.5:
            return _Line(text, align, bold)
        return self.bold_cell(text, _ALIGN[align]) if bold else text

    def row(self, values: Sequence[object], widths: list[float], align: list[str],
            bold: bool = False) -> list[object]:
        """Body cells of a table row: strings through ``cell``, anything else as it is."""
        return [self.cell(v, w, a, bold) if isinstance(v, str) else v
                for v, w, a in zip(values, widths, align)]

    def bold_cell(self, text: str, align: Literal[0, 1, 2] = TA_LEFT) -> Paragraph:
        key = f"cell_bold_{align}"
        if key not in self.st:
            self.st[key] = ParagraphStyle(key, self.st["cell_bold"], alignment=align)
        return Paragraph(esc(text), self.st[key])


CELL_SIZE, CELL_LEADING = 8.5, 11  # pdfkit's table cell style
_ALIGN: dict[str, Literal[0, 1, 2]] = {"LEFT": TA_LEFT, "RIGHT": TA_RIGHT, "CENTER": TA_CENTER}


class _Line(Flowable):
    """One line of plain text in a table cell, drawn like a one-line cell paragraph."""

    def __init__(self, text: str, align: str = "LEFT", bold: bool = False, color: Any = INK,
                 background: Any = None) -> None:
        super().__init__()
        self.text, self.align, self.font = text, align, FONT_BOLD if bold else FONT
        self.color, self.background = color, background  # pdfkit.table paints the cell's background

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width, self.height = aW, CELL_LEADING
        return aW, CELL_LEADING

    def draw(self) -> None:
        c = self.canv
        c.setFont(self.font, CELL_SIZE)
        c.setFillColor(self.color)
        y = CELL_LEADING - CELL_SIZE  # where a Paragraph puts its first baseline
        if self.align == "RIGHT":
            c.drawRightString(self.width, y, self.text)
        elif self.align == "CENTER":
            c.drawCentredString(self.width / 2, y, self.text)
        else:
            c.drawString(0, y, self.text)


def _codes(services: list[ScoredAudit]) -> dict[str, str]:
    """file → "S1" …: codes in an order that says nothing about results or names (a hash of the service)."""
    order = sorted(services, key=lambda s: hashlib.sha256(f"{s.service.service_id}|{s.file}".encode()).hexdigest())
    width = len(str(len(order)))
    return {s.file: f"S{k:0{width}d}" for k, s in enumerate(order, start=1)}


class _RunningHeader(Flowable):
    """Sets the running header (right side) from the next page on: the annex names the service on every
    page of its profile."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas: Any = self.canv  # ReportLab's canvas knows its document only by a private attribute
        canvas._doctemplate.header_right = self.text


def _name(s: ScoredAudit) -> str:
    return s.service.service_name or Path(s.file).name


def _strip_common_prefix(names: list[str]) -> tuple[str, list[str]]:
    """Chart labels: the names without the words they all begin with ("Azylový dům …")."""
    if len(names) < 2:
        return "", list(names)
    words = [n.split() for n in names]
    k = 0
    while all(len(w) > k + 1 for w in words) and len({w[k] for w in words}) == 1:
        k += 1
    if k == 0:
        return "", list(names)
    return " ".join(words[0][:k]), [" ".join(w[k:]) for w in words]


def _rank(services: list[ScoredAudit], s: ScoredAudit) -> int | None:
    """1 + the services with a higher process index (ties share a rank); None without an index."""
    return _ranks(services)[services.index(s)]


def _ranks(services: list[ScoredAudit]) -> list[int | None]:
    """``_rank`` of every service at once (sorting, not counting per service: a round may be large)."""
    higher_first = sorted(-s.process_index for s in services if s.process_index is not None)
    return [None if s.process_index is None else 1 + bisect_left(higher_first, -s.process_index)
            for s in services]


# ----------------------------------------------------------------------------------------------------- story


def _story(ctx: _Ctx) -> list[Flowable]:
    body: list[Flowable] = []
    parts = [_method, _overview, _areas, _systemic]
    if not ctx.anonymous:  # the changes name services
        parts.append(_changes)
    parts += [_relationship, _recommendations]
    if not ctx.anonymous:
        parts += [_excluded, _annex]
    for part in parts:
        body += part(ctx)
    body += _glossary(ctx)
    head = _conclusion(ctx)
    contents = [Paragraph(esc(ctx.c("toc")), ctx.st["h1"]), Contents(ctx.chapters), PageBreak()]
    return [*head, PageBreak(), *contents, *body]


def _changes(ctx: _Ctx) -> list[Flowable]:
    """Changes since the previous round and the providers' replies (docs/cycle.md), when the run has them."""
    from auditkit.reports.cycle import summary_changes

    return summary_changes(ctx.q, ctx.summary, ctx.lang, ctx.width)


def _glossary(ctx: _Ctx) -> list[Flowable]:
    keys = [k.split(".")[2] for k in ctx._common.data if k.startswith("glossary.terms.") and k.endswith(".term")]
    rows = [[ctx.bold_cell(ctx.c(f"glossary.terms.{k}.term")), ctx.c(f"glossary.terms.{k}.text")] for k in keys]
    return [chapter_break(ctx.frame_height, 7 * cm), ctx.h(ctx.c("glossary.title"), 0),
            table(rows, [4.6 * cm, ctx.width - 4.6 * cm], header_rows=0)]


def _conclusion(ctx: _Ctx) -> list[Flowable]:
    """Page 1: what the round shows in five sentences, the top systemic findings in words with their
    counts, the outcome relationship in one honest sentence, and what it means for the region."""
    sm = ctx.summary
    n = len(sm.services)
    title = ctx.s("anonymous.title") if ctx.anonymous else ctx.s("title")
    out: list[Flowable] = [Paragraph(esc(title), ctx.st["title"]), ctx.p(ctx.q.title(ctx.lang), "h2")]
    if ctx.anonymous:
        out.append(ctx.p(ctx.s("conclusion.anonymous_note", min_group=ctx.min_group), "note"))
    out.append(H(ctx.s("conclusion.title"), 0, key="conclusion"))  # page 1: not listed in the contents
    if not sm.services:
        return out + [ctx.p(ctx.s("key_results.none"))]
    dates = sorted(s.service.audit_date for s in sm.services if s.service.audit_date)
    span = ctx.c("na")
    if dates:
        first, last = fmt.date(dates[0], ctx.lang), fmt.date(dates[-1], ctx.lang)
        span = first if first == last else f"{first} – {last}"
    rounds = sorted({s.service.audit_round for s in sm.services if s.service.audit_round})
    counts = {v.id: sum(c.get(v.id, 0) for c in sm.verdict_counts.values()) for v in ctx.q.scoring.verdicts}
    sentences = [ctx.s("conclusion.round", n=n, round=", ".join(rounds) or ctx.c("na"), dates=span)]
    if ctx.shown(Stats(n=n)):
        sentences.append(ctx.s("conclusion.verdicts", total=sum(counts.values()), good=counts.get("good", 0),
                               reserves=counts.get("reserves", 0), serious=counts.get("serious", 0)))
    for key, st in (("process", sm.process_stats), ("outcome", sm.outcome_stats)):
        if ctx.shown(st) and st.median is not None:
            sentences.append(ctx.s(f"conclusion.{key}", median=ctx.pct(st.median, 0), q1=ctx.num(st.q1, 0),
                                   q3=ctx.pct(st.q3, 0), n=st.n))
    if ctx.anonymous and not ctx.shown(Stats(n=n)):
        sentences.append(ctx.s("conclusion.suppressed", min_group=ctx.min_group))
    shared = [x for x in sm.systemic if x.count >= 2]
    out.append(ctx.p(" ".join(sentences), "body"))
    if shared:
        out.append(ctx.p(ctx.s("conclusion.systemic", n=len(shared))))
        for x in shared[:5]:
            item = ctx.s("conclusion.systemic_item", n=x.n, count=x.count, of=lang_.of(x.n, ctx.lang),
                         title=ctx.rec_title(x.key))
            out.append(Paragraph(esc(item), ctx.st["bullet"], bulletText="•"))
    else:
        out.append(ctx.p(ctx.s("conclusion.no_systemic")))
    rel = sm.relationship
    if rel is not None:
        xi, yi = ctx.indicators.get(rel.x), ctx.indicators.get(rel.y)
        texts_ = (_relationship_texts(ctx, rel, xi, yi) if ctx.shown(Stats(n=rel.n))
                  else [ctx.s("conclusion.suppressed", min_group=ctx.min_group)])
        out += [ctx.p(ctx.s("conclusion.relationship_title"), "h2"), ctx.p(" ".join(texts_))]
    out += [ctx.p(ctx.s("conclusion.region_title"), "h2"), ctx.p(ctx.s("conclusion.region"))]
    if not ctx.anonymous:
        out.append(ctx.p(ctx.s("conclusion.files", included=n, rejected=len(sm.rejected),
                               skipped=len(sm.skipped)), "note"))
    return out


def _method(ctx: _Ctx) -> list[Flowable]:
    facts = ctx.p(f"{ctx.s('facts.questionnaire')}: {ctx.questionnaire_label()}", "small")
    return [ctx.h(ctx.c("method.title"), 0), ctx.p(ctx.s("method_scope")), ctx.p(ctx.c("method.text"), "small"),
            facts]


# -------------------------------------------------------------------------------------------------- overview


def _score_cell(ctx: _Ctx, score: float | None, verdict: str | None, decimals: int = 0) -> _Line | str:
    """A score on its verdict's colour: one drawn line (a large round has thousands of them)."""
    v = ctx.verdict(verdict)
    text = ctx.num(score, decimals)
    if not v:
        return text
    fg, bg = verdict_colors(v[1])
    mark = ctx._common.setting(f"verdict_mark.{verdict}.symbol", ctx.lang)
    return _Line(f"{mark}\u00a0{text}" if mark else text, "CENTER", bold=True, color=fg, background=bg)


def _overview(ctx: _Ctx) -> list[Flowable]:
    out: list[Flowable] = [chapter_break(ctx.frame_height, 6 * cm), ctx.h(ctx.s("sections.overview"), 0)]
    sm, areas = ctx.summary, ctx.q.areas
    if not sm.services:
        return out + [ctx.p(ctx.s("overview.none"))]
    w = ctx.width
    # the rank column holds the widest rank ("1234." in a round of thousands) on one line
    rank_w = max(1.1 * cm, stringWidth(f"{len(sm.services)}.", FONT, CELL_SIZE) + 9)
    area_w, idx_w = 1.05 * cm, 1.65 * cm
    name_w = w - rank_w - 2 * idx_w - area_w * len(areas)
    widths = [rank_w, name_w, *[area_w] * len(areas), idx_w, idx_w]
    align = ["RIGHT", "LEFT", *["CENTER"] * len(areas), "RIGHT", "RIGHT"]
    first = ctx.s("anonymous.code") if ctx.anonymous else ctx.s("overview.rank")
    header = [first, "" if ctx.anonymous else ctx.c("service"), *(a.code for a in areas),
              ctx.s("overview.process"), ctx.s("overview.outcome")]
    if ctx.anonymous:  # code order, no ranks, no names
        services = sorted(sm.services, key=lambda s: ctx.codes[s.file])
        lead = [(ctx.codes[s.file], "") for s in services]
    else:
        services = sm.services
        lead = [(f"{rank}." if rank else ctx.c("na"), _name(s)) for s, rank in zip(services, _ranks(services))]

    def median(st: Stats | None) -> str:
        return ctx.num(st.median, 0) if st is not None and ctx.shown(st) else ctx.c("na")
    medians = [median(sm.area_stats.get(a.id)) for a in areas]
    total = ["", ctx.s("overview.median_row"), *medians, median(sm.process_stats), median(sm.outcome_stats)]

    def row(i: int) -> list[object]:
        """Row i: a service, or the medians after the last one (made when its page is laid out)."""
        if i == len(services):
            return ctx.row(total, widths, align, bold=True)
        s, (first_cell, name) = services[i], lead[i]
        return ctx.row([first_cell, name, *(_score_cell(ctx, *_area(s, a.id)) for a in areas),
                        ctx.num(s.process_index, 0), ctx.num(s.outcome_index, 0)], widths, align)

    extra = [("LINEABOVE", (0, -1), (-1, -1), 0.9, ACCENT)]
    # one row per service: any length, each row made only while its page is laid out
    grid = paged_table([header], LazyRows(len(services) + 1, row), widths, align=align, style_last=extra)
    intro = ctx.s("overview.intro_anonymous" if ctx.anonymous else "overview.intro")
    notes = [ctx.p(ctx.s("anonymous.codes_note"), "note")] if ctx.anonymous else []
    return out + [ctx.p(intro), grid, Spacer(1, 6), *notes, *_legends(ctx)]


def _area(s: ScoredAudit, area_id: str) -> tuple[float | None, str | None]:
    a = s.areas.get(area_id)
    return (a.score, a.verdict) if a else (None, None)


def _legends(ctx: _Ctx) -> list[Flowable]:
    items = " · ".join(f"<b>{esc(a.code)}</b>\u00a0{esc(a.title(ctx.lang))}" for a in ctx.q.areas)
    areas = ctx.markup(f"<b>{esc(ctx.s('overview.legend_areas'))}:</b> {items}", "small")
    return [areas, _verdict_legend(ctx)]


def _verdict_legend(ctx: _Ctx, lead: Paragraph | None = None) -> Table:
    """One line: "Verdicts", a coloured swatch per verdict, the mark for "not scored". A ``lead`` (a
    sub-heading) replaces the word "Verdicts" and pushes the swatches to the right margin."""
    verdicts = ctx.q.scoring.verdicts
    marks = {v.id: ctx._common.setting(f"verdict_mark.{v.id}.symbol", ctx.lang) for v in verdicts}
    swatches = [verdict_cell(f"{marks[v.id]} {v.label(ctx.lang)}".strip(), v.color) for v in verdicts]
    last = ctx.p(ctx.s("overview.not_scored"), "cell")
    widths = [stringWidth(f"{marks[v.id]} {v.label(ctx.lang)}", FONT_BOLD, 8.5) + 14 for v in verdicts]
    widths.append(stringWidth(ctx.s("overview.not_scored"), FONT, 8.5) + 14)
    lead_width = ctx.width - sum(widths) if lead else 2.2 * cm
    lead = lead or ctx.p(ctx.s("overview.legend_verdicts"), "cell_bold")
    paint = [("BACKGROUND", (k + 1, 0), (k + 1, 0), c.background) for k, c in enumerate(swatches)]
    return _layout([[lead, *swatches, last]], [lead_width, *widths], paint + [
        ("LEFTPADDING", (1, 0), (-1, -1), 5), ("TOPPADDING", (1, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (1, 0), (-1, -1), 3)])


def _layout(rows: list[list[object]], widths: list[float],
            extra: list[tuple[Any, ...]] | None = None) -> Table:
    """A borderless table used only to place things side by side."""
    t = Table(rows, colWidths=widths, hAlign="LEFT")
    t.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 8.5),  # else each cell starts in Helvetica
                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 0), *(extra or [])]))
    return t


# ----------------------------------------------------------------------------------------- areas, indicators


def _areas(ctx: _Ctx) -> list[Flowable]:
    out: list[Flowable] = [chapter_break(ctx.frame_height, 8 * cm), ctx.h(ctx.s("sections.areas"), 0)]
    sm = ctx.summary
    if not sm.services:
        return out + [ctx.p(ctx.s("areas.none"))]
    out += [ctx.p(ctx.s("area_table.intro")), _area_stats_table(ctx)]
    return out + _indicator_table(ctx)


def _area_stats_table(ctx: _Ctx) -> Table:
    """Per area: n, median, IQR (and the range for the region's own edition), verdict counts with marks.
    The per-service bars of earlier versions repeated the overview table and are gone."""
    sm, w = ctx.summary, ctx.width
    verdicts = ctx.q.scoring.verdicts
    marks = [ctx._common.setting(f"verdict_mark.{v.id}.symbol", ctx.lang) for v in verdicts]
    head = [ctx.c("area"), ctx.s("area_table.n"), ctx.c("median"), ctx.s("indicators.quartiles")]
    if not ctx.anonymous:
        head.append(ctx.c("range"))
    head += [f"{m} {v.label(ctx.lang)}" for m, v in zip(marks, verdicts)]
    fixed = [0.8 * cm, 1.7 * cm, 2.0 * cm] + ([1.9 * cm] if not ctx.anonymous else []) + [1.9 * cm] * len(verdicts)
    widths = [w - sum(fixed), *fixed]
    align = ["LEFT"] + ["RIGHT"] * (len(widths) - 1)
    rows: list[list[object]] = [list(head)]
    spans = []
    for a in ctx.q.areas:
        st = sm.area_stats.get(a.id, Stats(n=0))
        counts = sm.verdict_counts.get(a.id, {})
        if ctx.shown(st):
            cells = [ctx.pct(st.median, 0), ctx.span(st.q1, st.q3, 0, "%")]
            if not ctx.anonymous:
                cells.append(ctx.span(st.min, st.max, 0, "%"))
            cells += [str(counts.get(v.id, 0)) for v in verdicts]
        else:
            cells = [ctx.s("anonymous.suppressed")] + [""] * (len(widths) - 3)
            spans.append(("SPAN", (2, len(rows)), (-1, len(rows))))
        rows.append(ctx.row([f"{a.code} {a.title(ctx.lang)}", str(st.n), *cells], widths, align))
    return table(rows, widths, align=align, style_extra=spans)


def _histogram(ctx: _Ctx, scores: list[tuple[float | None, str | None]], width: float) -> Drawing:
    """Services per 10-point score band: a chart of fixed size for large rounds."""
    bands = [f"{lo}–{lo + 9 if lo < 90 else 100} %" for lo in range(0, 100, 10)]
    counts = [0] * 10
    for sc, _ in scores:
        if sc is not None:
            counts[min(int(sc // 10), 9)] += 1
    return hbar_chart(bands, counts, max_value=max(counts) or 1, width=width, height=10 * 15 + 24,
                      value_fmt=lambda v: ctx.num(v, 0), tick_fmt=lambda v: ctx.num(v, 0), font_size=7.5)


def _area_block(ctx: _Ctx, area_id: str) -> Flowable:
    sm = ctx.summary
    scores = [_area(s, area_id) for s in sm.services]
    colors = [(ctx.verdict(v) or (None, None))[1] for _, v in scores]
    side = 5.4 * cm
    n = len(scores)
    if n > LARGE_ROUND:
        chart = _histogram(ctx, scores, ctx.width - side - 0.3 * cm)
    else:
        chart = hbar_chart(ctx.short, [sc for sc, _ in scores], colors=colors, width=ctx.width - side - 0.3 * cm,
                           height=n * 15 + 24, value_fmt=lambda v: ctx.pct(v, 0), font_size=7.5)
    stats = sm.area_stats.get(area_id, Stats(n=0))
    lines = [
        f"{esc(ctx.s('areas.services'))}: <b>{stats.n}</b>",
        f"{esc(ctx.c('median'))}: <b>{esc(ctx.pct(stats.median, 0))}</b>",
        f"{esc(ctx.c('quartiles'))}: {esc(ctx.span(stats.q1, stats.q3, 0, '%'))}",
        f"{esc(ctx.c('range'))}: {esc(ctx.span(stats.min, stats.max, 0, '%'))}",
    ]
    counts = sm.verdict_counts.get(area_id, {})
    for v in ctx.q.scoring.verdicts:
        lines.append(f'<font color="{v.color}">■</font> {esc(v.label(ctx.lang))}: {counts.get(v.id, 0)}')
    side_par = ctx.markup("<br/>".join(lines), "small")
    return _layout([[chart, side_par]], [ctx.width - side, side], [("LEFTPADDING", (1, 0), (1, 0), 8)])


def _arrow(ind: Indicator) -> str:
    return {True: " ↑", False: " ↓", None: ""}[ind.higher_is_better]


def _indicator_table(ctx: _Ctx) -> list[Flowable]:
    if not ctx.q.indicators:
        return []
    w = ctx.width
    widths = [w - 9.4 * cm, 1.9 * cm, 0.8 * cm, 1.7 * cm, 2.5 * cm, 2.5 * cm]
    align = ["LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"]
    rows: list[list[object]] = [[ctx.s("indicators.label"), ctx.s("indicators.unit"), ctx.s("indicators.n"),
                                 ctx.c("median"), ctx.s("indicators.quartiles"), ctx.c("range")]]
    if ctx.anonymous:  # no minimum or maximum: they are single services' values
        widths, align, rows = widths[:-1], align[:-1], [rows[0][:-1]]
        widths[0] += 2.5 * cm
    for ind in ctx.q.indicators:
        st = ctx.summary.indicator_stats.get(ind.id, Stats(n=0))
        d = ind.decimals
        unit = ind.unit(ctx.lang) if ind.unit else ""
        if not ctx.shown(st):
            values = [ind.label(ctx.lang) + _arrow(ind), unit, str(st.n), ctx.s("anonymous.suppressed"), ""]
        else:
            values = [ind.label(ctx.lang) + _arrow(ind), unit, str(st.n), ctx.num(st.median, d),
                      ctx.span(st.q1, st.q3, d)]
            if not ctx.anonymous:
                values.append(ctx.span(st.min, st.max, d))
        rows.append(ctx.row(values, widths, align))
    grid = table(rows, widths, align=align)
    return [KeepTogether([ctx.h(ctx.s("sections.indicators"), 1), ctx.p(ctx.s("indicators.intro"))]), grid]


# ----------------------------------------------------------------------------------------- systemic findings


def _systemic(ctx: _Ctx) -> list[Flowable]:
    out: list[Flowable] = [chapter_break(ctx.frame_height, 6 * cm), ctx.h(ctx.s("sections.systemic"), 0)]
    items = ctx.summary.systemic
    if not items:
        return out + [ctx.p(ctx.s("systemic.none"))]
    out.append(ctx.p(ctx.s("systemic.intro")))
    shared = [x for x in items if x.count >= 2]
    single = [] if ctx.anonymous else [x for x in items if x.count < 2]  # no single-service lists
    for key, group in (("systemic.shared", shared), ("systemic.single", single)):
        if group:
            out += [*ctx.lead_in(ctx.s(key)), _systemic_table(ctx, group)]
    return out


def _systemic_table(ctx: _Ctx, items: list[Systemic]) -> Table:
    w = ctx.width
    if ctx.anonymous:  # counts only: which services is the region's knowledge
        rows: list[list[object]] = [[ctx.s("systemic.finding"), ctx.c("area")]]
        for x in items:
            count = ctx.s("systemic.count", count=x.count, n=ctx.num(x.n, 0), of=lang_.of(x.n, ctx.lang))
            rows.append([ctx.markup(f"<b>{esc(count)}:</b> {esc(ctx.rec_title(x.key))}", "cell"),
                         ctx.area_label(x.area)])
        return table(rows, [w - 5.0 * cm, 5.0 * cm])
    widths = [7.2 * cm, 3.9 * cm, w - 11.1 * cm]
    rows = [[ctx.s("systemic.finding"), ctx.c("area"), ctx.s("systemic.services")]]  # then Paragraphs too
    for x in items:
        count = ctx.s("systemic.count", count=x.count, n=ctx.num(x.n, 0), of=lang_.of(x.n, ctx.lang))
        names = ", ".join(x.services[:NAMES_SHOWN])
        if len(x.services) > NAMES_SHOWN:
            names += " " + ctx.s("systemic.more", n=len(x.services) - NAMES_SHOWN)
        rows.append([ctx.markup(f"<b>{esc(count)}:</b> {esc(ctx.rec_title(x.key))}", "cell"),
                     ctx.area_label(x.area), names])
    return table(rows, widths)


# ---------------------------------------------------------------------------------------------- relationship


def _relationship(ctx: _Ctx) -> list[Flowable]:
    out: list[Flowable] = [chapter_break(ctx.frame_height, 9 * cm), ctx.h(ctx.s("sections.relationship"), 0)]
    rel = ctx.summary.relationship
    if rel is None:
        return out + [ctx.p(ctx.s("relationship.not_defined"))]
    out.append(ctx.p(ctx.s("relationship.intro")))
    if ctx.anonymous:  # every point is one service's exact pair of values
        xi, yi = ctx.indicators.get(rel.x), ctx.indicators.get(rel.y)
        texts_ = _relationship_texts(ctx, rel, xi, yi) if ctx.shown(Stats(n=rel.n)) else [
            ctx.s("conclusion.suppressed", min_group=ctx.min_group)]
        return out + [ctx.p(t) for t in texts_] + [ctx.p(ctx.s("anonymous.relationship_note"), "note")]
    xi, yi = ctx.indicators.get(rel.x), ctx.indicators.get(rel.y)
    x_label = ctx.ind_label(xi, True) if xi else rel.x
    y_label = ctx.ind_label(yi, True) if yi else rel.y
    if rel.points:
        out += [_scatter(ctx, rel.points, x_label, y_label, yi), Spacer(1, 6)]
    return [KeepTogether(out + [ctx.p(text) for text in _relationship_texts(ctx, rel, xi, yi)])]


def _scatter(ctx: _Ctx, points: list[tuple[str, float, float]], x_label: str, y_label: str,
             yi: Indicator | None) -> Drawing:
    short = dict(zip(ctx.names, ctx.short))
    tick: Callable[[float], str] = lambda v: ctx.num(v, 0 if float(v).is_integer() else 1)
    percent = yi is not None and yi.unit is not None and yi.unit("en") == "%"
    y_tick: Callable[[float], str] = (lambda v: ctx.pct(v, 0)) if percent else tick
    ys = [p[2] for p in points]
    y_range = (0.0, 100.0) if percent and min(ys) >= 0 and max(ys) <= 100 else None
    height = max(7.5 * cm, stringWidth(y_label, FONT, 8) + 56)  # the rotated y label must fit the plot
    return scatter_chart([(p[1], p[2]) for p in points], x_label, y_label,
                         labels=[short.get(p[0], p[0]) for p in points] if len(points) <= LARGE_ROUND else None,
                         width=ctx.width, height=height,
                         y_range=y_range, x_fmt=tick, y_fmt=y_tick)


def _relationship_texts(ctx: _Ctx, rel: Relationship, xi: Indicator | None, yi: Indicator | None) -> list[str]:
    if rel.n < 3:
        return [ctx.s("relationship.not_assessable", n=rel.n)]
    if rel.spearman is None:
        return [ctx.s("relationship.no_variation", n=rel.n)]
    rho = rel.spearman
    size = abs(rho)
    sign = "negative" if rho < 0 else "positive"
    strength = f"strong_{sign}" if size >= STRONG else f"moderate_{sign}" if size >= MODERATE else "weak"
    x = ctx.ind_label(xi) if xi else rel.x
    y = ctx.ind_label(yi) if yi else rel.y
    if strength == "weak":
        direction = ctx.s("relationship.direction.none", x=x, y=y)
    elif ctx.has(f"relationship.pairs.{rel.x}.{rel.y}.{sign}"):
        direction = ctx.s(f"relationship.pairs.{rel.x}.{rel.y}.{sign}")
    else:
        direction = ctx.s(f"relationship.direction.{sign}", x=x, y=y)
    return [ctx.s("relationship.rho", rho=ctx.num(rho, 2), n=rel.n),
            f"{ctx.s(f'relationship.strength.{strength}')} {direction}",
            ctx.s("relationship.caveat", n=rel.n)]


# ------------------------------------------------------------------------------------------- recommendations


THEMES_SHOWN = 3  # systemic findings named as a theme's evidence


def _recommendations(ctx: _Ctx) -> list[Flowable]:
    """"Doporučení pro kraj": the eight regional themes of the 2023 workshop (templates/reports/regional.yaml),
    each addressed to the region, with the systemic findings of this round in its areas as evidence."""
    r = ctx.regional
    out: list[Flowable] = [chapter_break(ctx.frame_height, 8 * cm), ctx.h(ctx.s("sections.recommendations"), 0),
                           ctx.p(r("intro", ctx.lang))]
    shared = [x for x in ctx.summary.systemic if x.count >= 2]
    themes = [k.split(".")[1] for k in r.data if k.startswith("themes.") and k.endswith(".title")]
    for k, theme in enumerate(themes, start=1):
        areas = set(r(f"themes.{theme}.areas.regions", "cs").split())
        evidence = [x for x in shared if x.area in areas]
        block: list[Flowable] = [ctx.h(f"{k}. {r(f'themes.{theme}.title', ctx.lang)}", 1),
                                 ctx.p(r(f"themes.{theme}.text", ctx.lang))]
        if evidence:
            lines = [ctx.s("conclusion.systemic_item", n=x.n, count=x.count, of=lang_.of(x.n, ctx.lang),
                           title=ctx.rec_title(x.key)) for x in evidence[:THEMES_SHOWN]]
            if len(evidence) > THEMES_SHOWN:
                lines.append(r("more", ctx.lang, n=len(evidence) - THEMES_SHOWN))
            block.append(ctx.markup(f"<b>{esc(r('evidence', ctx.lang))}:</b> " + esc("; ".join(lines)), "small"))
        else:
            block.append(ctx.p(r("no_evidence", ctx.lang), "note"))
        out.append(KeepTogether(block))
    return out


# -------------------------------------------------------------------------------------------- excluded files


def _excluded(ctx: _Ctx) -> list[Flowable]:
    sm = ctx.summary
    out: list[Flowable] = [chapter_break(ctx.frame_height, 6 * cm), ctx.h(ctx.s("sections.excluded"), 0),
                           ctx.p(ctx.s("excluded.intro", included=len(sm.services), rejected=len(sm.rejected),
                                       skipped=len(sm.skipped)))]
    if not sm.rejected and not sm.skipped:
        return out + [ctx.p(ctx.s("excluded.none"))]
    names = _file_names([r.file for r in sm.rejected + sm.skipped])
    w = ctx.width
    if sm.rejected:
        rows: list[list[object]] = [[ctx.s("excluded.file"), ctx.s("excluded.errors"), ctx.s("excluded.messages")]]
        rows += [[names[r.file], str(r.errors), _messages(ctx, r)] for r in sm.rejected]
        out += [*ctx.lead_in(ctx.s("excluded.rejected")),
                paged_table(rows[:1], rows[1:], [4.6 * cm, 1.3 * cm, w - 5.9 * cm], align=["LEFT", "RIGHT", "LEFT"])]
    if sm.skipped:
        rows = [[ctx.s("excluded.file"), ctx.s("excluded.reason")]]
        rows += [[names[r.file], redact(r.problems[0].message) if r.problems else ctx.c("na")]
                 for r in sm.skipped]
        out += [*ctx.lead_in(ctx.s("excluded.skipped")), paged_table(rows[:1], rows[1:], [4.6 * cm, w - 4.6 * cm])]
    return out


def _file_names(files: list[str]) -> dict[str, str]:
    """File names as shown: the bare name, or the full path where two files share a name."""
    bare = [Path(f).name for f in files]
    return {f: b if bare.count(b) == 1 else f for f, b in zip(files, bare)}


def _messages(ctx: _Ctx, r: FileResult) -> Paragraph:
    from auditkit.validation.problems import SEVERITY_RANK

    problems = sorted(r.problems, key=lambda p: SEVERITY_RANK.get(p.severity, len(SEVERITY_RANK)))
    lines = [esc(redact(p.message)) for p in problems[:MAX_MESSAGES]]
    if len(problems) > MAX_MESSAGES:
        lines.append(esc(ctx.s("excluded.more", count=len(problems) - MAX_MESSAGES)))
    return ctx.markup("<br/>".join(lines) or esc(ctx.c("na")), "cell")


# ----------------------------------------------------------------------------------------------------- annex


def _annex(ctx: _Ctx) -> list[Flowable]:
    sm = ctx.summary
    if not sm.services:
        return [ctx.h(ctx.s("sections.annex"), 0), ctx.p(ctx.s("annex.none"))]
    if len(sm.services) > LARGE_ROUND:
        return [PageBreak(), ctx.h(ctx.s("sections.annex"), 0),
                ctx.p(ctx.s("annex.omitted", n=len(sm.services), limit=LARGE_ROUND))]
    head = [ctx.h(ctx.s("sections.annex"), 0), ctx.p(ctx.s("annex.intro"), "note")]
    out: list[Flowable] = []
    for k, s in enumerate(sm.services):
        out += [_RunningHeader(_name(s)), PageBreak()]  # every page of a profile names its service
        if k == 0:
            out += head
        out += _profile(ctx, s)
    return out + [_RunningHeader(ctx.round_label())]


def _profile(ctx: _Ctx, s: ScoredAudit) -> list[Flowable]:
    sm, svc = ctx.summary, s.service
    rank = _rank(sm.services, s)
    pairs = [
        (ctx.s("annex.provider"), svc.provider or ctx.c("na")),
        (ctx.s("annex.identifier"), svc.service_id or ctx.c("na")),
        (ctx.s("annex.audit_date"), fmt.date(svc.audit_date, ctx.lang)),
        (ctx.s("annex.file"), Path(s.file).name),
        (ctx.c("process_index"), ctx.pct(s.process_index, 0)),
        (ctx.c("outcome_index"), ctx.pct(s.outcome_index, 0)),
        (ctx.s("annex.rank"),
         ctx.s("annex.rank_value", rank=rank, n=len(sm.services), of=lang_.of(len(sm.services), ctx.lang)) if rank else ctx.c("na")),
    ]
    w = ctx.width
    half = (len(pairs) + 1) // 2
    label_w = [max(stringWidth(k, FONT_BOLD, CELL_SIZE) for k, _ in part) + 12
               for part in (pairs[:half], pairs[half:])]
    value_w = max(max(stringWidth(v, FONT, CELL_SIZE) for _, v in pairs[half:]) + 12, 2.5 * cm)
    widths = [label_w[0], w - label_w[0] - label_w[1] - value_w, label_w[1], value_w]
    right = pairs[half:] + [("", "")] * (2 * half - len(pairs))
    rows = [ctx.row([ctx.bold_cell(k1), v1, ctx.bold_cell(k2) if k2 else "", v2], widths, ["LEFT"] * 4)
            for (k1, v1), (k2, v2) in zip(pairs[:half], right)]
    facts = table(rows, widths, header_rows=0,
                  style_extra=[("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    areas = ctx.q.areas
    scores = [_area(s, a.id) for a in areas]
    chart = hbar_chart([f"{a.code} {a.title(ctx.lang)}" for a in areas], [sc for sc, _ in scores],
                       colors=[(ctx.verdict(v) or (None, None))[1] for _, v in scores], width=w,
                       height=len(areas) * 14 + 24, value_fmt=lambda v: ctx.pct(v, 0), font_size=7.5)
    return [ctx.h(_name(s), 1, style=ctx.st["h1"]), facts,
            KeepTogether([Spacer(1, 8), _verdict_legend(ctx, ctx.p(ctx.s("annex.area_scores"), "h2_flat")),
                          Spacer(1, 4), chart]),
            *_profile_indicators(ctx, s), *_profile_findings(ctx, s)]


def _profile_indicators(ctx: _Ctx, s: ScoredAudit) -> list[Flowable]:
    if not ctx.q.indicators:
        return []
    w = ctx.width
    rows: list[list[object]] = [[ctx.s("indicators.label"), ctx.s("annex.value"), ctx.s("annex.regional_median"),
                                 ctx.c("range")]]
    widths, align = [w - 7.6 * cm, 2.4 * cm, 2.3 * cm, 2.9 * cm], ["LEFT", "RIGHT", "RIGHT", "RIGHT"]
    for ind in ctx.q.indicators:
        st = ctx.summary.indicator_stats.get(ind.id, Stats(n=0))
        unit = ind.unit(ctx.lang) if ind.unit else ""
        value = ctx.num(s.indicators.get(ind.id), ind.decimals)
        shown = f"{value}\u00a0{unit}" if unit and s.indicators.get(ind.id) is not None else value
        rows.append(ctx.row([ind.label(ctx.lang) + _arrow(ind), shown, ctx.num(st.median, ind.decimals),
                             ctx.span(st.min, st.max, ind.decimals)], widths, align))
    grid = table(rows, widths, align=align,
                 style_extra=[("TOPPADDING", (0, 1), (-1, -1), 1), ("BOTTOMPADDING", (0, 1), (-1, -1), 1.5)])
    return [ctx.p(ctx.s("annex.indicators"), "h2"), grid]


def _profile_findings(ctx: _Ctx, s: ScoredAudit) -> list[Flowable]:
    head = ctx.loose(ctx.s("annex.findings"), 3 * cm)
    if not s.findings:
        return [*head, ctx.p(ctx.s("annex.no_findings"))]
    w = ctx.width
    rows: list[list[object]] = [[ctx.c("area"), ctx.s("systemic.finding")]]
    rows += [[ctx.area_label(f.area).split(" ", 1)[0], _finding_cell(ctx, f)] for f in s.findings]
    return [*head, table(rows, [1.6 * cm, w - 1.6 * cm], align=["CENTER", "LEFT"])]


def _finding_cell(ctx: _Ctx, f: Flag) -> Paragraph:
    title = f"<b>{esc(ctx.rec_title(f.key))}</b>"
    if f.critical:
        title += f' <font color="#C62828">{esc(ctx.s("annex.critical"))}</font>'
    details = [_flag_value(ctx, f)]
    if f.sheet and f.cell:
        details.append(ctx.s("annex.where", sheet=lang_.quote(f.sheet, ctx.lang), cell=f.cell))
    lines = [f'{title} <font color="#5F6B7A">· {esc(" · ".join(d for d in details if d))}</font>']
    if f.evidence:
        evidence = redact(f.evidence)
        cut, clipped = clip(evidence, EVIDENCE_CHARS)
        note = (" " + esc(ctx.c("clipped", n=fmt.num(len(evidence), 0, ctx.lang), sheet=f.sheet or "–",
                                qid=f.question_id or "–"))) if clipped else ""
        lines.append(f"{esc(ctx.s('annex.evidence'))} <i>{esc(cut)}{note}</i>")
    return ctx.markup("<br/>".join(lines), "cell")


def _flag_value(ctx: _Ctx, f: Flag) -> str:
    if f.value is None and f.basis != "not_evidenced":
        return ""
    if f.indicator_id:
        ind = ctx.indicators.get(f.indicator_id)
        if ind is None:
            return str(f.value)
        unit = f"\u00a0{ind.unit(ctx.lang)}" if ind.unit else ""
        value = _number(ctx, str(f.value), ind.decimals) + unit
        return ctx.s("annex.indicator_value", label=ind.label(ctx.lang), value=value)
    return ctx.s("annex.answer", value=_answer_text(ctx, f))


def _answer_text(ctx: _Ctx, f: Flag) -> str:
    """The answer a finding rests on, rendered like everywhere else (auditkit.questionnaire.kinds)."""
    status = "not_evidenced" if f.basis == "not_evidenced" else "answered"
    found = ctx.questions.get(f.question_id or "")
    if found is None:
        return ctx.c("not_evidenced") if status == "not_evidenced" else redact(str(f.value))
    text = render_status(ctx.q, found[1], status, f.value, ctx.lang)
    return redact(text) if kind_of(found[1]).free_text else text


def _number(ctx: _Ctx, value: str, decimals: int | None) -> str:
    try:
        x = float(value)
    except ValueError:
        return redact(value)
    if decimals is None:
        decimals = 0 if x.is_integer() else 1
    return ctx.num(x, decimals)
