"""Vote events per calendar day in the site's time zone: the one day bucket.

The research time series, the reader's share chart and the desk's curve of new
votes all count a case's vote events per local day, so the rule lives here.
The database groups the events by quarter hour (UTC), of which every time
zone offset in use is a whole multiple; Python then folds the quarters into
local days. One query thus serves any zone, summer time included, and
returns at most a few rows per quarter hour, whatever the number of votes.

The caller names the zone (a ZoneInfo or its name): nothing here reads the
app's configuration.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Integer, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Vote, VoteEvent
from dilemmaboard.voting.casting import OPTION_NUMBERS

_EPOCH = datetime(1970, 1, 1)
_OPTIONS = len(OPTION_NUMBERS)


def as_zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def local_day(moment: datetime, zone: ZoneInfo | str) -> date:
    """The calendar day in `zone` of a stored (naive UTC) time."""
    return moment.replace(tzinfo=UTC).astimezone(as_zone(zone)).date()


def day_start(day: date, zone: ZoneInfo | str) -> datetime:
    """The first moment of a calendar day in `zone`, as stored times are: naive UTC."""
    return datetime.combine(day, time(), as_zone(zone)).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class DayMoves:
    """One day's vote events per option; index 0 is option 1."""

    first: tuple[int, ...]      # first votes cast for the option
    moved_in: tuple[int, ...]   # votes changed to the option
    moved_out: tuple[int, ...]  # votes changed away from the option

    @property
    def net(self) -> tuple[int, ...]:
        """How much each option's count moved that day (may be negative)."""
        return tuple(f + i - o for f, i, o in zip(self.first, self.moved_in, self.moved_out,
                                                  strict=True))


QUIET_DAY = DayMoves((0,) * _OPTIONS, (0,) * _OPTIONS, (0,) * _OPTIONS)


@dataclass(frozen=True)
class Timeline:
    """A case's vote events per local day, oldest first; days without events are absent."""

    days: dict[date, DayMoves]

    @property
    def first_day(self) -> date | None:
        return next(iter(self.days), None)

    @property
    def last_day(self) -> date | None:
        return next(reversed(self.days), None)

    def span(self, start: date, end: date) -> Iterator[tuple[date, DayMoves]]:
        """Every day from start to end (both included) with its moves, quiet days too."""
        day = start
        while day <= end:
            yield day, self.days.get(day, QUIET_DAY)
            day += timedelta(days=1)


def _quarter_start(session: Session):
    """The start (UTC) of each event's quarter hour, in the database's own terms."""
    created = VoteEvent.created_at
    if session.get_bind().dialect.name == "postgresql":
        start = func.date_bin(timedelta(minutes=15), created, _EPOCH)
    else:
        # Cut SQLAlchemy's stored text ("YYYY-MM-DD HH:MM:SS.ffffff") instead of parsing it:
        # SQLite's date functions round to the millisecond, so 23:59:59.9999 would move
        # to the next day.
        minute = cast(func.substr(created, 15, 2), Integer) // 15 * 15
        start = func.substr(created, 1, 14).op("||")(func.printf("%02d:00", minute))
    return type_coerce(start, DateTime)


def vote_timeline(session: Session, case: Case, zone: ZoneInfo | str, *,
                  first: date | None = None, last: date | None = None) -> Timeline:
    """The case's first votes and changes per option and local day, from `first` to `last`
    (each optional, both included)."""
    zone = as_zone(zone)
    quarter = _quarter_start(session).label("quarter")
    stmt = (
        select(quarter, VoteEvent.kind, VoteEvent.option_number, VoteEvent.previous_option,
               func.count())
        .where(VoteEvent.case_id == case.id)
        .group_by(quarter, VoteEvent.kind, VoteEvent.option_number, VoteEvent.previous_option)
    )
    if first is not None:
        stmt = stmt.where(VoteEvent.created_at >= day_start(first, zone))
    if last is not None:
        stmt = stmt.where(VoteEvent.created_at < day_start(last + timedelta(days=1), zone))
    return _fold(session.execute(stmt), zone)


def vote_timelines_by_source(session: Session, case: Case,
                             zone: ZoneInfo | str) -> dict[str, Timeline]:
    """The case's timeline per source, each event counted for its vote's source (the one it
    was first cast through: voting/by_source.py), so each ends at that source's tally."""
    zone = as_zone(zone)
    quarter = _quarter_start(session).label("quarter")
    stmt = (
        select(Vote.source, quarter, VoteEvent.kind, VoteEvent.option_number,
               VoteEvent.previous_option, func.count())
        .join(Vote, Vote.id == VoteEvent.vote_id)
        .where(VoteEvent.case_id == case.id)
        .group_by(Vote.source, quarter, VoteEvent.kind, VoteEvent.option_number,
                  VoteEvent.previous_option)
    )
    rows_by_source: dict[str, list] = {}
    for source, *row in session.execute(stmt):
        rows_by_source.setdefault(source, []).append(row)
    return {source: _fold(rows, zone) for source, rows in sorted(rows_by_source.items())}


def _fold(rows, zone: ZoneInfo) -> Timeline:
    """(quarter start, kind, option, previous option, count) rows into local days."""
    counts: dict[date, tuple[list[int], list[int], list[int]]] = {}
    for quarter_start, kind, option, previous, n in rows:
        day = local_day(quarter_start, zone)
        firsts, moved_in, moved_out = counts.setdefault(
            day, ([0] * _OPTIONS, [0] * _OPTIONS, [0] * _OPTIONS))
        if kind == "first":
            firsts[option - 1] += n
        else:
            moved_in[option - 1] += n
            if previous:
                moved_out[previous - 1] += n
    return Timeline(days={
        day: DayMoves(tuple(firsts), tuple(moved_in), tuple(moved_out))
        for day, (firsts, moved_in, moved_out) in sorted(counts.items())
    })
