"""The command line as a user meets it: exit codes, JSON, no tracebacks, help for every command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditkit.paths import sample_audits_dir

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "auditkit.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300,
        check=False,
    )


def test_validate_samples_exit_0():
    proc = run("validate", str(sample_audits_dir()))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 souborů – v pořádku: 6" in proc.stdout


def test_validate_json(tmp_path, edited):
    from conftest import set_answer

    edited(lambda wb: set_answer(wb, "E Supervize", "E02", "dvakrát"), name="bad.xlsx")
    (tmp_path / "notes.txt").write_text("poznámky", encoding="utf-8")
    (tmp_path / "~$bad.xlsx").write_bytes(b"lock")
    proc = run("validate", str(tmp_path), "--json", "--lang", "en")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    by_name = {Path(f["file"]).name: f for f in data["files"]}
    assert by_name["bad.xlsx"]["status"] == "invalid"
    finding = by_name["bad.xlsx"]["findings"][0]
    assert {"code", "severity", "file", "sheet", "cell", "question_id", "value", "message"} <= set(finding)
    assert (finding["sheet"], finding["code"], finding["question_id"]) == ("E Supervize", "answer_type", "E02")
    assert by_name["notes.txt"]["status"] == "skipped"
    assert by_name["~$bad.xlsx"]["status"] == "skipped"
    assert data["summary"] == {"files": 3, "valid": 0, "invalid": 1, "skipped": 2}


def test_usage_errors_exit_2():
    assert run("validate").returncode == 2
    assert run("validate", "x.xlsx", "--lang", "de").returncode == 2
    assert run("nonsense").returncode == 2


def test_no_traceback_for_a_broken_file(tmp_path):
    bad = tmp_path / "audit.xlsx"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(200))
    proc = run("validate", str(bad), "--verbose")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "file_unreadable" in proc.stdout  # the code is shown with --verbose


def test_template_command(tmp_path):
    out = tmp_path / "sablona.xlsx"
    proc = run("template", "--out", str(out), "--lang", "en", "--service-name", "AD Test")
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    proc = run("validate", str(out))
    assert proc.returncode == 1  # blank: answers required


def _commands() -> dict[str, Any]:
    """Every command the app registers, by the name a user types (from typer's click group, not by hand)."""
    import typer

    from auditkit.cli import app

    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


COMMANDS = sorted(_commands())


def test_the_commands_come_from_the_app():
    assert set(COMMANDS) >= {"template", "validate", "summarize", "report"}
    listing = run("--help").stdout
    for command in COMMANDS:
        assert re.search(rf"^\W*{command}\s+\S", listing, re.MULTILINE), f"{command} missing from auditkit --help"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_docs(command):
    click_command = _commands()[command]
    assert (click_command.help or "").strip(), f"{command} has no help text"
    assert (click_command.short_help or click_command.help or "").strip()
    proc = run(command, "--help")
    assert proc.returncode == 0
    assert "Example" in proc.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"auditkit {command}" in readme, f"README.md does not show 'auditkit {command}'"


def test_every_finding_code_is_documented():
    from auditkit.validation.problems import catalogue

    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    assert [code for code in catalogue() if f"`{code}`" not in doc] == []


def test_version_and_short_help():
    from auditkit import __version__

    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"auditkit {__version__}"
    assert run("-V").stdout == proc.stdout
    for args in (["-h"], ["validate", "-h"]):
        short, long = run(*args), run(*args[:-1], "--help")
        assert short.returncode == 0 and short.stdout == long.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_lines_are_clean_and_examples_set_apart(command):
    text = run(command, "-h").stdout
    usage = text.splitlines()[0]
    assert usage.startswith(f"Usage: auditkit {command} [OPTIONS]")
    assert not any(mark in text for mark in ("{", "<list", "<int", "<path>", "range>", "%Y")), text
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() in ("Examples:", "Example:"))
    assert lines[start - 1] == ""  # a paragraph of its own
    examples = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        examples.append(line)
    assert examples and all(line.strip().startswith(f"auditkit {command} ") for line in examples)


def test_bad_option_values_are_told_in_czech_first():
    proc = run("validate", "x.xlsx", "--lang", "xx")
    assert proc.returncode == 2
    assert "'xx' není známý jazyk, zvolte cs nebo en." in proc.stderr
    assert "Value error" not in proc.stderr and "Traceback" not in proc.stderr
    proc = run("validate", "x.xlsx", "--jobs", "0")
    assert proc.returncode == 2 and "zadejte celé číslo 1 a více" in proc.stderr
    proc = run("summarize", "--reply-days", "dva", "--no-reports")
    assert proc.returncode == 2 and "zadejte celé číslo 1–365" in proc.stderr
    proc = run("summarize", "--report-date", "zítra", "--no-reports")
    assert proc.returncode == 2 and "zadejte datum jako 1. 3. 2025" in proc.stderr
    assert run("validate", str(sample_audits_dir()), "--lang", " EN ").returncode == 0  # case and spaces forgiven
