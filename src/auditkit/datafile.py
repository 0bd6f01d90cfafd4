"""The data files a methodologist edits (``questionnaires/``, ``templates/reports/``): reading one, and the
error that names the file and the key when one is wrong.

This module is the bottom of the package: it imports nothing of auditkit, so the modules that read data
(``lang`` its units, ``words`` every words file, the questionnaire loader) and ``errors`` can all use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class DefinitionError(Exception):
    """A data file the methodologist writes (``questionnaires/``, ``templates/reports/``) is wrong: the
    message names the file and the key (and the line of a YAML syntax error). Exit code 2: never "please
    report this error", never a traceback."""

    exit_code = 2


def read_yaml(path: Path, error: type[DefinitionError] = DefinitionError) -> Any:
    """A YAML file's content; unreadable or invalid YAML raises ``error`` naming the file and the line."""
    import yaml  # loaded when a file is read: the command line's start (``--help``, errors) needs none

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C-accelerated safe loader when PyYAML has it
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}:{where} not valid YAML ({problem})") from None
