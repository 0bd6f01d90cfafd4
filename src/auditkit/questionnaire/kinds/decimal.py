"""decimal: a number that may have decimals (FTE, hours)."""

from __future__ import annotations

from typing import ClassVar

from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.numbers import Number


@register
class Decimal(Number):
    name: ClassVar = "decimal"
    number_format: ClassVar = "0.##"
