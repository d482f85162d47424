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
    """Which counts to hide: every cell under `below`, plus enough others that
    subtracting the shown cells from the public tally cannot reveal a hidden one."""
    hidden = [n < below for n in counts]

    def unsafe() -> bool:
        # One hidden cell equals the tally minus the shown ones; hidden cells adding up
        # to 0 are all known to be 0. Either way, hide the next smallest cell as well.
        shown_left = not all(hidden)
        hidden_sum = sum(n for n, h in zip(counts, hidden, strict=True) if h)
        return shown_left and any(hidden) and (sum(hidden) < 2 or hidden_sum == 0)

    while unsafe():
        smallest = min((i for i, h in enumerate(hidden) if not h), key=lambda i: counts[i])
        hidden[smallest] = True
    return hidden
