"""Read a workbook into plain cells with the coordinates a person sees in Excel.

The only code that opens filled workbooks. Before python-calamine parses anything, the container is
checked: size limits (a zip bomb never gets inflated), XML entity declarations (no entity expansion,
no external entities), encryption. Problems become :class:`ReadError` with a catalogue code.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditkit.excel.normalize import normalize_cell

# Limits on what a workbook may hold; an audit workbook is ~30 KiB zipped and ~300 KiB of XML.
MAX_FILE_BYTES = 20 * 1024 * 1024  # on disk
MAX_MEMBER_BYTES = 32 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 96 * 1024 * 1024  # all parts, uncompressed
MAX_RATIO = 200  # uncompressed / compressed for any part above 1 MiB
MAX_MEMBERS = 2000
MAX_SHEETS = 60
MAX_ROWS = 5000  # rows read per sheet; questionnaire sheets have < 100
MAX_COLS = 60

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_XML_SCAN = 64 * 1024


class ReadError(Exception):
    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
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


def col_letter(col: int) -> str:
    """0-based column index → Excel letters (0 → A, 27 → AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) → 'C7'."""
    return f"{col_letter(col)}{row + 1}"


def _human_bytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>.*?</f>)?<v>([^<]{1,16})</v>')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _error_cells(zf: zipfile.ZipFile) -> dict[str, dict[tuple[int, int], str]]:
    """Cells holding formula errors (#DIV/0! …) by sheet name: python-calamine reads them as blank."""
    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    out: dict[str, dict[tuple[int, int], str]] = {}
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        ref = target.get(sheet.get(f"{_NS_REL}id"), "")
        part = ref.lstrip("/") if ref.startswith("/") else posixpath.normpath(posixpath.join("xl", ref))
        try:
            data = zf.read(part)
        except KeyError:
            continue
        if b't="e"' not in data:
            continue
        cells = {
            (int(m.group(2)) - 1, _col_index(m.group(1))): m.group(3).decode("ascii", "replace")
            for m in _ERROR_CELL.finditer(data)
        }
        if cells:
            out[sheet.get("name", "")] = cells
    return out


def _check_zip(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Check the container before parsing; return the formula-error cells found on the way."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ReadError("file_unreadable", f"zip: {exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ReadError("file_too_large", f"{len(infos)} parts", limit=f"{MAX_MEMBERS} parts")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise ReadError(
                    "file_too_large",
                    f"{info.filename}: {_human_bytes(info.file_size)}",
                    limit=_human_bytes(MAX_MEMBER_BYTES),
                )
            if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ReadError(
                    "file_too_large",
                    f"{info.filename}: compressed {info.file_size // max(info.compress_size, 1)}×",
                    limit=f"{MAX_RATIO}×",
                )
        if total > MAX_TOTAL_BYTES:
            raise ReadError("file_too_large", _human_bytes(total), limit=_human_bytes(MAX_TOTAL_BYTES))
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names and "mimetype" not in names:
            raise ReadError("file_not_workbook", "zip archive without workbook parts")
        for info in infos:
            if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            try:
                with zf.open(info) as fh:
                    head = fh.read(_XML_SCAN)
            except Exception as exc:  # corrupt member: CRC, bad compression
                raise ReadError("file_unreadable", f"{info.filename}: {exc}") from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ReadError("file_unsafe", f"{info.filename}: DOCTYPE/ENTITY")
        return _error_cells(zf) if "xl/workbook.xml" in names else {}


def sniff(path: Path) -> str:
    """'zip', 'ole' or raise ReadError for what is not a workbook at all."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise ReadError("file_missing", exc.strerror or str(exc)) from None
    if size == 0:
        raise ReadError("file_empty")
    if size > MAX_FILE_BYTES:
        raise ReadError("file_too_large", _human_bytes(size), limit=_human_bytes(MAX_FILE_BYTES))
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    kind = "text/CSV" if _looks_like_text(path) else "unknown bytes"
    raise ReadError("file_not_workbook", kind)


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        chunk = fh.read(4096)
    try:
        chunk.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return all(b >= 9 for b in chunk[:512])


def _ole_encrypted(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container with an EncryptionInfo stream."""
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES)
    return "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data


def read_workbook(path: Path) -> Book:
    """Read every sheet of a .xlsx / .xlsm / .xls / .ods workbook, or raise ReadError."""
    import python_calamine as pc  # imported here: the CLI's --help stays fast

    kind = sniff(path)
    errors: dict[str, dict[tuple[int, int], str]] = {}
    if kind == "zip":
        errors = _check_zip(path)
    elif _ole_encrypted(path):
        raise ReadError("file_encrypted")
    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise ReadError("file_encrypted") from None
    except Exception as exc:  # calamine raises several types for damaged files
        raise ReadError("file_unreadable", _short(exc)) from None
    sheets: dict[str, Sheet] = {}
    try:
        meta = wb.sheets_metadata
        if len(meta) > MAX_SHEETS:
            raise ReadError("file_too_large", f"{len(meta)} sheets", limit=f"{MAX_SHEETS} sheets")
        for m in meta:
            if str(m.typ).rsplit(".", 1)[-1] != "WorkSheet":
                continue
            sheet = wb.get_sheet_by_name(m.name)
            rows = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS + 1)
            truncated = len(rows) > MAX_ROWS
            r0, c0 = sheet.start or (0, 0)
            grid = [[None] * c0 + [normalize_cell(v) for v in row[:MAX_COLS]] for row in rows[:MAX_ROWS]]
            grid = [[None] * c0 for _ in range(r0)] + grid if r0 else grid
            for (r, c), err in errors.get(m.name, {}).items():
                if r < len(grid) and c < len(grid[r]):
                    grid[r][c] = err
            merged = list(sheet.merged_cell_ranges or [])
            sheets[m.name] = Sheet(
                name=m.name,
                visible=str(m.visible).rsplit(".", 1)[-1] == "Visible",
                rows=grid,
                merged=merged,
                truncated=truncated,
            )
    except ReadError:
        raise
    except Exception as exc:
        raise ReadError("file_unreadable", _short(exc)) from None
    finally:
        wb.close()
    return Book(path=path, sheets=sheets)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]
