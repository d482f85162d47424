"""Research exports (SPEC §6, §8): streamed CSV and JSON, and the Data Package.

Public files show what a reader who has not voted may see. Editors and
researchers see everything (`research.access`).
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, stream_with_context
from flask_babel import gettext as _

from dilemmaboard.extensions import db
from dilemmaboard.research.access import (
    BadCredentials,
    answer,
    basic_auth_budget,
    research_access,
    unauthorized,
    wrong_credentials,
)
from dilemmaboard.research.codebook import TABLES
from dilemmaboard.research.encoders import ENCODERS, MEDIA_TYPES
from dilemmaboard.research.package import build_datapackage
from dilemmaboard.research.tables import Scope
from dilemmaboard.voting.state import site_version
from dilemmaboard.web.errors import refuse

bp = Blueprint("export", __name__, url_prefix="/export")
bp.register_error_handler(BadCredentials, wrong_credentials)


def _scope(privileged: bool) -> Scope:
    return Scope(zone=ZoneInfo(current_app.config["SITE_TIMEZONE"]), privileged=privileged)


def _public_version() -> tuple:
    """A public file changes with the cases, the votes and, for the time series of an
    open case, the day (in the site's time zone)."""
    zone = ZoneInfo(current_app.config["SITE_TIMEZONE"])
    return site_version(db.session), datetime.now(zone).date()


def started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Run a stream up to its first chunk now, inside the view.

    A response's status goes out with its first chunk: a database that fails
    on the stream's first query is then the app's own 503 (JSON, with
    Retry-After), not a body cut short or the server's bare 500 under a
    status the app already logged as 200.
    """
    first = next(chunks, None)
    return chunks if first is None else itertools.chain((first,), chunks)


@bp.get("/<name>.<any(csv, json):fmt>")
@basic_auth_budget
def table(name: str, fmt: str):
    """Stream one research table as CSV or JSON."""
    table = TABLES.get(name)
    if table is None:
        refuse(404, _("Den fil findes ikke."))
    privileged = research_access()
    if table.login_required and not privileged:
        return unauthorized(_("Denne fil kræver et login som forsker eller redaktør."))

    def render():
        chunks = ENCODERS[fmt](table.header, table.rows(db.session, _scope(privileged)))
        body = started(chunk.encode("utf-8") for chunk in chunks)
        response = Response(stream_with_context(body), mimetype=MEDIA_TYPES[fmt])
        if fmt == "csv":
            response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
            response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response

    return answer(render, privileged, _public_version)


@bp.get("/datapackage.json")
@basic_auth_budget
def datapackage():
    """Describe every export file: fields, units, licence, sources and methodology."""
    privileged = research_access()

    def render():
        package = build_datapackage(db.session, _scope(privileged))
        return Response(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                        mimetype="application/json")

    return answer(render, privileged, _public_version)
