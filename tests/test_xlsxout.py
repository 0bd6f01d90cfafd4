"""The streaming xlsx writer: what openpyxl, calamine and LibreOffice read back from its files."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import math
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from auditkit.excel.xlsxout import XlsxStream

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


class Kind(enum.Enum):
    CHOICE = "choice"


HEADER = ["text", "number", "flag", "when", "empty"]
ROWS = [
    ["Žluťoučký kůň", 42, True, dt.date(2024, 3, 5), None],
    ["&<>\"'", 0.1, False, dt.datetime(2024, 3, 5, 13, 45, 10), float("nan")],
    ["dva\nřádky", 1e-300, 0, dt.datetime(1900, 2, 28, 6, 0), ""],
    ["  mezery  ", -2.5, 2**40, dt.date(1900, 3, 1), None],
    ["=SUM(A1)", Decimal("1.25"), 7, None, None],
]


def _write(path: Path, rows=ROWS) -> Path:
    with XlsxStream(path) as x:
        x.sheet("data", HEADER).extend(rows)
    return path


def _calamine(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_openpyxl_reads_values_and_types(tmp_path):
    ws = openpyxl.load_workbook(_write(tmp_path / "t.xlsx"))["data"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=5)]
    assert [r[0] for r in got] == ["Žluťoučký kůň", "&<>\"'", "dva\nřádky", "  mezery  ", "=SUM(A1)"]
    assert ws["A6"].data_type == "s"  # text, not a formula
    assert [r[1] for r in got] == [42, 0.1, 1e-300, -2.5, 1.25]
    assert got[0][2] is True and got[1][2] is False and got[2][2] == 0 and got[3][2] == 2**40
    assert got[0][3].date() == dt.date(2024, 3, 5) and ws["D2"].number_format == "D. M. YYYY"
    assert got[1][3] == dt.datetime(2024, 3, 5, 13, 45, 10) and ws["D3"].number_format == "D. M. YYYY H:MM"
    assert got[2][3] == dt.datetime(1900, 2, 28, 6, 0)  # before Excel's phantom 29 February 1900
    assert got[3][3].date() == dt.date(1900, 3, 1)
    assert [r[4] for r in got] == [None] * 5
    assert got[1][1] == 0.1 and got[4][3] is None


def test_calamine_reads_values(tmp_path):
    rows = _calamine(_write(tmp_path / "t.xlsx"), "data")
    assert rows[0] == HEADER
    assert rows[1] == ["Žluťoučký kůň", 42, True, dt.date(2024, 3, 5), ""]
    assert rows[2] == ["&<>\"'", 0.1, False, dt.datetime(2024, 3, 5, 13, 45, 10), ""]
    assert rows[3][:2] == ["dva\nřádky", 1e-300]
    assert rows[4][:2] == ["  mezery  ", -2.5]
    assert rows[5][:2] == ["=SUM(A1)", 1.25]


def test_awkward_values_become_text_or_nothing(tmp_path):
    path = tmp_path / "t.xlsx"
    row = [
        "a\x00b\x07c\x1fd\ufffee\ud800f", "x" * 40_000, "😀" * 20_000, ["A01", 2, "B"], ("x",), Kind.CHOICE,
        Path("a/b.xlsx"), float("inf"), float("-inf"), "_x0041_", "a\r\nb", "\x01\x02",
        dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), dt.date(1850, 1, 1),
    ]
    with XlsxStream(path) as x:
        x.sheet("data", ["h"]).append(row)
    ws = openpyxl.load_workbook(path)["data"]
    values = [c.value for c in ws[2]]
    assert values[0] == "abcdef"
    assert values[1] == "x" * 32_767
    assert len(values[2].encode("utf-16-le")) == 2 * 32_766  # Excel counts UTF-16 units; no half emoji
    assert values[3:9] == ["A01; 2; B", "x", "Kind.CHOICE", str(Path("a/b.xlsx")), "inf", "-inf"]
    assert values[10] == "a\r\nb"
    assert values[11] is None
    assert values[12] == dt.datetime(2024, 3, 5, 10, 0)  # aware datetimes are stored in UTC
    assert values[13] == "1850-01-01"  # Excel has no dates before 1900
    assert ws.max_column == 14
    assert _calamine(path, "data")[1][9] == "_x0041_"  # escaped, as Excel would otherwise read 'A'


def test_header_sheets_and_interleaving(tmp_path):
    path = tmp_path / "t.xlsx"
    with XlsxStream(path) as x:
        answers = x.sheet("answers", ["file", "value"])
        first = x.sheet("services", ["file"])
        for i in range(3):
            answers.append([f"f{i}", i])
            first.append([f"s{i}"])
        answers.append(["wide", *range(30)])
        x.sheet("empty", [])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["answers", "services", "empty"]
    ws = wb["answers"]
    assert ws["A1"].font.b and ws["B1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert [[c.value for c in r] for r in ws.iter_rows(max_col=2)] == [
        ["file", "value"], ["f0", 0], ["f1", 1], ["f2", 2], ["wide", 0]]
    assert ws["AE5"].value == 29
    with zipfile.ZipFile(path) as z:
        assert b'<dimension ref="A1:AE5"/>' in z.read("xl/worksheets/sheet1.xml")
    assert [c.value for c in wb["services"]["A"]] == ["file", "s0", "s1", "s2"]
    assert _calamine(path, "services") == [["file"], ["s0"], ["s1"], ["s2"]]
    assert wb["empty"].max_row == 1 and wb["empty"]["A1"].value is None


def test_same_input_same_bytes(tmp_path):
    assert _write(tmp_path / "a.xlsx").read_bytes() == _write(tmp_path / "b.xlsx").read_bytes()


def test_failure_leaves_nothing(tmp_path):
    path = tmp_path / "out" / "t.xlsx"
    with pytest.raises(RuntimeError), XlsxStream(path) as x:
        x.sheet("data", HEADER).extend(ROWS)
        raise RuntimeError("boom")
    assert list(path.parent.iterdir()) == []
    with pytest.raises(ValueError):
        XlsxStream(path).close()  # a workbook without sheets
    assert list(path.parent.iterdir()) == []


def test_closed_file_appears_complete(tmp_path):
    path = tmp_path / "t.xlsx"
    x = XlsxStream(path)
    sheet = x.sheet("data", HEADER)
    sheet.append(ROWS[0])
    assert not path.exists()
    assert x.close() == path
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("title", ["", "x" * 32, "a/b", "a[1]", "a:b", "a*", "a?", "a\\b", "'a", "History",
                                   "tab\x01"])
def test_invalid_titles(tmp_path, title):
    x = XlsxStream(tmp_path / "t.xlsx")
    with pytest.raises(ValueError):
        x.sheet(title, ["h"])


def test_duplicate_title_and_too_wide_row(tmp_path):
    with XlsxStream(tmp_path / "t.xlsx") as x:
        sheet = x.sheet("Data & more", ["h"])
        with pytest.raises(ValueError):
            x.sheet("DATA & MORE", ["h"])
        with pytest.raises(ValueError):
            sheet.append([1] * 16_385)
    assert openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames == ["Data & more"]


def test_many_rows(tmp_path):
    path = tmp_path / "t.xlsx"
    n = 50_000
    with XlsxStream(path) as x:
        x.sheet("answers", [f"c{i}" for i in range(11)]).extend(
            [f"file{i % 40}.xlsx", f"S{i}", "B", "B03", "Otázka?", "choice", "ok", i * 0.5, None,
             dt.date(2024, 1, 1), i] for i in range(n))
    rows = _calamine(path, "answers")
    assert len(rows) == n + 1
    assert rows[-1] == ["file39.xlsx", f"S{n - 1}", "B", "B03", "Otázka?", "choice", "ok", (n - 1) * 0.5, "",
                        dt.date(2024, 1, 1), n - 1]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_it(tmp_path):
    src = _write(tmp_path / "t.xlsx")
    out = tmp_path / "csv"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out), str(src)],
        check=True, capture_output=True, timeout=240,
    )
    with open(out / "t.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == HEADER
    assert rows[1][:3] == ["Žluťoučký kůň", "42", "TRUE"]
    assert rows[2][0] == "&<>\"'"
    assert rows[5][0] == "=SUM(A1)"
    assert rows[1][3] == "5. 3. 2024"
    assert math.isclose(float(rows[4][1]), -2.5)
