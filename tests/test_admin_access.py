"""Who may reach the editors' desk: login, throttle, `next`, sessions, roles, CSRF."""
from __future__ import annotations

import re

import pytest

from tests.admin_helpers import (
    OPEN,
    PASSWORD,
    Desk,
    add_login,
    audit_count,
    audit_rows,
    case_row,
    comment_status,
    desk_app,
    is_local,
    log_in,
    token_of,
    write_comment,
)

OPEN_ENDPOINTS = {"admin.login", "admin.logout"}
HIDDEN_NEXT = re.compile(r'<input id="next" name="next" type="hidden" value="([^"]*)"')


def hidden_next(page: str) -> str:
    """The `next` the login form will post back."""
    match = HIDDEN_NEXT.search(page)
    assert match, "the login form has no next field"
    return match.group(1)


@pytest.fixture
def site(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir)
    add_login(app, "redaktor", "editor")
    add_login(app, "forsker", "researcher")
    return app


@pytest.fixture
def comment_id(site):
    """One visible comment on the open case, written through the reader pages."""
    return write_comment(site)


def admin_routes(app, comment_id: int) -> list[tuple[str, str, str]]:
    """(method, url, endpoint) for every /admin/ route except login and logout."""
    values = {"slug": OPEN, "comment_id": str(comment_id)}
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or rule.endpoint in OPEN_ENDPOINTS:
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: values[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url, rule.endpoint))
    return routes


def form_for(endpoint: str) -> dict:
    """A form that would succeed for an editor, so only the access check can stop it."""
    return {"reason": "Fordi.", "action": "hide", "ids": "1"}


def test_the_desk_has_the_expected_routes(site, comment_id):
    endpoints = {endpoint for _m, _u, endpoint in admin_routes(site, comment_id)}
    urls = {url for _m, url, _e in admin_routes(site, comment_id)}
    assert {f"/admin/dilemmas/{OPEN}/{action}" for action in
            ("close", "reopen", "follow-schedule", "preview", "comments")} <= urls
    assert {"admin.dashboard", "admin.reload_cases", "admin.case_detail", "admin.preview",
            "admin.change_state", "admin.queue", "admin.case_comments", "admin.moderate_one",
            "admin.moderate_bulk", "admin.audit_log"} <= endpoints


def test_every_admin_route_sends_anonymous_visitors_to_the_login(site, comment_id):
    client = site.test_client()
    token = token_of(client)
    for method, url, endpoint in admin_routes(site, comment_id):
        data = {**form_for(endpoint), "csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        location = response.headers.get("Location", "")
        if method == "GET":
            assert response.status_code == 302, (method, url, response.status_code)
            assert location.startswith("/admin/login?next="), (url, location)
        else:  # no `next` for a POST: coming back to it after login would be a 405
            assert response.status_code == 303, (method, url, response.status_code)
            assert location == "/admin/login", (url, location)
    assert case_row(site, OPEN) == (None, None)
    assert comment_status(site, comment_id) == "visible"


def test_every_admin_route_is_403_for_a_researcher(site, comment_id):
    client = site.test_client()
    assert log_in(client, "forsker").status_code == 303
    token = token_of(client, "/admin/login")
    before = audit_count(site)
    for method, url, endpoint in admin_routes(site, comment_id):
        data = {**form_for(endpoint), "csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url, response.status_code)
        assert "Kun redaktører" in response.get_data(as_text=True)
    assert case_row(site, OPEN) == (None, None)
    assert comment_status(site, comment_id) == "visible"
    assert audit_count(site) == before


def test_researcher_lands_on_an_account_page_and_reaches_the_record_exports(site):
    client = site.test_client()
    response = log_in(client, "forsker")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    page = client.get("/admin/login").get_data(as_text=True)
    assert "forsker" in page and "/export/votes.csv" in page
    assert client.get("/export/votes.csv").status_code == 200
    assert client.get("/export/comments.csv").status_code == 200


def test_anonymous_visitors_do_not_get_the_record_exports(site):
    client = site.test_client()
    assert client.get("/export/votes.csv").status_code == 401


def test_editor_reaches_every_page(site, comment_id):
    desk = Desk(site.test_client())
    for method, url, _endpoint in admin_routes(site, comment_id):
        if method == "GET":
            assert desk.get(url).status_code == 200, url


def test_login_form_has_csrf_and_no_default_account(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir)
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'type="password"' in page
    for username, password in [("admin", "admin"), ("editor", "editor"), ("admin", "")]:
        assert log_in(client, username, password).status_code in (400, 401)
    assert client.get("/admin/").status_code == 302


def test_wrong_password_is_refused_with_a_message(site):
    client = site.test_client()
    response = log_in(client, "redaktor", "forkert kodeord her")
    assert response.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    assert all(action != "login" for _e, action, _t, _r in audit_rows(site))


def test_unknown_user_gets_the_same_message_as_a_wrong_password(site):
    wrong_user = log_in(site.test_client(), "ingen-saadan", PASSWORD)
    wrong_password = log_in(site.test_client(), "redaktor", "forkert kodeord her")
    assert wrong_user.status_code == wrong_password.status_code == 401
    message = "Forkert brugernavn eller adgangskode."
    assert message in wrong_user.get_data(as_text=True)
    assert message in wrong_password.get_data(as_text=True)


def test_empty_fields_are_a_400_with_a_message(site):
    response = log_in(site.test_client(), "", "")
    assert response.status_code == 400
    assert "Skriv brugernavn og adgangskode." in response.get_data(as_text=True)


def test_username_is_case_insensitive(site):
    client = site.test_client()
    assert log_in(client, "  Redaktor ").status_code == 303
    assert client.get("/admin/").status_code == 200


def test_login_starts_a_new_session(site):
    client = site.test_client()
    client.get("/admin/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        old_csrf = session.get("csrf_token")
    assert log_in(client).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != old_csrf
        assert session.get("_user_id")


def test_successful_login_is_audited(site):
    log_in(site.test_client())
    assert ("redaktor", "login", "editor redaktor", "") in audit_rows(site)


def test_logout_needs_a_post_with_csrf(site):
    desk = Desk(site.test_client())
    assert desk.client.get("/admin/logout").status_code == 405
    assert desk.client.post("/admin/logout").status_code == 400
    assert desk.get("/admin/").status_code == 200
    response = desk.post("/admin/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/login"
    assert desk.get("/admin/").status_code == 302
    assert ("redaktor", "logout", "editor redaktor", "") in audit_rows(site)


def test_editor_opening_the_login_page_again_goes_to_the_dashboard(site):
    desk = Desk(site.test_client())
    response = desk.get("/admin/login")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"


# --- next --------------------------------------------------------------------------------

BAD_NEXT = [
    "//evil.example", "https:evil.example", "/\\evil.example", "%2F%2Fevil.example",
    "https://evil.example/admin/", "http://localhost.evil.example/", "javascript:alert(1)",
    "/%2F/evil.example", "/%5Cevil.example", "/\t/evil.example", "\\\\evil.example",
    "///evil.example", " //evil.example", "evil.example", "/admin/\r\nSet-Cookie: x=1",
]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_login_refuses_an_outside_next(site, target):
    client = site.test_client()
    page = client.get("/admin/login", query_string={"next": target}).get_data(as_text=True)
    assert hidden_next(page) == ""
    response = log_in(client, next_=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"


def test_login_refuses_a_percent_encoded_next_in_the_raw_query(site):
    client = site.test_client()
    for query in ("next=%2F%2Fevil.example", "next=%252F%252Fevil.example",
                  "next=%2F%5Cevil.example", "next=https%3Aevil.example"):
        page = client.get("/admin/login?" + query).get_data(as_text=True)
        assert hidden_next(page) == "", query


def test_login_follows_a_local_next_through_the_form(site):
    client = site.test_client()
    redirect = client.get("/admin/audit")
    assert redirect.headers["Location"] == "/admin/login?next=%2Fadmin%2Faudit"
    page = client.get(redirect.headers["Location"]).get_data(as_text=True)
    assert hidden_next(page) == "/admin/audit"
    response = log_in(client, next_="/admin/audit")
    assert response.headers["Location"] == "/admin/audit"
    assert is_local(response.headers["Location"])


# --- the throttle ------------------------------------------------------------------------

def client_from(app, address: str):
    """A browser at another IP address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_throttle_per_account_counts_failures_from_any_address(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir, RATELIMIT_ENABLED=True)
    add_login(app)
    for n in range(5):
        client = client_from(app, f"10.0.0.{n + 1}")
        assert log_in(client, "redaktor", f"gæt nummer {n}").status_code == 401
    client = client_from(app, "10.0.0.99")
    response = log_in(client, "redaktor", PASSWORD)
    assert response.status_code == 429
    assert "For mange loginforsøg" in response.get_data(as_text=True)
    assert response.headers.get("Retry-After")
    assert client.get("/admin/").status_code == 302
    # Another account from the same address is not locked by this one.
    add_login(app, "anden-redaktor")
    assert log_in(client, "anden-redaktor", PASSWORD).status_code == 303


def test_throttle_per_address_counts_failures_on_any_account(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir, RATELIMIT_ENABLED=True)
    add_login(app)
    client = client_from(app, "10.0.1.1")
    for n in range(10):
        assert log_in(client, f"konto-{n}", "forkert kodeord").status_code == 401
    response = log_in(client, "redaktor", PASSWORD)
    assert response.status_code == 429
    other = client_from(app, "10.0.1.2")
    assert log_in(other, "redaktor", PASSWORD).status_code == 303


def test_successful_logins_do_not_use_up_the_throttle(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir, RATELIMIT_ENABLED=True)
    add_login(app)
    for _n in range(8):
        client = app.test_client()
        assert log_in(client).status_code == 303


def test_throttle_is_off_when_rate_limits_are_off(site):
    client = site.test_client()
    for n in range(12):
        assert log_in(client, "redaktor", f"gæt {n}").status_code == 401
    assert log_in(client).status_code == 303


# --- CSRF on every POST ------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "forfalsket-token", "csrf"])
def test_every_admin_post_needs_a_valid_csrf_token(site, comment_id, token):
    desk = Desk(site.test_client())
    before = audit_count(site)
    posts = [(m, u, e) for m, u, e in admin_routes(site, comment_id) if m == "POST"]
    posts.append(("POST", "/admin/logout", "admin.logout"))
    for _method, url, endpoint in posts:
        data = form_for(endpoint)
        if token is not None:
            data["csrf_token"] = token
        response = desk.client.post(url, data=data)
        assert response.status_code == 400, (url, response.status_code)
        assert "Formularen var udløbet eller ugyldig" in response.get_data(as_text=True)
    assert case_row(site, OPEN) == (None, None)
    assert comment_status(site, comment_id) == "visible"
    assert audit_count(site) == before
    assert desk.get("/admin/").status_code == 200  # still logged in: logout was refused too


def test_login_post_needs_a_csrf_token(site):
    client = site.test_client()
    response = client.post("/admin/login", data={"username": "redaktor", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/").status_code == 302


def test_a_token_from_another_session_is_refused(site, comment_id):
    stranger = site.test_client()
    stolen = token_of(stranger)
    desk = Desk(site.test_client())
    response = desk.client.post(f"/admin/comments/{comment_id}/moderate",
                                data={"action": "hide", "reason": "x", "csrf_token": stolen})
    assert response.status_code == 400
    assert comment_status(site, comment_id) == "visible"


# --- sessions end with the password ------------------------------------------------------

def test_changing_the_password_ends_open_sessions(site):
    desk = Desk(site.test_client())
    result = site.test_cli_runner().invoke(
        args=["editors", "passwd", "redaktor", "--password-stdin"], input="et helt nyt kodeord\n")
    assert result.exit_code == 0, result.output
    assert desk.get("/admin/").status_code == 302


def test_removing_the_account_ends_open_sessions(site):
    desk = Desk(site.test_client())
    result = site.test_cli_runner().invoke(args=["editors", "remove", "redaktor", "--yes"])
    assert result.exit_code == 0, result.output
    assert desk.get("/admin/").status_code == 302
