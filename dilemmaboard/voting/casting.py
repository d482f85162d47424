"""Casting and changing votes (SPEC §3).

The vote row, its event and the stored tally change in one transaction, which
the caller commits: a vote can be neither lost nor doubled by concurrency on
SQLite or PostgreSQL (unique (case, voter) pair, the change locks the row).
"""
from __future__ import annotations

import hashlib
import random
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from dilemmaboard.database import insert_unless_present
from dilemmaboard.models import Case, Comment, Option, Vote, VoteEvent, utcnow
from dilemmaboard.partners.sources import SITE, SOURCE_LENGTH
from dilemmaboard.refusal import Refused
from dilemmaboard.voting.state import is_open, is_public

OPTION_NUMBERS = (1, 2, 3, 4, 5)
# The answers to "Hvad er din rolle?" (PROFILE_QUESTION), in the order the form shows them.
PROFILE_LABELS = {
    "first_line_manager": _l("Førstelinjeleder"),
    "middle_manager": _l("Mellemleder"),
    "executive": _l("Topleder"),
    "employee": _l("Medarbejder"),
    "other": _l("Andet"),
    "prefer_not_to_say": _l("Vil ikke oplyse"),
}
PROFILE_CHOICES = tuple(PROFILE_LABELS)


def option_order(case: Case, voter_key: str | None) -> list[int]:
    """Option numbers in the order this reader sees them (stable per reader)."""
    numbers = list(OPTION_NUMBERS)
    if case.shuffle and voter_key:
        seed = hashlib.sha256(f"{case.slug}:{voter_key}".encode()).digest()
        random.Random(seed).shuffle(numbers)
    return numbers


def find_vote(session: Session, case: Case, voter_hash: str | None) -> Vote | None:
    """This reader's vote on the case, or None."""
    if not voter_hash:
        return None
    return session.scalars(select(Vote).where(Vote.case_id == case.id,
                                              Vote.voter_hash == voter_hash)).first()


# The tally and the event log are written with plain SQL on their tables, as
# statements defined once like the tables themselves (SQLAlchemy then keys its
# compiled-statement cache on the same object every time): nothing in the
# request reads them back as objects.
OPTIONS = Option.__table__
BUMP_TALLY = (update(OPTIONS)
              .where(OPTIONS.c.case_id == bindparam("case"),
                     OPTIONS.c.number == bindparam("option"))
              .values(votes=OPTIONS.c.votes + bindparam("delta")))
RECORD_EVENT = insert(VoteEvent.__table__)


def _bump(session: Session, case_id: int, number: int, delta: int) -> None:
    session.execute(BUMP_TALLY, {"case": case_id, "option": number, "delta": delta})


def _record_event(session: Session, case: Case, **values) -> None:
    values.setdefault("previous_option", None)
    session.execute(RECORD_EVENT, values)
    # The tallies moved in SQL: the case's options are read again when next asked for.
    session.expire(case, ["options"])


def cast_vote(session: Session, case: Case, voter_hash: str, option_number: int, *,
              shown_position: int | None = None, profile: str | None = None,
              source: str = SITE, now: datetime | None = None) -> str:
    """Record a first vote or a change; return "first", "change" or "same".

    `source` is where it was cast ("site", a partner id, "unknown": see
    partners.registry.resolve_source); it is never a reason to refuse. The vote
    keeps the source it was first cast through; each event records its own.
    Does not commit. Raises Refused: not_found (draft, scheduled), conflict
    (closed), invalid (no such option).
    """
    now = now or utcnow()
    if not is_public(case, now):
        raise Refused("not_found", _l("Dilemmaet findes ikke."))
    if not is_open(case, now):
        raise Refused("conflict",
                      _l("Afstemningen er lukket, så din stemme blev ikke registreret."))
    if option_number not in OPTION_NUMBERS:
        raise Refused("invalid", _l("Vælg et af de fem svar."))
    if profile not in PROFILE_CHOICES:
        profile = None
    source = (source or SITE)[:SOURCE_LENGTH]
    event = {"case_id": case.id, "option_number": option_number,
             "shown_position": shown_position, "profile": profile, "source": source,
             "created_at": now}
    vote_id = insert_unless_present(session, Vote, {
        "case_id": case.id, "voter_hash": voter_hash, "option_number": option_number,
        "profile": profile, "source": source, "created_at": now, "updated_at": now,
    }, unique=["case_id", "voter_hash"])
    if vote_id is not None:
        _bump(session, case.id, option_number, +1)
        _record_event(session, case, vote_id=vote_id, kind="first", **event)
        return "first"
    # A change: lock the reader's vote row (PostgreSQL; SQLite's write lock is already
    # held by the INSERT above), so two changes at once move the tally once each.
    vote_id, previous, stored_profile = session.execute(
        select(Vote.id, Vote.option_number, Vote.profile)
        .where(Vote.case_id == case.id, Vote.voter_hash == voter_hash).with_for_update()
    ).one()
    if previous == option_number:
        return "same"
    # The reader's latest answer to the role question counts; a change that carries
    # none (the question switched off, a client that leaves it out) keeps the earlier.
    event["profile"] = profile = profile or stored_profile
    session.execute(update(Vote).where(Vote.id == vote_id)
                    .values(option_number=option_number, profile=profile, updated_at=now))
    # Always the two counters in the same order, so concurrent changes cannot deadlock.
    for number, delta in sorted([(previous, -1), (option_number, +1)]):
        _bump(session, case.id, number, delta)
    _record_event(session, case, vote_id=vote_id, kind="change", previous_option=previous,
                  **event)
    # A comment keeps its option; flag it when the author now holds another one.
    session.execute(update(Comment)
                    .where(Comment.case_id == case.id, Comment.voter_hash == voter_hash)
                    .values(option_changed=Comment.option_number != option_number))
    return "change"
