"""Research exports (SPEC §6, §8): streamed CSV and JSON, and the Data Package.

Public files show what a reader who has not voted may see. Editors and
researchers see everything, logged in through the browser session or with
HTTP Basic auth (`curl -u name:password`), so record-level data takes one line.
"""
from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    request,
    stream_with_context,
)
from flask_babel import gettext as _

from dilemmaboard.desk.accounts import ROLES, authenticate, is_privileged
from dilemmaboard.extensions import db, limiter
from dilemmaboard.models import Editor
from dilemmaboard.research.codebook import TABLES, build_datapackage
from dilemmaboard.research.encoders import ENCODERS, MEDIA_TYPES
from dilemmaboard.research.tables import Scope
from dilemmaboard.web.errors import refuse

bp = Blueprint("export", __name__, url_prefix="/export")

REALM = 'Basic realm="Dilemmaboard research data", charset="UTF-8"'


class BadCredentials(Exception):
    """Basic auth was sent but does not name an editor or researcher with that password."""


def basic_auth_user() -> Editor | None:
    """The editor or researcher named by an Authorization: Basic header, if any."""
    if "Authorization" not in request.headers:
        return None
    auth = request.authorization
    if (auth is None or auth.type != "basic" or not auth.username or auth.password is None
            or len(auth.username) > 200 or len(auth.password) > 1024):
        raise BadCredentials()
    # The login page's check: scrypt, with the same work for unknown names.
    editor = authenticate(db.session, auth.username, auth.password)
    if editor is None or editor.role not in ROLES:
        raise BadCredentials()
    return editor


def research_access() -> bool:
    """True for a logged-in editor or researcher (session or Basic auth).

    Raises BadCredentials when Basic auth was sent and is wrong.
    """
    if is_privileged():
        return True
    return basic_auth_user() is not None


def unauthorized(message: str):
    """401 as JSON, with the challenge curl and browsers answer."""
    response = jsonify({"error": message, "status": 401})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = REALM
    return response


def _auth_limit() -> str:
    return current_app.config["EXPORT_AUTH_LIMIT"]


def _failed(response) -> bool:
    return response.status_code == 401


def _scope(privileged: bool) -> Scope:
    return Scope(zone=ZoneInfo(current_app.config["SITE_TIMEZONE"]), privileged=privileged)


def _private(response: Response, privileged: bool) -> Response:
    if privileged:
        # Record-level or unpublished data: never kept by a shared cache.
        response.headers["Cache-Control"] = "private, no-store"
    response.vary.update(("Authorization", "Cookie"))
    return response


@bp.get("/<name>.<any(csv, json):fmt>")
@limiter.limit(_auth_limit, deduct_when=_failed)
def table(name: str, fmt: str):
    """Stream one research table as CSV or JSON."""
    table = TABLES.get(name)
    if table is None:
        refuse(404, _("Den fil findes ikke."))
    try:
        privileged = research_access()
    except BadCredentials:
        return unauthorized(_("Forkert brugernavn eller adgangskode."))
    if table.login_required and not privileged:
        return unauthorized(_("Denne fil kræver et login som forsker eller redaktør."))
    scope = _scope(privileged)
    chunks = ENCODERS[fmt](table.header, table.rows(db.session, scope))
    body = (chunk.encode("utf-8") for chunk in chunks)
    mimetype = MEDIA_TYPES[fmt]
    response = Response(stream_with_context(body), mimetype=mimetype)
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return _private(response, privileged)


@bp.get("/datapackage.json")
@limiter.limit(_auth_limit, deduct_when=_failed)
def datapackage():
    """Describe every export file: fields, units, licence, sources and methodology."""
    try:
        privileged = research_access()
    except BadCredentials:
        return unauthorized(_("Forkert brugernavn eller adgangskode."))
    package = build_datapackage(db.session, _scope(privileged))
    response = Response(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                        mimetype="application/json")
    return _private(response, privileged)
