"""The editors' desk as plain functions: dashboard numbers, closing and reopening, moderation.

Views and tests call these with a session and plain values. Every change
writes its audit row in the same transaction; the functions commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmaboard.comments.service import held_comments, moderate_comment, reported_comments
from dilemmaboard.desk import audit
from dilemmaboard.models import Case, Comment, SyncProblem
from dilemmaboard.voting.state import case_state, is_public

OVERRIDES = {"close": "closed", "reopen": "open", "follow_schedule": None}
MODERATION_ACTIONS = ("approve", "hide", "restore", "delete")
# Actions that take something away from readers need a reason in the audit log.
REASON_REQUIRED = ("hide", "delete", "close", "reopen", "follow_schedule")
BULK_MAX = 200


class DeskRefused(Exception):
    """An editor action that cannot be done; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- the dashboard ----------------------------------------------------------------

@dataclass
class CaseRow:
    case: Case
    state: str
    votes: int
    comments: int
    waiting: int
    reported: int


def dashboard_rows(session: Session) -> list[CaseRow]:
    """Every case, drafts and scheduled included, with its numbers (four queries in all)."""
    cases = session.scalars(select(Case).order_by(Case.publish_at.desc(), Case.id.desc())).all()
    shown = dict(session.execute(
        select(Comment.case_id, func.count())
        .where(Comment.status == "visible").group_by(Comment.case_id)
    ).all())
    waiting = _grouped(session, held_comments())
    reported = _grouped(session, reported_comments())
    return [
        CaseRow(case=c, state=case_state(c), votes=c.total_votes, comments=shown.get(c.id, 0),
                waiting=waiting.get(c.id, 0), reported=reported.get(c.id, 0))
        for c in cases
    ]


def _grouped(session: Session, stmt) -> dict[int, int]:
    sub = stmt.order_by(None).subquery()
    return dict(session.execute(
        select(sub.c.case_id, func.count()).group_by(sub.c.case_id)
    ).all())


def sync_problems(session: Session) -> list[str]:
    """The `path:line: message` lines the last sync stored."""
    return list(session.scalars(select(SyncProblem.message).order_by(SyncProblem.id)))


# --- closing and reopening ------------------------------------------------------------

def set_case_override(session: Session, case: Case, action: str, *, editor: str,
                      reason: str) -> str:
    """Close early, reopen, or hand the case back to its schedule; return the new state."""
    if action not in OVERRIDES:
        raise DeskRefused(400, _("Ukendt handling."))
    reason = (reason or "").strip()
    if not reason:
        raise DeskRefused(400, _("Skriv en begrundelse."))
    if not is_public(case):
        raise DeskRefused(409, _("Kladder og planlagte cases kan ikke lukkes eller genåbnes."))
    case.state_override = OVERRIDES[action]
    case.override_reason = reason if action != "follow_schedule" else None
    audit.record(session, editor, action, f"case {case.slug}", reason)
    session.commit()
    return case_state(case)


# --- moderation ---------------------------------------------------------------------

def moderate(session: Session, comments: list[Comment], action: str, *, editor: str,
             reason: str = "") -> int:
    """Apply one moderation action to comments; return how many changed.

    Every comment that changes gets its own audit row; all of it commits at once.
    """
    if action not in MODERATION_ACTIONS:
        raise DeskRefused(400, _("Ukendt handling."))
    reason = (reason or "").strip()
    if action in REASON_REQUIRED and not reason:
        raise DeskRefused(400, _("Skriv en begrundelse for at skjule eller slette."))
    slugs = dict(session.execute(
        select(Case.id, Case.slug).where(Case.id.in_({c.case_id for c in comments}))
    ).all())
    changed = 0
    for comment in comments:
        before = comment.status
        moderate_comment(session, comment, action)
        if comment.status != before:
            changed += 1
            audit.record(session, editor, action,
                         f"comment {comment.id} on {slugs.get(comment.case_id, '?')}", reason)
    session.commit()
    return changed


def comments_by_ids(session: Session, ids: list[int]) -> list[Comment]:
    """Load the chosen comments; refuse the whole batch if any of them is gone."""
    if not ids:
        raise DeskRefused(400, _("Vælg mindst én kommentar."))
    if len(ids) > BULK_MAX:
        raise DeskRefused(400, _("Højst %(num)s kommentarer ad gangen.", num=BULK_MAX))
    wanted = set(ids)
    found = session.scalars(
        select(Comment).where(Comment.id.in_(wanted)).order_by(Comment.id)
    ).all()
    if len(found) != len(wanted):
        raise DeskRefused(404, _("En af de valgte kommentarer findes ikke længere."))
    return list(found)
