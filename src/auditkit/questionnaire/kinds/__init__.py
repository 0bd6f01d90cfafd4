"""Question kinds: one class per kind, registered by name (see ``base`` and docs/kinds.md).

Every module of this package is imported here, so a kind's module registers it just by being in the folder.
"""

from __future__ import annotations

import importlib
import pkgutil

from auditkit.questionnaire.kinds.base import (
    KINDS,
    ExcelRule,
    Kind,
    Value,
    kind_of,
    known,
    register,
    render_answer,
    render_status,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["KINDS", "ExcelRule", "Kind", "Value", "kind_of", "known", "register", "render_answer", "render_status"]
