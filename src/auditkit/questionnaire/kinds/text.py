"""text: the auditor's own words, or a code matching ``pattern`` (an identifier of 7 digits)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from auditkit.excel.normalize import CellError, clean_text
from auditkit.questionnaire.kinds.base import ExcelRule, Kind, register

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Column, Question, Questionnaire


def as_text(raw: Any) -> str:
    """A cell as text, whatever it holds."""
    if isinstance(raw, str):
        return clean_text(raw, keep_newlines=True)
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


_DIGITS = re.compile(r"^\^?\[0-9\]\{(\d+)\}\$?$")  # ^[0-9]{7}$
_LETTERS_DIGITS = re.compile(r"^\^?\[A-Za-z\]\{(\d+),(\d+)\}\[0-9\]\{(\d+),(\d+)\}\$?$")  # ^[A-Za-z]{1,3}[0-9]{1,4}$


def pattern_rule(pattern: str, cell: str) -> str | None:
    """The Excel rule for the code patterns auditkit knows (the reader is the judge of any other)."""
    m = _DIGITS.match(pattern)
    if m:  # n digits, typed as text (the cell is formatted as text, so a leading zero stays)
        n = int(m.group(1))
        return (f'AND(LEN({cell})={n},ISNUMBER(VALUE({cell})),ISERROR(SEARCH(".",{cell})),'
                f'ISERROR(SEARCH(",",{cell})),ISERROR(SEARCH("-",{cell})),ISERROR(SEARCH("+",{cell})))')
    m = _LETTERS_DIGITS.match(pattern)
    if m:  # letters, then digits: the first character is no digit, the last one is
        a, b, c, d = (int(g) for g in m.groups())
        return (f"AND(LEN({cell})>={a + c},LEN({cell})<={b + d},ISERROR(VALUE(LEFT({cell},1))),"
                f"ISNUMBER(VALUE(RIGHT({cell},1))))")
    return None


@register
class Text(Kind):
    name: ClassVar = "text"
    free_text: ClassVar = True
    words: ClassVar = ("expected", "sample")
    text_cell: ClassVar = True

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> str:
        text = as_text(raw)
        if item.pattern is not None:
            return self._patterned(item, raw, text)
        if len(text) > item.max_length:
            raise CellError("answer_too_long", str(len(text)))
        return text

    def _patterned(self, item: Question | Column, raw: Any, text: str) -> str:
        """A code or identifier: 'K 07' is K07; a number that lost its leading zero (0123456 typed in a
        General cell is 123456) is named as such."""
        pattern = item.pattern or ""
        compact = "".join(text.split())
        for candidate in (text, compact):
            if re.fullmatch(pattern, candidate):
                if len(candidate) > item.max_length:
                    raise CellError("answer_too_long", str(len(candidate)))
                return candidate
        if isinstance(raw, (int, float)) and not isinstance(raw, bool) and text.isdigit():
            for zeros in range(1, 4):
                if re.fullmatch(pattern, "0" * zeros + text):
                    raise CellError("answer_leading_zero", "0" * zeros + text)
        raise CellError("answer_type")

    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        rule = pattern_rule(item.pattern, cell) if item.pattern is not None else None
        if rule is not None:
            return ExcelRule("custom", rule)
        return super().excel_rule(q, item, cell, lang, specials, list_ref)

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        return item.pattern_label(lang) if item.pattern_label is not None else self.word("expected", lang)

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        return self.word("sample", "cs")  # the sample round is Czech
