"""Where the data that ships with auditkit lives.

An installed package carries ``questionnaires/``, ``templates/reports/``, ``sample_audits/`` and
``sample_previous/`` inside
itself (the build copies them in). A source checkout (editable install, tests from the tree) reads them
from the repository root instead.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent.parent


def _find(name: str) -> Path:
    for base in (_PACKAGE / "data", _REPO):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"auditkit data folder '{name}' is missing from the installation")


def questionnaires_dir() -> Path:
    return _find("questionnaires")


REPORT_TEXTS_ENV = "AUDITKIT_REPORT_TEXTS"


def report_templates_dir() -> Path:
    """templates/reports/, or the folder named by ``AUDITKIT_REPORT_TEXTS`` (a changed copy of it: a
    methodologist trying new wording, a test injecting a mistake)."""
    chosen = os.environ.get(REPORT_TEXTS_ENV)
    return Path(chosen) if chosen else _find("templates") / "reports"


def sample_audits_dir() -> Path:
    return _find("sample_audits")


def sample_previous_dir() -> Path:
    """The sample network's previous round (2022), for ``summarize --previous``."""
    return _find("sample_previous")


def sample_replies_dir() -> Path:
    """Plans returned by three providers of the sample round, for ``summarize --replies``."""
    return _find("sample_replies")
