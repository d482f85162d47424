"""An editor's session ends everywhere at logout, and holds only for the client that opened it."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from
from tests.security.conftest import EDITOR, PASSWORD, add_account, login

HTTPS = "https://localhost"


@pytest.fixture
def desk(make_site):
    def build(**overrides):
        app = make_site(**overrides)
        add_account(app, EDITOR)
        return app
    return build


def copy_of_session(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.environ_base.update(client.environ_base)
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def log_out(client, base_url: str = "http://localhost", **headers):
    token = csrf_token_from(client.get("/admin/", base_url=base_url,
                                       headers=headers).get_data(as_text=True))
    return client.post("/admin/logout", base_url=base_url, headers=headers,
                       data={"csrf_token": token})


def test_a_copied_session_cookie_ends_at_logout(desk):
    app = desk()
    editor = app.test_client()
    assert login(editor, EDITOR).status_code == 303
    copy = copy_of_session(editor, app)
    assert copy.get("/admin/").status_code == 200
    assert log_out(editor).status_code == 303
    response = copy.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    # ...and the next login works as before.
    assert login(editor, EDITOR).status_code == 303
    assert editor.get("/admin/").status_code == 200


def test_logging_out_ends_the_sessions_of_every_browser(desk):
    app = desk()
    first, second = app.test_client(), app.test_client()
    assert login(first, EDITOR).status_code == 303
    assert login(second, EDITOR).status_code == 303
    assert log_out(first).status_code == 303
    assert second.get("/admin/").status_code == 302


# --- a stolen cookie from another address ----------------------------------------

def test_a_stolen_cookie_cannot_name_the_victims_address_without_a_trusted_proxy(desk):
    app = desk(TRUSTED_PROXIES=0)
    editor = app.test_client()
    editor.environ_base["REMOTE_ADDR"] = "10.0.0.1"
    assert login(editor, EDITOR).status_code == 303
    assert editor.get("/admin/").status_code == 200
    thief = copy_of_session(editor, app)
    thief.environ_base["REMOTE_ADDR"] = "10.6.6.6"
    # X-Forwarded-For is the client's own word here: it changes nothing.
    assert thief.get("/admin/", headers={"X-Forwarded-For": "10.0.0.1"}).status_code == 302
    assert thief.get("/admin/", headers={"X-Real-IP": "10.0.0.1"}).status_code == 302
    assert thief.get("/admin/").status_code == 302
    assert editor.get("/admin/").status_code == 200


def via_proxy(client, client_address: str) -> dict[str, str]:
    """Headers our one trusted proxy (at 127.0.0.1) sends: it appends the real address."""
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    return {"X-Forwarded-For": client_address, "X-Forwarded-Proto": "https",
            "Referer": f"{HTTPS}/admin/login"}


def test_behind_one_proxy_only_the_address_it_appended_counts(desk):
    app = desk(TRUSTED_PROXIES=1)
    editor = app.test_client()
    victim = via_proxy(editor, "10.0.0.1")
    token = csrf_token_from(editor.get("/admin/login", base_url=HTTPS, headers=victim)
                            .get_data(as_text=True))
    response = editor.post("/admin/login", base_url=HTTPS, headers=victim, data={
        "username": EDITOR, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    assert editor.get("/admin/", base_url=HTTPS, headers=victim).status_code == 200
    thief = copy_of_session(editor, app)
    # The thief writes the victim's address first; the proxy appends the thief's own.
    forged = via_proxy(thief, "10.0.0.1, 10.6.6.6")
    assert thief.get("/admin/", base_url=HTTPS, headers=forged).status_code == 302
    assert thief.get("/admin/", base_url=HTTPS,
                     headers=via_proxy(thief, "10.6.6.6")).status_code == 302
    assert editor.get("/admin/", base_url=HTTPS, headers=victim).status_code == 200
