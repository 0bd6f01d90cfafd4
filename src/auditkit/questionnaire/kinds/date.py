"""date: a calendar date ('30. 3. 2023', 2023-03-30 or a date cell); ``min``/``max`` are years."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from auditkit import lang as lang_
from auditkit.excel.normalize import CellError, parse_date
from auditkit.questionnaire.kinds.base import ExcelRule, Kind, register
from auditkit.questionnaire.kinds.numbers import or_specials, range_text

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Column, Question, Questionnaire


@register
class Date(Kind):
    name: ClassVar = "date"
    number_format: ClassVar = "D. M. YYYY"
    words: ClassVar = ("expected",)

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> dt.date:
        date = parse_date(raw)
        lo, hi = self.value_range(item)
        if (lo is not None and date.year < lo) or (hi is not None and date.year > hi):
            raise CellError("answer_range")
        return date

    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        test = (f"AND(ISNUMBER({cell}),{cell}>=DATE({int(item.min or 1900)},1,1),"
                f"{cell}<=DATE({int(item.max or 2100)},12,31))")
        return ExcelRule("custom", or_specials(cell, test, specials))

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        lo, hi = self.value_range(item)
        lo_s = None if lo is None else (f"1. 1. {int(lo)}" if lang == "cs" else f"{int(lo)}-01-01")
        hi_s = None if hi is None else (f"31. 12. {int(hi)}" if lang == "cs" else f"{int(hi)}-12-31")
        rng = range_text(lo_s, hi_s)
        return f"{self.word('expected', lang)} {rng}" if rng else self.word("expected", lang)

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        return lang_.date(value, lang) if isinstance(value, dt.date) else str(value)

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        return day - dt.timedelta(days=rng.randint(10, 80))
