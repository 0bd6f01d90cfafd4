"""``validate --annotate``: one annotated return copy per validated workbook (docs/cycle.md).

The target is a ``.xlsx`` file when one workbook is validated, otherwise a folder that receives one copy
per workbook under the workbook's own name. A copy never replaces its source; files that cannot carry
comments (.xls, .ods, unreadable ones) are listed with the reason instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from auditkit.errors import UsageError
from auditkit.excel.annotate import ANNOTATABLE, annotate_workbook
from auditkit.lang import Lang
from auditkit.validation.models import FileResult

AnnotationStatus = Literal["written", "not_annotatable", "unreadable", "would_overwrite"]


class Annotated(BaseModel):
    file: str
    status: AnnotationStatus
    copy_path: str | None = None
    cells: int = 0  # cells that received a comment


class AnnotateTargetError(UsageError):
    """The --annotate target cannot be used (a usage error: exit 2, words in errors.MESSAGES)."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(key, path=path)


def plan_targets(results: list[FileResult], target: Path) -> dict[str, Path]:
    """Where each workbook's copy goes; raises AnnotateTargetError for a target that cannot be used."""
    files = [r for r in results if r.status != "skipped"]
    single = target.suffix.lower() in ANNOTATABLE
    if single and len(files) > 1:
        raise AnnotateTargetError("annotate_needs_folder", target)
    if single:
        if target.is_dir():
            raise AnnotateTargetError("annotate_is_folder", target)
        return {files[0].file: target} if files else {}
    if target.exists() and not target.is_dir():
        raise AnnotateTargetError("annotate_not_folder", target)
    targets: dict[str, Path] = {}
    for r in files:
        dest = target / Path(r.file).name
        if dest in targets.values():  # same name in two subfolders: the folder's name goes in front
            dest = target / f"{Path(r.file).parent.name}_{Path(r.file).name}"
        targets[r.file] = dest
    return targets


def annotate_results(results: list[FileResult], target: Path, lang: Lang) -> list[Annotated]:
    """Write the annotated copies of ``results`` under ``target``, each in its messages' language (``lang``
    when a result does not say)."""
    done = []
    for file, dest in plan_targets(results, target).items():
        result = next(r for r in results if r.file == file)
        src = Path(file)
        if src.suffix.lower() not in ANNOTATABLE:
            done.append(Annotated(file=file, status="not_annotatable"))
            continue
        if dest.exists() and dest.resolve() == src.resolve():
            done.append(Annotated(file=file, status="would_overwrite", copy_path=str(dest)))
            continue
        try:
            cells = annotate_workbook(src, dest, result.problems, result.language or lang)  # the messages' language
        except Exception:  # noqa: BLE001 - a workbook openpyxl cannot open: its problems are still listed
            done.append(Annotated(file=file, status="unreadable"))
            continue
        done.append(Annotated(file=file, status="written", copy_path=str(dest), cells=cells))
    return done
