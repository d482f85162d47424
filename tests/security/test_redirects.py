"""Open redirects: every `next` stays on this site, whatever the attacker writes."""
from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from dilemmaboard.web.security import safe_next
from tests.conftest import csrf_token_from
from tests.security.conftest import EDITOR, PASSWORD, add_account

HOSTILE_NEXT = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "http:/evil.example",
    "https:evil.example",
    "ｈｔｔｐｓ://evil.example",
    "/\r\nSet-Cookie: session=stolen",
    "/\u2028/evil.example",
    " //evil.example",
    "\x00//evil.example",
    "evil.example",
]


def assert_local(location: str) -> None:
    """A browser following `location` stays on localhost."""
    assert "\r" not in location and "\n" not in location
    as_browser = re.sub(r"[\t\n\r]", "", location).strip()
    parts = urlsplit(as_browser)
    assert parts.netloc in ("", "localhost"), location
    assert parts.scheme in ("", "http", "https"), location
    assert not as_browser.startswith("//") and "\\" not in as_browser, location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_safe_next_refuses(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/dilemmas", "/dilemmas/aaben?page=2#comments",
                                    "/admin/comments?status=pending"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_language_switch_never_leaves_the_site(site, target):
    response = site.test_client().get("/language/en?next=" + quote(target, safe=""))
    assert response.status_code in (303, 400)  # 400: a NUL is refused outright
    if response.status_code == 303:
        assert_local(response.headers["Location"])


def test_language_switch_keeps_a_local_next(site):
    response = site.test_client().get("/language/en?next=" + quote("/dilemmas?page=2"))
    assert response.headers["Location"].endswith("/dilemmas?page=2")


@pytest.mark.parametrize("code", ["xx", "../../etc", "<script>", "en%00", "EN", "e" * 500])
def test_language_switch_with_a_bad_code_sets_nothing(site, code):
    response = site.test_client().get(f"/language/{code}?next=/")
    assert response.status_code in (303, 404)
    assert not any(c.startswith("lang=") for c in response.headers.getlist("Set-Cookie"))


@pytest.fixture
def desk(site):
    add_account(site, EDITOR)
    return site


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_never_leaves_the_site(desk, target):
    client = desk.test_client()
    page = client.get("/admin/login?next=" + quote(target, safe=""))
    assert page.status_code in (200, 400)
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={
        "username": EDITOR, "password": PASSWORD, "csrf_token": token, "next": target})
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert_local(response.headers["Location"])


def test_login_goes_to_a_local_next(desk):
    client = desk.test_client()
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post("/admin/login", data={
        "username": EDITOR, "password": PASSWORD, "csrf_token": token,
        "next": "/admin/comments"})
    assert response.headers["Location"].endswith("/admin/comments")
