"""Czech by Babel: every counted phrase of every output renders for 0, 1, 2, 5, 21 and 1.5 with the
form CLDR prescribes; units agree with their numbers; numbers, quotes and sections as Czech writes them."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from auditkit import lang
from auditkit.paths import report_templates_dir
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.render import WORDS, words
from auditkit.texts import texts
from auditkit.validation import problems as findings

NUMBERS = (0, 1, 2, 5, 21, 1.5)
# what CLDR says for these numbers: the test fails if a hand-made rule (or a wrong table) creeps in
EXPECTED = {"cs": ["other", "one", "few", "other", "other", "many"], "en": ["other", "one", "other", "other",
                                                                            "other", "other"]}
SHOWN = {"cs": ["0", "1", "2", "5", "21", "1,5"], "en": ["0", "1", "2", "5", "21", "1.5"]}


def _counted_phrases():
    """(where, {lang: forms}) of every counted phrase: report texts, catalogue phrases, terminal words."""
    out = []
    for name in ("common", "provider", "summary", "recommendations", "regional"):
        if not (report_templates_dir() / f"{name}.yaml").exists():
            continue
        t = texts(name)
        out += [(f"{name}.yaml:{key}", t.data[key]) for key in t.counted()]
    for code, entry in findings.catalogue().items():
        for key, value in (entry.get("phrases") or {}).items():
            if isinstance(value["cs"], dict):
                out.append((f"catalogue:{code}.{key}", value))
    for key in WORDS["cs"]:
        if isinstance(WORDS["cs"][key], dict):
            out.append((f"render:{key}", {"cs": WORDS["cs"][key], "en": WORDS["en"][key]}))
    return out


PHRASES = _counted_phrases()


def test_there_are_counted_phrases_in_every_output():
    where = {w.split(":")[0] for w, _ in PHRASES}
    assert {"render", "catalogue", "provider.yaml", "summary.yaml"} <= where


def _fill(text: str) -> dict:
    return {name: f"<{name}>" for _, name, _, _ in string.Formatter().parse(text) if name and name != "n"}


@pytest.mark.parametrize("where,forms", PHRASES, ids=[w for w, _ in PHRASES])
@pytest.mark.parametrize("code", ["cs", "en"])
def test_each_counted_phrase_renders_for_0_1_2_5_21_and_1_5(where, forms, code):
    for n, category, shown in zip(NUMBERS, EXPECTED[code], SHOWN[code], strict=True):
        assert lang.category(n, code) == category
        chosen = forms[code].get(category) or forms[code]["other"]
        text = lang.count(n, forms[code], code, **_fill(chosen))
        assert text == chosen.format(n=shown, **_fill(chosen)), (where, n)
        assert "{" not in text and "}" not in text


def test_czech_forms_of_a_counted_phrase():
    got = [words("totals", "cs", n=n, valid=0, invalid=0, skipped=0).split(" –")[0] for n in NUMBERS]
    assert got == ["0 souborů", "1 soubor", "2 soubory", "5 souborů", "21 souborů", "1,5 souboru"]
    got = [words("report_written", "cs", n=n, path="x.pdf") for n in (1, 6)]
    assert got == ["Zpráva uložena: x.pdf (srovnání s 1 službou)", "Zpráva uložena: x.pdf (srovnání s 6 službami)"]
    assert words("totals", "en", n=1, valid=1, invalid=0, skipped=0).startswith("1 file –")


def test_catalogue_phrase_takes_its_form():
    assert findings.phrase("file_too_large", "sheets", "cs", n=1) == "1 list"
    assert findings.phrase("file_too_large", "sheets", "cs", n=3) == "3 listy"
    assert findings.phrase("file_too_large", "sheets", "cs", n=300) == "300 listů"


def test_every_questionnaire_unit_declines_with_its_number():
    q = default_questionnaire()
    units = {(x.unit.cs, x.unit.en) for a in q.areas for x in a.questions if x.unit}
    units |= {(i.unit.cs, i.unit.en) for i in q.indicators if i.unit}
    for cs, en in units:
        assert lang.known_unit(cs, "cs"), f"unit {cs!r} missing from templates/reports/units.yaml (cs)"
        assert lang.known_unit(en, "en"), f"unit {en!r} missing from templates/reports/units.yaml (en)"
    nb = "\u00a0"
    assert [lang.with_unit(n, "týdny", "cs") for n in NUMBERS] == [
        f"0{nb}týdnů", f"1{nb}týden", f"2{nb}týdny", f"5{nb}týdnů", f"21{nb}týdnů", f"1,5{nb}týdne"]
    assert lang.with_unit(13, "měsíce", "cs") == f"13{nb}měsíců"
    assert lang.with_unit(1, "pobyty", "cs") == f"1{nb}pobyt"
    assert lang.with_unit(1.5, "úvazky", "cs") == f"1,5{nb}úvazku"
    assert lang.with_unit(40, "%", "cs") == f"40{nb}%"
    assert lang.with_unit(1, "weeks", "en") == f"1{nb}week" and lang.with_unit(40, "%", "en") == "40%"


def test_numbers_quotes_sections_and_shares():
    nb = "\u00a0"
    assert lang.number(12345.5, 1, "cs") == f"12{nb}345,5"
    assert lang.number(12345.5, 1, "en") == "12,345.5"
    assert lang.number(-3, 0, "cs") == "\u22123"
    assert lang.percent(16.67, 0, "cs") == f"17{nb}%"
    assert lang.quote("Kotva", "cs") == "\u201eKotva\u201c"
    assert lang.section(91) == f"§{nb}91"
    spisu = {"one": "{n} spisu", "other": "{n} spisů"}
    assert lang.share(1, 6, spisu, "cs") == f"1 ze 6 spisů (17{nb}%)"
    assert lang.share(2, 5, spisu, "cs") == f"2 z 5 spisů (40{nb}%)"
    assert lang.share(1, 1, spisu, "cs") == f"1 z 1 spisu (100{nb}%)"
    assert lang.share(1, 6, {"one": "{n} file", "other": "{n} files"}, "en") == "1 of 6 files (17%)"
    assert [lang.of(n, "cs") for n in (1, 2, 3, 4, 5, 6, 7, 8, 12, 21, 40, 50, 100, 500, 2000)] == [
        "z", "ze", "ze", "ze", "z", "ze", "ze", "z", "ze", "ze", "ze", "z", "ze", "z", "ze"]


def test_no_hand_made_plural_left_in_the_texts():
    """A number placeholder followed by a plural noun in a plain (not counted) text is a hand-made
    plural ("{n} služeb"): it must be a counted phrase instead."""
    bad = re.compile(r"\{(n|k|count|files)\}\s+(služ|soubor|spis|zjištěn|list|domácn)")
    for path in report_templates_dir().glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for text in _strings(data):
            assert not bad.search(text), f"{path.name}: {text}"


def _strings(node):
    if isinstance(node, dict):
        if set(node) & set(lang.CATEGORIES):
            return
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, str):
        yield node
