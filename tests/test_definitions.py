"""A mistake in the data a methodologist edits (questionnaires/, templates/reports/) is theirs to fix: the
command names the file and the key (and the line of a YAML syntax error) and exits 2 — never "please report
this error", never a traceback. Each test injects one mistake into a copy of the data and runs the command
line in a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from auditkit.paths import REPORT_TEXTS_ENV, questionnaires_dir, report_templates_dir, sample_audits_dir

SRC = Path(__file__).resolve().parent.parent / "src"


def _run(args: list[str], *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8", PYTHONPATH=str(SRC))
    full.update(env)
    return subprocess.run([sys.executable, "-m", "auditkit.cli", *args], capture_output=True, text=True, check=False,
                          env=full, cwd=cwd, timeout=600)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _assert_methodologists(proc: subprocess.CompletedProcess[str], file: Path, *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert str(file) in proc.stderr, proc.stderr
    for word in words:
        assert re.search(word, proc.stderr), (word, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "Please report" not in proc.stderr + proc.stdout


# -- templates/reports: pointed at a changed copy by AUDITKIT_REPORT_TEXTS ----------------------------
@pytest.fixture
def texts_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "reports"
    shutil.copytree(report_templates_dir(), copy)
    return copy


REPORT_MISTAKES: list[tuple[str, str, str, str, list[str]]] = [
    # file, old, new, the key the message must name, command
    ("provider.yaml", 'title: {cs: "Závěrečná zpráva z procesního auditu"',
     'titel: {cs: "Závěrečná zpráva z procesního auditu"', r"missing keys: title\b", ["report"]),
    ("provider.yaml", 'col_value: {cs: "Vaše služba", en: "Your service"}', 'col_value: {cs: "Vaše služba"}',
     r"key 'summary\.col_value': missing translation en", ["report"]),
    ("common.yaml", "{cs:", "{cs: [", r"line \d+, column \d+: not valid YAML", ["summarize"]),
    ("summary.yaml", "{n}", "{m}", r"key '[\w.]+': cs and en use different placeholders", ["summarize"]),
    ("workbook.yaml", 'error: {cs: "Zadejte {expected}."', 'error: {cs: "Zadejte {expectd}."',
     r"key 'template\.error': cs and en use different placeholders \(only cs: \{expectd\}; only en: \{expected\}\)",
     ["template"]),
    ("workbook.yaml", 'annotation: {cs: "Kontrola auditkit", en: "auditkit check"}', "annotation: 7",
     r"key 'sheets\.annotation': expected \{cs: …, en: …\}, got int", ["validate"]),
    ("provider.yaml", "(identifikátor {service_id})", "(identifikátor {servce_id})",
     r"key 'subject': cs and en use different placeholders", ["report"]),
    ("provider.yaml", "(identifikátor {service_id})\"\n  en: \"Process audit of the social service {service} (identifier {service_id})",
     "(identifikátor {servce_id})\"\n  en: \"Process audit of the social service {service} (identifier {servce_id})",
     r"key 'subject': unknown placeholder \{servce_id\} \(this text can use \{service\}, \{service_id\}\)", ["summarize"]),
    ("units.yaml", "lůžka: {one: lůžko, few: lůžka, many: lůžka, other: lůžek}", "lůžka: {one: lůžko}",
     r"key 'cs\.lůžka': plural forms missing", ["report"]),
]


@pytest.mark.parametrize(("name", "old", "new", "says", "command"), REPORT_MISTAKES,
                         ids=[f"{m[0]}-{m[4][0]}-{i}" for i, m in enumerate(REPORT_MISTAKES)])
def test_a_report_text_mistake_names_the_file_and_key_and_exits_2(
    texts_copy: Path, tmp_path: Path, name: str, old: str, new: str, says: str, command: list[str]
) -> None:
    _edit(texts_copy / name, old, new)
    sample = sample_audits_dir()
    args = {
        "report": ["report", str(next(sample.glob("*.xlsx"))), "--out", str(tmp_path / "r.pdf")],
        "summarize": ["summarize", str(sample), "--out", str(tmp_path / "out")],
        "template": ["template", "--out", str(tmp_path / "t.xlsx")],
        "validate": ["validate", str(sample)],
    }[command[0]]
    proc = _run(args, env={REPORT_TEXTS_ENV: str(texts_copy)}, cwd=tmp_path)
    _assert_methodologists(proc, texts_copy / name, says)
    assert not (tmp_path / "out").exists() and not (tmp_path / "r.pdf").exists()


# -- questionnaires/: a copy of the source tree reads the questionnaires beside it ---------------------
@pytest.fixture
def tree(tmp_path: Path) -> Callable[[], Path]:
    """A source tree (src/auditkit with the data beside it) whose questionnaires the test may break."""
    root = tmp_path / "tree"
    shutil.copytree(SRC / "auditkit", root / "src" / "auditkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(questionnaires_dir(), root / "questionnaires")
    shutil.copytree(report_templates_dir(), root / "templates" / "reports")
    return lambda: root


QUESTIONNAIRE_MISTAKES: list[tuple[str, str, str, str]] = [
    # file under the questionnaire, old, new, what the message must say
    ("areas/a_contract.yaml", "    kind: yes_partly_no\n    critical: true",
     "    kind: yes_partly_no\n   critical: true", r"line \d+, column \d+: not valid YAML"),
    ("areas/a_contract.yaml", "    kind: yes_partly_no\n    critical: true",
     "    kind: yes_partli_no\n    critical: true", r"A01.*kind"),
    ("areas/a_contract.yaml", 'sheet: {cs: "A Smlouva", en: "A Contract"}', 'sheet: {cs: "A Smlouva"}',
     r"sheet"),
    ("areas/a_contract.yaml", "    weight: 2\n", "    weight: dvě\n", r"A02.*weight"),
    ("questionnaire.yaml", "id: ad-procesni-audit\n", "", r"\bid\b"),
]


@pytest.mark.parametrize(("name", "old", "new", "says"), QUESTIONNAIRE_MISTAKES,
                         ids=[f"{m[0]}-{i}" for i, m in enumerate(QUESTIONNAIRE_MISTAKES)])
def test_a_questionnaire_mistake_names_the_file_and_key_and_exits_2(
    tree: Callable[[], Path], tmp_path: Path, name: str, old: str, new: str, says: str
) -> None:
    root = tree()
    folder = next((root / "questionnaires").glob("*/questionnaire.yaml")).parent
    _edit(folder / name, old, new)
    env = {"PYTHONPATH": str(root / "src")}
    proc = _run(["template", "--out", str(tmp_path / "t.xlsx")], env=env, cwd=tmp_path)
    _assert_methodologists(proc, folder / name, says)
    assert not (tmp_path / "t.xlsx").exists()
