"""What templates ask for beyond a view's context: archive rows and the share chart."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from sqlalchemy import select

from .charts import share_chart
from .extensions import db
from .models import Case, Vote
from .privacy import voter_hash
from .voting import OptionResult, case_results, case_state, results_visible


@dataclass
class ArchiveRow:
    case: Case
    state: str
    total: int | None  # the total is a result too: None, like winners, while hidden
    winners: list[OptionResult] | None  # None while the results are hidden from this reader
    my_option: int | None


def my_votes(case_ids: list[int]) -> dict[int, int]:
    """This reader's option per case, in one query (no cookie, no votes)."""
    voter = voter_hash()
    if not voter or not case_ids:
        return {}
    rows = db.session.execute(
        select(Vote.case_id, Vote.option_number)
        .where(Vote.voter_hash == voter, Vote.case_id.in_(case_ids))
    ).all()
    return dict(rows)


def winners_of(case: Case) -> list[OptionResult]:
    """The option(s) with the most votes; empty when nobody has voted."""
    results = case_results(case)
    if results.total == 0:
        return []
    best = max(row.votes for row in results.options)
    return [row for row in results.options if row.votes == best]


def archive_rows(cases: list[Case]) -> list[ArchiveRow]:
    """One row per case for the archive, with the winner only where results are visible."""
    mine = my_votes([c.id for c in cases])
    rows = []
    for case in cases:
        visible = results_visible(case, has_voted=case.id in mine)
        rows.append(ArchiveRow(
            case=case, state=case_state(case), total=case.total_votes if visible else None,
            winners=winners_of(case) if visible else None, my_option=mine.get(case.id),
        ))
    return rows


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(archive_rows=archive_rows, share_chart=share_chart)
