"""Research exports (SPEC §6, §8): streamed CSV and JSON, and the Data Package.

Public files show what a reader who has not voted may see. Editors and
researchers see everything (`research.access`).
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    send_file,
    stream_with_context,
)
from flask_babel import gettext as _

from dilemmaboard.extensions import db
from dilemmaboard.research.access import (
    BadCredentials,
    answer,
    basic_auth_budget,
    research_access,
    unauthorized,
    vary_by_login,
    wrong_credentials,
)
from dilemmaboard.research.codebook import TABLES, Table
from dilemmaboard.research.encoders import ENCODERS, MEDIA_TYPES
from dilemmaboard.research.filters import parse_filters
from dilemmaboard.research.package import LICENSE, METHODOLOGY, build_datapackage, data_files
from dilemmaboard.research.snapshot import PUBLIC, find_snapshot, published_snapshots
from dilemmaboard.research.tables import Scope, check_filters
from dilemmaboard.voting.state import site_version
from dilemmaboard.web.errors import refuse
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("export", __name__, url_prefix="/export")
bp.register_error_handler(BadCredentials, wrong_credentials)
# The human data page: every file, its access, the licence, how to cite, the snapshots.
data_bp = Blueprint("data", __name__, url_prefix="/data")
data_bp.register_error_handler(BadCredentials, wrong_credentials)


def _scope(privileged: bool) -> Scope:
    return Scope(zone=ZoneInfo(current_app.config["SITE_TIMEZONE"]), privileged=privileged)


def _filtered_scope(table: Table, privileged: bool) -> Scope:
    """The scope narrowed by the query's filters; 400 naming a parameter it cannot use."""
    filters = parse_filters(request.args.to_dict(flat=False),
                            timed=table.time_field is not None, privileged=privileged)
    scope = replace(_scope(privileged), filters=filters)
    check_filters(db.session, scope)
    return scope


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
    scope = _filtered_scope(table, privileged)

    def render():
        chunks = ENCODERS[fmt](table.header, table.rows(db.session, scope))
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
    for name in request.args:
        refuse(400, _("Parameteren %(name)s: datapackage.json tager ingen parametre.",
                      name=name[:40]))

    def render():
        package = build_datapackage(db.session, _scope(privileged))
        return Response(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                        mimetype="application/json")

    return answer(render, privileged, _public_version)


def _snapshot_dir() -> Path:
    return Path(current_app.config["SNAPSHOT_DIR"])


@data_bp.get("")
def index():
    """Show the research data: each file with its description and access, the licence,
    how to cite, and the published snapshots."""
    if request.args:
        refuse(400, _("Siden tager ingen parametre."))
    snapshots = published_snapshots(_snapshot_dir())
    publisher = current_app.config["DATA_PUBLISHER"]
    latest = next((c for c in snapshots if c.access == PUBLIC), None)
    return render_template(
        "research/data.html", files=data_files(), snapshots=snapshots, license=LICENSE,
        publisher=publisher, latest=latest, page_url=absolute_url("data.index"),
        methodology=METHODOLOGY.split("\n\n"))


@data_bp.get("/snapshots/<filename>")
@basic_auth_budget
def snapshot(filename: str):
    """Download a published snapshot: unchanged for good, so cached for good."""
    card = find_snapshot(_snapshot_dir(), filename)
    if card is None:
        refuse(404, _("Det øjebliksbillede findes ikke."))
    if card.access != PUBLIC and not research_access():
        return unauthorized(_("Dette øjebliksbillede kræver et login som forsker eller "
                              "redaktør."))
    response = send_file(_snapshot_dir() / card.filename, mimetype="application/zip",
                         as_attachment=True, download_name=card.filename, etag=card.sha256,
                         conditional=True)
    if card.access == PUBLIC:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        vary_by_login(response, True)
    return response
