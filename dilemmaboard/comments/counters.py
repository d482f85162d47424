"""The comment counters checked against the comments (`flask tallies verify`).

Pages only read `Case.comment_count`, `Case.visible_threads`,
`Option.visible_threads` and `Comment.visible_replies`; these count what they must equal.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Comment
from dilemmaboard.voting.verify import Mismatch


def counted_visible(session: Session) -> tuple[Counter, Counter]:
    """What the stored counters must equal, counted from the comments themselves:
    visible comments per case id, and visible threads per (case id, option number or
    None). `flask tallies verify` compares; pages only read the counters."""
    comments, threads = Counter(), Counter()
    for case_id, top_level, option, n in session.execute(
            select(Comment.case_id, Comment.parent_id.is_(None), Comment.option_number,
                   func.count())
            .where(Comment.status == "visible")
            .group_by(Comment.case_id, Comment.parent_id.is_(None), Comment.option_number)):
        comments[case_id] += n
        if top_level:
            threads[(case_id, option)] += n
    return comments, threads


def comment_counter_mismatches(session: Session) -> list[Mismatch]:
    """Every comment counter that disagrees: a case's visible comments and visible
    threads, and each option's visible threads."""
    comments, threads = counted_visible(session)
    case_threads = Counter()
    for (case_id, _option), n in threads.items():
        case_threads[case_id] += n
    problems = []
    for case in session.scalars(select(Case).order_by(Case.id)):
        for what, column, actual in (("comments", "comment_count", comments[case.id]),
                                     ("threads", "visible_threads", case_threads[case.id])):
            if getattr(case, column) != actual:
                problems.append(Mismatch(f"{case.slug} {what}", case, column,
                                         getattr(case, column), actual))
        for option in case.options:
            actual = threads[(case.id, option.number)]
            if option.visible_threads != actual:
                problems.append(Mismatch(f"{case.slug} option {option.number} threads", option,
                                         "visible_threads", option.visible_threads, actual))
    return problems + reply_counter_mismatches(session)


def reply_counter_mismatches(session: Session) -> list[Mismatch]:
    """Every top-level comment whose stored visible replies disagree with its replies."""
    replies = dict(session.execute(
        select(Comment.parent_id, func.count())
        .where(Comment.status == "visible", Comment.parent_id.is_not(None))
        .group_by(Comment.parent_id)).all())
    problems = []
    for comment in session.scalars(
            select(Comment).where(Comment.parent_id.is_(None),
                                  or_(Comment.visible_replies != 0,
                                      Comment.id.in_(list(replies))))
            .order_by(Comment.id)):
        actual = replies.get(comment.id, 0)
        if comment.visible_replies != actual:
            problems.append(Mismatch(f"comment {comment.id} replies", comment,
                                     "visible_replies", comment.visible_replies, actual))
    return problems
