"""Kinds whose answer is one option (a scale or the question's own options), or several (multiple choice)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from auditkit.excel.normalize import CellError, as_choice_text, choice_keys, clean_text, fold, split_multi
from auditkit.questionnaire.kinds.base import ExcelRule, Kind

if TYPE_CHECKING:
    from auditkit.lang import Lang
    from auditkit.questionnaire.kinds.base import Basis, Column, Option, Question, Questionnaire

_IDENTITY_CACHE: dict[tuple[str, int], tuple[object, Any]] = {}
V = TypeVar("V")


def cached(owner: object, build: Callable[[], V], what: str = "") -> V:
    """Cache what ``build`` makes of a definition object, per object (by identity: hashing frozen pydantic
    models is slow) and per ``what`` (what is made of it: two indexes of one questionnaire never meet)."""
    key = (what, id(owner))
    hit = _IDENTITY_CACHE.get(key)
    if hit is not None and hit[0] is owner:  # the owner is kept with it, so its id is not reused meanwhile
        value: V = hit[1]
        return value
    index = build()
    _IDENTITY_CACHE[key] = (owner, index)
    return index


def option_index(options: Sequence[Option]) -> dict[str, str]:
    """Folded spellings → option id."""

    def build() -> dict[str, str]:
        index: dict[str, str] = {}
        for o in options:
            for key in choice_keys(o.id, (o.label.cs, o.label.en), o.aliases):
                index.setdefault(key, o.id)
        return index

    return cached(options, build, "option_index")


# an option typed with its meaning: "2 - splněno", "2 – splněno", "2: splněno", "2 (splněno)", "2 splněno"
_WITH_MEANING = re.compile(r"^\s*(\S+?)\s*(?:[-–—:]\s*|\(\s*|\s+)(.+?)\s*\)?\s*$")


def match(options: Sequence[Option], value: Any) -> str:
    """The option id a cell names; raises ``CellError("answer_choice")``."""
    text = as_choice_text(value)
    index = option_index(options)
    found = index.get(fold(text))
    if found is None:
        both = _WITH_MEANING.match(text)  # accepted only when both parts name the same option
        first = index.get(fold(both.group(1))) if both else None
        if both and first is not None and first == index.get(fold(both.group(2))):
            return first
        raise CellError("answer_choice")
    return found


class _Options(Kind):
    """What the kinds answered by option ids share: the typed form of a prefilled cell, and scoring from the
    options' scores."""

    def labels(self, q: Questionnaire, item: Question | Column, lang: Lang) -> dict[str, str]:
        """Each option id's label in ``lang``."""
        return {o.id: o.label(lang) for o in self.options(q, item)}

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        return " / ".join(o.label(lang) for o in self.options(q, item))

    def typed(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        labels = self.labels(q, item, lang)
        values = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(v), str(v)) for v in values)

    def scorable(self, q: Questionnaire, item: Question) -> bool:
        return any(o.score is not None for o in self.options(q, item))


class OneOption(_Options):
    """One option of a list: a dropdown in the template, scored by the option's score."""

    options_from: ClassVar[Literal["none", "own", "scale"]] = "own"
    flag_rules: ClassVar = frozenset({"answer_in"})

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> str:
        return match(self.options(q, item), raw)

    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        return ExcelRule("list", list_ref(tuple(o.label(lang) for o in self.options(q, item)) + specials))


    def cell_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> Any:
        labels = self.labels(q, item, lang)
        return labels[value] if isinstance(value, str) and value in labels else value

    def score(self, q: Questionnaire, item: Question, value: Any) -> float | None:
        option = next((o for o in self.options(q, item) if o.id == value), None)
        return option.score if option is not None else None

    def basis(self, q: Questionnaire, item: Question, value: Any) -> Basis:
        """"partly" when the option scores between 0 and 1 (e.g. "sometimes", 0–3 scale "1"), else "no"."""
        if value == "partly":
            return "partly"
        score = self.score(q, item, value)
        return "partly" if score is not None and 0 < score < 1 else "no"

    def flag_bases(self, q: Questionnaire, item: Question) -> set[Basis]:
        flag = item.red_flag
        out: set[Basis] = set()
        if flag is None:
            return out
        for o in self.options(q, item):
            hit = o.id in flag.answer_in if flag.answer_in is not None else (
                flag.hits_number(float(o.id)) if o.id.isdigit() else False)
            if hit:
                out.add(self.basis(q, item, o.id))
        return out

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        return self.labels(q, item, lang).get(str(value), str(value))

    def data_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> tuple[Any, str | None]:
        return value, self.labels(q, item, lang).get(value, str(value))

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        """Good services meet the critical items; others draw around their level."""
        target = 1.0 if item.critical and level >= 0.5 else level
        scored = [o for o in self.options(q, item) if o.score is not None]
        if not scored:
            return self.options(q, item)[0].id
        draw = min(1.0, max(0.0, rng.gauss(target, 0.22)))
        return min(scored, key=lambda o: abs((o.score or 0) - draw)).id


class Scale(OneOption):
    """One option of the questionnaire's scale of the same name (``scales: <name>:``)."""

    options_from: ClassVar[Literal["none", "own", "scale"]] = "scale"


class ManyOptions(_Options):
    """Several options in one cell: one per line (Alt+Enter), or separated by ';' or ','."""

    options_from: ClassVar[Literal["none", "own", "scale"]] = "own"
    multiple: ClassVar = True
    words: ClassVar = ("hint",)
    flag_rules: ClassVar = frozenset({"answer_in"})
    text_cell: ClassVar = True

    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> list[str]:
        """A part that is not an option as a whole is split at its commas (an option's label may hold one)."""
        options = self.options(q, item)
        text = clean_text(raw, keep_newlines=True) if isinstance(raw, str) else as_choice_text(raw)
        index = option_index(options)
        out: list[str] = []
        for part in split_multi(text):
            found = index.get(fold(part))
            pieces: list[str] = [found] if found is not None else [
                match(options, piece) for piece in (p.strip() for p in part.split(",")) if piece]
            for option in pieces:
                if option not in out:
                    out.append(option)
        return out

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        return f"{super().expected(q, item, lang)} ({self.word('hint', lang)})"

    def prompt(self, item: Question | Column, lang: Lang, text: str) -> str:
        return f"{self.word('hint', lang)}. {text}"  # first: a clipped prompt keeps it

    def cell_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> Any:
        labels = self.labels(q, item, lang)
        if isinstance(value, (list, tuple)):
            return "; ".join(labels[v] for v in value)
        return labels[value] if isinstance(value, str) and value in labels else value

    def score(self, q: Questionnaire, item: Question, value: Any) -> float | None:
        """The sum of the chosen options' scores, at most 1."""
        if not self.scorable(q, item):
            return None
        chosen = set(value) if isinstance(value, list) else {value}
        return min(1.0, sum(o.score or 0 for o in self.options(q, item) if o.id in chosen))

    def flag_bases(self, q: Questionnaire, item: Question) -> set[Basis]:
        return {"no"}

    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        labels = self.labels(q, item, lang)
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)

    def data_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> tuple[Any, str | None]:
        labels = self.labels(q, item, lang)
        if isinstance(value, list):
            return "; ".join(value), "; ".join(labels.get(str(v), str(v)) for v in value)
        return value, labels.get(value, str(value))

    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        options = self.options(q, item)
        k = max(1, round(len(options) * level * 0.6))
        picked = [o.id for o in rng.sample(list(options), k)]
        if level >= 0.85:  # a strong team covers every scored topic
            picked += [o.id for o in options if o.score is not None and o.id not in picked]
        return [o.id for o in options if o.id in picked]
