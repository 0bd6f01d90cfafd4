"""choice: one of the question's own ``options``."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.options import OneOption


@register
class Choice(OneOption):
    name: ClassVar = "choice"
