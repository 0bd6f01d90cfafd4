"""summarize --previous: services matched by identifier, findings by service and fact."""

from __future__ import annotations

import json

import pytest
from test_cli import run

from auditkit.paths import sample_audits_dir, sample_previous_dir
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.questionnaire.models import VersionMapping
from auditkit.rounds import PreviousRoundError, compare, previous_from_json
from auditkit.scoring import Flag, ScoredAudit
from auditkit.validation.models import ServiceInfo


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    out = tmp_path_factory.mktemp("rounds")
    prev = run("summarize", str(sample_previous_dir()), "--out", str(out / "r1"), "--no-reports", "--json")
    assert prev.returncode == 0, prev.stderr
    now = run("summarize", str(sample_audits_dir()), "--previous", str(sample_previous_dir()),
              "--out", str(out / "r2"), "--no-reports", "--json")
    assert now.returncode == 0, now.stderr
    return json.loads(prev.stdout), json.loads(now.stdout), out


def _facts(service):
    return {f.get("fact") or f["key"] for f in service["findings"]}


def test_every_finding_is_new_or_persisting_and_resolved_ones_are_listed(rounds):
    before, after, _ = rounds
    old = {s["service_id"]: s for s in before["services"]}
    checked = 0
    for s in after["services"]:
        if s["service_id"] not in old:
            assert s["previous"] is None and s["resolved_findings"] == []
            assert all(f["change"] is None for f in s["findings"])
            continue
        prev_facts = _facts(old[s["service_id"]])
        for f in s["findings"]:
            expected = "persisting" if (f.get("fact") or f["key"]) in prev_facts else "new"
            assert f["change"] == expected, (s["service_name"], f["key"])
            checked += 1
        assert {f["fact"] for f in s["resolved_findings"]} == prev_facts - _facts(s)
        assert s["previous"]["process_index"] == old[s["service_id"]]["process_index"]
        assert s["previous"]["areas"] == {k: v["score"] for k, v in old[s["service_id"]]["areas"].items()}
    assert checked > 20
    c = after["comparison"]
    assert c["comparable"] is True
    assert [r["service_name"] for r in c["only_previous"]] == ["Azylový dům Na Vyhlídce"]
    assert [r["service_name"] for r in c["only_current"]] == ["Azylový dům Slunečnice"]
    statuses = [f["change"] for s in after["services"] for f in s["findings"] if f["change"]]
    assert (c["new"], c["persisting"]) == (statuses.count("new"), statuses.count("persisting"))
    assert c["resolved"] == sum(len(s["resolved_findings"]) for s in after["services"])
    assert c["new"] > 0 and c["resolved"] > 0  # the sample rounds differ both ways


def test_previous_summary_json_and_previous_folder_agree(rounds):
    _, from_folder, out = rounds
    proc = run("summarize", str(sample_audits_dir()), "--previous", str(out / "r1" / "summary.json"),
               "--out", str(out / "r3"), "--no-reports", "--json")
    assert proc.returncode == 0, proc.stderr
    from_json = json.loads(proc.stdout)
    strip = lambda d: [(s["service_id"], [f["change"] for f in s["findings"]], s["resolved_findings"], s["previous"])
                       for s in d["services"]]
    assert strip(from_json) == strip(from_folder)
    assert {k: v for k, v in from_json["comparison"].items() if k != "source"} == \
        {k: v for k, v in from_folder["comparison"].items() if k != "source"}


def test_without_previous_every_change_is_null(rounds):
    before, _, _ = rounds
    assert before["comparison"] is None
    assert all(f["change"] is None for s in before["services"] for f in s["findings"])
    assert all(s["previous"] is None for s in before["services"])


@pytest.mark.parametrize("kind", ["missing", "not_json", "other_json"])
def test_unusable_previous_is_a_usage_error(tmp_path, kind):
    target = tmp_path / "prev.json"
    if kind == "not_json":
        target.write_text("{ not json", encoding="utf-8")
    elif kind == "other_json":
        target.write_text(json.dumps({"files": []}), encoding="utf-8")
    proc = run("summarize", str(sample_audits_dir()), "--previous", str(target), "--out", str(tmp_path / "o"),
               "--no-reports")
    assert proc.returncode == 2
    assert "--previous" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()  # refused before any work


# -- the comparison itself, with findings known in advance ------------------------------------------------

def _flag(fact: str, area: str = "contract") -> Flag:
    return Flag.model_validate({"key": fact, "fact": fact, "basis": "no", "area": area})


def _service(sid: str, facts: list[str]) -> ScoredAudit:
    return ScoredAudit.model_construct(
        file=f"{sid}.xlsx", service=ServiceInfo(service_name=f"Služba {sid}", service_id=sid),
        findings=[_flag(f) for f in facts], areas={}, process_index=None, outcome_index=None, indicators={},
    )


def _previous(version: str, services: dict[str, list[str]]):
    q = default_questionnaire()
    return previous_from_json({
        "questionnaire": {"id": q.id, "version": version},
        "services": [{"service_id": sid, "service_name": f"Služba {sid}", "areas": {}, "findings": [
            {"key": f, "fact": f, "area": "contract"} for f in facts]} for sid, facts in services.items()],
    }, "test")


def test_known_changes():
    q = default_questionnaire()
    a, b, c = sorted(q.fact_bases())[:3]
    prev = _previous(q.version, {"1111111": [a, b], "2222222": [c], "3333333": [a]})
    now = [_service("1111111", [b, c]), _service("2222222", []), _service("4444444", [a])]
    result = compare(q, now, prev, {}, None, None)
    s1 = result.services["1111111"]
    assert s1.changes == {b: "persisting", c: "new"}
    assert [f.fact for f in s1.resolved] == [a]
    assert [f.fact for f in result.services["2222222"].resolved] == [c]
    assert result.services["4444444"].previous is None and result.services["4444444"].changes == {}
    assert [r.service_id for r in result.round.only_previous] == ["3333333"]
    assert [r.service_id for r in result.round.only_current] == ["4444444"]
    assert (result.round.new, result.round.persisting, result.round.resolved) == (1, 1, 2)


def test_version_change_uses_the_mapping_and_reports_what_it_does_not_cover():
    q = default_questionnaire()
    a, b, c = sorted(q.fact_bases())[:3]
    prev = _previous("0.9", {"1111111": ["old_name", "gone", "unknown_old", a]})
    unmapped = compare(q, [_service("1111111", [b])], prev, {}, None, None)
    assert unmapped.round.comparable is False
    assert unmapped.services["1111111"].changes == {} and unmapped.services["1111111"].resolved == []

    mapped_q = q.model_copy(update={"from_versions": {"0.9": VersionMapping(facts={"old_name": b, "gone": None})}})
    result = compare(mapped_q, [_service("1111111", [b, c])], prev, {}, None, None)
    assert result.round.comparable is True
    assert result.services["1111111"].changes == {b: "persisting", c: "new"}  # old_name was renamed to b
    assert [f.fact for f in result.services["1111111"].resolved] == [a]  # "gone" is no longer assessed
    assert result.round.unmapped_facts == ["unknown_old"]  # reported, never matched silently


def test_other_questionnaire_cannot_be_compared():
    q = default_questionnaire()
    prev = previous_from_json({"questionnaire": {"id": "jiny-dotaznik", "version": "1.0"}, "services": []}, "x")
    with pytest.raises(PreviousRoundError):
        compare(q, [], prev, {}, None, None)


def test_tidy_workbook_has_the_changes_and_replies_tables(tmp_path):
    import openpyxl

    from auditkit.paths import sample_replies_dir

    out = tmp_path / "o"
    proc = run("summarize", str(sample_audits_dir()), "--previous", str(sample_previous_dir()),
               "--replies", str(sample_replies_dir()), "--out", str(out), "--no-reports", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    wb = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    rows = list(wb["changes"].iter_rows(values_only=True))
    head = rows[0]
    got = {(r[head.index("service_id")], r[head.index("fact")], r[head.index("change")]) for r in rows[1:]}
    want = {(s["service_id"], f["fact"], f["change"]) for s in data["services"] for f in s["findings"] if f["change"]}
    want |= {(s["service_id"], f["fact"], "resolved") for s in data["services"] for f in s["resolved_findings"]}
    assert got == want
    replies = list(wb["replies"].iter_rows(values_only=True))
    assert len(replies) - 1 == sum(1 for s in data["services"] for f in s["findings"] if f["reply"])
    described = {r[0] for r in wb.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert {"changes", "replies"} <= described


def test_a_summary_of_questionnaire_1_0_is_compared_through_the_shipped_mapping(tmp_path, rounds):
    """The shipped questionnaire maps the facts of version 1.0: a 1.0 summary of the same round, its facts
    under their 1.0 names, compares as 'nothing changed'."""
    _, after, _ = rounds
    q = default_questionnaire()
    back = {}
    for old, new in q.from_versions["1.0"].facts.items():
        back.setdefault(new, old)  # one 1.0 name for each current fact
    old_round = json.loads(json.dumps(after))
    old_round["questionnaire"]["version"] = "1.0"
    for s in old_round["services"]:
        for f in s["findings"]:
            f["fact"] = back.get(f["fact"], f["fact"])
            f["key"] = f["fact"]
    prev = tmp_path / "summary_1_0.json"
    prev.write_text(json.dumps(old_round), encoding="utf-8")
    proc = run("summarize", str(sample_audits_dir()), "--previous", str(prev), "--out", str(tmp_path / "o"),
               "--no-reports", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["comparison"]["comparable"] is True and data["comparison"]["unmapped_facts"] == []
    assert data["comparison"]["new"] == 0 and data["comparison"]["resolved"] == 0
    assert all(f["change"] == "persisting" for s in data["services"] for f in s["findings"])
    assert any(f["fact"] in back for s in data["services"] for f in s["findings"])  # the mapping was used


def test_two_rounds_of_one_service_in_one_folder_keep_the_newer(tmp_path):
    import shutil

    from auditkit.validation.batch import validate_paths

    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(sample_audits_dir() / "ad_kotva.xlsx", folder / "kotva_2023.xlsx")
    shutil.copy(sample_previous_dir() / "ad_kotva.xlsx", folder / "kotva_2022.xlsx")
    shutil.copy(sample_audits_dir() / "ad_jasmin.xlsx", folder / "jasmin_a.xlsx")
    shutil.copy(sample_audits_dir() / "ad_jasmin.xlsx", folder / "jasmin_b.xlsx")
    got = {r.file.rsplit("/", 1)[-1]: (r.status, [f.code for f in r.findings if f.severity == "error"])
           for r in validate_paths([folder])}
    assert got["kotva_2023.xlsx"] == ("valid", [])
    assert got["kotva_2022.xlsx"] == ("invalid", ["file_earlier_round"])
    assert got["jasmin_a.xlsx"] == got["jasmin_b.xlsx"] == ("invalid", ["file_duplicate_service"])
    proc = run("summarize", str(folder), "--out", str(tmp_path / "o"), "--no-reports", "--json")
    data = json.loads(proc.stdout)
    assert [s["service_id"] for s in data["services"]] == ["8041977"]
    earlier = next(r for r in data["rejected"] if r["file"].endswith("kotva_2022.xlsx"))
    assert "--previous" in earlier["findings"][-1]["message"]
