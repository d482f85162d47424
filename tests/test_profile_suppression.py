"""Small-cell suppression in profiles.csv: no hidden count can be worked out.

The attacker here knows everything published about one option (its tally, the
shown counts, which cells are hidden) and the rule itself: every grid with the
same shown counts and the same tally for which the rule hides the same cells is
a possible truth. Each hidden cell must take more than one value across them.
"""
from __future__ import annotations

from itertools import combinations
from math import comb

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dilemmaboard.research.numbers import suppressed_cells

CELLS = 7  # the roles of profiles.csv: six answers and "unanswered"
MAX_GRIDS = 20_000  # how many candidate grids one example may enumerate


def splits(total: int, parts: int):
    """Every way of writing `total` as `parts` ordered non-negative integers."""
    for bars in combinations(range(total + parts - 1), parts - 1):
        previous = -1
        values = []
        for bar in (*bars, total + parts - 1):
            values.append(bar - previous - 1)
            previous = bar
        yield values


def possible_values(counts: list[int]) -> dict[int, set[int]]:
    """For each hidden cell, the values it has in some grid the published data allow."""
    hidden = suppressed_cells(counts)
    places = [i for i, h in enumerate(hidden) if h]
    total = sum(counts[i] for i in places)
    seen: dict[int, set[int]] = {i: set() for i in places}
    for values in splits(total, len(places)):
        grid = list(counts)
        for i, value in zip(places, values, strict=True):
            grid[i] = value
        if suppressed_cells(grid) == hidden:
            for i, value in zip(places, values, strict=True):
                seen[i].add(value)
    return seen


# Mostly small counts (where suppression happens), sometimes larger ones.
counts_strategy = st.lists(st.integers(0, 5) | st.integers(0, 14), min_size=CELLS,
                           max_size=CELLS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(counts_strategy)
@example([9, 9, 4, 4, 4, 9, 9])  # issue 16: three hidden cells summing to 12 are all 4
@example([4, 4, 4, 4, 4, 4, 4])
@example([0, 0, 7, 8, 9, 10, 11])
@example([3, 20, 30, 40, 50, 60, 70])
@example([12, 12, 4, 4, 12, 9, 9])
def test_no_hidden_cell_is_uniquely_determined(counts):
    hidden = suppressed_cells(counts)
    places = [i for i, h in enumerate(hidden) if h]
    total = sum(counts[i] for i in places)
    assume(places and comb(total + len(places) - 1, len(places) - 1) <= MAX_GRIDS)
    if sum(counts) == 0:
        return  # the option's public tally is 0: every count is known to be 0 anyway
    for cell, values in possible_values(counts).items():
        assert len(values) >= 2, (counts, hidden, cell, values)


@given(counts_strategy)
def test_every_count_under_five_is_hidden(counts):
    hidden = suppressed_cells(counts)
    assert all(h for n, h in zip(counts, hidden, strict=True) if n < 5)


@given(st.lists(st.integers(5, 500), min_size=CELLS, max_size=CELLS))
def test_nothing_is_hidden_without_a_small_count(counts):
    assert suppressed_cells(counts) == [False] * CELLS
