"""Terminal tables as an 80-column terminal shows them: nothing essential cut, dropped or left to colour."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from auditkit.excel.template import write_template
from auditkit.paths import sample_audits_dir
from auditkit.pipeline import questionnaire_of, run_round
from auditkit.render import render_summary, render_validation
from auditkit.validation.batch import validate_paths

WIDTH = 80


def _console() -> Console:
    return Console(width=WIDTH, record=True, color_system=None, force_terminal=False, file=open(os.devnull, "w"))


def _contains_words(text: str, message: str) -> bool:
    """``message`` appears whole in ``text``, whatever the line breaks of its table column."""
    tokens, words = text.split(), message.split()
    return any(tokens[i : i + len(words)] == words for i in range(len(tokens) - len(words) + 1))


@pytest.fixture(scope="module")
def blank(tmp_path_factory, questionnaire) -> Path:
    return write_template(tmp_path_factory.mktemp("blank") / "blank.xlsx", questionnaire, "cs", None)


@pytest.mark.parametrize("verbose", [False, True])
def test_validate_groups_by_sheet_at_80_columns(blank, verbose):
    results = validate_paths([blank])
    findings = results[0].findings
    assert len(findings) > 50
    console = _console()
    render_validation(results, "cs", console, verbose=verbose)
    text = console.export_text()
    lines = text.splitlines()
    assert max(map(len, lines)) <= WIDTH
    for f in findings:  # each message whole, without the location its columns give
        assert _contains_words(text, f.detail()), f.message
    assert "buňka" not in text  # "List X, buňka Y:" is never repeated beside the columns
    sheets = list(dict.fromkeys(f.sheet for f in findings))
    heads = [line.strip() for line in lines if line.startswith("  List ")]
    assert [h.rsplit(":", 1)[0] for h in heads] == [f"List {s}" for s in sheets]  # one count line per sheet
    first = sheets[0]
    n = sum(f.sheet == first for f in findings)
    assert heads[0] == f"List {first}: {n} chyb" if n >= 5 else heads[0].startswith(f"List {first}: {n} chyb")
    cells = {line.split()[0] for line in lines if line.startswith("    ") and line.split()}
    assert {f.cell for f in findings if f.cell} <= cells  # the cell is its own column
    codes = {f.code for f in findings}
    assert all((code in text) == verbose for code in codes)


def test_validate_counts_in_czech_plurals(blank, good_workbook, tmp_path):
    lock = tmp_path / "~$a.xlsx"
    lock.write_bytes(b"lock")
    console = _console()
    render_validation(validate_paths([blank, good_workbook, lock]), "cs", console)
    text = console.export_text()
    assert "3 soubory – v pořádku: 1, s chybami: 1, přeskočeno: 1" in text
    assert "přeskočeno (1 poznámka)" in text


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, blank):
    folder = tmp_path_factory.mktemp("round")
    for p in sample_audits_dir().glob("*.xlsx"):
        shutil.copy(p, folder / p.name)
    shutil.copy(blank, folder / "blank.xlsx")
    summary, _ = run_round([folder], "cs")
    return summary


def test_summarize_table_keeps_indices_and_verdicts_at_80_columns(mixed):
    q = questionnaire_of(mixed.services)
    console = _console()
    render_summary(mixed, q, "cs", console=console)
    text = console.export_text()
    lines = text.splitlines()
    assert max(map(len, lines)) <= WIDTH
    header = next(line for line in lines if "Proces" in line)
    assert header.split()[-3:] == ["Proces", "Výsl.", "%"]
    assert all(f" {a.code} " in f" {header} " for a in q.areas)
    marks = {"good": "✓", "reserves": "~", "serious": "✗"}
    for rank, s in enumerate(mixed.services, start=1):
        row = next(line for line in lines if line.split()[:1] == [str(rank)])
        name = s.service.service_name.removeprefix("Azylový dům ")
        assert name in row  # the shared "Azylový dům" goes to the legend, the distinctive part stays whole
        cells = row.split()[-len(q.areas) - 2 :]
        for a, cell in zip(q.areas, cells, strict=False):
            sc = s.areas[a.id]
            assert cell == f"{sc.score:.0f}{marks[sc.verdict]}"  # the verdict survives without colour
        assert cells[-2:] == [f"{s.process_index:.0f}", f"{s.outcome_index:.0f}"]
    assert "Služba = Azylový dům" in text
    assert all(f"{m} {q.verdict(v).label('cs')}" in text for v, m in marks.items())


def test_summarize_lists_the_findings_of_a_rejected_file(mixed):
    q = questionnaire_of(mixed.services)
    console = _console()
    render_summary(mixed, q, "cs", console=console)
    text = console.export_text()
    (rejected,) = mixed.rejected
    assert f"{rejected.file}  {len(rejected.findings)} chyb" in text
    for f in rejected.findings[:5]:
        assert _contains_words(text, f.detail())
    pointer = f"… a {len(rejected.findings) - 5} dalších; všechny vypíše: auditkit validate {rejected.file}"
    assert _contains_words(text, pointer)


def test_cli_at_80_columns_keeps_verdict_marks_when_redirected(tmp_path, blank):
    import subprocess
    import sys

    env = dict(os.environ, COLUMNS=str(WIDTH), PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "auditkit.cli", "summarize", str(sample_audits_dir()), "--out",
                           str(tmp_path / "out"), "--no-reports"], capture_output=True, text=True, env=env,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(map(len, lines)) <= WIDTH
    assert "\x1b[" not in proc.stdout  # redirected: no colour codes, and the marks carry the verdicts
    assert sum(line.count("✓") + line.count("~") + line.count("✗") for line in lines) >= 6 * 9
