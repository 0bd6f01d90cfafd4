"""Typed messages: every catalogue code declares its parameters (the placeholders of its cs and en texts,
which must agree), and a message built with a missing, extra or misspelt parameter is refused. The same for
the usage and environment errors (errors.MESSAGES)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from auditkit import errors
from auditkit.errors import ParamsError
from auditkit.validation import problems as findings
from auditkit.validation.problems import catalogue, make, params, phrase

SRC = Path(findings.__file__).resolve().parent.parent
LOCATION = {"sheet", "cell", "question_id", "value"}
_CALLS = {"make", "add"}  # findings.make(code, lang, file, …), ctx.add(code, …) and validate_plan's add(code, …)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _calls() -> list[tuple[str, int, str, set[str], bool]]:
    """(file, line, code, keywords, has **kwargs) of every call that builds a catalogue message from a literal code."""
    codes = set(catalogue())
    out = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            first = node.args[0]
            if name in _CALLS and isinstance(first, ast.Constant) and first.value in codes:
                keywords = {k.arg for k in node.keywords if k.arg is not None}
                spread = any(k.arg is None for k in node.keywords)
                out.append((str(path.relative_to(SRC)), node.lineno, first.value, keywords - {"severity"}, spread))
    return out


def test_the_call_sites_are_found() -> None:
    found = _calls()
    assert len(found) > 40
    assert {c[2] for c in found} >= {"meta_missing", "sheet_missing", "records_inconsistent", "plan_not_a_plan"}


@pytest.mark.parametrize("call", _calls(), ids=lambda c: f"{c[0]}:{c[1]}:{c[2]}")
def test_every_call_site_gives_exactly_the_declared_parameters(call: tuple[str, int, str, set[str], bool]) -> None:
    where, line, code, keywords, spread = call
    declared = params(code)
    extra = keywords - declared - LOCATION
    assert not extra, f"{where}:{line}: {code} does not take {sorted(extra)} (declared {sorted(declared)})"
    if not spread:  # with **where only what is written can be checked; make() checks the rest when it runs
        missing = declared - keywords
        assert not missing, f"{where}:{line}: {code} needs {sorted(missing)}"


def test_every_code_is_used_in_the_code() -> None:
    """A code nobody can raise is dead text; every code appears as a literal in src (a call or a Problem)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py"))
    unused = [code for code in catalogue() if not re.search(rf"[\"']{re.escape(code)}[\"']", text)]
    assert not unused


@pytest.mark.parametrize("code", sorted(catalogue()))
def test_every_code_renders_with_its_declared_parameters(code: str) -> None:
    declared = params(code)
    given = {p: f"<{p}>" for p in declared - LOCATION}
    located = {p: f"<{p}>" for p in declared & LOCATION}
    for lang in ("cs", "en"):
        f = make(code, lang, "a.xlsx", **located, **given)
        for p in declared:
            assert f"<{p}>" in f.message, (lang, p)
        assert not re.search(r"\{\w+\}", f.message), f.message
    for key, texts in (catalogue()[code].get("phrases") or {}).items():
        names = set().union(*(_fields(t) for t in (texts["cs"].values() if isinstance(texts["cs"], dict) else [texts["cs"]])))
        for lang in ("cs", "en"):
            assert "{" not in phrase(code, key, lang, **{n: 2 for n in names})


def test_make_refuses_a_missing_an_extra_and_a_misspelt_parameter() -> None:
    with pytest.raises(ParamsError, match="answer_type.*missing expected"):
        make("answer_type", "cs", "a.xlsx", value="x")
    with pytest.raises(ParamsError, match="answer_type.*missing expected.*not in its message expcted"):
        make("answer_type", "cs", "a.xlsx", value="x", expcted="celé číslo")
    with pytest.raises(ParamsError, match="file_empty.*not in its message detail"):
        make("file_empty", "cs", "a.xlsx", detail="0 B")
    with pytest.raises(ParamsError, match="answer_type.*needs value"):
        make("answer_type", "cs", "a.xlsx", expected="celé číslo")
    with pytest.raises(ParamsError, match="no code 'answer_typo'"):
        make("answer_typo", "cs", "a.xlsx")
    with pytest.raises(ParamsError, match="file_skipped.*phrase 'suffix'.*missing suffix"):
        phrase("file_skipped", "suffix", "cs")
    with pytest.raises(ParamsError, match="has no phrase 'sufix'"):
        phrase("file_skipped", "sufix", "cs", suffix=".txt")
    f = make("answer_type", "cs", "a.xlsx", sheet="A Smlouva", cell="C5", value="x", expected="celé číslo")
    assert f.message == "List A Smlouva, buňka C5: Očekáváno celé číslo, zadáno „x“. Opravte hodnotu."


def test_the_catalogue_texts_use_the_same_placeholders_in_cs_and_en() -> None:
    for code, entry in catalogue().items():
        assert _fields(entry["cs"]) == _fields(entry["en"]) == set(entry["params"]), code


def test_a_placeholder_typo_in_the_catalogue_names_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "catalogue.yaml"
    text = findings._CATALOGUE.read_text(encoding="utf-8")
    broken.write_text(text.replace("Expected {expected}, found", "Expected {expceted}, found", 1), encoding="utf-8")
    monkeypatch.setattr(findings, "_CATALOGUE", broken)
    findings.catalogue.cache_clear()
    try:
        with pytest.raises(errors.DefinitionError, match=r"code 'answer_type': message: cs and en use different "
                                                          r"placeholders \(only cs: \{expected\}; only en: \{expceted\}\)"):
            catalogue()
    finally:
        findings.catalogue.cache_clear()


# -- usage and environment errors ---------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(errors.MESSAGES))
def test_every_usage_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = errors.MESSAGES[key]
    assert set(texts) == {"cs", "en"}
    assert _fields(texts["cs"]) == _fields(texts["en"]), key
    error = errors.UsageError(key, **{p: f"<{p}>" for p in _fields(texts["cs"])})
    for lang in ("cs", "en"):
        assert not re.search(r"\{\w+\}", error.message(lang))


def _usage_calls() -> list[tuple[str, int, str, set[str], bool]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in ("UsageError", "EnvironmentProblem"):
                keywords = {k.arg for k in node.keywords if k.arg is not None}
                spread = any(k.arg is None for k in node.keywords)
                out.append((str(path.relative_to(SRC)), node.lineno, node.args[0].value, keywords, spread))
    return out


@pytest.mark.parametrize("call", _usage_calls(), ids=lambda c: f"{c[0]}:{c[1]}:{c[2]}")
def test_every_usage_error_gives_exactly_its_message_parameters(call: tuple[str, int, str, set[str], bool]) -> None:
    where, line, key, keywords, spread = call
    assert key in errors.MESSAGES, f"{where}:{line}: no usage message {key!r}"
    declared = _fields(errors.MESSAGES[key]["cs"])
    assert not keywords - declared, f"{where}:{line}: {key} does not take {sorted(keywords - declared)}"
    assert spread or not declared - keywords, f"{where}:{line}: {key} needs {sorted(declared - keywords)}"


def test_the_usage_calls_are_found() -> None:
    assert {c[2] for c in _usage_calls()} >= {"path_missing", "out_exists", "disk_full"}


def test_a_usage_error_with_a_wrong_parameter_is_refused() -> None:
    with pytest.raises(ParamsError, match="out_suffix.*missing suggestion.*not in its message sugestion"):
        errors.UsageError("out_suffix", path="x", suffix=".pdf", sugestion="x.pdf")
    with pytest.raises(ParamsError, match="no usage message 'path_mising'"):
        errors.UsageError("path_mising", path="x")
