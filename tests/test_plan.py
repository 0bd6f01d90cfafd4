"""The provider's plan workbook: written with each report, checked like an audit workbook, read back."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import openpyxl
import pytest
from conftest import validate, where
from test_cli import run

from auditkit.excel.layout import PLAN_COLUMNS
from auditkit.paths import sample_audits_dir, sample_previous_dir, sample_replies_dir

COL = {cid: j for j, (cid, _, _) in enumerate(PLAN_COLUMNS, start=1)}
LETTER = {cid: openpyxl.utils.get_column_letter(j) for cid, j in COL.items()}


@pytest.fixture(scope="module")
def round_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("plans")
    proc = run("summarize", str(sample_audits_dir()), "--out", str(out), "--json", "--reply-days", "20")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), out


def _plan_of(out, service):
    (path,) = (out / "reports").glob(f"{service['service_id']}_*_plan.xlsx")
    return path


def test_a_plan_beside_every_report_with_one_row_per_finding(round_out):
    data, out = round_out
    assert len(list((out / "reports").glob("*_plan.xlsx"))) == len(data["services"])
    for s in data["services"]:
        wb = openpyxl.load_workbook(_plan_of(out, s))
        ws = wb.worksheets[1]
        facts = [ws.cell(row=r, column=COL["fact"]).value for r in range(2, ws.max_row + 1)]
        assert sorted(facts) == sorted(f.get("fact") or f["key"] for f in s["findings"])
        assert [ws.cell(row=r, column=COL["number"]).value for r in range(2, ws.max_row + 1)] == \
            list(range(1, len(facts) + 1))
        if facts:
            assert ws.cell(row=2, column=COL["finding"]).protection.locked
            assert not ws.cell(row=2, column=COL["response"]).protection.locked
        critical = [ws.cell(row=r, column=COL["finding"]).value.startswith("★") for r in range(2, ws.max_row + 1)]
        assert critical == sorted(critical, reverse=True)  # critical findings first
        deadline = wb.worksheets[0]["B6"].value
        assert deadline == f"{(dt.date.today() + dt.timedelta(days=20)):%-d. %-m. %Y}"


def test_a_blank_plan_validates_with_warnings_only(round_out):
    data, out = round_out
    kotva = next(s for s in data["services"] if s["service_name"].endswith("Kotva"))
    result = validate(_plan_of(out, kotva))
    assert result.status == "valid"
    assert {c for _, _, c in where(result)} == {"plan_response_missing"}
    assert result.plan is not None and result.plan.service_id == kotva["service_id"]


def test_problems_in_a_returned_plan_are_named_by_cell(tmp_path, round_out):
    data, out = round_out
    kotva = next(s for s in data["services"] if s["service_name"].endswith("Kotva"))
    plan = tmp_path / "kotva_plan.xlsx"
    shutil.copy(_plan_of(out, kotva), plan)
    wb = openpyxl.load_workbook(plan)
    ws = wb.worksheets[1]
    rows = {
        2: {"response": "Nesouhlasím "},  # an objection without reasons
        3: {"response": "možná"},  # not a reply
        4: {"response": "souhlasím", "measure": "Nový vzor smlouvy.", "deadline": "31. 2. 2024"},  # no such date
        5: {"response": "souhlasím", "measure": "Supervize.", "deadline": dt.date(2020, 1, 1)},  # before the report
        6: {"response": "částečně", "reasons": "Viz zápis z porady.", "decision": "uznáno", "measure": "x",
            "deadline": "30. 9. 2030", "status": "Probíhá"},  # fine, typed loosely
        7: {"response": "souhlasím", "decision": "zamítnuto"},  # a decision without an objection
        8: {"response": "souhlasím", "measure": "Zavolá paní Nováková, tel. 777 123 456.",
            "role": "vedoucí služby", "deadline": "30. 9. 2030"},  # personal data in the free text
    }
    for r, values in rows.items():
        for cid, value in values.items():
            ws.cell(row=r, column=COL[cid], value=value)
    wb.save(plan)
    result = validate(plan)
    sheet = ws.title
    got = where(result)
    assert (sheet, f"{LETTER['reasons']}2", "plan_reason_missing") in got
    assert (sheet, f"{LETTER['response']}3", "plan_choice_invalid") in got
    assert (sheet, f"{LETTER['deadline']}4", "plan_date_invalid") in got
    assert (sheet, f"{LETTER['deadline']}5", "plan_deadline_before_report") in got
    assert (sheet, f"{LETTER['decision']}7", "plan_decision_without_objection") in got
    assert (sheet, f"{LETTER['measure']}8", "personal_data") in got
    assert not any(cell.endswith("6") and code != "plan_response_missing" for _, cell, code in got)
    assert result.status == "invalid"
    reply = next(r for r in result.plan.replies if r.fact == ws.cell(row=6, column=COL["fact"]).value)
    assert (reply.response, reply.status, reply.decision, reply.deadline) == \
        ("partly", "in_progress", "upheld", dt.date(2030, 9, 30))
    messages = [f.message for f in result.findings if f.code == "plan_reason_missing"]
    assert messages and all("List" in m and "důvody" in m for m in messages)


def test_replies_are_attached_and_objections_counted(tmp_path):
    replies = tmp_path / "replies"
    shutil.copytree(sample_replies_dir(), replies)
    shutil.copy(sample_audits_dir() / "ad_jasmin.xlsx", replies / "ad_jasmin.xlsx")  # not a plan
    lipova = replies / "7305518_plan.xlsx"
    wb = openpyxl.load_workbook(lipova)
    wb.worksheets[1].cell(row=2, column=COL["reasons"], value="Doloží paní Jana Nováková, tel. 777 123 456.")
    wb.save(lipova)
    proc = run("summarize", str(sample_audits_dir()), "--replies", str(replies), "--out", str(tmp_path / "o"),
               "--no-reports", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["objections"] == {"plans": 3, "filed": 3, "upheld": 0, "partly": 1, "rejected": 1, "pending": 1}
    status = {f["file"].rsplit("/", 1)[-1]: f["status"] for f in data["reply_files"]}
    assert status == {"6190482_plan.xlsx": "valid", "7305518_plan.xlsx": "valid", "8041977_plan.xlsx": "valid",
                      "ad_jasmin.xlsx": "invalid"}
    jasmin = next(f for f in data["reply_files"] if f["file"].endswith("ad_jasmin.xlsx"))
    assert [x["code"] for x in jasmin["findings"]] == ["plan_not_a_plan"]
    kotva = next(s for s in data["services"] if s["service_id"] == "8041977")
    objections = [f for f in kotva["findings"] if f["reply"] and f["reply"]["response"] != "agree"]
    assert {f["reply"]["decision"] for f in objections} == {"rejected", "partly"}
    assert all(f["reply"]["reasons"] for f in objections)
    assert all(f["reply"] is not None for f in kotva["findings"])
    lipova_reasons = [f["reply"]["reasons"] for s in data["services"] if s["service_id"] == "7305518"
                      for f in s["findings"] if f["reply"] and f["reply"]["response"] == "disagree"]
    assert lipova_reasons and "777" not in lipova_reasons[0] and "Nováková" not in lipova_reasons[0]
    assert "[telefon]" in lipova_reasons[0]
    jasmin_service = next(s for s in data["services"] if s["service_id"] == "4827163")
    assert all(f["reply"] is None for f in jasmin_service["findings"])  # returned no plan


def test_next_round_marks_overdue_measures_and_credits_resolved_ones(tmp_path):
    first = tmp_path / "r2022"
    proc = run("summarize", str(sample_previous_dir()), "--out", str(first), "--report-date", "2022-06-30")
    assert proc.returncode == 0, proc.stderr
    returned = tmp_path / "returned"
    returned.mkdir()
    for plan in (first / "reports").glob("*_plan.xlsx"):
        wb = openpyxl.load_workbook(plan)
        ws = wb.worksheets[1]
        for r in range(2, ws.max_row + 1):
            values = {"response": "souhlasím", "measure": "Opatření podle doporučení.", "role": "vedoucí služby",
                      "deadline": dt.date(2022, 12, 31), "status": "plánováno"}
            for cid, value in values.items():
                ws.cell(row=r, column=COL[cid], value=value)
        wb.save(returned / plan.name)
    final = run("summarize", str(sample_previous_dir()), "--replies", str(returned), "--out", str(tmp_path / "f"),
                "--no-reports")
    assert final.returncode == 0, final.stderr
    before = json.loads((tmp_path / "f" / "summary.json").read_text(encoding="utf-8"))
    assert before["objections"]["filed"] == 0 and before["objections"]["plans"] == 6

    proc = run("summarize", str(sample_audits_dir()), "--previous", str(tmp_path / "f" / "summary.json"),
               "--out", str(tmp_path / "r2023"), "--no-reports", "--json")
    assert proc.returncode == 0, proc.stderr
    after = json.loads(proc.stdout)
    persisting = [f for s in after["services"] for f in s["findings"] if f["change"] == "persisting"]
    # every 2022 measure was due by 31. 12. 2022, before the 2023 audits: each persisting finding is overdue
    assert persisting and all(f["measure_overdue"] is True for f in persisting)
    assert after["comparison"]["overdue"] == len(persisting)
    credited = [f for s in after["services"] for f in s["resolved_findings"] if f["reply"]]
    assert after["comparison"]["measures_credited"] == len(credited) > 0
    assert all(f["measure_overdue"] is None for s in after["services"] for f in s["findings"]
               if f["change"] != "persisting")


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def test_reports_show_the_cycle(tmp_path):
    out = tmp_path / "o"
    proc = run("summarize", str(sample_audits_dir()), "--previous", str(sample_previous_dir()),
               "--replies", str(sample_replies_dir()), "--out", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    # summary.json is written a service at a time; --json prints the whole dict: the same text
    assert (out / "summary.json").read_text(encoding="utf-8") == proc.stdout
    data = json.loads(proc.stdout)
    kotva = next(s for s in data["services"] if s["service_id"] == "8041977")
    (pdf,) = (out / "reports").glob("8041977_*.pdf")
    text = _pdf_text(pdf)
    assert "Od minulého auditu" in text and "Vyjádření poskytovatele" in text
    statuses = [f["change"] for f in kotva["findings"]]
    assert text.count("Od minulého auditu: zjištění trvá") == statuses.count("persisting")
    assert text.count("Od minulého auditu: nové zjištění") == statuses.count("new")
    objections = [f["reply"] for f in kotva["findings"] if f["reply"] and f["reply"]["response"] != "agree"]
    for reply in objections:
        assert " ".join(reply["reasons"].split())[:40] in text
    assert "zamítnuto" in text and "uznáno částečně" in text
    jasmin_pdf = next((out / "reports").glob("4827163_*.pdf"))
    assert "Vyjádření poskytovatele" not in _pdf_text(jasmin_pdf)  # returned no plan
    slunecnice = _pdf_text(next((out / "reports").glob("5518270_*.pdf")))
    assert "nebyla v minulém kole auditována" in slunecnice
    summary = _pdf_text(out / "summary.pdf")
    assert "Změny od minulého kola" in summary
    assert "Námitky: podáno 3, uznáno 0, uznáno částečně 1, zamítnuto 1, dosud nerozhodnuto 1" in summary
    assert "Jen v minulém kole: Azylový dům Na Vyhlídce" in summary
    for reply in objections:  # disputed findings are named in the region's summary too, with the reasons
        assert " ".join(reply["reasons"].split())[:40] in summary
