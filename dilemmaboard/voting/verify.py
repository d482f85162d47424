"""Stored counters checked against the rows they count (`flask tallies verify`)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Vote


@dataclass
class Mismatch:
    """One stored counter (`row.column`) that disagrees with what its rows count."""

    label: str
    row: object
    column: str
    stored: int
    counted: int

    def __str__(self) -> str:
        return f"{self.label}: stored {self.stored}, counted {self.counted}"

    def repair(self) -> None:
        """Set the counter to the counted value (in the caller's transaction)."""
        setattr(self.row, self.column, self.counted)


def tally_mismatches(session: Session) -> list[Mismatch]:
    """Every option whose stored tally differs from its current votes."""
    counted = {
        (case_id, number): n
        for case_id, number, n in session.execute(
            select(Vote.case_id, Vote.option_number, func.count())
            .group_by(Vote.case_id, Vote.option_number))
    }
    return [
        Mismatch(f"{case.slug} option {option.number}", option, "votes", option.votes,
                 counted.get((case.id, option.number), 0))
        for case in session.scalars(select(Case).order_by(Case.id))
        for option in case.options
        if option.votes != counted.get((case.id, option.number), 0)
    ]
