"""The research tables (SPEC §6, §8): streamed rows shared by the web and the CLI.

Each table is a list of typed fields plus a generator of row tuples. The same
fields give the CSV header, the JSON keys and the Data Package schema, so the
files and their codebook cannot drift apart. Rows are read in keyset batches,
so memory stays flat whatever the number of vote events.

Which cases a table shows is decided by `voting.results_visible`, asked as a
reader who has not voted; editors and researchers (`Scope.privileged`) see
every case, drafts and scheduled ones included.
"""
from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Context, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, Comment, Vote, VoteEvent, utcnow
from dilemmaboard.timeutil import iso_utc
from dilemmaboard.voting.casting import PROFILE_CHOICES
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import case_state, is_open, is_public, results_visible
from dilemmaboard.voting.timeline import local_day, vote_timeline

BATCH = 5_000
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
SUPPRESS_BELOW = 5
UNANSWERED = "unanswered"
PROFILE_ROLES = (*PROFILE_CHOICES, UNANSWERED)
CASE_STATES = ["draft", "scheduled", "open", "closed", "closed_early"]
_SHARE_CONTEXT = Context(prec=17)


@dataclass(frozen=True)
class Scope:
    """Who is asking: the public (as a reader who has not voted) or a researcher."""

    zone: ZoneInfo  # the site's time zone: the time series' days are its calendar days
    privileged: bool = False
    now: datetime = field(default_factory=utcnow)


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless Table Schema type
    description: str
    unit: str | None = None
    constraints: dict | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[Session, Scope], Iterator[tuple]]
    primary_key: tuple[str, ...]
    login_required: bool = False

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]


# --- numbers ---------------------------------------------------------------

def exact_share(part: int, total: int) -> Decimal | None:
    """part / total as a decimal fraction to 17 significant digits; None when total is 0."""
    if total <= 0:
        return None
    return _SHARE_CONTEXT.divide(Decimal(part), Decimal(total))


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion (no continuity correction)."""
    if n <= 0:
        return None
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def _six_places(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


# --- which cases -----------------------------------------------------------

def visible_cases(session: Session, scope: Scope) -> list[Case]:
    """Cases this scope may see, oldest first: the one visibility rule, as a non-voter."""
    stmt = select(Case).order_by(Case.publish_at, Case.id)
    if not scope.privileged:
        stmt = stmt.where(Case.draft.is_(False), Case.publish_at <= scope.now)
    cases = session.scalars(stmt).all()
    if scope.privileged:
        return list(cases)
    return [c for c in cases
            if is_public(c, scope.now) and results_visible(c, has_voted=False, now=scope.now)]


# --- tallies (SPEC §8) -----------------------------------------------------

def tally_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """One row per case × option, read from the stored counters."""
    for case in visible_cases(session, scope):
        results = case_results(case)
        state = case_state(case, scope.now)
        for row in results.options:
            interval = wilson_interval(row.votes, results.total)
            low, high = (_six_places(x) for x in interval) if interval else (None, None)
            yield (
                case.slug, case.title, case.language, case.publish_at, case.closes_at, state,
                row.number, row.text, row.live_votes, row.imported_votes, results.total,
                exact_share(row.votes, results.total), row.percent, low, high,
            )


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
        if any(cumulative):
            total = sum(cumulative)
            for i, count in enumerate(cumulative):
                yield (case.slug, start, i + 1, "imported", None, None, None, count, count,
                       exact_share(count, total))
        for day, moves in timeline.span(start, end):
            net = moves.net
            cumulative = [c + n for c, n in zip(cumulative, net, strict=True)]
            total = sum(cumulative)
            for i in range(5):
                yield (case.slug, day, i + 1, "live", moves.first[i], moves.moved_in[i],
                       moves.moved_out[i], net[i], cumulative[i],
                       exact_share(cumulative[i], total))


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
    for case in visible_cases(session, scope):
        stmt = (
            select(VoteEvent.id, VoteEvent.created_at, VoteEvent.kind, VoteEvent.option_number,
                   VoteEvent.previous_option, VoteEvent.shown_position, VoteEvent.profile)
            .where(VoteEvent.case_id == case.id)
            .order_by(*keys)
        )
        slug, number = case.slug, 0
        hour = hour_end = datetime.min
        for batch in _keyset_batches(session, stmt, keys):
            for _id, created_at, kind, option, previous, shown, profile in batch:
                number += 1
                if not hour <= created_at < hour_end:  # events come in time order
                    hour = created_at.replace(minute=0, second=0, microsecond=0)
                    hour_end = hour + timedelta(hours=1)
                yield (slug, number, kind, option, previous, shown, profile, hour)


def count_vote_events(session: Session, scope: Scope) -> int:
    ids = [c.id for c in visible_cases(session, scope)]
    if not ids:
        return 0
    return session.scalar(
        select(func.count()).select_from(VoteEvent).where(VoteEvent.case_id.in_(ids))
    ) or 0


# --- comments --------------------------------------------------------------

def comment_rows(session: Session, scope: Scope) -> Iterator[tuple]:
    """Visible comments, per case in the order they were written."""
    keys = (Comment.id,)
    for case in visible_cases(session, scope):
        stmt = (
            select(Comment.id, Comment.parent_id, Comment.created_at, Comment.edited_at,
                   Comment.name, Comment.option_number, Comment.option_changed,
                   Comment.body_md)
            .where(Comment.case_id == case.id, Comment.status == "visible")
            .order_by(*keys)
        )
        for batch in _keyset_batches(session, stmt, keys):
            for c in batch:
                yield (case.slug, c.id, c.parent_id, c.created_at, c.edited_at, c.name,
                       c.option_number, bool(c.option_changed), c.body_md)


# --- respondent profiles ---------------------------------------------------

def suppressed_cells(counts: list[int], below: int = SUPPRESS_BELOW) -> list[bool]:
    """Which counts to hide: every cell under `below`, plus enough others that
    subtracting the shown cells from the public tally cannot reveal a hidden one."""
    hidden = [n < below for n in counts]

    def unsafe() -> bool:
        # One hidden cell equals the tally minus the shown ones; hidden cells adding up
        # to 0 are all known to be 0. Either way, hide the next smallest cell as well.
        shown_left = not all(hidden)
        hidden_sum = sum(n for n, h in zip(counts, hidden, strict=True) if h)
        return shown_left and any(hidden) and (sum(hidden) < 2 or hidden_sum == 0)

    while unsafe():
        smallest = min((i for i, h in enumerate(hidden) if not h), key=lambda i: counts[i])
        hidden[smallest] = True
    return hidden


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


# --- the tables and their codebook -----------------------------------------

CASE_SLUG = Field("case_slug", "string",
                  "The case's identifier; its page is /dilemmas/<case_slug>.",
                  constraints={"required": True, "pattern": "[a-z0-9-]{1,80}"})
OPTION = Field("option_number", "integer",
               "The answer option's identity, 1-5, by its position in the case file. It is the "
               "same whatever order a reader was shown the options in.",
               constraints={"required": True, "minimum": 1, "maximum": 5})
COUNT = {"minimum": 0}

TALLIES = Table(
    name="tallies",
    title="Tallies per case and option",
    description=(
        "One row per case and answer option (long format), read from the stored counters. "
        "Votes carried over from an earlier system are in imported_votes, never in votes, and "
        "are included in total_votes, share, percent and the interval. Cases whose results a "
        "reader who has not voted cannot see (open after_vote or after_close cases) are left "
        "out of the public file."
    ),
    fields=(
        CASE_SLUG,
        Field("case_title", "string", "The case's title."),
        Field("language", "string", "The case's language (ISO 639-1)."),
        Field("publish_at", "datetime", "When voting opened (UTC).", "UTC"),
        Field("closes_at", "datetime", "When voting closes or closed by the schedule (UTC); "
              "an editor may close early (status closed_early) or reopen.", "UTC"),
        Field("status", "string", "The case's state when the file was made.",
              constraints={"enum": CASE_STATES}),
        OPTION,
        Field("option_text", "string", "The option's text as readers saw it."),
        Field("votes", "integer", "Live votes for the option on Dilemmaboard: each reader's "
              "current choice (a changed vote counts for the new option only).", "votes", COUNT),
        Field("imported_votes", "integer", "Votes imported from an earlier system (the case "
              "file's imported_votes); 0 when none. Flags imported counts.", "votes", COUNT),
        Field("total_votes", "integer", "All votes on the case, every option, live plus "
              "imported.", "votes", COUNT),
        Field("share", "number", "(votes + imported_votes) / total_votes as an exact decimal "
              "fraction (17 significant digits); empty when total_votes is 0.",
              "fraction (0-1)", {"minimum": 0, "maximum": 1}),
        Field("percent", "integer", "The whole-number percent shown on the page: shares "
              "rounded by largest remainder so the case's five add up to 100 (all 0 when "
              "there are no votes).", "percent", {"minimum": 0, "maximum": 100}),
        Field("ci95_low", "number", "Lower bound of the 95 % Wilson score interval for share "
              "(6 decimals); empty when total_votes is 0.", "fraction (0-1)",
              {"minimum": 0, "maximum": 1}),
        Field("ci95_high", "number", "Upper bound of the 95 % Wilson score interval for share "
              "(6 decimals); empty when total_votes is 0.", "fraction (0-1)",
              {"minimum": 0, "maximum": 1}),
    ),
    rows=tally_rows,
    primary_key=("case_slug", "option_number"),
)

TIMESERIES = Table(
    name="timeseries",
    title="Votes per case, option and day",
    description=(
        "Per case, day (in the site's time zone) and option, built from the vote events: "
        "first votes, changes in and out, the net change and the cumulative count and share "
        "at the end of the day. A change of vote moves one vote from the previous option to "
        "the new one on the day it was made. Every day from publication to the last day of "
        "voting (today for open cases) has five rows, so a chart can be drawn directly. "
        "Imported votes have no dates: they appear as one row per option with source "
        "'imported' dated the publication day, and the live rows' cumulative counts start "
        "from them, so the last day's cumulative_votes equal the tallies' votes + "
        "imported_votes. Same case visibility as tallies."
    ),
    fields=(
        CASE_SLUG,
        Field("date", "date", "The calendar day in the site time zone (SITE_TIMEZONE).",
              constraints={"required": True}),
        OPTION,
        Field("source", "string", "'live' for votes cast on Dilemmaboard; 'imported' for the "
              "day-zero row carrying votes imported from an earlier system.",
              constraints={"required": True, "enum": ["live", "imported"]}),
        Field("first_votes", "integer", "First votes cast for the option that day; empty on "
              "imported rows.", "votes", COUNT),
        Field("changes_in", "integer", "Votes changed to the option that day; empty on "
              "imported rows.", "votes", COUNT),
        Field("changes_out", "integer", "Votes changed away from the option that day; empty on "
              "imported rows.", "votes", COUNT),
        Field("new_votes", "integer", "Net change that day: first_votes + changes_in - "
              "changes_out (may be negative); on imported rows, the imported count.", "votes"),
        Field("cumulative_votes", "integer", "The option's count at the end of the day, "
              "imported votes included.", "votes", COUNT),
        Field("cumulative_share", "number", "cumulative_votes / all options' cumulative_votes "
              "that day, exact to 17 significant digits; empty while there are no votes.",
              "fraction (0-1)", {"minimum": 0, "maximum": 1}),
    ),
    rows=timeseries_rows,
    primary_key=("case_slug", "date", "option_number", "source"),
)

VOTES = Table(
    name="votes",
    title="Vote events",
    description=(
        "Researcher or editor login. One row per vote event: a reader's first vote and every "
        "change. There is no voter identifier of any kind (no id, cookie, hash or address), "
        "events of one reader cannot be linked, and times are truncated to the hour. "
        "Imported votes have no events and are not in this file (see tallies.imported_votes)."
    ),
    fields=(
        CASE_SLUG,
        Field("event_number", "integer", "1, 2, 3 ... within the case, in the order the events "
              "happened.", constraints={"required": True, "minimum": 1}),
        Field("kind", "string", "'first' for a reader's first vote, 'change' for a change.",
              constraints={"required": True, "enum": ["first", "change"]}),
        OPTION,
        Field("previous_option", "integer", "For a change, the option the vote moved from; "
              "empty for a first vote.", constraints={"minimum": 1, "maximum": 5}),
        Field("shown_position", "integer", "Where the chosen option stood (1 = top) in the "
              "order this reader was shown, when the case shuffles its options; empty "
              "otherwise or when the reader's order is unknown.", "position",
              {"minimum": 1, "maximum": 5}),
        Field("profile", "string", "The reader's answer to 'Hvad er din rolle?' (What is your "
              "role?) sent with this vote; empty when not asked or not answered.",
              constraints={"enum": list(PROFILE_CHOICES)}),
        Field("event_hour", "datetime", "The hour the event happened in (UTC, minutes and "
              "seconds set to 0).", "UTC"),
    ),
    rows=vote_event_rows,
    primary_key=("case_slug", "event_number"),
    login_required=True,
)

COMMENTS = Table(
    name="comments",
    title="Comments",
    description=(
        "Researcher or editor login. The comments readers can see (hidden, held and deleted "
        "ones are left out), with the option their author had chosen. Text is as the reader "
        "typed it (Markdown); spreadsheet programs may treat a leading = + - or @ as a "
        "formula, so import text columns as text."
    ),
    fields=(
        CASE_SLUG,
        Field("comment_id", "integer", "The comment's identifier.",
              constraints={"required": True}),
        Field("parent_id", "integer", "For a reply, the comment it answers (which may be absent "
              "from this file if it is no longer visible); empty for a top-level comment."),
        Field("created_at", "datetime", "When the comment was written (UTC).", "UTC"),
        Field("edited_at", "datetime", "When the author last edited it (UTC); empty if never.",
              "UTC"),
        Field("name", "string", "The display name the author typed."),
        Field("option_number", "integer", "The option the author had voted for when writing; "
              "empty if they had not voted.", constraints={"minimum": 1, "maximum": 5}),
        Field("option_changed", "boolean", "true when the author has changed their vote since "
              "writing the comment."),
        Field("body_md", "string", "The comment as Markdown."),
    ),
    rows=comment_rows,
    primary_key=("comment_id",),
    login_required=True,
)

PROFILES = Table(
    name="profiles",
    title="Respondent roles per case and option",
    description=(
        "Counts of the current live votes per case, option and the voter's answer to the "
        "optional question 'Hvad er din rolle?' (asked only when the site enables "
        "PROFILE_QUESTION; 'unanswered' otherwise). Every count under 5 is suppressed, and so "
        "is the next smallest count of the option when needed, so that no hidden count can "
        "be worked out by subtracting the others from the option's tally. Imported votes "
        "carry no role and are not counted. Same case visibility as tallies."
    ),
    fields=(
        CASE_SLUG,
        OPTION,
        Field("role", "string", "The answer given: first_line_manager, middle_manager, "
              "executive, employee, other, prefer_not_to_say, or unanswered.",
              constraints={"required": True, "enum": list(PROFILE_ROLES)}),
        Field("votes", "integer", "Number of votes; empty when suppressed.", "votes", COUNT),
        Field("suppressed", "boolean", "true when the count is withheld (under 5, or needed to "
              "protect a count under 5).", constraints={"required": True}),
    ),
    rows=profile_rows,
    primary_key=("case_slug", "option_number", "role"),
)

TABLES: dict[str, Table] = {t.name: t for t in (TALLIES, TIMESERIES, VOTES, COMMENTS, PROFILES)}


# --- encoding: CSV and JSON, in chunks -------------------------------------

class _Moments(dict):
    """ISO texts of recent times: events come in time order, so an hour repeats often."""

    def __missing__(self, moment: datetime) -> str:
        if len(self) > 4096:
            self.clear()
        text = self[moment] = iso_utc(moment)
        return text


def _csv_converters() -> dict:
    moments = _Moments()
    return {
        type(None): lambda v: "",
        bool: lambda v: "true" if v else "false",
        Decimal: lambda v: format(v, "f"),
        datetime: moments.__getitem__,
        date: date.isoformat,
    }


def _json_converters() -> dict:
    moments = _Moments()
    return {
        type(None): lambda v: "null",
        bool: lambda v: "true" if v else "false",
        int: str,
        str: lambda v: json.dumps(v, ensure_ascii=False),
        Decimal: lambda v: format(v, "f"),
        datetime: lambda v: f'"{moments[v]}"',
        date: lambda v: f'"{v.isoformat()}"',
    }


def csv_chunks(table: Table, rows: Iterable[tuple], flush_every: int = 500) -> Iterator[str]:
    """RFC 4180 CSV (header first, CRLF line ends) in chunks of a few hundred rows."""
    convert = _csv_converters()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    pending = 0
    for row in rows:
        # Text and whole numbers go to the csv module as they are; the rest is converted.
        writer.writerow([v if type(v) is str or type(v) is int else convert[type(v)](v)
                         for v in row])
        pending += 1
        if pending >= flush_every:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def json_chunks(table: Table, rows: Iterable[tuple], flush_every: int = 500) -> Iterator[str]:
    """A JSON array of objects keyed by the field names, numbers as numbers, in chunks."""
    convert = _json_converters()
    keys = [json.dumps(name) + ": " for name in table.header]
    parts = ["["]
    separator = "\n"
    for row in rows:
        body = ", ".join(k + convert[type(v)](v) for k, v in zip(keys, row, strict=True))
        parts.append(separator + "{" + body + "}")
        separator = ",\n"
        if len(parts) >= flush_every:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


ENCODERS = {"csv": csv_chunks, "json": json_chunks}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


# --- the Data Package (codebook) -------------------------------------------

LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}

METHODOLOGY = (
    "Methodology. Dilemmaboard publishes one leadership dilemma a week with five answer "
    "options; anyone may vote, without an account. Respondents are self-selected readers, so "
    "the data are not a representative sample of managers or of any population, and the 95 % "
    "Wilson intervals only describe sampling noise as if the voters were a simple random "
    "sample. Duplicate control is one vote per browser (a random id in a signed cookie) plus "
    "per-IP rate limits: a person with several browsers can vote more than once, and a "
    "reader may change their vote while the case is open (the tallies count each reader's "
    "current choice; votes.csv keeps every change). Imported votes were carried over from "
    "an earlier system and were reconstructed from the published percentages and total, so "
    "they are exact only to the rounding of the original publication; they have no dates, "
    "no roles and no vote events. Cases whose results readers cannot yet see (open cases "
    "showing results after a vote or after closing) are left out of the public files. "
    "Times are UTC (ISO 8601 with Z); days in timeseries.csv are calendar days in the site "
    "time zone."
)


def _field_descriptor(f: Field) -> dict:
    descriptor = {"name": f.name, "type": f.type, "description": f.description}
    if f.type == "datetime":
        descriptor["format"] = "%Y-%m-%dT%H:%M:%SZ"
    if f.unit:
        descriptor["unit"] = f.unit
    if f.constraints:
        descriptor["constraints"] = dict(f.constraints)
    return descriptor


def _schema(table: Table) -> dict:
    return {
        "fields": [_field_descriptor(f) for f in table.fields],
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }


def _resource(table: Table, path: str, fmt: str) -> dict:
    return {
        "profile": "tabular-data-resource",
        "name": table.name if fmt == "csv" else f"{table.name}-{fmt}",
        "path": path,
        "title": table.title,
        "description": table.description,
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "encoding": "utf-8",
        "schema": _schema(table),
    }


def _sources(session: Session, scope: Scope) -> list[dict]:
    sources = [{"title": "Votes and comments by Dilemmaboard readers"}]
    for case in visible_cases(session, scope):
        if any(o.imported_votes for o in case.options):
            title = f"Imported result of '{case.title}' ({case.slug})"
            if case.source:
                title += f", published by {case.source}"
            sources.append({"title": title})
    return sources


def build_datapackage(session: Session, scope: Scope) -> dict:
    """A Frictionless Data Package describing every export file: the codebook."""
    resources = [_resource(t, f"{t.name}.csv", "csv") for t in TABLES.values()]
    resources.insert(1, _resource(TALLIES, "tallies.json", "json"))
    return {
        "profile": "tabular-data-package",
        "name": "dilemmaboard-research-data",
        "title": "Dilemmaboard: votes on weekly leadership dilemmas",
        "description": METHODOLOGY,
        "created": iso_utc(scope.now),
        "licenses": [LICENSE],
        "sources": _sources(session, scope),
        "keywords": ["leadership", "management", "dilemmas", "survey", "votes"],
        "resources": resources,
    }
