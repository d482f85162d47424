"""The tally split by source (SPEC §11): the site, each partner, unknown, imported.

A vote counts for the source it was first cast through (`Vote.source`); a
reader who later changes their answer elsewhere moves it within that source.
Imported votes (`Option.imported_votes`) are the source "imported". The
headline tally stays the total of every source. Only the desk and the research
exports read the split: they count the current votes per case, source and
option from one index (`ix_votes_case_source_option`), never a reader's page.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Vote
from dilemmaboard.partners.sources import IMPORTED, SITE, UNKNOWN
from dilemmaboard.voting.casting import OPTION_NUMBERS
from dilemmaboard.voting.results import largest_remainder_percentages


@dataclass(frozen=True)
class SourceTally:
    """One source's votes on one case, per option (index 0 is option 1)."""

    source: str
    votes: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.votes)

    @property
    def percents(self) -> list[int]:
        """Whole percents of this source's own total, adding up to 100 (0 without votes)."""
        return largest_remainder_percentages(list(self.votes))


def source_order(source: str) -> tuple[int, str]:
    """The site first, then the partners by id, then unknown, then imported."""
    rank = {SITE: 0, UNKNOWN: 2, IMPORTED: 3}.get(source, 1)
    return rank, source


def tallies_by_source(session: Session, cases: Iterable[Case]) -> dict[int, list[SourceTally]]:
    """Per case id, its tally per source in `source_order`; the site is always there."""
    cases = list(cases)
    counts: dict[int, dict[str, list[int]]] = {c.id: {SITE: [0] * len(OPTION_NUMBERS)}
                                               for c in cases}
    if cases:
        stmt = (select(Vote.case_id, Vote.source, Vote.option_number, func.count())
                .where(Vote.case_id.in_(list(counts)))
                .group_by(Vote.case_id, Vote.source, Vote.option_number))
        for case_id, source, option, n in session.execute(stmt):
            if option in OPTION_NUMBERS:
                counts[case_id].setdefault(source, [0] * len(OPTION_NUMBERS))[option - 1] += n
    for case in cases:
        imported = [o.imported_votes for o in sorted(case.options, key=lambda o: o.number)]
        if any(imported):
            counts[case.id][IMPORTED] = imported
    return {case_id: [SourceTally(source, tuple(votes))
                      for source, votes in sorted(by_source.items(),
                                                  key=lambda item: source_order(item[0]))]
            for case_id, by_source in counts.items()}
