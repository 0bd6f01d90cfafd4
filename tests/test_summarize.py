"""`auditkit summarize` end to end: outputs written, every file accounted for, numbers agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from conftest import set_answer
from test_cli import run

from auditkit.paths import sample_audits_dir
from auditkit.questionnaire.loader import default_questionnaire


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = run("summarize", str(sample_audits_dir()), "--out", str(out), "--json")
    return proc, out


def test_sample_round(sample_run):
    proc, out = sample_run
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["services"]) == 6 and data["rejected"] == [] and data["skipped"] == []
    first = data["services"][0]
    assert {"file", "service_id", "service_name", "areas", "process_index", "outcome_index", "indicators",
            "findings"} <= set(first)
    assert set(first["areas"]["contract"]) >= {"score", "verdict"}
    for name in ("summary.pdf", "summary.xlsx", "summary.json"):
        assert (out / name).stat().st_size > 0
    assert len(list((out / "reports").glob("*.pdf"))) == 6
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == data
    assert not list(out.rglob("*.part"))  # atomic writes leave no temporary files


def test_xlsx_agrees_with_json(sample_run):
    proc, out = sample_run
    data = json.loads(proc.stdout)
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert set(wb.sheetnames) >= {"services", "answers", "area_scores", "indicators", "findings", "rejected_files"}
    rows = _records(wb["area_scores"])
    by_key = {(r["service_id"], r["area"]): r for r in rows}
    for s in data["services"]:
        for area, v in s["areas"].items():
            xlsx = by_key[(s["service_id"], area)]
            assert xlsx["verdict"] == v["verdict"]
            assert (xlsx["score"] is None and v["score"] is None) or round(xlsx["score"], 2) == v["score"]
    answers = _records(wb["answers"])
    assert len({r["service_id"] for r in answers}) == 6
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_mixed_round_accounts_for_every_file(tmp_path, edited, good_workbook):
    round_dir = tmp_path / "round"
    round_dir.mkdir()
    shutil.copy(good_workbook, round_dir / "good.xlsx")
    bad = edited(lambda wb: set_answer(wb, "E Supervize", "E02", "dvakrát"), name="bad.xlsx")
    shutil.copy(bad, round_dir / "bad.xlsx")

    def evil_comment(wb):
        set_answer(wb, "Úvod", "service_id", "7777777")
        set_answer(wb, "A Smlouva", "A02", "=HYPERLINK(\"http://x\",\"klik\")", column="D")

    shutil.copy(edited(evil_comment, name="formula.xlsx"), round_dir / "formula.xlsx")
    (round_dir / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    (round_dir / "notes.docx").write_bytes(b"not a workbook")
    (round_dir / "~$good.xlsx").write_bytes(b"lock")
    out = tmp_path / "out"
    proc = run("summarize", str(round_dir), "--out", str(out), "--json", "--no-reports")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    included = {Path(s["file"]).name for s in data["services"]}
    rejected = {Path(r["file"]).name for r in data["rejected"]}
    skipped = {Path(r["file"]).name for r in data["skipped"]}
    assert included == {"good.xlsx", "formula.xlsx"}
    assert rejected == {"bad.xlsx", "broken.xlsx"}
    assert skipped == {"notes.docx", "~$good.xlsx"}
    assert (out / "summary.pdf").exists() and (out / "summary.xlsx").exists()
    assert not (out / "reports").exists()
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    head = [c.value for c in wb["answers"][1]]
    qid, comment = head.index("question_id"), head.index("comment")
    comments = [r for r in wb["answers"].iter_rows(min_row=2) if r[qid].value == "A02" and r[comment].value]
    evil = [r[comment] for r in comments if str(r[comment].value).startswith("=")]
    assert evil and all(c.data_type == "s" for c in evil)


def _records(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def _sheets(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def _report_texts(folder: Path) -> dict[str, str]:
    from pypdf import PdfReader

    return {p.name: "".join(page.extract_text() for page in PdfReader(p).pages)
            for p in sorted((folder / "reports").glob("*.pdf"))}


def test_output_identical_whatever_the_jobs(tmp_path):
    outs = []
    for jobs in ("1", "2"):
        proc = run("summarize", str(sample_audits_dir()), "--out", str(tmp_path / jobs), "--json", "--jobs", jobs)
        assert proc.returncode == 0, proc.stderr
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    one, two = tmp_path / "1", tmp_path / "2"
    assert (one / "summary.xlsx").read_bytes() == (two / "summary.xlsx").read_bytes()
    reports = _report_texts(one)
    assert len(reports) == 6 and reports == _report_texts(two)  # written by two workers, the same reports
    answers = _sheets(one / "summary.xlsx")["answers"]
    questions = sum(len(a.questions) for a in default_questionnaire().areas)
    assert len(answers) == 1 + 6 * questions  # every answer of every service, read back from the spool


def test_report_command(tmp_path):
    sample = sample_audits_dir()
    out = tmp_path / "kotva.pdf"
    proc = run("report", str(sample / "ad_kotva.xlsx"), "--benchmark", str(sample), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 0
