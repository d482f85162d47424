"""Request limits: oversized bodies and too many parts answer 413; nothing is stored."""
from __future__ import annotations

import io

import pytest

from tests.security.conftest import OPEN
from tests.security.tools import assert_refused, snapshot

VOTE = f"/dilemmas/{OPEN}/vote"
KIB = 1024


def test_limits_are_configured(site):
    assert site.config["MAX_CONTENT_LENGTH"] == 64 * KIB
    assert site.config["MAX_FORM_MEMORY_SIZE"] <= 64 * KIB
    assert 0 < site.config["MAX_FORM_PARTS"] <= 100


@pytest.mark.parametrize("content_type, body", [
    ("application/x-www-form-urlencoded", b"option=1&name=" + b"A" * (65 * KIB)),
    ("text/plain", b"option=1\r\n" + b"A" * (65 * KIB)),
    ("application/json", b'{"option": "' + b"1" * (65 * KIB) + b'"}'),
    ("application/octet-stream", b"\x00" * (200 * KIB)),
])
def test_oversized_body_is_413(site, visitor, content_type, body):
    token = visitor.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = visitor.client.post(VOTE, data=body, content_type=content_type,
                                   headers={"X-CSRFToken": token})
    assert_refused(site, response, 413, before)
    assert "for stor" in response.get_data(as_text=True)


def test_oversized_multipart_upload_is_413(site, visitor):
    token = visitor.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = visitor.client.post(VOTE, data={
        "csrf_token": token, "option": "1",
        "file": (io.BytesIO(b"x" * (100 * KIB)), "big.bin"),
    }, content_type="multipart/form-data")
    assert_refused(site, response, 413, before)


def test_too_many_multipart_parts_is_413(site, visitor):
    token = visitor.token(f"/dilemmas/{OPEN}")
    fields = {f"f{n}": "x" for n in range(site.config["MAX_FORM_PARTS"] + 10)}
    before = snapshot(site)
    response = visitor.client.post(VOTE, data={"csrf_token": token, "option": "1", **fields},
                                   content_type="multipart/form-data")
    assert_refused(site, response, 413, before)


def test_oversized_json_api_body_is_json_413(site):
    response = site.test_client().post("/api/dilemmas", data=b"{" * (70 * KIB),
                                       content_type="application/json")
    assert response.status_code == 413
    assert response.is_json


def test_a_body_just_under_the_limit_is_still_handled(site, visitor):
    token = visitor.token(f"/dilemmas/{OPEN}")
    body = f"csrf_token={token}&option=2&padding=".encode() + b"p" * (60 * KIB)
    response = visitor.client.post(VOTE, data=body,
                                   content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


# --- bodies without a length (Transfer-Encoding: chunked) ---------------------------

def post_chunked(client, path: str, body: bytes, **kwargs):
    """POST as gunicorn hands on a chunked body: no length, a stream the server ends."""
    return client.post(path, data=body, headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True}, **kwargs)


@pytest.mark.parametrize("size", [64 * KIB + 1, 2048 * KIB])
def test_a_chunked_vote_over_the_limit_is_413_and_not_counted(site, visitor, size):
    """Werkzeug alone parsed the first 64 KiB of such a body, and the vote counted."""
    token = visitor.token(f"/dilemmas/{OPEN}")
    head = f"csrf_token={token}&option=1&padding=".encode()
    before = snapshot(site)
    response = post_chunked(visitor.client, VOTE, head + b"p" * (size - len(head)),
                            content_type="application/x-www-form-urlencoded")
    assert_refused(site, response, 413, before)
    assert "for stor" in response.get_data(as_text=True)


def test_a_chunked_comment_over_the_limit_is_413(site, visitor):
    token = visitor.token(f"/dilemmas/{OPEN}")
    assert visitor.vote(OPEN, "1").status_code == 303
    before = snapshot(site)
    body = f"csrf_token={token}&name=Mette&body=Hej&padding=".encode() + b"p" * (100 * KIB)
    response = post_chunked(visitor.client, f"/dilemmas/{OPEN}/comments", body,
                            content_type="application/x-www-form-urlencoded")
    assert_refused(site, response, 413, before)


def test_a_chunked_body_under_the_limit_is_still_handled(site, visitor):
    token = visitor.token(f"/dilemmas/{OPEN}")
    body = f"csrf_token={token}&option=2&padding=".encode() + b"p" * (60 * KIB)
    response = post_chunked(visitor.client, VOTE, body,
                            content_type="application/x-www-form-urlencoded")
    assert response.status_code == 303


@pytest.mark.parametrize("value", ["9" * 5000, "1" * 100_000])
def test_huge_numbers_in_query_parameters(site, value):
    for path in ("/dilemmas", f"/dilemmas/{OPEN}", "/api/dilemmas", "/feed.xml"):
        response = site.test_client().get(path, query_string={"page": value, "option": value})
        assert response.status_code in (200, 400, 404)
