"""Load questionnaire definitions from YAML and check them as a whole.

A broken definition raises :class:`DefinitionError` whose message names the file and the question
(or area, record table, indicator) so a methodologist can fix it without reading Python.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from auditkit import datafile, errors
from auditkit.errors import UsageError
from auditkit.lang import LANGS
from auditkit.questionnaire import cache, sources
from auditkit.questionnaire.kinds import KINDS, kind_of
from auditkit.questionnaire.models import (
    REQUIRED_ROLES,
    ROLE_VALUES,
    Area,
    Column,
    Question,
    Questionnaire,
    RecordTable,
)

MAIN_FILE = sources.MAIN_FILE


class DefinitionError(errors.DefinitionError):
    """A questionnaire definition that cannot be used; the message says where and why."""


def _read_yaml(path: Path) -> Any:
    cache.note_read(path)  # the cache of checked definitions is valid only while every file read is unchanged
    return datafile.read_yaml(path, DefinitionError)


def _describe_loc(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic location into words: 'question A04 (questions #4), field kind'."""
    parts: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        if isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node):
            item = node[key]
            label = item.get("id") if isinstance(item, dict) else None
            container = str(loc[i - 1]) if i else "item"
            noun = {
                "questions": "question",
                "identification": "identification field",
                "columns": "column",
                "options": "option",
                "indicators": "indicator",
                "verdicts": "verdict",
                "records": "record table",
            }.get(container, container)
            parts.append(f"{noun} {label} (#{key + 1})" if label else f"{noun} #{key + 1}")
            node = item
        elif isinstance(node, dict) and key in node:
            if not (i + 1 < len(loc) and isinstance(loc[i + 1], int)):
                parts.append(f"field '{key}'")
            node = node[key]
        else:
            parts.append(f"field '{key}'")
            node = None
        i += 1
    return ", ".join(parts) or "top level"


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    if not isinstance(data, dict):
        raise DefinitionError(f"{path}: expected a mapping of fields at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors(include_url=False):
            where = _describe_loc(data, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "literal_error":
                given = err.get("input")
                msg = f"unknown value {given!r}; {msg.lower()}"
            elif err["type"] == "missing" and err["loc"] and err["loc"][-1] in ("cs", "en"):
                msg = f"missing translation '{err['loc'][-1]}'"
            lines.append(f"{path}: {where}: {msg}")
        raise DefinitionError("\n".join(lines)) from None


def load_questionnaire(folder: Path) -> Questionnaire:
    """Load one questionnaire folder (``questionnaire.yaml`` + the area and record files it lists)."""
    main_path = folder / MAIN_FILE
    main = _read_yaml(main_path)
    if not isinstance(main, dict):
        raise DefinitionError(f"{main_path}: expected a mapping of fields at the top level")
    main = dict(main)
    files: dict[str, Path] = {}
    areas = []
    for name in main.get("areas") or []:
        if not isinstance(name, str):
            raise DefinitionError(f"{main_path}: field 'areas': list file names, got {name!r}")
        path = folder / name
        areas.append(_validate(Area, _read_yaml(path), path))
        files[areas[-1].id] = path
    records = []
    for name in main.get("records") or []:
        if not isinstance(name, str):
            raise DefinitionError(f"{main_path}: field 'records': list file names, got {name!r}")
        path = folder / name
        records.append(_validate(RecordTable, _read_yaml(path), path))
        files["records:" + records[-1].id] = path
    main["areas"] = areas
    main["records"] = records
    try:
        q = Questionnaire.model_validate(main)
    except ValidationError:
        # re-validate without the already-validated parts to get messages located in this file
        raw = dict(main, areas=[a.model_dump() for a in areas], records=[r.model_dump() for r in records])
        _validate(Questionnaire, raw, main_path)
        raise  # pragma: no cover - _validate always raises here
    _cross_check(q, main_path, files)
    return q


def _cross_check(q: Questionnaire, main: Path, files: dict[str, Path]) -> None:
    """Checks that need the whole questionnaire; ``files`` maps area / record ids to their file."""
    errors: list[str] = []
    items: list[Question | Column] = [*q.identification, *(x for a in q.areas for x in a.questions), *(c for r in q.records for c in r.columns)]
    for scale in sorted({x.kind for x in items if kind_of(x).options_from == "scale"}):
        if scale not in q.scales:
            errors.append(f"{main}: scales: the scale '{scale}' is missing (questions of kind '{scale}' take its options)")
    for name in sorted({x.kind for x in items}):
        errors.extend(KINDS[name].check_words())
    if errors:
        raise DefinitionError("\n".join(errors))

    ids = Counter(x.id for x in q.identification)
    for a in q.areas:
        ids.update(x.id for x in a.questions)
    for dup, n in ids.items():
        if n > 1:
            errors.append(f"{main.parent}: question ID '{dup}' is used {n} times; IDs must be unique")
    ident_ids = {x.id for x in q.identification}
    errors.extend(_check_roles(q, main, files))
    for kept in q.next_round.keep:
        if kept not in ident_ids:
            errors.append(f"{main}: next_round.keep: '{kept}' is not an identification field "
                          f"(known: {', '.join(sorted(ident_ids))})")
    known_facts = set(q.fact_bases())
    for version, mapping in q.from_versions.items():
        for old, new in mapping.facts.items():
            targets = [] if new is None else [new] if isinstance(new, str) else list(new)
            for target in targets:
                if target not in known_facts:
                    errors.append(f"{main}: from_versions.{version}.facts.{old}: '{target}' is not a fact of "
                                  f"this version (known: {', '.join(sorted(known_facts))})")
    for table in q.next_round.records:
        if table not in {r.id for r in q.records}:
            errors.append(f"{main}: next_round.records: '{table}' is not a record table")
    for label, named in (
        ("area id", [a.id for a in q.areas]),
        ("area code", [a.code for a in q.areas]),
        ("record table id", [r.id for r in q.records]),
        ("indicator id", [i.id for i in q.indicators]),
        ("verdict id", [v.id for v in q.scoring.verdicts]),
    ):
        for dup, n in Counter(named).items():
            if n > 1:
                errors.append(f"{main}: {label} '{dup}' is used {n} times")
    sheet_names = [a.sheet for a in q.areas] + [r.sheet for r in q.records]
    sheets_by_lang = {lang: [name(lang).casefold() for name in sheet_names] for lang in LANGS}
    for lang, names in sheets_by_lang.items():
        for dup, n in Counter(names).items():
            if n > 1:
                errors.append(f"{main}: sheet name '{dup}' ({lang}) is used {n} times")

    if q.scales:
        for x in q.identification:
            errors.extend(_check_question(q, x, main, "identification field"))
        for a in q.areas:
            for x in a.questions:
                errors.extend(_check_question(q, x, files.get(a.id, main), "question"))
        questions = q.questions()
        for r in q.records:
            rfile = files.get("records:" + r.id, main)
            cols = {c.id: c for c in r.columns}
            for c in r.columns:
                errors.extend(_check_question(q, c, rfile, f"record table {r.id}, column"))
            for c in r.columns:
                for col, values in c.applies_to.items():
                    if col not in cols or not kind_of(cols[col]).one_option:
                        errors.append(f"record table {r.id}, column {c.id}: applies_to names '{col}', not a choice column")
                        continue
                    unknown = set(values) - {o.id for o in q.options_for(cols[col])}
                    if unknown:
                        errors.append(f"record table {r.id}, column {c.id}: applies_to: unknown option(s)"
                                      f" {', '.join(sorted(unknown))} of '{col}'")
            if r.prefill and (r.prefill not in cols or not kind_of(cols[r.prefill]).one_option):
                errors.append(f"record table {r.id}: prefill '{r.prefill}' must name a choice column")
            for chk in r.checks:
                if chk.column not in cols or not kind_of(cols[chk.column]).numeric:
                    errors.append(f"record table {r.id}: check names '{chk.column}', not a numeric column")
                if chk.question not in questions or not kind_of(questions[chk.question][1]).numeric:
                    errors.append(
                        f"record table {r.id}: check names question '{chk.question}', not a numeric question"
                    )
                for col, values in chk.where.items():
                    if col not in cols:
                        errors.append(f"record table {r.id}: check filters on unknown column '{col}'")
                        continue
                    known = {o.id for o in q.options_for(cols[col])}
                    for v in values:
                        if v not in known:
                            errors.append(
                                f"record table {r.id}: check filters column '{col}' on unknown option '{v}'"
                                f" (known: {', '.join(sorted(known))})"
                            )
    errors.extend(_check_indicators(q, main))
    errors.extend(_check_findings(q, main, files))
    if errors:
        raise DefinitionError("\n".join(errors))


_VALUE_WORDS = {dt.date: "a date answer (kind date)", int: "a whole-number answer (kind integer)",
                str: "a text answer (kind text)"}


def _role_misfit(q: Questionnaire, x: Question) -> str | None:
    """What ``x``'s kind lacks for its role, in words (None when it fits): judged by the value the kind gives,
    not by its name, so a registered kind that gives a date may play the audit date."""
    kind = kind_of(x)
    if x.role == "report_status":
        ids = {o.id for o in kind.options(q, x)} if kind.one_option else set()
        return None if {"draft", "final"} <= ids else "one option of draft and final (kind choice)"
    want = ROLE_VALUES.get(x.role or "", str)
    try:
        value = kind.sample(q, x, 0.5, random.Random(0), dt.date(2024, 1, 1))
    except NotImplementedError:  # a kind without samples: taken on trust
        return None
    fits = isinstance(value, want) and not isinstance(value, bool) and not (want is str and kind.options_from != "none")
    return None if fits else _VALUE_WORDS[want]


def _check_roles(q: Questionnaire, main: Path, files: dict[str, Path]) -> list[str]:
    """Each role on one identification field whose kind gives the value the role needs; the required roles
    declared."""
    errors = []
    for role, n in Counter(x.role for x in q.identification if x.role).items():
        if n > 1:
            errors.append(f"{main}: identification: role '{role}' is declared on {n} fields; one field plays it")
    for x in q.identification:
        if x.role is None:
            continue
        problem = _role_misfit(q, x)
        if problem:
            errors.append(f"{main}: identification field {x.id}: role '{x.role}' needs {problem}")
    for role in REQUIRED_ROLES:
        if q.role_field(role) is None:
            errors.append(f"{main}: identification: no field declares role: {role} (every questionnaire names its"
                          f" service by the roles {', '.join(REQUIRED_ROLES)})")
    for a in q.areas:
        for x in a.questions:
            if x.role is not None:
                errors.append(f"{files.get(a.id, main)}: question {x.id}: a role is only for identification fields")
    return errors


def _check_findings(q: Questionnaire, main: Path, files: dict[str, Path]) -> list[str]:
    """Facts stay in one area; critical items accept N/A only under a declared condition; conditions and
    derivations name what exists."""
    errors = []
    questions = q.questions()
    indicators = {i.id: i for i in q.indicators}
    fact_area: dict[str, tuple[str, str]] = {}

    def place(fact: str | None, area: str | None, who: str, path: Path) -> None:
        if fact is None or area is None:
            return
        seen = fact_area.setdefault(fact, (area, who))
        if seen[0] != area:
            errors.append(f"{path}: {who}: fact '{fact}' is also raised by {seen[1]} in area '{seen[0]}';"
                          " one fact belongs to one area")

    for a in q.areas:
        path = files.get(a.id, main)
        for x in a.questions:
            where = f"{path}: question {x.id}"
            if x.red_flag is not None:
                place(x.fact, a.id, f"question {x.id}", path)
            if x.critical and x.na_allowed and x.na_when is None:
                errors.append(f"{where}: a critical item accepts N/A only under a condition:"
                              " set na_allowed: false or declare na_when")
            if x.na_when is not None:
                other = questions.get(x.na_when.question)
                if other is None:
                    errors.append(f"{where}: na_when names unknown question '{x.na_when.question}'")
                else:
                    known = {o.id for o in q.options_for(other[1])}
                    for v in x.na_when.answer_in:
                        if v not in known:
                            errors.append(f"{where}: na_when names unknown option '{v}' of {other[1].id}")
            for link in (x.derived_from, x.agrees_with):
                if link is not None and link.indicator not in indicators:
                    errors.append(f"{where}: names unknown indicator '{link.indicator}'")
            if x.derived_from is not None and not kind_of(x).derivable:
                errors.append(f"{where}: derived_from needs a yes/no or yes/partly/no question")
    for i in q.indicators:
        if i.red_flag is not None:
            place(i.fact, i.area, f"indicator {i.id}", main)
            if i.area is None:
                errors.append(f"{main}: indicator {i.id}: an indicator with a red_flag needs an area")
    return errors


def _check_indicators(q: Questionnaire, main: Path) -> list[str]:
    from auditkit import formula

    errors = []
    questions = {x.id for a in q.areas for x in a.questions if kind_of(x).numeric}
    tables = {
        r.id: {c.id: ({o.id for o in q.options_for(c)} if kind_of(c).options_from != "none" else None)
               for c in r.columns}
        for r in q.records
    }
    areas = {a.id for a in q.areas}
    for ind in q.indicators:
        try:
            formula.check(formula.parse(ind.formula), questions, tables)
        except formula.FormulaError as exc:
            errors.append(f"{main}: indicator {ind.id}: formula: {exc}")
        if ind.area is not None and ind.area not in areas:
            errors.append(f"{main}: indicator {ind.id}: unknown area '{ind.area}'")
    rel = q.analysis.relationship
    for name in (rel.x, rel.y) if rel else ():
        if name not in {i.id for i in q.indicators}:
            errors.append(f"{main}: analysis: relationship names '{name}', not an indicator")
    outcome = q.scoring.outcome_indicator
    if outcome is not None and outcome not in {i.id for i in q.indicators}:
        errors.append(f"{main}: scoring: outcome_indicator '{outcome}' is not an indicator")
    return errors


def _check_question(q: Questionnaire, x: Any, path: Path, noun: str) -> list[str]:
    where = f"{path}: {noun} {x.id}"
    errors = [f"{where}: {e}" for e in kind_of(x).check_flag(q, x)]
    sample = getattr(x, "sample", None)
    if sample is not None and kind_of(x).options_from != "none" and str(sample) not in {o.id for o in q.options_for(x)}:
        errors.append(f"{where}: sample names unknown option '{sample}'")
    if x.pattern is not None:
        try:
            re.compile(x.pattern)
        except re.error as exc:
            errors.append(f"{where}: pattern is not a valid regular expression ({exc})")
        if x.pattern_label is None:
            errors.append(f"{where}: a pattern needs a pattern_label saying in words what it asks for (cs, en)")
    if x.unit is not None and not kind_of(x).numeric:
        errors.append(f"{where}: a unit is only for numbers (kind '{x.kind}' takes none)")
    return errors


def discover(roots: tuple[Path, ...] | None = None) -> dict[tuple[str, str], Questionnaire]:
    """Every questionnaire of ``roots`` (default: the package's and ``AUDITKIT_QUESTIONNAIRES``'s folders)
    keyed by (id, version). One (id, version) in two folders is a usage error naming both files."""
    return _discover(roots if roots is not None else sources.roots())[0]


def _discover(roots: tuple[Path, ...]) -> tuple[dict[tuple[str, str], Questionnaire], dict[tuple[str, str], Path]]:
    found: dict[tuple[str, str], Questionnaire] = {}
    where: dict[tuple[str, str], Path] = {}
    for root in roots:
        for main in sources.definition_files(root):
            q = load_questionnaire(main.parent)
            if (q.id, q.version) in found:
                raise UsageError("questionnaire_twice", qid=q.id, version=q.version,
                                 first=where[(q.id, q.version)] / MAIN_FILE, second=main)
            found[(q.id, q.version)] = q
            where[(q.id, q.version)] = main.parent
    if not found:
        raise DefinitionError(f"{', '.join(map(str, roots))}: no questionnaire found (expected */{MAIN_FILE})")
    return found, where


@lru_cache(maxsize=4)
def _cached(roots: tuple[Path, ...]) -> tuple[dict[tuple[str, str], Questionnaire], dict[tuple[str, str], Path]]:
    """The definitions of ``roots``, checked once per process and kept between runs while no file changes
    (auditkit.questionnaire.cache)."""
    return cache.registry(roots, lambda: [m for r in roots for m in sources.definition_files(r)],
                          lambda: _discover(roots))


def registry() -> dict[tuple[str, str], Questionnaire]:
    """Every known questionnaire by (id, version), loaded once per set of folders."""
    return _cached(sources.roots())[0]


def folder_of(q: Questionnaire) -> Path | None:
    """The folder ``q`` was loaded from (None for a definition built in code)."""
    return _cached(sources.roots())[1].get((q.id, q.version))


def version_key(q: Questionnaire) -> tuple[int, ...]:
    """What orders a questionnaire's versions: "1.10" is newer than "1.9"."""
    return tuple(int(p) for p in q.version.split("."))


def newest(questionnaire_id: str) -> Questionnaire:
    """The newest version of the questionnaire ``questionnaire_id``; an unknown id is a usage error."""
    versions = [q for (qid, _), q in registry().items() if qid == questionnaire_id]
    if not versions:
        known = sorted({qid for qid, _ in registry()})
        raise UsageError("questionnaire_not_known", qid=questionnaire_id, known=", ".join(known), env=sources.ENV)
    return max(versions, key=version_key)


def default_questionnaire() -> Questionnaire:
    """The newest version of the declared default questionnaire (``default: true`` in its questionnaire.yaml):
    what ``auditkit template`` writes and ``summarize`` takes a round to be when not told otherwise."""
    return choose_default(registry(), _cached(sources.roots())[1])


def choose_default(
    reg: dict[tuple[str, str], Questionnaire], where: dict[tuple[str, str], Path],
) -> Questionnaire:
    """The declared default of ``reg`` (its newest version). One questionnaire alone is the default without
    declaring it; two declaring it, or none among several, is a usage error naming them. A declaration in the
    user's folders (``AUDITKIT_QUESTIONNAIRES``) wins over the shipped one, so a region can make its own
    questionnaire the default without touching the installed package."""
    shipped = sources.roots()[0]
    users = {k for k, path in where.items() if path.parent != shipped}
    declaring = [k for k, q in sorted(reg.items()) if q.default]
    if any(k in users for k in declaring):
        declaring = [k for k in declaring if k in users]
    declared = sorted({qid for qid, _ in declaring})
    ids = sorted({qid for qid, _ in reg})
    if len(declared) > 1:
        files = [str(where[k] / MAIN_FILE) if k in where else reg[k].key for k in declaring]
        raise UsageError("default_twice", files=", ".join(files))
    if not declared and len(ids) > 1:
        raise UsageError("default_none", known=", ".join(ids))
    chosen = declared[0] if declared else ids[0]
    return max((q for (qid, _), q in reg.items() if qid == chosen), key=version_key)


__all__ = [
    "DefinitionError",
    "Question",
    "Questionnaire",
    "choose_default",
    "default_questionnaire",
    "discover",
    "folder_of",
    "load_questionnaire",
    "newest",
    "registry",
    "version_key",
]
