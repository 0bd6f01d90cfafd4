"""Question kinds: one class per kind in one registry (auditkit.questionnaire.kinds).

A kind registered outside the package (tests/kind_stars.py) goes from the definition to the template, the
filled workbook, validation, scoring and the provider report; multiple-choice red flags fire from a workbook.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import kind_stars  # registers the kind "stars"
import openpyxl
import pdfcheck
import pytest
import yaml
from conftest import find_row
from pypdf import PdfReader

from auditkit.excel.template import build_template
from auditkit.paths import questionnaires_dir
from auditkit.questionnaire import kinds
from auditkit.questionnaire.loader import DefinitionError, load_questionnaire
from auditkit.reports.provider_pdf import write_provider_report
from auditkit.samples import ROUND, write_audit
from auditkit.scoring import score_audit
from auditkit.serialize import summary_json
from auditkit.summary import benchmark
from auditkit.validation import workbook
from auditkit.validation.workbook import validate_file

SHEET = "E Supervize"
STARS_QUESTION = {
    "id": "E99",
    "label": {"cs": "Jak tým hodnotí supervizi?", "en": "How does the team rate supervision?"},
    "kind": "stars",
    "red_flag": {"at_most": 2},
    "fact": "supervision_frequency",
}


def _with_question(tmp_path: Path, question: dict) -> Path:
    source = next(questionnaires_dir().glob("*/questionnaire.yaml")).parent
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    path = folder / "areas" / "e_supervision.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["questions"].append(question)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def stars_q(tmp_path, monkeypatch):
    q = load_questionnaire(_with_question(tmp_path, STARS_QUESTION))
    monkeypatch.setattr(workbook, "registry", lambda: {(q.id, q.version): q})  # workbooks name this definition
    return q


def _typed(path: Path, value: object) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    ws.cell(row=find_row(ws, "E99"), column=3, value=value)
    wb.save(path)
    return path


def test_a_registered_kind_runs_from_template_to_report(stars_q, tmp_path):
    q = stars_q
    assert type(kinds.kind_of(q.questions()["E99"][1])).__name__ == "Stars"
    # the template: the kind's data validation, its words in the allowed-values column
    ws = build_template(q, "cs")[SHEET]
    row = find_row(ws, "E99")
    rules = [dv for dv in ws.data_validations.dataValidation if f"C{row}" in str(dv.sqref)]
    assert len(rules) == 1 and rules[0].type == "custom" and f"C{row}<=5" in rules[0].formula1
    assert rules[0].prompt.startswith("počet hvězdiček 1–5")
    assert ws.cell(row=row, column=5).value.startswith("počet hvězdiček 1–5 nebo")
    # a filled workbook: two stars typed as stars validate, raise the red flag and score
    path = _typed(write_audit(q, ROUND[0], tmp_path / "stars.xlsx"), "★★")
    result = validate_file(path)
    assert result.status == "valid", [(f.sheet, f.cell, f.code) for f in result.findings]
    assert result.audit.answers["E99"].value == 2
    scored = score_audit(q, result.audit)
    flag = next(f for f in scored.findings if f.fact == "supervision_frequency")
    assert any(ev.question_id == "E99" and ev.value == 2 and ev.basis == "threshold" for ev in flag.sources)
    lost = {x.question_id for x in scored.areas["supervision"].lost}
    assert "E99" in lost  # (2 - 1) / 4 of its weight
    # the provider report shows the answer the way the kind renders it
    pdf = write_provider_report(result.audit, scored, benchmark(q, [scored]), q, "cs", tmp_path / "stars.pdf")
    reader = PdfReader(str(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "★★☆☆☆ (2 z 5)" in text
    assert {"★", "☆"} <= pdfcheck.covered_characters(reader)  # drawn, not missing glyphs
    assert kinds.render_answer(q, q.questions()["E99"][1], 4, "en") == "★★★★☆ (4 of 5)"


@pytest.mark.parametrize(("typed", "code"), [("šest", "answer_type"), (7, "answer_range"), ("★★★★★★", "answer_range")])
def test_a_registered_kind_gives_located_problems(stars_q, tmp_path, typed, code):
    path = _typed(write_audit(stars_q, ROUND[0], tmp_path / "bad.xlsx"), typed)
    ws = openpyxl.load_workbook(path)[SHEET]
    cell = f"C{find_row(ws, 'E99')}"
    result = validate_file(path)
    assert (SHEET, cell, code) in [(f.sheet, f.cell, f.code) for f in result.findings]
    assert result.status == "invalid"


def test_the_loader_asks_the_kind_which_rules_it_takes(tmp_path):
    folder = _with_question(tmp_path, {**STARS_QUESTION, "red_flag": {"answer_in": ["1"]}})
    with pytest.raises(DefinitionError, match="E99: red_flag answer_in needs a choice answer"):
        load_questionnaire(folder)
    folder = _with_question(tmp_path / "b", {**STARS_QUESTION, "options": [
        {"id": "a", "label": {"cs": "a", "en": "a"}}, {"id": "b", "label": {"cs": "b", "en": "b"}}]})
    with pytest.raises(DefinitionError, match="kind 'stars' takes no options"):
        load_questionnaire(folder)


def test_kind_names_live_only_in_their_own_class():
    """No module outside the kinds package compares an answer kind's name."""
    src = Path(kinds.__file__).parents[2]
    names = sorted(kinds.KINDS.keys() - {"stars"})
    offenders = []
    for path in src.rglob("*.py"):
        if "kinds" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in names:
            for pattern in (f'kind == "{name}"', f'kind != "{name}"', f'kind in ("{name}"', f'kind not in ("{name}"'):
                if pattern in text:
                    offenders.append(f"{path.relative_to(src)}: {pattern}")
    assert offenders == []


def test_multiple_choice_answer_in_fires_from_a_workbook(questionnaire, edited, tmp_path):
    """C12 (multi_choice, answer_in … match: not_all): a workbook missing one of the competences raises the
    finding, with the chosen options typed through to the JSON and rendered with their labels."""
    item = questionnaire.questions()["C12"][1]
    labels = {o.id: o.label("cs") for o in item.options}

    def choose(ids: list[str]):
        def change(wb):
            ws = wb["C Personál"] if "C Personál" in wb.sheetnames else next(
                s for s in wb.worksheets if s.title.startswith("C "))
            ws.cell(row=find_row(ws, "C12"), column=3, value="\n".join(labels[i] for i in ids))
        return change

    some = validate_file(edited(choose(["casework", "networking"]), "some.xlsx"))
    assert some.status == "valid", [(f.sheet, f.cell, f.code) for f in some.findings]
    assert some.audit.answers["C12"].value == ["casework", "networking"]
    scored = score_audit(questionnaire, some.audit)
    flag = next(f for f in scored.findings if f.question_id == "C12")
    assert flag.value == ["casework", "networking"]  # typed, not str(list)
    assert flag.model_dump(mode="json")["value"] == "casework; networking"  # the JSON's text, no Python repr
    shown = kinds.render_answer(questionnaire, item, flag.value, "cs")
    assert shown == f"{labels['casework']}, {labels['networking']}"
    every = ["child_development", "casework", "networking"]
    full = validate_file(edited(choose(every), "full.xlsx"))
    assert not any(f.question_id == "C12" for f in score_audit(questionnaire, full.audit).findings)


def test_finding_values_keep_their_type_and_the_json_its_text(questionnaire, edited):
    """A finding carries the typed answer; the JSON gives it as text, as docs/summary.md documents."""
    from auditkit.pipeline import score_results
    from auditkit.summary import summarize_round

    def change(wb):
        ws = wb[SHEET]
        ws.cell(row=find_row(ws, "E02"), column=3, value=3)
        ws.cell(row=find_row(ws, "E01"), column=3, value="nedoloženo")

    result = validate_file(edited(change))
    scored = score_results([result])
    flags = {f.question_id: f for f in scored[0].findings}
    assert flags["E02"].value == 3 and isinstance(flags["E02"].value, int)
    out = summary_json(summarize_round(questionnaire, scored, [result]))
    found = {f["question_id"]: f for f in out["services"][0]["findings"]}
    assert found["E02"]["value"] == "3"
    not_evidenced = [f for f in out["services"][0]["findings"] if f["basis"] == "not_evidenced"]
    assert not_evidenced and all(f["value"] == "not_evidenced" for f in not_evidenced)


def test_a_kind_without_its_words_is_a_definition_error(tmp_path, monkeypatch):
    words = tmp_path / "stars.yaml"
    words.write_text('stars:\n  expected: {cs: "hvězdičky"}\n', encoding="utf-8")
    monkeypatch.setattr(kind_stars.Stars, "words_file", words)
    with pytest.raises(DefinitionError, match=r"stars\.yaml: stars\.expected: give the words in cs and en"):
        load_questionnaire(_with_question(tmp_path, STARS_QUESTION))
