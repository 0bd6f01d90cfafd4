"""Many files: expand folders, skip what is not a workbook (saying why), validate the rest.

Every input shows up in the result exactly once: valid, invalid or skipped.
"""

from __future__ import annotations

from pathlib import Path

from auditkit.validation.findings import failed, make, phrase
from auditkit.validation.models import FileResult

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _is_lock(path: Path) -> bool:
    return path.name.startswith("~$") or path.name.startswith(".~lock.")


def expand(paths: list[Path], lang: str | None) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """(workbooks to read with their display names, skipped files with the reason).

    Files named on the command line are always read (unless they are lock files); files found in
    folders are read when their suffix is a workbook's, and listed as skipped otherwise.
    """
    todo: list[tuple[Path, str]] = []
    skipped: list[FileResult] = []
    seen: set[Path] = set()

    words = lang or "cs"  # a skipped file has no language of its own

    def skip(path: Path, reason: str, **kw: str) -> None:
        detail = phrase("file_skipped", reason, words, **kw)
        skipped.append(FileResult(file=str(path), status="skipped", language=words,
                                  findings=[make("file_skipped", words, str(path), detail=detail)]))

    for given in paths:
        if given.is_dir():
            files = sorted(p for p in given.rglob("*") if p.is_file())
            for p in files:
                if p.resolve() in seen:
                    continue
                seen.add(p.resolve())
                if _is_lock(p):
                    skip(p, "lock")
                elif p.name.startswith("."):
                    skip(p, "hidden")
                elif p.suffix.lower() not in WORKBOOK_SUFFIXES:
                    skip(p, "suffix", suffix=p.suffix or "''")
                else:
                    todo.append((p, str(p)))
        else:
            if given.resolve() in seen:
                continue
            seen.add(given.resolve())
            if _is_lock(given) and given.exists():
                skip(given, "lock")
            else:
                todo.append((given, str(given)))
    return todo, skipped


def validate_one(path: Path, name: str, lang: str | None) -> FileResult:
    """Validate a file; an unexpected error inside auditkit becomes a finding, never a traceback.

    ``lang`` None: the messages follow each workbook's own language."""
    from auditkit.validation.workbook import validate_file

    try:
        return validate_file(path, lang=lang, name=name)
    except Exception as exc:  # noqa: BLE001 - the batch must go on; the finding says what happened
        return FileResult(file=name, status="invalid", findings=[failed(name, lang or "cs", exc)], language=lang or "cs")


def _service_key(result: FileResult) -> str:
    if result.status != "valid" or result.service is None:
        return ""
    return "".join(str(result.service.service_id or "").split()).casefold()


def mark_duplicate_services(results: list[FileResult], lang: str | None) -> list[FileResult]:
    """Results in the same order; valid files sharing a service ID with another valid file are rejected.

    Each of them becomes invalid with a ``file_duplicate_service`` finding naming the other files: one
    service must not be counted twice, and only a person can tell which workbook is the right one.
    Invalid files are not counted anyway, so they never make a valid one a duplicate.
    """
    groups: dict[str, list[str]] = {}
    for r in results:
        key = _service_key(r)
        if key:
            groups.setdefault(key, []).append(r.file)
    out = []
    for r in results:
        files = groups.get(_service_key(r), [])
        if len(files) < 2:
            out.append(r)
            continue
        others = ", ".join(f for f in files if f != r.file) or r.file
        sid = r.service.service_id
        finding = make("file_duplicate_service", lang or r.language or "cs", r.file, service_id=sid, other=others)
        out.append(r.model_copy(update={"status": "invalid", "findings": [*r.findings, finding]}))
    return out


def validate_paths(paths: list[Path], lang: str | None = "cs") -> list[FileResult]:
    """Validate every file (folders expanded); each input appears once, sorted by name.

    Two valid workbooks of one service are both rejected, as ``summarize`` rejects them. ``lang`` None:
    each workbook's messages in its own language.
    """
    todo, skipped = expand(paths, lang)
    results = [validate_one(path, name, lang) for path, name in todo]
    return mark_duplicate_services(sorted(results + skipped, key=lambda r: r.file), lang)


def messages_language(results: list[FileResult], lang: str | None) -> str:
    """The language to talk to the user in: the one asked for, else the workbooks' (the first read), else Czech."""
    return lang or next((r.language for r in results if r.language and r.status != "skipped"), "cs")
