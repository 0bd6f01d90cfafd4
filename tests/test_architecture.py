"""The import graph of src/auditkit is one-way (docs/architecture.md).

Every ``import`` of every module counts, wherever it stands: at the top, inside a function (a lazy import is
still a dependency) and under ``if TYPE_CHECKING`` (a type is a dependency too). Two rules:

* no upward import: a module imports only modules of its own layer or of a lower one (LAYERS below);
* no cycle: no module imports itself through other modules, also within one layer.

A new module belongs to the layer of its package or is added to LAYERS; a failure names the import
(file:line) that breaks the rule.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "auditkit"

# Lowest first. A module belongs to the layer of the longest name below that is the module itself or one of
# its packages ("auditkit.excel" holds every module under auditkit/excel/ unless a longer entry says otherwise).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # words, numbers, files and processes: no knowledge of questionnaires or audits
    ("base", ("auditkit", "auditkit.lang", "auditkit.errors", "auditkit.fsutil", "auditkit.paths",
              "auditkit.interrupt", "auditkit.formula", "auditkit.words", "auditkit.events", "auditkit.workers",
              "auditkit.datafile", "auditkit.usercache",
              # what people type into a cell, as plain values: used by the question kinds to parse a cell
              "auditkit.excel.normalize")),
    # the definitions: questionnaire models, loading, kinds, wording; the report words and finding texts
    ("definitions", ("auditkit.questionnaire", "auditkit.texts")),
    # workbooks: reading cells, the sheet layout, writing the blank template and generic xlsx
    ("excel", ("auditkit.excel",)),
    # a filled workbook to a typed audit and its problems; the indicators computed from answers (shared with
    # scoring, and used by validation to check typed answers against the record tables)
    ("validation", ("auditkit.validation", "auditkit.compute")),
    ("scoring", ("auditkit.scoring",)),
    # across services and rounds: statistics, the previous round, the provider's plan, the data set
    ("analysis", ("auditkit.summary", "auditkit.rounds", "auditkit.plan", "auditkit.dataset",
                  "auditkit.serialize", "auditkit.spool", "auditkit.staging")),
    # what people read: PDF reports, terminal output, workbooks written from results, open data
    ("outputs", ("auditkit.reports", "auditkit.render", "auditkit.tidy", "auditkit.opendata",
                 "auditkit.annotation", "auditkit.nextround", "auditkit.samples", "auditkit.excel.annotate",
                 "auditkit.excel.prefill")),
    ("pipeline", ("auditkit.pipeline",)),
    ("cli", ("auditkit.cli", "auditkit.__main__")),
]


@dataclass(frozen=True)
class Edge:
    source: str  # the importing module
    target: str  # the imported module of auditkit
    where: str  # file:line of the import statement

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    out = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module that ``name`` refers to: itself, or the longest known prefix (an object in a module)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def edges(known: dict[str, Path] | None = None) -> list[Edge]:
    """Every import of one auditkit module by another, at any depth of the module's syntax tree."""
    known = known or modules()
    out: dict[Edge, None] = {}  # in order, once per import statement and target
    for module, path in known.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from ..excel import y
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # "from auditkit.excel import layout" imports the module auditkit.excel.layout
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            else:
                continue
            where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
            for name in names:
                target = _resolve(name, known) if name.split(".")[0] == PACKAGE else None
                if target is not None and target != module and target != PACKAGE:
                    out[Edge(module, target, where)] = None
    return list(out)


def layer_of(module: str) -> int:
    """The index in LAYERS of ``module``'s layer, -1 when it has none (the package's own ``__init__`` holds
    only itself: a new top-level module must be placed)."""
    best, layer = "", -1
    for index, (_, names) in enumerate(LAYERS):
        for name in names:
            inside = module.startswith(name + ".") and name != PACKAGE
            if (module == name or inside) and len(name) > len(best):
                best, layer = name, index
    return layer


def test_every_module_has_a_layer():
    unplaced = [m for m in modules() if layer_of(m) < 0]
    assert not unplaced, f"add these modules to LAYERS in {Path(__file__).name}: {unplaced}"


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{e} (layer {LAYERS[layer_of(e.source)][0]} imports layer {LAYERS[layer_of(e.target)][0]})"
        for e in edges() if layer_of(e.target) > layer_of(e.source)
    ]
    assert not upward, "imports from a higher layer (docs/architecture.md):\n" + "\n".join(upward)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    all_edges = edges()
    graph: dict[str, set[str]] = {}
    for e in all_edges:
        graph.setdefault(e.source, set()).add(e.target)
    problems = []
    for component in _cycles(graph):
        members = set(component)
        inside = [str(e) for e in all_edges if e.source in members and e.target in members]
        problems.append(f"cycle between {', '.join(component)}:\n  " + "\n  ".join(sorted(set(inside))))
    assert not problems, "import cycles:\n" + "\n".join(problems)


# The checks themselves: a graph that breaks each rule is caught, and the message names the import.


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    known = {}
    for name, text in files.items():
        path = tmp_path / "src" / (name.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        known[name] = path
    return known


def test_function_level_and_relative_imports_are_edges(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "src")
    known = _package(tmp_path, {
        "auditkit.lang": "def f():\n    from auditkit.cli import main\n",
        "auditkit.cli": "from .lang import f\nmain = 1\n",
        "auditkit.excel.reader": "from ..validation import models\n",
        "auditkit.validation.models": "",
    })
    found = {(e.source, e.target, e.where) for e in edges(known)}
    assert found == {
        ("auditkit.lang", "auditkit.cli", "src/auditkit/lang.py:2"),
        ("auditkit.cli", "auditkit.lang", "src/auditkit/cli.py:1"),
        ("auditkit.excel.reader", "auditkit.validation.models", "src/auditkit/excel/reader.py:1"),
    }
    graph: dict[str, set[str]] = {}
    for e in edges(known):
        graph.setdefault(e.source, set()).add(e.target)
    assert _cycles(graph) == [["auditkit.cli", "auditkit.lang"]]
    assert layer_of("auditkit.lang") < layer_of("auditkit.excel.reader") < layer_of("auditkit.validation.models")
    assert layer_of("auditkit.excel.annotate") > layer_of("auditkit.validation.findings")
    assert layer_of("auditkit.a_new_module") == -1  # a new top-level module must be placed

