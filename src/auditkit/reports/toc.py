"""A table of contents in one layout pass, and the layout rule for chapter starts.

The chapters are known before the build; their page numbers are not. ``Contents`` draws each entry's
page number through a PDF form named after the chapter, and ``TocDoc`` fills the forms in when the
build ends (the way pdfkit fills in "page N of M"): no second build.

``chapter_break(doc)``: a chapter starts on a new page only if the page before it is at least 60 % full;
otherwise it starts right where the previous one ended (``CondPageBreak`` with 40 % of the frame).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable

from auditkit.reports import pdfkit

MIN_FULL = 0.6  # a page must be this full before a chapter may move on to the next page


def chapter_break(frame_height: float, needs: float | None = None) -> CondPageBreak:
    """Move to a new page only if less than ``needs`` is left, and never when the page is less than
    60 % full: ``needs`` is capped at 40 % of the frame."""
    room = (1 - MIN_FULL) * frame_height
    return CondPageBreak(min(needs if needs is not None else room, room))


class TocHeading(pdfkit.Heading):
    """A chapter heading that tells the document on which page it landed."""

    def __init__(self, text: str, pages: dict[str, int], key: str, level: int = 0,
                 style: ParagraphStyle | None = None) -> None:
        super().__init__(text, level, key=key, style=style)
        self._pages = pages

    def draw(self) -> None:
        self._pages.setdefault(self.outline_key, self.canv.getPageNumber())
        super().draw()


class Contents(Flowable):
    """The table of contents: one line per (key, title, level); page numbers filled in at the end."""

    SIZE, LEADING = 9, 13.5

    def __init__(self, entries: list[tuple[str, str, int]]) -> None:
        super().__init__()
        self.entries = entries

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        self.width = aW
        self.height = len(self.entries) * self.LEADING
        return aW, self.height

    def split(self, aW: float, aH: float) -> list[Flowable]:
        """A contents longer than the page (a round of up to 40 services lists a profile per service) goes
        on over the next pages."""
        n = int(aH // self.LEADING)
        if n <= 0 or n >= len(self.entries):
            return []
        return [Contents(self.entries[:n]), Contents(self.entries[n:])]

    def draw(self) -> None:
        c = self.canv
        y = self.height - self.SIZE
        for key, title, level in self.entries:
            indent = 14 * level
            font = pdfkit.FONT_BOLD if level == 0 else pdfkit.FONT
            c.setFont(font, self.SIZE)
            c.setFillColor(pdfkit.INK)
            room = self.width - indent - 30
            text = title
            while text and pdfmetrics.stringWidth(text, font, self.SIZE) > room:
                text = text[:-2] + "…"
            c.drawString(indent, y, text)
            end = indent + pdfmetrics.stringWidth(text, font, self.SIZE) + 4
            c.setStrokeColor(pdfkit.RULE)
            c.setDash(1, 2)
            c.line(end, y + 1, self.width - 24, y + 1)
            c.setDash()
            c.saveState()
            c.translate(self.width, y)
            c.doForm(_form(key))
            c.restoreState()
            y -= self.LEADING


def _form(key: str) -> str:
    return f"akToc_{key}"


class TocDoc(pdfkit.ReportDoc):
    """pdfkit's document with the page numbers of a ``Contents`` filled in when the build ends."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.toc_pages: dict[str, int] = {}
        self.toc_keys: list[str] = []

    def _draw_page_labels(self, canv: Canvas) -> None:
        super()._draw_page_labels(canv)
        for key in self.toc_keys:
            canv.beginForm(_form(key), lowerx=-60, lowery=-4, upperx=2, uppery=12)
            canv.setFont(pdfkit.FONT, Contents.SIZE)
            canv.setFillColor(pdfkit.INK)
            page = self.toc_pages.get(key)
            canv.drawRightString(0, 0, str(page) if page else "–")
            canv.endForm()
