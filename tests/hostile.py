"""A corpus of hostile and messy inputs, built by code (docs/security.md).

Every builder takes the good workbook (a filled, valid .xlsx) and a folder, writes one case into the
folder and returns its path. Cases are copies of the good workbook edited the way a person (openpyxl)
or an attacker (zip / XML level) would, plus files that are not workbooks at all. What each case must
yield is in tests/test_hostile.py; this module only builds.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import random
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from conftest import find_row

A, B, C, E = "A Smlouva", "B Základní činnosti", "C Personál a vrátnice", "E Supervize"
COVER, STAFF, META = "Úvod", "Personál", "_meta"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

Builder = Callable[[Path, Path], Path]
CASES: dict[str, Builder] = {}


def case(fn: Builder) -> Builder:
    CASES[fn.__name__] = fn
    return fn


# -- helpers ---------------------------------------------------------------------------------------
def rewrite_zip(src: Path, dst: Path, changes: dict[str, Any] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip member by member; ``changes[name]`` is new bytes, a function of the old ones, or None (drop)."""
    changes = changes or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in changes:
                change = changes[info.filename]
                if change is None:
                    continue
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def sheet_part(src: Path, sheet: str) -> str:
    """The zip part holding a sheet, found through xl/workbook.xml and its relationships."""
    with zipfile.ZipFile(src) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet [^>]*name="' + re.escape(escape(sheet)) + r'"[^>]*r:id="([^"]+)"', book).group(1)
    target = re.search(r'Target="([^"]+)"[^>]*Id="' + rid + '"', rels) or re.search(
        r'Id="' + rid + r'"[^>]*Target="([^"]+)"', rels
    )
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else posixpath.normpath(posixpath.join("xl", path))


def edit_sheet_xml(good: Path, dst: Path, sheet: str, change: Callable[[str], str]) -> Path:
    part = sheet_part(good, sheet)
    return rewrite_zip(good, dst, {part: lambda data: change(data.decode()).encode()})


def edited(good: Path, dst: Path, change: Callable[[Any], None]) -> Path:
    """A copy of the good workbook after ``change(openpyxl_workbook)``."""
    shutil.copy(good, dst)
    wb = openpyxl.load_workbook(dst)
    change(wb)
    wb.save(dst)
    return dst


def answer_cell(wb: Any, sheet: str, question_id: str, column: str = "C") -> str:
    return f"{column}{find_row(wb[sheet], question_id)}"


def put(wb: Any, sheet: str, question_id: str, value: Any, column: str = "C", *, text: bool = False) -> str:
    """Type a value into a question's answer (C) or comment (D) cell; ``text`` keeps '=…' a string."""
    ref = answer_cell(wb, sheet, question_id, column)
    wb[sheet][ref] = value
    if text:
        wb[sheet][ref].data_type = "s"
    return ref


def row_of(good: Path, sheet: str, question_id: str) -> int:
    return find_row(openpyxl.load_workbook(good, read_only=False)[sheet], question_id)


def replace_cell(xml: str, ref: str, new: str) -> str:
    """Replace the <c r="ref" …>…</c> (or <c …/>) element of a sheet's XML by ``new``."""
    pattern = re.compile(r'<c r="' + ref + r'"(?:[^>]*/>|[^>]*>.*?</c>)', re.DOTALL)
    if pattern.search(xml):
        return pattern.sub(new, xml, count=1)
    row = int(re.sub(r"[A-Z]", "", ref))
    return re.sub(r'(<row r="' + str(row) + r'"[^>]*>)', r"\1" + new.replace("\\", "\\\\"), xml, count=1)


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def last_row(xml: str) -> int:
    return max(int(r) for r in re.findall(r'<row r="(\d+)"', xml))


def append_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>", 1)


_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)
_XXE = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_doctype(xml: str, doctype: str, entity: str) -> str:
    """Put a DOCTYPE after the XML declaration and use the entity in the first text node."""
    root = xml.index("<", xml.index("?>") + 2) if xml.startswith("<?xml") else 0
    xml = xml[:root] + doctype + xml[root:]
    return re.sub(r"(<t[^>]*>)", r"\1" + entity, xml, count=1)


def to_shared_strings(good: Path, dst: Path, transform: Callable[[str], str] | None = None) -> Path:
    """The good workbook as Excel writes it: every text cell a shared string (xl/sharedStrings.xml)."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def share(match: re.Match[str]) -> str:
        text = match.group(3)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index[text]}</v></c>'

    cell = re.compile(r'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.DOTALL)
    changes: dict[str, Any] = {}
    with zipfile.ZipFile(good) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                changes[name] = cell.sub(share, zf.read(name).decode()).encode()
    sst = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{NS_MAIN}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">' + "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in strings) + "</sst>"
    )
    if transform:
        sst = transform(sst)
    changes["[Content_Types].xml"] = lambda d: d.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    )
    changes["xl/_rels/workbook.xml.rels"] = lambda d: d.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    return rewrite_zip(good, dst, changes, add={"xl/sharedStrings.xml": sst.encode()})


def write_raw_zip(dst: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written by hand: (name, deflated bytes, declared size, declared CRC) per member.

    Lets a case declare sizes that differ from what the data inflates to; sizes must stay < 4 GiB.
    """
    central = []
    with dst.open("wb") as out:
        for name, comp, size, crc in members:
            raw = name.encode()
            offset = out.tell()
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(comp), size, len(raw), 0))
            out.write(raw + comp)
            central.append((raw, crc, len(comp), size, offset))
        start = out.tell()
        for raw, crc, csize, size, offset in central:
            out.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, csize, size, len(raw),
                                  0, 0, 0, 0, 0, offset) + raw)
        end = out.tell()
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), end - start, start, 0))
    return dst


def _deflate(data: bytes) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def _repeated_deflate(head: bytes, chunk: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, size, CRC) of head + chunk × times + tail, built without deflating it all:
    the chunk is compressed once after a full flush (byte-aligned, no back references) and repeated."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = co.compress(head) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    last = co.compress(tail) + co.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * times + last, len(head) + len(chunk) * times + len(tail), crc


def make_zip_bomb(good: Path, dst: Path, sheet: str, size: int, *, lie: bool) -> Path:
    """The good workbook with one sheet part inflating to ``size`` bytes of repeated <row/> elements.

    With ``lie`` the zip declares the part's original size and CRC: the data inflates far past both.
    """
    part = sheet_part(good, sheet)
    chunk = b"<row/>" * (1 << 18)  # 1.5 MiB
    members = []
    with zipfile.ZipFile(good) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == part:
                head, tail = data.split(b"<sheetData>")
                comp, real, crc = _repeated_deflate(head + b"<sheetData>", chunk, size // len(chunk), tail)
                declared, crc = (len(data), zlib.crc32(data)) if lie else (real, crc)
                members.append((info.filename, comp, declared, crc))
            else:
                members.append((info.filename, _deflate(data), len(data), zlib.crc32(data)))
    return write_raw_zip(dst, members)


def ole_file(dst: Path, streams: dict[str, bytes]) -> Path:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding ``streams`` (each ≥ 4096 bytes,
    so no mini stream is needed): enough for anything that looks at the directory, as an encrypted
    .xlsx's EncryptionInfo / EncryptedPackage streams are found."""
    names = list(streams)
    assert len(names) <= 3 and all(len(d) >= 4096 for d in streams.values())
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sect, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for data in streams.values():
        count = -(-len(data) // 512)
        first = len(fat)
        starts.append(first)
        fat += [first + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (128 - len(fat))
    header = struct.pack(
        "<8s16s6H10L", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\0" * 16, 0x3E, 3, 0xFFFE, 9, 6, 0,
        0, 0, 1, 1, 0, 4096, end, 0, end, 0,
    ) + struct.pack("<109L", 0, *([free] * 108))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack("<64sHBBLLL16sL8s8sLLL", raw, len(raw), kind, 1, left, right, child, b"\0" * 16, 0,
                           b"\0" * 8, b"\0" * 8, start, size, 0)

    # a degenerate red-black tree: every stream the right sibling of the previous one
    directory = entry("Root Entry", 5, nostream, nostream, 1, end, 0)
    for i, (name, data) in enumerate(streams.items()):
        right = i + 2 if i + 1 < len(names) else nostream
        directory += entry(name, 2, nostream, right, nostream, starts[i], len(data))
    directory += b"\0" * (512 - len(directory))
    body = b"".join(data + b"\0" * (-len(data) % 512) for data in streams.values())
    dst.write_bytes(header + struct.pack("<128L", *fat) + directory + body)
    return dst


def soffice_convert(good: Path, folder: Path, fmt: str) -> Path:
    """The good workbook saved by LibreOffice as .xls or .ods (skips the calling test without soffice)."""
    import pytest

    cached = _CONVERTED.get((good, fmt))
    if cached is not None and cached.exists():
        return Path(shutil.copy(cached, folder / cached.name))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = folder / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt, "--outdir", str(folder),
         str(good)], capture_output=True, timeout=120, check=False,
    )
    out = folder / f"{good.stem}.{fmt}"
    if not out.exists():
        pytest.skip(f"soffice could not convert to {fmt}")
    shutil.rmtree(profile, ignore_errors=True)
    _CONVERTED[(good, fmt)] = out
    return out


_CONVERTED: dict[tuple[Path, str], Path] = {}  # one conversion per session and format


# -- not workbooks ---------------------------------------------------------------------------------
@case
def empty(good: Path, folder: Path) -> Path:
    path = folder / "empty.xlsx"
    path.write_bytes(b"")
    return path


@case
def random_bytes(good: Path, folder: Path) -> Path:
    path = folder / "random.xlsx"
    path.write_bytes(random.Random(7).randbytes(8192))
    return path


@case
def csv_renamed(good: Path, folder: Path) -> Path:
    path = folder / "export.xlsx"
    path.write_text("ID;Odpověď;Komentář\nA02;ano;\nE02;11;zápisy\n", encoding="utf-8")
    return path


@case
def docx_renamed(good: Path, folder: Path) -> Path:
    path = folder / "zprava.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return path


@case
def ole_not_workbook(good: Path, folder: Path) -> Path:
    return ole_file(folder / "dopis.xls", {"WordDocument": b"\x00" * 4096})


# -- damaged ---------------------------------------------------------------------------------------
@case
def truncated_zip(good: Path, folder: Path) -> Path:
    path = folder / "truncated.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


@case
def missing_workbook_part(good: Path, folder: Path) -> Path:
    return rewrite_zip(good, folder / "no-workbook-part.xlsx", {"xl/workbook.xml": None})


@case
def missing_sheet_part(good: Path, folder: Path) -> Path:
    return rewrite_zip(good, folder / "no-sheet-part.xlsx", {sheet_part(good, B): None})


# -- locked ----------------------------------------------------------------------------------------
@case
def password_protected(good: Path, folder: Path) -> Path:
    """An encrypted .xlsx as Excel saves it: an OLE file with EncryptionInfo and EncryptedPackage."""
    info = struct.pack("<HHL", 4, 4, 0x40) + b"<encryption/>".ljust(4088, b" ")
    package = struct.pack("<Q", len(good.read_bytes())) + random.Random(1).randbytes(8184)
    return ole_file(folder / "heslo.xlsx", {"EncryptionInfo": info, "EncryptedPackage": package})


@case
def zip_encrypted_member(good: Path, folder: Path) -> Path:
    """A zip whose members carry the (ZipCrypto) encryption flag, set in the local and central headers."""
    path = folder / "zip-heslo.xlsx"
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        offsets = [info.header_offset for info in zf.infolist()]
    for offset in offsets:
        data[offset + 6] |= 0x1
    start = data.find(b"PK\x01\x02")
    while start != -1:
        data[start + 8] |= 0x1
        start = data.find(b"PK\x01\x02", start + 4)
    path.write_bytes(bytes(data))
    return path


# -- other formats ---------------------------------------------------------------------------------
@case
def xls_from_libreoffice(good: Path, folder: Path) -> Path:
    return soffice_convert(good, folder, "xls")


@case
def ods_from_libreoffice(good: Path, folder: Path) -> Path:
    return soffice_convert(good, folder, "ods")


@case
def ods_repeated_cells(good: Path, folder: Path) -> Path:
    """An .ods with one value repeated over 100,000 rows × 50 columns (a few bytes of XML)."""
    ods = soffice_convert(good, folder, "ods")
    row = ('<table:table-row table:number-rows-repeated="100000"><table:table-cell table:number-columns-repeated="50" '
           'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')
    return rewrite_zip(ods, folder / "repeated.ods", {"content.xml": lambda d: d.replace(
        b"</table:table>", row.encode() + b"</table:table>", 1)})


# -- bombs -----------------------------------------------------------------------------------------
@case
def zip_bomb(good: Path, folder: Path) -> Path:
    """A sheet part of 2 GiB (honestly declared) in a ~2 MiB file."""
    return make_zip_bomb(good, folder / "bomb.xlsx", B, 2 << 30, lie=False)


@case
def zip_bomb_lying(good: Path, folder: Path) -> Path:
    """A sheet part declared as its original ~14 KiB that inflates to 256 MiB."""
    return make_zip_bomb(good, folder / "bomb-lying.xlsx", B, 256 << 20, lie=True)


@case
def billion_laughs_sheet(good: Path, folder: Path) -> Path:
    return edit_sheet_xml(good, folder / "laughs-sheet.xlsx", B, lambda x: _with_doctype(x, _LAUGHS, "&lol9;"))


@case
def billion_laughs_shared_strings(good: Path, folder: Path) -> Path:
    return to_shared_strings(good, folder / "laughs-sst.xlsx", lambda x: _with_doctype(x, _LAUGHS, "&lol9;"))


@case
def external_entity_sheet(good: Path, folder: Path) -> Path:
    return edit_sheet_xml(good, folder / "xxe-sheet.xlsx", B, lambda x: _with_doctype(x, _XXE, "&xxe;"))


@case
def external_entity_shared_strings(good: Path, folder: Path) -> Path:
    return to_shared_strings(good, folder / "xxe-sst.xlsx", lambda x: _with_doctype(x, _XXE, "&xxe;"))


@case
def doctype_after_comment(good: Path, folder: Path) -> Path:
    """The DOCTYPE hidden behind a comment and a processing instruction in xl/workbook.xml."""
    def change(data: bytes) -> bytes:
        text = data.decode()
        root = text.index("<workbook")
        return (text[:root] + "<!-- " + "x" * 5000 + " --><?pi x?>\n" + _XXE + text[root:]).encode()

    return rewrite_zip(good, folder / "xxe-workbook.xlsx", {"xl/workbook.xml": change})


@case
def doctype_utf16(good: Path, folder: Path) -> Path:
    """A sheet part re-encoded as UTF-16 with a DOCTYPE: a byte scan for '<!DOCTYPE' would miss it."""
    def change(data: bytes) -> bytes:
        text = data.decode()
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"') if text.startswith("<?xml") else text
        return _with_doctype(text, _XXE, "&xxe;").encode("utf-16")

    return rewrite_zip(good, folder / "xxe-utf16.xlsx", {sheet_part(good, B): change})


@case
def shared_string_bomb(good: Path, folder: Path) -> Path:
    """One 1-MB shared string referenced by 2,000 cells: a 60 KiB file that would expand to 2 GB."""
    def change(sst: str) -> str:
        return sst.replace("<si>", "<si><t>" + "x" * 1_000_000 + "</t></si><si>", 1).replace(
            'count="', 'count="1', 1)

    path = to_shared_strings(good, folder / "sst-bomb.xlsx", change)
    refs = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "FGHIJKLMNOPQRSTUVWXY") + "</row>"
        for r in range(200, 300)
    )
    part = sheet_part(path, E)
    return rewrite_zip(path, folder / "sst-bomb2.xlsx", {part: lambda d: append_rows(d.decode(), refs).encode()})


# -- too big ---------------------------------------------------------------------------------------
@case
def rows_60000(good: Path, folder: Path) -> Path:
    """60,000 extra rows with a value under the questions of an area sheet."""
    def change(xml: str) -> str:
        start = last_row(xml) + 1
        rows = "".join(f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>x</t></is></c></row>'
                       for r in range(start, start + 60_000))
        return append_rows(xml, rows)

    return edit_sheet_xml(good, folder / "rows-60000.xlsx", B, change)


@case
def formatted_rows_60000(good: Path, folder: Path) -> Path:
    """60,000 formatted but empty rows (a whole column formatted): nothing to read, nothing refused."""
    def change(xml: str) -> str:
        start = last_row(xml) + 1
        rows = "".join(f'<row r="{r}"><c r="C{r}" s="1"/><c r="D{r}" s="1"/></row>' for r in range(start, start + 60_000))
        return append_rows(xml, rows)

    return edit_sheet_xml(good, folder / "formatted-rows.xlsx", B, change)


@case
def far_cell(good: Path, folder: Path) -> Path:
    """A stray value in XFD200: calamine would allocate 200 × 16,384 cells."""
    return edit_sheet_xml(good, folder / "far-cell.xlsx", E, lambda x: append_rows(x, '<row r="200">' + inline("XFD200", "x") + "</row>"))


@case
def far_cell_hidden_in_attribute(good: Path, folder: Path) -> Path:
    """A far cell whose tag carries an attribute value with '/>' in it (defeats naive tag scanning)."""
    cell = '<c s="1" x="/>" r="XFD4000"><v>1</v></c>'
    return edit_sheet_xml(good, folder / "far-cell-attr.xlsx", E, lambda x: append_rows(x, f'<row r="4000">{cell}</row>'))


@case
def far_cell_without_reference(good: Path, folder: Path) -> Path:
    """Cells without r on row 1,048,576: placed by position only."""
    return edit_sheet_xml(good, folder / "far-no-ref.xlsx", E,
                          lambda x: append_rows(x, '<row r="1048576"><c><v>1</v></c><c><v>2</v></c></row>'))


@case
def far_cell_prefixed(good: Path, folder: Path) -> Path:
    """A far cell written with a namespace prefix (<x:c>), as some generators do."""
    cell = f'<x:row xmlns:x="{NS_MAIN}" r="900000"><x:c r="A900000"><x:v>1</x:v></x:c></x:row>'
    return edit_sheet_xml(good, folder / "far-prefixed.xlsx", E, lambda x: append_rows(x, cell))


@case
def far_cell_second_reference(good: Path, folder: Path) -> Path:
    """A cell tag with two r attributes: calamine places the cell by the last one (XFD1048576)."""
    cell = '<c r="C70" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'
    return edit_sheet_xml(good, folder / "far-second-ref.xlsx", E, lambda x: append_rows(x, f'<row r="70">{cell}</row>'))


@case
def far_cell_second_reference_quoted(good: Path, folder: Path) -> Path:
    """The same with single quotes and spaces around '=', which the plain-form scan does not accept."""
    cell = "<c r = 'C70' s='1' r='XFD1048576'><v>1</v></c>"
    return edit_sheet_xml(good, folder / "far-second-ref-q.xlsx", E, lambda x: append_rows(x, f'<row r="70">{cell}</row>'))


@case
def cell_in_row_0(good: Path, folder: Path) -> Path:
    """A cell in row 0, which no program writes and calamine cannot place."""
    return edit_sheet_xml(good, folder / "row-0.xlsx", E, lambda x: append_rows(x, '<row r="70">' + inline("A0", "x") + "</row>"))


@case
def many_sheets(good: Path, folder: Path) -> Path:
    def change(wb: Any) -> None:
        for i in range(60):
            wb.create_sheet(f"Navíc {i}")

    return edited(good, folder / "many-sheets.xlsx", change)


@case
def many_merged_ranges(good: Path, folder: Path) -> Path:
    merges = "".join(f'<mergeCell ref="H{r}:I{r}"/>' for r in range(1, 3001))

    def change(xml: str) -> str:
        if "<mergeCells" in xml:
            return re.sub(r"<mergeCells[^>]*>", "<mergeCells>" + merges, xml, count=1)
        return xml.replace("</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>", 1)

    return edit_sheet_xml(good, folder / "many-merged.xlsx", E, change)


# -- messy, but a person's doing -------------------------------------------------------------------
@case
def formula_errors(good: Path, folder: Path) -> Path:
    def change(xml: str) -> str:
        row = find_row_xml(xml, "E02")
        xml = replace_cell(xml, f"C{row}", f'<c r="C{row}" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
        row = find_row_xml(xml, "E03")
        return replace_cell(xml, f"C{row}", f'<c r="C{row}" t="e"><f>VLOOKUP(1,A1:A2,2,0)</f><v>#N/A</v></c>')

    return edit_sheet_xml(good, folder / "formula-errors.xlsx", E, change)


@case
def merged_answer(good: Path, folder: Path) -> Path:
    def change(wb: Any) -> None:
        ref = answer_cell(wb, A, "A06")
        wb[A].merge_cells(f"{ref}:D{ref[1:]}")

    return edited(good, folder / "merged.xlsx", change)


@case
def hidden_area_sheet(good: Path, folder: Path) -> Path:
    return edited(good, folder / "hidden.xlsx", lambda wb: setattr(wb[E], "sheet_state", "hidden"))


@case
def very_hidden_area_sheet(good: Path, folder: Path) -> Path:
    return edited(good, folder / "very-hidden.xlsx", lambda wb: setattr(wb[E], "sheet_state", "veryHidden"))


@case
def renamed_sheet(good: Path, folder: Path) -> Path:
    return edited(good, folder / "renamed.xlsx", lambda wb: setattr(wb[E], "title", "Supervize 2023"))


@case
def deleted_sheet(good: Path, folder: Path) -> Path:
    return edited(good, folder / "deleted.xlsx", lambda wb: wb.remove(wb[E]))


@case
def duplicated_sheet(good: Path, folder: Path) -> Path:
    def change(wb: Any) -> None:
        wb.security = None
        wb.copy_worksheet(wb[E]).title = "E Supervize (2)"

    return edited(good, folder / "duplicated.xlsx", change)


@case
def version_from_the_future(good: Path, folder: Path) -> Path:
    return edited(good, folder / "future.xlsx", lambda wb: wb[META].__setitem__("B2", "99.0"))


@case
def invisible_characters(good: Path, folder: Path) -> Path:
    """NBSP, zero-width and bidi characters around otherwise good answers."""
    def change(wb: Any) -> None:
        put(wb, A, "A02", "\u200bano\u00a0")
        put(wb, A, "A03", "\u202bčástečně\u202c")
        put(wb, E, "E02", "\u200e11\u200f")
        put(wb, C, "C03", "3,8\u00a0")
        put(wb, COVER, "service_name", "Azylový\u00a0dům \u2066Jasmín\u2069\ufeff")
        put(wb, A, "A02", "doloženo\u00a0smlouvou\u200d", column="D")

    return edited(good, folder / "invisible.xlsx", change)


@case
def long_comment(good: Path, folder: Path) -> Path:
    return edited(good, folder / "long-comment.xlsx",
                  lambda wb: put(wb, A, "A03", ("Zápis z porady. " * 2000)[:32_000], column="D"))


@case
def extreme_numbers(good: Path, folder: Path) -> Path:
    """1e308, NaN and inf in number answers (NaN and inf only exist at the XML level) and a negative FTE."""
    step = edited(good, folder / "_numbers.xlsx", lambda wb: (put(wb, E, "E02", 1e308), wb[STAFF].__setitem__("B5", -1)))

    def change(xml: str) -> str:
        row = find_row_xml(xml, "C03")
        xml = replace_cell(xml, f"C{row}", f'<c r="C{row}"><v>NaN</v></c>')
        row = find_row_xml(xml, "C01")
        return replace_cell(xml, f"C{row}", f'<c r="C{row}"><v>inf</v></c>')

    path = edit_sheet_xml(step, folder / "numbers.xlsx", C, change)
    step.unlink()
    return path


@case
def dates_before_1900(good: Path, folder: Path) -> Path:
    """A date typed as text before 1900 (what Excel keeps) and a native one openpyxl stores as -18,260."""
    def change(wb: Any) -> None:
        put(wb, COVER, "audit_date", "1. 1. 1850")
        put(wb, E, "E12", dt.date(1850, 1, 1))

    return edited(good, folder / "dates-1850.xlsx", change)


TEXT_LIKE_FORMULAS = {
    "A02": "=SUM(A1:A9) je jen text",
    "A03": "+1 bod navíc za metodiku",
    "A06": "- viz zápis z porady",
    "A07": "@vedoucí: doplnit",
    "A08": "<b>tučně</b> & <para>odstavec</para> &amp; &lt;",
}


@case
def formula_like_text(good: Path, folder: Path) -> Path:
    """Comments that start like formulas or look like markup, stored as text (legitimately fine)."""
    def change(wb: Any) -> None:
        for qid, text in TEXT_LIKE_FORMULAS.items():
            put(wb, A, qid, text, column="D", text=True)

    return edited(good, folder / "formula-like.xlsx", change)


@case
def uncalculated_formula(good: Path, folder: Path) -> Path:
    """A real formula without a cached result (written by a program that does not calculate)."""
    return edited(good, folder / "formula.xlsx",
                  lambda wb: put(wb, A, "A02", '=HYPERLINK("http://example.org","metodika")', column="D"))


@case
def shared_strings(good: Path, folder: Path) -> Path:
    """The good workbook with every text in xl/sharedStrings.xml, as Excel writes it."""
    return to_shared_strings(good, folder / "shared-strings.xlsx")


def find_row_xml(xml: str, question_id: str) -> int:
    """The row of a question ID in column A of a sheet's XML (inline or shared strings)."""
    m = re.search(r'<c r="A(\d+)"[^>]*t="inlineStr"><is><t[^>]*>' + re.escape(question_id) + "</t>", xml)
    return int(m.group(1))

