"""Error pages: plain HTML in the reader's language, JSON for /api/ and /export/."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
    default_exceptions,
)

from dilemmaboard.refusal import Refused
from dilemmaboard.web.observability import request_id

log = logging.getLogger("dilemmaboard")
FALLBACK_PAGE = (
    '<!doctype html><html lang="da"><meta charset="utf-8"><title>{status}</title>'
    "<h1>Der skete en fejl. / Something went wrong.</h1><p>{status}</p></html>"
)


def _messages() -> dict[int, str]:
    return {
        400: _("Forespørgslen kunne ikke forstås."),
        401: _("Du skal logge ind for at se denne side."),
        403: _("Du har ikke adgang til denne side."),
        404: _("Siden findes ikke."),
        405: _("Den handling er ikke tilladt her."),
        409: _("Det kan ikke lade sig gøre lige nu."),
        410: _("Siden findes ikke længere."),
        413: _("Forespørgslen er for stor."),
        414: _("Adressen er for lang."),
        415: _("Den slags indhold kan vi ikke modtage her."),
        429: _("For mange forsøg. Vent lidt, og prøv igen."),
        431: _("Forespørgslens hoveder er for store."),
        500: _("Der skete en fejl hos os. Prøv igen om lidt."),
        503: _("Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt."),
    }


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/export/", "/oembed"))


def render_error(status: int, message: str | None = None):
    """Answer with a plain page (or JSON) for this status; never a stack trace."""
    text = message or _messages().get(status) or _("Der skete en fejl.")
    if wants_json():
        return jsonify({"error": text, "status": status}), status
    try:
        return render_template("errors/error.html", status=status, message=text), status
    except Exception:  # the page itself failed: still no stack trace for the reader
        log.exception("error page for %s failed", status)
        return FALLBACK_PAGE.format(status=status), status, {"Content-Type": "text/html"}


def _http_error(exc: HTTPException):
    message = getattr(exc, "user_message", None)
    response = render_error(exc.code or 500, message)
    if exc.code == 405 and exc.valid_methods:
        body, status = response
        return body, status, {"Allow": ", ".join(exc.valid_methods)}
    return response


def _untrusted_host(exc: SecurityError):
    # A Host header naming a site we do not serve (TRUSTED_HOSTS, from SITE_URL): Flask
    # builds no URLs for it, so the answer is the page that links nowhere.
    if wants_json():
        return jsonify({"error": _messages()[400], "status": 400}), 400
    return FALLBACK_PAGE.format(status=400), 400, {"Content-Type": "text/html; charset=utf-8"}


def _csrf_error(exc: CSRFError):
    message = _("Formularen var udløbet eller ugyldig. Genindlæs siden, og prøv igen.")
    return render_error(400, message)


def _database_down(exc: Exception):
    # An unreachable or overloaded database is an outage, not a bug: a clear
    # 503 the reader can retry, and one log line with the request id.
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    log.error("database unavailable on %s %s (request id %s): %s: %s", request.method,
              request.path, request_id(), type(exc).__name__, reason[0] if reason else "")
    body, status, *headers = render_error(
        503, _("Vi kan ikke nå databasen lige nu. Prøv igen om lidt."))
    return body, status, {**(headers[0] if headers else {}), "Retry-After": "5"}


# The one mapping from a domain refusal to HTTP (dilemmaboard/refusal.py).
REFUSAL_STATUS = {"invalid": 400, "forbidden": 403, "not_found": 404, "conflict": 409}


def _refused(exc: Refused):
    return render_error(REFUSAL_STATUS[exc.kind], str(exc.message))


def _unhandled(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    if current_app.debug:
        raise exc  # only with FLASK_DEBUG=1: let the Werkzeug debugger show it
    log.exception("unhandled error on %s %s (request id %s)", request.method, request.path,
                  request_id())
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(PoolTimeout, _database_down)
    app.register_error_handler(InternalServerError, _unhandled)
    app.register_error_handler(ServiceUnavailable, _http_error)
    app.register_error_handler(Exception, _unhandled)


def refuse(status: int, message: str):
    """Abort the request with `status` and a message written for the reader."""
    exc = default_exceptions[status]()
    exc.user_message = message
    raise exc
