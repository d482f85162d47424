"""Ids no row can have (SECURITY.md): a 404 in an address, a 400 in a form, never a 500.

Ids are PostgreSQL integers (1..2**31-1). Above that PostgreSQL refuses the
query itself, and SQLite cannot even bind a number from 2**63 on; both used
to end in a 500 with a traceback.
"""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token_from
from tests.security.conftest import OPEN, latest_comment, post_comment
from tests.security.tools import assert_refused, snapshot

MAX_ID = 2**31 - 1  # PostgreSQL's integer, as SECURITY.md says
NO_ROW_CAN_HAVE = [str(MAX_ID + 1), str(2**63), "9" * 30, "0"]


def desk_token(client) -> str:
    return csrf_token_from(client.get("/admin/").get_data(as_text=True))


def comment_routes(comment_id: str) -> list[tuple[str, str]]:
    return [("GET", f"/comments/{comment_id}"), ("GET", f"/comments/{comment_id}/edit"),
            ("POST", f"/comments/{comment_id}/edit"), ("POST", f"/comments/{comment_id}/delete"),
            ("POST", f"/comments/{comment_id}/report")]


@pytest.mark.parametrize("comment_id", NO_ROW_CAN_HAVE)
def test_comment_addresses_with_an_id_out_of_range_are_404(world, comment_id):
    before = snapshot(world.app)
    reader = world.author  # the author of a comment, with its edit cookie
    token = reader.token(f"/dilemmas/{OPEN}")
    for method, path in comment_routes(comment_id):
        response = reader.client.open(path, method=method,
                                      data={"csrf_token": token, "body": "Rettet."})
        assert response.status_code == 404, (method, path, response.status_code)
    response = world.editor.post(f"/admin/comments/{comment_id}/moderate", data={
        "csrf_token": desk_token(world.editor), "action": "hide", "reason": "grund"})
    assert_refused(world.app, response, 404, before)


def test_the_largest_id_is_still_an_address(world):
    """MAX_ID itself matches the route: no such comment, the ordinary 404."""
    response = world.stranger.client.get(f"/comments/{MAX_ID}")
    assert response.status_code == 404
    assert world.stranger.client.get(f"/comments/{world.comment_id}").status_code == 302


@pytest.mark.parametrize("parent_id", [str(MAX_ID + 1), "999999999999", str(2**63), "0"])
def test_a_reply_to_an_id_out_of_range_is_a_400(world, parent_id):
    reader = world.author
    before = snapshot(world.app)
    response = post_comment(reader, OPEN, "Et svar.", parent_id=parent_id)
    assert_refused(world.app, response, 400, before)
    assert "Kommentaren, du svarer på, findes ikke." in response.get_data(as_text=True)


def test_a_reply_to_the_comment_itself_still_works(world):
    response = post_comment(world.author, OPEN, "Et svar.", parent_id=str(world.comment_id))
    assert response.status_code == 303
    assert latest_comment(world.app).parent_id == world.comment_id


@pytest.mark.parametrize("bad_id", [str(MAX_ID + 1), str(2**63), "0"])
def test_bulk_moderation_refuses_ids_out_of_range(world, bad_id):
    before = snapshot(world.app)
    response = world.editor.post("/admin/comments/bulk", data={
        "csrf_token": desk_token(world.editor), "action": "hide", "reason": "grund",
        "ids": [str(world.comment_id), bad_id]})
    assert_refused(world.app, response, 400, before)
    assert "Ugyldigt kommentar-id." in response.get_data(as_text=True)
