"""Shared checks on generated PDFs: fonts used, embedded, and a real glyph for every character."""

from __future__ import annotations

import re
import struct

from pypdf import PdfReader

STANDARD_14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
    "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
    "Times-BoldItalic", "Symbol", "ZapfDingbats",
}


def fonts(reader: PdfReader) -> dict:
    """Every font a page or one of its form XObjects uses: {BaseFont: font dict}."""
    seen = {}

    def walk(resources):
        resources = resources.get_object() if resources is not None else {}
        for ref in (resources.get("/Font") or {}).values():
            seen[str(ref.get_object()["/BaseFont"])] = ref.get_object()
        for xobj in (resources.get("/XObject") or {}).values():
            xobj = xobj.get_object()
            if xobj.get("/Subtype") == "/Form" and "/Resources" in xobj:
                walk(xobj["/Resources"])

    for page in reader.pages:
        walk(page.get("/Resources"))
    return seen


def to_unicode(font) -> dict[str, int]:
    """Character → code in a subset font, from its /ToUnicode CMap."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[bytes.fromhex(uni).decode("utf-16-be")] = int(code, 16)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for lo, hi, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[chr(int(uni, 16) + k)] = code
    return out


def code_to_glyph(font_file: bytes) -> dict[int, int]:
    """Code → glyph id from the (1, 0) format-6 cmap ReportLab writes into its subsets.

    Read by hand: ReportLab's TTFontFile reads format 6 with codes and glyph ids swapped.
    """
    num_tables = struct.unpack(">H", font_file[4:6])[0]
    for k in range(num_tables):
        tag, _, offset, _ = struct.unpack(">4sIII", font_file[12 + 16 * k: 28 + 16 * k])
        if tag == b"cmap":
            break
    else:
        raise AssertionError("embedded font has no cmap")
    count = struct.unpack(">H", font_file[offset + 2: offset + 4])[0]
    for k in range(count):
        _, _, sub = struct.unpack(">HHI", font_file[offset + 4 + 8 * k: offset + 12 + 8 * k])
        start = offset + sub
        fmt = struct.unpack(">H", font_file[start: start + 2])[0]
        assert fmt == 6, f"unexpected cmap format {fmt}"
        first, entries = struct.unpack(">HH", font_file[start + 6: start + 10])
        glyphs = struct.unpack(f">{entries}H", font_file[start + 10: start + 10 + 2 * entries])
        return {first + i: g for i, g in enumerate(glyphs)}
    raise AssertionError("embedded font has an empty cmap")


def assert_embedded_dejavu(reader: PdfReader) -> None:
    used = fonts(reader)
    assert used
    for base_font, font in used.items():
        assert base_font.lstrip("/").split("+")[-1] not in STANDARD_14, base_font
        assert "DejaVu" in base_font, base_font
        assert "/FontFile2" in font["/FontDescriptor"], base_font


def covered_characters(reader: PdfReader) -> set[str]:
    """Characters that map to a glyph other than .notdef in some embedded subset."""
    covered = set()
    for font in fonts(reader).values():
        glyphs = code_to_glyph(font["/FontDescriptor"]["/FontFile2"].get_object().get_data())
        for ch, code in to_unicode(font).items():
            if glyphs.get(code, 0) != 0:
                covered.add(ch)
    return covered


def outline_titles(reader: PdfReader) -> list[str]:
    """Every bookmark title, nested levels flattened in reading order."""

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item.title

    return list(walk(reader.outline))
