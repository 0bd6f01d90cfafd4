"""The tables of a round as a dataset: columns with types, display formats and keys, rows streamed.

One definition feeds both the tidy workbook (``tidy.py``: every column, labels in the run's language) and the
open-data package (``opendata.py``: the columns marked ``open``). Where a table restates a model (an area
score, a finding, a statistic), its columns are that model's scalar fields, so a field added to the model
appears in both outputs; what each column means is data (templates/reports/dataset.yaml, cs + en).

Rows are produced by generators: the long ``answers`` table reads one audit at a time (``audit_of``), so a
national round is written in flat memory.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from auditkit.lang import Lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.models import Questionnaire
from auditkit.scoring import AreaScore, Flag, value_text
from auditkit.summary import Stats, Summary
from auditkit.validation.models import Answer, Audit

# Table Schema types (frictionless) of the columns; xlsx display formats: "score" 0–100 with one decimal and
# a per cent sign, "dec" one decimal, "int" whole numbers, "date" the language's date.
TYPES = ("string", "integer", "number", "boolean", "date")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    fmt: str | None = None
    open: bool = True  # False: auditors' free text, names of people, local paths, messages: never in open data
    width: int | None = None  # the widest the column is shown in the workbook (characters); None: the default
    enum: tuple[str, ...] = ()  # the codes the column may hold (a Literal field's values)


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: Callable[[], Iterator[list[Any]]]  # a fresh iterator on every call
    key: list[str] = field(default_factory=list)  # primary key (open data)
    parent: bool = True  # rows belong to a service: service_id refers to services.service_id


def _scalar(annotation: Any) -> str | None:
    """The Table Schema type of a model field, or None for a field that is not one value (a list, a model)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return _scalar(args[0]) if len(args) == 1 else ("string" if all(_scalar(a) for a in args) else None)
    if origin is typing.Literal:
        return "string"
    if annotation is bool:
        return "boolean"
    if annotation is int:
        return "integer"
    if annotation is float:
        return "number"
    if annotation in (dt.date, dt.datetime):
        return "date"
    if annotation is str:
        return "string"
    return None


def _literal(annotation: Any) -> tuple[str, ...]:
    """The values of a Literal field (also inside Optional), else ()."""
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    for arg in typing.get_args(annotation):
        if typing.get_origin(arg) is typing.Literal:
            return _literal(arg)
    return ()


def model_columns(model: type[BaseModel], skip: set[str], fmt: dict[str, str] | None = None,
                  closed: frozenset[str] = frozenset()) -> list[Column]:
    """The scalar fields of ``model`` as columns, in the model's order."""
    fmt = fmt or {}
    out = []
    for name, info in model.model_fields.items():
        kind = _scalar(info.annotation)
        if name in skip or kind is None:
            continue
        default = {"integer": "int", "number": "dec", "date": "date"}.get(kind)
        out.append(Column(name, kind, fmt.get(name, default), name not in closed, enum=_literal(info.annotation)))
    return out


def _values(obj: BaseModel, columns: list[Column]) -> list[Any]:
    return [getattr(obj, c.name) for c in columns]


def round_tables(summary: Summary, audit_of: Callable[[str], Audit], q: Questionnaire, lang: Lang) -> list[Table]:
    from auditkit.texts import recommendations, texts

    words = texts("dataset")
    rec = recommendations(q)
    services = summary.services
    area = {a.id: a for a in q.areas}
    verdicts = {v.id: v.label(lang) for v in q.scoring.verdicts}
    sid = [Column("service_id"), Column("service_name")]

    def label(group: str, code: str | None) -> str | None:
        key = f"values.{group}.{code}"
        return words(key, lang) if code is not None and key in words.data else code

    def title(key: str) -> str | None:
        k = f"{key}.title"
        return rec(k, lang) if k in rec.data else None

    service_cols = [
        *sid, Column("provider"), Column("audit_date", "date", "date"), Column("audit_round"),
        Column("auditors", open=False), Column("rank", "integer", "int"),
        Column("process_index", "number", "score"), Column("outcome_index", "number", "score"),
        Column("red_flags", "integer", "int"), Column("file", open=False, width=30), Column("sha256", width=12),
    ]

    def service_rows() -> Iterator[list[Any]]:
        for i, s in enumerate(services, start=1):
            v = s.service
            yield [v.service_id, v.service_name, v.provider, v.audit_date, v.audit_round, v.auditors, i,
                   s.process_index, s.outcome_index, len(s.findings), s.file, s.sha256]

    score_fields = model_columns(AreaScore, {"area"}, {"score": "score"})
    area_cols = [*sid, Column("area"), Column("area_code"), Column("area_name"), *score_fields]
    at = next(i for i, c in enumerate(area_cols) if c.name == "verdict") + 1
    area_cols.insert(at, Column("verdict_label"))

    def area_rows() -> Iterator[list[Any]]:
        for s in services:
            for a in s.areas.values():
                d = area.get(a.area)
                row = [s.service.service_id, s.service.service_name, a.area, d.code if d else None,
                       d.title(lang) if d else None, *_values(a, score_fields)]
                row.insert(at, verdicts.get(a.verdict) if a.verdict else None)
                yield row

    answer_cols = [*sid, Column("area"), Column("area_name"), Column("question_id"), Column("question"),
                   Column("kind"), Column("status", enum=_literal(Answer.model_fields["status"].annotation)),
                   Column("status_label"), Column("value"),
                   Column("value_label"), Column("text", open=False), Column("comment", open=False),
                   Column("sheet"), Column("cell"), Column("file", open=False, width=30)]
    # per question, what every service's row repeats: (area id, area title, question, kind, free text?)
    fixed = {qid: (item, a.id, a.title(lang), item.label(lang), item.kind, kind_of(item).free_text)
             for qid, (a, item) in q.questions().items()}
    status_label = {status: label("status", status) for status in _literal(Answer.model_fields["status"].annotation)}

    def answer_rows() -> Iterator[list[Any]]:
        for s in services:
            sid_, name = s.service.service_id, s.service.service_name
            for qid, ans in audit_of(s.file).answers.items():
                item, area_id, area_title, question, kind, free = fixed[qid]
                value, shown = _answer_value(q, item, ans.value, lang)
                text = value if free else None  # free text: its own column, never published
                yield [sid_, name, area_id, area_title, qid, question, kind, ans.status, status_label[ans.status],
                       None if text else value, shown, text, ans.comment, ans.sheet, ans.cell, s.file]

    labels = {i.id: i for i in q.indicators}
    indicator_cols = [*sid, Column("indicator"), Column("label"), Column("unit"), Column("value", "number", "dec")]

    def indicator_rows() -> Iterator[list[Any]]:
        for s in services:
            for k, v in s.indicators.items():
                d = labels.get(k)
                yield [s.service.service_id, s.service.service_name, k, d.label(lang) if d else k,
                       d.unit(lang) if d and d.unit else None, v]

    flag_fields = model_columns(Flag, {"key", "area", "fact", "basis"}, closed=frozenset({"evidence"}))
    # the typed value (an option id, ids, a number, a date) as the JSON gives it: one text column
    evidence_at = next(i for i, c in enumerate(flag_fields) if c.name == "evidence")
    flag_fields.insert(evidence_at, Column("value"))
    finding_cols = [*sid, Column("key"), Column("title"), Column("area"), Column("area_name"),
                    *([Column("fact"), Column("basis"), Column("basis_label")] if "basis" in Flag.model_fields
                      else []), *flag_fields]

    def finding_rows() -> Iterator[list[Any]]:
        has_basis = "basis" in Flag.model_fields
        for s in services:
            for f in s.findings:
                d = area.get(f.area)
                basis = [f.fact, f.basis, label("basis", f.basis)] if has_basis else []
                yield [s.service.service_id, s.service.service_name, f.key, title(f.key), f.area,
                       d.title(lang) if d else None, *basis,
                       *(value_text(f.basis, f.value) if c.name == "value" else getattr(f, c.name) for c in flag_fields)]

    stat_fields = model_columns(Stats, set(), {"n": "int"}, closed=frozenset({"min", "max"}))  # min, max: one service's
    stat_cols = [Column("measure"), Column("kind"), Column("label"), *stat_fields]

    def stat_rows() -> Iterator[list[Any]]:
        names = {"process_index": words("columns.process_index", lang).split(":")[0],
                 "outcome_index": words("columns.outcome_index", lang).split(":")[0]}
        groups = (("area", summary.area_stats, lambda k: area[k].title(lang) if k in area else k),
                  ("indicator", summary.indicator_stats, lambda k: labels[k].label(lang) if k in labels else k),
                  ("index", {"process_index": summary.process_stats, "outcome_index": summary.outcome_stats},
                   names.get))
        for kind, group, name in groups:
            for k, st in group.items():
                yield [k, kind, name(k), *_values(st, stat_fields)]

    systemic_cols = [Column("key"), Column("title"), Column("area"), Column("area_name"),
                     Column("services_with_finding", "integer", "int"), Column("services_scored", "integer", "int"),
                     Column("share", "number", "score"), Column("services", open=False)]

    def systemic_rows() -> Iterator[list[Any]]:
        for x in summary.systemic:
            d = area.get(x.area)
            yield [x.key, title(x.key), x.area, d.title(lang) if d else None, x.count, x.n,
                   100 * x.count / x.n if x.n else None, "; ".join(x.services)]

    rejected_cols = [Column("file", open=False, width=30), Column("file_status"), Column("file_status_label"),
                     Column("severity"),
                     Column("severity_label"), Column("code"), Column("sheet"), Column("cell"),
                     Column("message", open=False, width=80)]

    def rejected_rows() -> Iterator[list[Any]]:
        for r in [*summary.rejected, *summary.skipped]:
            for f in r.problems:
                yield [r.file, r.status, label("file_status", r.status), f.severity, label("severity", f.severity),
                       f.code, f.sheet, f.cell, f.message]

    cycle = _cycle_tables(summary, q, lang, sid, area, label)
    return [
        Table("services", service_cols, service_rows, ["service_id"], parent=False),
        Table("area_scores", area_cols, area_rows, ["service_id", "area"]),
        Table("answers", answer_cols, answer_rows, ["service_id", "question_id"]),
        Table("indicators", indicator_cols, indicator_rows, ["service_id", "indicator"]),
        Table("findings", finding_cols, finding_rows, ["service_id", "key"]),
        Table("statistics", stat_cols, stat_rows, ["measure", "kind"], parent=False),
        Table("systemic_findings", systemic_cols, systemic_rows, ["key"], parent=False),
        Table("rejected_files", rejected_cols, rejected_rows, [], parent=False),
        *cycle,
    ]


def _cycle_tables(summary: Summary, q: Questionnaire, lang: Lang, sid: list[Column], area: dict[str, Any],
                  label: Callable[[str, str | None], str | None]) -> list[Table]:
    """``changes`` (with ``--previous``) and ``replies`` (with ``--replies``): docs/cycle.md."""
    from auditkit.rounds import fact_of
    from auditkit.texts import recommendations

    rec = recommendations(q)
    tables = []

    def title(fact: str) -> str | None:
        return rec(f"{fact}.title", lang) if f"{fact}.title" in rec.data else None

    comparison = summary.comparison
    if comparison is not None and comparison.round.comparable:
        cols = [*sid, Column("fact"), Column("title"), Column("area"), Column("area_name"), Column("change"),
                Column("change_label"), Column("measure_overdue", "boolean"), Column("previous_deadline", "date", "date")]

        def change_rows() -> Iterator[list[Any]]:
            for s in summary.services:
                c = comparison.services.get(s.service.service_id)
                if c is None or c.previous is None:
                    continue
                head = [s.service.service_id, s.service.service_name]
                for f in s.findings:
                    fact = fact_of(f)
                    status = c.changes.get(fact)
                    d = area.get(f.area)
                    yield [*head, fact, title(fact), f.area, d.title(lang) if d else None, status,
                           label("change", status), fact in c.overdue if status == "persisting" else None,
                           c.overdue.get(fact)]
                for old in c.resolved:
                    d = area.get(old.area)
                    yield [*head, old.fact, title(old.fact), old.area, d.title(lang) if d else None, "resolved",
                           label("change", "resolved"), None, old.reply.deadline if old.reply else None]

        tables.append(Table("changes", cols, change_rows, ["service_id", "fact"]))
    if summary.replies is not None:
        replies = summary.replies
        cols = [*sid, Column("fact"), Column("title"), Column("response"), Column("response_label"),
                Column("objection", "boolean"), Column("reasons", open=False, width=60),
                Column("agreed_measure", open=False, width=60), Column("role"), Column("deadline", "date", "date"),
                Column("measure_status"), Column("decision"), Column("decision_label")]

        def reply_rows() -> Iterator[list[Any]]:
            for s in summary.services:
                for fact, r in replies.by_service.get(s.service.service_id, {}).items():
                    yield [s.service.service_id, s.service.service_name, fact, title(fact), r.response,
                           label("response", r.response), r.objection, r.reasons, r.measure, r.role, r.deadline,
                           r.status, r.decision, label("decision", r.decision)]

        tables.append(Table("replies", cols, reply_rows, ["service_id", "fact"]))
    return tables


def _answer_value(q: Questionnaire, item: Any, value: Any, lang: Lang) -> tuple[Any, str | None]:
    """(the value as stored: an option's code, a number, a date; its label in ``lang`` for an option)."""
    if value is None:
        return None, None
    return kind_of(item).data_value(q, item, value, lang)
