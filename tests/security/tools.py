"""Tools for the hostile-input suite: a client that checks every answer, a
database snapshot to prove a refusal stored nothing, and a markup checker
that finds executable HTML in what we store and serve."""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from flask.testing import FlaskClient
from sqlalchemy import select

from dilemmaboard.extensions import db

# Every answer the suite sees, and how many were 5xx (must stay 0).
STATS = {"responses": 0, "5xx": 0}
REQUIRED_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


class GuardedClient(FlaskClient):
    """A test client that fails the test on any 5xx or a response without our headers."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        STATS["responses"] += 1
        if response.status_code >= 500:
            STATS["5xx"] += 1
            body = response.get_data(as_text=True)[:500]
            raise AssertionError(f"server error {response.status_code}: {body}")
        missing = [h for h in REQUIRED_HEADERS if h not in response.headers]
        assert not missing, f"response without {missing}"
        return response


def guard(app):
    """Make every client of `app` a GuardedClient; return the app."""
    app.test_client_class = GuardedClient
    return app


# --- nothing stored ---------------------------------------------------------

def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, so a refused request can be shown to change nothing."""
    with app.app_context():
        db.session.remove()
        state = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(select(table).order_by(*order)).all()
            state[table.name] = [tuple(row) for row in rows]
        db.session.remove()
        return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def assert_refused(app, response, status, before, *, allowed: tuple[int, ...] = ()):
    """The request was answered with `status` (or one of `allowed`) and stored nothing."""
    assert response.status_code < 500
    assert response.status_code in (status, *allowed), (
        f"expected {status}, got {response.status_code}: "
        + response.get_data(as_text=True)[:300]
    )
    changed = changed_tables(before, snapshot(app))
    assert not changed, f"refused request changed {changed}"


# --- raw requests -----------------------------------------------------------

def raw_query(client, path: str, query: bytes, **kwargs):
    """GET with a query string of arbitrary bytes (as a broken client might send)."""
    return client.get(path, environ_overrides={"QUERY_STRING": query.decode("latin-1")}, **kwargs)


# --- executable markup ------------------------------------------------------

DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
    "meta", "link", "style", "svg", "math", "template", "noscript",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcset", "poster",
                  "background", "data", "lowsrc", "dynsrc", "ping"}
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")


def link_scheme(value: str) -> str | None:
    """The scheme a browser would see in an attribute value, or None if relative."""
    cleaned = INVISIBLE.sub("", html.unescape(value))
    match = SCHEME_RE.match(cleaned)
    return match.group(1).lower() if match else None


class _MarkupAudit(HTMLParser):
    def __init__(self, allowed_tags: set[str]):
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name in URL_ATTRIBUTES and value:
                scheme = link_scheme(value)
                if scheme is not None and scheme not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def executable_markup(fragment: str, *, page: bool = False) -> list[str]:
    """What in this HTML could run script: tags, on*= handlers, unsafe link schemes.

    With `page=True` the document's own <form>, <meta>, <link>, <svg> charts and external
    <script src> are allowed (our layout), but inline <script> never is.
    """
    allowed = {"form", "meta", "link", "script", "svg"} if page else set()
    audit = _MarkupAudit(allowed)
    audit.feed(fragment)
    audit.close()
    if page:
        for match in re.finditer(r"<script\b([^>]*)>", fragment, re.I):
            if "src=" not in match.group(1):
                audit.problems.append("inline <script>")
    return audit.problems


ATOM = "{http://www.w3.org/2005/Atom}"


def feed_markup(xml_text: str) -> list[str]:
    """Executable markup anywhere in an Atom feed, including its escaped HTML content."""
    root = ET.fromstring(xml_text)  # also proves the feed is well-formed XML
    problems = ["raw <script> in the XML"] if re.search(r"<\s*script", xml_text, re.I) else []
    for element in root.iter():
        # Text constructs without type="html" are plain text: a feed reader shows
        # "<script>" in them as those characters. HTML ones are checked as HTML.
        if element.tag.startswith(ATOM) and element.get("type") == "html" and element.text:
            problems += executable_markup(element.text)
        elif element.get("type") == "xhtml":
            problems += executable_markup(ET.tostring(element, encoding="unicode"))
        href = element.get("href")
        if href and link_scheme(href) not in (None, "http", "https"):
            problems.append(f"href={href!r}")
    return problems


def stored_markup(app) -> list[str]:
    """Executable markup in any stored HTML column (what templates print with |safe)."""
    problems = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name.endswith("_html")]
            for column in columns:
                for (value,) in db.session.execute(select(column)):
                    for problem in executable_markup(value or ""):
                        problems.append(f"{table.name}.{column.name}: {problem}")
        db.session.remove()
    return problems


# --- the routes, read from the app at collection time ------------------------

def _route_app():
    """An app built only to read its url_map (no database is touched)."""
    import tempfile

    from app import create_app

    folder = tempfile.mkdtemp(prefix="routes-")
    return create_app({"TESTING": True, "SECRET_KEY": "routes", "DILEMMAS_DIR": folder,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/routes.sqlite3"})


_ROUTES: list | None = None


STATIC_ENDPOINTS = ("static", "site.favicon")


def routes() -> list[tuple[str, str, frozenset[str], frozenset[str]]]:
    """(rule, endpoint, methods, arguments) for every route except static files (the
    icon at /favicon.ico is one)."""
    global _ROUTES
    if _ROUTES is None:
        app = _route_app()
        _ROUTES = sorted(
            (rule.rule, rule.endpoint, frozenset(rule.methods - {"HEAD", "OPTIONS"}),
             frozenset(rule.arguments))
            for rule in app.url_map.iter_rules() if rule.endpoint not in STATIC_ENDPOINTS
        )
    return _ROUTES


def post_routes() -> list[str]:
    return [rule for rule, _, methods, _ in routes() if "POST" in methods]


def get_routes() -> list[str]:
    return [rule for rule, _, methods, _ in routes() if "GET" in methods]


def routes_with(argument: str) -> list[str]:
    return [rule for rule, _, _, arguments in routes() if argument in arguments]


# A valid value for every route argument the app has (comment ids are set per test).
ROUTE_VALUES = {"slug": "aaben", "code": "en", "name": "tallies", "fmt": "csv",
                "filename": "dilemmaboard-data-2021.01.01.zip",
                "action": "close", "comment_id": 1}


def fill(rule: str, **values) -> str:
    """The rule with its <arguments> replaced (raw text, not quoted)."""
    def replace(match):
        name = match.group(1).split(":")[-1]
        assert name in values, f"tests/security does not know route argument {name!r} ({rule})"
        return str(values[name])

    return re.sub(r"<([^>]+)>", replace, rule)
