"""Percentages from the stored counters: the breakdown every page and export shows."""
from __future__ import annotations

from dataclasses import dataclass

from dilemmaboard.models import Case

# --- results ---------------------------------------------------------------

def largest_remainder_percentages(counts: list[int]) -> list[int]:
    """Whole percentages that add up to exactly 100 (all 0 when there are no votes)."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    floors = [100 * c // total for c in counts]
    remainders = [100 * c % total for c in counts]
    missing = 100 - sum(floors)
    # Largest remainder first; ties go to the larger count, then the lower number.
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


@dataclass
class OptionResult:
    number: int
    text: str
    live_votes: int
    imported_votes: int
    votes: int
    percent: int
    share: float


@dataclass
class Results:
    options: list[OptionResult]
    total: int
    imported_total: int


def case_results(case: Case) -> Results:
    """Read the stored counters (never the vote rows) and compute the breakdown."""
    options = sorted(case.options, key=lambda o: o.number)
    counts = [o.votes + o.imported_votes for o in options]
    total = sum(counts)
    percents = largest_remainder_percentages(counts)
    rows = [
        OptionResult(
            number=o.number, text=o.text, live_votes=o.votes,
            imported_votes=o.imported_votes, votes=count, percent=pct,
            share=(count / total) if total else 0.0,
        )
        for o, count, pct in zip(options, counts, percents, strict=True)
    ]
    return Results(options=rows, total=total,
                   imported_total=sum(o.imported_votes for o in options))




def winners(results: Results) -> list[OptionResult]:
    """The option(s) with the most votes; empty when nobody has voted."""
    if results.total == 0:
        return []
    best = max(row.votes for row in results.options)
    return [row for row in results.options if row.votes == best]
