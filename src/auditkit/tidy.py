"""The tidy workbook of a round (summary.xlsx): a first sheet describing every table and column, then one
table per sheet, one row per observation, for analysts.

The tables are those of ``dataset.round_tables`` (labels in the run's language beside stable codes, the
service identifier and name on every per-service sheet). Values keep full precision; a number format per
column displays them rounded (scores "64,6 %", one decimal elsewhere, dates as the language writes them).
Auditors' text is always stored as a text cell, never as a formula (a comment starting with '=' stays text).
The long answers sheet (about 1,300 cells per service) is streamed one audit at a time, so a national round
of a thousand workbooks is written in seconds and in flat memory (``excel.xlsxout``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from auditkit.dataset import Column, Table, round_tables
from auditkit.excel.xlsxout import XlsxStream
from auditkit.lang import Lang
from auditkit.questionnaire.models import Questionnaire
from auditkit.summary import Summary
from auditkit.validation.models import Audit

# Excel number format codes of the display formats (the decimal separator follows the reader's locale)
FORMATS = {"score": '0.0" % "', "dec": "0.0", "int": "0"}
DATE_FORMATS = {"cs": "D. M. YYYY", "en": "YYYY-MM-DD"}


def write_tidy(summary: Summary, audit_of: Callable[[str], Audit], q: Questionnaire, lang: Lang, out: Path) -> Path:
    """``audit_of(file)`` gives the typed audit of an included service (its answers, in long form)."""
    from auditkit.texts import texts

    tables = round_tables(summary, audit_of, q, lang)
    shown = texts("dataset")  # templates/reports/dataset.yaml
    yes, no = shown("shown.true", lang), shown("shown.false", lang)
    yes_no = f'"{yes}";"{yes}";"{no}"'  # a number format: 1 (and any other non-zero) shows yes, 0 shows no
    with XlsxStream(out, date_format=DATE_FORMATS.get(lang, "YYYY-MM-DD")) as wb:
        _about(wb, tables, lang)
        for t in tables:
            formats = [yes_no if c.type == "boolean" else FORMATS.get(c.fmt or "") for c in t.columns]
            sheet = wb.sheet(t.name, [c.name for c in t.columns], formats, [c.width for c in t.columns])
            flags = [i for i, c in enumerate(t.columns) if c.type == "boolean"]
            sheet.extend(_yes_no(t.rows(), flags) if flags else t.rows())
    return out


def _yes_no(rows: Iterator[list[Any]], flags: list[int]) -> Iterator[list[Any]]:
    for row in rows:
        for i in flags:
            if row[i] is not None:
                row[i] = int(row[i])
        yield row


def describe(column: Column, lang: Lang) -> str:
    """What a column means, from templates/reports/dataset.yaml."""
    from auditkit.texts import texts

    words = texts("dataset")
    key = f"columns.{column.name}"
    return words(key, lang) if key in words.data else ""


def _about(wb: XlsxStream, tables: list[Table], lang: Lang) -> None:
    """The first sheet: what the workbook is, then every table and every column with its type and meaning."""
    from auditkit.texts import texts

    words = texts("dataset")
    head = [words(f"sheet.{k}", lang) for k in ("table", "column", "type", "description")]
    sheet = wb.sheet(words("sheet.name", lang), head, max_width=[20, 24, 12, 110])
    sheet.append(["", "", "", words("title", lang)])
    for sentence in words("about", lang).split(". "):  # one sentence a line: the column stays readable
        sheet.append(["", "", "", sentence if sentence.endswith(".") else sentence + "."])
    for t in tables:
        sheet.append([t.name, "", "", words(f"tables.{t.name}", lang)])
        for c in t.columns:
            sheet.append([t.name, c.name, words(f"types.{c.type}", lang), describe(c, lang)])
