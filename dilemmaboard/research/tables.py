"""The research tables' rows (SPEC §6, §8): streamed, shared by the web and the CLI.

Each row function yields plain tuples in the order of its table's fields in
`codebook`. Record-level rows are read in keyset batches, so memory stays flat
whatever the number of vote events.

Which cases a table shows is decided by `voting.results_visible`, asked as a
reader who has not voted; editors and researchers (`Scope.privileged`) see
every case, drafts and scheduled ones included.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Comment, Vote, VoteEvent, utcnow
from dilemmaboard.refusal import Refused
from dilemmaboard.research.filters import Filters
from dilemmaboard.research.numbers import exact_share, six_places, suppressed_cells, wilson_interval
from dilemmaboard.voting.by_source import source_order, tallies_by_source
from dilemmaboard.voting.casting import PROFILE_CHOICES
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import case_state, is_open, is_public, results_visible
from dilemmaboard.voting.timeline import (
    QUIET_DAY,
    day_start,
    local_day,
    vote_timeline,
    vote_timelines_by_source,
)

BATCH = 5_000
UNANSWERED = "unanswered"
PROFILE_ROLES = (*PROFILE_CHOICES, UNANSWERED)


@dataclass(frozen=True)
class Scope:
    """Who is asking: the public (as a reader who has not voted) or a researcher."""

    zone: ZoneInfo  # the site's time zone: the time series' days are its calendar days
    privileged: bool = False
    now: datetime = field(default_factory=utcnow)
    filters: Filters = field(default_factory=Filters)

    def time_bounds(self) -> tuple[datetime | None, datetime | None]:
        """The filters' days as stored times (naive UTC): from the first moment of
        `since` up to, not including, the first moment of the day after `until`."""
        since, until = self.filters.since, self.filters.until
        return (day_start(since, self.zone) if since else None,
                day_start(until + timedelta(days=1), self.zone) if until else None)

    def has_day(self, day: date) -> bool:
        since, until = self.filters.since, self.filters.until
        return (since is None or since <= day) and (until is None or day <= until)


# --- which cases -----------------------------------------------------------

def _all_visible_cases(session: Session, scope: Scope) -> list[Case]:
    stmt = select(Case).order_by(Case.publish_at, Case.id)
    if not scope.privileged:
        stmt = stmt.where(Case.draft.is_(False), Case.publish_at <= scope.now)
    cases = session.scalars(stmt).all()
    if scope.privileged:
        return list(cases)
    return [c for c in cases
            if is_public(c, scope.now) and results_visible(c, has_voted=False, now=scope.now)]


def visible_cases(session: Session, scope: Scope) -> list[Case]:
    """Cases this scope may see, oldest first: the one visibility rule, as a non-voter,
    narrowed by the filters' cases and states."""
    wanted, states = scope.filters.cases, scope.filters.statuses
    return [c for c in _all_visible_cases(session, scope)
            if (not wanted or c.slug in wanted)
            and (not states or case_state(c, scope.now) in states)]


def check_filters(session: Session, scope: Scope) -> None:
    """Refuse (invalid) a `case` filter naming a case this scope cannot see. Hidden and
    missing cases get the same answer, so the filter reveals nothing."""
    known = {c.slug for c in _all_visible_cases(session, scope)}
    for slug in scope.filters.cases:
        if slug not in known:
            raise Refused("invalid", _l("Parameteren case: intet dilemma med id'et "
                                        "%(slug)s i denne fil.", slug=slug))


# --- tallies (SPEC §8) -----------------------------------------------------

def tally_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """One row per case × option, read from the stored counters."""
    for case in visible_cases(session, scope):
        results = case_results(case)
        state = case_state(case, scope.now)
        for row in results.options:
            interval = wilson_interval(row.votes, results.total)
            low, high = (six_places(x) for x in interval) if interval else (None, None)
            yield (
                case.slug, case.title, case.language, case.publish_at, case.closes_at, state,
                row.number, row.text, row.live_votes, row.imported_votes, results.total,
                exact_share(row.votes, results.total), row.percent, low, high,
            )


def tally_by_source_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """One row per case × source × option (SPEC §11): each source's votes, its own total,
    share, percent and interval. The site is always listed; other sources once they count."""
    cases = visible_cases(session, scope)
    split = tallies_by_source(session, cases)
    for case in cases:
        for tally in split[case.id]:
            total = tally.total
            for number, (votes, percent) in enumerate(
                    zip(tally.votes, tally.percents, strict=True), start=1):
                interval = wilson_interval(votes, total)
                low, high = (six_places(x) for x in interval) if interval else (None, None)
                yield (case.slug, tally.source, number, votes, total,
                       exact_share(votes, total), percent, low, high)


# --- time series -----------------------------------------------------------

def _series_end(case: Case, scope: Scope, last_event: date | None) -> date:
    """Open cases run to today; closed ones to their closing day (never before the last vote)."""
    today = local_day(scope.now, scope.zone)
    if is_open(case, scope.now):
        end = today
    else:
        closing_day = local_day(case.closes_at - timedelta(microseconds=1), scope.zone)
        end = min(today, closing_day)
    return max(end, last_event) if last_event else end


def timeseries_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """Per case × day × option: first votes, changes in and out, net and cumulative votes."""
    for case in visible_cases(session, scope):
        timeline = vote_timeline(session, case, scope.zone)
        start = local_day(case.publish_at, scope.zone)
        if timeline.first_day:
            start = min(start, timeline.first_day)
        end = _series_end(case, scope, timeline.last_day)
        cumulative = [o.imported_votes for o in case.options]
        if any(cumulative) and scope.has_day(start):
            total = sum(cumulative)
            for i, count in enumerate(cumulative):
                yield (case.slug, start, i + 1, "imported", None, None, None, count, count,
                       exact_share(count, total))
        # After each day's "live" rows (every source together, as before sources were
        # kept), the same day per source, each from 0 (imported is its own source).
        by_source = vote_timelines_by_source(session, case, scope.zone)
        sources = sorted(by_source, key=source_order)
        counts = {source: [0] * 5 for source in sources}
        for day, moves in timeline.span(start, end):
            shown = scope.has_day(day)  # a day outside the filter counts, unwritten
            cumulative = yield from _day_rows(case.slug, day, "live", moves, cumulative, shown)
            for source in sources:
                counts[source] = yield from _day_rows(
                    case.slug, day, source, by_source[source].days.get(day, QUIET_DAY),
                    counts[source], shown)


def _day_rows(slug: str, day: date, source: str, moves, cumulative: list[int], shown: bool):
    """One day's five rows of a series (none when not `shown`); returns the cumulative
    counts at its end."""
    net = moves.net
    cumulative = [c + n for c, n in zip(cumulative, net, strict=True)]
    if not shown:
        return cumulative
    total = sum(cumulative)
    for i in range(5):
        yield (slug, day, i + 1, source, moves.first[i], moves.moved_in[i],
               moves.moved_out[i], net[i], cumulative[i], exact_share(cumulative[i], total))
    return cumulative


# --- vote events -----------------------------------------------------------

def _keyset_batches(session: Session, stmt, keys: tuple) -> Iterator[list]:
    """Run `stmt` (ordered by `keys`) in batches, each starting after the last row seen."""
    after = None
    while True:
        page = stmt if after is None else stmt.where(tuple_(*keys) > after)
        # Core rows (no ORM loading step): plain tuples, read and dropped batch by batch.
        batch = session.connection().execute(page.limit(BATCH)).all()
        if batch:
            yield batch
        if len(batch) < BATCH:
            return
        after = tuple(getattr(batch[-1], k.key) for k in keys)


def vote_event_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """One row per vote event, numbered within its case; no voter identifier of any kind."""
    keys = (VoteEvent.created_at, VoteEvent.id)
    since, until = scope.time_bounds()
    for case in visible_cases(session, scope):
        stmt = (
            select(VoteEvent.id, VoteEvent.created_at, VoteEvent.kind, VoteEvent.option_number,
                   VoteEvent.previous_option, VoteEvent.shown_position, VoteEvent.profile,
                   VoteEvent.source)
            .where(VoteEvent.case_id == case.id, *_within(VoteEvent.created_at, since, until))
            .order_by(*keys)
        )
        # An event keeps its number within the case whatever the filter.
        slug, number = case.slug, _events_before(session, case.id, since)
        hour = hour_end = datetime.min
        for batch in _keyset_batches(session, stmt, keys):
            for _id, created_at, kind, option, previous, shown, profile, source in batch:
                number += 1
                if not hour <= created_at < hour_end:  # events come in time order
                    hour = created_at.replace(minute=0, second=0, microsecond=0)
                    hour_end = hour + timedelta(hours=1)
                yield (slug, number, kind, option, previous, shown, profile, hour, source)


def _within(column, since: datetime | None, until: datetime | None) -> list:
    """SQL conditions keeping `column` in [since, until)."""
    return ([column >= since] if since else []) + ([column < until] if until else [])


def _events_before(session: Session, case_id: int, since: datetime | None) -> int:
    if since is None:
        return 0
    return session.scalar(select(func.count()).select_from(VoteEvent).where(
        VoteEvent.case_id == case_id, VoteEvent.created_at < since)) or 0


def count_vote_events(session: Session, scope: Scope) -> int:
    ids = [c.id for c in visible_cases(session, scope)]
    if not ids:
        return 0
    return session.scalar(
        select(func.count()).select_from(VoteEvent)
        .where(VoteEvent.case_id.in_(ids), *_within(VoteEvent.created_at, *scope.time_bounds()))
    ) or 0


# --- comments --------------------------------------------------------------

def comment_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """Visible comments, per case in the order they were written."""
    keys = (Comment.id,)
    within = _within(Comment.created_at, *scope.time_bounds())
    for case in visible_cases(session, scope):
        stmt = (
            select(Comment.id, Comment.parent_id, Comment.created_at, Comment.edited_at,
                   Comment.name, Comment.option_number, Comment.option_changed,
                   Comment.body_md, Comment.source)
            .where(Comment.case_id == case.id, Comment.status == "visible", *within)
            .order_by(*keys)
        )
        for batch in _keyset_batches(session, stmt, keys):
            for c in batch:
                yield (case.slug, c.id, c.parent_id, c.created_at, c.edited_at, c.name,
                       c.option_number, bool(c.option_changed), c.body_md, c.source)


# --- respondent profiles ---------------------------------------------------

def profile_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """Case × option × role counts of the current votes, small cells suppressed."""
    for case in visible_cases(session, scope):
        stmt = (
            select(Vote.option_number, Vote.profile, func.count())
            .where(Vote.case_id == case.id)
            .group_by(Vote.option_number, Vote.profile)
        )
        grid = {(n, role): 0 for n in range(1, 6) for role in PROFILE_ROLES}
        for option, profile, count in session.execute(stmt):
            role = profile if profile in PROFILE_CHOICES else UNANSWERED
            if (option, role) in grid:
                grid[(option, role)] += count
        for number in range(1, 6):
            counts = [grid[(number, role)] for role in PROFILE_ROLES]
            hidden = suppressed_cells(counts)
            for role, count, secret in zip(PROFILE_ROLES, counts, hidden, strict=True):
                yield (case.slug, number, role, None if secret else count, secret)
