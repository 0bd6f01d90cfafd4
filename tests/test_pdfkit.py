"""The ReportLab building blocks: one 3-page document using all of them, checked with pypdf."""

from __future__ import annotations

import re

import pdfcheck
import pytest
from pypdf import PdfReader
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph, Spacer

from auditkit.reports import pdfkit

CZECH = "Příliš žluťoučký kůň úpěl ďábelské ódy – ŘŠČŽÝÁÍÉŮÚŇŤĎ"
AUDITOR = "<b>&<para>"


def build_document(path) -> None:
    st = pdfkit.styles()
    doc = pdfkit.ReportDoc(
        str(path), title="Zpráva o procesním auditu", author="Auditní tým", subject="Azylový dům Test",
        keywords=["audit", "azylový dům"], creator="auditkit test", lang="cs-CZ",
        header_right="Azylový dům Příliš žluťoučký", footer_left="Důvěrné",
        page_label="Strana {page} z {pages}",
    )
    w = doc.width
    story = [
        Paragraph(pdfkit.esc("Zpráva o procesním auditu"), st["title"]),
        pdfkit.heading("Souhrn", 0),
        Paragraph(pdfkit.esc(CZECH), st["body"]),
        Paragraph("Komentář auditora: " + pdfkit.esc(AUDITOR), st["body"]),
        Paragraph(pdfkit.esc("první řádek\ndruhý řádek"), st["small"]),
        Paragraph("<b>Tučně</b> a <i>kurzívou</i>", st["body"]),
        pdfkit.heading("Skóre oblastí", 1),
        pdfkit.hbar_chart(
            ["Individuální plánování a práce s klientem", "Personální zajištění", "Bezpečí dětí",
             "Ubytování", "Stížnosti"],
            [82, 64.5, 41, None, 100],
            colors=["#2E7D32", "#F9A825", "#C62828", None, "#2E7D32"], width=w,
        ),
        Paragraph(pdfkit.esc("Poznámka: hodnoty jsou v procentech."), st["note"]),
        PageBreak(),
        pdfkit.heading("Srovnání s regionem", 0),
        pdfkit.range_chart(
            [("Individuální plánování", 78, 65, 40, 92), ("Personál", 55, 60, 30, 85),
             ("Bezpečí dětí (potlačeno)", 70, None, None, None), ("Ubytování", None, 50, 20, 80)],
            width=w, legend=("Vlastní výsledek", "Medián kraje", "Rozpětí min–max"),
        ),
        Spacer(1, 0.5 * cm),
        pdfkit.heading("Obsazenost a personál", 1),
        pdfkit.scatter_chart(
            [(12, 0.8), (20, 1.4), (35, 2.1), (28, 1.2), (15, 1.9)],
            "Počet lůžek", "Úvazky na 10 lůžek",
            labels=["Dům A", "Dům B", "Dům C", "Dům D", "Dům Ř"], width=w, height=7 * cm,
        ),
        PageBreak(),
        pdfkit.heading("Zjištění", 0),
        pdfkit.table(
            [["Oblast", "Otázka", "Odpověď", "Hodnocení"],
             ["Supervize", AUDITOR, "ano", pdfkit.verdict_cell("Splněno", "#2E7D32")],
             ["Personál", CZECH, "ne", pdfkit.verdict_cell("Nesplněno", "#C62828")],
             ["Bezpečí", "Dlouhý text, " * 12, 3, pdfkit.verdict_cell("Částečně", "#F9C74F")],
             ["Ubytování", None, 2.5, "—"]],
            [3 * cm, w - 9.5 * cm, 2.5 * cm, 4 * cm], align=["LEFT", "LEFT", "RIGHT", "CENTER"],
        ),
    ]
    doc.build(story)


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdfkit") / "doc.pdf"
    build_document(path)
    return PdfReader(str(path))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_text_is_searchable_and_printed_as_typed(pdf):
    assert len(pdf.pages) == 3
    text = _text(pdf)
    assert CZECH in text
    assert AUDITOR in text
    assert "první řádek druhý řádek" in text


def test_footer_has_page_of_pages(pdf):
    for n, page in enumerate(pdf.pages, start=1):
        assert f"Strana {n} z 3" in " ".join(page.extract_text().split())


def test_metadata_language_outline(pdf):
    meta = pdf.metadata
    assert meta.title == "Zpráva o procesním auditu"
    assert meta.author == "Auditní tým"
    assert meta.subject == "Azylový dům Test"
    assert "azylový dům" in meta["/Keywords"]
    assert meta.creator == "auditkit test"
    catalog = pdf.trailer["/Root"]
    assert catalog["/Lang"] == "cs-CZ"
    assert catalog["/PageMode"] == "/UseOutlines"

    assert pdfcheck.outline_titles(pdf) == [
        "Souhrn", "Skóre oblastí", "Srovnání s regionem", "Obsazenost a personál", "Zjištění"]
    assert isinstance(pdf.outline[1], list)  # the level-1 heading is nested under "Souhrn"
    assert [pdf.get_destination_page_number(d) for d in (pdf.outline[0], pdf.outline[4])] == [0, 2]


def test_every_font_is_embedded_dejavu(pdf):
    pdfcheck.assert_embedded_dejavu(pdf)


def test_czech_characters_have_real_glyphs(pdf):
    # In the shipped font itself ...
    pdfkit.register_fonts()
    face = pdfmetrics.getFont(pdfkit.FONT).face
    assert all(face.charToGlyph.get(ord(ch), 0) != 0 for ch in CZECH)
    # ... and in the subsets embedded in the PDF.
    assert set(CZECH) - {" "} <= pdfcheck.covered_characters(pdf)


def test_esc_and_heading_levels():
    assert pdfkit.esc("a < b & c > d\nnext") == "a &lt; b &amp; c &gt; d<br/>next"
    with pytest.raises(ValueError):
        pdfkit.heading("x", 2)


def test_cells_that_carry_a_colour_get_their_background():
    """verdict_cell, and any flowable with a ``background``, paints its own cell (and only it)."""
    from reportlab.lib.colors import HexColor

    mark = Spacer(1, 1)
    mark.background = HexColor("#C62828")
    t = pdfkit.table([["a", "b", "c"], ["x", pdfkit.verdict_cell("dobré", "#2E7D32"), mark]], [60, 60, 60],
                     align=["LEFT", "CENTER", "RIGHT"])
    painted = {(cmd[1], cmd[2], cmd[3].hexval()) for cmd in t._bkgrndcmds if cmd[0] == "BACKGROUND"}
    assert ((1, 1), (1, 1), HexColor("#2E7D32").hexval()) in painted
    assert ((2, 1), (2, 1), HexColor("#C62828").hexval()) in painted
    assert t._cellvalues[1][1].style.alignment == 1  # centred, as its column


def _long_table_pages(path, make) -> list[list[str]]:
    """The text lines of every page of a document holding one long table after a paragraph."""
    st = pdfkit.styles()
    doc = pdfkit.ReportDoc(str(path), title="t", page_label="{page}/{pages}")
    w = doc.width
    rows = [["Č.", "Služba", "Skóre"]]
    for i in range(230):  # some names wrap onto a second line: rows of two heights
        name = f"Azylový dům č. {i}" + (" s dlouhým názvem, který se zalomí do druhého řádku" * (i % 7 == 0))
        rows.append([str(i), name, pdfkit.verdict_cell(f"{i % 100}", "#2E7D32") if i % 3 else f"{i % 100}"])
    rows.append(["", "Medián", "50"])
    doc.build([Paragraph("Úvod " * 60, st["body"]),
               make(rows, [1.5 * cm, w - 4.5 * cm, 3 * cm], style=[("LINEABOVE", (0, -1), (-1, -1), 1, pdfkit.ACCENT)])])
    return [page.extract_text().splitlines() for page in PdfReader(str(path)).pages]


def test_a_paged_table_lays_out_as_one_long_table(tmp_path):
    """paged_table (pieces of one page each) gives the pages a single ReportLab table gives: the same rows
    on the same pages, the header on each, every row once and in order."""
    whole = _long_table_pages(tmp_path / "whole.pdf",
                              lambda rows, widths, style: pdfkit.table(rows, widths, style_extra=style))
    paged = _long_table_pages(tmp_path / "paged.pdf",
                              lambda rows, widths, style: pdfkit.paged_table(rows[:1], rows[1:], widths,
                                                                             style_last=style))
    lazy = _long_table_pages(tmp_path / "lazy.pdf", lambda rows, widths, style: pdfkit.paged_table(
        rows[:1], pdfkit.LazyRows(len(rows) - 1, lambda i: rows[i + 1]), widths, style_last=style))
    assert len(paged) > 5
    assert paged == whole
    assert lazy == whole  # rows made only while their page is laid out: the same pages
    numbers = [int(m.group(1)) for page in paged for line in page if (m := re.match(r"Azylový dům č\. (\d+)", line))]
    assert numbers == list(range(230))
    assert all(page[2:5] == ["Č.", "Služba", "Skóre"] for page in paged[1:])  # the header on every page
    assert paged[-1][-2:] == ["Medián", "50"]  # the last row closes the last piece


def test_a_paged_table_stripes_run_on_across_pieces():
    """Each piece starts its stripes where the previous piece stopped."""
    rows = [["a"], *[[str(i)] for i in range(5)]]
    odd = pdfkit.table(rows, [2 * cm], first_row=3)
    even = pdfkit.table(rows, [2 * cm], first_row=0)
    def stripes(t):
        return next(c[3] for c in t._bkgrndcmds if c[0] == "ROWBACKGROUNDS")
    assert stripes(odd) == list(reversed(stripes(even)))
