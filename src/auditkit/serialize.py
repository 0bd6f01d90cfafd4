"""The JSON form of results: the library's own models dumped, documented in docs/json.md."""

from __future__ import annotations

from typing import Any

from auditkit.validation.models import FileResult


def file_json(result: FileResult) -> dict[str, Any]:
    return {
        "file": result.file,
        "status": result.status,
        "errors": result.errors,
        "warnings": result.warnings,
        "service_id": result.service.service_id if result.service else None,
        "service_name": result.service.service_name if result.service else None,
        "findings": [f.model_dump(mode="json") for f in result.findings],
    }


def validation_json(results: list[FileResult]) -> dict[str, Any]:
    return {
        "files": [file_json(r) for r in results],
        "summary": {
            "files": len(results),
            "valid": sum(r.status == "valid" for r in results),
            "invalid": sum(r.status == "invalid" for r in results),
            "skipped": sum(r.status == "skipped" for r in results),
        },
    }
