"""ReportLab building blocks for auditkit's PDF reports: fonts, styles, page frame, headings, charts, tables.

Pure ReportLab, no auditkit imports. Everything prints in DejaVu Sans (shipped in ``fonts/`` with its
licence), which covers Czech; the standard PDF fonts (Helvetica, Times) lack ř ě ů ň ť ď and are never
used.

Text rules: functions that take *plain text* (``Heading``, ``table`` cells given as ``str``, chart labels,
header/footer texts) print it as typed. ``esc`` turns auditor text into Paragraph markup when you build a
``Paragraph`` yourself.

Text of any length fits: header and footer texts and chart labels are shortened with an ellipsis (an
unbroken string is broken by characters first), headings are cut to ``HEADING_CHARS``, a table row taller
than the space left flows on to the next page (``splitInRow``), and ``clip`` cuts a long text at a word
boundary for the reports that say where the whole text is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Literal, cast, overload
from xml.sax.saxutils import escape as _xml_escape

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String
from reportlab.lib import colors as rl_colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

HEADING_CHARS = 300  # a heading longer than this (a service name is at most 200) is cut with an ellipsis
TALL_ROW = 200.0  # points: a table row this tall starts on the current page and flows on to the next

__all__ = [
    "ACCENT",
    "FONT",
    "FONTS_DIR",
    "FONT_BOLD",
    "FONT_ITALIC",
    "INK",
    "MUTED",
    "RULE",
    "Heading",
    "ReportDoc",
    "clip",
    "esc",
    "hbar_chart",
    "heading",
    "range_chart",
    "register_fonts",
    "scatter_chart",
    "styles",
    "table",
    "verdict_cell",
]

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD, FONT_ITALIC = "DejaVu", "DejaVu-Bold", "DejaVu-Oblique"

# A sober palette: dark ink, a muted slate for secondary text, one navy accent, light rules.
INK = rl_colors.HexColor("#222222")
MUTED = rl_colors.HexColor("#5F6B7A")
ACCENT = rl_colors.HexColor("#1F3A5F")
RULE = rl_colors.HexColor("#C5CCD6")
ZEBRA = rl_colors.HexColor("#F2F4F7")
GRID = rl_colors.HexColor("#E3E7EC")
BAR = rl_colors.HexColor("#4A6F99")

_registered = False


# ---------------------------------------------------------------------------------------------- fonts, styles


def register_fonts() -> None:
    """Register DejaVu Sans as family "DejaVu" (regular, bold, italic) once per process."""
    global _registered
    if _registered:
        return
    files = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf", FONT_ITALIC: "DejaVuSans-Oblique.ttf"}
    known = set(pdfmetrics.getRegisteredFontNames())
    for name, file in files.items():
        path = FONTS_DIR / file
        if name == FONT_ITALIC and not path.exists():
            continue  # no oblique shipped: italic falls back to regular below
        if name not in known:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    italic = FONT_ITALIC if (FONTS_DIR / files[FONT_ITALIC]).exists() else FONT
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=italic, boldItalic=FONT_BOLD)
    _registered = True


def _italic_font() -> str:
    return FONT_ITALIC if FONT_ITALIC in pdfmetrics.getRegisteredFontNames() else FONT


def styles() -> dict[str, ParagraphStyle]:
    """Fresh paragraph styles: title, h1, h2, body, small, cell, cell_bold, cell_header, note (all DejaVu)."""
    register_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, spaceAfter=5)
    s = {
        "title": ParagraphStyle("title", base, fontName=FONT_BOLD, fontSize=19, leading=24, textColor=ACCENT,
                                spaceAfter=10),
        "h1": ParagraphStyle("h1", base, fontName=FONT_BOLD, fontSize=13.5, leading=17, textColor=ACCENT,
                             spaceBefore=12, spaceAfter=6, keepWithNext=1),
        "h2": ParagraphStyle("h2", base, fontName=FONT_BOLD, fontSize=11, leading=14, textColor=ACCENT,
                             spaceBefore=9, spaceAfter=4, keepWithNext=1),
        "body": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, spaceAfter=3),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11, spaceAfter=0),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=FONT_BOLD, fontSize=8.5, leading=11,
                                    spaceAfter=0),
        "cell_header": ParagraphStyle("cell_header", base, fontName=FONT_BOLD, fontSize=8.5, leading=11,
                                      spaceAfter=0, textColor=rl_colors.white),
        "note": ParagraphStyle("note", base, fontName=_italic_font(), fontSize=8, leading=10.5,
                               textColor=MUTED, spaceAfter=4),
    }
    return s


_cached_styles: dict[str, ParagraphStyle] | None = None


def _st(name: str) -> ParagraphStyle:
    """Shared (read-only) styles for the helpers below, built once."""
    global _cached_styles
    if _cached_styles is None:
        _cached_styles = styles()
    return _cached_styles[name]


def clip(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters at a word boundary where one is near, and whether it
    was cut; the caller adds a note saying where the whole text is."""
    text = str(text)
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…", True


def esc(text: str) -> str:
    """Plain (auditor) text → Paragraph markup: ``< > &`` print as typed, newlines become line breaks."""
    text = _xml_escape(str(text))
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


# ---------------------------------------------------------------------------------------------- document


class ReportDoc(BaseDocTemplate):
    """A4 document with a running header (left/right text, hairline) and a "page N of M" footer.

    ``page_label`` is a format string with ``{page}`` and ``{pages}``, e.g. ``"Strana {page} z {pages}"``.
    The total is known only when the build ends, so each page draws its footer through a PDF form that is
    filled in just before saving: one layout pass, no second build.
    """

    def __init__(self, filename: str | Path | IO[bytes], *, title: str, author: str = "", subject: str = "",
                 keywords: Sequence[str] | str = (), creator: str = "auditkit", lang: str = "cs-CZ",
                 header_left: str | None = None, header_right: str = "", footer_left: str = "",
                 page_label: str = "Page {page} of {pages}", margin: float = 2 * cm, **kw: Any) -> None:
        register_fonts()
        self.header_left = title if header_left is None else header_left
        self.header_right = header_right
        self.footer_left = footer_left
        self.page_label = page_label
        kw.setdefault("leftMargin", margin)
        kw.setdefault("rightMargin", margin)
        kw.setdefault("topMargin", margin + 0.4 * cm)
        kw.setdefault("bottomMargin", margin)
        kw.setdefault("displayDocTitle", 1)
        kw.setdefault("initialFontName", FONT)  # else every page names Helvetica as its starting font
        super().__init__(str(filename) if isinstance(filename, Path) else filename, pagesize=A4, title=title,
                         author=author, subject=subject, keywords=[keywords] if isinstance(keywords, str) else list(keywords),
                         creator=creator, lang=lang, **kw)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=self._decorate)])

    # -- build: run ReportLab's single pass with a canvas that fills in the page totals before saving
    def build(self, flowables: list[Flowable], filename: str | IO[bytes] | None = None,
              canvasmaker: Any = Canvas) -> None:
        doc = self

        def save(canvas: Canvas) -> None:
            doc._draw_page_labels(canvas)
            canvasmaker.save(canvas)

        # a subclass of the given canvas class whose save() first fills in the page totals (made with type():
        # a class statement cannot take a base class held in a variable and stay type-checked)
        totals_canvas = cast("type[Canvas]", type("_TotalsCanvas", (canvasmaker,), {"save": save}))
        super().build(flowables, filename=filename, canvasmaker=totals_canvas)

    def beforeDocument(self) -> None:
        self.canv.showOutline()  # open the bookmarks panel when the PDF is opened

    def _decorate(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        w, h = self.pagesize
        left, right = self.leftMargin, w - self.rightMargin
        top = h - self.topMargin + 0.55 * cm
        canv.saveState()
        canv.setFont(FONT, 7.5)
        canv.setFillColor(MUTED)
        width = right - left
        right_text = _fit(self.header_right, FONT, 7.5, width * 0.45) if self.header_right else ""
        right_w = pdfmetrics.stringWidth(right_text, FONT, 7.5)
        if right_text:
            canv.drawRightString(right, top + 3, right_text)
        room = max(width - right_w - 12, 20)
        canv.drawString(left, top + 3, _fit(self.header_left, FONT, 7.5, room))
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(left, top, right, top)
        foot = self.bottomMargin - 0.75 * cm
        canv.line(left, foot + 9, right, foot + 9)
        if self.footer_left:
            canv.drawString(left, foot, _fit(self.footer_left, FONT, 7.5, (right - left) * 0.6))
        canv.doForm(_label_form(canv.getPageNumber()))
        canv.restoreState()

    def _draw_page_labels(self, canv: Canvas) -> None:
        pages = canv.getPageNumber() - 1  # the build has shown its last page
        w, _ = self.pagesize
        x, y = w - self.rightMargin, self.bottomMargin - 0.75 * cm
        for page in range(1, pages + 1):
            canv.beginForm(_label_form(page))
            canv.setFont(FONT, 7.5)
            canv.setFillColor(MUTED)
            canv.drawRightString(x, y, self.page_label.format(page=page, pages=pages))
            canv.endForm()


def _label_form(page: int) -> str:
    return f"akPageLabel{page}"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten one line of text with an ellipsis so it fits ``width`` (any length: a binary search)."""
    text = " ".join(str(text).split())
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    lo, hi = 0, len(text)  # the longest prefix that fits with the ellipsis is text[:lo]
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, size) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "…"


_heading_keys = itertools.count(1)


class Heading(Paragraph):
    """A heading paragraph that adds itself to the PDF outline (bookmarks) where it is drawn.

    ``text`` is plain text; ``level`` 0 or 1 (a level-1 heading must follow a level-0 one); ``key`` is a
    unique bookmark name (made up if omitted). Style defaults to h1 (level 0) or h2 (level 1).
    """

    def __init__(self, text: str, level: int = 0, key: str | None = None,
                 style: ParagraphStyle | None = None) -> None:
        if level not in (0, 1):
            raise ValueError(f"heading level must be 0 or 1, not {level!r}")
        text, _ = clip(" ".join(str(text).split()), HEADING_CHARS)
        self.outline_title = text
        self.outline_level = level
        self.outline_key = key or f"akHeading{next(_heading_keys)}"
        super().__init__(esc(text), style or _st("h1" if level == 0 else "h2"))

    def draw(self) -> None:
        canv = self.canv
        canv.bookmarkHorizontal(self.outline_key, 0, self.height + 4)
        canv.addOutlineEntry(self.outline_title, self.outline_key, level=self.outline_level, closed=False)
        super().draw()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # never split a heading (it would lose its bookmark); it moves to the next page instead


def heading(text: str, level: int = 0, key: str | None = None) -> Heading:
    """Shorthand for ``Heading(text, level, key)``."""
    return Heading(text, level, key)


# ---------------------------------------------------------------------------------------------- charts

ValueFmt = str | Callable[[float], str]


def _fmt(value: float | None, value_fmt: ValueFmt, missing: str = "–") -> str:
    if value is None:
        return missing
    return value_fmt(value) if callable(value_fmt) else value_fmt.format(value)


def _wrap(text: str, font: str, size: float, width: float, max_lines: int = 2) -> list[str]:
    """At most ``max_lines`` lines of ``width``; a word wider than a line is broken, the rest ellipsised."""
    text, _ = clip(" ".join(str(text).split()), 400)  # no label needs more to fill two lines
    lines = []
    for line in simpleSplit(text, font, size, width) or [""]:
        while pdfmetrics.stringWidth(line, font, size) > width and len(line) > 1:  # an unbroken string
            head = _fit(line, font, size, width)[:-1] or line[0]
            lines.append(head)
            line = line[len(head):]
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + " …", font, size, width)
    return lines


def _color(c: str | rl_colors.Color | None) -> rl_colors.Color:
    if c is None:
        return BAR
    return rl_colors.HexColor(c) if isinstance(c, str) else c


def _label_column(labels: Sequence[str], size: float, width: float) -> float:
    """Width of the label column: fits the labels, at most 40 % of the chart."""
    widest = max((pdfmetrics.stringWidth(str(t), FONT, size) for t in labels), default=0)
    return min(widest + 6, width * 0.40)


def _value_ticks(lo: float, hi: float, n: int = 5, expand: bool = False) -> list[float]:
    """About ``n`` round tick values within [lo, hi], or (``expand``) reaching just beyond them."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs((hi - lo) / s - n))
    first = (math.floor if expand else math.ceil)(lo / step + (1e-9 if expand else -1e-9)) * step
    last = (math.ceil if expand else math.floor)(hi / step + (-1e-9 if expand else 1e-9)) * step
    count = round((last - first) / step)
    return [round(first + k * step, 10) for k in range(count + 1)]


def _tick_text(v: float, tick_fmt: ValueFmt | None) -> str:
    if tick_fmt is not None:
        return _fmt(v, tick_fmt)
    return f"{v:g}".replace("-", "−")


def _axis_ticks(d: Drawing, x0: float, x1: float, y_axis: float, y_top: float, lo: float, hi: float,
                ticks: Sequence[float], tick_fmt: ValueFmt | None, size: float = 7) -> None:
    """Vertical grid lines with tick labels under the plot (value axis running left → right)."""
    for t in ticks:
        x = x0 + (t - lo) / (hi - lo) * (x1 - x0)
        d.add(Line(x, y_axis, x, y_top, strokeColor=GRID, strokeWidth=0.5))
        d.add(String(x, y_axis - size - 3, _tick_text(t, tick_fmt), fontName=FONT, fontSize=size,
                     fillColor=MUTED, textAnchor="middle"))
    d.add(Line(x0, y_axis, x1, y_axis, strokeColor=RULE, strokeWidth=0.7))


def _drawing(width: float, height: float) -> Drawing:
    return Drawing(width, height, initialFontName=FONT, initialFontSize=8)  # else every chart starts in Helvetica


def _rect(x: float, y: float, width: float, height: float, *, fill: rl_colors.Color | None,
          stroke: rl_colors.Color | None = None, stroke_width: float = 0) -> Rect:
    """A rectangle, its colours and line set as attributes (the stubs type Rect's keywords wrongly)."""
    rect = Rect(x, y, width, height)
    rect.fillColor, rect.strokeColor, rect.strokeWidth = fill, stroke, stroke_width
    return rect


def hbar_chart(labels: Sequence[str], values: Sequence[float | None], *, max_value: float = 100,
               colors: Sequence[str | rl_colors.Color | None] | None = None, width: float = 16 * cm, height: float | None = None,
               value_fmt: ValueFmt = "{:.0f} %", tick_fmt: ValueFmt | None = None,
               font_size: float = 8) -> Drawing:
    """Horizontal bars, one per label (e.g. area scores in %); ``colors[i]`` (hex or Color) per bar.

    A value of None draws no bar and prints "–". Height defaults to 20 pt a bar plus the axis.
    """
    register_fonts()
    n = len(labels)
    if len(values) != n:
        raise ValueError("hbar_chart: labels and values differ in length")
    axis_h, value_w = 18, pdfmetrics.stringWidth(_fmt(max_value, value_fmt), FONT, font_size) + 8
    label_w = _label_column(labels, font_size, width)
    wrapped = [_wrap(label, FONT, font_size, label_w - 4) for label in labels]
    height = height or n * _row_height(wrapped, 20, font_size) + axis_h + 4
    x0, x1 = label_w + 4, width - value_w
    row_h = (height - axis_h - 4) / max(n, 1)
    bar_h = min(row_h * 0.62, 14)
    d = _drawing(width, height)
    _axis_ticks(d, x0, x1, axis_h, height - 2, 0, max_value, _value_ticks(0, max_value, 4), tick_fmt)
    for i, (label, value) in enumerate(zip(labels, values)):
        cy = height - 2 - row_h * (i + 0.5)
        _draw_label(d, wrapped[i], label_w, cy, font_size)
        if value is not None:
            v = max(0.0, min(float(value), max_value))
            bw = (x1 - x0) * v / max_value
            fill = _color(colors[i] if colors else None)
            d.add(_rect(x0, cy - bar_h / 2, bw, bar_h, fill=fill))
            end = x0 + bw
        else:
            end = x0
        d.add(String(end + 3, cy - font_size * 0.35, _fmt(value, value_fmt), fontName=FONT,
                     fontSize=font_size, fillColor=INK))
    return d


def _row_height(wrapped: list[list[str]], minimum: float, size: float) -> float:
    """Row pitch that leaves air around the tallest (wrapped) label."""
    lines = max((len(w) for w in wrapped), default=1)
    return max(minimum, lines * size * 1.15 + 9)


def _draw_label(d: Drawing, lines: list[str], right: float, cy: float, size: float) -> None:
    """Right-aligned label lines, vertically centred on ``cy``."""
    lead = size * 1.15
    top = cy + (len(lines) - 1) * lead / 2 - size * 0.35
    for k, line in enumerate(lines):
        d.add(String(right, top - k * lead, line, fontName=FONT, fontSize=size, fillColor=INK,
                     textAnchor="end"))


RangeRow = tuple[str, float | None, float | None, float | None, float | None]


def range_chart(rows: Sequence[RangeRow], *, width: float = 16 * cm, min_value: float = 0,
                max_value: float = 100, value_fmt: ValueFmt = "{:.0f} %", tick_fmt: ValueFmt | None = None,
                own_color: str | rl_colors.Color = "#1F3A5F", range_color: str | rl_colors.Color = "#AEBBCB", legend: Sequence[str] | None = None,
                row_height: float = 20, font_size: float = 8) -> Drawing:
    """Own value against a range, one row each: ``(label, own, median, min, max)``.

    The min–max span is a thick light bar, the median a dark tick, the own value a dot whose value is
    printed at the right. None for median/min/max (suppressed benchmark) leaves only the dot; None for own
    leaves only the range. ``legend`` = (own, median, range) texts adds a legend line under the axis.
    """
    register_fonts()
    own_color, range_color = _color(own_color), _color(range_color)
    labels = [r[0] for r in rows]
    axis_h = 14
    legend_h = 16 if legend else 0
    n = len(rows)
    value_w = pdfmetrics.stringWidth(_fmt(max_value, value_fmt), FONT, font_size) + 10
    label_w = _label_column(labels, font_size, width)
    wrapped = [_wrap(label, FONT, font_size, label_w - 4) for label in labels]
    row_height = _row_height(wrapped, row_height, font_size)
    height = n * row_height + axis_h + legend_h + 4
    x0, x1 = label_w + 8, width - value_w - 4
    y_axis = legend_h + axis_h
    span = (max_value - min_value) or 1

    def xpos(v: float) -> float:
        return x0 + (max(min_value, min(float(v), max_value)) - min_value) / span * (x1 - x0)

    d = _drawing(width, height)
    _axis_ticks(d, x0, x1, y_axis, height - 2, min_value, max_value,
                _value_ticks(min_value, max_value, 4), tick_fmt)
    for i, (label, own, med, lo, hi) in enumerate(rows):
        cy = height - 2 - row_height * (i + 0.5)
        _draw_label(d, wrapped[i], label_w, cy, font_size)
        d.add(Line(x0, cy, x1, cy, strokeColor=GRID, strokeWidth=0.5))
        if lo is not None and hi is not None:
            d.add(_rect(xpos(lo), cy - 3, max(xpos(hi) - xpos(lo), 1), 6, fill=range_color))
        if med is not None:
            xm = xpos(med)
            d.add(Line(xm, cy - 6, xm, cy + 6, strokeColor=INK, strokeWidth=1.6))
        if own is not None:
            d.add(Circle(xpos(own), cy, 3.6, fillColor=own_color, strokeColor=rl_colors.white,
                         strokeWidth=0.8))
        d.add(String(width - 2, cy - font_size * 0.35, _fmt(own, value_fmt), fontName=FONT_BOLD,
                     fontSize=font_size, fillColor=INK, textAnchor="end"))
    if legend:
        _range_legend(d, legend, x0, 3, own_color, range_color, font_size)
    return d


def _range_legend(d: Drawing, legend: Sequence[str], x: float, y: float, own_color: rl_colors.Color,
                  range_color: rl_colors.Color, size: float) -> None:
    own_t, med_t, range_t = legend
    cy = y + 3
    d.add(Circle(x + 4, cy, 3.4, fillColor=own_color, strokeColor=None))
    d.add(String(x + 11, y, own_t, fontName=FONT, fontSize=size - 0.5, fillColor=MUTED))
    x += 11 + pdfmetrics.stringWidth(own_t, FONT, size - 0.5) + 16
    d.add(Line(x + 3, cy - 5, x + 3, cy + 5, strokeColor=INK, strokeWidth=1.6))
    d.add(String(x + 9, y, med_t, fontName=FONT, fontSize=size - 0.5, fillColor=MUTED))
    x += 9 + pdfmetrics.stringWidth(med_t, FONT, size - 0.5) + 16
    d.add(_rect(x, cy - 3, 18, 6, fill=range_color))
    d.add(String(x + 23, y, range_t, fontName=FONT, fontSize=size - 0.5, fillColor=MUTED))


def scatter_chart(points: Sequence[tuple[float, float]], x_label: str, y_label: str,
                  labels: Sequence[str] | None = None, *, width: float = 16 * cm, height: float = 8 * cm,
                  x_range: tuple[float, float] | None = None, y_range: tuple[float, float] | None = None,
                  x_fmt: ValueFmt | None = None, y_fmt: ValueFmt | None = None,
                  color: str | rl_colors.Color = "#1F3A5F", font_size: float = 7.5) -> Drawing:
    """(x, y) points with gridlines, tick values, axis titles and optional point labels.

    Ranges default to the data padded to round ticks. Point labels go right of the dot, or left, above or
    below when that spot is taken or outside the plot.
    """
    register_fonts()
    color = _color(color)
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    xt = _value_ticks(*x_range) if x_range else _value_ticks(*_pad(xs), expand=True)
    yt = _value_ticks(*y_range) if y_range else _value_ticks(*_pad(ys), expand=True)
    xlo, xhi = x_range or (xt[0], xt[-1])
    ylo, yhi = y_range or (yt[0], yt[-1])
    ytw = max(pdfmetrics.stringWidth(_tick_text(t, y_fmt), FONT, 7) for t in yt)
    px0, px1 = 14 + ytw + 6, width - 6
    py0, py1 = 30, height - 6
    d = _drawing(width, height)
    sx = lambda v: px0 + (v - xlo) / ((xhi - xlo) or 1) * (px1 - px0)
    sy = lambda v: py0 + (v - ylo) / ((yhi - ylo) or 1) * (py1 - py0)
    for t in xt:
        if xlo <= t <= xhi:
            d.add(Line(sx(t), py0, sx(t), py1, strokeColor=GRID, strokeWidth=0.5))
            d.add(String(sx(t), py0 - 10, _tick_text(t, x_fmt), fontName=FONT, fontSize=7,
                         fillColor=MUTED, textAnchor="middle"))
    for t in yt:
        if ylo <= t <= yhi:
            d.add(Line(px0, sy(t), px1, sy(t), strokeColor=GRID, strokeWidth=0.5))
            d.add(String(px0 - 4, sy(t) - 2.5, _tick_text(t, y_fmt), fontName=FONT, fontSize=7,
                         fillColor=MUTED, textAnchor="end"))
    d.add(_rect(px0, py0, px1 - px0, py1 - py0, fill=None, stroke=RULE, stroke_width=0.7))
    d.add(String((px0 + px1) / 2, 4, x_label, fontName=FONT, fontSize=8, fillColor=INK, textAnchor="middle"))
    ylab = String(0, 0, y_label, fontName=FONT, fontSize=8, fillColor=INK, textAnchor="middle")
    g = Group(ylab)
    g.translate(8, (py0 + py1) / 2)
    g.rotate(90)
    d.add(g)
    placed: list[tuple[float, float, float, float]] = []
    dots = [(sx(x), sy(y)) for x, y in zip(xs, ys)]
    for cx, cy in dots:
        placed.append((cx - 3.5, cy - 3.5, cx + 3.5, cy + 3.5))
    for cx, cy in dots:
        d.add(Circle(cx, cy, 3.2, fillColor=color, strokeColor=rl_colors.white, strokeWidth=0.6))
    if labels:
        for (cx, cy), text in zip(dots, labels):
            if text:
                _place_label(d, str(text), cx, cy, font_size, (px0, py0, px1, py1), placed)
    return d


def _pad(vals: Sequence[float]) -> tuple[float, float]:
    if not vals:
        return 0.0, 1.0
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1
    return lo - pad, hi + pad


Box = tuple[float, float, float, float]  # left, bottom, right, top


def _place_label(d: Drawing, text: str, cx: float, cy: float, size: float, plot: Box, placed: list[Box]) -> None:
    text = _fit(text, FONT, size, (plot[2] - plot[0]) * 0.3)  # a long name is shortened, never off the page
    w, h = pdfmetrics.stringWidth(text, FONT, size), size
    spots: list[tuple[float, float, Literal["start", "middle", "end"]]] = [
        (cx + 5, cy - h * 0.35, "start"), (cx - 5, cy - h * 0.35, "end"),
        (cx, cy + 5, "middle"), (cx, cy - 5 - h * 0.8, "middle")]
    best = None
    for x, y, anchor in spots:
        left = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
        box = (left, y - 1, left + w, y + h * 0.8)
        inside = (box[0] >= plot[0] + 1 and box[2] <= plot[2] - 1
                  and box[1] >= plot[1] + 1 and box[3] <= plot[3] - 1)
        free = not any(_overlap(box, p) for p in placed)
        if inside and free:
            best = (x, y, anchor, box)
            break
        if best is None and inside:
            best = (x, y, anchor, box)
    if best is None:
        x, y, anchor = spots[0]
        best = (x, y, anchor, (x, y, x + w, y + h))
    x, y, anchor, box = best
    placed.append(box)
    d.add(String(x, y, text, fontName=FONT, fontSize=size, fillColor=INK, textAnchor=anchor))


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# ---------------------------------------------------------------------------------------------- tables


class _VerdictCell(Paragraph):
    """A bold paragraph that asks ``table`` to paint its cell in ``background``."""

    background: rl_colors.Color


def verdict_colors(hex_color: str) -> tuple[rl_colors.Color, rl_colors.Color]:
    """(text, background) for a verdict colour: white text on dark backgrounds, ink on light ones."""
    bg = rl_colors.HexColor(hex_color)
    luminance = 0.2126 * bg.red + 0.7152 * bg.green + 0.0722 * bg.blue
    return (rl_colors.white if luminance < 0.55 else INK), bg


def verdict_cell(text: str, hex_color: str) -> _VerdictCell:
    """A table cell: ``text`` (plain) in bold on a ``hex_color`` background, white on dark colours."""
    fg, bg = verdict_colors(hex_color)
    style = ParagraphStyle("verdict", _st("cell_bold"), textColor=fg, backColor=bg)
    cell = _VerdictCell(esc(text), style)
    cell.background = bg
    return cell


_ALIGN: dict[str, Literal[0, 1, 2]] = {"LEFT": TA_LEFT, "RIGHT": TA_RIGHT, "CENTER": TA_CENTER, "CENTRE": TA_CENTER}


def table(data: Sequence[Sequence[object]], col_widths: Sequence[float], header_rows: int = 1, zebra: bool = True,
          style_extra: Sequence[tuple[Any, ...]] | None = None, *, align: Sequence[str] | None = None,
          first_row: int = 0) -> Table:
    """A wrapped, DejaVu table that repeats its header rows on every page.

    Cells given as ``str`` (or numbers) are plain text and wrap in their column; flowables (a ``Paragraph``
    with your own markup, ``verdict_cell``) are used as they are, and one with a ``background`` colour
    gets its cell painted; None is an empty cell. ``align`` gives
    per-column alignment ("LEFT", "RIGHT", "CENTER"). ``style_extra`` TableStyle commands go last.
    ``first_row``: the number of body rows before these in the whole table (a piece of a
    :func:`paged_table`), so the zebra stripes run on across the pieces.

    ReportLab lays out a long table by splitting it again at every page, each time over all its remaining
    rows: its cost grows with the square of its length. For a table that may run to many pages (one row
    per service, per file) use :func:`paged_table`.
    """
    cell_styles: dict[tuple[str, str], ParagraphStyle] = {}

    def style_for(base: str, col: int) -> ParagraphStyle:
        a = (align[col] if align and col < len(align) else "LEFT").upper()
        key = (base, a)
        if key not in cell_styles:
            cell_styles[key] = ParagraphStyle(f"{base}-{a}", _st(base), alignment=_ALIGN[a])
        return cell_styles[key]

    rows: list[list[Flowable | str]] = []
    verdicts = []
    for r, row in enumerate(data):
        out: list[Flowable | str] = []
        for c, value in enumerate(row):
            background = getattr(value, "background", None)
            if value is None:
                out.append("")
            elif isinstance(value, Flowable) and background is not None:  # a flowable that paints its cell
                verdicts.append(("BACKGROUND", (c, r), (c, r), background))
                if isinstance(value, _VerdictCell) and align and c < len(align):
                    value.style = ParagraphStyle("verdict", value.style, alignment=_ALIGN[align[c].upper()])
                out.append(value)
            elif isinstance(value, Flowable):
                out.append(value)
            else:  # text, a number: plain text that wraps in its column
                out.append(Paragraph(esc(str(value)), style_for("cell_header" if r < header_rows else "cell", c)))
        rows.append(out)
    cmds: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
    ]
    if header_rows:
        cmds += [("BACKGROUND", (0, 0), (-1, header_rows - 1), ACCENT),
                 ("VALIGN", (0, 0), (-1, header_rows - 1), "MIDDLE")]
    if zebra and len(rows) > header_rows:
        stripes = [rl_colors.white, ZEBRA] if first_row % 2 == 0 else [ZEBRA, rl_colors.white]
        cmds.append(("ROWBACKGROUNDS", (0, header_rows), (-1, -1), stripes))
    cmds += verdicts
    cmds += list(style_extra or ())
    t = FlowTable(rows, colWidths=list(col_widths), repeatRows=header_rows, hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    return t


class FlowTable(Table):
    """A table whose rows may split across pages, so a cell of any length never stops the document.

    ReportLab first splits between rows and only then within a row; for a tall row (long evidence) that
    would leave the rest of the page empty and repeat the header above the row's start, so a row taller
    than ``TALL_ROW`` is split within itself first.
    """

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("splitInRow", 1)
        super().__init__(*args, **kw)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        table: Any = self  # ReportLab's own split helpers, private and so not in its stubs
        table._calc(availWidth, availHeight)
        n = table._getFirstPossibleSplitRowPosition(availHeight)
        if n < len(table._rowHeights) and table._rowHeights[n] > TALL_ROW:
            parts: list[Flowable] = table._splitRows(availHeight, doInRowSplit=1)
            if parts:
                return parts
        return super().split(availWidth, availHeight)


def paged_table(header: Sequence[Sequence[object]], body: Sequence[Sequence[object]], col_widths: Sequence[float],
                zebra: bool = True, style_extra: Sequence[tuple[Any, ...]] | None = None, *,
                align: Sequence[str] | None = None, style_last: Sequence[tuple[Any, ...]] | None = None) -> Flowable:
    """:func:`table` for a table of any length, laid out one page at a time at a constant cost per row.

    The same look as ``table`` (the ``header`` rows on every page, stripes running on). Only the rows one
    page can hold are ever made into a ReportLab table, so ReportLab's cost of splitting a table (all its
    remaining rows, at every page) stays that of one page. ``body`` may be a :class:`LazyRows`: its rows are
    then made only while a piece of the table needs them, so a table of thousands of rows is never held
    whole. ``style_last``: TableStyle commands for the piece holding the last rows only (negative indices
    count from the table's end, e.g. a rule above a total row).
    """
    head = list(header)

    def make(rows: list[Sequence[object]], first: int, last: bool) -> Table:
        extra = [*(style_extra or ()), *((style_last or ()) if last else ())]
        return table([*head, *rows], col_widths, len(head), zebra, extra, align=align, first_row=first)

    return PagedTable(body, make, len(head))


class LazyRows(Sequence[Sequence[object]]):
    """``count`` table rows, row ``i`` made by ``build(i)`` each time it is asked for (for :func:`paged_table`)."""

    def __init__(self, count: int, build: Callable[[int], Sequence[object]]) -> None:
        self.rows, self.build = count, build

    def __len__(self) -> int:
        return self.rows

    @overload
    def __getitem__(self, index: int) -> Sequence[object]: ...
    @overload
    def __getitem__(self, index: slice) -> list[Sequence[object]]: ...
    def __getitem__(self, index: int | slice) -> Sequence[object] | list[Sequence[object]]:
        if isinstance(index, slice):
            return [self.build(i) for i in range(*index.indices(self.rows))]
        if index < 0:
            index += self.rows
        if not 0 <= index < self.rows:
            raise IndexError(index)
        return self.build(index)


class PagedTable(Flowable):
    """Body rows that become a table one page at a time (see :func:`paged_table`).

    ``make(rows, first, last)`` builds the table of a run of body rows (with the header), ``first`` being
    how many body rows come before them and ``last`` whether they end the table. Each row's height is
    measured once (a row's height depends only on its cells and the column widths), in runs of ``MEASURE``
    rows; a page then gets a table of exactly the rows that fit, and the rest is a new ``PagedTable`` that
    shares the measured heights. A row too tall for a whole page is left to ReportLab's split within a row.
    """

    MEASURE = 64  # rows measured per table built for measuring

    def __init__(self, rows: Sequence[Sequence[object]], make: Callable[[list[Sequence[object]], int, bool], Table],
                 header_rows: int = 1, start: int = 0, heights: list[float] | None = None,
                 head: float | None = None) -> None:
        super().__init__()
        self.rows, self.make, self.header_rows, self.start = rows, make, header_rows, start
        self.heights = heights if heights is not None else []  # of rows[0:len(heights)], shared
        self.head = head  # height of the header rows
        self._piece: Table | None = None  # the table wrap() found to fit whole

    def _measure(self, upto: int) -> None:
        while len(self.heights) < min(upto, len(self.rows)):
            i = len(self.heights)
            j = min(len(self.rows), i + self.MEASURE)
            t = self.make(list(self.rows[i:j]), i, j == len(self.rows))
            t.wrap(1e6, 1e9)  # the widths are fixed by the columns: only the heights are wanted
            table: Any = t  # the measured row heights are ReportLab's private attribute: not in its stubs
            measured: list[float] = table._rowHeights
            self.heights.extend(measured[self.header_rows:])
            if self.head is None:
                self.head = sum(measured[: self.header_rows])

    def _fitting(self, aH: float) -> int:
        """How many rows from ``start`` fit in ``aH`` under the header."""
        room, n = aH - (self.head or 0.0) - 0.01, 0
        while self.start + n < len(self.rows):
            self._measure(self.start + n + 1)
            if self.head is not None and n == 0:
                room = aH - self.head - 0.01
            room -= self.heights[self.start + n]
            if room < 0:
                break
            n += 1
        return n

    def _table(self, count: int) -> Table:
        end = self.start + count
        return self.make(list(self.rows[self.start:end]), self.start, end == len(self.rows))

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self._measure(len(self.rows))  # once for the whole table; later pieces share the heights
        left = len(self.rows) - self.start
        self.width = aW
        self.height = (self.head or 0.0) + sum(self.heights[self.start:])
        self._piece = None
        if self._fitting(aH) >= left:
            self._piece = self._table(left)
            _, self.height = self._piece.wrap(aW, aH)
        return aW, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        left = len(self.rows) - self.start
        if left <= 0:
            return []
        n = self._fitting(aH)
        if n == 0:
            if self.heights[self.start] <= TALL_ROW:
                return []  # the next page
            parts = self._table(min(left, 2)).split(aW, aH)  # a tall row split within itself
            if not parts:
                return []
            return [*parts, *([PagedTable(self.rows, self.make, self.header_rows, self.start + 2, self.heights,
                                          self.head)] if left > 2 else [])]
        out: list[Flowable] = [self._table(min(n, left))]
        if n < left:
            out.append(PagedTable(self.rows, self.make, self.header_rows, self.start + n, self.heights, self.head))
        return out

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:
        # reached only when wrap() found the whole remainder to fit: draw that table
        if self._piece is None:
            self._piece = self._table(len(self.rows) - self.start)
            self._piece.wrap(self.width, 1e9)
        self._piece.drawOn(canvas, x, y, _sW)  # type: ignore[call-arg]  # the stubs omit drawOn's _sW
