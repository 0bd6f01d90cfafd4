"""Read a workbook into plain cells with the coordinates a person sees in Excel.

The only code that opens filled workbooks, which are untrusted input (docs/security.md). Nothing is
parsed before the container passed its checks, and every problem becomes a :class:`ReadError` with a
catalogue code:

* the file: a regular file, not empty, at most ``MAX_FILE_BYTES``, recognised by its first bytes
  (zip, OLE), never by its name;
* the zip: member count, declared sizes (both Python's zipfile and calamine's zip crate refuse to
  inflate a member past its declared size, so a declared size is a real bound), compression ratio,
  only stored/deflate members, no zip-level encryption, every worksheet part present;
* XML: no DOCTYPE in any part (no entity definitions, hence no entity expansion and no external
  entities; calamine rejects undeclared entities anyway), checked on the prolog only, since a
  DOCTYPE must come before the root element;
* worksheets (.xlsx): before python-calamine builds its dense grid, every ``<c>`` element is counted
  and located, so a stray value in XFD1048576 or 60,000 extra rows are refused with the sheet and the
  cell instead of allocating gigabytes; shared strings repeated in many cells are bounded too.

.xls and .ods cannot be checked that cheaply (binary BIFF records; ODS repeats cells by attribute),
so they are read by python-calamine in a child process under a memory and time limit.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import os
import re
import stat
import struct
import subprocess
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditkit.excel import sandbox_child
from auditkit.excel.normalize import as_percent, normalize_cell, normalize_row

# Limits on what a workbook may hold; an audit workbook is ~40 KiB zipped, ~170 KiB of XML, < 100 rows
# and 5 columns per sheet. See docs/security.md for what each guarantees.
MAX_FILE_BYTES = 20 * 1024 * 1024  # on disk
MAX_MEMBER_BYTES = 32 * 1024 * 1024  # one part, uncompressed (as declared, and enforced while inflating)
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # all parts, uncompressed
MAX_RATIO = 200  # uncompressed / compressed for any part above 1 MiB
MAX_MEMBERS = 2000
MAX_SHEETS = 60
MAX_ROWS = 5000  # last row holding a value, per sheet
MAX_COLS = 60  # columns kept per sheet (values further right are not read)
MAX_CELLS = 2_000_000  # rows × columns spanned by a sheet's values (python-calamine allocates them all)
MAX_MERGED = sandbox_child.MAX_MERGED  # merged ranges per sheet
MAX_TREE_BYTES = 4 * 1024 * 1024  # xl/workbook.xml and its relationships, parsed whole (~3 KiB normally)
MAX_TEXT_CHARS = 64_000_000  # shared-string text once copied into every cell that uses it
SANDBOX_MEMORY = 480 * 1024 * 1024  # address space of the child reading .xls / .ods
SANDBOX_SECONDS = 30

_ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SCAN = 64 * 1024  # the prolog (declaration, comments, DOCTYPE) must end within this


@dataclass(frozen=True)
class Phrase:
    """Words inside a ReadError's message, given per language by the catalogue (the code's ``phrases``)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def _words(key: str, **params: Any) -> Phrase:
    return Phrase(key, params)


class ReadError(Exception):
    """A file that cannot be used; ``params`` fill the catalogue message (and may name sheet/cell).

    ``detail`` and the params are plain values (a part name, a size, what a library said) or a
    :class:`Phrase` for words, which the catalogue has in every language.
    """

    def __init__(self, code: str, detail: str | Phrase = "", **params: Any) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.params = params


@dataclass
class Sheet:
    name: str
    visible: bool
    rows: list[list[Any]]  # rows[r][c] is Excel cell (r+1, c+1); values normalised
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)
    truncated: bool = False

    def get(self, row: int, col: int) -> Any:
        """Value at 0-based (row, col), None outside the used area."""
        if 0 <= row < len(self.rows):
            r = self.rows[row]
            if 0 <= col < len(r):
                return r[col]
        return None


@dataclass
class Book:
    path: Path
    sheets: dict[str, Sheet]
    sha256: str = ""  # of the bytes that were read (the file is read once)


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@functools.lru_cache(maxsize=4096)
def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → 'C7'."""
    return f"{col_letter(col)}{row + 1}"


def _human_bytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


# -- the file --------------------------------------------------------------------------------------
def _load(path: Path) -> bytes:
    """The whole file (at most ``MAX_FILE_BYTES``): read once, checked and parsed from memory."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a folder, FIFO or device: never opened (a FIFO would block)
            raise ReadError("file_not_workbook", _words("not_a_file"))
        if st.st_size == 0:
            raise ReadError("file_empty")
        if st.st_size > MAX_FILE_BYTES:
            raise ReadError("file_too_large", _human_bytes(st.st_size), limit=_human_bytes(MAX_FILE_BYTES))
        with path.open("rb") as fh:
            data = fh.read(st.st_size + 1)  # a buffer of the size stat gave (not of the limit: 20 MiB each time)
            if len(data) > st.st_size:  # the file has grown since stat
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
    except OSError:
        raise ReadError("file_missing") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReadError("file_too_large", _human_bytes(len(data)), limit=_human_bytes(MAX_FILE_BYTES))
    if not data:
        raise ReadError("file_empty")
    return data


def sniff(data: bytes) -> str:
    """'zip', 'ole' or raise ReadError for what is not a workbook at all (by the first bytes, never the name)."""
    head = data[:4096]
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_EMPTY_ZIP):
        raise ReadError("file_not_workbook", "zip")
    raise ReadError("file_not_workbook", "text/CSV" if _looks_like_text(head) else _words("unknown"))


def _looks_like_text(chunk: bytes) -> bool:
    try:
        chunk.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(chunk) - 3:  # a character cut at the end of the chunk
            return True
        return all(b >= 9 for b in chunk[:512])


def _ole_streams(data: bytes, names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` are entries of the OLE (compound file) directory.

    Directory entries are 128-byte records at 128-byte aligned offsets: a UTF-16 name, then at offset 64
    its length in bytes including the terminating NUL. Looking only there avoids matching cell text.
    """
    found = set()
    for name in names:
        raw = name.encode("utf-16-le")
        size = (len(name) + 1) * 2
        start = data.find(raw)
        while start != -1:
            if start % 128 == 0 and int.from_bytes(data[start + 64 : start + 66], "little") == size:
                found.add(name)
                break
            start = data.find(raw, start + 1)
    return found


def _check_ole(data: bytes) -> None:
    streams = _ole_streams(data, ("EncryptionInfo", "EncryptedPackage", "Workbook", "WORKBOOK", "Book"))
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        raise ReadError("file_encrypted")
    if not streams:
        raise ReadError("file_not_workbook", "OLE (.doc?)")


# -- XML prolog ------------------------------------------------------------------------------------
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _prolog_problem(data: bytes) -> str | None:
    """Why the start of a part is unsafe, or None. Only parts that start like XML are looked at.

    Skips the XML declaration, processing instructions, comments and white space up to the root
    element; a DOCTYPE (or any other ``<!`` declaration) there is refused, and so is a prolog that
    does not end within the first ``_XML_SCAN`` bytes. UTF-16 parts are decoded first.
    """
    start = 0
    if data[:1] in (b"\xff", b"\xfe") or data[:1] == b"\x00" or data[1:2] == b"\x00":
        for bom, encoding in _BOMS[1:]:
            if data.startswith(bom):
                data = data[2 : _XML_SCAN * 2].decode(encoding, "ignore").encode("utf-8", "ignore")
                break
        else:  # UTF-16 without a byte order mark
            encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
            data = data[: _XML_SCAN * 2].decode(encoding, "ignore").encode("utf-8", "ignore")
    elif data.startswith(_BOMS[0][0]):
        start = 3
    i, n = start, min(len(data), _XML_SCAN)
    while True:
        while i < n and data[i] in b" \t\r\n":
            i += 1
        if i >= n:
            return "XML prolog > 64 KiB" if n >= _XML_SCAN else None
        if data[i] != 0x3C:  # not '<': not XML (an image, a binary part) or text before the root
            return None
        if data.startswith(b"<?", i):
            end, close = data.find(b"?>", i + 2, n), 2
        elif data.startswith(b"<!--", i):
            end, close = data.find(b"-->", i + 4, n), 3
        elif data.startswith(b"<!", i):
            word = data[i + 2 : i + 9]
            return "DOCTYPE" if word.upper() == b"DOCTYPE" else "<!" + word.decode("ascii", "replace")
        else:
            return None  # the root element: the prolog is over
        if end == -1:
            return "XML prolog > 64 KiB"
        i = end + close


# -- worksheet parts -------------------------------------------------------------------------------
_NAME = rb"[A-Za-z_][\w.-]*"
_ATTR = rb"\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
_OTHER_ATTR = rb"\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
# start tags of <c> elements that have content (calamine reads only those; <c .../> is empty), with
# their reference when it is a valid one; ('', '') for a cell without r or with an odd one
_CELL = re.compile(
    rb"<(?:" + _NAME + rb":)?c(?:" + _OTHER_ATTR + rb")*"
    rb"(?:\s+r\s*=\s*[\"']([A-Za-z]+)([0-9]+)[\"']|\s+r\s*=\s*(?:\"[^\"]*\"|'[^']*'))?"
    rb"(?:" + _ATTR + rb")*\s*>"
)
# the form every spreadsheet program writes: r first, double quotes; (letters, digits, '/' if empty)
_PLAIN_CELL = re.compile(rb'<c r="([A-Za-z]*)([0-9]*)"(?:\s+[\w:.-]+="[^"]*")*\s*(/?)>')
_ODD_CELL_TAG = re.compile(rb"<c[>/\t\n\r]")  # and any ':c' (a prefixed cell) sends a part the slow way
# a cell tag that is not '<c r="A1" s="3" t="s">' (the form Excel, LibreOffice and openpyxl write; s and t
# optional) with at most two letters and a row up to 999: most parts have none, and then the bounds below
# hold without locating a single cell (a prefixed ':c' tag is checked apart); any other form, a second r
# attribute included, goes the slow, exact way
# A formula error (t="e") counts as unusual too, so a plain sheet holds no error cell either (one scan answers both).
_UNUSUAL_CELL = re.compile(
    rb'<c(?! r="[A-Z]{1,2}[1-9][0-9]{0,2}"(?: (?:s="[0-9A-Za-z]{1,9}"|t="(?!e")[0-9A-Za-z]{1,9}")){0,2}\s*/?>)[\s>/]'
)
_NEAR_ROWS, _NEAR_COLS = 999, 26 + 26 * 26  # ZZ999
_ROW_REF = re.compile(
    rb"<(?:" + _NAME + rb":)?row(?:" + _OTHER_ATTR + rb")*\s+r\s*=\s*[\"'][A-Za-z]*([0-9]*)[\"']"
)
_ROW_START = re.compile(rb"<(?:" + _NAME + rb":)?row(?:" + _ATTR + rb")*\s*>()")
_ROW_END = re.compile(rb"</(?:" + _NAME + rb":)?row\s*>")
# a cell with two r attributes: calamine takes the last, the patterns above the first
_TWO_REFS = re.compile(
    rb"<(?:" + _NAME + rb":)?c(?:" + _ATTR + rb")*?\s+(?:" + _NAME + rb":)?r\s*=\s*(?:\"[^\"]*\"|'[^']*')"
    rb"(?:" + _ATTR + rb")*?\s+(?:" + _NAME + rb":)?r\s*="
)
_R_VALUE = re.compile(rb"\s(?:[\w.-]+:)?r\s*=\s*[\"']([^\"'>]{0,24})[\"']")  # the values of r attributes
_HAS_ERROR = re.compile(rb"\st\s*=\s*[\"']e[\"']")

_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?<v>([^<]{1,16})</v>'
)
# a formula without a cached result (written by a program that does not calculate): calamine reads blank
_FORMULA_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*<f(?:\s[^>]*)?>([^<]{1,8192})</f>'
    rb"\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_SST_ROOT = re.compile(rb"<(?:" + _NAME + rb":)?sst[\s>/]")


# cheap pre-tests (a literal search by the regex engine beats ``in`` on these short needles)
_PREFIXED_CELL = re.compile(rb":c[\s>/]")  # a cell tag with a namespace prefix, <x:c …>
_FORMULA_END = re.compile(rb"</f>")
_QUOTED_E = (re.compile(rb'"e"'), re.compile(rb"'e'"))  # t="e" needs one of them


def _col_index(letters: bytes) -> int:
    """Letters → 0-based column (any length; 'a' counts as 'A', as in calamine)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n - 1


def _ref(letters: bytes, digits: bytes) -> str:
    return f"{letters.decode().upper()}{int(digits)}"


@dataclass
class _SheetScan:
    """Where a worksheet part's values reach, found without parsing it."""

    rows: int  # rows spanned from row 1 (0: no values)
    cols: int  # columns spanned from column A
    far_row: str  # the lowest cell holding a value, e.g. 'C60016'
    far_col: str  # the right-most one
    merged: int
    bad_ref: str = ""  # a cell reference calamine would misplace: 'C70' (written twice) or 'A0'
    bad_value: str = ""  # what the tag says, e.g. 'C70 / XFD1048576'


def _cells(data: bytes) -> list[tuple[bytes, bytes]]:
    """(letters, digits) of every <c> start tag with content; ('', '') where r is missing or odd."""
    n = data.count(b'<c r="')
    if data.count(b"<c ") == n and not _PREFIXED_CELL.search(data) and not _ODD_CELL_TAG.search(data):
        plain = _PLAIN_CELL.findall(data)
        if len(plain) == n:  # every cell tag read whole: the fast answer is the exact one
            return [(c, d) if c and d else (b"", b"") for c, d, empty in plain if not empty]
    return _CELL.findall(data)


def _is_plain(data: bytes) -> bool:
    """Every cell tag of a worksheet part is '<c r="A1" s="3" t="s">' within ZZ999, none is an error cell."""
    return not _UNUSUAL_CELL.search(data) and not _PREFIXED_CELL.search(data)


def _scan_sheet(data: bytes, plain: bool) -> _SheetScan:
    """Locate every non-empty ``<c>`` of a worksheet part; conservative for cells without ``r``.

    ``plain``: what :func:`_is_plain` said of ``data``."""
    merged = data.count(b"mergeCell")  # one pass (the ranges come after the cells: `in` would scan it all too)
    if plain:
        # every cell tag is the plain form and lies within A1:ZZ999: the limits hold whatever the rest
        return _SheetScan(rows=_NEAR_ROWS, cols=_NEAR_COLS, far_row="", far_col="", merged=merged)
    two = _TWO_REFS.search(data)
    if two:  # name both references the tag gives (the second one ends within the next few bytes)
        refs = [r.decode("ascii", "replace") for r in _R_VALUE.findall(data, two.start(), two.end() + 64)]
        return _SheetScan(0, 0, "", "", merged, bad_ref=refs[0] if refs else "?", bad_value=" / ".join(refs[:2]))
    cells = _cells(data)
    rows = cols = 0
    far_row = far_col = ""
    letters = {c for c, _ in cells}
    letters.discard(b"")
    if letters:
        rows = max(int(d) for d in {d for _, d in cells} if d)
        cols = max(_col_index(c) for c in letters) + 1
        if rows > MAX_ROWS or rows * cols > MAX_CELLS:  # name a real cell (only when refusing)
            far_row = next(_ref(c, d) for c, d in cells if d and int(d) == rows)
            far_col = next(_ref(c, d) for c, d in cells if c and _col_index(c) + 1 == cols)
        zero = next((_ref(c, d) for c, d in cells if d and int(d) == 0), None)
        if zero:
            return _SheetScan(0, 0, "", "", merged, bad_ref=zero, bad_value=zero)
    if (b"", b"") in cells:
        # calamine puts a cell without (a valid) r right after the previous cell of its row, and a row
        # without r right after the previous row: bound both by the cells of the fullest row and the
        # rows without r (rare: every spreadsheet program writes r)
        row_numbers = [int(d) for d in _ROW_REF.findall(data) if d]
        rows_without_r = len(_ROW_START.findall(data)) - len(row_numbers)
        rows = max(rows, max(row_numbers, default=0) + max(rows_without_r, 0) + 1)
        cols += max(len(_cells(chunk)) for chunk in _ROW_END.split(data)) + 1
        far_row = far_col = cell_ref(rows - 1, cols - 1)
    return _SheetScan(
        rows=rows,
        cols=cols,
        far_row=far_row,
        far_col=far_col,
        merged=merged,
    )


def _check_sheet(scan: _SheetScan, sheet: str) -> None:
    if scan.bad_ref:
        raise ReadError("cell_reference_invalid", sheet=sheet, cell=scan.bad_ref, value=scan.bad_value)
    if scan.rows > MAX_ROWS:
        raise ReadError("sheet_too_many_rows", sheet=sheet, cell=scan.far_row, value=scan.far_row,
                        rows=scan.rows, limit=MAX_ROWS)
    if scan.rows * scan.cols > MAX_CELLS:
        raise ReadError("sheet_too_many_cells", sheet=sheet, cell=scan.far_col, value=scan.far_col,
                        cells=scan.rows * scan.cols, limit=MAX_CELLS)
    if scan.merged > MAX_MERGED + 2:  # + the <mergeCells> start and end tags
        raise ReadError("sheet_too_many_merged", sheet=sheet, count=scan.merged - 2, limit=MAX_MERGED)


def _hidden_values(data: bytes, plain: bool = False) -> dict[tuple[int, int], str]:
    """What python-calamine reads as blank but a person sees: formula errors (#DIV/0! …) and, for a
    formula never calculated, its text ('=SUM(B2:B9)') — so nothing typed is silently lost.

    ``plain``: :func:`_is_plain` holds for ``data``, so it has no error cell to look for."""
    out: dict[tuple[int, int], str] = {}
    if _FORMULA_END.search(data):
        for m in _FORMULA_CELL.finditer(data):
            text = html.unescape(m.group(3).decode("utf-8", "replace"))
            out[(int(m.group(2)) - 1, _col_index(m.group(1)))] = "=" + text
    if not plain and any(q.search(data) for q in _QUOTED_E) and _HAS_ERROR.search(data):
        for m in _ERROR_CELL.finditer(data):
            out[(int(m.group(2)) - 1, _col_index(m.group(1)))] = m.group(3).decode("ascii", "replace")
    return out


def _longest_shared_string(data: bytes) -> int:
    """Characters of the longest <si> (nested ones counted in their parent), streamed in bounded memory."""
    longest, depth, root = 0, 0, None
    try:
        for event, elem in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            if root is None:
                root = elem
            if _local(elem.tag) != "si":
                continue
            if event == "start":
                depth += 1
                continue
            depth -= 1
            if depth == 0:
                longest = max(longest, sum(len(t) for t in elem.itertext()))
                root.clear()  # drop what was measured: memory stays flat whatever the count
    except ET.ParseError as exc:
        raise ReadError("file_unreadable", f"sharedStrings: {exc}") from None
    return longest


# -- number formats --------------------------------------------------------------------------------
# python-calamine turns date formats into dates but exposes no other format, so a "100 %" the auditor
# typed (stored as 1 with a percent format) would read as 1. The reader therefore looks up the style
# table itself: which cell formats (xl/styles.xml, <cellXfs>) show a percent, and which cells use them
# (their s attribute). Nothing of this is parsed unless the workbook has a percent format at all.
_STYLES_PART = "xl/styles.xml"  # calamine reads the styles from this name too
MAX_XFS = 64_000  # Excel's own limit of distinct cell formats; formats beyond it are not looked at
_PERCENT_BUILTIN = {9, 10}  # 0% and 0.00%
_CELL_XFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs[\s>/]")
_CELL_XFS_END = re.compile(rb"</(?:[\w.-]+:)?cellXfs\s*>")
_XF = re.compile(rb"<(?:[\w.-]+:)?xf(?=[\s/>])([^>]*)>")
_NUM_FMT = re.compile(rb"<(?:[\w.-]+:)?numFmt\s([^>]*)>")
_NUM_FMT_ID = re.compile(rb"\snumFmtId\s*=\s*[\"']([0-9]{1,9})[\"']")
_FORMAT_CODE = re.compile(rb"\sformatCode\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# what a format code shows literally (quoted text, escaped characters, [colour] / [locale] sections,
# padding and fill characters): a % there is text, not the percent scaling
_FORMAT_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_S_VALUE = re.compile(rb"\ss\s*=\s*[\"']([0-9]{1,6})[\"']")


def _is_percent_format(code: str) -> bool:
    """A format code that multiplies by 100 and shows %: '0%', '0.00 %', '0,0\\ %' (first section)."""
    section = _FORMAT_LITERAL.sub("", code).split(";", 1)[0]
    return "%" in section


_STYLES_SEEN: dict[bytes, frozenset[int]] = {}  # a round's workbooks share their template's style table
_STYLES_SEEN_MAX, _STYLES_SEEN_BYTES = 64, 256 * 1024


def _percent_styles(styles: bytes) -> frozenset[int]:
    """Indices of the cell formats (the s attribute of a cell) that show a number as a percent."""
    hit = _STYLES_SEEN.get(styles)
    if hit is not None:
        return hit
    found = _parse_percent_styles(styles)
    if len(styles) <= _STYLES_SEEN_BYTES:
        if len(_STYLES_SEEN) >= _STYLES_SEEN_MAX:
            _STYLES_SEEN.clear()
        _STYLES_SEEN[styles] = found
    return found


def _parse_percent_styles(styles: bytes) -> frozenset[int]:
    if b"%" not in styles and b'"9"' not in styles and b'"10"' not in styles:
        return frozenset()
    percent_ids = set(_PERCENT_BUILTIN)
    for m in _NUM_FMT.finditer(styles):
        num_id, code = _NUM_FMT_ID.search(b" " + m.group(1)), _FORMAT_CODE.search(b" " + m.group(1))
        if num_id and code:
            text = html.unescape((code.group(1) or code.group(2) or b"").decode("utf-8", "replace"))
            if _is_percent_format(text):
                percent_ids.add(int(num_id.group(1)))
            else:
                percent_ids.discard(int(num_id.group(1)))  # a built-in id redefined
    start = _CELL_XFS.search(styles)
    if start is None:
        return frozenset()
    end = _CELL_XFS_END.search(styles, start.end())
    out = set()
    for i, m in enumerate(_XF.finditer(styles, start.end(), end.start() if end else len(styles))):
        if i >= MAX_XFS:
            break
        num_id = _NUM_FMT_ID.search(m.group(1))
        if num_id and int(num_id.group(1)) in percent_ids:
            out.add(i)
    return frozenset(out)


# a cell tag with its reference first (as every spreadsheet program writes it) and a style
_STYLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>')


def _percent_cells(data: bytes, styles: frozenset[int]) -> set[tuple[int, int]]:
    """0-based (row, col) of the cells of a worksheet part that use a percent format."""
    if not styles:
        return set()
    if len(styles) <= 16:  # the usual case: find each style's attribute, then the cell tag around it
        out = set()
        for i in styles:
            needle = b' s="%d"' % i
            pos = data.find(needle)
            while pos != -1:
                start = data.rfind(b"<c ", 0, pos)
                end = data.find(b">", pos)
                m = _STYLED_CELL.match(data, start, end + 1) if start != -1 and end != -1 else None
                if m is not None and data.find(b">", start, pos) == -1:  # the attribute is this cell's
                    out.add((int(m.group(2)) - 1, _col_index(m.group(1))))
                pos = data.find(needle, pos + 1)
        return out
    out = set()
    for m in _STYLED_CELL.finditer(data):
        s = _S_VALUE.search(m.group(3))
        if s and int(s.group(1)) in styles:
            out.add((int(m.group(2)) - 1, _col_index(m.group(1))))
    return out


# -- the zip container -----------------------------------------------------------------------------
@dataclass
class _Plan:
    kind: str  # 'xlsx' or 'ods'
    hidden: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)  # see _hidden_values
    members: list[tuple[zipfile.ZipInfo, bytes]] = field(default_factory=list)  # checked, inflated (xlsx)
    percent: dict[str, set[tuple[int, int]]] = field(default_factory=dict)  # cells shown as a percent


def _stored_zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """The checked parts as an uncompressed zip in memory, for python-calamine to parse.

    calamine then reads exactly the bytes that passed the checks (not the file again, which could have
    changed, nor a member whose size lied), and does not inflate them a second time. The CRCs are the
    original ones, which zipfile verified while inflating.
    """
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info, data in members:
        name = info.filename.encode("utf-8")
        size, crc = len(data), info.CRC if data else 0
        # version 2.0, UTF-8 names (flag bit 11), stored (method 0), a fixed date (1980-01-01)
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 0, 0, 0x21, crc, size, size, len(name), 0)
        local += (head, name, data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0x800, 0, 0, 0x21, crc, size, size,
                                   len(name), 0, 0, 0, 0, 0, offset) + name)
        offset += len(head) + len(name) + size
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(local) + directory + end


_NOT_SPREADSHEET = {"word/document.xml": "Word .docx", "ppt/presentation.xml": "PowerPoint .pptx",
                    "xl/workbook.bin": "Excel .xlsb"}


def _kind(zf: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names:
        mimetype = zf.read("mimetype")[:100] if "mimetype" in names else b""
        if mimetype and b"spreadsheet" not in mimetype:
            raise ReadError("file_not_workbook", mimetype.decode("ascii", "replace").rsplit(".", 1)[-1])
        return "ods"
    for part, what in _NOT_SPREADSHEET.items():
        if part in names:
            raise ReadError("file_not_workbook", what)
    if any(n.startswith("xl/") for n in names):
        raise ReadError("file_part_missing", part="xl/workbook.xml")
    raise ReadError("file_not_workbook", "zip")


def _check_members(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise ReadError("file_too_large", _words("parts", n=len(infos)), limit=_words("parts", n=MAX_MEMBERS))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ReadError("file_encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadError("file_unreadable", _words("compression", part=info.filename, method=info.compress_type))
        total += info.file_size
        if info.file_size > MAX_MEMBER_BYTES:
            raise ReadError("file_too_large", f"{info.filename}: {_human_bytes(info.file_size)}",
                            limit=_human_bytes(MAX_MEMBER_BYTES))
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ReadError("file_too_large", f"{info.filename}: {ratio}×", limit=f"{MAX_RATIO}×")
    if total > MAX_TOTAL_BYTES:
        raise ReadError("file_too_large", _human_bytes(total), limit=_human_bytes(MAX_TOTAL_BYTES))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(parts: dict[str, bytes], names: set[str]) -> dict[str, str]:
    """Worksheet part → sheet name, as calamine resolves them; every worksheet part must exist."""
    rels_data = parts.get("xl/_rels/workbook.xml.rels")
    book_data = parts.get("xl/workbook.xml", b"")
    key = (book_data, rels_data or b"")
    listed = _SHEETS_SEEN.get(key) if rels_data is not None else None
    if listed is None:
        listed = _parse_sheet_parts(book_data, rels_data)
        if len(book_data) + len(rels_data or b"") <= _SHEETS_SEEN_BYTES:
            if len(_SHEETS_SEEN) >= _SHEETS_SEEN_MAX:
                _SHEETS_SEEN.clear()
            _SHEETS_SEEN[key] = listed
    out = {}
    for part, name in listed:
        if part not in names:
            raise ReadError("file_part_missing", sheet=name, part=part)
        out[part] = name if name is not None else part
    return out


# a round's workbooks share their template's workbook.xml and its relationships: parsed once per pair
_SHEETS_SEEN: dict[tuple[bytes, bytes], list[tuple[str, str | None]]] = {}
_SHEETS_SEEN_MAX, _SHEETS_SEEN_BYTES = 64, 256 * 1024


def _parse_sheet_parts(book_data: bytes, rels_data: bytes | None) -> list[tuple[str, str | None]]:
    """(worksheet part, sheet name) in the workbook's order, as calamine resolves them."""
    try:
        book = ET.fromstring(book_data)
    except ET.ParseError as exc:
        raise ReadError("file_unreadable", f"xl/workbook.xml: {exc}") from None
    if rels_data is None:
        raise ReadError("file_part_missing", part="xl/_rels/workbook.xml.rels")
    try:
        rels = ET.fromstring(rels_data)
    except ET.ParseError as exc:
        raise ReadError("file_unreadable", f"xl/_rels/workbook.xml.rels: {exc}") from None
    sheets = [e for e in book.iter() if _local(e.tag) == "sheet"]
    if len(sheets) > MAX_SHEETS:
        raise ReadError("file_too_large", _words("sheets", n=len(sheets)), limit=_words("sheets", n=MAX_SHEETS))
    targets = {}
    for rel in rels:
        if rel.get("Type", "").endswith("/worksheet"):
            target = rel.get("Target", "")
            if target.startswith("/"):
                target = target[1:]
            elif not target.startswith("xl/"):
                target = "xl/" + target
            targets[rel.get("Id")] = os.path.normpath(target).replace(os.sep, "/")
    out = []
    for sheet in sheets:
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        part = targets.get(rid)
        if part is None:
            continue  # a chart or macro sheet: not read
        out.append((part, sheet.get("name")))
    return out


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_UTF8_NAME = 0x800


def _inflate(file: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member's bytes, inflated straight from the file in memory (as ``zipfile`` would, without its
    per-member file objects): never more than the declared size, the local header's name checked against
    the directory's, the CRC verified. None when the member holds fewer bytes than it declares; a member
    holding more, a damaged stream or a wrong CRC raise."""
    offset = info.header_offset
    head = file[offset : offset + _LOCAL_HEADER.size]
    if len(head) != _LOCAL_HEADER.size:
        raise zipfile.BadZipFile("truncated file header")
    magic, _, flags, _, _, _, _, _, _, name_len, extra_len = _LOCAL_HEADER.unpack(head)
    if magic != _ZIP_MAGIC:
        raise zipfile.BadZipFile("bad magic number for file header")
    start = offset + _LOCAL_HEADER.size
    raw_name = file[start : start + name_len]
    name = raw_name.decode("utf-8") if flags & _UTF8_NAME else raw_name.decode("cp437")
    if name != info.orig_filename:
        raise zipfile.BadZipFile(f"file name in directory {info.orig_filename!r} and header {name!r} differ")
    start += name_len + extra_len
    packed = file[start : start + info.compress_size]
    if len(packed) != info.compress_size:
        raise zipfile.BadZipFile("truncated member")
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
    else:
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(packed, info.file_size)  # at most the declared size
        more = not inflater.eof and len(data) == info.file_size and inflater.unconsumed_tail
        if more and inflater.decompress(inflater.unconsumed_tail, 1):  # more than declared: a lying member
            raise zipfile.BadZipFile("member larger than its declared size")
    if len(data) < info.file_size:
        return None
    if len(data) > info.file_size:
        raise zipfile.BadZipFile("member larger than its declared size")
    if zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile("Bad CRC-32")
    return data


def _check_zip(file: bytes) -> _Plan:
    """Check the container and every part before parsing; return what the read needs."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(file))
    except Exception as exc:  # noqa: BLE001 - BadZipFile, but also OSError/ValueError on odd files
        raise ReadError("file_unreadable", f"zip: {sandbox_child.short(exc)}") from None
    with zf:
        infos = zf.infolist()
        _check_members(infos)
        names = {i.filename for i in infos}
        kind = _kind(zf, names)
        parts: dict[str, bytes] = {}
        sheet_data: list[tuple[str, bytes]] = []  # a list: a zip may hold two members of one name
        sst: list[bytes] = []
        styles = b""
        members: list[tuple[zipfile.ZipInfo, bytes]] = []
        for info in infos:
            if info.is_dir():
                continue
            if info.file_size == 0:
                members.append((info, b""))
                continue
            try:
                data = _inflate(file, info)
            except Exception as exc:  # noqa: BLE001 - CRC, damaged deflate data, size mismatch
                raise ReadError("file_unreadable", f"{info.filename}: {sandbox_child.short(exc)}") from None
            if data is None:
                raise ReadError("file_unreadable", _words("shorter", part=info.filename))
            problem = _prolog_problem(data)
            if problem:
                raise ReadError("file_unsafe", f"{info.filename}: {problem}")
            if kind != "xlsx":
                continue
            members.append((info, data))
            if info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
                if len(data) > MAX_TREE_BYTES:
                    raise ReadError("file_too_large", f"{info.filename}: {_human_bytes(len(data))}",
                                    limit=_human_bytes(MAX_TREE_BYTES))
                parts[info.filename] = data
            elif info.filename == _STYLES_PART:
                styles = data
            elif b"sheetData" in data:  # calamine reads cells only after <sheetData>, from any part
                sheet_data.append((info.filename, data))
            elif _SST_ROOT.search(data, 0, 4096):
                sst.append(data)
    if kind != "xlsx":
        return _Plan(kind)
    sheet_names = _sheet_parts(parts, names)
    plain: dict[str, bool] = {}  # one scan per part tells both the limits and the absence of error cells
    for part, data in sheet_data:
        plain[part] = _is_plain(data)
        _check_sheet(_scan_sheet(data, plain[part]), sheet_names.get(part, part))
    # cells with t="s" (bounded by the quoted "s" values) × the longest shared string
    shared = sum(data.count(b'"s"') + data.count(b"'s'") for _, data in sheet_data) if sst else 0
    for data in sst:
        if shared * len(data) > MAX_TEXT_CHARS:  # cheap bounds first; the exact one only when needed
            total = shared * _longest_shared_string(data)
            if total > MAX_TEXT_CHARS:
                raise ReadError("file_text_too_large", detail=str(total // 1_000_000),
                                limit=str(MAX_TEXT_CHARS // 1_000_000))
    hidden = {}
    percent = {}
    last = dict(sheet_data)
    percent_styles = _percent_styles(styles) if styles else frozenset()
    for part, name in sheet_names.items():
        cells = _hidden_values(last.get(part, b""), plain.get(part, False))
        if cells:
            hidden[name] = cells
        shown = _percent_cells(last.get(part, b""), percent_styles)
        if shown:
            percent[name] = shown
    return _Plan(kind, hidden, members, percent)


# -- reading ---------------------------------------------------------------------------------------
def _grid(
    rows: list[list[Any]], hidden: dict[tuple[int, int], str], percent: set[tuple[int, int]] | None = None
) -> tuple[list[list[Any]], bool]:
    """Normalised rows (at most MAX_ROWS × MAX_COLS), blank-read values put back, numbers shown as a
    percent marked as :class:`Percent`, and whether the sheet was cut."""
    grid = [normalize_row(row[:MAX_COLS]) for row in rows[:MAX_ROWS]]
    for r, c in percent or ():
        if r < len(grid) and c < len(grid[r]):
            grid[r][c] = as_percent(grid[r][c])
    for (r, c), value in sorted(hidden.items()):
        if r >= MAX_ROWS or c >= MAX_COLS:
            continue
        while len(grid) <= r:  # calamine's range may end before a cell it read as blank
            grid.append([])
        if len(grid[r]) <= c:
            grid[r].extend([None] * (c + 1 - len(grid[r])))
        if grid[r][c] is None or value.startswith("#"):
            grid[r][c] = normalize_cell(value)
    return grid, len(rows) > MAX_ROWS


def read_workbook(path: Path) -> Book:
    """Read every sheet of a .xlsx / .xlsm / .xls / .ods workbook, or raise ReadError."""
    data = _load(path)
    sha256 = hashlib.sha256(data).hexdigest()
    if sniff(data) == "ole":
        _check_ole(data)
        return _read_sandboxed(path, "xls", sha256)
    plan = _check_zip(data)
    if plan.kind == "ods":
        return _read_sandboxed(path, "ods", sha256)
    return _read_xlsx(path, plan, sha256)


def _read_xlsx(path: Path, plan: _Plan, sha256: str) -> Book:
    import python_calamine as pc  # imported here: the CLI's --help stays fast

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(_stored_zip(plan.members)))
    except pc.PasswordError:
        raise ReadError("file_encrypted") from None
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged files
        raise ReadError("file_unreadable", sandbox_child.short(exc)) from None
    sheets: dict[str, Sheet] = {}
    try:
        meta = wb.sheets_metadata
        if len(meta) > MAX_SHEETS:
            raise ReadError("file_too_large", _words("sheets", n=len(meta)), limit=_words("sheets", n=MAX_SHEETS))
        for m in meta:
            if not sandbox_child.is_worksheet(m):
                continue
            sheet = wb.get_sheet_by_name(m.name)
            # rows from A1 (skip_empty_area=False keeps the empty rows and columns before the data)
            rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
            grid, truncated = _grid(rows, plan.hidden.get(m.name, {}), plan.percent.get(m.name))
            sheets[m.name] = Sheet(
                name=m.name,
                visible=sandbox_child.is_visible(m),
                rows=grid,
                merged=list(sheet.merged_cell_ranges or [])[: MAX_MERGED],
                truncated=truncated,
            )
    except ReadError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ReadError("file_unreadable", sandbox_child.short(exc)) from None
    finally:
        wb.close()
    return Book(path=path, sheets=sheets, sha256=sha256)


# -- .xls and .ods: python-calamine in a child process with limits (excel/sandbox_child.py) ----------
def _read_sandboxed(path: Path, kind: sandbox_child.Kind, sha256: str) -> Book:
    """Read .xls / .ods in a child process: a hostile file can exhaust only the child's memory and time."""
    limits = sandbox_child.Limits(memory=SANDBOX_MEMORY, max_rows=MAX_ROWS, max_cols=MAX_COLS,
                                  max_sheets=MAX_SHEETS)
    try:
        proc = subprocess.run(sandbox_child.command(path, kind, limits), capture_output=True,
                              timeout=SANDBOX_SECONDS, check=False, env=sandbox_child.environment())
    except subprocess.TimeoutExpired:
        raise ReadError("file_too_large", _words("seconds", n=SANDBOX_SECONDS),
                        limit=_words("seconds", n=SANDBOX_SECONDS)) from None
    result = sandbox_child.reply(proc.stdout, proc.returncode, proc.stderr)
    if result.error == "memory":
        mib = SANDBOX_MEMORY // 1024 // 1024
        raise ReadError("file_too_large", _words("memory", n=mib), limit=_words("memory", n=mib))
    if result.error == "sheets":
        raise ReadError("file_too_large", _words("sheets", n=result.sheet_count),
                        limit=_words("sheets", n=MAX_SHEETS))
    if result.error is not None:
        raise ReadError(result.error, result.detail)
    sheets = {}
    for s in result.sheets:
        grid, truncated = _grid(s.rows, {}, s.percent)
        sheets[s.name] = Sheet(name=s.name, visible=s.visible, rows=grid, merged=s.merged, truncated=truncated)
    return Book(path=path, sheets=sheets, sha256=sha256)
