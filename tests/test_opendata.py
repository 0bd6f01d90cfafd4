"""The open-data package: a valid Frictionless Data Package, joinable on the service identifier, without
auditors' text, with N/A and not-evidenced answers kept apart."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest
from conftest import set_answer
from frictionless import validate
from test_cli import run

from auditkit.paths import sample_audits_dir
from auditkit.validation.batch import validate_paths


@pytest.fixture(scope="module")
def package(tmp_path_factory, good_workbook):
    """The sample round plus one workbook with an N/A and a not-evidenced answer, summarized by the CLI."""
    import openpyxl

    folder = tmp_path_factory.mktemp("round")
    for p in sample_audits_dir().glob("*.xlsx"):
        shutil.copy(p, folder / p.name)
    extra = folder / "mixed.xlsx"
    shutil.copy(good_workbook, extra)
    wb = openpyxl.load_workbook(extra)
    set_answer(wb, "Úvod", "service_id", "1234567")
    set_answer(wb, "Úvod", "service_name", "Azylový dům Zkouška")
    set_answer(wb, "A Smlouva", "A10", "N/A")
    set_answer(wb, "A Smlouva", "A08", "nedoloženo")
    wb.save(extra)
    out = tmp_path_factory.mktemp("out")
    proc = run("summarize", str(folder), "--out", str(out), "--no-reports")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return folder, out / "opendata"


def _rows(path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_valid_data_package(package):
    _, folder = package
    report = validate(folder / "datapackage.json")
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"] for r in desc["resources"]}
    assert {"services", "area-scores", "answers", "indicators", "findings"} <= names
    for r in desc["resources"]:
        header = next(csv.reader((folder / r["path"]).open(encoding="utf-8")))
        assert header == [f["name"] for f in r["schema"]["fields"]]
        assert all(f.get("description") for f in r["schema"]["fields"]), r["name"]
        assert r["encoding"] == "utf-8" and r["dialect"]["delimiter"] == ","
        if r["name"] != "services" and "service_id" in header:
            assert r["schema"]["foreignKeys"][0]["reference"] == {"resource": "services", "fields": ["service_id"]}


def test_the_command_line_validator_agrees(package):
    _, folder = package
    cli = shutil.which("frictionless") or str(__import__("pathlib").Path(sys.executable).with_name("frictionless"))
    proc = subprocess.run([cli, "validate", str(folder / "datapackage.json")], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_a_broken_reference_is_caught(package, tmp_path):
    _, folder = package
    copy = tmp_path / "opendata"
    shutil.copytree(folder, copy)
    lines = (copy / "area_scores.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = "9999999" + lines[1][7:]
    (copy / "area_scores.csv").write_text("".join(lines), encoding="utf-8")
    report = validate(copy / "datapackage.json")
    assert not report.valid
    assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_joins_with_a_registry_on_the_service_identifier(package):
    _, folder = package
    services = _rows(folder / "services.csv")
    registry = {s["service_id"]: {"kraj": "Moravskoslezský", "lůžka": 30} for s in services}
    registry["7000001"] = {"kraj": "Olomoucký", "lůžka": 20}  # a home not audited
    joined = [{**s, **registry[s["service_id"]]} for s in services if s["service_id"] in registry]
    assert len(joined) == len(services) == 7
    scores = _rows(folder / "area_scores.csv")
    assert {r["service_id"] for r in scores} == {s["service_id"] for s in services}


def test_no_auditor_text_names_or_paths(package):
    round_folder, folder = package
    text = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    secrets = set()
    for r in validate_paths([round_folder]):
        a = r.audit
        secrets |= {x.comment for x in a.answers.values() if x.comment and len(x.comment) > 12}
        secrets |= {str(x.value) for x in a.answers.values() if isinstance(x.value, str) and len(x.value) > 30}
        secrets |= {part.strip() for part in a.service.auditors.split(",") if part.strip()}
        secrets.add(str(round_folder))
    assert len(secrets) > 20
    assert [s for s in secrets if s in text] == []


def test_na_and_not_evidenced_stay_distinct(package):
    _, folder = package
    rows = {r["question_id"]: r for r in _rows(folder / "answers.csv") if r["service_id"] == "1234567"}
    assert (rows["A10"]["status"], rows["A10"]["value"]) == ("na", "")
    assert (rows["A08"]["status"], rows["A08"]["value"]) == ("not_evidenced", "")
    assert rows["A10"]["status_label"] != rows["A08"]["status_label"]
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    answers = next(r for r in desc["resources"] if r["name"] == "answers")
    status = next(f for f in answers["schema"]["fields"] if f["name"] == "status")
    assert {"na", "not_evidenced", "answered"} <= set(status["constraints"]["enum"])


def test_no_open_data_skips_it(tmp_path):
    proc = run("summarize", str(sample_audits_dir()), "--out", str(tmp_path), "--no-reports", "--no-open-data")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "summary.json").exists() and not (tmp_path / "opendata").exists()
