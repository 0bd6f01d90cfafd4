"""Many files: expand folders, skip what is not a workbook (saying why), validate the rest.

Every input shows up in the result exactly once: valid, invalid or skipped.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from auditkit.lang import Lang
from auditkit.validation.models import FileResult
from auditkit.validation.problems import failed, make, phrase

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OUTPUT_MARKER = ".auditkit-outputs"  # in every folder of outputs summarize writes (auditkit.staging)


def _is_lock(path: Path) -> bool:
    return path.name.startswith("~$") or path.name.startswith(".~lock.")


def expand(paths: list[Path], lang: Lang | None,
           exclude: list[Path] | tuple[Path, ...] = ()) -> tuple[list[tuple[Path, str]], list[FileResult]]:
    """(workbooks to read with their display names, every other entry with its result).

    Files named on the command line are always read (unless they are lock files); in folders every entry is
    accounted for (docs/security.md, "Runs"): workbooks are read, anything else is listed as skipped with the
    reason — other suffixes, lock and hidden files, hidden folders, FIFOs and devices (never opened, so a
    FIFO cannot hang the run), symbolic links (never followed: a link leading outside the folder would read
    a file from elsewhere, one inside names a file that is read under its own name), auditkit's own output
    folders (``exclude``, e.g. ``--out``, and any folder carrying the outputs' marker) — and a workbook
    that cannot be read for lack of permission is rejected.
    """
    todo: list[tuple[Path, str]] = []
    skipped: list[FileResult] = []
    seen: set[Path] = set()
    excluded = {_real(p) for p in exclude}

    words = lang or "cs"  # a skipped file has no language of its own

    def skip(path: Path, why: str, /, **kw: str) -> None:
        detail = phrase("file_skipped", why, words, **kw)
        skipped.append(FileResult(file=str(path), status="skipped", language=words,
                                  problems=[make("file_skipped", words, str(path), detail=detail)]))

    def read(path: Path) -> None:
        real = _real(path)
        if real in seen:
            return
        seen.add(real)
        if not os.access(path, os.R_OK):
            skipped.append(FileResult(file=str(path), status="invalid", language=words,
                                      problems=[make("file_no_permission", words, str(path))]))
        else:
            todo.append((path, str(path)))

    def walk(folder: Path, root: Path) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder, "folder_unreadable", reason=exc.strerror or type(exc).__name__)
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone since the listing
            if stat.S_ISLNK(st.st_mode):
                _link(path, root, skip)
            elif stat.S_ISDIR(st.st_mode):
                if _real(path) in excluded or (path / OUTPUT_MARKER).exists():
                    skip(path, "outputs")
                elif path.name.startswith("."):
                    skip(path, "hidden_folder")
                else:
                    if path.suffix.lower() in WORKBOOK_SUFFIXES:
                        skip(path, "folder_named_workbook")
                    walk(path, root)
            elif not stat.S_ISREG(st.st_mode):
                skip(path, "special")
            elif _is_lock(path):
                skip(path, "lock")
            elif path.name.startswith("."):
                skip(path, "hidden")
            elif path.suffix.lower() not in WORKBOOK_SUFFIXES:
                skip(path, "suffix", suffix=path.suffix or "''")
            else:
                read(path)

    for given in paths:
        if given.is_dir():
            if _real(given) in excluded or (given / OUTPUT_MARKER).exists():
                skip(given, "outputs")
            else:
                walk(given, _real(given))
        elif _is_lock(given) and given.exists():
            skip(given, "lock")
        elif given.exists() and os.path.isfile(given):
            read(given)
        else:
            real = _real(given)
            if real not in seen:
                seen.add(real)
                todo.append((given, str(given)))  # the reader says what it is (missing, FIFO, device)
    return todo, skipped


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _link(path: Path, root: Path, skip: Callable[..., None]) -> None:
    """A symbolic link found in a folder: listed, never followed."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        skip(path, "link_loop")
        return
    except OSError as exc:
        skip(path, "link_loop" if exc.errno == errno.ELOOP else "link_dangling", target=os.readlink(path))
        return
    if target != root and root not in target.parents:
        skip(path, "link_outside", target=str(target))
    else:
        skip(path, "link_inside", target=str(target))


def validate_one(path: Path, name: str, lang: Lang | None, keep_audit: bool = True) -> FileResult:
    """Validate a file; an unexpected error inside auditkit becomes a finding, never a traceback.

    ``lang`` None: the messages follow each workbook's own language. ``keep_audit`` False: no typed audit
    (``validate_file``)."""
    from auditkit.validation.workbook import validate_file

    try:
        return validate_file(path, lang=lang, name=name, keep_audit=keep_audit)
    except Exception as exc:  # noqa: BLE001 - the batch must go on; the problem says what happened
        return FileResult(file=name, status="invalid", problems=[failed(name, lang or "cs", exc)], language=lang or "cs")


def _service_key(result: FileResult) -> str:
    if result.status != "valid" or result.service is None:
        return ""
    return "".join(str(result.service.service_id or "").split()).casefold()


def mark_duplicate_services(results: list[FileResult], lang: Lang | None) -> list[FileResult]:
    """Results in the same order; valid files sharing a service ID with another valid file are rejected.

    Each of them becomes invalid with a ``file_duplicate_service`` problem naming the other files: one
    service must not be counted twice, and only a person can tell which workbook is the right one. When
    the workbooks name different audit rounds (2023 and 2024 in one folder), the most recent round's
    workbook is kept and the earlier ones are rejected with ``file_earlier_round``, which points to
    ``summarize --previous`` for comparing rounds.
    Invalid files are not counted anyway, so they never make a valid one a duplicate.
    """
    groups: dict[str, list[str]] = {}
    for r in results:
        key = _service_key(r)
        if key:
            groups.setdefault(key, []).append(r.file)
    by_file = {r.file: r for r in results}
    out = []
    for r in results:
        files = groups.get(_service_key(r), [])
        if len(files) < 2 or r.service is None:  # a result without a service has no key: never grouped
            out.append(r)
            continue
        words = lang or r.language or "cs"
        sid = r.service.service_id
        latest = _latest_round([by_file[f] for f in files])
        if latest is not None and _round(r) != latest:  # an earlier round of the service: compare, not count
            newer = ", ".join(f for f in files if _round(by_file[f]) == latest)
            problem = make("file_earlier_round", words, r.file, service_id=sid, round=_round(r) or "–",
                           latest=latest, other=newer)
            out.append(r.model_copy(update={"status": "invalid", "problems": [*r.problems, problem]}))
            continue
        same = [f for f in files if f != r.file and (latest is None or _round(by_file[f]) == latest)]
        if not same:
            out.append(r)
            continue
        problem = make("file_duplicate_service", words, r.file, service_id=sid, other=", ".join(same))
        out.append(r.model_copy(update={"status": "invalid", "problems": [*r.problems, problem]}))
    return out


def _round(r: FileResult) -> str:
    return (r.service.audit_round or "").strip() if r.service else ""


def _latest_round(group: list[FileResult]) -> str | None:
    """The round of the most recent audit in ``group`` when its workbooks name different rounds, else None."""
    rounds = {_round(r) for r in group}
    if len(rounds) < 2 or "" in rounds:
        return None
    newest = max(group, key=lambda r: ((r.service.audit_date if r.service else None) or dt.date.min, _round(r)))
    return _round(newest)


def validate_paths(paths: list[Path], lang: Lang | None = "cs") -> list[FileResult]:
    """Validate every file (folders expanded); each input appears once, sorted by name.

    Two valid workbooks of one service are both rejected, as ``summarize`` rejects them. ``lang`` None:
    each workbook's messages in its own language.
    """
    todo, skipped = expand(paths, lang)
    results = [validate_one(path, name, lang) for path, name in todo]
    return mark_duplicate_services(sorted(results + skipped, key=lambda r: r.file), lang)


def messages_language(results: list[FileResult], lang: Lang | None) -> Lang:
    """The language to talk to the user in: the one asked for, else the workbooks' (the first read), else Czech."""
    read: list[Lang] = [r.language for r in results if r.language is not None and r.status != "skipped"]
    return lang or (read[0] if read else "cs")
