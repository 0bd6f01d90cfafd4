"""Where questionnaires are found: the package's own ``questionnaires/`` and the folders a user names.

The environment variable ``AUDITKIT_QUESTIONNAIRES`` holds a list of folders separated by ``os.pathsep``
(``:`` on Linux and macOS, ``;`` on Windows); the global option ``auditkit --questionnaires DIR`` adds one
more (it extends the variable, so worker processes see the same folders). Each folder is laid out like the
shipped ``questionnaires/``: ``<any name>/questionnaire.yaml`` with the files it lists.

A folder that does not exist is the user's mistake (exit 2), never silently skipped.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from auditkit.errors import UsageError
from auditkit.paths import questionnaires_dir

ENV = "AUDITKIT_QUESTIONNAIRES"
MAIN_FILE = "questionnaire.yaml"


def roots() -> tuple[Path, ...]:
    """The package's folder first, then every folder of ``AUDITKIT_QUESTIONNAIRES`` in its order (once each)."""
    return _roots(os.environ.get(ENV, ""))


@lru_cache(maxsize=8)
def _roots(value: str) -> tuple[Path, ...]:
    found = [questionnaires_dir()]
    seen = {found[0].resolve()}
    for part in value.split(os.pathsep):
        part = part.strip()
        if part and Path(part).resolve() not in seen:  # one folder named twice is still one folder
            found.append(Path(part))
            seen.add(Path(part).resolve())
    return tuple(found)


def add_root(folder: Path) -> None:
    """Add ``folder`` to the questionnaire folders of this process and of its children (``--questionnaires``)."""
    current = os.environ.get(ENV, "")
    os.environ[ENV] = os.pathsep.join(p for p in (current, str(folder)) if p)


def definition_files(root: Path) -> list[Path]:
    """Every ``*/questionnaire.yaml`` directly under ``root``, in name order; a missing folder is a usage error."""
    if not root.is_dir():
        key = "questionnaires_not_folder" if root.exists() else "questionnaires_missing"
        raise UsageError(key, path=root, env=ENV)
    return sorted(root.glob(f"*/{MAIN_FILE}"))
