"""The child process that reads an .xls or .ods workbook with python-calamine under a memory limit.

Run as ``python -P -m auditkit.excel.sandbox_child PATH KIND MEMORY MAX_ROWS MAX_COLS MAX_SHEETS`` by
``excel.reader`` (see :func:`command`): a hostile file can exhaust only this process's address space
(``RLIMIT_AS``, set before python-calamine is imported) and time (the parent's timeout).

The protocol, both ends in this module: the child writes one JSON object to stdout, either
``{"sheets": [...]}`` (each sheet: name, visible, rows, merged, percent) or ``{"error": CODE, ...}`` with
CODE one of ``file_encrypted``, ``file_unreadable`` (with ``detail``), ``memory``, ``sheets`` (with the
count). Dates and times travel as one-key objects (:func:`encode`, :func:`decode`). The parent turns the
child's output, or its death, into a :class:`Reply` (:func:`reply`).

Only the standard library and python-calamine are imported here, nothing else of auditkit: the child
starts fast and the parent can import this module at no cost.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Kind = Literal["xls", "ods"]
KINDS: tuple[Kind, ...] = ("xls", "ods")
MAX_MERGED = 2000  # merged ranges kept per sheet


@dataclass(frozen=True)
class Limits:
    memory: int  # bytes of address space
    max_rows: int  # rows kept per sheet (one more is read, so the parent knows the sheet was cut)
    max_cols: int  # columns kept per sheet
    max_sheets: int  # more sheets than this: the error "sheets"


# -- what both sides read of python-calamine's answers ----------------------------------------------
def is_worksheet(meta: Any) -> bool:
    """A sheet of cells (not a chart or macro sheet), by calamine's sheet metadata."""
    return str(meta.typ).rsplit(".", 1)[-1] == "WorkSheet"


def is_visible(meta: Any) -> bool:
    return str(meta.visible).rsplit(".", 1)[-1] == "Visible"


def short(exc: BaseException) -> str:
    """What a library said, in one line of at most 160 characters (its type when it said nothing)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# -- the parent's side -----------------------------------------------------------------------------

def command(path: Path, kind: Kind, limits: Limits) -> list[str]:
    """The command line that reads ``path`` in a child: this interpreter, ``-P`` (the working folder is
    not put on the child's import path, so a file named like a module there is never imported)."""
    return [sys.executable, "-P", "-m", __name__, str(path), kind, str(limits.memory), str(limits.max_rows),
            str(limits.max_cols), str(limits.max_sheets)]


def environment() -> dict[str, str]:
    """The child's environment: the parent's, with the folder this auditkit was imported from first on the
    import path, so the child runs this very code whether auditkit is installed or run from a checkout."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return env


@dataclass(frozen=True)
class SheetData:
    name: str
    visible: bool
    rows: list[list[Any]]  # decoded values, rows from 1 and columns from A
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    percent: set[tuple[int, int]]  # (row, column) of the cells typed as a percentage (ods)


@dataclass(frozen=True)
class Reply:
    """What the child reported: its sheets, or an error ``code`` (with ``detail`` or the sheet count)."""

    sheets: list[SheetData]
    error: str | None = None
    detail: str = ""
    sheet_count: int = 0


def reply(stdout: bytes, returncode: int, stderr: bytes = b"") -> Reply:
    """The child's output read back; a child that died without a reply ran out of memory (an abort or a
    MemoryError on its stderr) or could not read the file."""
    try:
        data = json.loads(stdout)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        if returncode in (-6, 134) or b"MemoryError" in stderr:
            return Reply([], "memory")
        return Reply([], "file_unreadable", f"exit {returncode}")
    if "error" in data:
        return Reply([], str(data["error"]), str(data.get("detail", "")), int(data.get("sheets", 0) or 0))
    return Reply([SheetData(
        name=s["name"], visible=bool(s["visible"]), rows=[[decode(v) for v in row] for row in s["rows"]],
        merged=[((a, b), (c, d)) for (a, b), (c, d) in s["merged"]],
        percent={(r, c) for r, c in s.get("percent", ())},
    ) for s in data["sheets"]])


def encode(v: Any) -> Any:
    """A cell value as JSON: dates and times as one-key objects, everything else as it is."""
    if isinstance(v, dt.datetime):
        return {"dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    if isinstance(v, dt.time):
        return {"t": v.isoformat()}
    if isinstance(v, dt.timedelta):
        return {"td": v.total_seconds()}
    return v


def decode(v: Any) -> Any:
    """The inverse of :func:`encode`; any other object (never sent) becomes an empty cell."""
    if isinstance(v, dict):
        if "dt" in v:
            return dt.datetime.fromisoformat(v["dt"])
        if "d" in v:
            return dt.date.fromisoformat(v["d"])
        if "t" in v:
            return dt.time.fromisoformat(v["t"])
        if "td" in v:
            return dt.timedelta(seconds=v["td"])
        return None
    return v


# -- the child's side ------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def ods_percent(path: str, limits: Limits) -> dict[str, list[list[int]]]:
    """Sheet name → [row, column] of the cells typed as a percentage (calamine reads them as fractions)."""
    import xml.etree.ElementTree as ET
    import zipfile

    out: dict[str, list[list[int]]] = {}
    sheet, row, col = "", 0, 0
    cells: list[list[int]] | None = None
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        for event, el in ET.iterparse(fh, events=("start", "end")):
            tag = el.tag
            if tag == _T + "table":
                if event == "start":
                    sheet, row, cells = el.get(_T + "name", ""), 0, []
                else:
                    if cells:
                        out[sheet] = cells
                    el.clear()
            elif tag == _T + "table-row" and event == "end":
                row += int(el.get(_T + "number-rows-repeated", "1") or 1)
                col = 0
                el.clear()
            elif tag == _T + "table-row":
                col = 0
            elif tag in (_T + "table-cell", _T + "covered-table-cell") and event == "end":
                n = min(int(el.get(_T + "number-columns-repeated", "1") or 1), limits.max_cols)
                if el.get(_O + "value-type") == "percentage" and row <= limits.max_rows and cells is not None:
                    cells.extend([row, c] for c in range(col, min(col + n, limits.max_cols)))
                col += n
    return out


def read(path: str, kind: Kind, limits: Limits) -> dict[str, Any]:
    """The reply for the workbook at ``path`` (whose name ends in ``.kind``), as JSON-ready data."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(path)  # calamine picks its reader by the suffix
        meta = wb.sheets_metadata
        if len(meta) > limits.max_sheets:
            return {"error": "sheets", "sheets": len(meta)}
        out: list[dict[str, Any]] = []
        for m in meta:
            if not is_worksheet(m):
                continue
            sheet = wb.get_sheet_by_name(m.name)
            c0 = (sheet.start or (0, 0))[1]
            rows: list[list[Any]] = []
            for row in sheet.iter_rows():  # rows from row 1, columns from the first used one
                if len(rows) > limits.max_rows:
                    break
                kept = [""] * min(c0, limits.max_cols) + list(row[: max(0, limits.max_cols - c0)])
                rows.append([encode(v) for v in kept])
            out.append({"name": m.name, "visible": is_visible(m),
                        "rows": rows, "merged": list(sheet.merged_cell_ranges or [])[:MAX_MERGED]})
        percent = ods_percent(path, limits) if kind == "ods" else {}
        for one in out:
            one["percent"] = percent.get(one["name"], [])
        return {"sheets": out}
    except pc.PasswordError:
        return {"error": "file_encrypted"}
    except MemoryError:
        return {"error": "memory"}
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged files
        if "limit exceeded" in (str(exc).strip().splitlines() or [""])[0]:  # calamine's own cell limit (ODS repeats)
            return {"error": "memory"}
        return {"error": "file_unreadable", "detail": short(exc)}


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this system: the parent's time limit still holds
        pass


def main(argv: Sequence[str]) -> int:
    """The child: limit the memory, read, write the reply. Exit 2 on a malformed command line."""
    if len(argv) != 6 or argv[1] not in KINDS or not all(a.isdigit() for a in argv[2:]):
        sys.stderr.write("usage: python -P -m auditkit.excel.sandbox_child PATH xls|ods MEMORY ROWS COLS SHEETS\n")
        return 2
    path = argv[0]
    kind: Kind = "xls" if argv[1] == "xls" else "ods"
    memory, rows, cols, sheets = (int(a) for a in argv[2:])
    limits = Limits(memory=memory, max_rows=rows, max_cols=cols, max_sheets=sheets)
    _limit_memory(limits.memory)
    tmp = None
    if not path.lower().endswith("." + kind):  # calamine chooses its reader by the name
        tmp = tempfile.mkdtemp(prefix="auditkit-sandbox-")
        path = shutil.copyfile(path, os.path.join(tmp, "book." + kind))
    try:
        sys.stdout.write(json.dumps(read(path, kind, limits)))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
