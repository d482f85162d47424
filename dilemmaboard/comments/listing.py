"""Reading the comment blog: one page of threads for a reader, a comment's page, the feed.

A case page shows its threads in three queries whatever the numbers (two when
the page has no threads, so no replies to look for): the visible threads are
not counted but read from the stored counters of the case and its options
(see service.py); only the few other shown starters are counted. Each thread
shows its first `REPLIES_SHOWN` replies; the thread's own view (`?thread=<id>`)
pages through all of them, so one long thread cannot make every reader's page huge.

Which answer each commenter chose is a result too: the caller says whether this
reader may see results (`voting.results_visible`), and while not, the listing
carries no per-answer counts and ignores a filter by answer.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from dilemmaboard.comments.author import author_may_change
from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.models import Case, Comment, Vote
from dilemmaboard.voting.state import is_open


def parse_page(args) -> int:
    """?page= as a positive whole number; anything else (two values, text, -1) is page 1."""
    values = args.getlist("page")
    if len(values) != 1 or not re.fullmatch(r"[0-9]{1,9}", values[0]):
        return 1
    return max(1, int(values[0]))


def parse_thread(args) -> int | None:
    """?thread= as a comment id; anything else is no thread (the page of threads)."""
    values = args.getlist("thread")
    if len(values) != 1 or not re.fullmatch(r"[0-9]{1,9}", values[0]):
        return None
    return int(values[0])


def parse_option_filter(args) -> int | None:
    """?option= as 1-5; anything else shows every comment."""
    values = args.getlist("option")
    if len(values) != 1 or values[0] not in {"1", "2", "3", "4", "5"}:
        return None
    return int(values[0])


# The orders a reader may list threads in (?sort=); the first is the default.
SORTS = ("oldest", "newest", "replies")


def parse_sort(args) -> str:
    """?sort= as one of SORTS; anything else is the default, oldest first."""
    values = args.getlist("sort")
    return values[0] if len(values) == 1 and values[0] in SORTS else SORTS[0]


# Replies shown under each thread on the case page; the thread's own view has them all.
REPLIES_SHOWN = 20


# --- the statements ------------------------------------------------------------

def _shown(viewer: str | None):
    """Visible comments, plus the viewer's own comments still waiting for an editor."""
    if viewer is not None:
        return or_(Comment.status == "visible",
                   and_(Comment.status == "pending", Comment.voter_hash == viewer))
    return Comment.status == "visible"


# One alias for the replies, made once like a table: a new alias per statement sets up
# its attributes again on first use, which cost more than building the statement.
_reply = aliased(Comment, name="reply")


def _has_visible_reply():
    return exists().where(_reply.parent_id == Comment.id, _reply.status == "visible")


_ORDER = {
    "oldest": (Comment.id,),
    "newest": (Comment.id.desc(),),
    # The stored counter of visible replies: no counting per thread.
    "replies": (Comment.visible_replies.desc(), Comment.id),
}


def thread_starters(case_id: int, *, viewer: str | None = None, option: int | None = None,
                    sort: str = "oldest"):
    """Select the top-level comments a reader sees, oldest first (or in `sort` order).

    A hidden or deleted comment with visible replies stays as a placeholder,
    so the thread under it still reads.
    """
    stmt = select(Comment).where(
        Comment.case_id == case_id,
        Comment.parent_id.is_(None),
        or_(_shown(viewer),
            and_(Comment.status.in_(("hidden", "deleted")), _has_visible_reply())),
    )
    if option is not None:
        stmt = stmt.where(Comment.option_number == option)
    return stmt.order_by(*_ORDER[sort])


def thread_replies(parent_ids: list[int], *, viewer: str | None = None):
    """Select the replies a reader sees under these top-level comments, oldest first."""
    return (select(Comment)
            .where(Comment.parent_id.in_(parent_ids), _shown(viewer))
            .order_by(Comment.id))


def first_replies(parent_ids: list[int], *, viewer: str | None = None, limit: int):
    """Select the first `limit` replies a reader sees under each of these top-level
    comments, and one more where there are more, oldest first (one query for a page)."""
    ranked = (select(Comment.id, func.row_number().over(
                  partition_by=Comment.parent_id, order_by=Comment.id).label("n"))
              .where(Comment.parent_id.in_(parent_ids), _shown(viewer))
              .subquery())
    # IN, not a join: the database looks the few ids up by key instead of walking every
    # comment in id order to meet the ORDER BY.
    wanted = select(ranked.c.id).where(ranked.c.n <= limit + 1)
    return select(Comment).where(Comment.id.in_(wanted)).order_by(Comment.id)


def other_thread_count(case_id: int, *, viewer: str | None = None, option: int | None = None):
    """Select how many shown thread starters are not visible comments.

    That is removed comments kept as placeholders for their visible replies, and the
    viewer's own comments waiting for an editor: few, so this reads only a few rows.
    Added to the stored visible threads it counts `thread_starters` without reading
    every row.
    """
    def count(*conditions):
        stmt = select(func.count()).select_from(Comment).where(
            Comment.case_id == case_id, Comment.parent_id.is_(None), *conditions)
        if option is not None:
            stmt = stmt.where(Comment.option_number == option)
        return stmt

    placeholders = count(Comment.status.in_(("hidden", "deleted")), _has_visible_reply())
    if viewer is None:
        return placeholders
    # Two counts added, not one count with OR: each finds its few rows through the
    # (case_id, status, ...) index, where the OR made SQLite read every thread of the case.
    own_pending = count(Comment.status == "pending", Comment.voter_hash == viewer)
    return select(placeholders.scalar_subquery() + own_pending.scalar_subquery())


def visible_comments(case_id: int):
    """Select a case's visible comments (replies included), newest first: the Atom feed."""
    return (select(Comment)
            .where(Comment.case_id == case_id, Comment.status == "visible")
            .order_by(Comment.id.desc()))


# --- a comment's page ----------------------------------------------------------

def comment_page_number(session: Session, comment: Comment, *, viewer: str | None,
                        settings: CommentSettings) -> int:
    """The page of the case's thread list on which this comment (or its thread) appears.

    All shown threads (the stored counter plus the few other shown starters, as the
    page counts them) less those from this thread on: no reading every thread before
    it. Inside a write's transaction it counts the new comment too.
    """
    viewer = viewer or None
    top_id = comment.parent_id or comment.id
    visible = select(Case.visible_threads).where(Case.id == comment.case_id)
    others = other_thread_count(comment.case_id, viewer=viewer)
    later = (thread_starters(comment.case_id, viewer=viewer)
             .where(Comment.id >= top_id).order_by(None).subquery())
    later_count = select(func.count()).select_from(later)
    before = session.scalar(select(visible.scalar_subquery() + others.scalar_subquery()
                                   - later_count.scalar_subquery()))
    return before // settings.per_page + 1


@dataclass(frozen=True)
class CommentPlace:
    """Where a comment is shown: a page of the case's threads, or (`thread` set) a page
    of its thread's own view."""

    page: int
    thread: int | None = None


def comment_place(session: Session, comment: Comment, *, viewer: str | None,
                  settings: CommentSettings) -> CommentPlace:
    """Where this reader finds the comment: a reply past the first `REPLIES_SHOWN` of its
    thread is only on the thread's own view; everything else is on the case page."""
    viewer = viewer or None
    if comment.parent_id is not None:
        earlier = (thread_replies([comment.parent_id], viewer=viewer)
                   .where(Comment.id < comment.id).order_by(None).subquery())
        before = session.scalar(select(func.count()).select_from(earlier))
        if before >= REPLIES_SHOWN:
            return CommentPlace(page=before // settings.per_page + 1, thread=comment.parent_id)
    return CommentPlace(page=comment_page_number(session, comment, viewer=viewer,
                                                 settings=settings))


# --- one page of threads -------------------------------------------------------

@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)
    # On the case page, when the thread has more replies: the first not shown, and the
    # page of the thread's own view it is on.
    more_from: int | None = None
    more_page: int = 1


@dataclass
class CommentListing:
    threads: list[Thread]
    page: int  # of the case's threads, or in a thread's view of its replies
    pages: int
    option: int | None
    option_counts: dict[int, int]  # visible threads per option number (0s left out)
    editable_ids: set[int]  # the comments this reader may still edit or delete
    show_options: bool = True  # False while this reader may not see results
    thread: int | None = None  # a thread's own view: its top comment's id
    back_page: int = 1  # in a thread's view: the page of threads it is on
    sort: str = SORTS[0]  # the order of the threads, one of SORTS


def _threads_page(session: Session, case: Case, *, viewer: str | None,
                  settings: CommentSettings, page: int, option: int | None,
                  counts: dict[int, int], sort: str) -> tuple[list[Thread], int, int]:
    """One page of the case's threads, each with its first replies; the page and pages."""
    visible = counts.get(option, 0) if option is not None else case.visible_threads
    total = visible + session.scalar(other_thread_count(case.id, viewer=viewer, option=option))
    pages = max(1, -(-total // settings.per_page))
    page = min(max(page, 1), pages)
    tops = session.scalars(
        thread_starters(case.id, viewer=viewer, option=option, sort=sort)
        .limit(settings.per_page).offset((page - 1) * settings.per_page)
    ).all()
    replies: dict[int, list[Comment]] = {c.id: [] for c in tops}
    if replies:
        for reply in session.scalars(first_replies(list(replies), viewer=viewer,
                                                   limit=REPLIES_SHOWN)):
            replies[reply.parent_id].append(reply)
    more_page = REPLIES_SHOWN // settings.per_page + 1
    threads = [Thread(c, replies[c.id][:REPLIES_SHOWN], more_page=more_page,
                      more_from=next((r.id for r in replies[c.id][REPLIES_SHOWN:]), None))
               for c in tops]
    return threads, page, pages


def _one_thread(session: Session, top: Comment, *, viewer: str | None,
                settings: CommentSettings, page: int) -> tuple[list[Thread], int, int]:
    """A thread's own view: its top comment and one page of all its replies."""
    replies = thread_replies([top.id], viewer=viewer)
    total = session.scalar(select(func.count()).select_from(replies.order_by(None).subquery()))
    pages = max(1, -(-total // settings.per_page))
    page = min(max(page, 1), pages)
    shown = session.scalars(
        replies.limit(settings.per_page).offset((page - 1) * settings.per_page)).all()
    return [Thread(top, list(shown))], page, pages


def list_comments(session: Session, case: Case, *, viewer: str | None,
                  settings: CommentSettings, page: int = 1, option: int | None = None,
                  thread: int | None = None, show_options: bool = True,
                  tokens: Mapping[int, str] | None = None, sort: str = SORTS[0],
                  now: datetime | None = None) -> CommentListing:
    """One page of threads with their first replies, or one thread with a page of its
    replies (`thread`, a shown thread's top comment; any other id is ignored), as this
    reader sees them. Without `show_options` no answer shows and none filters."""
    viewer = viewer or None
    counts = ({o.number: o.visible_threads for o in case.options if o.visible_threads}
              if show_options else {})
    option = option if show_options else None
    top = None
    if thread is not None:
        top = session.scalars(thread_starters(case.id, viewer=viewer)
                              .where(Comment.id == thread)).first()
    if top is not None:
        threads, page, pages = _one_thread(session, top, viewer=viewer, settings=settings,
                                           page=page)
        option, back_page = None, comment_page_number(session, top, viewer=viewer,
                                                      settings=settings)
    else:
        threads, page, pages = _threads_page(session, case, viewer=viewer, settings=settings,
                                             page=page, option=option, counts=counts,
                                             sort=sort)
        back_page = 1
    tokens = tokens or {}
    shown = [c for t in threads for c in (t.comment, *t.replies)]
    editable = {c.id for c in shown
                if c.id in tokens and author_may_change(c, tokens[c.id], settings, now)}
    return CommentListing(
        threads=threads, page=page, pages=pages, option=option, option_counts=counts,
        editable_ids=editable, show_options=show_options,
        thread=top.id if top is not None else None, back_page=back_page, sort=sort,
    )


def page_comments(session: Session, case: Case, *, voter: str | None, my_vote: Vote | None,
                  preview: bool, settings: CommentSettings, show_options: bool,
                  page: int = 1, option: int | None = None, thread: int | None = None,
                  tokens: Mapping[int, str] | None = None, sort: str = SORTS[0]) -> dict:
    """The case page's comment context: the listing and whether this reader may post.

    `show_options`: whether this reader may see the case's results (the caller asks
    `results_visible`), so each comment's answer and the filter by answer show.
    """
    listing = list_comments(session, case, viewer=voter, settings=settings, page=page,
                            option=option, thread=thread, show_options=show_options,
                            tokens=tokens, sort=sort)
    if preview:
        blocked = "preview"
    elif settings.require_vote and my_vote is None:
        blocked = "vote_first" if is_open(case) else "closed"
    else:
        blocked = None
    return {
        "comments_enabled": True,
        "comments": listing,
        "comment_blocked": blocked,
        "comments_pre_moderated": settings.pre_moderated,
    }
