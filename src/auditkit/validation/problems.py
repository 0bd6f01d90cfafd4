"""Validation problems are values: a code from the catalogue, where it is, and a message in the user's language.

A :class:`Problem` is something in an input file the auditor must fix (a cell, a sheet, the file itself). It
is not an audit *finding* (a red flag about the service, :class:`auditkit.scoring.Flag`), which the reports
present to the provider.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from auditkit import lang as lang_
from auditkit import words
from auditkit.errors import DefinitionError, ParamsError, check_params
from auditkit.lang import LANGS, Lang
from auditkit.words import TextError, placeholder_difference, placeholders, read_yaml

Severity = Literal["error", "warning", "info"]
_CATALOGUE = Path(__file__).with_name("catalogue.yaml")
_WHERE = words.by_lang("validation", "where")  # "List A, buňka C5: " (templates/reports/validation.yaml)


class Problem(BaseModel):
    """A problem of an input file: its catalogue code, severity, place and message."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    file: str
    sheet: str | None = None
    cell: str | None = None
    question_id: str | None = None
    value: str | None = None
    message: str

    def where(self) -> tuple[str | None, str | None, str]:
        return (self.sheet, self.cell, self.code)

    def detail(self) -> str:
        """The message without its "List X, buňka Y: " prefix, for a view that shows sheet and cell itself."""
        head, sep, rest = self.message.partition(": ")
        located = sep and self.sheet and self.sheet in head and (not self.cell or self.cell in head)
        return rest if located else self.message


# filled from make()'s own keywords (where the problem is, the value it quotes) when a message names them
_LOCATION = frozenset({"question_id", "value", "sheet", "cell"})
_SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(_SEVERITIES)}  # problems listed most serious first


def _fail(code: str, what: str) -> TextError:
    return TextError(f"{_CATALOGUE}: code '{code}': {what}")


def _same_placeholders(code: str, key: str, texts: dict[str, Any]) -> frozenset[str]:
    """The placeholders of a text in both languages (of all forms of a counted phrase), which must agree."""
    names: dict[str, set[str]] = {}
    for lang in LANGS:
        text = texts.get(lang)
        forms = list(text.values()) if isinstance(text, dict) else [text]
        if not forms or not all(isinstance(f, str) and f.strip() for f in forms):
            raise _fail(code, f"{key}: missing translation {lang}")
        try:
            names[lang] = set().union(*(placeholders(str(f)) for f in forms))
        except ValueError as exc:
            raise _fail(code, f"{key}: {exc}") from None
    only = placeholder_difference(names)
    if only is not None:
        raise _fail(code, f"{key}: cs and en use different placeholders ({only})")
    return frozenset(names["cs"])


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, Any]]:
    """Every code with its severity, its texts and the parameters they declare (``params``: the
    placeholders, the same in cs and en; ``phrase_params``: the same for each phrase), checked at load."""
    data = read_yaml(_CATALOGUE)
    if not isinstance(data, dict):
        raise TextError(f"{_CATALOGUE}: expected codes with severity, cs and en at the top level")
    for code, entry in data.items():
        if not isinstance(entry, dict):
            raise _fail(code, "expected severity, cs and en")
        missing = {"severity", "cs", "en"} - set(entry)
        if missing:
            raise _fail(code, f"lacks {', '.join(sorted(missing))}")
        if entry["severity"] not in _SEVERITIES:
            raise _fail(code, f"severity must be one of {', '.join(_SEVERITIES)}")
        extra = set(entry) - {"severity", "cs", "en", "phrases"}
        if extra:
            raise _fail(code, f"unexpected fields {', '.join(sorted(map(str, extra)))}")
        entry["params"] = _same_placeholders(code, "message", entry)
        entry["phrase_params"] = {}
        for key, texts in (entry.get("phrases") or {}).items():
            if not isinstance(texts, dict) or not {"cs", "en"} <= set(texts):
                raise _fail(code, f"phrase '{key}' needs cs and en")
            entry["phrase_params"][key] = _same_placeholders(code, f"phrase '{key}'", texts)
    return data


def params(code: str) -> frozenset[str]:
    """The parameters a code's message declares (its placeholders, the same in cs and en)."""
    return catalogue()[code]["params"]


def shorten(value: Any, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make(
    code: str,
    lang: str,
    file: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    question_id: str | None = None,
    value: Any = None,
    severity: Severity | None = None,
    **params: Any,
) -> Problem:
    """Build a problem from the catalogue; ``params`` fill the message placeholders.

    ``params`` must be exactly the placeholders the code declares (besides those filled from ``sheet``,
    ``cell``, ``question_id`` and ``value``, which must then be given): a missing, extra or misspelt
    parameter raises :class:`ParamsError`. A parameter given as None counts as not given."""
    try:
        entry = catalogue()[code]
    except KeyError:
        raise ParamsError(f"no code '{code}' in the catalogue") from None
    shown = None if value is None else shorten(value)
    given = {k: v for k, v in params.items() if v is not None}
    located = {"question_id": question_id, "value": shown, "sheet": sheet, "cell": cell}
    declared: frozenset[str] = entry["params"]
    check_params(f"code '{code}'", declared - _LOCATION, set(given))
    unlocated = sorted(k for k in declared & _LOCATION if located[k] is None)
    if unlocated:
        raise ParamsError(f"code '{code}': its message needs {', '.join(unlocated)}")
    fields = {**given, **{k: v for k, v in located.items() if k in declared}}
    body = entry[lang].format_map(fields)
    if sheet and cell:
        prefix = _WHERE[lang]["sheet_cell"].format(sheet=sheet, cell=cell)
    elif sheet:
        prefix = _WHERE[lang]["sheet"].format(sheet=sheet)
    else:
        prefix = ""
    return Problem(
        code=code,
        severity=severity or entry["severity"],
        file=file,
        sheet=sheet,
        cell=cell,
        question_id=question_id,
        value=None if value is None else str(value)[:200],
        message=prefix + body,
    )


def phrase(code: str, key: str, lang: Lang, **params: Any) -> str:
    """A part of a message kept in the catalogue beside its code (e.g. a "did you mean" hint). A counted
    phrase (plural forms by CLDR category) takes its form for ``n`` from Babel (``auditkit.lang``)."""
    entry = catalogue()[code]
    if key not in (entry.get("phrases") or {}):
        raise ParamsError(f"code '{code}' has no phrase '{key}'")
    check_params(f"code '{code}' (phrase '{key}')", entry["phrase_params"][key], set(params))
    text = entry["phrases"][key][lang]
    if isinstance(text, dict):
        return lang_.count(params.pop("n"), text, lang, **params)
    return text.format(**params)


def failed(file: str, lang: str, exc: BaseException) -> Problem:
    """The problem for an unexpected error inside auditkit on one file: the batch goes on. A wrong data file
    (a questionnaire or a words file: :class:`~auditkit.errors.DefinitionError`) is not one file's problem
    and is raised again: the command names the file and key and exits 2."""
    if isinstance(exc, DefinitionError):
        raise exc
    return make("internal_error", lang, file, detail=f"{type(exc).__name__}: {str(exc)[:120]}")


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
