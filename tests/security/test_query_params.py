"""SQL-ish, repeated and oversized query parameters on every GET route: never a 5xx."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.security.conftest import OPEN, build_world
from tests.security.tools import ROUTE_VALUES, assert_refused, fill, get_routes, raw_query, snapshot

GET_ROUTES = get_routes()
SQL_ERRORS = ("syntax error", "sqlite3.", "psycopg", "OperationalError", "ProgrammingError",
              "DataError", "Traceback")
PARAMS = ("page", "option", "status", "format", "next", "q", "since", "per_page", "case")

# (name, raw query string): the same value for every parameter name above.
HOSTILE_VALUES = [
    ("or-1-eq-1", "1 OR 1=1"),
    ("negative", "-1"),
    ("zero", "0"),
    ("huge", "99999999"),
    ("huger", "9" * 40),
    ("float", "1.5e308"),
    ("nan", "NaN"),
    ("quote", "1' OR '1'='1"),
    ("drop", "1; DROP TABLE votes; --"),
    ("union", "1 UNION SELECT voter_hash FROM votes"),
    ("percent", "%"),
    ("empty", ""),
    ("array", "[]"),
    ("json", '{"$ne": null}'),
    ("unicode-digit", "١"),
    ("full-width-digit", "１"),
    ("long", "x" * 10_000),
]


def query(value: str) -> str:
    return "&".join(f"{name}={quote(value)}" for name in PARAMS)


@pytest.mark.parametrize("value", [v for _, v in HOSTILE_VALUES],
                         ids=[name for name, _ in HOSTILE_VALUES])
def test_hostile_values_on_every_get_route(site, value):
    world = build_world(site, researcher=False)
    before = snapshot(site)
    for rule in GET_ROUTES:
        path = fill(rule, **{**ROUTE_VALUES, "comment_id": world.comment_id})
        for client in (world.stranger.client, world.editor):
            response = client.get(f"{path}?{query(value)}")
            assert response.status_code in (200, 204, 302, 303, 400, 403, 404), (path, value)
            body = response.get_data().decode("utf-8", "replace")  # the share card is a PNG
            assert not any(marker in body for marker in SQL_ERRORS), path
    assert_refused(site, response, response.status_code, before)


@pytest.mark.parametrize("repeat", ["option=1&option=2", "page=1&page=2", "page=2&page=abc",
                                    "status=visible&status=hidden"])
def test_repeated_parameters(site, repeat):
    world = build_world(site, researcher=False)
    for rule in GET_ROUTES:
        path = fill(rule, **{**ROUTE_VALUES, "comment_id": world.comment_id})
        response = world.editor.get(f"{path}?{repeat}")
        assert response.status_code < 500


def test_option_filter_shows_a_valid_page(site):
    page = site.test_client().get(f"/dilemmas/{OPEN}?option=1%20OR%201=1&page=-1")
    assert page.status_code == 200


@pytest.mark.parametrize("raw", [b"page=\xff\xfe", b"option=%ff", b"page=%ED%A0%80",
                                 b"next=%C0%AE%C0%AE", b"\xff=\xff", b"page=1&&&&==&"])
def test_broken_bytes_in_query_strings(site, raw):
    for rule in GET_ROUTES:
        path = fill(rule, **ROUTE_VALUES)
        response = raw_query(site.test_client(), path, raw)
        assert response.status_code < 500, path
