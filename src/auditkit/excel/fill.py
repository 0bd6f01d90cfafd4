"""Fill a template workbook in code: the sample round, benchmarks and tests build workbooks with this.

Answers are given by question ID with option *ids* for choices (written as the template language's
labels), numbers, dates or text; anything else (e.g. a raw string such as ``"Ano "``) is written as is,
so tests can type like a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from auditkit.excel import layout
from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.models import Questionnaire


class Raw(str):
    """A value written to the cell exactly as given (no option-id translation)."""


def _label(q: Questionnaire, item: Any, value: Any, lang: Lang) -> Any:
    if isinstance(value, Raw) or value is None:
        return str(value) if isinstance(value, Raw) else None
    special = q.special_label(value, lang) if isinstance(value, str) else None
    return special if special is not None else kind_of(item).cell_value(q, item, value, lang)


def _id_rows(ws: Any) -> dict[str, int]:
    return {str(c.value).strip(): c.row for c in ws["A"] if c.value is not None}


def fill(
    wb: Workbook,
    q: Questionnaire,
    lang: Lang,
    answers: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> Workbook:
    """Write answers, comments and record rows into a workbook made by ``build_template``."""
    comments = comments or {}
    items = {x.id: x for x in q.identification}
    items.update({x.id: x for a in q.areas for x in a.questions})
    sheet_of = {x.id: layout.COVER_SHEET[lang] for x in q.identification}
    sheet_of.update({x.id: a.sheet(lang) for a in q.areas for x in a.questions})
    rows_cache: dict[str, dict[str, int]] = {}
    for qid in set(answers) | set(comments):
        name = sheet_of[qid]
        ws = wb[name]
        rows = rows_cache.setdefault(name, _id_rows(ws))
        r = rows[qid]
        if qid in answers:
            ws.cell(row=r, column=layout.COL_ANSWER + 1, value=_label(q, items[qid], answers[qid], lang))
        if qid in comments:
            ws.cell(row=r, column=layout.COL_COMMENT + 1, value=comments[qid])
    for table in q.records:
        rows_given = (records or {}).get(table.id)
        if rows_given is None:
            continue
        ws = wb[table.sheet(lang)]
        first = layout.RECORD_HEADER_ROW + 1
        cols = {c.id: (j, c) for j, c in enumerate(table.columns, start=1)}
        if table.prefill:
            key_col, key_def = cols[table.prefill]
            by_key = {ws.cell(row=r, column=key_col).value: r for r in range(first, ws.max_row + 1)}
            for row in rows_given:
                r = by_key[_label(q, key_def, row[table.prefill], lang)]
                for cid, value in row.items():
                    j, col = cols[cid]
                    ws.cell(row=r, column=j, value=_label(q, col, value, lang))
            continue
        for i, row in enumerate(rows_given):
            for cid, value in row.items():
                j, col = cols[cid]
                ws.cell(row=first + i, column=j, value=_label(q, col, value, lang))
    return wb
