"""The editors' desk as plain functions: dashboard numbers, reloading, closing, moderation.

Views and tests call these with a session and plain values. A change adds its
audit row to the same session and nothing here commits: the caller commits the
change and its audit entry together. A refusal is `Refused` (dilemmaboard/refusal.py).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from dilemmaboard.cases.sync import SyncReport, sync_configured
from dilemmaboard.comments.service import (
    EDITOR_ACTIONS,
    MODERATION_ACTIONS,
    REPORT_REASONS,
    STATUSES,
    dismiss_reports,
    held_comments,
    moderate_comment,
    reported_comments,
)
from dilemmaboard.desk import audit
from dilemmaboard.models import Case, Comment, CommentReport, SyncProblem
from dilemmaboard.refusal import Refused
from dilemmaboard.research import snapshot as research_snapshot
from dilemmaboard.research.snapshot import SnapshotCard
from dilemmaboard.research.tables import Scope
from dilemmaboard.voting.state import case_state, is_public

OVERRIDES = {"close": "closed", "reopen": "open", "follow_schedule": None}
# Actions that take something away from readers (or change the schedule) need a
# reason in the audit log.
REASON_REQUIRED = ("hide", "delete", "close", "reopen", "follow_schedule")
REASON_MISSING = _l("Skriv en begrundelse.")
MODERATION_REASON_MISSING = _l("Skriv en begrundelse for at skjule eller slette.")
BULK_MAX = 200


def missing_reason(action: str, reason: str | None):
    """The message when `action` needs a reason and `reason` is blank, else None."""
    if action not in REASON_REQUIRED or (reason or "").strip():
        return None
    return MODERATION_REASON_MISSING if action in MODERATION_ACTIONS else REASON_MISSING


def _checked_reason(action: str, reason: str | None) -> str:
    problem = missing_reason(action, reason)
    if problem is not None:
        raise Refused("invalid", problem)
    return (reason or "").strip()


# --- the dashboard ----------------------------------------------------------------

@dataclass
class CaseRow:
    case: Case
    state: str
    votes: int
    comments: int
    waiting: int
    reported: int


@dataclass
class Dashboard:
    rows: list[CaseRow]
    problems: list[str]  # the `path:line: message` lines the last sync stored


def dashboard(session: Session) -> Dashboard:
    """Every case, drafts and scheduled included, with its numbers, and the sync problems.

    A fixed number of queries, however many cases there are.
    """
    cases = session.scalars(select(Case).order_by(Case.publish_at.desc(), Case.id.desc())).all()
    shown = dict(session.execute(
        select(Comment.case_id, func.count())
        .where(Comment.status == "visible").group_by(Comment.case_id)
    ).all())
    waiting = _count_per_case(session, held_comments())
    reported = _count_per_case(session, reported_comments())
    rows = [
        CaseRow(case=c, state=case_state(c), votes=c.total_votes, comments=shown.get(c.id, 0),
                waiting=waiting.get(c.id, 0), reported=reported.get(c.id, 0))
        for c in cases
    ]
    problems = list(session.scalars(select(SyncProblem.message).order_by(SyncProblem.id)))
    return Dashboard(rows=rows, problems=problems)


def _count_per_case(session: Session, stmt: Select) -> dict[int, int]:
    sub = stmt.order_by(None).subquery()
    return dict(session.execute(
        select(sub.c.case_id, func.count()).group_by(sub.c.case_id)
    ).all())


def reload_cases(session: Session, settings: Mapping, *, editor: str) -> SyncReport:
    """Sync the case folder (as `flask dilemmas sync` does) and log who asked for it."""
    report = sync_configured(session, settings)
    audit.record(session, editor, "reload", str(settings["DILEMMAS_DIR"]), report.summary())
    return report


# --- closing and reopening ------------------------------------------------------------

def set_case_override(session: Session, case: Case, action: str, *, editor: str,
                      reason: str) -> str:
    """Close early, reopen, or hand the case back to its schedule; return the new state."""
    if action not in OVERRIDES:
        raise Refused("invalid", _l("Ukendt handling."))
    reason = _checked_reason(action, reason)
    if not is_public(case):
        raise Refused("conflict",
                      _l("Kladder og planlagte cases kan ikke lukkes eller genåbnes."))
    case.state_override = OVERRIDES[action]
    case.override_reason = reason if action != "follow_schedule" else None
    audit.record(session, editor, action, f"case {case.slug}", reason)
    return case_state(case)


# --- moderation ---------------------------------------------------------------------

@dataclass
class ReportSummary:
    """Why readers reported one comment: each reason in words with how many gave it,
    and the notes they wrote (newest first)."""

    reasons: list[tuple[str, int]]
    notes: list[str]


@dataclass
class Queue:
    """The comments waiting for an editor and the reported ones, oldest first."""

    held: list[Row]  # (Comment, case slug, case title)
    held_total: int
    reported: list[Row]
    reported_total: int
    reports: dict[int, ReportSummary]  # per reported comment shown


def moderation_queue(session: Session, limit: int) -> Queue:
    """The first `limit` held and reported comments with their cases, and how many in all."""
    reported = _with_cases(session, reported_comments(), limit)
    return Queue(
        held=_with_cases(session, held_comments(), limit),
        held_total=_total(session, held_comments()),
        reported=reported,
        reported_total=_total(session, reported_comments()),
        reports=report_summaries(session, [row[0].id for row in reported]),
    )


NOTES_SHOWN = 5


def report_summaries(session: Session, comment_ids: list[int]) -> dict[int, ReportSummary]:
    """The readers' reasons and notes for these comments, in one query."""
    summaries = {cid: ReportSummary(reasons=[], notes=[]) for cid in comment_ids}
    if not comment_ids:
        return summaries
    counts: dict[int, dict[str | None, int]] = {cid: {} for cid in comment_ids}
    for cid, reason, note in session.execute(
            select(CommentReport.comment_id, CommentReport.reason, CommentReport.note)
            .where(CommentReport.comment_id.in_(comment_ids))
            .order_by(CommentReport.id.desc())):
        counts[cid][reason] = counts[cid].get(reason, 0) + 1
        if note and len(summaries[cid].notes) < NOTES_SHOWN:
            summaries[cid].notes.append(note)
    for cid, by_reason in counts.items():
        summaries[cid].reasons = [
            (str(REPORT_REASONS.get(reason, _l("Ingen begrundelse"))), n)
            for reason, n in sorted(by_reason.items(), key=lambda item: -item[1])]
    return summaries


def _with_cases(session: Session, stmt: Select, limit: int) -> list[Row]:
    stmt = stmt.add_columns(Case.slug, Case.title).join(Case, Case.id == Comment.case_id)
    return list(session.execute(stmt.limit(limit)).all())


def _total(session: Session, stmt: Select) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def case_comments(case: Case, status: str | None = None) -> Select:
    """Select every comment of a case, newest first; only one status if `status` is one."""
    stmt = select(Comment).where(Comment.case_id == case.id).order_by(Comment.id.desc())
    if status in STATUSES:
        stmt = stmt.where(Comment.status == status)
    return stmt


def moderate(session: Session, comment_ids: list[int], action: str, *, editor: str,
             reason: str = "") -> int:
    """Apply one editor's action (a moderation action, or "dismiss" their reports) to the
    chosen comments; return how many changed.

    The whole batch is refused if one of the comments is gone. Every comment
    that changes gets its own audit row.
    """
    if action not in EDITOR_ACTIONS:
        raise Refused("invalid", _l("Ukendt handling."))
    reason = _checked_reason(action, reason)
    comments = _comments_by_ids(session, comment_ids)
    slugs = dict(session.execute(
        select(Case.id, Case.slug).where(Case.id.in_({c.case_id for c in comments}))
    ).all())
    changed = 0
    for comment in comments:
        if action == "dismiss":
            moved = dismiss_reports(comment)  # the reports were unfounded: it stays as it is
        else:
            before = comment.status
            moderate_comment(session, comment, action)
            moved = comment.status != before
        if moved:
            changed += 1
            audit.record(session, editor, action,
                         f"comment {comment.id} on {slugs.get(comment.case_id, '?')}", reason)
    return changed


def _comments_by_ids(session: Session, ids: list[int]) -> list[Comment]:
    wanted = set(ids)
    found = list(session.scalars(
        select(Comment).where(Comment.id.in_(wanted)).order_by(Comment.id)
    ))
    if len(found) != len(wanted):
        if len(wanted) == 1:
            raise Refused("not_found", _l("Kommentaren findes ikke."))
        raise Refused("not_found", _l("En af de valgte kommentarer findes ikke længere."))
    return found


def publish_snapshot(session: Session, scope: Scope, directory: Path, *, publisher: str,
                     url: str, editor: str) -> SnapshotCard:
    """Publish a research snapshot on the data page, in the audit log (not committed)."""
    card = research_snapshot.publish_snapshot(session, scope, directory, publisher=publisher,
                                              url=url)
    audit.record(session, editor, "snapshot", f"snapshot {card.version} ({card.access})")
    return card
