"""The research figures: exact shares, Wilson intervals and small-cell suppression.

Pure functions of counts, shared by the exports and the JSON API.
"""
from __future__ import annotations

import math
from decimal import Context, Decimal

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
SUPPRESS_BELOW = 5
_SHARE_CONTEXT = Context(prec=17)


def exact_share(part: int, total: int) -> Decimal | None:
    """part / total as a decimal fraction to 17 significant digits; None when total is 0."""
    if total <= 0:
        return None
    return _SHARE_CONTEXT.divide(Decimal(part), Decimal(total))


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (no continuity correction)."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def six_places(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def suppressed_cells(counts: list[int], below: int = SUPPRESS_BELOW) -> list[bool]:
    """Which counts of one option to hide, so that none can be worked out from the
    option's public tally, the shown counts and this rule itself.

    Every count under `below` is hidden. That is enough when there are at least two
    of them and their sum (the tally minus the shown counts) can be split among them
    in more than one way: 0 < sum < (below - 1) * number. Otherwise (one small count;
    small counts adding up to 0; all of them at the maximum, below - 1) the smallest
    shown count is hidden as well, with every count equal to it, so that a small
    count and that one could have swapped places. The decision depends only on how
    many small counts there are and their sum, which moving votes between them does
    not change: so every hidden count has more than one value consistent with what
    is published (tests/test_profile_suppression.py checks this by brute force).
    An option with no votes has nothing to protect: its tally says every count is 0.
    """
    small = [n < below for n in counts]
    number = sum(small)
    total = sum(n for n, hidden in zip(counts, small, strict=True) if hidden)
    if number == 0 or (number >= 2 and 0 < total < (below - 1) * number):
        return small
    shown = [n for n, hidden in zip(counts, small, strict=True) if not hidden]
    if not shown:
        return small
    least = min(shown)
    return [hidden or n == least for n, hidden in zip(counts, small, strict=True)]
