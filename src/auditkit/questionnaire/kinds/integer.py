"""integer: a whole number (count of staff, beds, files)."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.numbers import Number


@register
class Integer(Number):
    name: ClassVar = "integer"
    integer: ClassVar = True
    number_format: ClassVar = "0"
