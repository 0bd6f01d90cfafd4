"""All or nothing: a run writes its outputs into a staging folder beside ``--out`` and swaps it in at the end.

After any interruption ``--out`` holds either the complete previous set or the complete new set: the new
outputs are written into ``.<out>.auditkit-staging-<pid>-…`` in the same parent folder and, when all are
written, exchanged with ``--out`` in one ``renameat2(RENAME_EXCHANGE)`` (Linux); where that call is missing,
two renames with the previous set kept aside as ``.<out>.auditkit-previous-<pid>-…`` until the new one is in
place. The staging folder (then holding the previous outputs) is removed afterwards. A run killed with
SIGKILL leaves its staging folder behind; the next run into the same ``--out`` removes it (a previous set
kept aside is put back first if ``--out`` is missing).

``--out`` is replaced whole, so it must be a folder of auditkit outputs: it is refused (a ``UsageError``)
when it is a file, or a folder holding anything else (``--out .`` in a project folder would otherwise
delete the project). Each output set carries a marker file, ``MARKER``.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from auditkit.errors import UsageError
from auditkit.interrupt import commit, process_alive
from auditkit.validation.batch import OUTPUT_MARKER as MARKER

KNOWN = {"summary.pdf", "summary-anonymni.pdf", "summary.xlsx", "summary.json", "reports", "opendata", MARKER}  # what auditkit 0.x wrote
_STAGING, _PREVIOUS = "auditkit-staging", "auditkit-previous"
_RENAME_EXCHANGE = 2


def _own(folder: Path, kind: str) -> int | None:
    """The pid in a ``.<out>.<kind>-<pid>-…`` folder name, or None."""
    head, _, rest = folder.name.partition(f".{kind}-")
    pid = rest.split("-", 1)[0]
    return int(pid) if head and pid.isdigit() else None


def siblings(out: Path, kind: str) -> list[Path]:
    """The staging (or previous) folders of ``out``, whoever made them."""
    try:
        return sorted(p for p in out.parent.glob(f".{out.name}.{kind}-*") if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def remove_leftovers(out: Path) -> list[Path]:
    """Remove what runs into ``out`` that no longer exist left behind; put a previous set back if ``out``
    itself is missing (a run killed between two renames)."""
    removed = []
    for kind in (_PREVIOUS, _STAGING):
        for folder in siblings(out, kind):
            pid = _own(folder, kind)
            if pid is None or pid == os.getpid() or process_alive(pid):
                continue
            if kind == _PREVIOUS and not out.exists():
                with contextlib.suppress(OSError):
                    folder.rename(out)
                    continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def check_out(out: Path) -> None:
    """Refuse an ``out`` that is not a folder of auditkit outputs (see the module's docstring)."""
    if out.exists() and not out.is_dir():
        raise UsageError("out_is_file", path=out)
    if not out.is_dir() or (out / MARKER).exists():
        return
    for entry in sorted(os.listdir(out)):
        if entry not in KNOWN:
            raise UsageError("out_foreign", path=out, entry=entry)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the call is not available."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    at_fdcwd = -100
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(staging: Path, out: Path) -> None:
    """Make ``staging`` the new ``out``; the previous outputs end up in ``staging`` (removed by the caller)."""
    if not out.exists():
        staging.rename(out)
        staging.mkdir()  # an empty staging folder for the caller to remove, as after an exchange
        return
    if _exchange(staging, out):
        return
    previous = Path(tempfile.mkdtemp(prefix=f".{out.name}.{_PREVIOUS}-{os.getpid()}-", dir=out.parent))
    previous.rmdir()
    out.rename(previous)
    staging.rename(out)
    previous.rename(staging)


@contextlib.contextmanager
def staged(out: Path) -> Iterator[Path]:
    """Yield a fresh staging folder beside ``out``; on success its content replaces ``out`` in one step,
    on any exception (a signal included) it is removed and ``out`` stays as it was."""
    out = Path(os.path.abspath(out))
    if out.is_symlink():  # swap the folder it names, not the link
        out = Path(os.path.realpath(out))
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{_STAGING}-{os.getpid()}-", dir=out.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; outputs get the usual permissions
    try:
        (staging / MARKER).write_text("auditkit outputs: this folder is replaced whole by the next run\n",
                                      encoding="utf-8")
        yield staging
        check_out(out)  # still ours (nothing was put there meanwhile)
        with commit():  # a stop signal waits until the swap is done and noted
            swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
