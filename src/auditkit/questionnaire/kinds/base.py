"""What a question kind is, and the one registry of kinds.

A kind (yes/no, a number, a date, …) is one class: how a cell becomes a typed value, the Excel rule and
prompt of its answer cell, what it expects in words, how an answer scores and raises a red flag, how it is
shown to people, what a sample answer looks like and what a definition may say about it. Its words live in
``kinds.yaml`` (cs and en) beside this module, or in the file a kind names in ``words_file``.

Nothing outside a kind's own class compares kind names: callers ask ``kind_of(item)``.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from auditkit.datafile import DefinitionError
from auditkit.words import placeholders

if TYPE_CHECKING:
    from auditkit.lang import Lang

# What a finding rests on (docs/scoring.md): the answer "no", "partly", "not evidenced", a number past a
# threshold, or a computed indicator. The wording of a finding is chosen by its basis.
Basis = Literal["no", "partly", "not_evidenced", "threshold", "indicator"]


# -- what a kind reads of a definition (the models in models.py have these; the models depend on the kinds,
# not the other way round) ---------------------------------------------------------------------------------
class Words(Protocol):
    """A text in every language (``models.Text``)."""

    @property
    def cs(self) -> str: ...
    @property
    def en(self) -> str: ...
    def __call__(self, lang: Lang) -> str: ...


class Option(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def label(self) -> Words: ...
    @property
    def score(self) -> float | None: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


class Band(Protocol):
    @property
    def upto(self) -> float | None: ...
    @property
    def score(self) -> float: ...


class FlagRule(Protocol):
    @property
    def answer_in(self) -> tuple[str, ...] | None: ...
    def numeric(self) -> bool: ...
    def hits_number(self, number: float) -> bool: ...


class Column(Protocol):
    """A record column, and what every question has too (``models.Column``, ``models.Question``)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def options(self) -> Sequence[Option]: ...
    @property
    def min(self) -> float | None: ...
    @property
    def max(self) -> float | None: ...
    @property
    def unit(self) -> Words | None: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def pattern_label(self) -> Words | None: ...
    @property
    def max_length(self) -> int: ...


class Question(Column, Protocol):
    """An audit question (``models.Question``)."""

    @property
    def score_bands(self) -> Sequence[Band]: ...
    @property
    def red_flag(self) -> FlagRule | None: ...
    @property
    def critical(self) -> bool: ...


class Scale(Protocol):
    @property
    def options(self) -> Sequence[Option]: ...


class Special(Protocol):
    @property
    def label(self) -> Words: ...


class Questionnaire(Protocol):
    """What a kind reads of the whole definition (``models.Questionnaire``)."""

    @property
    def scales(self) -> Mapping[str, Scale]: ...
    @property
    def not_applicable(self) -> Special: ...
    @property
    def not_evidenced(self) -> Special: ...

# a typed answer: an option id, several option ids, a number, a date or a text
Value = str | int | float | list[str] | dt.date

WORDS_FILE = Path(__file__).with_name("kinds.yaml")


@dataclass(frozen=True)
class ExcelRule:
    """The data validation of an answer cell, as openpyxl's ``DataValidation`` takes it."""

    type: Literal["whole", "decimal", "list", "date", "time", "textLength", "custom"]
    formula1: str
    operator: Literal["between", "notBetween", "equal", "notEqual", "lessThan", "lessThanOrEqual", "greaterThan",
                      "greaterThanOrEqual"] | None = None


class WordsError(DefinitionError):
    """A kinds words file that cannot be used; the message names the file and the key (exit code 2)."""


@cache
def _words_file(path: Path) -> dict[str, Any]:
    """A kinds words file: kind name → word key → {cs, en}; raises WordsError naming the file and key."""
    import yaml  # here: checking a workbook with the cached definitions needs no words file

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise WordsError(f"{path}: cannot read the words of the question kinds ({exc})") from None
    if not isinstance(data, dict):
        raise WordsError(f"{path}: expected a mapping of kind names to their words")
    for name, words in data.items():
        for key, text in (words or {}).items():
            if not isinstance(text, dict) or not all(isinstance(text.get(lang), str) for lang in ("cs", "en")):
                raise WordsError(f"{path}: {name}.{key}: give the words in cs and en")
            try:
                same = placeholders(text["cs"]) == placeholders(text["en"])
            except ValueError as exc:
                raise WordsError(f"{path}: {name}.{key}: {exc}") from None
            if not same:
                raise WordsError(f"{path}: {name}.{key}: cs and en use different placeholders")
    return data


class Kind:
    """The behaviour every kind has; a kind overrides what differs. Class attributes describe it to the
    loader, the template and the reports."""

    name: ClassVar[str] = ""
    words_file: ClassVar[Path] = WORDS_FILE
    words: ClassVar[tuple[str, ...]] = ()  # the keys of its words it uses (checked when a definition loads)
    options_from: ClassVar[Literal["none", "own", "scale"]] = "none"  # scale: the questionnaire's scale <name>
    multiple: ClassVar[bool] = False  # several options in one cell
    numeric: ClassVar[bool] = False  # a number: takes a unit, score bands, numeric red flags, sums in checks
    flag_rules: ClassVar[frozenset[str]] = frozenset()  # the red-flag conditions it takes: answer_in, number
    derivable: ClassVar[bool] = False  # an indicator over the record tables may give its answer (yes/no)
    free_text: ClassVar[bool] = False  # the auditor's own words: never published as a value
    text_cell: ClassVar[bool] = False  # the answer cell is text (wrapped, formatted "@")
    number_format: ClassVar[str | None] = None  # the answer cell's Excel number format

    @property
    def one_option(self) -> bool:
        """Its answer is one option id (a dropdown)."""
        return self.options_from != "none" and not self.multiple

    @property
    def ambiguous_readings(self) -> bool:
        """Whether a cell of this kind can mean two things (it overrides :meth:`other_reading`): validation
        asks only such kinds, once per answered cell."""
        return type(self).other_reading is not Kind.other_reading

    # -- words -------------------------------------------------------------------------------------
    def word(self, key: str, lang: Lang, **params: Any) -> str:
        """This kind's word ``key`` in ``lang`` (from its words file), with ``params`` filled in."""
        text: str = _words_file(self.words_file)[self.name][key][lang]
        return text.format(**params) if params else text

    def check_words(self) -> list[str]:
        """Problems with this kind's words file (checked when a questionnaire using the kind is loaded)."""
        try:
            data = _words_file(self.words_file)
        except WordsError as exc:
            return [str(exc)]
        own = data.get(self.name) or {}
        return [f"{self.words_file}: {self.name}.{key}: missing (the kind's words, in cs and en)"
                for key in self.words if key not in own]

    # -- the definition --------------------------------------------------------------------------
    def options(self, q: Questionnaire, item: Question | Column) -> Sequence[Option]:
        if self.options_from == "scale":
            return q.scales[self.name].options
        return item.options

    def check(self, item: Question | Column, question: bool) -> list[str]:
        """What is wrong with a question (``question``) or record column of this kind, on its own."""
        errors = []
        if self.options_from == "own" and len(item.options) < 2:
            errors.append(f"kind '{self.name}' needs at least two options")
        if not question:
            return errors
        if self.options_from != "own" and item.options:
            errors.append(f"kind '{self.name}' takes no options")
        if getattr(item, "score_bands", ()) and not self.numeric:
            errors.append(f"kind '{self.name}' takes no score_bands (they are for numbers)")
        if getattr(item, "red_flag", None) is not None and not self.flag_rules:
            errors.append(f"kind '{self.name}' cannot carry a red_flag")
        return errors

    def check_flag(self, q: Questionnaire, item: Question | Column) -> list[str]:
        """What is wrong with the red flag of ``item`` given the questionnaire (its options)."""
        flag = getattr(item, "red_flag", None)
        if flag is None:
            return []
        if flag.answer_in is not None:
            if "answer_in" not in self.flag_rules:
                return ["red_flag answer_in needs a choice answer; use below/above/at_most/at_least"]
            known = {o.id for o in self.options(q, item)}
            return [f"red_flag names unknown option '{v}' (known: {', '.join(sorted(known))})"
                    for v in flag.answer_in if v not in known]
        if "number" not in self.flag_rules:
            return ["a numeric red_flag needs a number or 0–3 answer; use answer_in"]
        return []

    def value_range(self, item: Question | Column) -> tuple[float | None, float | None]:
        """(min, max) a value (or a date's year) must lie in."""
        return item.min, item.max

    # -- reading -----------------------------------------------------------------------------------
    def parse(self, q: Questionnaire, item: Question | Column, raw: Any) -> Value:
        """The typed value of a non-blank cell; raises ``CellError`` with a catalogue code."""
        raise NotImplementedError

    def other_reading(self, raw: Any, value: Any) -> float | None:
        """Another value a cell could mean, when its reading is ambiguous (validation warns), else None."""
        return None

    # -- the template ----------------------------------------------------------------------------
    def excel_rule(self, q: Questionnaire, item: Question | Column, cell: str, lang: Lang,
                   specials: tuple[str, ...], list_ref: Callable[[tuple[str, ...]], str]) -> ExcelRule:
        """The data validation of answer ``cell``; ``specials`` are the N/A-like answers it also accepts,
        ``list_ref(values)`` gives a range holding a dropdown's values."""
        return ExcelRule("textLength", str(item.max_length), "lessThanOrEqual")

    def expected(self, q: Questionnaire, item: Question | Column, lang: Lang) -> str:
        """What the cell should hold, in words (without the special answers)."""
        return self.word("expected", lang)

    def prompt(self, item: Question | Column, lang: Lang, text: str) -> str:
        """The input prompt of the answer cell, given its help (or expected) ``text``."""
        return text

    def cell_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> Any:
        """A typed value as it is written into a template cell (filling workbooks in code)."""
        return value

    def typed(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        """A typed value written the way an auditor types it in ``lang`` (it validates if typed again)."""
        if isinstance(value, dt.date):
            return f"{value.day}. {value.month}. {value.year}" if lang == "cs" else value.isoformat()
        if isinstance(value, float):
            text = f"{value:.10g}"
            return text.replace(".", ",") if lang == "cs" else text
        return str(value)

    # -- scoring -----------------------------------------------------------------------------------
    def scorable(self, q: Questionnaire, item: Question) -> bool:
        return False

    def score(self, q: Questionnaire, item: Question, value: Any) -> float | None:
        """The score in [0, 1] of an answered item, or None when it does not enter the area score."""
        return None

    def flag_value(self, value: Any) -> float | None:
        """The number a numeric red-flag rule tests (None when the answer is no number)."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return None

    def basis(self, q: Questionnaire, item: Question, value: Any) -> Basis:
        """What an answered item that raised a red flag establishes."""
        return "threshold" if self.numeric or (item.red_flag is not None and item.red_flag.numeric()) else "no"

    def flag_bases(self, q: Questionnaire, item: Question) -> set[Basis]:
        """Every basis a red flag of ``item`` can establish (besides not evidenced and indicator)."""
        return {"threshold"} if item.red_flag is not None and "number" in self.flag_rules else set()

    # -- people --------------------------------------------------------------------------------------
    def render(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
        """A typed value as people read it in reports."""
        return str(value)

    def data_value(self, q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> tuple[Any, str | None]:
        """(the value as the open data stores it, its label in ``lang`` when it has one)."""
        return value, None

    # -- samples --------------------------------------------------------------------------------------
    def sample(self, q: Questionnaire, item: Question, level: float, rng: random.Random, day: dt.date) -> Any:
        """A plausible answer of a service of quality ``level`` (0–1) audited on ``day``."""
        raise NotImplementedError


KINDS: dict[str, Kind] = {}
K = TypeVar("K", bound=type[Kind])


def register(cls: K) -> K:
    """Register a kind class (a decorator); its ``name`` is what a definition's ``kind:`` says."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} has no name")
    KINDS[cls.name] = cls()
    return cls


def kind_of(item: Question | Column) -> Kind:
    """The kind of a question or record column."""
    return KINDS[item.kind]


def known(name: str) -> bool:
    return name in KINDS


def render_answer(q: Questionnaire, item: Question | Column, value: Any, lang: Lang) -> str:
    """An answered item's typed value as people read it: an option's label, a number with its unit, a date."""
    return kind_of(item).render(q, item, value, lang)


def render_status(q: Questionnaire, item: Question | Column, status: str, value: Any, lang: Lang) -> str:
    """An answer of any status as people read it: N/A, not evidenced, not given, or the rendered value."""
    if status == "na":
        return q.not_applicable.label(lang)
    if status == "not_evidenced":
        return q.not_evidenced.label(lang)
    if status != "answered" or value is None or value == []:
        return _words_file(WORDS_FILE)["_any"]["blank"][lang]
    return render_answer(q, item, value, lang)
