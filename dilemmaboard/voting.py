"""Case state, casting and changing votes, result visibility and percentages.

SPEC §3-§4. The vote row, its event and the stored tally change in one
transaction; reading results only reads the five stored counters.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

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


# The case with its five options in one query (the page's round trips count on PostgreSQL).
_CASE_BY_SLUG = (select(Case).where(Case.slug == bindparam("slug"))
                 .options(joinedload(Case.options)))


def get_public_case(session: Session, slug: str, now: datetime | None = None) -> Case | None:
    """A published case by slug, with its options."""
    case = session.scalars(_CASE_BY_SLUG, {"slug": slug}).unique().one_or_none()
    if case is None or not is_public(case, now):
        return None
    return case


# What a vote needs of its case, read as a plain row: loading the ORM object (with its
# rendered HTML) was a quarter of the vote POST's CPU (bench/: vote POST ÷ floor).
_VOTABLE_CASE = select(Case.id, Case.slug, Case.draft, Case.publish_at, Case.closes_at,
                       Case.state_override, Case.shuffle).where(Case.slug == bindparam("slug"))


def get_votable_case(session: Session, slug: str, now: datetime | None = None):
    """A published case by slug as a row with the columns `cast_vote` and `option_order`
    read (id, slug, draft, publish_at, closes_at, state_override, shuffle), or None."""
    # On the session's connection, past the ORM's execute: the row needs no mapping.
    case = session.connection().execute(_VOTABLE_CASE, {"slug": slug}).one_or_none()
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

_VOTE_OF = select(Vote).where(Vote.case_id == bindparam("case_id"),
                              Vote.voter_hash == bindparam("voter_hash"))


def find_vote(session: Session, case: Case, voter_hash: str | None) -> Vote | None:
    if not voter_hash:
        return None
    return session.scalars(_VOTE_OF, {"case_id": case.id, "voter_hash": voter_hash}).first()


# The vote's three writes, built once per dialect as Core statements on the tables and
# run on the session's connection: building ORM statements per request cost more than
# running them (bench/: vote POST ÷ floor insert POST).
_VOTE_WRITES: dict[str, tuple] = {}
VOTE_COLUMNS = ("case_id", "voter_hash", "option_number", "profile", "created_at", "updated_at")
EVENT_COLUMNS = ("case_id", "vote_id", "kind", "option_number", "previous_option",
                 "shown_position", "profile", "created_at")


def _vote_writes(dialect: str) -> tuple:
    """(insert vote if new, bump an option's tally, insert a vote event) for this dialect."""
    if dialect not in _VOTE_WRITES:
        dml = postgresql if dialect == "postgresql" else sqlite
        votes, options, events = Vote.__table__, Option.__table__, VoteEvent.__table__
        insert_vote = (
            dml.insert(votes)
            .values({c: bindparam("p_" + c) for c in VOTE_COLUMNS})
            .on_conflict_do_nothing(index_elements=["case_id", "voter_hash"])
            .returning(votes.c.id)
        )
        bump = (
            update(options)
            .where(options.c.case_id == bindparam("b_case_id"),
                   options.c.number == bindparam("b_number"))
            .values(votes=options.c.votes + bindparam("b_delta"))
        )
        insert_event = insert(events).values({c: bindparam("p_" + c) for c in EVENT_COLUMNS})
        _VOTE_WRITES[dialect] = (insert_vote, bump, insert_event)
    return _VOTE_WRITES[dialect]


def _insert_vote_if_new(session: Session, values: dict) -> int | None:
    """INSERT the vote unless this voter already has one; return the new id or None."""
    conn = session.connection()
    insert_vote = _vote_writes(conn.dialect.name)[0]
    return conn.execute(insert_vote, {"p_" + c: values[c] for c in VOTE_COLUMNS}).scalar()


def _bump(session: Session, case_id: int, number: int, delta: int) -> None:
    conn = session.connection()
    bump = _vote_writes(conn.dialect.name)[1]
    conn.execute(bump, {"b_case_id": case_id, "b_number": number, "b_delta": delta})


def _insert_event(session: Session, **values) -> None:
    conn = session.connection()
    insert_event = _vote_writes(conn.dialect.name)[2]
    values.setdefault("previous_option", None)
    conn.execute(insert_event, {"p_" + c: values[c] for c in EVENT_COLUMNS})


def _expire_tallies(session: Session, case: Case) -> None:
    """The writes bypass the ORM: make loaded options read their new tally on next access."""
    if "options" in getattr(case, "__dict__", ()):  # a plain row (get_votable_case) has none
        for option in case.options:
            session.expire(option, ["votes"])


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
    # No commit between reading the case and writing: PostgreSQL needs none, and
    # pysqlite opens no transaction for a SELECT (it sends BEGIN before the first
    # write), so the INSERT below still takes SQLite's write lock with a busy wait.
    try:
        vote_id = _insert_vote_if_new(session, {
            "case_id": case_id, "voter_hash": voter_hash, "option_number": option_number,
            "profile": profile, "created_at": now, "updated_at": now,
        })
        if vote_id is not None:
            _bump(session, case_id, option_number, +1)
            _insert_event(session, case_id=case_id, vote_id=vote_id, kind="first",
                          option_number=option_number, shown_position=shown_position,
                          profile=profile, created_at=now)
            session.commit()
            _expire_tallies(session, case)
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
        _insert_event(session, case_id=case_id, vote_id=vote_id, kind="change",
                      option_number=option_number, previous_option=previous,
                      shown_position=shown_position, profile=profile, created_at=now)
        _mark_comments_changed(session, case_id, voter_hash, option_number)
        session.commit()
        _expire_tallies(session, case)
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
