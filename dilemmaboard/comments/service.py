"""The comment blog's writes (SPEC §5): post, reply, edit, delete, report, moderate.

Every function here takes a session and plain values, changes the session and
never commits: the caller (a view, the CLI, a test) commits once, so a comment
and its counters land together or not at all. What cannot be done raises
`Refused` before anything is written.

`Case.comment_count` always equals the number of visible comments of the case,
`Case.visible_threads` / `Option.visible_threads` the visible top-level ones (in all,
and per the author's option), and a top-level comment's `visible_replies` its visible
replies: a new comment and every status change move them in the
same transaction (`_page_changed`), so no page counts rows. Every write a reader
can see also stamps the case's `updated_at`, the version of its page (web/caching.py).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dilemmaboard.comments.author import require_author
from dilemmaboard.comments.names import refuse_staff_name
from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.comments.text import clean_body, clean_name, rendered_body
from dilemmaboard.database import insert_unless_present
from dilemmaboard.models import Case, Comment, CommentReport, Option, utcnow
from dilemmaboard.partners.sources import SITE, SOURCE_LENGTH
from dilemmaboard.refusal import Refused
from dilemmaboard.voting.casting import find_vote
from dilemmaboard.voting.state import is_public

STATUSES = ("visible", "pending", "hidden", "deleted")
# An editor's action and the status it gives the comment.
MODERATION_ACTIONS = {"approve": "visible", "hide": "hidden", "restore": "visible",
                      "delete": "deleted"}
# What an editor may do with a comment: change its status, or find its reports unfounded.
EDITOR_ACTIONS = (*MODERATION_ACTIONS, "dismiss")
# Why a reader reports a comment (the report form's choices), in the order shown.
REPORT_REASONS = {
    "offensive": _l("Den er krænkende eller chikanerende"),
    "personal": _l("Den deler personlige oplysninger om andre"),
    "spam": _l("Den er spam eller reklame"),
    "other": _l("Noget andet"),
}
REPORT_NOTE_MAX = 500


# --- status and the counters -------------------------------------------------

def _page_changed(session: Session, comment: Comment, delta: int = 0) -> None:
    """Stamp the comment's case (its page changed) and count `comment` in (+1) or out
    (-1) of the case's stored visible counters."""
    top_level = comment.parent_id is None
    session.execute(update(Case).where(Case.id == comment.case_id).values(
        comment_count=Case.comment_count + delta,
        visible_threads=Case.visible_threads + (delta if top_level else 0),
        updated_at=utcnow()))
    if delta and top_level and comment.option_number is not None:
        session.execute(update(Option)
                        .where(Option.case_id == comment.case_id,
                               Option.number == comment.option_number)
                        .values(visible_threads=Option.visible_threads + delta))
    if delta and not top_level:
        session.execute(update(Comment).where(Comment.id == comment.parent_id)
                        .values(visible_replies=Comment.visible_replies + delta))


def _set_status(session: Session, comment: Comment, new_status: str) -> bool:
    """Move a comment to `new_status`, its case's page and counters with it; True if it moved.

    The UPDATE only matches the status we read, so two editors acting at once
    cannot both move the counters for the same change.
    """
    for _attempt in range(5):
        old_status = comment.status
        if old_status == new_status:
            return False
        moved = session.execute(
            update(Comment).where(Comment.id == comment.id, Comment.status == old_status)
            .values(status=new_status)
        ).rowcount
        if moved:
            _page_changed(session, comment, (new_status == "visible") - (old_status == "visible"))
            return True
        session.refresh(comment, ["status"])  # someone else changed it: read it again
    raise RuntimeError("comment status kept changing under us")


# --- the editors ---------------------------------------------------------------

def moderate_comment(session: Session, comment: Comment, action: str) -> None:
    """Apply an editor's action: approve, hide, restore or delete. Does not commit.

    approve and restore make the comment visible (from any state), hide makes it
    hidden, delete makes it deleted (the body stays stored for the editors but is
    never shown; with replies the thread shows a "slettet" placeholder).
    """
    if action not in MODERATION_ACTIONS:
        raise ValueError(f"unknown moderation action: {action!r}")
    _set_status(session, comment, MODERATION_ACTIONS[action])
    if action in ("approve", "restore"):
        # An editor has looked at it: it leaves the reported list. Earlier
        # reporters stay recorded, so they cannot report the same text again.
        comment.report_count = 0


def dismiss_reports(comment: Comment) -> bool:
    """An editor found the reports unfounded: the comment leaves the reported list and
    stays as it is. True if it had reports. Earlier reporters stay recorded, so they
    cannot report the same text again. Does not commit."""
    if not comment.report_count:
        return False
    comment.report_count = 0
    return True


def held_comments(case_id: int | None = None):
    """Select comments waiting for an editor (pre-moderation), oldest first."""
    stmt = select(Comment).where(Comment.status == "pending")
    if case_id is not None:
        stmt = stmt.where(Comment.case_id == case_id)
    return stmt.order_by(Comment.id)


def reported_comments(case_id: int | None = None):
    """Select reported comments that are not deleted, oldest first."""
    stmt = select(Comment).where(Comment.report_count > 0, Comment.status != "deleted")
    if case_id is not None:
        stmt = stmt.where(Comment.case_id == case_id)
    return stmt.order_by(Comment.id)


# --- the readers ---------------------------------------------------------------

def _reply_target(session: Session, case: Case, parent_id: int | None) -> int | None:
    """The top-level comment a reply hangs under (a reply to a reply moves up one level)."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.case_id != case.id or parent.status != "visible":
        raise Refused("invalid", _("Kommentaren, du svarer på, findes ikke."))
    return parent.parent_id if parent.parent_id is not None else parent.id


def post_comment(session: Session, case: Case, *, name: str | None, body: str | None,
                 parent_id: int | None = None, voter_hash: str | None, ip_hash: str | None,
                 settings: CommentSettings, source: str = SITE,
                 now: datetime | None = None) -> Comment:
    """Check, render and add a comment or reply (flushed: it has its id). Raises Refused.

    The author's option is taken from their vote now, and kept even if they
    change their vote later (voting then sets `option_changed`). `source` is
    where it was written ("site", a partner id, "unknown"), never a reason to refuse.
    """
    now = now or utcnow()
    if not is_public(case, now):
        raise Refused("not_found", _("Dilemmaet findes ikke."))
    name = clean_name(name)
    body = clean_body(body)
    body_html = rendered_body(body)
    refuse_staff_name(session, name)
    vote = find_vote(session, case, voter_hash)
    if settings.require_vote and vote is None:
        raise Refused("forbidden", _("Du skal stemme på dilemmaet, før du kan kommentere."))
    comment = Comment(
        case_id=case.id, parent_id=_reply_target(session, case, parent_id), name=name,
        body_md=body, body_html=body_html,
        option_number=vote.option_number if vote else None, option_changed=False,
        voter_hash=voter_hash, ip_hash=ip_hash,
        status="pending" if settings.pre_moderated else "visible", report_count=0,
        source=(source or SITE)[:SOURCE_LENGTH], created_at=now, edited_at=None,
    )
    session.add(comment)
    session.flush()
    _page_changed(session, comment, +1 if comment.status == "visible" else 0)
    return comment


def edit_comment(session: Session, comment: Comment, *, body: str | None, token: str | None,
                 settings: CommentSettings, now: datetime | None = None) -> Comment:
    """Replace the author's text (inside the window). Raises Refused; does not commit.

    Under pre-moderation an edited comment goes back to the editors' queue, so
    approved text cannot be swapped for something else.
    """
    now = now or utcnow()
    require_author(comment, token, settings, now)
    body = clean_body(body)
    body_html = rendered_body(body)  # refuses before the comment changes
    comment.body_md = body
    comment.body_html = body_html
    comment.edited_at = now
    back_in_queue = settings.pre_moderated and _set_status(session, comment, "pending")
    if not back_in_queue:
        _page_changed(session, comment)  # the new text is on the case page
    return comment


def delete_own_comment(session: Session, comment: Comment, *, token: str | None,
                       settings: CommentSettings, now: datetime | None = None) -> None:
    """Delete the author's comment (inside the window). Raises Refused; does not commit."""
    require_author(comment, token, settings, now)
    _set_status(session, comment, "deleted")


def clean_report(reason: str | None, note: str | None) -> tuple[str, str | None]:
    """The reader's reason (one of REPORT_REASONS) and note (trimmed, None if blank).
    Raises Refused("invalid")."""
    if reason not in REPORT_REASONS:
        raise Refused("invalid", _("Vælg, hvad der er galt med kommentaren."))
    note = (note or "").strip()
    if len(note) > REPORT_NOTE_MAX:
        raise Refused("invalid", _("Højst %(num)s tegn.", num=REPORT_NOTE_MAX))
    return reason, note or None


def report_comment(session: Session, comment: Comment, reporter_hash: str,
                   ip_hash: str | None, now: datetime | None = None, *,
                   reason: str | None, note: str | None = None) -> str:
    """Record one reader's report and why: "new", "again" (this reader reported it
    already), or "counted" (a report from their address today is counted already).
    Raises Refused for a missing reason or a note too long. Does not commit.

    Each reader counts once: one report per voter hash and one per day's IP hash, both
    unique in the table, so a reader who drops their cookie adds nothing. (Readers
    behind one address, an office, count once a day between them.)
    """
    if comment.status != "visible":
        raise Refused("not_found", _("Kommentaren findes ikke."))
    reason, note = clean_report(reason, note)
    report_id = insert_unless_present(session, CommentReport, {
        "comment_id": comment.id, "reporter_hash": reporter_hash, "ip_hash": ip_hash,
        "reason": reason, "note": note, "created_at": now or utcnow(),
    }, unique=None)
    if report_id is None:
        mine = session.scalar(select(CommentReport.id).where(
            CommentReport.comment_id == comment.id, CommentReport.reporter_hash == reporter_hash))
        return "again" if mine is not None else "counted"
    session.execute(update(Comment).where(Comment.id == comment.id)
                    .values(report_count=Comment.report_count + 1))
    return "new"
