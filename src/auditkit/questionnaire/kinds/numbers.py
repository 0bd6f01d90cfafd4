"""Kinds whose answer is a number: a whole number, a decimal number, a percentage."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from auditkit import lang as lang_
from auditkit.excel.normalize import CellError, parse_number
from auditkit.questionnaire.kinds.base import ExcelRule, Kind

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Column, Question, Questionnaire


def fmt_num(x: float, lang: Lang) -> str:
    """A number as a person types it: '2,5' in Czech, no spurious decimals."""
    text = f"{x:.6g}" if not float(x).is_integer() else str(int(x))
    return text.replace(".", ",") if lang == "cs" else text


def range_text(lo: str | None, hi: str | None) -> str:
    """'0–52', '≥ 0', '≤ 100' or ''."""
    if lo and hi:
        return f"{lo}–{hi}"
    if lo:
        return f"≥ {lo}"
    if hi:
        return f"≤ {hi}"
    return ""


def or_specials(cell: str, test: str, specials: tuple[str, ...]) -> str:
    """An Excel test that also lets the cell hold one of the special answers (N/A, not evidenced)."""
    quoted = "".join(f',{cell}="{s}"' for s in specials)
    return f"OR({test}{quoted})" if specials else test


class Number(Kind):
    """A number in a range, scored by ``score_bands``, red-flagged past a threshold."""

    numeric: ClassVar = True
    words: ClassVar = ("expected",)
    flag_rules: ClassVar = frozenset({"number"})
    integer: ClassVar[bool] = False  # whole numbers only
    cell_scale: ClassVar[float] = 1  # how much smaller the cell stores the value (a %-formatted cell: 100)

    def read_number(self, raw: Any) -> int | float:
        return parse_number(raw, integer=self.integer)

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> int | float:
        number = self.read_number(raw)
        lo, hi = self.value_range(item)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise CellError("answer_range")
        return number

    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        conds = [f"ISNUMBER({cell})"]
        if self.integer:
            conds.append(f"INT({cell})={cell}")
        lo, hi = self.value_range(item)
        if lo is not None:
            conds.append(f"{cell}>={lo / self.cell_scale:g}")
        if hi is not None:
            conds.append(f"{cell}<={hi / self.cell_scale:g}")
        return ExcelRule("custom", or_specials(cell, f"AND({','.join(conds)})", specials))

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        lo, hi = self.value_range(item)
        text = self.word("expected", lang)
        rng = range_text(fmt_num(lo, lang) if lo is not None else None, fmt_num(hi, lang) if hi is not None else None)
        if rng:
            text += f" {rng}"
        if item.unit is not None:
            text += f" ({item.unit(lang)})"
        return text

    def cell_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.cell_scale != 1:
            return value / self.cell_scale
        return value

    def scorable(self, q: Questionnaire, item: Question) -> bool:
        return bool(item.score_bands)

    def score(self, q: Questionnaire, item: Question, value: Any) -> float | None:
        """The score of the first band whose ``upto`` is at least the value."""
        for band in item.score_bands:
            if band.upto is None or value <= band.upto:
                return band.score
        return None

    def unit_label(self, item: Question | Column, lang: Lang) -> str | None:
        return item.unit(lang) if item.unit else None

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        """With its unit declined to agree ('1 lůžko', '26 týdnů'), at most two decimals."""
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return str(value)
        x = float(value)
        decimals = 0 if x.is_integer() else (1 if round(x, 1) == x else 2)
        return lang_.with_unit(x, self.unit_label(item, lang), lang, decimals)

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        lo = item.min if item.min is not None else 0
        hi = item.max if item.max is not None else lo + 100
        if item.score_bands:
            draw = min(1.0, max(0.0, rng.gauss(level, 0.2)))
            idx = min(range(len(item.score_bands)), key=lambda i: abs(item.score_bands[i].score - draw))
            upper = item.score_bands[idx].upto
            lower = item.score_bands[idx - 1].upto if idx > 0 else lo
            upper = min(upper if upper is not None else min(hi, (lower or 0) * 2 + 10), hi)
            value = rng.uniform(max(lower or lo, lo), upper)
        else:
            value = lo + (hi - lo) * rng.uniform(0.05, 0.15)
        if self.integer:
            return round(min(max(value, lo), hi))
        return round(min(max(value, lo), hi), 1)
