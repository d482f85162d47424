"""Case state, casting and changing votes, result visibility and percentages.

SPEC §3-§4. The vote row, its event and the stored tally change in one
transaction; reading results only reads the five stored counters.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Case, Option, Vote, VoteEvent, utcnow

PROFILE_CHOICES = (
    "first_line_manager", "middle_manager", "executive", "employee", "other",
    "prefer_not_to_say",
)


class VoteRefused(Exception):
    """A vote that cannot be taken; `status` is the HTTP status to answer with."""

    status = 400


class CaseClosed(VoteRefused):
    status = 409


class CaseNotPublic(VoteRefused):
    status = 404


# --- state -----------------------------------------------------------------

def is_public(case: Case, now: datetime | None = None) -> bool:
    """Drafts and scheduled cases are never shown to readers."""
    now = now or utcnow()
    return not case.draft and case.publish_at <= now


def is_open(case: Case, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not is_public(case, now):
        return False
    if case.state_override == "closed":
        return False
    if case.state_override == "open":
        return True
    return now < case.closes_at


def case_state(case: Case, now: datetime | None = None) -> str:
    """draft | scheduled | open | closed | closed_early (the dashboard's words)."""
    now = now or utcnow()
    if case.draft:
        return "draft"
    if case.publish_at > now:
        return "scheduled"
    if is_open(case, now):
        return "open"
    if case.state_override == "closed" and now < case.closes_at:
        return "closed_early"
    return "closed"


def open_clause(now: datetime):
    """SQL version of is_open, for choosing this week's dilemma without loading every case."""
    return and_(
        Case.draft.is_(False),
        Case.publish_at <= now,
        or_(
            Case.state_override == "open",
            and_(Case.state_override.is_(None), Case.closes_at > now),
        ),
    )


def public_cases(now: datetime | None = None):
    """Select published cases, newest first."""
    now = now or utcnow()
    return (
        select(Case)
        .where(Case.draft.is_(False), Case.publish_at <= now)
        .order_by(Case.publish_at.desc(), Case.id.desc())
    )


def this_weeks_case(session: Session, now: datetime | None = None) -> Case | None:
    """The open case with the latest publish, else the latest closed one."""
    now = now or utcnow()
    stmt = select(Case).where(open_clause(now)).order_by(Case.publish_at.desc()).limit(1)
    case = session.scalars(stmt).first()
    if case is None:
        case = session.scalars(public_cases(now).limit(1)).first()
    return case


def get_public_case(session: Session, slug: str, now: datetime | None = None) -> Case | None:
    case = session.scalars(select(Case).where(Case.slug == slug)).first()
    if case is None or not is_public(case, now):
        return None
    return case


# --- visibility: the one rule ----------------------------------------------

def results_visible(case: Case, *, has_voted: bool, privileged: bool = False,
                    now: datetime | None = None) -> bool:
    """Decide whether a viewer may see this case's results.

    Every page, JSON response, feed and export asks this function. Editors and
    researchers (`privileged`) see everything; a public export asks as a
    reader who has not voted.
    """
    if privileged or case.results_mode == "always":
        return True
    closed = not is_open(case, now) and is_public(case, now)
    if case.results_mode == "after_close":
        return closed
    return has_voted or closed  # after_vote


# --- results ---------------------------------------------------------------

def largest_remainder_percentages(counts: list[int]) -> list[int]:
    """Whole percentages that add up to exactly 100 (all 0 when there are no votes)."""
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    floors = [100 * c // total for c in counts]
    remainders = [100 * c % total for c in counts]
    missing = 100 - sum(floors)
    # Largest remainder first; ties go to the larger count, then the lower number.
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return floors


@dataclass
class OptionResult:
    number: int
    text: str
    text_html: str
    live_votes: int
    imported_votes: int
    votes: int
    percent: int
    share: float


@dataclass
class Results:
    options: list[OptionResult]
    total: int
    imported_total: int


def case_results(case: Case) -> Results:
    """Read the stored counters (never the vote rows) and compute the breakdown."""
    options = sorted(case.options, key=lambda o: o.number)
    counts = [o.votes + o.imported_votes for o in options]
    total = sum(counts)
    percents = largest_remainder_percentages(counts)
    rows = [
        OptionResult(
            number=o.number, text=o.text, text_html=o.text_html, live_votes=o.votes,
            imported_votes=o.imported_votes, votes=count, percent=pct,
            share=(count / total) if total else 0.0,
        )
        for o, count, pct in zip(options, counts, percents, strict=True)
    ]
    return Results(options=rows, total=total,
                   imported_total=sum(o.imported_votes for o in options))


# --- shuffled options ------------------------------------------------------

def option_order(case: Case, voter_key: str | None) -> list[int]:
    """Option numbers in the order this reader sees them (stable per reader)."""
    numbers = [1, 2, 3, 4, 5]
    if case.shuffle and voter_key:
        seed = hashlib.sha256(f"{case.slug}:{voter_key}".encode()).digest()
        random.Random(seed).shuffle(numbers)
    return numbers


# --- casting ---------------------------------------------------------------

def find_vote(session: Session, case: Case, voter_hash: str | None) -> Vote | None:
    if not voter_hash:
        return None
    return session.scalars(
        select(Vote).where(Vote.case_id == case.id, Vote.voter_hash == voter_hash)
    ).first()


def _insert_vote_if_new(session: Session, values: dict) -> int | None:
    """INSERT the vote unless this voter already has one; return the new id or None."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(Vote).values(**values)
        .on_conflict_do_nothing(index_elements=["case_id", "voter_hash"])
        .returning(Vote.id)
    )
    return session.execute(stmt).scalar()


def _bump(session: Session, case_id: int, number: int, delta: int) -> None:
    session.execute(
        update(Option)
        .where(Option.case_id == case_id, Option.number == number)
        .values(votes=Option.votes + delta)
    )


def cast_vote(session: Session, case: Case, voter_hash: str, option_number: int, *,
              shown_position: int | None = None, profile: str | None = None,
              now: datetime | None = None) -> str:
    """Record a first vote or a change; return "first", "change" or "same".

    Commits. Safe under concurrency on SQLite and PostgreSQL: the insert cannot
    double a vote (unique constraint, ON CONFLICT DO NOTHING) and a change
    locks the reader's vote row before moving the tally.
    """
    now = now or utcnow()
    if not is_public(case, now):
        raise CaseNotPublic("unknown case")
    if not is_open(case, now):
        raise CaseClosed("voting on this case has closed")
    if option_number not in (1, 2, 3, 4, 5):
        raise VoteRefused("option must be 1-5")
    if profile is not None and profile not in PROFILE_CHOICES:
        profile = None
    case_id = case.id
    # End any read-only transaction so the write below starts a fresh one
    # (on SQLite the first statement then takes the write lock with a busy wait).
    session.commit()
    try:
        vote_id = _insert_vote_if_new(session, {
            "case_id": case_id, "voter_hash": voter_hash, "option_number": option_number,
            "profile": profile, "created_at": now, "updated_at": now,
        })
        if vote_id is not None:
            _bump(session, case_id, option_number, +1)
            session.add(VoteEvent(
                case_id=case_id, vote_id=vote_id, kind="first", option_number=option_number,
                shown_position=shown_position, profile=profile, created_at=now,
            ))
            session.commit()
            return "first"
        stmt = select(Vote.id, Vote.option_number).where(
            Vote.case_id == case_id, Vote.voter_hash == voter_hash
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        vote_id, previous = session.execute(stmt).one()
        if previous == option_number:
            session.rollback()
            return "same"
        session.execute(
            update(Vote).where(Vote.id == vote_id)
            .values(option_number=option_number, updated_at=now)
        )
        # Always touch the two counters in the same order, so concurrent
        # changes on PostgreSQL cannot deadlock.
        for number, delta in sorted([(previous, -1), (option_number, +1)]):
            _bump(session, case_id, number, delta)
        session.add(VoteEvent(
            case_id=case_id, vote_id=vote_id, kind="change", option_number=option_number,
            previous_option=previous, shown_position=shown_position, profile=profile,
            created_at=now,
        ))
        _mark_comments_changed(session, case_id, voter_hash, option_number)
        session.commit()
        return "change"
    except Exception:
        session.rollback()
        raise


def _mark_comments_changed(session: Session, case_id: int, voter_hash: str,
                           option_number: int) -> None:
    """A comment keeps its option; flag it when the author now holds another one."""
    from .models import Comment

    session.execute(
        update(Comment)
        .where(Comment.case_id == case_id, Comment.voter_hash == voter_hash)
        .values(option_changed=Comment.option_number != option_number)
    )
