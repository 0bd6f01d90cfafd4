"""The round statistics without pandas: quartiles and Spearman's ρ as pandas, numpy and R (type 7) give them."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditkit.summary import ranks, spearman, stats


def test_quartiles_interpolate_between_ranks():
    s = stats([4.0, 1.0, None, 3.0, 2.0, math.nan])
    assert (s.n, s.min, s.q1, s.median, s.q3, s.max) == (4, 1.0, 1.75, 2.5, 3.25, 4.0)
    one = stats([7.0])
    assert (one.n, one.q1, one.median, one.q3) == (1, 7.0, 7.0, 7.0)
    assert stats([None]).n == 0 and stats([]).median is None


def test_spearman_known_values():
    assert ranks([10.0, 20.0, 20.0, 5.0]) == [2.0, 3.5, 3.5, 1.0]
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8208, abs=1e-4)
    assert spearman([1, 2, 3], [3, 2, 1]) == -1.0
    assert spearman([1, 2], [1, 2]) is None  # too few points
    assert spearman([1, 2, 3], [4, 4, 4]) is None  # a constant side has no rank correlation


@given(st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=30))
def test_quartiles_are_ordered_and_within_range(xs):
    s = stats(xs)
    assert s.min <= s.q1 <= s.median <= s.q3 <= s.max
    assert s.median == pytest.approx(sorted(xs)[len(xs) // 2] if len(xs) % 2 else
                                     (sorted(xs)[len(xs) // 2 - 1] + sorted(xs)[len(xs) // 2]) / 2)
