"""Derived data kept between runs in the user's own cache folder, so that a command starts faster.

What is kept is always rebuilt from its sources when missing, stale or unreadable: the cache only saves
time (docs/performance.md, "Start-up"). What uses it: the checked questionnaire definitions (YAML parsing
and pydantic validation, about 40 ms of every ``validate``), the checked words files (``auditkit.words``),
the name forms of the personal-data check and the few CLDR items auditkit takes from Babel (the plural
rules and number symbols of cs and en: Babel's whole locale data takes ~15 ms). With all of them kept, a
command that reads no other data file never imports the YAML parser (~11 ms).

An entry is a pickle, and a pickle runs code when it is loaded, so an entry is read only from a folder that
the user alone can write: owned by the user, not writable by group or others (on POSIX), the file
likewise; anything else is ignored and rebuilt in memory. The folder is ``$AUDITKIT_CACHE_DIR``, else
``$XDG_CACHE_HOME/auditkit``, ``~/.cache/auditkit`` (``%LOCALAPPDATA%\\auditkit\\cache`` on Windows);
``AUDITKIT_NO_CACHE=1`` turns the cache off. Every failure (no home, a read-only disk, a corrupt or
foreign entry) falls back silently to building the data: a cache never changes what a command does.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

def folder() -> Path | None:
    """The cache folder, or None when the cache is off or no folder can be named."""
    if os.environ.get("AUDITKIT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("AUDITKIT_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA", "").strip()
        return Path(base) / "auditkit" / "cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if base:
        return Path(base) / "auditkit"
    try:
        return Path.home() / ".cache" / "auditkit"
    except (RuntimeError, KeyError):  # no home directory
        return None


def fingerprint(*parts: object, files: Iterable[Path] = ()) -> str:
    """A key from ``parts`` (versions, names) and the bytes of ``files`` (a missing file counts as such)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "replace") + b"\0")
    for path in files:
        h.update(str(path).encode("utf-8", "replace") + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"\0missing\0")
        h.update(b"\0")
    return h.hexdigest()


_code: str | None = None


def code_stamp() -> str:
    """The version of auditkit and the size and time of change of every file of the package: what the
    kept data was derived by (an edited module in a source checkout counts as another version)."""
    global _code
    if _code is None:
        from auditkit import __version__

        package = Path(__file__).resolve().parent
        stamps: list[tuple[str, int, int]] = []
        folders = [str(package)]
        while folders:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            folders.append(entry.path)
                    elif entry.name.endswith((".py", ".yaml", ".txt")):
                        st = entry.stat()
                        stamps.append((entry.path, st.st_size, st.st_mtime_ns))
        _code = fingerprint(__version__, sys.version, sorted(stamps))
    return _code


def _private(st: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (always true where there are no POSIX owners)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def load(name: str, key: str) -> Any | None:
    """The value stored under ``name`` with exactly ``key``, or None (missing, stale, unsafe, unreadable)."""
    base = folder()
    if base is None:
        return None
    try:
        if not _private(os.stat(base)):
            return None
        fd = os.open(base / f"{name}.pickle", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None
            stored_key, value = pickle.load(fh)
    except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt
        return None
    return value if stored_key == key else None


def store(name: str, key: str, value: Any, keep: int | None = None) -> None:
    """Keep ``value`` under ``name`` and ``key`` (atomically; silently nothing when it cannot be written).
    ``keep``: for names ``family-…`` made from a path, how many of the family's newest entries to keep."""
    base = folder()
    if base is None:
        return
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.stat(base)):
            return
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=base, prefix=f".{name}.", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, base / f"{name}.pickle")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if keep is not None:
            _prune(base, name, keep)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is no cache
        return


def _prune(base: Path, name: str, keep: int) -> None:
    """Keep the newest ``keep`` entries of the family of ``name`` (the part before the first ``-``)."""
    family = name.split("-", 1)[0]
    entries = sorted(base.glob(f"{family}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)


def cached(name: str, key: str, build: Callable[[], T], accept: Callable[[Any], bool]) -> T:
    """The value stored under ``name`` / ``key`` when ``accept`` takes it, else ``build()`` stored."""
    value = load(name, key)
    if value is not None and accept(value):
        return value
    value = build()
    store(name, key, value)
    return value
