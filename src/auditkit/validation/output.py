"""The JSON form of a validation (``auditkit validate --json``), documented in docs/json.md.

Kept apart from the summary's JSON (auditkit.serialize, which imports it) so that ``validate --json`` loads
no scoring, summary or round models (docs/performance.md, "Start-up"). Every float is rounded to two decimals
(``ROUND``); ``schema_version`` changes when a field is renamed or removed (adding a field does not change it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from auditkit.validation.models import FileResult, FileStatus
from auditkit.validation.problems import Problem

SCHEMA_VERSION = "1.0"
ROUND = 2  # decimals of every number in the JSON

OLD_NAME = ("The same list as `problems`, under its old name (validation problems were called findings, "
             "like the audit's red flags); kept for one release, then removed: read `problems`.")


class FileOut(BaseModel):
    file: str
    status: FileStatus
    errors: int
    warnings: int
    service_id: str | None
    service_name: str | None
    problems: list[Problem]  # what to fix in the file (validation problems)
    findings: list[Problem] = Field(description=OLD_NAME, json_schema_extra={"deprecated": True})


class Totals(BaseModel):
    files: int
    valid: int
    invalid: int
    skipped: int


class ValidationOut(BaseModel):
    """``auditkit validate --json``."""

    schema_version: str
    files: list[FileOut]
    summary: Totals


def rounded(data: Any, decimals: int = ROUND) -> Any:
    """``data`` with every float rounded (whatever model or field it came from)."""
    if isinstance(data, float):
        return round(data, decimals)
    if isinstance(data, dict):
        return {k: rounded(v, decimals) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [rounded(v, decimals) for v in data]
    return data


def as_json(model: BaseModel) -> dict[str, Any]:
    """``model`` as JSON data, every float rounded."""
    data: dict[str, Any] = rounded(model.model_dump(mode="json"))
    return data


def file_out(result: FileResult) -> FileOut:
    return FileOut(
        file=result.file, status=result.status, errors=result.errors, warnings=result.warnings,
        service_id=result.service.service_id if result.service else None,
        service_name=result.service.service_name if result.service else None,
        problems=result.problems, findings=result.problems,
    )


def file_json(result: FileResult) -> dict[str, Any]:
    return as_json(file_out(result))


def totals(results: list[FileResult]) -> Totals:
    """How many files were read, and how many of them are valid, invalid or skipped."""
    return Totals(
        files=len(results),
        valid=sum(r.status == "valid" for r in results),
        invalid=sum(r.status == "invalid" for r in results),
        skipped=sum(r.status == "skipped" for r in results),
    )


def validation_json(results: list[FileResult]) -> dict[str, Any]:
    return as_json(ValidationOut(schema_version=SCHEMA_VERSION, files=[file_out(r) for r in results],
                                 summary=totals(results)))
