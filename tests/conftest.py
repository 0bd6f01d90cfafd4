"""Shared helpers: workbooks are built in code from the questionnaire, then edited like a person would."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from auditkit.questionnaire.loader import default_questionnaire
from auditkit.samples import ROUND, write_audit
from auditkit.validation.batch import validate_paths
from auditkit.validation.models import FileResult

# auditkit keeps derived data between runs in the user's cache folder (auditkit.usercache); the tests, and the
# commands they run, keep theirs in a folder of their own, removed when the session ends
_CACHE = tempfile.TemporaryDirectory(prefix="auditkit-test-cache-")
os.environ["AUDITKIT_CACHE_DIR"] = _CACHE.name


@pytest.fixture(scope="session")
def questionnaire():
    return default_questionnaire()


@pytest.fixture(scope="session")
def good_workbook(tmp_path_factory, questionnaire) -> Path:
    """A clean, fully filled Czech workbook (the first sample profile)."""
    return write_audit(questionnaire, ROUND[0], tmp_path_factory.mktemp("good") / "good.xlsx")


@pytest.fixture(scope="session")
def good_workbook_en(tmp_path_factory, questionnaire) -> Path:
    return write_audit(questionnaire, ROUND[4], tmp_path_factory.mktemp("good_en") / "good_en.xlsx", lang="en")


def find_row(ws, question_id: str) -> int:
    for cell in ws["A"]:
        if cell.value is not None and str(cell.value).strip() == question_id:
            return cell.row
    raise KeyError(question_id)


@pytest.fixture
def edited(tmp_path, good_workbook) -> Callable[..., Path]:
    """edited(change) → path of a copy of the good workbook after change(workbook) was applied."""

    def make(change: Callable[[Any], None], name: str = "edited.xlsx", source: Path | None = None) -> Path:
        target = tmp_path / name
        shutil.copy(source or good_workbook, target)
        wb = openpyxl.load_workbook(target)
        change(wb)
        wb.save(target)
        return target

    return make


def set_answer(wb, sheet: str, question_id: str, value: Any, column: str = "C") -> str:
    """Type ``value`` into the answer cell of ``question_id``; return the cell address."""
    ws = wb[sheet]
    row = find_row(ws, question_id)
    ws[f"{column}{row}"] = value
    return f"{column}{row}"


def validate(path: Path, lang: str = "cs") -> FileResult:
    (result,) = validate_paths([path], lang)
    return result


def where(result: FileResult, severity: str | None = None) -> set[tuple[str | None, str | None, str]]:
    return {f.where() for f in result.findings if severity is None or f.severity == severity}
