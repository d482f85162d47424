"""Largest-remainder percentages (SPEC §4): always 100, never a whole point off."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dilemmaboard.voting.results import largest_remainder_percentages


@settings(max_examples=500, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=5, max_size=5))
def test_percentages_sum_to_100_and_stay_within_a_point(counts):
    percents = largest_remainder_percentages(counts)
    total = sum(counts)
    if total == 0:
        assert percents == [0, 0, 0, 0, 0]
        return
    assert sum(percents) == 100
    for count, percent in zip(counts, percents, strict=True):
        assert abs(percent - 100 * count / total) < 1


def test_seed_report_numbers():
    assert largest_remainder_percentages([5, 12, 18, 5, 113]) == [3, 8, 12, 3, 74]


def test_no_votes_gives_zeros():
    assert largest_remainder_percentages([0] * 5) == [0] * 5


def test_three_way_tie_sums_to_100():
    assert sum(largest_remainder_percentages([1, 1, 1, 0, 0])) == 100
