"""A small, safe formula language for indicators (parsed with ``ast``, interpreted here, never ``eval``).

    C02 / C03                                        answers by question ID
    100 * sum(staff.reception_hours, role=["sw", "pss"]) / (40 * sum(staff.fte, role=["sw", "pss"]))
    share(files, housing_goal="yes")                 % of records matching
    median(files.months_of_stay)    count(staff, role="sw")    min(...)  max(...)  mean(...)
    countif(staff, "training_hours < 2 * duty_months", role=["sw", "pss"])   records meeting a row condition
    shareif(files, "months_of_stay > 12")                                   % of records meeting it

A row condition compares columns of one record (``< <= > >= == !=``, arithmetic, numbers); a record whose
condition cannot be evaluated (a blank cell) is left out; when no record can be evaluated the result is
missing.

Any missing input (N/A, blank, no records, division by zero) makes the result ``None``: an indicator
that cannot be computed is shown as missing, never as 0.
"""

from __future__ import annotations

import ast
import statistics
from collections.abc import Callable, Mapping
from typing import Any

Rows = list[dict[str, Any]]
_AGGREGATES = {"sum", "mean", "median", "min", "max"}
_COUNTS = {"count", "share"}
_CONDITIONAL = {"countif", "shareif"}
_COMPARE = {ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b,
            ast.GtE: lambda a, b: a >= b, ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b}


class FormulaError(ValueError):
    pass


def parse(text: str) -> ast.Expression:
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid formula ({exc.msg})") from None
    for node in ast.walk(tree):
        if not isinstance(
            node,
            (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Call, ast.Attribute, ast.List,
             ast.Tuple, ast.keyword, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd),
        ):
            raise FormulaError(f"'{ast.unparse(node)}' is not allowed in a formula")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
            raise FormulaError(f"constant {node.value!r} is not allowed")
    return tree


def parse_condition(text: str) -> ast.Expression:
    """A row condition: one comparison over a record's columns."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid row condition '{text}' ({exc.msg})") from None
    if not isinstance(tree.body, ast.Compare) or len(tree.body.ops) != 1:
        raise FormulaError(f"row condition '{text}' must be one comparison, e.g. \"a < 2 * b\"")
    for node in ast.walk(tree):
        if not isinstance(
            node,
            (ast.Expression, ast.Compare, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Add,
             ast.Sub, ast.Mult, ast.Div, ast.USub, ast.UAdd, *_COMPARE),
        ):
            raise FormulaError(f"'{ast.unparse(node)}' is not allowed in a row condition")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise FormulaError(f"row condition '{text}': only numbers and column names")
    return tree


def check(tree: ast.Expression, questions: set[str], tables: Mapping[str, Mapping[str, set[str] | None]]) -> None:
    """Every name must be a question ID; every table/column/filter value must exist.

    ``tables`` maps table id → column id → allowed option ids (None for non-choice columns).
    """
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    quoted = {id(n) for call in ast.walk(tree) if isinstance(call, ast.Call) for n in _quoted_places(call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            _check_call(node, tables)
        elif isinstance(node, ast.Name) and id(node) not in functions and node.id not in questions | set(tables):
            raise FormulaError(f"unknown name '{node.id}' (not a question ID or record table)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in quoted:
            raise FormulaError(f"{ast.unparse(node)}: a quoted text is only a filter value or a row condition")


def _quoted_places(call: ast.Call) -> list[ast.AST]:
    """The nodes of a call where a quoted text may stand: filter values and a row condition."""
    places: list[ast.AST] = []
    for kw in call.keywords:
        places += [kw.value, *(kw.value.elts if isinstance(kw.value, (ast.List, ast.Tuple)) else [])]
    if isinstance(call.func, ast.Name) and call.func.id in _CONDITIONAL and len(call.args) == 2:
        places.append(call.args[1])
    return places


def _check_call(node: ast.Call, tables: Mapping[str, Mapping[str, set[str] | None]]) -> None:
    known = _AGGREGATES | _COUNTS | _CONDITIONAL
    if not isinstance(node.func, ast.Name) or node.func.id not in known:
        raise FormulaError(f"unknown function in '{ast.unparse(node)}' (use {', '.join(sorted(known))})")
    arg = node.args[0] if node.args else None
    if node.func.id in _CONDITIONAL:
        if len(node.args) != 2 or not isinstance(arg, ast.Name) or arg.id not in tables:
            raise FormulaError(f"'{ast.unparse(node)}': {node.func.id}() takes a record table and a row condition")
        cond = node.args[1]
        if not (isinstance(cond, ast.Constant) and isinstance(cond.value, str)):
            raise FormulaError(f"'{ast.unparse(node)}': the row condition is a quoted text")
        for name in ast.walk(parse_condition(cond.value)):
            if isinstance(name, ast.Name) and name.id not in tables[arg.id]:
                raise FormulaError(f"'{ast.unparse(node)}': table '{arg.id}' has no column '{name.id}'")
        _check_filters(node, arg.id, tables)
        return
    if len(node.args) != 1:
        raise FormulaError(f"'{ast.unparse(node)}' takes one table or table.column and filters as name=value")
    if node.func.id in _COUNTS:
        if not isinstance(arg, ast.Name) or arg.id not in tables:
            raise FormulaError(f"'{ast.unparse(node)}': {node.func.id}() takes a record table")
        table = arg.id
    else:
        if not (isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id in tables):
            raise FormulaError(f"'{ast.unparse(node)}': {node.func.id}() takes table.column")
        table = arg.value.id
        if arg.attr not in tables[table]:
            raise FormulaError(f"'{ast.unparse(node)}': table '{table}' has no column '{arg.attr}'")
    _check_filters(node, table, tables)


def _check_filters(node: ast.Call, table: str, tables: Mapping[str, Mapping[str, set[str] | None]]) -> None:
    for kw in node.keywords:
        if kw.arg is None:
            raise FormulaError(f"'{ast.unparse(node)}': filters are written name=value")
        if kw.arg not in tables[table]:
            raise FormulaError(f"'{ast.unparse(node)}': table '{table}' has no column '{kw.arg}'")
        allowed = tables[table][kw.arg]
        for value in _filter_values(kw.value):
            if allowed is not None and value not in allowed:
                raise FormulaError(f"'{ast.unparse(node)}': '{value}' is not an option of column '{kw.arg}'")


def _filter_values(node: ast.AST) -> list[Any]:
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(values) == len(node.elts):
            return values
    raise FormulaError(f"filter value '{ast.unparse(node)}' must be a value or a list of values")


Answer = Callable[[str], "float | None"]
Compiled = Callable[[Answer, Mapping[str, Rows]], float]


def evaluate(tree: ast.Expression, answer: Answer, tables: Mapping[str, Rows]) -> float | None:
    """The formula's value, or None when an input is missing (N/A, blank, no records, division by zero)."""
    return run(compiled(tree), answer, tables)


def run(fn: Compiled, answer: Answer, tables: Mapping[str, Rows]) -> float | None:
    """A :func:`compiled` formula's value, or None when an input is missing."""
    try:
        return float(fn(answer, tables))
    except _Missing:
        return None


def compiled(tree: ast.Expression) -> Compiled:
    """``tree`` (a formula :func:`parse` and :func:`check` admitted) turned into nested functions: a caller
    that keeps them runs them for each audit instead of walking the tree again (the 16 indicators of an
    audit: 138 → 85 µs)."""
    return _compile(tree.body)


class _Missing(Exception):
    pass


def _missing(answer: Answer, tables: Mapping[str, Rows]) -> float:
    raise _Missing


def _compile(node: ast.AST) -> Compiled:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)):  # check() admits a quoted text only where a call reads it
            number = node.value
            return lambda answer, tables: number
        return _missing  # pragma: no cover
    if isinstance(node, ast.Name):
        qid = node.id

        def name(answer: Answer, tables: Mapping[str, Rows]) -> float:
            value = answer(qid)
            if value is None:
                raise _Missing
            return value

        return name
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand)
        if isinstance(node.op, ast.USub):
            return lambda answer, tables: -inner(answer, tables)
        return inner
    if isinstance(node, ast.BinOp):
        left, right = _compile(node.left), _compile(node.right)
        if isinstance(node.op, ast.Add):
            return lambda answer, tables: left(answer, tables) + right(answer, tables)
        if isinstance(node.op, ast.Sub):
            return lambda answer, tables: left(answer, tables) - right(answer, tables)
        if isinstance(node.op, ast.Mult):
            return lambda answer, tables: left(answer, tables) * right(answer, tables)

        def divide(answer: Answer, tables: Mapping[str, Rows]) -> float:
            a, b = left(answer, tables), right(answer, tables)
            if b == 0:
                raise _Missing
            return a / b

        return divide
    if isinstance(node, ast.Call):
        return _compile_call(node)
    return _missing  # pragma: no cover - parse() admits nothing else


def _compile_call(node: ast.Call) -> Compiled:
    """A function call that check() admitted: name(table, ...) or name(table.column, ...)."""
    func, arg = node.func, node.args[0]
    if not isinstance(func, ast.Name):
        return _missing  # pragma: no cover - check() admits named functions only
    name = func.id
    column = arg.attr if isinstance(arg, ast.Attribute) else None
    target = arg.value if isinstance(arg, ast.Attribute) else arg
    if not isinstance(target, ast.Name):
        return _missing  # pragma: no cover - check() admits a table or table.column only
    table = target.id
    filters = [(kw.arg, set(_filter_values(kw.value))) for kw in node.keywords if kw.arg is not None]

    def chosen(tables: Mapping[str, Rows]) -> Rows:
        rows = tables.get(table, [])
        return [r for r in rows if all(r.get(k) in v for k, v in filters)] if filters else rows

    if name in _CONDITIONAL:
        text = node.args[1]
        if not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
            return _missing  # pragma: no cover - check() admits a quoted condition only
        test = _row_test(_condition(text.value))
        count = name == "countif"

        def conditional(answer: Answer, tables: Mapping[str, Rows]) -> float:
            judged = [x for x in map(test, chosen(tables)) if x is not None]
            if not judged:
                raise _Missing
            hits = sum(judged)
            return hits if count else 100.0 * hits / len(judged)

        return conditional
    if name == "count":
        return lambda answer, tables: len(chosen(tables))
    if name == "share":
        def share(answer: Answer, tables: Mapping[str, Rows]) -> float:
            total = len(tables.get(table, []))
            if total == 0:
                raise _Missing
            return 100.0 * len(chosen(tables)) / total

        return share
    if column is None:
        return _missing  # pragma: no cover - check() admits an aggregate over table.column only
    aggregates: dict[str, Callable[[list[float]], float]] = {
        "sum": sum, "mean": statistics.fmean, "median": statistics.median, "min": min, "max": max,
    }
    aggregate = aggregates[name]

    def over_column(answer: Answer, tables: Mapping[str, Rows]) -> float:
        values: list[float] = [r[column] for r in chosen(tables) if isinstance(r.get(column), (int, float))]
        if not values and name != "sum":
            raise _Missing
        return aggregate(values)

    return over_column


_CONDITIONS: dict[str, ast.Compare] = {}


def _condition(text: str) -> ast.Compare:
    if text not in _CONDITIONS:
        body = parse_condition(text).body
        if not isinstance(body, ast.Compare):
            raise FormulaError(f"row condition '{text}' must be one comparison")  # pragma: no cover
        _CONDITIONS[text] = body
    return _CONDITIONS[text]


def _row_test(cond: ast.Compare) -> Callable[[Mapping[str, Any]], bool | None]:
    """The condition as a test of one record: None when a cell it needs is blank."""
    left, right = _compile(cond.left), _compile(cond.comparators[0])
    compare = _COMPARE[type(cond.ops[0])]

    def test(row: Mapping[str, Any]) -> bool | None:
        def value(name: str) -> float | None:
            v = row.get(name)
            return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

        try:
            return bool(compare(left(value, {}), right(value, {})))
        except _Missing:
            return None

    return test
