"""Questionnaire definitions: the shipped one loads; broken ones fail naming the file and the question."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from auditkit.paths import questionnaires_dir
from auditkit.questionnaire.loader import DefinitionError, load_questionnaire


def test_shipped_questionnaire(questionnaire):
    assert questionnaire.id == "ad-procesni-audit"
    codes = [a.code for a in questionnaire.areas]
    assert codes == list("ABCDEFGHI")
    for area in questionnaire.areas:
        if area.code in "ABCDE":
            assert 8 <= len(area.questions) <= 15, area.id
        for q in area.questions:
            assert q.label.cs and q.label.en
    assert {r.id for r in questionnaire.records} == {"staff", "files", "departures"}


@pytest.fixture
def copy_def(tmp_path):
    source = next(questionnaires_dir().glob("*/questionnaire.yaml")).parent
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def _edit_question(folder: Path, area_file: str, qid: str, **changes):
    path = folder / "areas" / area_file
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in data["questions"]:
        if q["id"] == qid:
            for k, v in changes.items():
                if v is None:
                    q.pop(k, None)
                else:
                    q[k] = v
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("qid", "changes", "words"),
    [
        ("E02", {"kind": "number"}, ["unknown value 'number'"]),
        ("E02", {"min": 10, "max": 5}, ["range min 10 > max 5"]),
        ("E02", {"label": {"cs": "Kolik supervizí?"}}, ["missing translation 'en'"]),
        ("E01", {"red_flag": {"answer_in": ["nikdy"]}}, ["red_flag names unknown option 'nikdy'"]),
        ("E02", {"score_bands": [{"upto": 4, "score": 0}]}, ["last score band"]),
    ],
)
def test_broken_question_names_file_and_question(copy_def, qid, changes, words):
    path = _edit_question(copy_def, "e_supervision.yaml", qid, **changes)
    with pytest.raises(DefinitionError) as err:
        load_questionnaire(copy_def)
    text = str(err.value)
    assert str(path) in text
    assert qid in text
    for w in words:
        assert w in text


def test_duplicate_question_id(copy_def):
    _edit_question(copy_def, "e_supervision.yaml", "E03", id="E02")
    with pytest.raises(DefinitionError, match="question ID 'E02' is used 2 times"):
        load_questionnaire(copy_def)


def test_invalid_yaml_names_the_line(copy_def):
    path = copy_def / "areas" / "a_contract.yaml"
    path.write_text("id: contract\nquestions: [\n  - broken", encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load_questionnaire(copy_def)
    assert str(path) in str(err.value) and "line" in str(err.value)


def test_check_naming_unknown_option(copy_def):
    path = copy_def / "records" / "staff.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["checks"][0]["where"] = {"role": ["socialni"]}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match="unknown option 'socialni'"):
        load_questionnaire(copy_def)


def test_a_threshold_change_in_yaml_is_used(copy_def, tmp_path):
    _edit_question(copy_def, "e_supervision.yaml", "E02", max=12)
    q = load_questionnaire(copy_def)
    assert next(x for x in q.area("supervision").questions if x.id == "E02").max == 12
