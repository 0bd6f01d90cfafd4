"""Hostile and messy input: nothing crashes, nothing is lost, nothing leaks (docs/security.md).

Every case of tests/hostile.py is validated by the real command line in its own process, which reports
its peak memory; tests assert on findings, exit code, the absence of tracebacks and memory, and print
the time (never asserted: timings depend on the machine). Run with ``-s`` to see the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import hostile
import openpyxl
import pytest
from conftest import validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditkit.excel import reader
from auditkit.excel.normalize import clean_text, normalize_cell
from auditkit.validation.batch import mark_duplicate_services, validate_paths
from auditkit.validation.problems import catalogue
from auditkit.validation.workbook import validate_file

MAX_RSS_MIB = 500
A, B, C, E, COVER = hostile.A, hostile.B, hostile.C, hostile.E, hostile.COVER

# (status, error findings as {(sheet, cell, code)}, warnings that must be there)
INVALID = "invalid"
VALID = "valid"
EXPECTED: dict[str, tuple[str, set[tuple[str | None, str | None, str]], set[tuple[str | None, str | None, str]]]] = {
    "empty": (INVALID, {(None, None, "file_empty")}, set()),
    "random_bytes": (INVALID, {(None, None, "file_not_workbook")}, set()),
    "csv_renamed": (INVALID, {(None, None, "file_not_workbook")}, set()),
    "docx_renamed": (INVALID, {(None, None, "file_not_workbook")}, set()),
    "ole_not_workbook": (INVALID, {(None, None, "file_not_workbook")}, set()),
    "truncated_zip": (INVALID, {(None, None, "file_unreadable")}, set()),
    "missing_workbook_part": (INVALID, {(None, None, "file_part_missing")}, set()),
    "missing_sheet_part": (INVALID, {(B, None, "file_part_missing")}, set()),
    "password_protected": (INVALID, {(None, None, "file_encrypted")}, set()),
    "zip_encrypted_member": (INVALID, {(None, None, "file_encrypted")}, set()),
    "xls_from_libreoffice": (VALID, set(), set()),
    "ods_from_libreoffice": (VALID, set(), set()),
    "ods_repeated_cells": (INVALID, {(None, None, "file_too_large")}, set()),
    "zip_bomb": (INVALID, {(None, None, "file_too_large")}, set()),
    "zip_bomb_lying": (INVALID, {(None, None, "file_unreadable")}, set()),
    "billion_laughs_sheet": (INVALID, {(None, None, "file_unsafe")}, set()),
    "billion_laughs_shared_strings": (INVALID, {(None, None, "file_unsafe")}, set()),
    "external_entity_sheet": (INVALID, {(None, None, "file_unsafe")}, set()),
    "external_entity_shared_strings": (INVALID, {(None, None, "file_unsafe")}, set()),
    "doctype_after_comment": (INVALID, {(None, None, "file_unsafe")}, set()),
    "doctype_utf16": (INVALID, {(None, None, "file_unsafe")}, set()),
    "shared_string_bomb": (INVALID, {(None, None, "file_text_too_large")}, set()),
    "rows_60000": (INVALID, {(B, "B60016", "sheet_too_many_rows")}, set()),
    "formatted_rows_60000": (VALID, set(), set()),
    "far_cell": (INVALID, {(E, "XFD200", "sheet_too_many_cells")}, set()),
    "far_cell_hidden_in_attribute": (INVALID, {(E, "XFD4000", "sheet_too_many_cells")}, set()),
    "far_cell_without_reference": (INVALID, {(E, "K1048577", "sheet_too_many_rows")}, set()),
    "far_cell_prefixed": (INVALID, {(E, "A900000", "sheet_too_many_rows")}, set()),
    "far_cell_second_reference": (INVALID, {(E, "C70", "cell_reference_invalid")}, set()),
    "far_cell_second_reference_quoted": (INVALID, {(E, "C70", "cell_reference_invalid")}, set()),
    "cell_in_row_0": (INVALID, {(E, "A0", "cell_reference_invalid")}, set()),
    "many_sheets": (INVALID, {(None, None, "file_too_large")}, set()),
    "many_merged_ranges": (INVALID, {(E, None, "sheet_too_many_merged")}, set()),
    "formula_errors": (INVALID, {(E, "C6", "formula_error"), (E, "C7", "formula_error")}, set()),
    "merged_answer": (INVALID, {(A, "C10", "merged_cells")}, set()),
    "hidden_area_sheet": (VALID, set(), set()),
    "very_hidden_area_sheet": (VALID, set(), set()),
    "renamed_sheet": (VALID, set(), {("Supervize 2023", None, "sheet_renamed")}),
    "deleted_sheet": (INVALID, {(E, None, "sheet_missing")}, set()),
    "duplicated_sheet": (INVALID, {("E Supervize (2)", None, "sheet_duplicate")}, set()),
    "version_from_the_future": (INVALID, {("_meta", "B2", "version_unknown")}, set()),
    "invisible_characters": (VALID, set(), set()),
    "long_comment": (VALID, set(), set()),
    "extreme_numbers": (
        INVALID,
        {(C, "C5", "answer_type"), (C, "C7", "answer_type"), (E, "C6", "answer_range"), ("Personál", "B5", "record_range")},
        set(),
    ),
    "dates_before_1900": (INVALID, {(COVER, "C8", "answer_range"), (E, "C16", "answer_type")}, set()),
    "formula_like_text": (VALID, set(), set()),
    "uncalculated_formula": (VALID, set(), set()),
    "shared_strings": (VALID, set(), set()),
}

# the child: the real command line, then its peak memory (and its children's: the .xls/.ods reader)
_DRIVER = r"""
import json, resource, runpy, sys, time
report, sys.argv = sys.argv[1], ["auditkit", "validate", "--json", *sys.argv[2:]]
start, code = time.perf_counter(), 1
try:
    runpy.run_module("auditkit.cli", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    raise
finally:
    # VmHWM: this program's own peak (ru_maxrss would include the forked parent's memory before exec)
    with open("/proc/self/status") as fh:
        own = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
    own = own or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    with open(report, "w") as fh:
        json.dump({"rss_mib": rss / 1024, "seconds": time.perf_counter() - start}, fh)
"""


def _run_cli(path: Path, report: Path) -> dict[str, Any]:
    env = dict(os.environ, COLUMNS="200", PYTHONIOENCODING="utf-8")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _DRIVER, str(report), str(path)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    wall = time.perf_counter() - started
    measured = json.loads(report.read_text()) if report.exists() else {"rss_mib": float("nan"), "seconds": wall}
    return {"proc": proc, "wall": wall, **measured}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, good_workbook) -> dict[str, dict[str, Any]]:
    """Every case built and validated (two processes at a time); a case that cannot be built is skipped."""
    folder = tmp_path_factory.mktemp("hostile")
    built: dict[str, dict[str, Any]] = {}
    for name, build in hostile.CASES.items():
        case_dir = folder / name
        case_dir.mkdir()
        started = time.perf_counter()
        try:
            built[name] = {"path": build(good_workbook, case_dir)}
        except pytest.skip.Exception as exc:
            built[name] = {"skip": str(exc)}
        built[name]["build"] = time.perf_counter() - started

    def run(name: str) -> None:
        if "path" in built[name]:
            built[name].update(_run_cli(built[name]["path"], folder / f"{name}.json"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, built))
    return built


def test_every_case_has_an_expectation():
    assert set(hostile.CASES) == set(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_case(corpus, name):
    got = corpus[name]
    if "skip" in got:
        pytest.skip(got["skip"])
    status, errors, warnings = EXPECTED[name]
    proc = got["proc"]
    print(f"\n{name:34} {got['path'].stat().st_size:>10,} B   built {got['build']:5.2f} s   "
          f"validated {got['wall']:5.2f} s (in-process {got['seconds']:5.2f} s)   peak {got['rss_mib']:6.1f} MiB")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert got["rss_mib"] < MAX_RSS_MIB
    data = json.loads(proc.stdout)
    (result,) = data["files"] if isinstance(data, dict) else data
    findings = result["findings"]
    assert result["status"] == status, findings
    assert proc.returncode == (1 if status == INVALID else 0)
    assert {(f["sheet"], f["cell"], f["code"]) for f in findings if f["severity"] == "error"} == errors
    assert warnings <= {(f["sheet"], f["cell"], f["code"]) for f in findings if f["severity"] == "warning"}
    known = catalogue()
    for f in findings:
        assert f["code"] in known
        assert f["file"] == str(got["path"])  # the file is named
        assert "root:" not in f["message"] and "{" not in f["message"]  # nothing leaks, nothing unfilled


# -- what the cases that validate must still mean ------------------------------------------------
def _case(tmp_path: Path, good: Path, name: str) -> Path:
    return hostile.CASES[name](good, tmp_path)


def _answers(result) -> dict[str, Any]:
    return {k: (a.status, a.value) for k, a in result.audit.answers.items()}


def test_invisible_characters_are_cleaned(tmp_path, good_workbook):
    result = validate(_case(tmp_path, good_workbook, "invisible_characters"))
    answers = result.audit.answers
    assert answers["A02"].value == "yes" and answers["A03"].value == "partly"
    assert answers["E02"].value == 11 and answers["C03"].value == 3.8
    assert answers["A02"].comment == "doloženo smlouvou"
    assert result.audit.service.service_name == "Azylový dům Jasmín"


def test_long_comment_is_kept_whole(tmp_path, good_workbook):
    comment = validate(_case(tmp_path, good_workbook, "long_comment")).audit.answers["A03"].comment
    assert len(comment) == 32_000 - 1  # the trailing space is trimmed, nothing else


def test_text_that_looks_like_formulas_or_markup_is_kept_verbatim(tmp_path, good_workbook):
    answers = validate(_case(tmp_path, good_workbook, "formula_like_text")).audit.answers
    assert {qid: answers[qid].comment for qid in hostile.TEXT_LIKE_FORMULAS} == hostile.TEXT_LIKE_FORMULAS


def test_a_formula_never_calculated_is_read_as_its_text(tmp_path, good_workbook):
    answers = validate(_case(tmp_path, good_workbook, "uncalculated_formula")).audit.answers
    assert answers["A02"].comment == '=HYPERLINK("http://example.org","metodika")'


@pytest.mark.parametrize("name", ["shared_strings", "hidden_area_sheet", "very_hidden_area_sheet",
                                  "formatted_rows_60000", "xls_from_libreoffice", "ods_from_libreoffice"])
def test_legitimate_variants_read_the_same_answers(tmp_path, good_workbook, name):
    result = validate(_case(tmp_path, good_workbook, name))
    assert result.status == "valid", [f.message for f in result.findings]
    assert _answers(result) == _answers(validate(good_workbook))
    assert result.audit.records == validate(good_workbook).audit.records


def test_hidden_sheets_are_read_as_hidden(tmp_path, good_workbook):
    book = reader.read_workbook(_case(tmp_path, good_workbook, "very_hidden_area_sheet"))
    assert not book.sheets[E].visible and book.sheets[A].visible


# -- reader details --------------------------------------------------------------------------------
def test_values_keep_their_cells_when_a1_is_empty(tmp_path):
    """skip_empty_area=False already starts at A1: no second offset (C5 stays C5)."""
    wb = openpyxl.Workbook()
    wb.active["C5"] = "x"
    wb.active["D7"] = 2
    path = tmp_path / "offset.xlsx"
    wb.save(path)
    sheet = reader.read_workbook(path).sheets["Sheet"]
    assert sheet.get(4, 2) == "x" and sheet.get(6, 3) == 2


@pytest.mark.parametrize(
    ("head", "problem"),
    [
        (b'<?xml version="1.0"?><worksheet/>', None),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<sst/>", None),
        (b'<?xml version="1.0"?><!-- c --><?pi?><!DOCTYPE a [<!ENTITY x "y">]><a/>', "DOCTYPE"),
        (b"<!doctype a><a/>", "DOCTYPE"),
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"), "DOCTYPE"),
        ("<!DOCTYPE a><a/>".encode("utf-16-be"), "DOCTYPE"),
        (b'<!ENTITY x "y"><a/>', "<!ENTITY "),
        (b"<!-- " + b"x" * 70_000 + b" --><!DOCTYPE a><a/>", "XML prolog > 64 KiB"),
        (b"\x89PNG\r\n\x1a\n", None),
    ],
)
def test_prolog_scan(head, problem):
    assert reader._prolog_problem(head) == problem


def test_file_that_is_no_regular_file(tmp_path):
    folder = tmp_path / "book.xlsx"
    folder.mkdir()
    with pytest.raises(reader.ReadError) as err:
        reader.read_workbook(folder)
    assert err.value.code == "file_not_workbook"
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(reader.ReadError) as err:  # would block forever if opened
        reader.read_workbook(fifo)
    assert err.value.code == "file_not_workbook"


def test_limits_are_consistent():
    assert reader.MAX_ROWS * reader.MAX_COLS <= reader.MAX_CELLS
    assert reader.MAX_MEMBER_BYTES <= reader.MAX_TOTAL_BYTES
    assert reader.SANDBOX_MEMORY < MAX_RSS_MIB * 1024 * 1024


# -- batches ---------------------------------------------------------------------------------------
def _copy_with_service(good: Path, dst: Path, service_id: str) -> Path:
    return hostile.edited(good, dst, lambda wb: hostile.put(wb, COVER, "service_id", service_id))


def test_a_folder_of_good_and_bad_files_lists_every_file(tmp_path, good_workbook):
    folder = tmp_path / "kolo"
    (folder / "podslozka").mkdir(parents=True)
    shutil.copy(good_workbook, folder / "dobry.xlsx")
    _copy_with_service(good_workbook, folder / "podslozka" / "druhy.xlsx", "1234567")
    hostile.CASES["truncated_zip"](good_workbook, folder)
    hostile.CASES["billion_laughs_sheet"](good_workbook, folder)
    (folder / "~$dobry.xlsx").write_bytes(b"\x00owner")
    (folder / ".~lock.dobry.xlsx#").write_text("lock", encoding="utf-8")
    (folder / "poznamky.txt").write_text("poznámky", encoding="utf-8")
    (folder / "Thumbs.db").write_bytes(b"\x00" * 10)
    (folder / ".DS_Store").write_bytes(b"\x00" * 10)
    results = validate_paths([folder])
    by_name = {Path(r.file).name: r for r in results}
    assert len(results) == len([p for p in folder.rglob("*") if p.is_file()])  # every file, once
    assert {n for n, r in by_name.items() if r.status == "valid"} == {"dobry.xlsx", "druhy.xlsx"}
    assert {n for n, r in by_name.items() if r.status == "invalid"} == {"truncated.xlsx", "laughs-sheet.xlsx"}
    skipped = {n: r for n, r in by_name.items() if r.status == "skipped"}
    assert set(skipped) == {"~$dobry.xlsx", ".~lock.dobry.xlsx#", "poznamky.txt", "Thumbs.db", ".DS_Store"}
    for r in skipped.values():
        (finding,) = r.findings
        assert finding.code == "file_skipped" and finding.message.startswith("Soubor přeskočen: ")
    assert "zamykací" in skipped["~$dobry.xlsx"].findings[0].message
    assert ".txt" in skipped["poznamky.txt"].findings[0].message


def test_a_crash_in_one_file_does_not_stop_the_batch(tmp_path, good_workbook, monkeypatch):
    from auditkit.validation import workbook

    real = workbook.validate_file

    def flaky(path, lang="cs", name=None, **kw):
        if Path(path).name == "a.xlsx":
            raise RecursionError("maximum recursion depth exceeded")
        return real(path, lang=lang, name=name, **kw)

    monkeypatch.setattr(workbook, "validate_file", flaky)
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(good_workbook, tmp_path / name)
    a, b = validate_paths([tmp_path / "a.xlsx", tmp_path / "b.xlsx"])
    assert (a.status, [f.code for f in a.findings]) == ("invalid", ["internal_error"])
    assert "RecursionError" in a.findings[0].message
    assert b.status == "valid"


def test_duplicate_services_in_one_round(tmp_path, good_workbook):
    shutil.copy(good_workbook, tmp_path / "jasmin.xlsx")
    shutil.copy(good_workbook, tmp_path / "jasmin-kopie.xlsx")
    _copy_with_service(good_workbook, tmp_path / "jiny.xlsx", "7654321")
    hostile.edited(good_workbook, tmp_path / "jasmin-chyba.xlsx", lambda wb: hostile.put(wb, E, "E02", "dvakrát"))
    results = validate_paths([tmp_path])
    marked = mark_duplicate_services(results, "en")
    assert [r.file for r in marked] == [r.file for r in results]  # same files, same order
    by_name = {Path(r.file).name: r for r in marked}
    for name, other in (("jasmin.xlsx", "jasmin-kopie.xlsx"), ("jasmin-kopie.xlsx", "jasmin.xlsx")):
        r = by_name[name]
        assert r.status == "invalid"
        (finding,) = [f for f in r.findings if f.code == "file_duplicate_service"]
        assert finding.severity == "error" and "4827163" in finding.message and other in finding.message
        assert r.audit is not None  # the audit is kept for the report of rejected files
    assert by_name["jiny.xlsx"].status == "valid" and not by_name["jiny.xlsx"].findings
    # an invalid workbook of the same service is not counted, so it makes nobody a duplicate
    assert [f.code for f in by_name["jasmin-chyba.xlsx"].findings] == ["answer_type"]
    assert mark_duplicate_services([by_name["jiny.xlsx"]], "cs") == [by_name["jiny.xlsx"]]


# -- properties ------------------------------------------------------------------------------------
_XML_ILLEGAL = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"]
_texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=_XML_ILLEGAL), max_size=60)
_values = st.one_of(
    _texts,
    st.sampled_from(["=1+1", "+420", "-", "@x", "#DIV/0!", "<b>&amp;</b>", "\u00a0", "\u202e", "1e308", "NaN"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(min_value=dt.datetime(1800, 1, 1), max_value=dt.datetime(9999, 1, 1)),
    st.booleans(),
)


@settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(_values, min_size=1, max_size=6))
def test_reader_returns_values_for_any_cell_content(tmp_path, cells):
    """Whatever a cell holds, the reader returns a plain value for it (or a catalogued ReadError)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, value in enumerate(cells, start=1):
        ws.cell(row=i, column=2, value=value)
        if isinstance(value, str):
            ws.cell(row=i, column=2).data_type = "s"  # text, never a formula
    path = tmp_path / "prop.xlsx"
    wb.save(path)
    try:
        sheet = reader.read_workbook(path).sheets["Sheet"]
    except reader.ReadError as exc:
        assert exc.code in catalogue()
        return
    for i, value in enumerate(cells):
        got = sheet.get(i, 1)
        assert got is None or isinstance(got, (str, int, float, bool, dt.date, dt.datetime, dt.time, dt.timedelta))
        if isinstance(value, str) and "_x" not in value:
            assert got == normalize_cell(value)
        elif isinstance(value, bool):
            assert got is value


@settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "25")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=_values, comment=_values)
def test_validation_never_raises_for_any_answer(tmp_path, good_workbook, answer, comment):
    """Any content in an answer and a comment cell gives a value or catalogued findings, never an exception."""
    path = tmp_path / "prop.xlsx"

    def xml_cell(ref: str, value: Any) -> str:
        if isinstance(value, str):
            return hostile.inline(ref, value)
        if isinstance(value, bool):
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (dt.date, dt.datetime)):
            return hostile.inline(ref, value.isoformat())
        return f'<c r="{ref}"><v>{value!r}</v></c>'

    def change(xml: str) -> str:
        row = hostile.find_row_xml(xml, "E02")
        xml = hostile.replace_cell(xml, f"C{row}", xml_cell(f"C{row}", answer))
        return hostile.replace_cell(xml, f"D{row}", xml_cell(f"D{row}", comment))

    hostile.edit_sheet_xml(good_workbook, path, E, change)
    (result,) = validate_paths([path])
    assert result.status in ("valid", "invalid")
    assert all(f.code in catalogue() and f.code != "internal_error" for f in result.findings)


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from(list("ab \n\r\t\u00a0\u200b\u202eé\u0301\x0b\u2028\u3000\ufeff\u00ad"))))
def test_fast_path_of_normalisation_changes_nothing(text):
    assert normalize_cell(text) == (clean_text(text, keep_newlines=True) or None)


def test_a_real_workbook_is_far_below_the_limits(good_workbook):
    """The limits refuse hostile files, never a real one: a filled template is orders of magnitude below."""
    book = reader.read_workbook(good_workbook)
    with zipfile.ZipFile(good_workbook) as zf:
        assert all(i.file_size < reader.MAX_MEMBER_BYTES // 100 for i in zf.infolist())
    assert all(len(s.rows) < reader.MAX_ROWS // 10 for s in book.sheets.values())
    assert book.sha256 == hashlib.sha256(good_workbook.read_bytes()).hexdigest()


@pytest.mark.parametrize(("name", "suffix"), [(None, ".xls"), (None, ".ods"), ("xls_from_libreoffice", ".xlsx"),
                                              ("ods_from_libreoffice", ".xlsx")])
def test_a_misnamed_workbook_is_read_by_its_content(tmp_path, good_workbook, name, suffix):
    source = good_workbook if name is None else _case(tmp_path, good_workbook, name)
    misnamed = tmp_path / f"misnamed{suffix}"
    shutil.copy(source, misnamed)
    result = validate(misnamed)
    assert result.status == "valid", [f.message for f in result.findings]
    assert _answers(result) == _answers(validate(good_workbook))


def test_the_plain_cell_shortcut_stays_within_the_limits():
    """The reader skips locating cells when every tag is '<c r="A1" …>' within ZZ999: that must stay safe."""
    from auditkit.excel import reader

    assert reader._NEAR_ROWS <= reader.MAX_ROWS
    assert reader._NEAR_ROWS * reader._NEAR_COLS <= reader.MAX_CELLS


def test_the_reader_words_follow_the_language(tmp_path, good_workbook):
    """What the reader says about a file (counts, 'a folder') comes from the catalogue in each language."""
    many = _case(tmp_path, good_workbook, "many_sheets")
    (cs,), (en,) = validate(many, "cs").findings, validate(many, "en").findings
    assert cs.code == en.code == "file_too_large"
    assert "listů" in cs.message and "sheets" not in cs.message
    assert "sheets" in en.message and "listů" not in en.message
    (folder,) = validate_file(tmp_path, "cs").findings  # a folder given where a workbook is expected
    assert folder.code == "file_not_workbook" and "složka nebo zařízení" in folder.message
