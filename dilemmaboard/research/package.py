"""The Data Package (the codebook as Frictionless reads it): licence, sources,
methodology and one resource per file a scope may download."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dilemmaboard.research.codebook import TABLES, Field, Table, value_labels
from dilemmaboard.research.encoders import ENCODERS, MEDIA_TYPES
from dilemmaboard.research.tables import Scope, visible_cases
from dilemmaboard.timeutil import iso_utc

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
    "time zone. Votes and comments carry their source: 'site' (Dilemmaboard's own pages) or "
    "the partner site whose embed they came through; tallies_by_source.csv splits each "
    "case's tally by it, and partner readers may differ from the site's own.\n\n"
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
    if f.labels:
        descriptor["categories"] = [{"value": v, "label": label} for v, label in value_labels(f)]
    return descriptor


def _schema(table: Table) -> dict:
    return {
        "fields": [_field_descriptor(f) for f in table.fields],
        "primaryKey": list(table.primary_key),
        "missingValues": [""],
    }


def _resource(table: Table, path: str, fmt: str) -> dict:
    if fmt == "json":
        # The JSON twin: an array of objects keyed by the schema's field names. Declared
        # as JSON, not as a table, since an empty table ([]) is no tabular JSON to
        # Frictionless; its rows are the CSV's, which are checked as a table.
        kind = {"profile": "data-resource", "type": "json"}
    else:
        kind = {"profile": "tabular-data-resource"}
    return {
        **kind,
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
        "profile": "data-package",  # tables (CSV) and their JSON twins
        "name": "dilemmaboard-research-data",
        "title": "Dilemmaboard: votes on weekly leadership dilemmas",
        "description": METHODOLOGY,
        "created": iso_utc(scope.now),
        "licenses": [LICENSE],
        "sources": _sources(session, scope),
        "keywords": ["leadership", "management", "dilemmas", "survey", "votes"],
        "resources": resources,
    }


@dataclass(frozen=True)
class DataFile:
    """One downloadable file as the data page lists it."""

    path: str  # under /export/
    title: str
    description: str
    access: str  # "public" or "login"
    filters: tuple[str, ...]


def data_files() -> list[DataFile]:
    """Every table's CSV and JSON file and the codebook, described from the codebook."""
    files = []
    for table in TABLES.values():
        filters = ("case", "since", "until") if table.time_field else ("case",)
        for fmt in ENCODERS:
            files.append(DataFile(f"{table.name}.{fmt}", table.title, table.description,
                                  "login" if table.login_required else "public", filters))
    files.append(DataFile("datapackage.json", "Codebook (Frictionless Data Package)",
                          "Every file's columns with type, description, unit and allowed "
                          "values; the licence, sources, methodology and disclosure-risk "
                          "note. The public package lists the public files; after a login, "
                          "all of them.", "public", ()))
    return files
