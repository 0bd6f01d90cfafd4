"""A real spreadsheet program: a template filled and saved by LibreOffice Calc still validates."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from conftest import validate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs it)")


def _resave(src, outdir, profile):
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
         "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=240,
    )
    return outdir / src.name


def test_libreoffice_round_trip(tmp_path, edited):
    from conftest import set_answer

    def typing(wb):
        set_answer(wb, "A Smlouva", "A02", "Ano ")
        set_answer(wb, "C Personál a vrátnice", "C03", "3,8")
        set_answer(wb, "E Supervize", "E12", "30. 3. 2023")

    src = edited(typing, name="vyplneno.xlsx")
    out = _resave(src, tmp_path / "lo", tmp_path / "profile")
    result = validate(out)
    assert result.status == "valid", [f.message for f in result.problems]
    assert result.audit.answers["C03"].value == 3.8
    wb = openpyxl.load_workbook(out)
    assert wb["_meta"].sheet_state == "hidden"
    assert any(dv.type == "list" for dv in wb["A Smlouva"].data_validations.dataValidation)


def _resave_as(src, outdir, profile, fmt):
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", fmt,
         "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=240,
    )
    return outdir / f"{src.stem}.{fmt}"


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_values_typed_as_people_type_survive_libreoffice(tmp_path, edited, fmt):
    """What Excel and LibreOffice store for a person's typing, saved again by LibreOffice (its own styles,
    shared strings, .ods value types): "100 %" in a percent cell is the number 1, an Alt+Enter list a text with
    line breaks, a date typed with a month name stays text, a formula keeps its result."""
    import datetime as dt

    from conftest import find_row, set_answer

    cells = {}

    def typing(wb):
        set_answer(wb, "A Smlouva", "A05", 1.0)  # "100 %" typed into the %-formatted cell
        set_answer(wb, "B Základní činnosti", "B05", 0.4)  # "40 %"
        set_answer(wb, "D Potraviny a materiální pomoc", "D01", "potravinové balíčky\nteplá jídla\noblečení a obuv")
        set_answer(wb, "E Supervize", "E12", "30. března 2023")
        set_answer(wb, "Úvod", "audit_date", dt.date(2023, 2, 14))
        ws = wb["E Supervize"]
        cells["E02"] = f"C{find_row(ws, 'E02')}"
        ws[cells["E02"]] = "=0.1*30+8"  # 11, computed by LibreOffice (binary: 11.000000000000002)
        wb["Odchody"]["B10"] = "-"  # a prefilled destination nobody left to

    src = edited(typing, name="typed.xlsx")
    out = _resave_as(src, tmp_path / "lo", tmp_path / "profile", fmt)
    result = validate(out)
    assert result.status == "valid", [f.message for f in result.problems]
    assert [f for f in result.problems if f.code == "answer_percent_ambiguous"] == []
    answers = result.audit.answers
    assert answers["A05"].value == 100
    assert answers["B05"].value == 40
    assert answers["D01"].value == ["food_parcels", "meals", "clothing"]
    assert answers["E12"].value == dt.date(2023, 3, 30)
    assert answers["E02"].value == 11
    assert result.audit.service.audit_date == dt.date(2023, 2, 14)
