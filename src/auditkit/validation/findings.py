"""The old name of :mod:`auditkit.validation.problems`, kept for one release.

Validation problems (what the auditor must fix in a workbook) were called findings, like the audit's red
flags. They are :class:`~auditkit.validation.problems.Problem` now; import from ``auditkit.validation.problems``.
"""

from __future__ import annotations

from auditkit.validation.problems import (
    ParamsError,
    Problem,
    Severity,
    catalogue,
    failed,
    has_errors,
    make,
    params,
    phrase,
    shorten,
)

Finding = Problem  # the old name

__all__ = ["Finding", "ParamsError", "Problem", "Severity", "catalogue", "failed", "has_errors", "make", "params",
           "phrase", "shorten"]
