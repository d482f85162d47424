"""Who may read record-level research data: editors and researchers, by session or HTTP Basic.

Logged in through the browser or with `curl -u name:password`, so a download
takes one line. The exports and the JSON API share these helpers: the check,
the 401 challenge, the login budget (`basic_auth_budget`: the login form's, shared)
and the cache headers of a login-dependent answer.
"""
from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from dilemmaboard.desk.access import (
    basic_account_key,
    is_privileged,
    login_budget,
    no_basic_auth,
)
from dilemmaboard.desk.accounts import ROLES, authenticate
from dilemmaboard.extensions import db
from dilemmaboard.models import Editor
from dilemmaboard.web.caching import conditional

REALM = 'Basic realm="Dilemmaboard research data", charset="UTF-8"'
# Wrong Basic credentials spend the login budget; a request without them never asks it.
basic_auth_budget = login_budget(basic_account_key, exempt_when=no_basic_auth)


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


def wrong_credentials(_exc: BadCredentials) -> Response:
    """The answer to Basic auth that names no login (the blueprints' error handler)."""
    return unauthorized(_("Forkert brugernavn eller adgangskode."))


def answer(render, privileged: bool, version) -> Response:
    """A login-dependent answer: for the public, cached by `version()` (asked once);
    for a logged-in editor or researcher, rendered and never kept by a shared cache."""
    if privileged:
        return vary_by_login(render(), privileged)
    parts = version()
    return vary_by_login(conditional(lambda: parts, render, shared=True), privileged)


def unauthorized(message: str) -> Response:
    """401 as JSON, with the challenge curl and browsers answer."""
    response = jsonify({"error": message, "status": 401})
    response.status_code = 401
    response.headers["WWW-Authenticate"] = REALM
    return response


def vary_by_login(response: Response, privileged: bool) -> Response:
    """Mark an answer that depends on who is logged in, so no cache mixes them up."""
    if privileged:
        # Record-level or unpublished data: never kept by a shared cache.
        response.headers["Cache-Control"] = "private, no-store"
    response.vary.update(("Authorization", "Cookie"))
    return response
