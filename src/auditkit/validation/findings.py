"""Findings are values: a code from the catalogue, where it is, and a message in the user's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from auditkit import lang as lang_
from auditkit.errors import DefinitionError

Severity = Literal["error", "warning", "info"]
_CATALOGUE = Path(__file__).with_name("catalogue.yaml")
_WHERE = {
    "cs": {"sheet_cell": "List {sheet}, buňka {cell}: ", "sheet": "List {sheet}: "},
    "en": {"sheet_cell": "Sheet {sheet}, cell {cell}: ", "sheet": "Sheet {sheet}: "},
}


class Finding(BaseModel):
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


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(_CATALOGUE.read_text(encoding="utf-8"), Loader=loader)
    for code, entry in data.items():
        missing = {"severity", "cs", "en"} - set(entry)
        if missing:
            raise ValueError(f"{_CATALOGUE}: finding '{code}' lacks {', '.join(sorted(missing))}")
        for key, texts in (entry.get("phrases") or {}).items():
            if not {"cs", "en"} <= set(texts):
                raise ValueError(f"{_CATALOGUE}: finding '{code}', phrase '{key}' needs cs and en")
    return data


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


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
) -> Finding:
    """Build a finding from the catalogue; ``params`` fill the message placeholders."""
    entry = catalogue()[code]
    shown = None if value is None else shorten(value)
    fields = _Blank(params, question_id=question_id or "", value=shown or "", sheet=sheet or "", cell=cell or "")
    body = entry[lang].format_map(fields)
    if sheet and cell:
        prefix = _WHERE[lang]["sheet_cell"].format(sheet=sheet, cell=cell)
    elif sheet:
        prefix = _WHERE[lang]["sheet"].format(sheet=sheet)
    else:
        prefix = ""
    return Finding(
        code=code,
        severity=severity or entry["severity"],
        file=file,
        sheet=sheet,
        cell=cell,
        question_id=question_id,
        value=None if value is None else str(value)[:200],
        message=prefix + body,
    )


def phrase(code: str, key: str, lang: str, **params: Any) -> str:
    """A part of a message kept in the catalogue beside its code (e.g. a "did you mean" hint). A counted
    phrase (plural forms by CLDR category) takes its form for ``n`` from Babel (``auditkit.lang``)."""
    text = catalogue()[code]["phrases"][key][lang]
    if isinstance(text, dict):
        return lang_.count(params.pop("n"), text, lang, **params)
    return text.format(**params)


def failed(file: str, lang: str, exc: BaseException) -> Finding:
    """The finding for an unexpected error inside auditkit on one file: the batch goes on. A wrong data file
    (a questionnaire or a words file: :class:`~auditkit.errors.DefinitionError`) is not one file's problem
    and is raised again: the command names the file and key and exits 2."""
    if isinstance(exc, DefinitionError):
        raise exc
    return make("internal_error", lang, file, detail=f"{type(exc).__name__}: {str(exc)[:120]}")


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
