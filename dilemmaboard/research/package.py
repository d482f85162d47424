"""The Data Package (the codebook as Frictionless reads it): licence, sources,
methodology and one resource per export file."""
from __future__ import annotations

from sqlalchemy.orm import Session

from dilemmaboard.research.codebook import TABLES, TALLIES, TALLIES_BY_SOURCE, Field, Table
from dilemmaboard.research.encoders import MEDIA_TYPES
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
    resources.append(_resource(TALLIES_BY_SOURCE, "tallies_by_source.json", "json"))
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
