"""One cell against one question (or record column): a typed value or a catalogue problem."""

from __future__ import annotations

from typing import Any

from auditkit.excel.normalize import CellError, choice_keys, fold, formula_error, is_blank
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.kinds.options import cached
from auditkit.questionnaire.kinds.text import as_text
from auditkit.questionnaire.models import Column, Question, Questionnaire
from auditkit.questionnaire.wording import allowed_specials

__all__ = ["as_text", "parse"]


def _special_index(q: Questionnaire) -> dict[str, str]:
    """Folded spellings of N/A and 'not evidenced' → status; also without spaces ('N / A', 'ne doloženo')."""

    def build() -> dict[str, str]:
        index = {}
        for status, special in (("na", q.not_applicable), ("not_evidenced", q.not_evidenced)):
            for key in choice_keys("", (special.label.cs, special.label.en), special.aliases):
                index[key] = status
                index.setdefault(key.replace(" ", ""), status)
        return index

    return cached(q, build, "specials")


# (questionnaire, item, raw value) → result: most cells of a round repeat a few values per question ("ano",
# "částečně", small numbers), so each is parsed once per process; checked by identity like _cached
_PARSED: dict[tuple[int, int, type, Any], tuple[object, object, tuple[str, Any] | CellError]] = {}
_PARSED_MAX, _PARSED_TEXT = 50_000, 300  # entries; longer texts (free answers) are not kept


def parse(q: Questionnaire, item: Question | Column, raw: Any) -> tuple[str, Any]:
    """(status, value) for a cell; raises CellError with a catalogue code."""
    if isinstance(raw, str) and len(raw) > _PARSED_TEXT:
        return _parse(q, item, raw)
    key = (id(q), id(item), type(raw), raw)
    hit = _PARSED.get(key)
    if hit is not None and hit[0] is q and hit[1] is item:
        out = hit[2]
    else:
        try:
            out = _parse(q, item, raw)
        except CellError as p:
            out = p
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = (q, item, out)
    if isinstance(out, CellError):
        raise CellError(out.code, out.detail)
    status, value = out
    return status, list(value) if isinstance(value, list) else value


def _parse(q: Questionnaire, item: Question | Column, raw: Any) -> tuple[str, Any]:
    err = formula_error(raw)
    if err:
        raise CellError("formula_error", err)
    if is_blank(raw):
        return "blank", None
    if isinstance(raw, str):
        key = fold(raw)
        special = _special_index(q).get(key) or _special_index(q).get(key.replace(" ", ""))
        if special is not None:
            allowed = allowed_specials(q, item)
            if special in allowed:
                return special, None
            if isinstance(item, Question):
                raise CellError("answer_na_not_allowed")
            # a record cell: read as a value like any other (and refused by its kind if it is none)
    return "answered", kind_of(item).parse(q, item, raw)
