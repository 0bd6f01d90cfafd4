"""The checked questionnaire definitions of a set of folders, kept between runs (auditkit.usercache).

Parsing the YAML and validating it with pydantic costs about 40 ms at every start (with ``import yaml``);
unpickling the checked definitions costs 2 ms. An entry is used only when everything the definitions were
built from is unchanged: the bytes of every YAML file read for them, the list of definition files, the code
that checks them (``usercache.code_stamp``: every file of auditkit), the registered question kinds and the
versions of auditkit, pydantic and Python. A definition with an error is never kept, so a methodologist who
breaks a file gets the same message (file and key) at every run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from auditkit import usercache

T = TypeVar("T")

_BUILTIN_KINDS = "auditkit.questionnaire.kinds"
_KEEP = 8  # sets of folders whose definitions are kept (a user's own questionnaires, a test's copies)
_reading = threading.local()  # .files: the files read while this thread builds the definitions (their sources)


def note_read(path: Path) -> None:
    """The loader read ``path``: one of the sources of the definitions being built."""
    files = getattr(_reading, "files", None)
    if files is not None:
        files.append(path)


def _code_key(roots: tuple[Path, ...]) -> str | None:
    """What the definitions' checks depend on besides the YAML; None when a program registered kinds of
    its own (their code and words are outside auditkit: such runs are not cached)."""
    import pydantic

    from auditkit.questionnaire.kinds import KINDS

    kinds = sorted((name, type(k).__module__, type(k).__qualname__) for name, k in KINDS.items())
    if any(not module.startswith(_BUILTIN_KINDS) for _, module, _ in kinds):
        return None
    return usercache.fingerprint("questionnaires", 2, usercache.code_stamp(), pydantic.VERSION,
                                 [str(r.resolve()) for r in roots], kinds)


def registry(roots: tuple[Path, ...], mains: Callable[[], list[Path]], discover: Callable[[], T]) -> T:
    """``discover()``, or its result kept from an earlier run when no source has changed since: the same
    definition files (``mains()``) and the same bytes in every file read to build it."""
    key = _code_key(roots)
    if key is None:
        return discover()
    name = "questionnaires-" + usercache.fingerprint([str(r.resolve()) for r in roots])[:16]
    entry = usercache.load(name, key)
    if isinstance(entry, tuple) and len(entry) == 4:
        kept_mains, files, digest, found = entry
        if kept_mains == [str(p) for p in mains()] and digest == usercache.fingerprint(files=[Path(f) for f in files]):
            return found
    read: list[Path] = []
    _reading.files = read
    try:
        found = discover()
    finally:
        _reading.files = None
    files = list(dict.fromkeys(str(p) for p in read))
    usercache.store(name, key, ([str(p) for p in mains()], files, usercache.fingerprint(files=[Path(f) for f in files]),
                                found), keep=_KEEP)
    return found
