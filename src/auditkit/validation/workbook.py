"""Validate one filled workbook: locate its sheets, read every answer and record, collect all problems.

Nothing here stops at the first problem (all problems are collected) and nothing raises for bad input:
every problem becomes a catalogued :class:`Problem` with the sheet and cell the auditor sees.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditkit import compute
from auditkit.excel import layout
from auditkit.excel.layout import PLAN_DOCUMENT
from auditkit.excel.normalize import CellError, Percent, fold, is_blank
from auditkit.excel.reader import Book, Phrase, ReadError, Sheet, cell_ref, col_letter, read_workbook
from auditkit.lang import Lang, is_lang
from auditkit.questionnaire.kinds import kind_of
from auditkit.questionnaire.loader import registry, version_key
from auditkit.questionnaire.models import Column, Derivation, Question, Questionnaire, RecordTable
from auditkit.questionnaire.wording import expected, fmt_num
from auditkit.validation import personal
from auditkit.validation.cells import as_text, parse
from auditkit.validation.models import Answer, Audit, FileResult, ServiceInfo
from auditkit.validation.plan import validate_plan
from auditkit.validation.problems import Problem, has_errors, make, phrase

_ID_LIKE = re.compile(r"^[A-Z][0-9]{2,3}$", re.IGNORECASE)


@dataclass
class _Ctx:
    file: str
    lang: Lang
    problems: list[Problem] = field(default_factory=list)
    # free texts waiting for the personal-data check: (text, kinds to look for, where)
    texts: list[tuple[str, frozenset[str], dict[str, Any]]] = field(default_factory=list)
    safe: tuple[str, ...] = ()  # the service's and provider's names: never a person's name
    lang_given: bool = True  # False: messages follow the workbook's own language once it is known

    def add(self, code: str, **kw: Any) -> None:
        for key in ("value", "detail"):  # a problem quotes the cell: never its personal data
            if isinstance(kw.get(key), str):
                kw[key] = personal.redact(kw[key], self.lang, self.safe)
        self.problems.append(make(code, self.lang, self.file, **kw))


def validate_file(path: Path, lang: Lang | None = None, name: str | None = None, *,
                  keep_audit: bool = True) -> FileResult:
    """Read and check one workbook. Never raises for bad input.

    Messages are in ``lang``; without it, in the workbook's own language (its ``_meta`` sheet, or the name
    of its cover sheet), Czech for a file that cannot be read. ``keep_audit`` False: the result has the
    problems and the (redacted) cover fields but no typed audit, for a caller that needs only the problems
    (``auditkit validate``), which then costs neither the audit nor its redaction.
    """
    ctx = _Ctx(file=name or str(path), lang=lang or "cs", lang_given=lang is not None)
    try:
        book = read_workbook(path)
    except ReadError as exc:
        given = {"detail": exc.detail, **exc.params} if exc.detail != "" else exc.params  # "": no detail
        words = {k: phrase(exc.code, v.key, ctx.lang, **v.params) if isinstance(v, Phrase) else v
                 for k, v in given.items()}
        ctx.add(exc.code, **words)
        return FileResult(file=ctx.file, status="invalid", problems=ctx.problems, language=ctx.lang)
    meta = _meta(book)
    q = _questionnaire(book, ctx, meta)
    if q is None:
        return FileResult(file=ctx.file, status="invalid", problems=ctx.problems, language=ctx.lang)
    if meta.get("document") == PLAN_DOCUMENT:  # a returned action plan, not an audit workbook
        plan = validate_plan(book, meta, q, ctx.add, ctx.lang)
        return FileResult(file=ctx.file, status="invalid" if has_errors(ctx.problems) else "valid",
                          problems=ctx.problems, plan=plan, language=ctx.lang, questionnaire=q.key)
    sheets = _locate(book, q, ctx)
    cover = sheets.get("cover")
    ident = _read_questions(q, cover, q.identification, ctx, identification=True)
    ctx.safe = personal.safe_phrases(*(ident[x.id].value for x in q.identification
                                       if x.role in ("service_name", "provider") and x.id in ident))
    answers: dict[str, Answer] = {}
    for area in q.areas:
        answers.update(_read_questions(q, sheets.get(area.id), area.questions, ctx))
    records = {}
    for table in q.records:
        records[table.id] = _read_records(q, table, sheets.get("records:" + table.id), ctx)
    _check_records(q, answers, records, sheets, ctx)
    _check_against_records(q, answers, records, sheets, ctx)
    values = {k: a.value for k, a in ident.items() if a.value is not None}  # a blank or invalid field: default
    service = ServiceInfo(**{x.role: values[x.id] for x in q.identification if x.role and x.id in values},
                          fields=values)
    _check_personal(ctx)
    status = "invalid" if has_errors(ctx.problems) else "valid"
    audit = None
    if keep_audit:
        audit = Audit(
            file=ctx.file,
            sha256=book.sha256,
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            language=ctx.lang,
            service=service,
            answers=answers,
            records={k: [row for _, row, _ in v] for k, v in records.items()},
        )
        audit = personal.redact_audit(audit, q, ctx.safe)  # the one point where typed text leaves validation
    shown = audit.service if audit is not None else personal.redact_service(service, q, ctx.lang, ctx.safe)
    return FileResult(file=ctx.file, status=status, problems=ctx.problems, service=shown, audit=audit,
                      language=ctx.lang, questionnaire=q.key)


# -- questionnaire identity ------------------------------------------------------------------------
def _find_sheet(book: Book, name: str) -> Sheet | None:
    return next((s for s in book.sheets.values() if fold(s.name) == fold(name)), None)


def _meta(book: Book) -> dict[str, str]:
    """The hidden sheet's key → value pairs (empty when the sheet is missing)."""
    meta_sheet = _find_sheet(book, layout.META_SHEET)
    meta: dict[str, str] = {}
    if meta_sheet is not None:
        for row in meta_sheet.rows:
            if len(row) >= 2 and isinstance(row[0], str) and row[1] is not None:
                value = row[1]
                meta[row[0].strip()] = f"{float(value):.1f}" if isinstance(value, (int, float)) else str(value)
    return meta


def _questionnaire(book: Book, ctx: _Ctx, meta: dict[str, str]) -> Questionnaire | None:
    known = registry()
    if not ctx.lang_given:
        language = meta.get("language")
        if is_lang(language):
            ctx.lang = language
        else:
            ctx.lang = "en" if _find_sheet(book, layout.COVER_SHEET["en"]) is not None else "cs"
    qid, version = meta.get("questionnaire_id"), meta.get("questionnaire_version")
    if not qid:
        # a workbook re-typed without the hidden sheet: accept it if the area sheets are there
        latest = _by_sheets(book, known)
        if latest is not None:
            ctx.add("meta_missing", questionnaire=f"{latest.id} {latest.version}")
            return latest
        ctx.add("not_audit_workbook")
        return None
    ids = sorted({k[0] for k in known})
    if qid not in ids:
        ctx.add("questionnaire_unknown", sheet=layout.META_SHEET, cell="B1", value=qid, known=", ".join(ids))
        return None
    if version is None or (qid, version) not in known:
        versions = ", ".join(sorted(v for i, v in known if i == qid))
        ctx.add("version_unknown", sheet=layout.META_SHEET, cell="B2", value=version, questionnaire=qid, known=versions)
        return None
    return known[(qid, version)]


def _by_sheets(book: Book, known: dict[tuple[str, str], Questionnaire]) -> Questionnaire | None:
    """The questionnaire whose area sheets the workbook has most of (the newest version of each id); None when
    it has none of any."""
    newest: dict[str, Questionnaire] = {}
    for q in known.values():
        if q.id not in newest or version_key(q) > version_key(newest[q.id]):
            newest[q.id] = q
    sheets = {fold(s) for s in book.sheets}

    def hits(q: Questionnaire) -> int:
        return sum(fold(a.sheet.cs) in sheets or fold(a.sheet.en) in sheets for a in q.areas)

    best = max(sorted(newest.values(), key=lambda q: q.id), key=hits)
    return best if hits(best) else None


# -- sheets ----------------------------------------------------------------------------------------
def _column_a_ids(sheet: Sheet) -> set[str]:
    return {str(row[0]).strip().upper() for row in sheet.rows if row and row[0] is not None}


def _header_labels(sheet: Sheet) -> set[str]:
    labels: set[str] = set()
    for row in sheet.rows[:5]:
        labels.update(fold(str(v)) for v in row if v is not None)
    return labels


def _locate(book: Book, q: Questionnaire, ctx: _Ctx) -> dict[str, Sheet]:
    """Map 'cover', area ids and 'records:<id>' to sheets: by name first, then by content."""
    targets: list[tuple[str, set[str], str, Any]] = [
        ("cover", {fold(n) for n in layout.COVER_SHEET.values()}, layout.COVER_SHEET[ctx.lang],
         {x.id.upper() for x in q.identification}),
    ]
    for a in q.areas:
        targets.append((a.id, {fold(a.sheet.cs), fold(a.sheet.en)}, a.sheet(ctx.lang), {x.id.upper() for x in a.questions}))
    for r in q.records:
        labels = {fold(c.label(lang)) for c in r.columns for lang in ("cs", "en")}
        targets.append(("records:" + r.id, {fold(r.sheet.cs), fold(r.sheet.en)}, r.sheet(ctx.lang), labels))

    hidden = {fold(layout.META_SHEET), fold(layout.LISTS_SHEET), *map(fold, layout.ANNOTATION_SHEET.values())}
    free = [s for s in book.sheets.values() if fold(s.name) not in hidden]
    found: dict[str, Sheet] = {}
    for key, names, _, _ in targets:
        sheet = next((s for s in free if fold(s.name) in names), None)
        if sheet is not None:
            found[key] = sheet
            free.remove(sheet)

    def overlap(sheet: Sheet, key: str, signature: set[str]) -> float:
        got = _header_labels(sheet) if key.startswith("records:") else _column_a_ids(sheet)
        return len(got & signature) / max(len(signature), 1)

    for key, _, expected_name, signature in targets:
        candidates = [s for s in free if overlap(s, key, signature) >= 0.5]
        if key not in found:
            if candidates:
                found[key] = candidates.pop(0)
                free.remove(found[key])
                ctx.add("sheet_renamed", sheet=found[key].name, found=found[key].name, expected=expected_name)
            else:
                close = difflib.get_close_matches(expected_name, [s.name for s in free], n=1, cutoff=0.5)
                hint = phrase("sheet_missing", "did_you_mean", ctx.lang, close=close[0]) if close else ""
                ctx.add("sheet_missing", sheet=expected_name, expected=expected_name, suggestion=hint)
        for extra in candidates:
            free.remove(extra)
            ctx.add("sheet_duplicate", sheet=extra.name, expected=found[key].name, other=extra.name)
    return found


@functools.cache
def _answer_headers() -> frozenset[str]:
    return frozenset(fold(w) for w in layout.HEADERS["answer"].values())


def _find_header(sheet: Sheet) -> tuple[int, int] | None:
    words = _answer_headers()
    for r, row in enumerate(sheet.rows[: layout.HEADER_SCAN_ROWS]):
        for c, v in enumerate(row):
            if isinstance(v, str) and fold(v) in words:
                return r, c
    return None


# -- questions -------------------------------------------------------------------------------------
def shown(raw: Any, lang: Lang) -> Any:
    """A raw cell value as the auditor sees it in messages: a %-formatted 1.5 is '150 %'."""
    if isinstance(raw, Percent):
        return f"{fmt_num(raw.shown, lang)} %"
    return raw


def _percent_note(ctx: _Ctx, item: Question | Column, raw: Any, value: Any, **where: Any) -> None:
    """Warn where a bare number in a percent answer could mean two things (1 → 1 % or 100 %?)."""
    other = kind_of(item).other_reading(raw, value)
    if other is None:
        return
    ctx.add("answer_percent_ambiguous", value=raw, read=fmt_num(value, ctx.lang),
            other=fmt_num(round(other, 6), ctx.lang), **where)


def _problem(ctx: _Ctx, q: Questionnaire, item: Question | Column, p: CellError, raw: Any, *,
             column: str | None = None, **where: Any) -> None:
    """A cell that cannot be read, in its code's own words; a record column's type, range and choice
    problems have their own codes naming the ``column``."""
    code = p.code
    raw = shown(raw, ctx.lang)
    if column is not None and code in _RECORD_CODES:
        ctx.add(_RECORD_CODES[code], value=raw, expected=expected(q, item, ctx.lang), column=column, **where)
    elif code == "answer_too_long":
        ctx.add(code, value=raw, length=p.detail, expected=item.max_length, **where)  # value: the cell's own
    elif code == "formula_error":
        ctx.add(code, value=p.detail or raw, **where)
    elif code == "answer_leading_zero":
        ctx.add(code, value=raw, expected=expected(q, item, ctx.lang), detail=p.detail, **where)
    elif code == "answer_ambiguous":
        ctx.add(code, value=raw, detail=p.detail, **where)
    else:
        ctx.add(code, value=raw, expected=expected(q, item, ctx.lang), **where)


def _merged_over(merged: list[tuple[tuple[int, int], tuple[int, int]]], row: int, cols: tuple[int, ...]) -> str | None:
    for (r0, c0), (r1, c1) in merged:
        if r0 <= row <= r1 and any(c0 <= c <= c1 for c in cols) and (r0, c0) != (r1, c1):
            return f"{cell_ref(r0, c0)}:{cell_ref(r1, c1)}"
    return None


def _scan_personal(ctx: _Ctx, text: Any, kinds: frozenset[str] = personal.ALL, **where: Any) -> None:
    """Queue a free text for the personal-data check (run when the service's own names are known)."""
    if isinstance(text, str) and text:
        ctx.texts.append((text, kinds, where))


def _check_personal(ctx: _Ctx) -> None:
    """One warning per cell and kind of personal data: where, what it looks like, how to rewrite it."""
    for text, kinds, where in ctx.texts:
        for kind in personal.detect(text, ctx.safe, kinds):
            ctx.problems.append(make(
                "personal_data", ctx.lang, ctx.file, **where,
                detail=phrase("personal_data", kind, ctx.lang),
                hint=phrase("personal_data", "hint_" + kind, ctx.lang),
                token=personal.TOKENS[ctx.lang if ctx.lang in personal.TOKENS else "cs"][kind],
            ))


def _scan_extra_cells(ctx: _Ctx, sheet: Sheet, first_row: int, known: set[int]) -> None:
    """Text typed outside the columns auditkit reads (a note beside a table) is checked too."""
    rows = sheet.rows[first_row:]
    width = max(map(len, rows), default=0)
    extra = [c for c in range(width) if c not in known]  # usually none: the sheet has only its own columns
    for r, row in enumerate(rows, start=first_row):
        for c in extra:
            if c < len(row) and isinstance(row[c], str):
                _scan_personal(ctx, row[c], sheet=sheet.name, cell=cell_ref(r, c))


def _check_sheet(sheet: Sheet, ctx: _Ctx) -> None:
    """Sheet-level warnings and limits: hidden sheets are read but reported; cut-off sheets are errors."""
    if not sheet.visible:
        ctx.add("sheet_hidden", sheet=sheet.name)
    if sheet.truncated:
        ctx.add("sheet_too_many_rows", sheet=sheet.name, rows=f"> {len(sheet.rows)}", value="–", limit=len(sheet.rows))


def _read_questions(
    q: Questionnaire, sheet: Sheet | None, items: tuple[Question, ...], ctx: _Ctx, *, identification: bool = False
) -> dict[str, Answer]:
    if sheet is None:
        return {}
    _check_sheet(sheet, ctx)
    header = _find_header(sheet)
    if header is None:
        ctx.add("header_missing", sheet=sheet.name, expected=layout.HEADERS["answer"][ctx.lang])
        hr, ac = -1, layout.COL_ANSWER
    else:
        hr, ac = header
    wanted = {x.id.casefold(): x.id for x in items}  # IDs match in any case ('a03' is A03)
    rows: dict[str, int] = {}
    for r in range(hr + 1, len(sheet.rows)):
        line = sheet.rows[r]
        raw = line[layout.COL_ID] if len(line) > layout.COL_ID else None
        if raw is None:
            continue
        sid = str(raw).strip()
        if sid.casefold() in wanted:
            sid = wanted[sid.casefold()]
            if sid in rows:
                ctx.add("question_duplicate", sheet=sheet.name, cell=cell_ref(r, 0), question_id=sid,
                        other=cell_ref(rows[sid], 0))
            else:
                rows[sid] = r
        elif _ID_LIKE.match(sid):
            ctx.add("question_unknown", sheet=sheet.name, cell=cell_ref(r, 0), value=sid)

    answers = {}
    # merged ranges over the answer or comment column (most sheets have none: then no row looks at them)
    spans = [m for m in sheet.merged if m[0] != m[1] and m[0][1] <= ac + 1 and m[1][1] >= ac and m[1][0] > hr]
    name, lang, grid = sheet.name, ctx.lang, sheet.rows
    for item in items:
        found = rows.get(item.id)
        if found is None:
            if not (identification and not item.required):  # an optional cover field added to later templates
                ctx.add("question_missing", sheet=name, question_id=item.id, label=item.label(lang))
            continue
        r = found
        cell = cell_ref(r, ac)
        where = {"sheet": name, "cell": cell, "question_id": item.id}
        merged = _merged_over(spans, r, (ac, ac + 1)) if spans else None
        if merged:
            ctx.add("merged_cells", value=merged, **where)
        line = grid[r]  # the row holds the question's ID, so it exists
        raw = line[ac] if ac < len(line) else None
        comment_raw = line[ac + 1] if ac + 1 < len(line) else None
        kind = kind_of(item)
        try:
            status, value = parse(q, item, raw)
        except CellError as p:
            _problem(ctx, q, item, p, raw, **where)
            _scan_personal(ctx, raw, personal.kinds_for(getattr(item, "role", None), identification), **where)
            status, value = "invalid", None
        if status == "answered":
            if kind.ambiguous_readings:
                _percent_note(ctx, item, raw, value, **where)
        elif status == "blank" and item.required:
            if identification:
                ctx.add("ident_missing", label=item.label(lang), **where)
            else:
                ctx.add("answer_required", label=item.label(lang), expected=expected(q, item, lang), **where)
        # text cells were cleaned by the reader (normalize_cell is clean_text(keep_newlines=True))
        comment = comment_raw if isinstance(comment_raw, str) or comment_raw is None else as_text(comment_raw)
        if kind.free_text and value:
            _scan_personal(ctx, value, personal.kinds_for(getattr(item, "role", None), identification), **where)
        if comment:
            _scan_personal(ctx, comment, sheet=name, cell=cell_ref(r, ac + 1), question_id=item.id)
        answers[item.id] = Answer(
            question_id=item.id, status=status, value=value, comment=comment or None, sheet=name, cell=cell
        )
    _scan_extra_cells(ctx, sheet, hr + 1, {layout.COL_ID, layout.COL_QUESTION, ac, ac + 1, layout.COL_ALLOWED})
    return answers


# -- record tables ---------------------------------------------------------------------------------
_RECORD_CODES = {"answer_type": "record_type", "answer_range": "record_range", "answer_choice": "record_choice"}


def _record_header(sheet: Sheet, table: RecordTable) -> tuple[int, dict[str, int]]:
    """The header row (the first row naming a column) and each known column's index."""
    labels = {fold(label): c.id for c in table.columns for label in (c.label.cs, c.label.en, c.id)}
    for r, row in enumerate(sheet.rows[: layout.HEADER_SCAN_ROWS]):
        cols = {labels[fold(str(v))]: i for i, v in enumerate(row) if v is not None and fold(str(v)) in labels}
        if cols:
            return r, cols
    return 0, {}


def _read_records(
    q: Questionnaire, table: RecordTable, sheet: Sheet | None, ctx: _Ctx
) -> list[tuple[int, dict[str, Any], set[str]]]:
    """(Excel row index, typed values by column id, ids of columns whose cell was invalid) per record."""
    if sheet is None:
        return []
    hr, cols = _record_header(sheet, table)
    for c in table.columns:
        if c.id not in cols:
            ctx.add("record_header_missing", sheet=sheet.name, column=c.label(ctx.lang))
    keys = [c for c in table.columns if c.id in cols]
    content = [cols[c.id] for c in keys if c.id != table.prefill]
    # per column: (column, its index, its kind, whether its text is checked for personal data)
    columns = [(c, cols[c.id], kind_of(c)) for c in keys]
    scanned = {c.id: k.free_text or not k.one_option for c, _, k in columns}
    name = sheet.name

    def where(c: Column, r: int) -> dict[str, Any]:  # a problem's place: built only when there is one
        return {"sheet": name, "cell": cell_ref(r, cols[c.id]), "column": c.label(ctx.lang)}

    out = []
    for r in range(hr + 1, len(sheet.rows)):
        line = sheet.rows[r]
        if all(i >= len(line) or is_blank(line[i]) for i in content):
            continue  # an empty row, or a prefilled one left blank or "-"
        raw = {c.id: line[i] if i < len(line) else None for c, i, _ in columns}
        row: dict[str, Any] = {}
        bad: set[str] = set()
        statuses: dict[str, str] = {}
        for c, i, kind in columns:
            try:
                status, value = parse(q, c, raw[c.id])
            except CellError as p:
                cell = cell_ref(r, i)
                _problem(ctx, q, c, p, raw[c.id], sheet=name, cell=cell, column=c.label(ctx.lang))
                _scan_personal(ctx, raw[c.id], sheet=name, cell=cell)
                row[c.id] = None
                bad.add(c.id)
                continue
            if status == "answered" and kind.ambiguous_readings:
                _percent_note(ctx, c, raw[c.id], value, sheet=name, cell=cell_ref(r, i))
            statuses[c.id] = status
            row[c.id] = value
            if value and isinstance(value, str) and scanned[c.id]:
                _scan_personal(ctx, value, sheet=name, cell=cell_ref(r, i))
        for c, _, _ in columns:
            if c.id not in statuses:
                continue
            applies = _applies(c, row, statuses) if c.applies_to else True
            if statuses[c.id] == "na" and applies:
                ctx.add("record_na_not_applicable", value=shown(raw[c.id], ctx.lang),
                        expected=expected(q, c, ctx.lang, with_specials=False),
                        detail=_applies_text(q, table, c, ctx.lang), **where(c, r))
                bad.add(c.id)
            elif statuses[c.id] == "blank" and c.blank_means is not None:
                row[c.id] = c.blank_means
            elif statuses[c.id] == "blank" and c.required and applies is not False:
                ctx.add("record_required", **where(c, r))
        out.append((r, row, bad))
    _scan_extra_cells(ctx, sheet, hr + 1, set(cols.values()))
    _check_sheet(sheet, ctx)
    return out


def _applies(c: Column, row: dict[str, Any], statuses: dict[str, str]) -> bool | None:
    """Whether column ``c`` applies to this row (``applies_to``); None when the deciding cell is unread."""
    for col, options in c.applies_to.items():
        if statuses.get(col) != "answered":
            return None  # the role itself is blank or wrong: that cell's problem says enough
        if row.get(col) not in options:
            return False
    return True


def _applies_text(q: Questionnaire, table: RecordTable, c: Column, lang: Lang) -> str:
    columns = {x.id: x for x in table.columns}
    return "; ".join(
        f"{columns[col].label(lang)}: " + ", ".join(o.label(lang) for o in columns[col].options if o.id in options)
        for col, options in c.applies_to.items()
    )


def _check_records(
    q: Questionnaire,
    answers: dict[str, Answer],
    records: dict[str, list[tuple[int, dict[str, Any], set[str]]]],
    sheets: dict[str, Sheet],
    ctx: _Ctx,
) -> None:
    """Sums in record tables must agree with the answers they restate (e.g. FTE, departures)."""
    for table in q.records:
        sheet = sheets.get("records:" + table.id)
        rows = records.get(table.id) or []
        if sheet is None:
            continue
        hr, cols = _record_header(sheet, table)
        columns = {c.id: c for c in table.columns}
        for chk in table.checks:
            answer = answers.get(chk.question)
            if answer is None or answer.status != "answered" or chk.column not in cols:
                continue
            if not isinstance(answer.value, (int, float)):  # the loader admits number questions only
                continue
            if not rows or any(bad & {chk.column, *chk.where} for _, _, bad in rows):
                continue  # unfilled, or a bad cell is already reported: the sum would mislead
            total = chk.total(row for _, row, _ in rows)
            if abs(total - answer.value) <= chk.tolerance + 1e-9:
                continue
            col = col_letter(cols[chk.column])
            span = f"{col}{hr + 2}:{col}{max(r for r, _, _ in rows) + 1}"
            filters = "; ".join(
                f"{columns[k].label(ctx.lang)} = "
                + ", ".join(next(o.label(ctx.lang) for o in q.options_for(columns[k]) if o.id == v) for v in vals)
                for k, vals in chk.where.items()
            )
            ctx.add(
                "records_inconsistent",
                sheet=sheet.name,
                cell=span,
                question_id=chk.question,
                column=columns[chk.column].label(ctx.lang),
                record_sheet=sheet.name,
                detail=filters or span,
                value=fmt_num(round(total, 4), ctx.lang),
                expected=fmt_num(answer.value, ctx.lang),
                other=f"'{answer.sheet}'!{answer.cell}",
            )


# -- typed answers against the record sheets -------------------------------------------------------
def _check_against_records(
    q: Questionnaire,
    answers: dict[str, Answer],
    records: dict[str, list[tuple[int, dict[str, Any], set[str]]]],
    sheets: dict[str, Sheet],
    ctx: _Ctx,
) -> None:
    """Where a typed answer and a record sheet speak to the same fact (``derived_from``, ``agrees_with``),
    warn naming both places when they disagree; and refuse N/A where its declared condition does not hold."""
    indicators = {i.id: i for i in q.indicators}
    rows = {k: [row for _, row, bad in v if not bad] for k, v in records.items()}
    values = compute.indicator_values(q, answers, rows)
    for area in q.areas:
        for item in area.questions:
            a = answers.get(item.id)
            if a is None:
                continue
            if a.status == "na" and item.na_when is not None:
                _check_na_condition(q, item, a, answers, ctx)
            for link in (item.derived_from, item.agrees_with):
                computed = values.get(link.indicator) if link is not None else None
                if link is None or a.status != "answered" or computed is None:
                    continue
                ind = indicators[link.indicator]
                tables = [t for t in q.records if re.search(rf"\b{t.id}\b", ind.formula)]
                sheet = next((sheets["records:" + t.id].name for t in tables if "records:" + t.id in sheets), None)
                if sheet is None:
                    continue
                where = {"sheet": a.sheet, "cell": a.cell, "question_id": item.id, "record_sheet": sheet,
                         "detail": f"{ind.label(ctx.lang)}: {fmt_num(round(computed, 2), ctx.lang)}"}
                if isinstance(link, Derivation):
                    derived = "yes" if computed <= link.yes_upto + 1e-9 else "no"
                    if str(a.value) != derived:
                        labels = {o.id: o.label(ctx.lang) for o in q.options_for(item)}
                        ctx.add("answer_contradicts_records", value=labels.get(str(a.value), a.value),
                                computed=labels[derived], **where)
                elif isinstance(a.value, (int, float)) and abs(a.value - computed) > link.tolerance + 1e-9:
                    ctx.add("figure_differs_from_records", value=fmt_num(a.value, ctx.lang),
                            computed=fmt_num(round(computed, 2), ctx.lang),
                            tolerance=fmt_num(link.tolerance, ctx.lang), **where)


def _check_na_condition(q: Questionnaire, item: Question, a: Answer, answers: dict[str, Answer], ctx: _Ctx) -> None:
    cond = item.na_when
    if cond is None:
        return
    other = answers.get(cond.question)
    if other is not None and other.status == "answered" and str(other.value) in cond.answer_in:
        return
    _, source = q.questions()[cond.question]
    labels = {o.id: o.label(ctx.lang) for o in q.options_for(source)}
    chosen = " / ".join(labels.get(v, v) for v in cond.answer_in)
    ctx.add("na_condition_unmet", sheet=a.sheet, cell=a.cell, question_id=item.id, value=a.value,
            condition=f"{cond.question} = {chosen}")
