"""Words as data (auditkit.words): every words file loads with cs and en and the same placeholders, and a
mistake in one names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import words
from auditkit.paths import report_templates_dir
from auditkit.words import TextError, load_texts, placeholders


def _texts_files() -> list[Path]:
    return [p for p in sorted(report_templates_dir().glob("*.yaml")) if p.name != "units.yaml"]


@pytest.mark.parametrize("path", _texts_files(), ids=lambda p: p.name)
def test_every_words_file_has_both_languages_with_the_same_placeholders(path: Path) -> None:
    t = load_texts(path)
    assert t.data
    for key, entry in t.data.items():
        assert set(entry) == {"cs", "en"}, key
        names = {}
        for lang, text in entry.items():
            forms = text.values() if isinstance(text, dict) else [text]
            names[lang] = set().union(*(placeholders(f) for f in forms))
        assert names["cs"] == names["en"], key


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "says"), [
    ('a:\n  b: {cs: "Zadejte {expected}.", en: "Enter {expectd}."}\n',
     r"key 'a\.b': cs and en use different placeholders \(only cs: \{expected\}; only en: \{expectd\}\)"),
    ('a:\n  b: {cs: "Jen česky"}\n', r"key 'a\.b': missing translation en"),
    ('a:\n  b: {cs: "", en: "Empty Czech"}\n', r"key 'a\.b': missing translation cs"),
    ('a:\n  b: {cs: "x", en: "y", de: "z"}\n', r"key 'a\.b': unexpected fields de"),
    ('a:\n  b: 3\n', r"key 'a\.b': expected \{cs: …, en: …\}, got int"),
    ('a:\n  b: {cs: "Nejvýše {n", en: "At most {n}"}\n', r"key 'a\.b': unbalanced braces"),
    ('a:\n  b: {cs: "x", en: "y"\n', r"broken\.yaml: line \d+, column \d+: not valid YAML"),
    ('- a\n- b\n', r"expected keys with \{cs: …, en: …\} at the top level, got list"),
    ('n:\n  cs: {one: "{n} soubor", other: "{n} souborů"}\n  en: {one: "{n} file", other: "{n} files"}\n',
     r"key 'n': plural forms missing or unknown \(needs cs: one, few, many, other\)"),
])
def test_a_mistake_names_the_file_and_the_key(tmp_path: Path, text: str, says: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(TextError, match=says) as caught:
        load_texts(path)
    assert str(caught.value).startswith(str(path))


def test_views_read_the_file_on_first_use_and_keep_the_shapes() -> None:
    headers = words.by_key("workbook", "headers")
    annotation = words.by_lang("workbook", "annotation")
    cover = words.entry("workbook", "sheets.cover")
    assert headers["answer"] == {"cs": "Odpověď", "en": "Answer"}
    assert annotation["en"]["title"] == "Workbook check: what to fix"
    assert dict(cover) == {"cs": "Úvod", "en": "Cover"}
    assert set(annotation) == {"cs", "en"}
    with pytest.raises(TextError, match="workbook.yaml: missing group 'nothing'"):
        words.by_lang("workbook", "nothing")["cs"]
    with pytest.raises(TextError, match="workbook.yaml: missing key 'sheets.nothing'"):
        words.entry("workbook", "sheets.nothing")["cs"]
