"""One cell against one question (or record column): a typed value or a catalogue problem."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from auditkit.excel.normalize import (
    Problem,
    as_choice_text,
    choice_keys,
    clean_text,
    fold,
    formula_error,
    is_blank,
    parse_date,
    parse_number,
    parse_percent,
    split_multi,
)
from auditkit.questionnaire.models import Column, Option, Question, Questionnaire, value_range
from auditkit.questionnaire.wording import allowed_specials

_IDENTITY_CACHE: dict[int, tuple[object, dict[str, str]]] = {}


def _cached(owner: object, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """Cache an index per definition object (by identity: hashing frozen pydantic models is slow)."""
    hit = _IDENTITY_CACHE.get(id(owner))
    if hit is not None and hit[0] is owner:
        return hit[1]
    index = build()
    _IDENTITY_CACHE[id(owner)] = (owner, index)
    return index


def _option_index(options: tuple[Option, ...]) -> dict[str, str]:
    """Folded spellings → option id."""

    def build() -> dict[str, str]:
        index: dict[str, str] = {}
        for o in options:
            for key in choice_keys(o.id, (o.label.cs, o.label.en), o.aliases):
                index.setdefault(key, o.id)
        return index

    return _cached(options, build)


def _special_index(q: Questionnaire) -> dict[str, str]:
    """Folded spellings of N/A and 'not evidenced' → status; also without spaces ('N / A', 'ne doloženo')."""

    def build() -> dict[str, str]:
        index = {}
        for status, special in (("na", q.not_applicable), ("not_evidenced", q.not_evidenced)):
            for key in choice_keys("", (special.label.cs, special.label.en), special.aliases):
                index[key] = status
                index.setdefault(key.replace(" ", ""), status)
        return index

    return _cached(q, build)


# an option typed with its meaning: "2 - splněno", "2 – splněno", "2: splněno", "2 (splněno)", "2 splněno"
_WITH_MEANING = re.compile(r"^\s*(\S+?)\s*(?:[-–—:]\s*|\(\s*|\s+)(.+?)\s*\)?\s*$")


def _match(options: tuple[Option, ...], value: Any) -> str:
    text = as_choice_text(value)
    index = _option_index(options)
    found = index.get(fold(text))
    if found is None:
        both = _WITH_MEANING.match(text)  # accepted only when both parts name the same option
        first = index.get(fold(both.group(1))) if both else None
        if both and first is not None and first == index.get(fold(both.group(2))):
            return first
        raise Problem("answer_choice")
    return found


def _multi(options: tuple[Option, ...], raw: Any) -> list[str]:
    """Options of a multiple-choice cell: one per line (Alt+Enter), or separated by ';' or ','.

    A part that is not an option as a whole is split at its commas (an option's label may hold one).
    """
    text = clean_text(raw, keep_newlines=True) if isinstance(raw, str) else as_choice_text(raw)
    index = _option_index(options)
    out = []
    for part in split_multi(text):
        found = index.get(fold(part))
        if found is not None:
            out.append(found)
            continue
        for piece in (p.strip() for p in part.split(",")):
            if piece:
                out.append(_match(options, piece))
    return out


# (questionnaire, item, raw value) → result: most cells of a round repeat a few values per question ("ano",
# "částečně", small numbers), so each is parsed once per process; checked by identity like _cached
_PARSED: dict[tuple[int, int, type, Any], tuple[object, object, tuple[str, Any] | Problem]] = {}
_PARSED_MAX, _PARSED_TEXT = 50_000, 300  # entries; longer texts (free answers) are not kept


def parse(q: Questionnaire, item: Question | Column, raw: Any) -> tuple[str, Any]:
    """(status, value) for a cell; raises Problem with a catalogue code."""
    if isinstance(raw, str) and len(raw) > _PARSED_TEXT:
        return _parse(q, item, raw)
    key = (id(q), id(item), type(raw), raw)
    hit = _PARSED.get(key)
    if hit is not None and hit[0] is q and hit[1] is item:
        out = hit[2]
    else:
        try:
            out = _parse(q, item, raw)
        except Problem as p:
            out = p
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = (q, item, out)
    if isinstance(out, Problem):
        raise Problem(out.code, out.detail)
    status, value = out
    return status, list(value) if isinstance(value, list) else value


def _parse(q: Questionnaire, item: Question | Column, raw: Any) -> tuple[str, Any]:
    err = formula_error(raw)
    if err:
        raise Problem("formula_error", err)
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
                raise Problem("answer_na_not_allowed")
            # a record cell: read as a value like any other (and refused by its kind if it is none)
    kind = item.kind
    if kind in ("yes_no", "yes_partly_no", "scale_0_3", "choice"):
        return "answered", _match(q.options_for(item), raw)
    if kind == "multi_choice":
        ids: list[str] = []
        for option in _multi(item.options, raw):
            if option not in ids:
                ids.append(option)
        return "answered", ids
    if kind in ("integer", "decimal", "percent"):
        number = parse_percent(raw) if kind == "percent" else parse_number(raw, integer=kind == "integer")
        lo, hi = value_range(item)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise Problem("answer_range")
        return "answered", number
    if kind == "date":
        date = parse_date(raw)
        lo, hi = value_range(item)
        if (lo is not None and date.year < lo) or (hi is not None and date.year > hi):
            raise Problem("answer_range")
        return "answered", date
    # text
    text = as_text(raw)
    if item.pattern is not None:
        return "answered", _patterned(item, raw, text)
    if len(text) > item.max_length:
        raise Problem("answer_too_long", str(len(text)))
    return "answered", text


def _patterned(item: Question | Column, raw: Any, text: str) -> str:
    """A code or identifier: 'K 07' is K07; a number that lost its leading zero (0123456 typed in a
    General cell is 123456) is named as such."""
    pattern = item.pattern or ""
    compact = "".join(text.split())
    for candidate in (text, compact):
        if re.fullmatch(pattern, candidate):
            if len(candidate) > item.max_length:
                raise Problem("answer_too_long", str(len(candidate)))
            return candidate
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and text.isdigit():
        for zeros in range(1, 4):
            if re.fullmatch(pattern, "0" * zeros + text):
                raise Problem("answer_leading_zero", "0" * zeros + text)
    raise Problem("answer_type")


def as_text(raw: Any) -> str:
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
