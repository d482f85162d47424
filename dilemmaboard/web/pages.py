"""View models of the reader pages: every row a template shows, built before it renders.

Views parse the request into plain values (`Viewer`, the comment page and
filter), call one function here, and hand its result to the template.
Nothing here reads the request; templates only format.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmaboard.comments.listing import SORTS, page_comments
from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.models import Case, Vote
from dilemmaboard.voting.casting import PROFILE_LABELS, find_vote, option_order
from dilemmaboard.voting.results import OptionResult, case_results, winners
from dilemmaboard.voting.state import (
    case_state,
    followup_visible,
    is_closed,
    is_open,
    results_visible,
)
from dilemmaboard.web.charts import share_chart

# The orders of the comment threads, as the sort links name them.
SORT_LABELS = {"oldest": _l("Ældste først"), "newest": _l("Nyeste først"),
               "replies": _l("Flest svar")}


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the reader's voter hash and id (None without a cookie)."""

    voter_hash: str | None = None
    voter_id: str | None = None
    author_tokens: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentQuery:
    """Which page of comments, in which order, filtered by which answer, or which
    thread on its own."""

    page: int = 1
    option: int | None = None
    thread: int | None = None
    sort: str = SORTS[0]


# An editor's preview shows a case in one of two states (PREVIEW_VIEWS[0] by default).
PREVIEW_VIEWS = ("ballot", "results")


def case_page(session: Session, case: Case, viewer: Viewer, *, comments: CommentQuery,
              preview: bool = False, preview_view: str = PREVIEW_VIEWS[0],
              front_page: bool = False) -> dict:
    """The case page's context, as this reader (or an editor previewing) sees it.

    A preview's "ballot" view is the case as a new reader sees it while voting is open
    (the ballot; results only where the case always shows them; no follow-up); its
    "results" view shows everything: results, chart and follow-up.
    """
    ballot_preview = preview and preview_view == "ballot"
    privileged = preview and not ballot_preview
    my_vote = None if preview else find_vote(session, case, viewer.voter_hash)
    if ballot_preview:
        visible = case.results_mode == "always"
    else:
        visible = results_visible(case, has_voted=my_vote is not None, privileged=privileged)
    state = case_state(case)
    by_number = {o.number: o for o in case.options}
    context = {
        "case": case,
        "state": state,
        "is_open": True if ballot_preview else is_open(case),
        "my_vote": my_vote,
        "results": case_results(case) if visible else None,
        "share_chart": (share_chart(session, case) if visible and not ballot_preview
                        and is_closed(case) and case.total_votes else None),
        "followup_visible": not ballot_preview and followup_visible(case, privileged=privileged),
        "ballot_preview": ballot_preview,
        "ordered_options": [by_number[n] for n in option_order(case, viewer.voter_id)
                            if n in by_number],
        "preview": preview,
        "front_page": front_page,
        "profile_question": current_app.config["PROFILE_QUESTION"],
        "profile_labels": PROFILE_LABELS,
        "sort_labels": SORT_LABELS,
    }
    # Each comment's answer is a result too: shown, and filtered by, only when results are.
    context.update(page_comments(
        session, case, voter=viewer.voter_hash, my_vote=my_vote, preview=preview,
        show_options=visible, page=comments.page, option=comments.option,
        thread=comments.thread, sort=comments.sort, tokens=viewer.author_tokens,
        settings=CommentSettings.from_config(current_app.config)))
    return context


@dataclass
class ArchiveRow:
    case: Case
    state: str
    total: int | None  # the total is a result too: None, like winners, while hidden
    winners: list[OptionResult] | None  # None while the results are hidden from this reader
    my_option: int | None


def archive_rows(session: Session, cases: list[Case], voter_hash: str | None) -> list[ArchiveRow]:
    """One row per case for the archive, with the winner only where results are visible."""
    mine: dict[int, int] = {}
    if voter_hash and cases:
        mine = dict(session.execute(
            select(Vote.case_id, Vote.option_number)
            .where(Vote.voter_hash == voter_hash, Vote.case_id.in_([c.id for c in cases]))
        ).all())
    rows = []
    for case in cases:
        visible = results_visible(case, has_voted=case.id in mine)
        rows.append(ArchiveRow(
            case=case, state=case_state(case), total=case.total_votes if visible else None,
            winners=winners(case_results(case)) if visible else None,
            my_option=mine.get(case.id),
        ))
    return rows
