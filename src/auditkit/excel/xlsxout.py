"""A streaming .xlsx writer for long tidy tables: one header row and many data rows per sheet.

openpyxl's write-only mode costs several microseconds per cell. Here each row is formatted straight into
SpreadsheetML and written to a temporary file of its sheet, so memory does not grow with the number of rows
and any number of sheets can be filled in any order. At close the package is assembled, the sheet bodies are
copied into the zip in chunks, and the file appears in one rename.

Every sheet is set up for a reader: the header row bold, frozen and filtered, columns as wide as their
content (up to a limit), numbers shown in a format per column (the cell keeps full precision), and printed
landscape, one page wide, the header repeated on every page.

Text is always an inline string, which no spreadsheet program evaluates: a value starting with '=' stays text,
never a formula. Characters that XML 1.0 forbids are dropped and text is cut to Excel's 32,767 characters per
cell. Nothing in the package depends on the clock, so the same input always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from auditkit.fsutil import atomic_write

_TEXT_MAX = 32767  # UTF-16 code units, as Excel counts them
_MAX_ROWS = 1_048_576
_MAX_COLS = 16_384
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not allowed in XML 1.0
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")  # Excel would read '_x0041_' as 'A'
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_EPOCH = dt.datetime(1899, 12, 30)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BOLD, _DATE, _DATETIME = ' s="1"', ' s="2"', ' s="3"'

_FIXED_XFS = (  # style 0 normal, 1 header, 2 date, 3 date and time; column formats follow from 4
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
)


def _styles(date_format: str, formats: list[str]) -> str:
    """The style sheet: the fixed styles, then one number format per distinct column format."""
    codes = [date_format, f"{date_format} H:MM", *formats]
    fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="{_attr(c)}"/>' for i, c in enumerate(codes))
    xfs = "".join(f'<xf numFmtId="{166 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                  for i in range(len(formats)))
    return (
        f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="{len(codes)}">{fmts}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFE7ECF2"/><bgColor indexed="64"/></patternFill></fill>'
        '</fills>'
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '<border><left/><right/><top/><bottom style="thin"><color rgb="FF8496B0"/></bottom><diagonal/></border>'
        '</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{4 + len(formats)}">{_FIXED_XFS}{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '</styleSheet>'
    )


_ROOT_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_DOC_RELS}/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>'
)
_CORE = (
    f'{_HEAD}<cp:coreProperties '
    'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>auditkit</dc:creator></cp:coreProperties>'
)
_APP = (
    f'{_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    '<Application>auditkit</Application></Properties>'
)
_SHEET_VIEW = (
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
)
_PRINT = (  # A4 landscape, one page wide and as many pages long as needed
    '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    '<headerFooter><oddFooter>&amp;L&amp;A&amp;R&amp;P / &amp;N</oddFooter></headerFooter>'
)
_WIDTH_MIN, _WIDTH_MAX = 6, 45  # column widths in characters
_NUMBER_WIDTH = 10


def _letters(start: int, stop: int) -> list[str]:
    """Column letters for the 0-based columns ``start`` to ``stop - 1`` ('A', 'B', … 'AA', …)."""
    out = []
    for i in range(start + 1, stop + 1):
        name = ""
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        out.append(name)
    return out


def _xml_text(s: str) -> str:
    """``s`` as element text: illegal characters dropped, cut to the cell limit, escaped."""
    if not s.isprintable():
        s = _ILLEGAL.sub("", s)
    if len(s) > _TEXT_MAX // 2 and len(s.encode("utf-16-le")) > 2 * _TEXT_MAX:
        s = s.encode("utf-16-le")[: 2 * _TEXT_MAX].decode("utf-16-le", "ignore")  # never half a pair
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")  # a literal CR would be read back as a line feed
    if "_x" in s:
        s = _ESCAPE_LIKE.sub(r"_x005F_\1", s)
    return s


def _text_cell(ref: str, s: str, style: str = "") -> str:
    s = _xml_text(s)
    if not s:
        return ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{s}</t></is></c>'


_KNOWN_MAX, _KNOWN_LEN = 4096, 200  # texts remembered per sheet, and their length at most


def _serial(value: dt.datetime) -> float | None:
    """Excel's day number (1900 date system), or None before 1900, which Excel cannot show as a date."""
    delta = value - _EPOCH
    if delta.days < 2:
        return None
    days = delta.days - 1 if delta.days <= 60 else delta.days  # Excel counts a 29 February 1900
    return days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _cell(ref: str, value: Any, style: str = "") -> str:
    """The ``<c>`` element for a value of any type, or '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, str):
        return _text_cell(ref, str.__str__(value), style)  # a str subclass (a str enum) counts by its text
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
    if isinstance(value, (numbers.Real, Decimal)):
        x = float(value)
        if x - x == 0:
            return f'<c r="{ref}"{style}><v>{x!r}</v></c>'
        return "" if math.isnan(x) else _text_cell(ref, repr(x), style)  # 'inf', '-inf'; NaN is empty
    if isinstance(value, dt.datetime):
        if value.utcoffset() is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)  # aware: stored as UTC
        serial = _serial(value)
        if serial is None:
            return _text_cell(ref, value.isoformat(" "), style)
        return f'<c r="{ref}"{_DATETIME}><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        serial = _serial(dt.datetime(value.year, value.month, value.day))
        if serial is None:
            return _text_cell(ref, value.isoformat(), style)
        return f'<c r="{ref}"{_DATE}><v>{int(serial)}</v></c>'
    if isinstance(value, (list, tuple)):
        return _text_cell(ref, "; ".join(map(str, value)), style)
    return _text_cell(ref, str(value), style)


def _check_title(title: str, taken: Iterable[str]) -> None:
    """Excel's rules for a sheet name; ValueError when ``title`` breaks one."""
    if not title or len(title) > 31:
        raise ValueError(f"a sheet title must have 1 to 31 characters: {title!r}")
    if _BAD_TITLE.search(title) or _ILLEGAL.search(title) or title[0] == "'" or title[-1] == "'":
        raise ValueError(f"a sheet title must not contain []:*?/\\ or start or end with ': {title!r}")
    key = title.casefold()
    if key == "history" or key in (t.casefold() for t in taken):
        raise ValueError(f"sheet title taken or reserved: {title!r}")


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _member(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp and fast compression."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    if sys.version_info >= (3, 13):
        info.compress_level = 1
    else:  # no public setter before 3.13; level 1 keeps the write fast
        info._compresslevel = 1  # type: ignore[attr-defined]  # private before 3.13, so not in the stubs
    return info


class SheetStream:
    """One sheet of an ``XlsxStream``; rows go straight to a temporary file."""

    def __init__(self, title: str, header: list[str], tmpdir: Path, styles: list[str] | None = None,
                 limits: list[int | None] | None = None) -> None:
        self.title = title
        # the sheet owns the file until it is copied into the workbook (close) or dropped (_discard)
        self._file: IO[bytes] = tempfile.TemporaryFile(dir=tmpdir, buffering=_CHUNK)  # noqa: SIM115
        self._cols = _letters(0, len(header))
        self._rows = 1
        self._style = list(styles or [""] * len(header))  # per column: ' s="N"' for its number format, or ''
        self._style += [""] * (len(header) - len(self._style))
        self._width = [max(_WIDTH_MIN, len(str(h)) + 3) for h in header]  # + room for the filter button
        self._known: dict[str, bool] = {}  # text → written as it is (no character needs escaping)
        self._max = [w or _WIDTH_MAX for w in (limits or [])] + [_WIDTH_MAX] * (len(header) - len(limits or []))
        cells = "".join(_cell(f"{c}1", v, _BOLD) for c, v in zip(self._cols, header))
        self._file.write(f'<row r="1">{cells}</row>'.encode())

    def append(self, row: Sequence[Any]) -> None:
        """Write one row below the previous one."""
        n = self._rows + 1
        if n > _MAX_ROWS:
            raise ValueError(f"sheet {self.title!r} is full: Excel has {_MAX_ROWS} rows")
        cols = self._cols
        if len(row) > len(cols):
            cols = self._widen(len(row))
        parts = [f'<row r="{n}">']
        add = parts.append
        style, width, known = self._style, self._width, self._known
        for i, (col, v) in enumerate(zip(cols, row)):  # str, int and float inline (the hot path); the rest via _cell
            t = type(v)
            if t is str:
                if not v:
                    continue
                if len(v) > width[i]:  # noqa: PLR1730 - a comparison is cheaper than max() here
                    width[i] = len(v)
                plain = known.get(v)
                if plain is None:  # a text seen before (a label, a name, an option) is not looked at again
                    plain = not (len(v) > _TEXT_MAX // 2 or not v.isprintable() or "&" in v or "<" in v
                                 or ">" in v or "_x" in v)
                    if len(v) <= _KNOWN_LEN:
                        if len(known) >= _KNOWN_MAX:
                            known.clear()
                        known[v] = plain
                if plain:
                    add(f'<c r="{col}{n}" t="inlineStr"><is><t xml:space="preserve">{v}</t></is></c>')
                else:
                    add(_text_cell(f"{col}{n}", v))
            elif t is int:
                add(f'<c r="{col}{n}"{style[i]}><v>{v}</v></c>')
                if width[i] < _NUMBER_WIDTH:  # noqa: PLR1730
                    width[i] = _NUMBER_WIDTH
            elif t is float and v - v == 0:
                add(f'<c r="{col}{n}"{style[i]}><v>{v!r}</v></c>')
                if width[i] < _NUMBER_WIDTH:  # noqa: PLR1730
                    width[i] = _NUMBER_WIDTH
            elif v is not None:
                add(_cell(f"{col}{n}", v, style[i]))
                if width[i] < _NUMBER_WIDTH:  # noqa: PLR1730
                    width[i] = _NUMBER_WIDTH
        add("</row>")
        self._file.write("".join(parts).encode())
        self._rows = n

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write rows one after another."""
        for row in rows:
            self.append(row)

    def _widen(self, width: int) -> list[str]:
        if width > _MAX_COLS:
            raise ValueError(f"a row of {width} cells: Excel has {_MAX_COLS} columns")
        self._cols += _letters(len(self._cols), width)
        self._style += [""] * (len(self._cols) - len(self._style))
        self._width += [_WIDTH_MIN] * (len(self._cols) - len(self._width))
        return self._cols

    @property
    def ref(self) -> str:
        """The used range, e.g. 'A1:K57'."""
        return f"A1:{self._cols[-1]}{self._rows}" if self._cols else "A1"

    def _store(self, zf: zipfile.ZipFile, name: str) -> None:
        """Copy the sheet into the zip member ``name`` chunk by chunk."""
        limits = self._max + [_WIDTH_MAX] * (len(self._width) - len(self._max))
        widths = "".join(f'<col min="{i}" max="{i}" width="{min(w, cap) + 1}" customWidth="1"/>'
                         for i, (w, cap) in enumerate(zip(self._width, limits, strict=True), 1))
        head = (f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
                f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="{self.ref}"/>'
                f'{_SHEET_VIEW}<sheetFormatPr defaultRowHeight="15"/>'
                f'{f"<cols>{widths}</cols>" if widths else ""}<sheetData>').encode()
        tail = (f'</sheetData><autoFilter ref="{self.ref}"/>' if self._cols else "</sheetData>") + _PRINT
        tail_bytes = f"{tail}</worksheet>".encode()
        body = self._file
        size = body.tell()
        body.seek(0)
        info = _member(name)
        info.file_size = len(head) + size + len(tail_bytes)  # lets zipfile choose ZIP64 for a huge sheet
        with zf.open(info, "w") as out:
            out.write(head)
            shutil.copyfileobj(body, out, _CHUNK)
            out.write(tail_bytes)

    def _discard(self) -> None:
        self._file.close()


class XlsxStream:
    """Write an .xlsx of simple tables row by row; nothing is held in memory per row."""

    def __init__(self, path: Path, date_format: str = "D. M. YYYY") -> None:
        """``date_format``: how dates are displayed (an Excel format code; the cell holds the date)."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sheets: list[SheetStream] = []
        self._closed = False
        self._date_format = date_format
        self._formats: list[str] = []  # distinct number formats of the columns, style 4 onwards

    def sheet(self, title: str, header: list[str], formats: list[str | None] | None = None,
              max_width: int | list[int | None] | None = None) -> SheetStream:
        """A new sheet with a bold, frozen, filtered ``header`` row; sheets appear in the order created.

        ``formats``: an Excel number format code per column (None: as the value comes), e.g. ``'0.0'``.
        ``max_width``: the widest a column may grow, in characters (default 45), for all or per column."""
        if self._closed:
            raise ValueError("the workbook is closed")
        _check_title(title, (s.title for s in self._sheets))
        styles = []
        for code in formats or []:
            if code and code not in self._formats:
                self._formats.append(code)
            styles.append(f' s="{4 + self._formats.index(code)}"' if code else "")
        limits = [max_width] * len(header) if isinstance(max_width, int) or max_width is None else max_width
        sheet = SheetStream(title, header, self.path.parent, styles, limits)
        self._sheets.append(sheet)
        return sheet

    def close(self) -> Path:
        """Assemble the package at ``path`` (atomically) and delete the temporary files."""
        if self._closed:
            return self.path
        try:
            if not self._sheets:
                raise ValueError("a workbook needs at least one sheet")
            with atomic_write(self.path) as tmp, zipfile.ZipFile(tmp, "w") as zf:
                for name, text in self._parts():
                    zf.writestr(_member(name), text)
                for i, sheet in enumerate(self._sheets, 1):
                    sheet._store(zf, f"xl/worksheets/sheet{i}.xml")
        finally:
            self._discard()
        return self.path

    def _parts(self) -> list[tuple[str, str]]:
        n = len(self._sheets)
        sheets = "".join(f'<sheet name="{_attr(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, s in enumerate(self._sheets, 1))
        sheet_rels = "".join(f'<Relationship Id="rId{i}" Type="{_DOC_RELS}/worksheet" '
                             f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
        office = "application/vnd.openxmlformats-officedocument"
        sheet_types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                              f'ContentType="{office}.spreadsheetml.worksheet+xml"/>'
                              for i in range(1, n + 1))
        return [
            ("[Content_Types].xml", (
                f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
                f'{sheet_types}'
                f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
                '<Override PartName="/docProps/core.xml" '
                'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                f'<Override PartName="/docProps/app.xml" ContentType="{office}.extended-properties+xml"/>'
                '</Types>')),
            ("_rels/.rels", _ROOT_RELS),
            ("docProps/core.xml", _CORE),
            ("docProps/app.xml", _APP),
            ("xl/workbook.xml", (
                f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}">'
                f'<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>{self._names()}</workbook>')),
            ("xl/_rels/workbook.xml.rels", (
                f'{_HEAD}<Relationships xmlns="{_PKG_RELS}">{sheet_rels}'
                f'<Relationship Id="rId{n + 1}" Type="{_DOC_RELS}/styles" Target="styles.xml"/>'
                '</Relationships>')),
            ("xl/styles.xml", _styles(self._date_format, self._formats)),
        ]

    def _names(self) -> str:
        """Each sheet's filter range and its header row repeated on every printed page."""
        names = []
        for i, s in enumerate(self._sheets):
            if not s._cols:
                continue
            quoted = "'" + s.title.replace("'", "''") + "'"
            first, last = s.ref.replace("A1:", "").rstrip("0123456789") or "A", s._rows
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                         f'{_attr(quoted)}!$A$1:${first}${last}</definedName>')
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{_attr(quoted)}!$1:$1'
                         '</definedName>')
        return f"<definedNames>{''.join(names)}</definedNames>" if names else ""

    def _discard(self) -> None:
        self._closed = True
        for sheet in self._sheets:
            sheet._discard()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.close()
        else:
            self._discard()
