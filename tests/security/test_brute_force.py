"""Login brute force: one budget per account and per IP for the form and HTTP Basic auth."""
from __future__ import annotations

import base64

import pytest

from tests.conftest import csrf_token_from
from tests.security.conftest import EDITOR, PASSWORD, RESEARCHER, add_account
from tests.security.tools import assert_refused, snapshot

LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT": "5 per minute",
          "LOGIN_IP_LIMIT": "8 per minute"}
# Every route that takes HTTP Basic auth.
BASIC_ROUTES = ["/export/votes.csv", "/api/dilemmas", "/export/datapackage.json",
                "/api/dilemmas/aaben", "/export/comments.json"]


@pytest.fixture
def desk(make_site):
    app = make_site(**LIMITS)
    add_account(app, EDITOR)
    add_account(app, RESEARCHER, "researcher")
    return app


def attempt(client, username: str, password: str, **headers):
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", headers=headers, data={
        "username": username, "password": password, "csrf_token": token})


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_guessing_one_accounts_password_is_throttled(desk):
    client = desk.test_client()
    statuses = [attempt(client, EDITOR, f"gæt {n}").status_code for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    before = snapshot(desk)
    response = attempt(client, EDITOR, PASSWORD)  # even the right password waits now
    assert_refused(desk, response, 429, before)
    assert not logged_in(client)


def test_cleared_cookies_do_not_reset_the_throttle(desk):
    for n in range(5):
        assert attempt(desk.test_client(), EDITOR, f"gæt {n}").status_code == 401
    client = desk.test_client()
    assert attempt(client, EDITOR, PASSWORD).status_code == 429
    assert not logged_in(client)


def test_spraying_many_accounts_from_one_ip_is_throttled(desk):
    statuses = [attempt(desk.test_client(), f"konto{n}", PASSWORD).status_code
                for n in range(10)]
    assert statuses[:8] == [401] * 8 and 429 in statuses[8:]


def test_forged_forwarded_for_does_not_give_new_attempts(desk):
    statuses = [
        attempt(desk.test_client(), EDITOR, f"gæt {n}", **{"X-Forwarded-For": f"10.1.1.{n}"})
        .status_code for n in range(7)
    ]
    assert statuses[5:] == [429, 429]


def test_the_throttle_counts_only_failures(desk):
    for _ in range(8):
        client = desk.test_client()
        assert attempt(client, EDITOR, PASSWORD).status_code == 303
        assert logged_in(client)


@pytest.mark.parametrize("username, password, status", [
    ("", "", 400),
    (EDITOR, "", 400),
    ("' OR '1'='1' --", "' OR '1'='1' --", 401),
    (EDITOR.upper() + "\u200b", PASSWORD, 401),
    ("ｒｅｄａｋｔｏｅｒ", PASSWORD, 401),
    ("a" * 5000, "b", 400),
    (EDITOR, "x" * 5000, 400),
    (RESEARCHER, "forkert kode", 401),
])
def test_odd_credentials_get_a_clear_refusal(desk, username, password, status):
    client = desk.test_client()
    before = snapshot(desk)
    response = attempt(client, username, password)
    assert_refused(desk, response, status, before)
    assert not logged_in(client)


def basic(client, path: str, username: str, password: str):
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get(path, headers={"Authorization": f"Basic {raw}"})


def assert_locked_out(response):
    """429 with a Retry-After a client can wait for (seconds, within the minute)."""
    assert response.status_code == 429
    assert 0 <= int(response.headers["Retry-After"]) <= 60


def test_basic_auth_on_exports_is_throttled_too(desk):
    client = desk.test_client()
    statuses = [basic(client, "/export/votes.csv", RESEARCHER, f"gæt {n}").status_code
                for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    assert_locked_out(basic(client, "/export/votes.csv", RESEARCHER, PASSWORD))


def test_basic_auth_on_every_route_spends_one_budget_per_account(desk):
    """Spread over every Basic route, one account still gets LOGIN_LIMIT guesses in all."""
    client = desk.test_client()
    statuses = [basic(client, BASIC_ROUTES[n % len(BASIC_ROUTES)], RESEARCHER,
                      f"gæt {n}").status_code for n in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    for path in BASIC_ROUTES:
        assert_locked_out(basic(client, path, RESEARCHER, PASSWORD))


def test_the_form_and_basic_auth_share_the_budget(desk):
    """Wrong passwords through either way count together; then both refuse the right one."""
    for n in range(3):
        assert attempt(desk.test_client(), EDITOR, f"gæt {n}").status_code == 401
    client = desk.test_client()
    for n, path in enumerate(BASIC_ROUTES[:2]):
        assert basic(client, path, EDITOR, f"gæt {n + 3}").status_code == 401
    form = desk.test_client()
    before = snapshot(desk)
    response = attempt(form, EDITOR, PASSWORD)
    assert_refused(desk, response, 429, before)
    assert_locked_out(response)
    assert not logged_in(form)
    assert_locked_out(basic(client, "/export/votes.csv", EDITOR, PASSWORD))


def test_a_form_lockout_refuses_the_right_password_over_basic_auth(desk):
    for n in range(5):
        assert attempt(desk.test_client(), EDITOR, f"gæt {n}").status_code == 401
    assert_locked_out(attempt(desk.test_client(), EDITOR, PASSWORD))
    client = desk.test_client()
    for path in BASIC_ROUTES:
        assert_locked_out(basic(client, path, EDITOR, PASSWORD))


def test_spraying_accounts_over_basic_auth_spends_the_address_budget(desk):
    client = desk.test_client()
    statuses = [basic(client, BASIC_ROUTES[n % len(BASIC_ROUTES)], f"konto{n}",
                      PASSWORD).status_code for n in range(9)]
    assert statuses[:8] == [401] * 8 and statuses[8] == 429
    # ...and the login form from the same address is refused too, for any account.
    assert_locked_out(attempt(desk.test_client(), RESEARCHER, PASSWORD))

