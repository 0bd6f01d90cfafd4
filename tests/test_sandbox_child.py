"""The .xls/.ods reader's child process (auditkit.excel.sandbox_child): its protocol, its limits, its start.

Workbooks are built in code as minimal OpenDocument spreadsheets; the child is run the way the reader runs
it (``sandbox_child.command``), from a foreign working folder.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile
from pathlib import Path

import pytest

from auditkit.excel import sandbox_child as sc
from auditkit.excel.reader import ReadError, read_workbook

LIMITS = sc.Limits(memory=480 * 1024 * 1024, max_rows=50, max_cols=8, max_sheets=3)

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             '<manifest:file-entry manifest:full-path="/" '
             'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '</manifest:manifest>')

ROW = ('<table:table-row{rep}><table:table-cell office:value-type="string"{cols}><text:p>ahoj</text:p>'
       '</table:table-cell><table:table-cell office:value-type="float" office:value="2.5"><text:p>2,5</text:p>'
       '</table:table-cell><table:table-cell office:value-type="percentage" office:value="0.4"><text:p>40 %'
       '</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2025-03-01">'
       '<text:p>1.3.2025</text:p></table:table-cell></table:table-row>')


def ods(path: Path, sheets: dict[str, str]) -> Path:
    """A minimal .ods: ``sheets`` maps a sheet name to its rows' XML."""
    tables = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
               "</office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", _MANIFEST)
    return path


def row(times: int = 1, cols: int = 1) -> str:
    return ROW.format(rep=f' table:number-rows-repeated="{times}"' if times > 1 else "",
                      cols=f' table:number-columns-repeated="{cols}"' if cols > 1 else "")


@pytest.fixture
def foreign_cwd(tmp_path: Path) -> Path:
    """A working folder holding modules named like the child's imports: none of them may ever be run."""
    cwd = tmp_path / "cwd"
    (cwd / "auditkit" / "excel").mkdir(parents=True)
    bomb = "raise SystemExit('imported from the working folder')\n"
    (cwd / "python_calamine.py").write_text(bomb)
    (cwd / "json.py").write_text(bomb)
    (cwd / "auditkit" / "__init__.py").write_text(bomb)
    return cwd


def run(path: Path, cwd: Path, limits: sc.Limits = LIMITS, kind: sc.Kind = "ods") -> sc.Reply:
    proc = subprocess.run(sc.command(path, kind, limits), capture_output=True, cwd=cwd, timeout=60,
                          env=sc.environment(), check=False)
    return sc.reply(proc.stdout, proc.returncode, proc.stderr)


def test_values_dates_and_percent_cells_cross_the_process_boundary(tmp_path, foreign_cwd):
    got = run(ods(tmp_path / "kniha.ods", {"List1": row(), "Druhý": row()}), foreign_cwd)
    assert got.error is None
    assert [s.name for s in got.sheets] == ["List1", "Druhý"]
    first = got.sheets[0]
    assert first.rows == [["ahoj", 2.5, 0.4, dt.date(2025, 3, 1)]]
    assert first.percent == {(0, 2)}
    assert first.visible and first.merged == []


def test_a_workbook_whose_name_lies_is_read_by_its_kind(tmp_path, foreign_cwd):
    path = ods(tmp_path / "kniha.ods", {"List1": row()}).rename(tmp_path / "kniha.bin")
    got = run(path, foreign_cwd)
    assert got.error is None and got.sheets[0].rows[0][0] == "ahoj"


def test_rows_and_columns_beyond_the_limits_are_not_sent(tmp_path, foreign_cwd):
    path = ods(tmp_path / "dlouha.ods", {"List1": row(times=200, cols=20)})
    got = run(path, foreign_cwd, sc.Limits(memory=LIMITS.memory, max_rows=10, max_cols=5, max_sheets=3))
    rows = got.sheets[0].rows
    assert len(rows) == 11  # one row more than kept: the parent knows the sheet was cut
    assert {len(r) for r in rows} == {5}
    assert got.sheets[0].percent == set()  # the percent cell is in column 21, beyond the kept columns


def test_too_many_sheets_is_an_error_with_their_count(tmp_path, foreign_cwd):
    got = run(ods(tmp_path / "listy.ods", {f"L{i}": row() for i in range(5)}), foreign_cwd)
    assert (got.error, got.sheet_count, got.sheets) == ("sheets", 5, [])


def test_cells_repeated_past_any_memory_are_refused_as_memory(tmp_path, foreign_cwd):
    """A few bytes of XML declaring a billion cells (the hostile .ods of test_hostile, built here)."""
    got = run(ods(tmp_path / "opakovani.ods", {"List1": row(times=1_000_000, cols=1000)}), foreign_cwd)
    assert got.error == "memory"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really a zip", bytes(range(256)) * 40])
def test_bytes_that_are_no_workbook_are_unreadable_with_a_reason(tmp_path, foreign_cwd, data):
    path = tmp_path / "nic.ods"
    path.write_bytes(data)
    got = run(path, foreign_cwd)
    assert got.error == "file_unreadable" and got.detail and got.sheets == []


def test_a_malformed_command_line_is_refused(foreign_cwd):
    proc = subprocess.run([*sc.command(Path("x.ods"), "ods", LIMITS)[:-1], "many"], capture_output=True,
                          cwd=foreign_cwd, env=sc.environment(), check=False)
    assert proc.returncode == 2 and proc.stdout == b"" and b"usage" in proc.stderr
    assert sc.main(["x.ods", "csv", "1", "2", "3", "4"]) == 2


@pytest.mark.parametrize(("stdout", "code", "stderr", "want"), [
    (b"", -6, b"", ("memory", "")),  # aborted: std::bad_alloc under the address-space limit
    (b"", 1, b"Traceback ...\nMemoryError\n", ("memory", "")),
    (b"", -9, b"", ("file_unreadable", "exit -9")),
    (b"[1, 2]", 0, b"", ("file_unreadable", "exit 0")),  # JSON, but not the protocol's object
    (b'{"error": "file_encrypted"}', 0, b"", ("file_encrypted", "")),
    (b'{"error": "file_unreadable", "detail": "bad"}', 0, b"", ("file_unreadable", "bad")),
])
def test_the_parent_reads_every_end_of_the_child(stdout, code, stderr, want):
    got = sc.reply(stdout, code, stderr)
    assert (got.error, got.detail) == want and got.sheets == []


@pytest.mark.parametrize("value", [
    None, "text", 3, 2.5, True, dt.date(2025, 3, 1), dt.datetime(2025, 3, 1, 8, 30, 5),
    dt.time(23, 59, 1), dt.timedelta(days=1, seconds=30),
])
def test_encode_and_decode_are_inverse(value):
    import json

    assert sc.decode(json.loads(json.dumps(sc.encode(value)))) == value


def test_an_object_the_child_never_sends_decodes_to_an_empty_cell():
    assert sc.decode({"x": 1}) is None


def test_the_reader_reads_ods_through_the_child(tmp_path):
    book = read_workbook(ods(tmp_path / "kniha.ods", {"List1": row(times=3)}))
    assert book.sheets["List1"].rows[2][:2] == ["ahoj", 2.5]
    with pytest.raises(ReadError) as err:
        read_workbook(ods(tmp_path / "listy.ods", {f"L{i}": row() for i in range(61)}))
    assert err.value.code == "file_too_large"
