"""A question kind defined outside the package, the way docs/kinds.md describes: a rating of 1–5 stars.

Importing this module registers it; its words are in ``data/kinds/stars.yaml``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from auditkit.excel.normalize import CellError, parse_number
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import ExcelRule, Kind, register
from auditkit.questionnaire.kinds.numbers import or_specials
from auditkit.questionnaire.models import Column, Question, Questionnaire

STAR, EMPTY = "★", "☆"


@register
class Stars(Kind):
    name: ClassVar = "stars"
    words_file: ClassVar = Path(__file__).parent / "data" / "kinds" / "stars.yaml"
    words: ClassVar = ("expected", "shown")
    flag_rules: ClassVar = frozenset({"number"})  # "at_most: 2" stars is a red flag
    number_format: ClassVar = "0"

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> int:
        """3, '3' or '★★★'; anything else is a catalogue problem."""
        text = raw.strip() if isinstance(raw, str) else ""
        n = len(text) if text and set(text) == {STAR} else parse_number(raw, integer=True)
        if not 1 <= n <= 5:
            raise CellError("answer_range")
        return int(n)

    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        return ExcelRule("custom", or_specials(cell, f"AND(ISNUMBER({cell}),INT({cell})={cell},{cell}>=1,{cell}<=5)",
                                               specials))

    def scorable(self, q: Questionnaire, item: Question) -> bool:
        return True

    def score(self, q: Questionnaire, item: Question, value: Any) -> float:
        return (value - 1) / 4

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        return self.word("shown", lang, stars=STAR * value + EMPTY * (5 - value), n=value)

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> int:
        return max(1, min(5, round(1 + 4 * level)))
