"""percent: a percentage, 0–100 unless the question declares another range; typed as '40 %', '40' or 0.4."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from auditkit.excel.normalize import parse_percent, percent_is_ambiguous
from auditkit.questionnaire.kinds.base import register
from auditkit.questionnaire.kinds.numbers import Number

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Column, Question

RANGE = (0.0, 100.0)  # a percent answer's range unless the question declares another
EXCEL_FORMAT = "0 %"  # a true percent format: "40 %" typed is stored as 0.4 and read back as 40 %


@register
class Percent(Number):
    name: ClassVar = "percent"
    number_format: ClassVar = EXCEL_FORMAT
    cell_scale: ClassVar = 100  # a %-formatted cell stores 40 % as 0.4

    def read_number(self, raw: Any) -> float:
        return parse_percent(raw)

    def value_range(self, item: Question | Column) -> tuple[float | None, float | None]:
        return (RANGE[0] if item.min is None else item.min, RANGE[1] if item.max is None else item.max)

    def unit_label(self, item: Question | Column, lang: Lang) -> str | None:
        return "%"

    def other_reading(self, raw: Any, value: Any) -> float | None:
        """1 read as 1 % (or 100 %?); 0,4 read as 40 % (or 0,4 %?)."""
        if not percent_is_ambiguous(raw):
            return None
        return 100 if value == 1 else value / 100
