"""Derived data kept between runs (auditkit.usercache): the checked questionnaire definitions, the CLDR
items taken from Babel and the name forms are reused only while their sources are unchanged, only from a
folder no one else can write, and anything wrong with the cache falls back to building them."""

from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from auditkit import lang, usercache
from auditkit.paths import questionnaires_dir
from auditkit.questionnaire import loader
from auditkit.questionnaire.loader import DefinitionError, registry


@pytest.fixture(autouse=True)
def builtin_kinds_only(monkeypatch) -> None:
    """Another test may have registered a question kind of its own: runs with such kinds are never cached."""
    from auditkit.questionnaire.kinds import KINDS

    for name, kind in list(KINDS.items()):
        if not type(kind).__module__.startswith("auditkit."):
            monkeypatch.delitem(KINDS, name)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("AUDITKIT_CACHE_DIR", str(folder))
    monkeypatch.delenv("AUDITKIT_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A folder of questionnaires a test may edit (AUDITKIT_QUESTIONNAIRES): a copy of the bundled one under
    another id, found beside it."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(questionnaires_dir(), folder)
    main = next(folder.glob(f"*/{loader.MAIN_FILE}"))
    main.write_text(main.read_text(encoding="utf-8").replace("id: ad-procesni-audit", "id: ad-kopie", 1),
                    encoding="utf-8")
    monkeypatch.setenv("AUDITKIT_QUESTIONNAIRES", str(folder))
    return folder


@pytest.fixture
def builds(monkeypatch) -> list[tuple[Path, ...]]:
    """Every time the definitions are built from YAML (the loader's ``_discover``), its folders."""
    seen: list[tuple[Path, ...]] = []
    real = loader._discover

    def spy(roots: tuple[Path, ...]):
        seen.append(roots)
        return real(roots)

    monkeypatch.setattr(loader, "_discover", spy)
    return seen


def load(root: Path) -> dict:
    """The definitions as a new run finds them (nothing kept in this process); only the copy in ``root``."""
    loader._cached.cache_clear()
    return {key: q for key, q in registry().items() if key[0] != "ad-procesni-audit"}


def main_file(root: Path) -> Path:
    return next(root.glob(f"*/{loader.MAIN_FILE}"))


def test_definitions_are_built_once_then_read_back_equal(cache, root, builds):
    first = load(root)
    assert len(builds) == 1 and list(cache.glob("questionnaires-*.pickle"))
    second = load(root)
    assert len(builds) == 1  # read back, not built
    assert second == first
    (q,) = second.values()
    assert q.questions() and q.areas[0].questions[0].label.cs


def test_an_edited_file_is_read_again(cache, root, builds):
    before = load(root)
    main = main_file(root)
    main.write_text(main.read_text(encoding="utf-8").replace("  cs: Procesní audit", "  cs: Upravený audit", 1),
                    encoding="utf-8")
    after = load(root)
    assert len(builds) == 2
    (q_before,), (q_after,) = before.values(), after.values()
    assert q_after.title.cs.startswith("Upravený audit") and not q_before.title.cs.startswith("Upravený")


def test_an_edited_area_file_is_read_again(cache, root, builds):
    load(root)
    area = next(main_file(root).parent.glob("areas/a_*.yaml"))
    area.write_text(area.read_text(encoding="utf-8") + "\n# a methodologist's note\n", encoding="utf-8")
    load(root)
    assert len(builds) == 2


def test_a_broken_definition_fails_with_its_file_even_after_a_good_one_was_kept(cache, root):
    load(root)
    area = next(main_file(root).parent.glob("areas/a_*.yaml"))
    area.write_text(area.read_text(encoding="utf-8").replace("kind: yes_no", "kind: yes_maybe", 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        load(root)
    assert area.name in str(err.value) and "yes_maybe" in str(err.value)
    with pytest.raises(DefinitionError):  # and at every later run: a definition with an error is never kept
        load(root)


def test_a_new_questionnaire_folder_is_found(cache, root, builds):
    assert len(load(root)) == 1
    copy = Path(shutil.copytree(main_file(root).parent, root / "second"))
    main = copy / loader.MAIN_FILE
    main.write_text(main.read_text(encoding="utf-8").replace("id: ad-kopie", "id: ad-druhy", 1),
                    encoding="utf-8")
    assert {key[0] for key in load(root)} == {"ad-kopie", "ad-druhy"}
    assert len(builds) == 2


def test_a_cache_folder_others_can_write_is_not_read(cache, root, builds):
    load(root)
    os.chmod(cache, 0o777)
    load(root)
    assert len(builds) == 2


def test_a_corrupt_entry_is_rebuilt_silently(cache, root, builds):
    load(root)
    (entry,) = cache.glob("questionnaires-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert len(load(root)) == 1
    assert len(builds) == 2
    load(root)
    assert len(builds) == 2  # the rebuilt entry is read back


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch, root, builds):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("AUDITKIT_CACHE_DIR", str(blocker / "cache"))
    assert len(load(root)) == 1 and len(load(root)) == 1
    assert len(builds) == 2


def test_the_cache_can_be_turned_off(cache, root, builds, monkeypatch):
    monkeypatch.setenv("AUDITKIT_NO_CACHE", "1")
    load(root)
    load(root)
    assert len(builds) == 2 and not cache.exists()


def test_definitions_are_not_kept_while_a_program_registered_a_kind_of_its_own(cache, root, builds, monkeypatch):
    from auditkit.questionnaire.kinds import KINDS, Kind

    class Stars(Kind):
        name = "stars_of_a_program"

    monkeypatch.setitem(KINDS, Stars.name, Stars())
    load(root)
    load(root)
    assert len(builds) == 2 and not list(cache.glob("questionnaires-*.pickle"))


def test_entries_of_other_folders_are_pruned(cache, tmp_path):
    for i in range(12):
        usercache.store(f"questionnaires-{i:02d}", "key", {"n": i}, keep=8)
    assert len(list(cache.glob("questionnaires-*.pickle"))) <= 8
    assert usercache.load("questionnaires-11", "key") == {"n": 11}
    assert usercache.load("questionnaires-11", "another key") is None


# -- the CLDR items: Babel's own results, from the kept items as from its whole locale data ---------------

NUMBERS = [0, 1, 2, 3, 4, 5, 11, 21, 22, 101, 1000, 12345, 1234567, 0.5, 1.5, 2.25, 4.0, 21.1, -1, -3.5, -1234.5]


@pytest.mark.parametrize("code", ["cs", "en"])
def test_numbers_and_plurals_from_the_kept_cldr_items_are_babels(cache, code):
    from babel import Locale
    from babel.numbers import format_decimal

    full = Locale.parse(code)
    forms = {"one": "{n} one", "few": "{n} few", "many": "{n} many", "other": "{n} other"}
    for run in ("built", "read back"):
        lang._locale.cache_clear()
        for x in NUMBERS:
            for decimals in (0, 1, 2):
                shown = Decimal(f"{float(x):.{decimals}f}")
                want = format_decimal(round(float(x), decimals), format="#,##0" + ("." + "0" * decimals if decimals else ""),
                                      locale=full).replace("-", "\u2212")
                assert lang.number(x, decimals, code) == want, (run, x, decimals)
                assert lang.category(x, code, decimals) == full.plural_form(shown), (run, x, decimals)
                assert lang.count(x, forms, code, decimals) == f"{want} {full.plural_form(shown)}"
        assert (cache / f"cldr-{code}.pickle").exists()


def test_anything_else_babel_asks_of_the_locale_comes_from_its_whole_data(cache):
    lang._locale.cache_clear()
    lang.number(1, 0, "cs")
    lang._locale.cache_clear()
    kept = lang._locale("cs")  # from the cache: the plural rules and number symbols only
    assert kept.decimal_formats[None].pattern == "#,##0.###"
    assert kept.territories["CZ"] == "Česko"


# -- words files ---------------------------------------------------------------------------------------------

def test_a_words_file_is_kept_until_it_changes_and_a_broken_one_fails(cache, tmp_path, monkeypatch):
    from auditkit import words
    from auditkit.paths import report_templates_dir

    folder = Path(shutil.copytree(report_templates_dir(), tmp_path / "reports"))
    monkeypatch.setattr(words, "report_templates_dir", lambda: folder)
    cli = folder / "cli.yaml"

    def read() -> dict:
        words.words.cache_clear()  # a new run
        return words.words("cli").data

    before = read()
    assert (cache / "words-cli.pickle").exists() and read() == before
    cli.write_text(cli.read_text(encoding="utf-8").replace("no_files:", "no_files_renamed:", 1), encoding="utf-8")
    after = read()
    assert any(k.endswith("no_files_renamed") for k in after) and not any(k.endswith("no_files_renamed") for k in before)
    cli.write_text("terminal: [not, words\n", encoding="utf-8")
    with pytest.raises(words.TextError) as err:
        read()
    assert "cli.yaml" in str(err.value)
