"""Czech input normalisation, by example and by property."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditkit.excel.normalize import (
    CellError,
    clean_text,
    fold,
    normalize_cell,
    normalize_row,
    parse_date,
    parse_number,
    parse_percent,
)
from auditkit.questionnaire.loader import default_questionnaire
from auditkit.validation.cells import parse


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2,5", 2.5), ("1 234,5", 1234.5), ("1\u00a0234", 1234), (" 3 ", 3), ("1.5", 1.5), (4.0, 4), ("-2", -2),
     ("1.234,5", 1234.5), ("1,234.5", 1234.5)],
)
def test_numbers(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["dvakrát", "2,5,1", "1.2.3", "", "1e999", "nan", "inf", True, float("nan")])
def test_not_numbers(raw):
    with pytest.raises(CellError):
        parse_number(raw)


def test_integers_reject_fractions():
    assert parse_number("12", integer=True) == 12
    with pytest.raises(CellError):
        parse_number("2,5", integer=True)


@pytest.mark.parametrize(("raw", "expected"), [("40 %", 40), ("40%", 40), (0.4, 40), ("0,4", 40), (40, 40), (0, 0)])
def test_percent(raw, expected):
    assert parse_percent(raw) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("30. 3. 2023", dt.date(2023, 3, 30)), ("30.3.2023", dt.date(2023, 3, 30)), ("30.03.23", dt.date(2023, 3, 30)),
     ("2023-03-30", dt.date(2023, 3, 30)), (dt.datetime(2023, 3, 30, 0, 0), dt.date(2023, 3, 30)),
     (45015, dt.date(2023, 3, 30))],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31. 2. 2023", "včera", "2023/30/3", -5])
def test_not_dates(raw):
    with pytest.raises(CellError):
        parse_date(raw)


def test_text_cleaning():
    assert clean_text("  Ano\u00a0\u200b ") == "Ano"
    assert clean_text("a\u202eb\u2066c") == "abc"
    assert fold("ČÁSTEČNĚ ") == "castecne"
    assert normalize_cell("   ") is None
    assert normalize_cell(3.0) == 3 and isinstance(normalize_cell(3.0), int)


CELLS = st.one_of(
    st.none(), st.text(max_size=40), st.integers(min_value=-10**20, max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)), st.datetimes(), st.sampled_from(["#DIV/0!", "N/A", "ano", "2,5", "1e308"]),
)


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_any_cell_gives_a_value_or_a_catalogued_problem(raw):
    from auditkit.validation.problems import catalogue

    q = default_questionnaire()
    items = [*q.identification] + [x for a in q.areas for x in a.questions] + [c for r in q.records for c in r.columns]
    kinds_seen = set()
    for item in items:
        if item.kind in kinds_seen and item.kind not in ("choice", "multi_choice"):
            continue
        kinds_seen.add(item.kind)
        try:
            status, _ = parse(q, item, normalize_cell(raw))
            assert status in {"answered", "blank", "na", "not_evidenced"}
        except CellError as p:
            assert p.code in catalogue()


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=12))
def test_a_row_is_normalised_as_its_cells_are_one_by_one(row):
    """The reader's row loop (cached texts looked up inline) gives what normalize_cell gives cell by cell,
    a second time too (when the texts are cached)."""
    first = normalize_row(row)  # texts not seen before: through normalize_cell
    expected = [normalize_cell(v) for v in row]
    for got in (first, normalize_row(row)):
        assert [type(v) for v in got] == [type(v) for v in expected]
        assert all(a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
                   for a, b in zip(got, expected, strict=True))
