"""The research tables' codebook: each table's typed, described fields.

Each table is a list of typed fields plus its row function (`tables`). The
same fields give the CSV header, the JSON keys, the Data Package schema
(`package`) and the R and Stata scripts (`scripts`), so the files and their
description cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dilemmaboard.research.tables import (
    PROFILE_ROLES,
    Scope,
    comment_rows,
    profile_rows,
    tally_by_source_rows,
    tally_rows,
    timeseries_rows,
    vote_event_rows,
)
from dilemmaboard.voting.casting import PROFILE_CHOICES
from dilemmaboard.voting.state import CASE_STATES


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless Table Schema type
    description: str
    unit: str | None = None
    constraints: dict | None = None
    labels: dict[str, str] | None = None  # value labels of a coded field (R, Stata)
    factor: bool = False  # a coded field whose values come from the data (R, Stata)


def value_labels(f: Field) -> list[tuple[str, str]]:
    """(value, label) for each allowed value of a coded field, in the codebook's order;
    a value without a label of its own is its own label."""
    labels = f.labels or {}
    return [(v, labels.get(v, v)) for v in (f.constraints or {}).get("enum", labels)]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[Session, Scope], Iterator[tuple]]
    primary_key: tuple[str, ...]
    login_required: bool = False
    time_field: str | None = None  # the column ?since= and ?until= filter on, if any

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]


# --- the tables ------------------------------------------------------------

STATUS_LABELS = {"draft": "Draft", "scheduled": "Scheduled", "open": "Open for votes",
                 "closed": "Closed", "closed_early": "Closed early by an editor"}
KIND_LABELS = {"first": "First vote", "change": "Changed vote"}
ROLE_LABELS = {"first_line_manager": "First-line manager", "middle_manager": "Middle manager",
               "executive": "Executive", "employee": "Employee", "other": "Other",
               "prefer_not_to_say": "Prefer not to say", "unanswered": "Not answered"}

CASE_SLUG = Field("case_slug", "string",
                  "The case's identifier; its page is /dilemmas/<case_slug>.",
                  constraints={"required": True, "pattern": "[a-z0-9-]{1,80}"})
OPTION = Field("option_number", "integer",
               "The answer option's identity, 1-5, by its position in the case file. It is the "
               "same whatever order a reader was shown the options in.",
               constraints={"required": True, "minimum": 1, "maximum": 5})
COUNT = {"minimum": 0}
SOURCE_PATTERN = "[a-z0-9-]{1,40}"
SOURCE = Field("source", "string", "Where the vote, change or comment was made: 'site' "
               "(Dilemmaboard's pages), a partner site's id (its embed) or 'unknown' (an id not "
               "in the registry). Rows from before sources were kept are 'site'.",
               constraints={"required": True, "pattern": SOURCE_PATTERN}, factor=True)

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
              constraints={"enum": list(CASE_STATES)}, labels=STATUS_LABELS),
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
        Field("source", "string", "'live': votes cast on Dilemmaboard, all sources together "
              "(as before sources were kept); 'imported': the day-zero row of imported votes. "
              "After each day's live rows come its rows per source ('site', a partner id, "
              "'unknown'; see tallies_by_source), each from 0: they split the live rows.",
              constraints={"required": True, "pattern": SOURCE_PATTERN}, factor=True),
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
    time_field="date",
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
              constraints={"required": True, "enum": ["first", "change"]}, labels=KIND_LABELS),
        OPTION,
        Field("previous_option", "integer", "For a change, the option the vote moved from; "
              "empty for a first vote.", constraints={"minimum": 1, "maximum": 5}),
        Field("shown_position", "integer", "Where the chosen option stood (1 = top) in the "
              "order this reader was shown, when the case shuffles its options; empty "
              "otherwise or when the reader's order is unknown.", "position",
              {"minimum": 1, "maximum": 5}),
        Field("profile", "string", "The reader's answer to 'Hvad er din rolle?' (What is your "
              "role?) in effect at this event: the one sent with it, or for a change sent "
              "without one, the reader's earlier answer; empty when never asked or answered.",
              constraints={"enum": list(PROFILE_CHOICES)}, labels=ROLE_LABELS),
        Field("event_hour", "datetime", "The hour the event happened in (UTC, minutes and "
              "seconds set to 0).", "UTC"),
        SOURCE,
    ),
    rows=vote_event_rows,
    primary_key=("case_slug", "event_number"),
    login_required=True,
    time_field="event_hour",
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
        SOURCE,
    ),
    rows=comment_rows,
    primary_key=("comment_id",),
    login_required=True,
    time_field="created_at",
)

PROFILES = Table(
    name="profiles",
    title="Respondent roles per case and option",
    description=(
        "Counts of the current live votes per case, option and the voter's answer to the "
        "optional question 'Hvad er din rolle?' (asked only when the site enables "
        "PROFILE_QUESTION; 'unanswered' otherwise). The answer that counts is the reader's "
        "latest: the role sent with the last first vote or change that carried one (the "
        "change form keeps the reader's role selected), the same as the profile of the "
        "reader's last event in votes.csv. Every count under 5 is suppressed. When "
        "the hidden counts of an option could then be worked out from its tally (one "
        "small count, small counts adding up to 0, or all of them 4), the option's smallest "
        "shown count is suppressed too, with every count equal to it; see the disclosure "
        "note in the package description. Imported votes "
        "carry no role and are not counted. Same case visibility as tallies."
    ),
    fields=(
        CASE_SLUG,
        OPTION,
        Field("role", "string", "The answer given: first_line_manager, middle_manager, "
              "executive, employee, other, prefer_not_to_say, or unanswered.",
              constraints={"required": True, "enum": list(PROFILE_ROLES)}, labels=ROLE_LABELS),
        Field("votes", "integer", "Number of votes; empty when suppressed.", "votes", COUNT),
        Field("suppressed", "boolean", "true when the count is withheld (under 5, or hidden "
              "with them so that no withheld count can be worked out).",
              constraints={"required": True}),
    ),
    rows=profile_rows,
    primary_key=("case_slug", "option_number", "role"),
)

TALLIES_BY_SOURCE = Table(
    name="tallies_by_source",
    title="Tallies per case, source and option",
    description=(
        "One row per case, source and option: 'site' (Dilemmaboard's own pages, always "
        "listed), a partner site's id (its embed), 'unknown' (an embed opened for an id not in "
        "the registry) or 'imported'. A vote counts for the source it was first cast through. "
        "total_votes, share, percent and the interval are the source's own; the sources' "
        "votes add up to the tallies' total. Same case visibility as tallies."
    ),
    fields=(
        CASE_SLUG,
        Field("source", "string", "'site', a partner site's id, 'unknown' or 'imported'.",
              constraints={"required": True, "pattern": SOURCE_PATTERN}, factor=True),
        OPTION,
        Field("votes", "integer", "The source's votes for the option (each reader's current "
              "choice).", "votes", COUNT),
        Field("total_votes", "integer", "The source's votes on the case, every option.",
              "votes", COUNT),
        Field("share", "number", "votes / total_votes as an exact decimal fraction (17 "
              "significant digits); empty when total_votes is 0.", "fraction (0-1)",
              {"minimum": 0, "maximum": 1}),
        Field("percent", "integer", "The whole-number percent of the source's votes, rounded "
              "by largest remainder so the source's five add up to 100 (all 0 without votes).",
              "percent", {"minimum": 0, "maximum": 100}),
        *TALLIES.fields[-2:],  # ci95_low, ci95_high: the same interval, of this share
    ),
    rows=tally_by_source_rows,
    primary_key=("case_slug", "source", "option_number"),
)

TABLES: dict[str, Table] = {t.name: t for t in (TALLIES, TIMESERIES, VOTES, COMMENTS, PROFILES,
                                                TALLIES_BY_SOURCE)}
