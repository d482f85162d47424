"""The embed's view model: a case made small for a partner's iframe (SPEC §11).

Title, a teaser, the ballot or this reader's results (per the case's own
`results` rule, like every other page) and nothing else: no comments, no
session, so an anonymous embed is the same bytes for everyone.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from dilemmaboard.models import Case
from dilemmaboard.partners.sharing import opening
from dilemmaboard.voting.casting import find_vote, option_order
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import is_open, results_visible

TEASER_LENGTH = 160


def embed_page(session: Session, case: Case, *, voter_hash: str | None,
               voter_id: str | None) -> dict:
    """The embed's context as this reader (or nobody in particular) sees it."""
    my_vote = find_vote(session, case, voter_hash)
    visible = results_visible(case, has_voted=my_vote is not None)
    by_number = {o.number: o for o in case.options}
    return {
        "case": case,
        "teaser": opening(case.body_html, TEASER_LENGTH),
        "is_open": is_open(case),
        "my_vote": my_vote,
        "results": case_results(case) if visible else None,
        "ordered_options": [by_number[n] for n in option_order(case, voter_id)
                            if n in by_number],
    }
