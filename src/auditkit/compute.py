"""Indicators computed from answers and record tables: shared by scoring and by validation (which warns
when a typed answer disagrees with what the record tables give)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from auditkit import formula
from auditkit.questionnaire.models import Questionnaire
from auditkit.validation.models import Answer

Rows = list[dict[str, Any]]


@lru_cache(maxsize=256)
def _compiled(text: str) -> formula.Compiled:
    return formula.compiled(formula.parse(text))  # once per formula text and process


def with_defaults(q: Questionnaire, records: dict[str, Rows]) -> dict[str, Rows]:
    """Record rows with each blank cell of a column that declares ``blank_means`` filled in (the reader
    does this for workbooks; rows built in code may lack the cell)."""
    out = dict(records)
    for table in q.records:
        defaults = {c.id: c.blank_means for c in table.columns if c.blank_means is not None}
        if defaults and table.id in records:
            out[table.id] = [{**row, **{k: v for k, v in defaults.items() if row.get(k) is None}}
                             for row in records[table.id]]
    return out


def indicator_values(q: Questionnaire, answers: dict[str, Answer], records: dict[str, Rows]) -> dict[str, float | None]:
    def answer(qid: str) -> float | None:
        a = answers.get(qid)
        if a is None or a.status != "answered" or isinstance(a.value, bool):
            return None
        return float(a.value) if isinstance(a.value, (int, float)) else None

    tables = with_defaults(q, records)
    out: dict[str, float | None] = {}
    for ind in q.indicators:
        value = formula.run(_compiled(ind.formula), answer, tables)
        out[ind.id] = None if value is None else round(value, 6)
    return out
