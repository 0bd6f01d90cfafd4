"""Any questionnaire: a second one (tests/data/questionnaires/domy-na-pul-cesty) found through
AUDITKIT_QUESTIONNAIRES, chosen by ``template --questionnaire``, and the declared default."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from auditkit.errors import UsageError
from auditkit.questionnaire import loader
from auditkit.questionnaire.sources import ENV

HERE = Path(__file__).resolve().parent
EXTRA = HERE / "data" / "questionnaires"
SECOND = EXTRA / "domy-na-pul-cesty"


def run(*args: str, extra: str | None = str(EXTRA)) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    env.pop(ENV, None)
    if extra is not None:
        env[ENV] = extra
    return subprocess.run([sys.executable, "-m", "auditkit.cli", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def with_second(monkeypatch):
    monkeypatch.setenv(ENV, str(EXTRA))


def meta(path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path)["_meta"]
    return {str(r[0]): str(r[1]) for r in ws.iter_rows(values_only=True) if r[0]}


def test_the_variable_adds_a_questionnaire_beside_the_shipped_one(with_second):
    reg = loader.registry()
    assert {("ad-procesni-audit", "1.1"), ("dnpc-audit", "1.0")} <= set(reg)
    assert loader.folder_of(reg[("dnpc-audit", "1.0")]) == SECOND
    assert loader.default_questionnaire().id == "ad-procesni-audit"  # declared default: true


def test_without_the_variable_only_the_shipped_questionnaire(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert {qid for qid, _ in loader.registry()} == {"ad-procesni-audit"}


def test_a_missing_folder_in_the_variable_is_a_usage_error(tmp_path):
    missing = tmp_path / "nowhere"
    proc = run("validate", str(HERE), extra=os.pathsep.join([str(EXTRA), str(missing)]))
    assert proc.returncode == 2, proc.stderr
    assert str(missing) in proc.stderr and ENV in proc.stderr
    assert "Traceback" not in proc.stderr


def test_one_questionnaire_in_two_folders_is_a_usage_error_naming_both(tmp_path):
    shutil.copytree(SECOND, tmp_path / "copy" / "dnpc")
    proc = run("template", "--out", str(tmp_path / "t.xlsx"), "--lang", "en",
               extra=os.pathsep.join([str(EXTRA), str(tmp_path / "copy")]))
    assert proc.returncode == 2
    assert str(SECOND / "questionnaire.yaml") in proc.stderr
    assert str(tmp_path / "copy" / "dnpc" / "questionnaire.yaml") in proc.stderr
    assert not (tmp_path / "t.xlsx").exists()


def test_the_same_folder_named_twice_is_one_folder(tmp_path):
    proc = run("template", "--questionnaire", "dnpc-audit", "--out", str(tmp_path / "t.xlsx"),
               extra=os.pathsep.join([str(EXTRA), str(EXTRA / ".." / EXTRA.name)]))
    assert proc.returncode == 0, proc.stderr


def test_template_writes_the_chosen_questionnaire(tmp_path):
    out = tmp_path / "dnpc.xlsx"
    proc = run("template", "--questionnaire", "dnpc-audit", "--out", str(out), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert (meta(out)["questionnaire_id"], meta(out)["questionnaire_version"]) == ("dnpc-audit", "1.0")
    assert {"P Independence", "Q Housing"} <= set(openpyxl.load_workbook(out).sheetnames)
    default = tmp_path / "default.xlsx"
    assert run("template", "--out", str(default)).returncode == 0
    assert meta(default)["questionnaire_id"] == "ad-procesni-audit"


def test_the_global_option_adds_a_folder_too(tmp_path):
    out = tmp_path / "dnpc.xlsx"
    proc = run("--questionnaires", str(EXTRA), "template", "--questionnaire", "dnpc-audit", "--out", str(out),
               extra=None)
    assert proc.returncode == 0, proc.stderr
    assert meta(out)["questionnaire_id"] == "dnpc-audit"


def test_an_unknown_questionnaire_is_a_usage_error_listing_the_known(tmp_path):
    proc = run("template", "--questionnaire", "nope", "--out", str(tmp_path / "t.xlsx"), "--lang", "en")
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "ad-procesni-audit" in proc.stderr and "dnpc-audit" in proc.stderr


def test_template_from_keeps_the_previous_questionnaire(tmp_path, good_workbook):
    proc = run("template", "--from", str(good_workbook), "--questionnaire", "dnpc-audit",
               "--out", str(tmp_path / "next.xlsx"), "--lang", "en")
    assert proc.returncode == 2
    assert "ad-procesni-audit" in proc.stderr and "dnpc-audit" in proc.stderr
    assert not (tmp_path / "next.xlsx").exists()


def _as(q, default: bool):
    return q.model_copy(update={"default": default})


def test_the_default_is_declared_not_alphabetical(with_second):
    reg = loader.registry()
    shipped, second = reg[("ad-procesni-audit", "1.1")], reg[("dnpc-audit", "1.0")]
    # "dnpc-audit" sorts after "ad-procesni-audit": the declaration, not the name, decides
    assert loader.choose_default({k: _as(q, q is shipped) for k, q in reg.items()}, {}).id == "ad-procesni-audit"
    assert loader.choose_default({k: _as(q, q is second) for k, q in reg.items()}, {}).id == "dnpc-audit"
    # one questionnaire alone is the default without declaring it
    assert loader.choose_default({("dnpc-audit", "1.0"): second}, {}) is second


def test_a_default_declared_in_the_users_folder_wins_over_the_shipped_one(with_second):
    reg = loader.registry()
    where = {k: loader.folder_of(q) for k, q in reg.items()}
    both = {k: _as(q, True) for k, q in reg.items()}
    assert loader.choose_default(both, where).id == "dnpc-audit"


def test_two_defaults_or_none_among_several_is_a_usage_error(with_second, tmp_path):
    reg = loader.registry()
    where = {k: loader.folder_of(q) for k, q in reg.items()}
    third = reg[("dnpc-audit", "1.0")].model_copy(update={"id": "dnpc-b"})
    two_users = {**{k: _as(q, True) for k, q in reg.items()}, ("dnpc-b", "1.0"): _as(third, True)}
    with pytest.raises(UsageError) as two:
        loader.choose_default(two_users, {**where, ("dnpc-b", "1.0"): tmp_path / "b"})
    assert two.value.key == "default_twice"
    assert str(SECOND / "questionnaire.yaml") in two.value.message("en")
    assert str(tmp_path / "b" / "questionnaire.yaml") in two.value.message("en")
    with pytest.raises(UsageError) as none:
        loader.choose_default({k: _as(q, False) for k, q in reg.items()}, where)
    assert none.value.key == "default_none"
    assert "dnpc-audit" in none.value.message("en") and "--questionnaire" in none.value.message("en")


# -- identification fields declare their roles ------------------------------------------------------------
def fill_second(folder: Path, name: str, service: str, sid: str, good: bool = True, lang: str = "cs") -> Path:
    """A filled workbook of the second questionnaire, built in code from its template."""
    import datetime as dt

    from auditkit.excel.fill import fill
    from auditkit.excel.template import build_template

    q = loader.registry()[("dnpc-audit", "1.0")]
    answers = {
        "nazev_zarizeni": service, "zrizovatel": "Most ke startu, z. s.", "registracni_cislo": sid,
        "datum_navstevy": dt.date(2024, 3, 4), "hodnotitele": "Mgr. Eva Malá", "obdobi": "2024", "kapacita": 14,
        "NP1": "yes" if good else "partly", "NP2": "3" if good else "1", "NP3": 7.5 if good else 1,
        "NQ1": 10, "NQ2": 6 if good else 2, "NQ3": "yes" if good else "no",
    }
    wb = fill(build_template(q, lang), q, lang, answers, {"NP1": "Doloženo plány osamostatnění."}, {})
    folder.mkdir(parents=True, exist_ok=True)
    wb.save(folder / name)
    return folder / name


def test_the_cover_sheet_is_read_by_the_declared_roles(with_second, tmp_path):
    from auditkit.validation.batch import validate_paths

    path = fill_second(tmp_path, "most.xlsx", "Dům na půl cesty Most", "7100001")
    (result,) = validate_paths([path], "en")
    assert result.status == "valid", [f.message for f in result.problems]
    s = result.service
    assert (s.service_name, s.provider, s.service_id, s.audit_round) == (
        "Dům na půl cesty Most", "Most ke startu, z. s.", "7100001", "2024")
    assert s.audit_date is not None and s.audit_date.isoformat() == "2024-03-04"
    assert s.fields["kapacita"] == 14 and s.fields["nazev_zarizeni"] == "Dům na půl cesty Most"


def test_the_service_name_option_fills_the_field_that_plays_it(tmp_path):
    out = tmp_path / "dnpc.xlsx"
    proc = run("template", "--questionnaire", "dnpc-audit", "--service-name", "Dům Most", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out)["Úvod"]
    row = next(r for r in ws.iter_rows() if r[0].value == "nazev_zarizeni")
    assert "Dům Most" in [c.value for c in row]


@pytest.fixture
def second_copy(tmp_path) -> Path:
    target = tmp_path / "dnpc"
    shutil.copytree(SECOND, target)
    return target


def _edit_identification(folder: Path, change) -> Path:
    import yaml

    path = folder / "questionnaire.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change({x["id"]: x for x in data["identification"]}, data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("change", "words"), [
    (lambda f, d: f["zrizovatel"].update(role="service_name"), "role 'service_name' is declared on 2 fields"),
    (lambda f, d: f["registracni_cislo"].pop("role"), "no field declares role: service_id"),
    (lambda f, d: f["kapacita"].update(role="audit_date"), "field kapacita: role 'audit_date' needs a date answer"),
    (lambda f, d: f["kapacita"].update(role="owner"), "unknown value 'owner'"),
])
def test_a_wrong_role_names_the_file_and_the_field(second_copy, change, words):
    path = _edit_identification(second_copy, change)
    with pytest.raises(loader.DefinitionError) as err:
        loader.load_questionnaire(second_copy)
    assert str(path) in str(err.value) and words in str(err.value)


def test_a_role_on_an_area_question_is_refused(second_copy):
    import yaml

    path = second_copy / "areas" / "q_housing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"][0]["role"] = "service_id"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(loader.DefinitionError, match="NQ1: a role is only for identification fields") as err:
        loader.load_questionnaire(second_copy)
    assert str(path) in str(err.value)


def test_the_next_round_carries_the_declared_fields_by_their_ids(with_second, tmp_path):
    previous = fill_second(tmp_path, "most.xlsx", "Dům Most", "7100001")
    out = tmp_path / "next.xlsx"
    proc = run("template", "--from", str(previous), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert meta(out)["questionnaire_id"] == "dnpc-audit"
    ws = openpyxl.load_workbook(out)["Úvod"]
    answers = {r[0].value: r[2].value for r in ws.iter_rows() if r[0].value}
    assert answers["nazev_zarizeni"] == "Dům Most" and str(answers["kapacita"]) == "14"
    assert answers["datum_navstevy"] is None  # not kept: the auditor fills the new date


# -- the second questionnaire from template to report -----------------------------------------------------
def _answers(service: str, sid: str, good: bool) -> dict:
    import datetime as dt

    return {
        "nazev_zarizeni": service, "zrizovatel": "Most ke startu, z. s.", "registracni_cislo": sid,
        "datum_navstevy": dt.date(2024, 3, 4), "hodnotitele": "Mgr. Eva Malá", "obdobi": "2024", "kapacita": 14,
        "NP1": "yes" if good else "partly", "NP2": "3" if good else "1", "NP3": 7.5 if good else 1,
        "NQ1": 10, "NQ2": 6 if good else 2, "NQ3": "yes" if good else "no",
    }


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def _json(proc: subprocess.CompletedProcess) -> dict:
    import json

    return json.loads(proc.stdout)


def test_template_fill_validate_summarize_report(with_second, tmp_path):
    from auditkit.excel.fill import fill

    q = loader.registry()[("dnpc-audit", "1.0")]
    blank = tmp_path / "blank.xlsx"
    assert run("template", "--questionnaire", "dnpc-audit", "--out", str(blank)).returncode == 0
    round_ = tmp_path / "round"
    round_.mkdir()
    for name, sid, good in (("Dům Most", "7100001", True), ("Dům Křižovatka", "7100002", False)):
        wb = fill(openpyxl.load_workbook(blank), q, "cs", _answers(name, sid, good), {"NP1": "Doloženo plány."})
        wb.save(round_ / f"{sid}.xlsx")
    checked = run("validate", str(round_), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert {f["service_name"] for f in _json(checked)["files"]} == {"Dům Most", "Dům Křižovatka"}

    out = tmp_path / "out"
    proc = run("summarize", str(round_), "--out", str(out), "--json", "--no-open-data")
    assert proc.returncode == 0, proc.stderr
    data = _json(proc)
    assert data["questionnaire"] == {"id": "dnpc-audit", "version": "1.0"}
    assert {s["service_id"] for s in data["services"]} == {"7100001", "7100002"}
    weak = next(s for s in data["services"] if s["service_id"] == "7100002")
    assert [f["fact"] for f in weak["findings"]] == ["starter_flats"]
    text = _pdf_text(next((out / "reports").glob("7100002_*.pdf")))
    assert "Dům Křižovatka" in text and "Audit domu na půl cesty" in text
    assert "Zřizovatel Most ke startu, z. s." in text  # the questionnaire's own word for the provider
    assert "Služba nespolupracuje s obcí na startovacích bytech" in text  # its own finding text
    assert "slabiny" in text and "Praxe domu na půl cesty má slabiny" in text  # its own verdicts
    assert "NP1" in text and "Doloženo plány." in text
    summary_text = _pdf_text(out / "summary.pdf")
    assert "Startovací byty s obcí" in summary_text


def test_report_texts_of_a_questionnaire_replace_the_shared_ones_key_by_key(with_second):
    from auditkit.texts import texts, texts_for

    reg = loader.registry()
    own, shipped = reg[("dnpc-audit", "1.0")], reg[("ad-procesni-audit", "1.1")]
    common = texts_for(own, "common")
    assert common("verdict.weak", "en").startswith("Practice in the area has weaknesses")
    assert common("method.text", "cs") != texts("common")("method.text", "cs")  # replaced
    assert common("method.title", "cs") == texts("common")("method.title", "cs")  # kept from the shared file
    assert texts_for(shipped, "common") is texts("common")  # no file of its own: the shared words


def test_a_broken_override_names_its_file(with_second, tmp_path, monkeypatch):
    from auditkit.texts import TextError, texts_for

    copy = tmp_path / "qs" / "dnpc"
    shutil.copytree(SECOND, copy)
    (copy / "reports" / "common.yaml").write_text("verdict:\n  ok: {cs: jen česky}\n", encoding="utf-8")
    monkeypatch.setenv(ENV, str(tmp_path / "qs"))
    with pytest.raises(TextError) as err:
        texts_for(loader.registry()[("dnpc-audit", "1.0")], "common")
    assert str(copy / "reports" / "common.yaml") in str(err.value) and "verdict.ok" in str(err.value)


# -- a round mixing two questionnaires --------------------------------------------------------------------
@pytest.fixture(scope="module")
def mixed_round(tmp_path_factory) -> Path:
    """The six sample workbooks, two of the second questionnaire and a broken file in one folder."""
    from auditkit.paths import sample_audits_dir

    folder = tmp_path_factory.mktemp("mixed")
    for path in sample_audits_dir().glob("*.xlsx"):
        shutil.copy(path, folder / path.name)
    env = os.environ.get(ENV)
    os.environ[ENV] = str(EXTRA)
    try:
        fill_second(folder, "dnpc_most.xlsx", "Dům Most", "7100001")
        fill_second(folder, "dnpc_start.xlsx", "Dům Start", "7100003", good=False)
    finally:
        if env is None:
            os.environ.pop(ENV)
        else:
            os.environ[ENV] = env
    (folder / "broken.xlsx").write_bytes(b"not a workbook")
    return folder


def _accounted(data: dict) -> dict[str, str]:
    files = {Path(s["file"]).name: "included" for s in data["services"]}
    for r in data["rejected"]:
        files[Path(r["file"]).name] = ",".join(sorted({f["code"] for f in r["problems"]}))
    for r in data.get("skipped", []):
        files[Path(r["file"]).name] = "skipped"
    return files


def test_a_mixed_round_is_summarised_by_the_questionnaire_most_workbooks_use(mixed_round, tmp_path):
    proc = run("summarize", str(mixed_round), "--out", str(tmp_path / "out"), "--json", "--no-reports",
               "--no-open-data", "--lang", "en")
    assert proc.returncode == 1, proc.stderr  # files were rejected: exit 1, as for any rejected file
    assert "Traceback" not in proc.stderr
    data = _json(proc)
    assert data["questionnaire"]["id"] == "ad-procesni-audit"
    files = _accounted(data)
    assert set(files) == {p.name for p in mixed_round.iterdir()}  # every file accounted for
    assert sorted(n for n, s in files.items() if s == "included") == sorted(
        p.name for p in mixed_round.glob("ad_*.xlsx"))
    assert set(data["services"][0]["areas"]) == {a.id for a in loader.default_questionnaire().areas}
    assert files["dnpc_most.xlsx"] == files["dnpc_start.xlsx"] == "questionnaire_mismatch"
    message = next(f["message"] for r in data["rejected"] if r["file"].endswith("dnpc_most.xlsx")
                   for f in r["problems"])
    assert "dnpc-audit 1.0" in message and "ad-procesni-audit 1.1" in message
    assert "--questionnaire dnpc-audit" in message
    assert files["broken.xlsx"] != "included" and "questionnaire_mismatch" not in files["broken.xlsx"]


def test_a_mixed_round_summarised_by_the_chosen_questionnaire(mixed_round, tmp_path):
    proc = run("summarize", str(mixed_round), "--questionnaire", "dnpc-audit", "--out", str(tmp_path / "out"),
               "--json", "--no-reports", "--no-open-data")
    assert proc.returncode == 1
    data = _json(proc)
    assert data["questionnaire"]["id"] == "dnpc-audit"
    files = _accounted(data)
    assert set(files) == {p.name for p in mixed_round.iterdir()}
    assert {n for n, s in files.items() if s == "included"} == {"dnpc_most.xlsx", "dnpc_start.xlsx"}
    assert all(files[p.name] == "questionnaire_mismatch" for p in mixed_round.glob("ad_*.xlsx"))
    assert {a for s in data["services"] for a in s["areas"]} == {"independence", "housing"}  # never merged


def test_the_round_questionnaire_is_the_majority_and_a_tie_goes_to_the_default(with_second):
    from auditkit.validation.mixed import reject_other_questionnaires, round_questionnaire
    from auditkit.validation.models import FileResult

    def valid(name: str, key: str) -> FileResult:
        return FileResult(file=name, status="valid", questionnaire=key)

    two = [valid("a.xlsx", "dnpc-audit@1.0"), valid("b.xlsx", "dnpc-audit@1.0"), valid("c.xlsx", "ad-procesni-audit@1.1")]
    assert round_questionnaire(two) == "dnpc-audit@1.0"
    tie = [valid("a.xlsx", "dnpc-audit@1.0"), valid("c.xlsx", "ad-procesni-audit@1.1")]
    assert round_questionnaire(tie) == "ad-procesni-audit@1.1"  # the declared default
    assert round_questionnaire(tie, "dnpc-audit") == "dnpc-audit@1.0"
    assert round_questionnaire([FileResult(file="x.xlsx", status="invalid")]) is None
    kept = reject_other_questionnaires(two, "dnpc-audit@1.0", "en")
    assert [r.status for r in kept] == ["valid", "valid", "invalid"]
    assert [f.code for f in kept[2].problems] == ["questionnaire_mismatch"]


def test_a_previous_round_of_another_questionnaire_is_a_usage_error(with_second, tmp_path):
    from auditkit.paths import sample_audits_dir

    round_ = tmp_path / "round"
    fill_second(round_, "most.xlsx", "Dům Most", "7100001")
    proc = run("summarize", str(round_), "--previous", str(sample_audits_dir()), "--out", str(tmp_path / "out"),
               "--no-reports", "--lang", "en")
    assert proc.returncode == 2
    assert "ad-procesni-audit" in proc.stderr and "dnpc-audit" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_returned_plans_of_another_questionnaire_are_rejected(with_second, tmp_path):
    from auditkit.paths import sample_replies_dir

    round_ = tmp_path / "round"
    fill_second(round_, "most.xlsx", "Dům Most", "7100001", good=False)
    proc = run("summarize", str(round_), "--replies", str(sample_replies_dir()), "--out", str(tmp_path / "out"),
               "--json", "--no-reports", "--no-open-data")
    assert "Traceback" not in proc.stderr
    data = _json(proc)
    plans = {Path(p.name).name for p in sample_replies_dir().glob("*.xlsx")}
    codes = {Path(f["file"]).name: {x["code"] for x in f["problems"]} for f in data["reply_files"]}
    assert plans <= set(codes)
    assert all("plan_other_questionnaire" in codes[p] for p in plans)


# -- samples come from the definition ---------------------------------------------------------------------
def test_the_sample_generator_fills_any_questionnaire(with_second, tmp_path):
    from auditkit.samples import ROUND, write_audit
    from auditkit.validation.batch import validate_paths

    q = loader.registry()[("dnpc-audit", "1.0")]
    path = write_audit(q, ROUND[0], tmp_path / "sample.xlsx")
    (result,) = validate_paths([path], "en")
    assert result.status == "valid", [f.message for f in result.problems if f.severity == "error"]
    assert result.service.service_name == ROUND[0].name  # written into the field that plays the name
    assert result.service.service_id == ROUND[0].service_id
    assert set(result.audit.answers) == {x.id for a in q.areas for x in a.questions}


def test_a_declared_sample_answer_is_used_and_checked(with_second, tmp_path, second_copy):
    import random

    import yaml

    from auditkit.samples import ROUND, answers_for

    path = second_copy / "areas" / "q_housing.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"][2]["sample"] = "no"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    q = loader.load_questionnaire(second_copy)
    for seed in range(5):
        assert answers_for(q, ROUND[seed], random.Random(seed))[0]["NQ3"] == "no"
    data["questions"][2]["sample"] = "maybe"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(loader.DefinitionError, match="NQ3: sample names unknown option 'maybe'"):
        loader.load_questionnaire(second_copy)
