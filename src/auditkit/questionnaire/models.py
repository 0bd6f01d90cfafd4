"""Definition models: what a questionnaire YAML may say, checked by pydantic.

The models hold data only. Cross-checks that need the whole questionnaire (duplicate IDs, red-flag
rules naming unknown options, formulas naming unknown questions) live in ``loader.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from auditkit.lang import LANGS, Lang  # the languages are defined once, in auditkit.lang
from auditkit.questionnaire.kinds import KINDS, kind_of, known
from auditkit.questionnaire.kinds.base import Basis

# an answer kind is the name of a registered kind class (auditkit.questionnaire.kinds): yes_no, scale_0_3,
# choice, multi_choice, integer, decimal, percent, date, text, or one a program registers
AnswerKind = str

# The parts an identification field can play for the engine (docs/questionnaire-format.md, "Identification"):
# the service's name, provider and identifier (the key of a service across files and rounds), the audit's
# date, auditors and round, and the optional scope of the provider report. Each is declared on one field.
Role = Literal[
    "service_name", "provider", "service_id", "audit_date", "auditors", "audit_round",
    "files_sampled", "interviews", "documents", "limitations", "report_status", "issue_date",
]
REQUIRED_ROLES: tuple[Role, ...] = ("service_name", "service_id")  # names a service; tells duplicates apart
# the value a role's field must give (its kind's typed value): a date, a whole number, or else a text;
# report_status is one of the options draft / final
ROLE_VALUES: dict[str, type] = {"audit_date": dt.date, "issue_date": dt.date, "files_sampled": int, "interviews": int}
# roles whose field holds a name by design (a person's or an organisation's): not flagged as personal data
NAMED_ROLES: frozenset[str] = frozenset({"service_name", "provider", "service_id", "auditors", "audit_round"})

# Basis (kinds.base): what a finding rests on (docs/scoring.md): the answer "no", "partly", "not evidenced", a number past a
# threshold, or a computed indicator. The wording of a finding is chosen by its basis.
BASES: tuple[Basis, ...] = ("no", "partly", "not_evidenced", "threshold", "indicator")
# a finding that establishes non-compliance (may be critical when the item is critical)
ESTABLISHED: tuple[Basis, ...] = ("no", "threshold", "indicator")


class Strict(BaseModel):
    # defer_build: a model's validator is built when a definition is first validated, not at import; a run
    # that loads the checked definitions from the cache (auditkit.questionnaire.cache) never builds one
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Text(Strict):
    """A text in every supported language; a missing translation fails at load."""

    cs: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: Lang) -> str:
        return self.cs if lang == "cs" else self.en


class Option(Strict):
    id: str = Field(min_length=1)
    label: Text
    score: float | None = Field(default=None, ge=0, le=1)
    aliases: tuple[str, ...] = ()


class Scale(Strict):
    """A named answer scale (yes/no, yes/partly/no, 0–3)."""

    options: tuple[Option, ...] = Field(min_length=2)


class Special(Strict):
    """An answer allowed beside the regular ones: not applicable, not evidenced."""

    label: Text
    aliases: tuple[str, ...] = ()


class ScoreBand(Strict):
    """Numbers are scored by bands: the first band whose ``upto`` is >= the value wins."""

    upto: float | None = None
    score: float = Field(ge=0, le=1)


class RedFlag(Strict):
    """When an answer is a red flag. Exactly one condition is given."""

    answer_in: tuple[str, ...] | None = None
    # multiple choice: the flag is raised when any / all of answer_in are chosen, or (not_all) when at
    # least one of them is missing
    match: Literal["any", "all", "not_all"] = "any"
    below: float | None = None
    at_most: float | None = None
    above: float | None = None
    at_least: float | None = None
    not_evidenced: bool = True
    # where a threshold comes from, shown in the method annex: "law" (a legal norm) or "calibration"
    # (the audit's own calibration threshold, with its origin in ``origin``)
    source: Literal["law", "calibration"] = "calibration"
    origin: Text | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> RedFlag:
        given = [
            name
            for name in ("answer_in", "below", "at_most", "above", "at_least")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of answer_in, below, at_most, above, at_least"
                f" (given: {', '.join(given) or 'none'})"
            )
        return self

    def numeric(self) -> bool:
        return self.answer_in is None

    def hits_number(self, number: float) -> bool:
        """Whether ``number`` is past this numeric rule's threshold."""
        if self.below is not None:
            return number < self.below
        if self.at_most is not None:
            return number <= self.at_most
        if self.above is not None:
            return number > self.above
        return self.at_least is not None and number >= self.at_least


class NaCondition(Strict):
    """N/A is accepted on a critical item only when ``question``'s answer is one of ``answer_in``."""

    question: str
    answer_in: tuple[str, ...] = Field(min_length=1)


class Derivation(Strict):
    """An answer computed from an indicator over the record tables: ``yes`` when the indicator is at
    most ``yes_upto``, else ``no``. When the indicator can be computed it replaces the typed answer in
    scoring, and validation warns when the typed answer disagrees with it."""

    indicator: str
    yes_upto: float = 0


class Agreement(Strict):
    """A typed number that an indicator over the record tables also gives; validation warns when they
    differ by more than ``tolerance`` (in the question's unit)."""

    indicator: str
    tolerance: float = Field(default=0, ge=0)


def _known_kind(name: str) -> str:
    if not known(name):
        raise ValueError(f"unknown value {name!r}; a kind is one of {', '.join(sorted(KINDS))}")
    return name


class Question(Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")
    label: Text
    help: Text | None = None
    kind: AnswerKind
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    options: tuple[Option, ...] = ()
    pattern: str | None = None
    pattern_label: Text | None = None  # what the pattern asks for, in words ("7 číslic"); required with pattern
    max_length: int = Field(default=2000, ge=1, le=32767)
    required: bool = True
    na_allowed: bool = True
    weight: float | None = Field(default=None, ge=0, le=10)
    critical: bool = False
    score_bands: tuple[ScoreBand, ...] = ()
    red_flag: RedFlag | None = None
    fact: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")  # the finding's key (recommendations)
    na_when: NaCondition | None = None  # a critical item accepts N/A only when this holds
    derived_from: Derivation | None = None  # the answer the record tables give (they win over the typed one)
    agrees_with: Agreement | None = None  # a typed figure the record tables also give: warn when they differ
    role: Role | None = None  # identification fields only: the part the field plays (``Role``)
    # the answer every generated sample workbook gives (an option id or a number) instead of one drawn by kind,
    # e.g. a charge no fictional service should carry (samples.py, scripts/make_samples.py)
    sample: str | float | None = None

    _kind = field_validator("kind")(_known_kind)

    @model_validator(mode="before")
    @classmethod
    def _legacy_recommendation(cls, data: object) -> object:
        # "recommendation:" was the name of "fact:" before findings were keyed by fact
        if isinstance(data, dict) and "recommendation" in data and "fact" not in data:
            data = dict(data)
            data["fact"] = data.pop("recommendation")
        return data

    @property
    def recommendation(self) -> str | None:
        return self.fact

    @model_validator(mode="after")
    def _coherent(self) -> Question:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min:g} > max {self.max:g}")
        for error in kind_of(self).check(self, question=True):
            raise ValueError(error)
        if self.score_bands and self.score_bands[-1].upto is not None:
            raise ValueError("the last score band must have no 'upto' (it catches the rest)")
        if self.red_flag is not None and self.fact is None:
            raise ValueError("a question with a red_flag needs a fact key")
        ids = [o.id for o in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate option id")
        return self

    @property
    def effective_weight(self) -> float:
        if self.weight is not None:
            return self.weight
        return 3.0 if self.critical else 1.0


class Area(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    code: str = Field(pattern=r"^[A-Z]$")
    kind: Literal["process", "outcome"] = "process"
    title: Text
    sheet: Text
    intro: Text | None = None
    questions: tuple[Question, ...] = Field(min_length=1)

    @field_validator("sheet")
    @classmethod
    def _sheet_name_fits_excel(cls, v: Text) -> Text:
        for lang in LANGS:
            name = v(lang)
            if len(name) > 31 or any(c in name for c in "[]:*?/\\"):
                raise ValueError(f"sheet name '{name}' is not allowed in Excel (≤31 chars, no []:*?/\\)")
        return v


class Column(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    help: Text | None = None
    kind: AnswerKind
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    options: tuple[Option, ...] = ()
    pattern: str | None = None
    pattern_label: Text | None = None  # what the pattern asks for, in words ("7 číslic"); required with pattern
    max_length: int = Field(default=500, ge=1, le=32767)
    required: bool = True
    width: float = 16
    # a blank-like cell ('', '-', '–') stands for this number ("none": 0 hours), never a missing value
    blank_means: float | None = None
    # the rows the column applies to, by a choice column's options (role: [sw, pss]); in other rows the
    # cell may stay blank or say N/A
    applies_to: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    _kind = field_validator("kind")(_known_kind)

    @model_validator(mode="after")
    def _coherent(self) -> Column:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"range min {self.min:g} > max {self.max:g}")
        for error in kind_of(self).check(self, question=False):
            raise ValueError(error)
        return self


class SumCheck(Strict):
    """Record table against an answer: sum of ``column`` (rows filtered by ``where``) equals a question."""

    column: str
    where: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    question: str
    tolerance: float = Field(default=0.0, ge=0)

    def total(self, rows: Iterable[Mapping[str, Any]]) -> float:
        """The sum of ``column`` over the rows ``where`` selects (a blank cell counts 0)."""
        return sum(r.get(self.column) or 0 for r in rows if all(r.get(c) in v for c, v in self.where.items()))


class RecordTable(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    sheet: Text
    intro: Text | None = None
    columns: tuple[Column, ...] = Field(min_length=1)
    rows: int = Field(default=40, ge=1, le=2000)
    prefill: str | None = None  # a choice column whose options fill one row each
    checks: tuple[SumCheck, ...] = ()


class Verdict(Strict):
    id: str
    label: Text
    color: str = Field(pattern=r"^#[0-9A-Fa-f]{6}$")
    min_score: float = Field(default=0, ge=0, le=100)
    max_red_flags: int | None = Field(default=None, ge=0)


class Scoring(Strict):
    verdicts: tuple[Verdict, ...] = Field(min_length=1)
    critical_verdict: str
    outcome_indicator: str | None = None  # the indicator reported as the outcome index

    @model_validator(mode="after")
    def _known_override(self) -> Scoring:
        if self.critical_verdict not in {v.id for v in self.verdicts}:
            raise ValueError(f"critical_verdict '{self.critical_verdict}' is not one of the verdicts")
        if self.verdicts[-1].min_score != 0 or self.verdicts[-1].max_red_flags is not None:
            raise ValueError("the last verdict must catch everything (min_score 0, no max_red_flags)")
        return self


class Indicator(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: Text
    unit: Text | None = None
    formula: str = Field(min_length=1)
    decimals: int = Field(default=1, ge=0, le=4)
    # which way is better; "neither" = context, never ranked (e.g. length of stay)
    better: Literal["higher", "lower", "neither"] = "neither"
    red_flag: RedFlag | None = None
    fact: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    area: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_fields(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            if "recommendation" in data and "fact" not in data:
                data["fact"] = data.pop("recommendation")
            if "higher_is_better" in data and "better" not in data:
                hib = data.pop("higher_is_better")
                data["better"] = "neither" if hib is None else "higher" if hib else "lower"
        return data

    @property
    def higher_is_better(self) -> bool | None:
        return None if self.better == "neither" else self.better == "higher"

    @property
    def recommendation(self) -> str | None:
        return self.fact

    @model_validator(mode="after")
    def _flag_needs_key(self) -> Indicator:
        if self.red_flag is not None and self.fact is None:
            raise ValueError("an indicator with a red_flag needs a fact key")
        if self.red_flag is not None and not self.red_flag.numeric():
            raise ValueError("an indicator red_flag must be numeric (below, at_most, above, at_least)")
        return self


class Relationship(Strict):
    x: str
    y: str


class Analysis(Strict):
    relationship: Relationship | None = None
    min_group: int = Field(default=5, ge=2)


class VersionMapping(Strict):
    """How the facts of an earlier questionnaire version map to this version's (rounds compared).

    ``facts``: previous fact → this version's fact (renamed), a list of facts (split) or null (removed:
    no longer assessed). A previous fact that still exists under the same key needs no entry.
    """

    facts: dict[str, str | tuple[str, ...] | None] = Field(default_factory=dict)


class NextRound(Strict):
    """What ``template --from`` carries into the next round's workbook (docs/cycle.md)."""

    keep: tuple[str, ...] = ()  # identification fields carried over; the others (date, round) stay blank
    records: tuple[str, ...] = ()  # record tables whose rows are carried over for the auditor to update


class Questionnaire(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str = Field(pattern=r"^\d+\.\d+$")
    title: Text
    instructions: Text
    # the questionnaire `auditkit template` writes and `summarize` takes a round to be unless told otherwise
    # (one questionnaire alone is the default without saying so; docs/questionnaire-format.md)
    default: bool = False
    scales: dict[str, Scale]
    not_applicable: Special
    not_evidenced: Special
    identification: tuple[Question, ...]
    areas: tuple[Area, ...]
    records: tuple[RecordTable, ...] = ()
    scoring: Scoring
    indicators: tuple[Indicator, ...] = ()
    analysis: Analysis = Analysis()
    next_round: NextRound = NextRound()
    from_versions: dict[str, VersionMapping] = Field(default_factory=dict)  # earlier version → mapping

    # -- lookups used by the engine --------------------------------------------------------
    def questions(self) -> dict[str, tuple[Area, Question]]:
        return {q.id: (a, q) for a in self.areas for q in a.questions}

    def role_field(self, role: str) -> Question | None:
        """The identification field that plays ``role`` (None when the questionnaire has none)."""
        return next((x for x in self.identification if x.role == role), None)

    def area(self, area_id: str) -> Area:
        return next(a for a in self.areas if a.id == area_id)

    def special_label(self, status: str, lang: Lang) -> str | None:
        """The words of a special answer ("na" → N/A, "not_evidenced" → nedoloženo), None for any other status."""
        special = {"na": self.not_applicable, "not_evidenced": self.not_evidenced}.get(status)
        return special.label(lang) if special is not None else None

    def options_for(self, q: Question | Column) -> tuple[Option, ...]:
        """The options of a question or column: its own, or the scale of its kind's name (yes_no …)."""
        return self.scales[q.kind].options if kind_of(q).options_from == "scale" else q.options

    def facts(self) -> dict[str, str]:
        """Question or indicator ID → the fact key of its red flag."""
        out = {x.id: x.fact for a in self.areas for x in a.questions if x.red_flag is not None and x.fact}
        out.update({i.id: i.fact for i in self.indicators if i.red_flag is not None and i.fact})
        return out

    def fact_bases(self) -> dict[str, set[str]]:
        """Fact key → every basis a finding on it can have; each needs its wording (recommendations.yaml)."""
        out: dict[str, set[str]] = {}
        for a in self.areas:
            for x in a.questions:
                if x.red_flag is None or not x.fact:
                    continue
                bases = out.setdefault(x.fact, set())
                if x.derived_from is not None:
                    bases.add("indicator")
                if x.red_flag.not_evidenced:
                    bases.add("not_evidenced")
                bases.update(kind_of(x).flag_bases(self, x))
        for i in self.indicators:
            if i.red_flag is not None and i.fact:
                out.setdefault(i.fact, set()).add("indicator")
        return out

    def verdict(self, verdict_id: str) -> Verdict:
        return next(v for v in self.scoring.verdicts if v.id == verdict_id)

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"
