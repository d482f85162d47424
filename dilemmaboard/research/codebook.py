"""The research tables' codebook: typed fields, the licence and the Data Package.

Each table is a list of typed fields plus its row function (`tables`). The
same fields give the CSV header, the JSON keys and the Data Package schema, so
the files and their description cannot drift apart.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dilemmaboard.research.encoders import ENCODERS, MEDIA_TYPES
from dilemmaboard.research.tables import (
    PROFILE_ROLES,
    Scope,
    comment_rows,
    profile_rows,
    tally_rows,
    timeseries_rows,
    visible_cases,
    vote_event_rows,
)
from dilemmaboard.timeutil import iso_utc
from dilemmaboard.voting.casting import PROFILE_CHOICES
from dilemmaboard.voting.state import CASE_STATES


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


# --- the tables ------------------------------------------------------------

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
              constraints={"enum": list(CASE_STATES)}),
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
        "PROFILE_QUESTION; 'unanswered' otherwise). Every count under 5 is suppressed. When "
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
              constraints={"required": True, "enum": list(PROFILE_ROLES)}),
        Field("votes", "integer", "Number of votes; empty when suppressed.", "votes", COUNT),
        Field("suppressed", "boolean", "true when the count is withheld (under 5, or hidden "
              "with them so that no withheld count can be worked out).",
              constraints={"required": True}),
    ),
    rows=profile_rows,
    primary_key=("case_slug", "option_number", "role"),
)

TABLES: dict[str, Table] = {t.name: t for t in (TALLIES, TIMESERIES, VOTES, COMMENTS, PROFILES)}


# --- the Data Package ------------------------------------------------------

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
    "time zone.\n\n"
    "Disclosure risk. What is protected: no public file has a voter identifier, and in "
    "profiles.csv no suppressed count can be worked out from one download - not by "
    "subtracting the shown counts from the option's public tally, and not by reasoning "
    "from the suppression rule itself (every suppressed count has more than one value "
    "consistent with everything published; an option with no votes is the exception, as "
    "its tally already says 0). What is not protected: differencing two downloads made at "
    "different times (a vote cast in between can reveal the role of that one voter when "
    "its cell is shown in both; for example two downloads a day apart on a quiet case); "
    "combining profiles.csv with knowledge from outside the site (someone who knows how "
    "colleagues voted); and the record-level files behind a login, votes.csv and "
    "comments.csv, which carry every vote event's role and each comment's display name "
    "and text and are for researchers bound by their own data agreements."
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


def served_tables(scope: Scope) -> list[Table]:
    """The tables this scope may download: the public ones, or all after a login."""
    return [t for t in TABLES.values() if scope.privileged or not t.login_required]


def build_datapackage(session: Session, scope: Scope) -> dict:
    """A Frictionless Data Package describing every file this scope may download (each
    table as CSV and as JSON): the codebook. The public package lists only public files,
    so it validates without a login."""
    tables = served_tables(scope)
    resources = [_resource(t, f"{t.name}.{fmt}", fmt) for fmt in ENCODERS  # csv first
                 for t in tables]
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
