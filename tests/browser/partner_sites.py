"""Partner sites for the browser: Dilemmaboard and the pages that frame it, each its own site.

Chromium treats every loopback host name or address as a site of its own, so
the app on https://127.0.0.1, a partner's page on https://localhost and a
stranger's on https://127.0.0.2 are cross-site to each other, as Business.dk
and our own domain would be. All three speak HTTPS with one throw-away
certificate from `trustme` (partitioned cookies must be Secure, and Sec-Fetch
headers are sent only to secure origins); Chromium is told to accept it.
"""
from __future__ import annotations

import ssl
import threading
from pathlib import Path

import trustme
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.browser.site import build_app
from tests.servers import free_port

PARTNER_ID = "lederne"
APP_HOST, PARTNER_HOST, STRANGER_HOST = "127.0.0.1", "localhost", "127.0.0.2"


class Certificates:
    """One throw-away CA and a certificate for every host the tests serve."""

    def __init__(self):
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert(APP_HOST, PARTNER_HOST, STRANGER_HOST)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.cert.configure_cert(context)
        return context


class HttpsServer:
    """A WSGI app on https://host:port, served from a background thread."""

    def __init__(self, app, host: str, certificates: Certificates, port: int | None = None):
        self.port = port or free_port()
        # "localhost" is served on 127.0.0.1; only the name in the URL makes it another site.
        bind = APP_HOST if host == PARTNER_HOST else host
        self.server = make_server(bind, self.port, app, threaded=True,
                                  ssl_context=certificates.server_context())
        self.url = f"https://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class Pages:
    """A site of plain HTML pages (a partner's or a stranger's), set by the test."""

    def __init__(self):
        self.pages: dict[str, str] = {}

    @Request.application
    def __call__(self, request: Request) -> Response:
        body = self.pages.get(request.path)
        if body is None:
            return Response("not found", status=404)
        return Response(f"<!doctype html><html lang='da'><meta charset='utf-8'>"
                        f"<title>Partner</title><body>{body}</body></html>",
                        mimetype="text/html")


def build_partner_app(workdir: Path, app_port: int, partner_origin: str):
    """The app as https://127.0.0.1:PORT, with the partner registered through the CLI."""
    app = build_app(workdir, SITE_URL=f"https://{APP_HOST}:{app_port}")
    result = app.test_cli_runner().invoke(args=[
        "partners", "add", PARTNER_ID, "--name", "Lederne", "--origin", partner_origin])
    if result.exit_code != 0:
        raise RuntimeError(f"flask partners add failed: {result.output}")
    return app


def block_third_party_cookies(context, page) -> None:
    """Chromium's own setting "Block third-party cookies", for this page's session."""
    session = context.new_cdp_session(page)
    session.send("Network.setCookieControls", {
        "enableThirdPartyCookieRestriction": True,
        "disableThirdPartyCookieMetadata": True,
        "disableThirdPartyCookieHeuristics": True,
    })
