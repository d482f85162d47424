"""Synthetic votes for demos and benchmarks (`flask demo seed-votes`)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from dilemmaboard.models import Case, Option, Vote, VoteEvent, utcnow


def seed_votes(session, case: Case, count: int, *, seed: int = 1,
               chunk: int = 20_000) -> list[int]:
    """Bulk-insert synthetic votes and first-vote events spread over the voting week
    (the caller commits)."""
    rng = random.Random(seed)
    weights = [rng.randint(1, 10) for _ in range(5)]
    # Over the voting week so far: an open case's votes must not land in the future.
    span = max((min(case.closes_at, utcnow()) - case.publish_at).total_seconds(), 1)
    start_id = (session.scalar(select(func.max(Vote.id))) or 0) + 1
    start_event = (session.scalar(select(func.max(VoteEvent.id))) or 0) + 1
    added = [0] * 5
    prefix = f"demo-{seed}-{datetime.now().timestamp():.6f}-"
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        numbers = rng.choices([1, 2, 3, 4, 5], weights=weights, k=n)
        moments = sorted(case.publish_at + timedelta(seconds=rng.random() * span)
                         for _ in range(n))
        votes, events = [], []
        for i, (number, moment) in enumerate(zip(numbers, moments, strict=True)):
            vote_id = start_id + offset + i
            votes.append({"id": vote_id, "case_id": case.id, "voter_hash": prefix + str(vote_id),
                          "option_number": number, "created_at": moment, "updated_at": moment})
            events.append({"id": start_event + offset + i, "case_id": case.id,
                           "vote_id": vote_id, "kind": "first", "option_number": number,
                           "created_at": moment})
            added[number - 1] += 1
        session.execute(insert(Vote), votes)
        session.execute(insert(VoteEvent), events)
    for number, n in enumerate(added, start=1):
        session.execute(update(Option).where(Option.case_id == case.id, Option.number == number)
                        .values(votes=Option.votes + n))
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids were used: move the sequences past them.
        for table in ("votes", "vote_events"):
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            ))
    return added
