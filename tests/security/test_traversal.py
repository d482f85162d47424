"""Path traversal and odd slugs on every route that takes one: 404 (or 400), never a file."""
from __future__ import annotations

import pytest

from tests.conftest import Reader
from tests.security.conftest import DRAFT, EDITOR, OPEN, SCHEDULED, add_account, login
from tests.security.tools import ROUTE_VALUES, assert_refused, fill, routes_with, snapshot

SLUG_ROUTES = routes_with("slug")

# Raw text put in place of <slug>: the client sends it as written.
PAYLOADS = [
    "../../etc/passwd",
    "..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%252f..%252fetc%252fpasswd",
    "%2e%2e",
    "%00",
    f"{OPEN}%00",
    f"{OPEN}%00.md",
    "..\\..\\etc\\passwd",
    "..%5c..%5cwindows%5cwin.ini",
    "%c0%ae%c0%ae%c0%af",
    f"{OPEN}.md",
    OPEN.upper(),
    "a" * 81,
    f"{OPEN}'%20OR%20'1'='1",
    f"{OPEN};%20DROP%20TABLE%20cases",
    "%ef%bd%81%ef%bd%81%ef%bd%82%ef%bd%85%ef%bd%8e",  # full-width "aaben"
    "aab%e2%80%8ben",  # zero-width space inside
    DRAFT,
    SCHEDULED,
    "does-not-exist",
]


@pytest.fixture
def people(site):
    """A reader (for reader routes) and a logged-in editor (for the desk's routes)."""
    add_account(site, EDITOR)
    editor = Reader(site.test_client())
    assert login(editor.client, EDITOR).status_code == 303
    return Reader(site.test_client()), editor


def expected(rule: str, payload: str) -> tuple[int, ...]:
    if rule.startswith("/admin") and payload in (DRAFT, SCHEDULED):
        return (200, 400, 405)  # editors see drafts and scheduled cases
    return (400, 404, 405)


def test_every_route_with_a_slug_is_covered():
    assert "/dilemmas/<slug>" in SLUG_ROUTES and "/dilemmas/<slug>/vote" in SLUG_ROUTES


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_slug_on_every_get_route(site, people, payload):
    reader, editor = people
    before = snapshot(site)
    for rule in SLUG_ROUTES:
        path = fill(rule, **{**ROUTE_VALUES, "slug": payload})
        client = editor.client if rule.startswith("/admin") else reader.client
        response = client.get(path)
        assert response.status_code in expected(rule, payload), (path, response.status_code)
        assert b"root:" not in response.data and b"[fonts]" not in response.data
    assert_refused(site, response, response.status_code, before)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_slug_on_every_post_route(site, people, payload):
    reader, editor = people
    reader.vote(OPEN, "1")
    before = snapshot(site)
    for rule in SLUG_ROUTES:
        path = fill(rule, **{**ROUTE_VALUES, "slug": payload})
        actor = editor if rule.startswith("/admin") else reader
        response = actor.client.post(path, data={
            "csrf_token": actor.token(f"/dilemmas/{OPEN}"), "option": "1", "name": "Mette",
            "body": "Hej",
        })
        assert response.status_code in expected(rule, payload), (path, response.status_code)
        assert_refused(site, response, response.status_code, before)


def test_the_real_slug_still_works(site):
    assert site.test_client().get(f"/dilemmas/{OPEN}").status_code == 200


@pytest.mark.parametrize("path", [
    "/static/../app.py",
    "/static/..%2f..%2fapp.py",
    "/static/%2e%2e/%2e%2e/dilemmaboard/config.py",
    "/static/..%5capp.py",
    "/static/%00",
    "/export/..%2f..%2fapp.py",
    "/export/../../etc/passwd.csv",
])
def test_static_and_export_paths_cannot_escape(site, path):
    response = site.test_client().get(path)
    assert response.status_code in (400, 404)
    assert b"create_app" not in response.data and b"root:" not in response.data
