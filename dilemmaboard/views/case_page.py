"""What the case page shows; shared by the reader page and the editors' preview."""
from __future__ import annotations

from flask import current_app, request

from ..comments import author_tokens, page_comments, parse_option_filter, parse_page
from ..extensions import db
from ..privacy import current_voter_id, voter_hash
from ..voting import (
    PROFILE_CHOICES,
    case_results,
    case_state,
    find_vote,
    is_open,
    option_order,
    results_visible,
)


def case_page_context(case, *, preview: bool = False, front_page: bool = False,
                      with_comments: bool = True) -> dict:
    """Build the template context for one case as this reader (or an editor) sees it."""
    # Shuffled cases need a stable per-reader order, so mint the reader's id early.
    voter = voter_hash(create=case.shuffle and is_open(case))
    my_vote = find_vote(db.session, case, voter)
    visible = results_visible(case, has_voted=my_vote is not None, privileged=preview)
    order = option_order(case, current_voter_id())
    by_number = {o.number: o for o in case.options}
    context = {
        "case": case,
        "state": case_state(case),
        "is_open": is_open(case),
        "my_vote": my_vote,
        "results": case_results(case) if visible else None,
        "ordered_options": [by_number[n] for n in order if n in by_number],
        "option_order": order,
        "preview": preview,
        "front_page": front_page,
        "profile_question": current_app.config["PROFILE_QUESTION"],
        "profile_choices": PROFILE_CHOICES,
    }
    if with_comments:
        context.update(comment_context(case, voter, my_vote, preview=preview))
    return context


def comment_context(case, voter, my_vote, *, preview: bool) -> dict:
    """Comments for the page: one page of threads (?page=, ?option=) and the form's state."""
    return page_comments(
        db.session, case, voter=voter, my_vote=my_vote, preview=preview,
        page=parse_page(request.args), option=parse_option_filter(request.args),
        tokens=author_tokens(request.cookies),
    )
