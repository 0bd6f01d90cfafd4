"""The JSON outputs: a schema version, the JSON Schemas shipped in the package, rounding and exit codes as the
docs state them, and a finding's value being the cell's own."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from conftest import set_answer
from test_cli import run

from auditkit.paths import sample_audits_dir
from auditkit.serialize import ROUND, SCHEMA_VERSION, SCHEMAS, json_schema, shipped_schema
from auditkit.validation.problems import catalogue

ROOT = Path(__file__).resolve().parent.parent


def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = shipped_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(name: str, data: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator(name).iter_errors(data)]


@pytest.fixture(scope="module")
def mixed_round(tmp_path_factory, good_workbook):
    """Two services, one rejected file, one skipped lock file: every branch of the summary JSON."""
    import openpyxl

    folder = tmp_path_factory.mktemp("round")
    shutil.copy(good_workbook, folder / "good.xlsx")
    shutil.copy(sample_audits_dir() / "ad_kotva.xlsx", folder / "kotva.xlsx")
    bad = folder / "bad.xlsx"
    shutil.copy(good_workbook, bad)
    wb = openpyxl.load_workbook(bad)
    set_answer(wb, "Úvod", "service_id", "7777777")
    set_answer(wb, "E Supervize", "E02", "dvakrát")
    wb.save(bad)
    (folder / "~$good.xlsx").write_bytes(b"lock")
    out = tmp_path_factory.mktemp("out")
    return run("summarize", str(folder), "--out", str(out), "--json", "--no-reports"), out


def test_shipped_schemas_are_the_models():
    for name in SCHEMAS:
        assert shipped_schema(name) == json_schema(name), f"run scripts/make_schemas.py ({name})"


def test_summary_json_valid_against_the_shipped_schema(mixed_round):
    proc, out = mixed_round
    data = json.loads(proc.stdout)
    assert data["schema_version"] == SCHEMA_VERSION
    assert len(data["services"]) == 2 and len(data["rejected"]) == 1 and len(data["skipped"]) == 1
    assert _errors("summary", data) == []
    assert _errors("summary", json.loads((out / "summary.json").read_text(encoding="utf-8"))) == []
    broken = json.loads(proc.stdout)
    del broken["services"][0]["areas"]["contract"]["verdict"]
    broken["services"][1]["rank"] = "first"
    assert len(_errors("summary", broken)) == 2  # the schema does reject what the docs do not promise
    failed = {**data, "failed_outputs": data["rejected"][0]["problems"]}  # what --json adds when an output fails
    assert _errors("summary", failed) == []
    assert len(_errors("summary", {**data, "failed_outputs": "x"})) == 1


def test_validation_json_valid_against_the_shipped_schema(mixed_round, tmp_path):
    folder = Path(json.loads(mixed_round[0].stdout)["rejected"][0]["file"]).parent
    proc = run("validate", str(folder), "--json")
    data = json.loads(proc.stdout)
    assert data["schema_version"] == SCHEMA_VERSION
    assert {f["status"] for f in data["files"]} == {"valid", "invalid", "skipped"}
    assert _errors("validation", data) == []


def test_validation_problems_have_their_own_name_and_the_old_one_for_one_release(mixed_round):
    """Validation problems are ``problems``; ``findings`` (their old name) holds the same list, deprecated in the
    schema; the audit's findings about a service keep their name."""
    data = json.loads(mixed_round[0].stdout)
    for entry in [*data["rejected"], *data["skipped"]]:
        assert entry["problems"] and entry["problems"] == entry["findings"]
    assert {p["code"] for p in data["rejected"][0]["problems"]} <= set(catalogue())
    assert all("fact" in f and "code" not in f for s in data["services"] for f in s["findings"])
    schema = shipped_schema("validation")["$defs"]
    assert schema["FileOut"]["properties"]["findings"]["deprecated"] is True
    assert "Problem" in schema and "Finding" not in schema


def _numbers(data) -> list[float]:
    if isinstance(data, float):
        return [data]
    if isinstance(data, dict):
        return [x for v in data.values() for x in _numbers(v)]
    if isinstance(data, list):
        return [x for v in data for x in _numbers(v)]
    return []


def test_numbers_rounded_as_documented(mixed_round):
    doc = " ".join((ROOT / "docs" / "summary.md").read_text(encoding="utf-8").split())
    assert re.search(r"rounded to two decimals", doc) and ROUND == 2
    data = json.loads(mixed_round[0].stdout)
    numbers = _numbers(data)
    assert len(numbers) > 50
    assert [x for x in numbers if round(x, ROUND) != x] == []
    assert data["relationship"] is None or data["relationship"]["spearman"] is None or \
        round(data["relationship"]["spearman"], 2) == data["relationship"]["spearman"]


def test_exit_codes_as_documented(mixed_round, tmp_path, good_workbook):
    doc = " ".join((ROOT / "docs" / "summary.md").read_text(encoding="utf-8").split())
    assert "a skipped file alone does not change the exit code" in doc
    assert mixed_round[0].returncode == 1  # a rejected file
    folder = tmp_path / "round"
    folder.mkdir()
    shutil.copy(good_workbook, folder / "good.xlsx")
    (folder / "~$good.xlsx").write_bytes(b"lock")
    (folder / "notes.txt").write_text("poznámky", encoding="utf-8")
    proc = run("summarize", str(folder), "--out", str(tmp_path / "out"), "--json", "--no-reports")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["skipped"]) == 2


def test_value_of_a_too_long_answer_is_the_cell(edited):
    text = "Kolo " + "x" * 60
    path = edited(lambda wb: set_answer(wb, "Úvod", "audit_round", text))
    proc = run("validate", str(path), "--json")
    found = [f for f in json.loads(proc.stdout)["files"][0]["problems"] if f["code"] == "answer_too_long"]
    assert [f["value"] for f in found] == [text]
    assert str(len(text)) in found[0]["message"]


def test_summary_json_written_a_service_at_a_time_is_the_same_text():
    """write_summary_json streams the services; the text is json.dump's of summary_json, for any round size."""
    import io

    from auditkit.pipeline import run_round
    from auditkit.serialize import summary_json, write_summary_json

    summary, _ = run_round([sample_audits_dir()])
    for services in (summary.services, summary.services[:1], []):
        one = summary.model_copy(update={"services": services})
        buf = io.StringIO()
        write_summary_json(one, buf)
        assert buf.getvalue() == json.dumps(summary_json(one), ensure_ascii=False, indent=2, default=str)
