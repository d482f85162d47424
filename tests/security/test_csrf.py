"""CSRF on every POST route (read from app.url_map, so a new route cannot escape).

The victim is as powerful as a browser gets here: a reader who voted and
wrote a comment, logged in as an editor. A forged request (no token, a
wrong one, another session's) in any encoding a cross-site form can send
is refused with 400 and changes nothing. The embed's vote alone carries no
token (it lives in a partner's frame, SECURITY.md): a browser's cross-site
request to it, as its Sec-Fetch-Site or Origin headers tell, is refused with 403.
"""
from __future__ import annotations

import io

import pytest

from dilemmaboard.extensions import csrf
from tests.conftest import Database, Reader, csrf_token_from
from tests.security.conftest import EDITOR, OPEN, PASSWORD, build_world, login
from tests.security.tools import ROUTE_VALUES, assert_refused, fill, post_routes, snapshot

POST_ROUTES = post_routes()
EMBED_VOTE = "/embed/<slug>/vote"
TOKEN_ROUTES = [rule for rule in POST_ROUTES if rule != EMBED_VOTE]
# What a browser says about a request another site's page started.
CROSS_SITE = [{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
              {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.localhost"},
              {"Origin": "https://evil.example"}, {"Origin": "null"}]
CSRF_MESSAGE = "Formularen var udløbet eller ugyldig"
# A form that would do something on every route, if only the token were right.
FORM = {
    "option": "5", "name": "Angriber", "body": "Forfalsket", "reason": "forfalsket",
    "action": "delete", "username": EDITOR, "password": PASSWORD, "next": "/",
}


@pytest.fixture(params=["sqlite"])
def database(request, tmp_path):
    """SQLite only: a forged request is refused before any query, on any database."""
    yield Database(request.param, tmp_path)


@pytest.fixture
def victim(site):
    """One browser: voted, commented, and logged in at the desk."""
    world = build_world(site, researcher=False)
    assert login(world.author.client, EDITOR).status_code == 303
    return world


def send(client, path: str, encoding: str, fields: dict, **kwargs):
    if encoding == "urlencoded":
        return client.post(path, data=fields, **kwargs)
    if encoding == "multipart":
        return client.post(path, data={**fields, "x": (io.BytesIO(b"x"), "x.txt")},
                           content_type="multipart/form-data", **kwargs)
    body = "\r\n".join(f"{k}={v}" for k, v in fields.items()).encode()  # enctype=text/plain
    return client.post(path, data=body, content_type="text/plain", **kwargs)


def forged_token(kind: str, victim) -> str | None:
    if kind == "missing":
        return None
    if kind == "wrong":
        return "IjEyMzQ1Njc4OTAi.ZZZZZZ.not-a-real-signature-at-all"
    return Reader(victim.app.test_client()).token()  # a valid token of another session


def test_post_routes_are_found():
    assert "/dilemmas/<slug>/vote" in POST_ROUTES
    assert len(POST_ROUTES) >= 2


def test_only_the_embed_vote_is_exempt_from_the_token(site):
    assert csrf._exempt_views == {"dilemmaboard.web.embed.vote"}
    assert not csrf._exempt_blueprints
    assert EMBED_VOTE in POST_ROUTES


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart", "text/plain"])
@pytest.mark.parametrize("headers", CROSS_SITE)
def test_forged_embed_vote_is_refused(victim, headers, encoding):
    before = snapshot(victim.app)
    response = send(victim.author.client, fill(EMBED_VOTE, **ROUTE_VALUES) + "?partner=x",
                    encoding, dict(FORM), headers=headers)
    assert_refused(victim.app, response, 403, before)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart", "text/plain"])
@pytest.mark.parametrize("kind", ["missing", "wrong", "other-session"])
@pytest.mark.parametrize("rule", TOKEN_ROUTES)
def test_forged_post_is_refused(victim, rule, kind, encoding):
    path = fill(rule, **{**ROUTE_VALUES, "comment_id": victim.comment_id})
    fields = {**FORM, "ids": str(victim.comment_id)}
    token = forged_token(kind, victim)
    if token is not None:
        fields["csrf_token"] = token
    before = snapshot(victim.app)
    response = send(victim.author.client, path, encoding, fields)
    assert_refused(victim.app, response, 400, before)
    assert CSRF_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("rule", TOKEN_ROUTES)
def test_token_in_a_header_from_another_session_is_refused(victim, rule):
    path = fill(rule, **{**ROUTE_VALUES, "comment_id": victim.comment_id})
    before = snapshot(victim.app)
    response = victim.author.client.post(path, data={**FORM, "ids": str(victim.comment_id)},
                                         headers={"X-CSRFToken": forged_token("other", victim)})
    assert_refused(victim.app, response, 400, before)


@pytest.mark.parametrize("rule", POST_ROUTES)
def test_the_right_token_passes_the_check(victim, rule):
    """The control: with its own token the same request is not a CSRF failure."""
    client = victim.author.client
    path = fill(rule, **{**ROUTE_VALUES, "comment_id": victim.comment_id})
    token = csrf_token_from(client.get(f"/dilemmas/{OPEN}").get_data(as_text=True))
    response = client.post(path, data={**FORM, "ids": str(victim.comment_id),
                                       "csrf_token": token})
    assert response.status_code < 500
    assert CSRF_MESSAGE not in response.get_data(as_text=True)


def test_https_post_from_a_foreign_referer_is_refused(site):
    reader = Reader(site.test_client())
    page = reader.client.get(f"/dilemmas/{OPEN}", base_url="https://localhost")
    token = csrf_token_from(page.get_data(as_text=True))
    before = snapshot(site)
    response = reader.client.post(f"/dilemmas/{OPEN}/vote", base_url="https://localhost",
                                  data={"option": "1", "csrf_token": token},
                                  headers={"Referer": "https://evil.example/page"})
    assert_refused(site, response, 400, before)
