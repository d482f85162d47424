"""Response headers, proxy trust, input hygiene and safe redirects (SECURITY.md).

Every response carries the same Content-Security-Policy: scripts, styles and fonts
come only from our own `static/` (no inline code, no `style=""`), nothing may
frame the site (but the partners' origins the embed; `allow_framing`), forms
post only to us. HSTS is added when the request came
over HTTPS (directly or through a trusted proxy).
"""
from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wsgi import get_content_length

from dilemmaboard.web.errors import refuse

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
# What a registry origin must look like to be written into frame-ancestors.
ORIGIN_RE = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")
# Sec-Fetch-Site values of a request a page of ours (or the reader, typing) started.
OWN_FETCH_SITES = ("same-origin", "none")


def allow_framing(origins) -> None:
    """Let these origins frame this response (the embed only; every other stays 'none').

    Called before the view; without any origin the response keeps 'none'/DENY.
    """
    g.frame_ancestors = [o for o in origins if ORIGIN_RE.match(o)]


def _frame_headers(response: Response) -> None:
    origins = g.get("frame_ancestors")
    if origins:
        # X-Frame-Options knows only DENY/SAMEORIGIN: left out, frame-ancestors decides.
        response.headers["Content-Security-Policy"] = CSP.replace(
            "frame-ancestors 'none'", "frame-ancestors " + " ".join(origins))
        response.headers.pop("X-Frame-Options", None)


def refuse_cross_origin() -> None:
    """Refuse a form POST another site started: CSRF without a token (SECURITY.md).

    As Go 1.25's CrossOriginProtection: a browser says where a request comes
    from in Sec-Fetch-Site; failing that, Origin must be this host. A request
    with neither is no browser's, and so carries no reader's cookies by force.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in OWN_FETCH_SITES:
            refuse(403, _("Stemmen skal afgives på siden selv."))
        return
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        refuse(403, _("Stemmen skal afgives på siden selv."))


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    _frame_headers(response)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def safe_next(target: str | None, default: str = "/") -> str:
    """Return `target` if it is a path on this site, else `default`.

    Refuses other hosts (`https://x`, `//x`, `/\\x`), schemes (`javascript:`),
    and control, format and space characters: browsers drop tabs and
    newlines from URLs, so `/<TAB>/evil.example` would become
    `//evil.example`, and a CR/LF would split the Location header. The same
    checks run once more on the percent-decoded text, for code that decodes.
    """
    if not isinstance(target, str) or len(target) > 2000:
        return default
    for candidate in (target, unquote(target)):
        if not _is_local_path(candidate):
            return default
    return target


def local_next(raw: str | None) -> str | None:
    """`raw` if it is a path on this site, else None (also after one round of decoding)."""
    target = safe_next(raw, default="")
    if not target:
        return None
    decoded = unquote(target)
    parts = urlsplit(decoded)
    if decoded.startswith("//") or "\\" in decoded or parts.scheme or parts.netloc:
        return None
    return target


def _is_local_path(target: str) -> bool:
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(unicodedata.category(ch)[0] in "CZ" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


class QueryStringBytes:
    """WSGI middleware: percent-encode raw non-ASCII bytes in the query string.

    Clients may send bytes that are not UTF-8 (`?q=\\xff`). Werkzeug decodes
    the parsed arguments leniently, but `request.full_path` decodes strictly
    and would fail while rendering any page. Percent-encoding the stray bytes
    keeps their meaning (they decode to U+FFFD) and makes the string ASCII.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        if query and (not query.isascii() or any(ch in query for ch in " \t\r\n\x00")):
            raw = query.encode("latin-1", "replace")
            environ["QUERY_STRING"] = "".join(
                chr(b) if 0x20 < b < 0x7F else f"%{b:02X}" for b in raw
            )
        return self.wsgi_app(environ, start_response)


class BodyLength:
    """WSGI middleware: give a body sent without a length (chunked) one, read up to the limit.

    Werkzeug refuses a Content-Length over MAX_CONTENT_LENGTH, but a chunked
    body it reads only up to the limit and then parses that part as if it were
    all (a 2 MiB vote would count). Here such a body is read, at most one byte
    past the limit, and handed on with the length read: `_refuse_oversized`
    then answers 413 to both kinds alike. gunicorn (and Werkzeug's own server)
    undo the chunking and end the stream, which `wsgi.input_terminated` says;
    without it the body is left alone (Werkzeug then reads none of it).
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if (limit and environ.get("HTTP_TRANSFER_ENCODING") and environ.get("wsgi.input_terminated")
                and get_content_length(environ) is None):
            body = _read_at_most(environ["wsgi.input"], limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]  # the chunks are undone: the body has a length
        return self.wsgi_app(environ, start_response)


def _read_at_most(stream, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 64 * 1024))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _refuse_oversized() -> None:
    """Answer 413 from the Content-Length alone, before anything reads the body.

    Werkzeug refuses an oversized form when it is parsed; this also covers
    bodies nobody would parse (text/plain, JSON) and answers before the
    CSRF check, which would otherwise call it a missing token. A chunked body
    has its length by now (`BodyLength`).
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()


def _refuse_nul() -> None:
    """Refuse NUL characters in query and form fields with 400 before any view.

    PostgreSQL cannot store NUL in text, and no field of ours needs one.
    """
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                refuse(400, _("Forespørgslen indeholder ugyldige tegn."))


def init_app(app: Flask) -> None:
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops > 0:
        # Only then may X-Forwarded-* change the client address and scheme.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    app.wsgi_app = BodyLength(QueryStringBytes(app.wsgi_app), app.config)
    # First of all before-request hooks, so nothing reads an oversized body.
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_oversized)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
