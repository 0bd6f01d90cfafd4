"""The open-data form of a round: a Frictionless Data Package (``OUT/opendata/``), docs/summary.md.

``datapackage.json`` describes one CSV per table (UTF-8, comma, RFC 4180) with a Table Schema: types, what
each column means (templates/reports/dataset.yaml, in the run's language), primary keys, and foreign keys to
``services`` on the 7-digit service identifier, the key of the national registry of providers and of a
region's network list. The tables are those of the tidy workbook (``dataset.round_tables``) without what a
publication must not carry: auditors' free text (comments, evidence, free-text answers), auditors' names,
local file paths, validation messages, and the minimum and maximum of a statistic (single services' values).
An empty cell is a missing value; why it is missing stays visible: an answer's ``status`` says ``na`` (N/A,
does not apply) or ``not_evidenced`` (the provider could not evidence it), never folded into one blank.

The folder is written beside its place and swapped in at the end: it is complete or absent.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from auditkit.dataset import Column, Table, round_tables
from auditkit.lang import Lang
from auditkit.questionnaire.models import Questionnaire
from auditkit.summary import Summary
from auditkit.validation.models import Audit

TABLES = ("services", "area_scores", "answers", "indicators", "findings", "statistics", "systemic_findings")
DECIMALS = 2  # numbers as in summary.json
SERVICE_ID = r"^[0-9]{7}$"


def open_tables(summary: Summary, audit_of: Callable[[str], Audit], q: Questionnaire, lang: Lang) -> list[Table]:
    """The publishable tables: the tidy tables named in ``TABLES``, only their ``open`` columns."""
    out = []
    for t in round_tables(summary, audit_of, q, lang):
        if t.name not in TABLES:
            continue
        keep = [i for i, c in enumerate(t.columns) if c.open]
        out.append(Table(t.name, [t.columns[i] for i in keep], _project(t.rows, keep), t.key, t.parent))
    return out


def _project(rows: Callable[[], Iterator[list[Any]]], keep: list[int]) -> Callable[[], Iterator[list[Any]]]:
    return lambda: ([row[i] for i in keep] for row in rows())


def _cell(value: Any) -> str:
    kind = value.__class__
    if kind is str:  # most cells (a str subclass, such as a str enum, goes the long way: its text)
        return value
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(round(value, DECIMALS))  # NaN: missing
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def resource_name(table: str) -> str:
    return table.replace("_", "-")  # Data Package names: lower case, digits, '-', '.', '_' avoided for v1 readers


def _field(c: Column, lang: Lang, words: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"name": c.name, "type": c.type}
    key = f"columns.{c.name}"
    if key in words.data:
        field["description"] = words(key, lang)
    constraints: dict[str, Any] = {}
    if c.enum:
        constraints["enum"] = list(c.enum)
    if c.name == "service_id":
        constraints["pattern"] = SERVICE_ID
    if c.type == "date":
        field["format"] = "default"  # ISO 8601, YYYY-MM-DD
    if constraints:
        field["constraints"] = constraints
    return field


def descriptor(tables: list[Table], lang: Lang) -> dict[str, Any]:
    """``datapackage.json``: the package and a Table Schema per table."""
    from auditkit.texts import texts

    words = texts("dataset")
    resources = []
    for t in tables:
        schema: dict[str, Any] = {"fields": [_field(c, lang, words) for c in t.columns], "missingValues": [""]}
        if t.key:
            schema["primaryKey"] = t.key
        if t.parent:
            schema["foreignKeys"] = [{"fields": ["service_id"],
                                      "reference": {"resource": "services", "fields": ["service_id"]}}]
        resources.append({
            "name": resource_name(t.name), "path": f"{t.name}.csv", "profile": "tabular-data-resource",
            "title": t.name, "description": words(f"tables.{t.name}", lang),
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
            "schema": schema,
        })
    return {
        "profile": "tabular-data-package",
        "name": "auditkit-audit-round",
        "title": words("title", lang),
        "description": words("about", lang),
        "language": lang,
        "resources": resources,
    }


def write_opendata(summary: Summary, audit_of: Callable[[str], Audit], q: Questionnaire, lang: Lang,
                   folder: Path) -> Path:
    """Write the package into ``folder`` (replacing an older one whole); returns the datapackage.json path."""
    tables = open_tables(summary, audit_of, q, lang)
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        for t in tables:
            with (staging / f"{t.name}.csv").open("w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)  # comma, '"' quoting only where needed, CRLF line ends (RFC 4180)
                w.writerow([c.name for c in t.columns])
                w.writerows([_cell(v) for v in row] for row in t.rows())
        (staging / "datapackage.json").write_text(
            json.dumps(descriptor(tables, lang), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        _swap(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder / "datapackage.json"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(staging: Path, folder: Path) -> None:
    """Put ``staging`` in the place of ``folder``: the old package moves aside first, then goes."""
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
    try:
        os.replace(staging, folder)
    except OSError:
        if old is not None:
            os.replace(old, folder)
        raise
    if old is not None:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)
