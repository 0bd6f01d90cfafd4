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
    assert result.status == "valid", [f.message for f in result.findings]
    assert result.audit.answers["C03"].value == 3.8
    wb = openpyxl.load_workbook(out)
    assert wb["_meta"].sheet_state == "hidden"
    assert any(dv.type == "list" for dv in wb["A Smlouva"].data_validations.dataValidation)
