"""Nobody reads or changes what is not theirs: comments, the desk, record-level data."""
from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dilemmaboard.comments.service import moderate_comment
from dilemmaboard.extensions import db
from dilemmaboard.models import Comment, Vote
from tests.conftest import Reader
from tests.security.conftest import (
    OPEN,
    PASSWORD,
    RESEARCHER,
    SECOND,
    build_world,
    comment_id_from,
    latest_comment,
    post_comment,
)
from tests.security.tools import ROUTE_VALUES, assert_refused, fill, routes, snapshot

ADMIN_GET = [r for r, _, m, _ in routes() if r.startswith("/admin") and "GET" in m
             and r != "/admin/login"]
ADMIN_POST = [r for r, _, m, _ in routes() if r.startswith("/admin") and "POST" in m
              and r not in ("/admin/login", "/admin/logout")]
ADMIN_FORM = {"reason": "fordi", "action": "delete", "ids": "1", "next": "/"}


def comment(app, comment_id: int) -> Comment:
    with app.app_context():
        found = db.session.get(Comment, comment_id)
        db.session.remove()
        return found


def set_comment(app, comment_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Comment).where(Comment.id == comment_id).values(**values))
        db.session.commit()
        db.session.remove()


def token_for(reader: Reader) -> str:
    return reader.token(f"/dilemmas/{OPEN}")


# --- someone else's comment ---------------------------------------------------

@pytest.mark.parametrize("action", ["edit", "delete"])
def test_a_stranger_cannot_change_a_comment(world, action):
    stranger = world.stranger
    before = snapshot(world.app)
    response = stranger.client.post(f"/comments/{world.comment_id}/{action}",
                                    data={"body": "Overtaget", "csrf_token": token_for(stranger)})
    assert_refused(world.app, response, 403, before)


def test_a_stranger_cannot_open_the_edit_form(world):
    response = world.stranger.client.get(f"/comments/{world.comment_id}/edit")
    assert response.status_code == 403
    assert "Fordi det er" not in response.get_data(as_text=True)


def test_an_author_cookie_does_not_fit_another_comment(world):
    """Renaming my cookie for comment A to comment B's name proves nothing about B."""
    victim = world.reader()
    victim.vote(OPEN, "1")
    other_id = comment_id_from(post_comment(victim, OPEN, "Offerets kommentar"))
    attacker = world.author
    my_token = attacker.client.get_cookie(f"db_c{world.comment_id}").value
    attacker.client.set_cookie(f"db_c{other_id}", my_token)
    before = snapshot(world.app)
    response = attacker.client.post(f"/comments/{other_id}/edit",
                                    data={"body": "Kapret", "csrf_token": token_for(attacker)})
    assert_refused(world.app, response, 403, before)


@pytest.mark.parametrize("cookie", ["", "forged", "eyJjIjoxLCJiIjoieCJ9.AAAA.BBBB", "x" * 3000])
def test_a_forged_author_cookie_proves_nothing(world, cookie):
    stranger = world.stranger
    stranger.client.set_cookie(f"db_c{world.comment_id}", cookie)
    before = snapshot(world.app)
    response = stranger.client.post(f"/comments/{world.comment_id}/delete",
                                    data={"csrf_token": token_for(stranger)})
    assert_refused(world.app, response, 403, before)


def test_the_author_cannot_edit_after_15_minutes(world):
    created = comment(world.app, world.comment_id).created_at
    set_comment(world.app, world.comment_id, created_at=created - timedelta(minutes=16))
    before = snapshot(world.app)
    response = world.author.client.post(f"/comments/{world.comment_id}/edit", data={
        "body": "For sent", "csrf_token": token_for(world.author)})
    assert_refused(world.app, response, 403, before)


def test_the_author_cannot_edit_a_hidden_comment(world):
    set_comment(world.app, world.comment_id, status="hidden")
    before = snapshot(world.app)
    response = world.author.client.post(f"/comments/{world.comment_id}/edit", data={
        "body": "Tilbage igen", "csrf_token": token_for(world.author)})
    assert_refused(world.app, response, 403, before)


def set_status(app, comment_id: int, status: str) -> None:
    """Give the comment this moderation status (the counters move as the desk moves them)."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        action = {"visible": "restore", "hidden": "hide", "deleted": "delete"}.get(status)
        if action:
            moderate_comment(db.session, comment, action)
        else:  # held for an editor: as if it had been written under pre-moderation
            db.session.execute(update(Comment).where(Comment.id == comment_id)
                               .values(status=status))
        db.session.commit()
        db.session.remove()


def answers(reader: Reader, comment_id: int) -> list[tuple[int, str]]:
    """What a reader is told when asking to open, edit or delete the comment."""
    token = reader.token(f"/dilemmas/{OPEN}")
    responses = [
        reader.client.get(f"/comments/{comment_id}/edit"),
        reader.client.post(f"/comments/{comment_id}/edit",
                           data={"body": "Overtaget", "csrf_token": token}),
        reader.client.post(f"/comments/{comment_id}/delete", data={"csrf_token": token}),
    ]
    # The page names no token, but strip one anyway: only the answer is compared.
    return [(r.status_code, re.sub(r'(value|content)="[^"]*"', "", r.get_data(as_text=True)))
            for r in responses]


@pytest.mark.parametrize("cookie", [None, "forged.token.value"])
def test_a_stranger_gets_one_answer_whatever_the_status(site, cookie):
    """Issue 17.16: 403, 403 "skjult" and 404 told a stranger the comment's status."""
    world = build_world(site, researcher=False)
    stranger = world.stranger
    if cookie:
        stranger.client.set_cookie(f"db_c{world.comment_id}", cookie)
    seen = {}
    for status in ("visible", "pending", "hidden", "deleted"):
        set_status(site, world.comment_id, status)
        seen[status] = answers(stranger, world.comment_id)
    assert seen["visible"] == seen["pending"] == seen["hidden"] == seen["deleted"], seen
    assert {status for status, _body in seen["visible"]} == {403}
    body = seen["hidden"][0][1]
    assert "skjult" not in body and "findes ikke længere" not in body


def test_only_the_author_is_told_that_an_editor_hid_the_comment(world):
    set_status(world.app, world.comment_id, "hidden")
    response = world.author.client.get(f"/comments/{world.comment_id}/edit")
    assert response.status_code == 403
    assert "Redaktionen har skjult kommentaren" in response.get_data(as_text=True)


def test_comments_of_unpublished_cases_are_404(world):
    with world.app.app_context():
        from dilemmaboard.models import Case

        draft = db.session.scalars(select(Case).where(Case.slug == "kladde")).one()
        db.session.execute(update(Comment).where(Comment.id == world.comment_id)
                           .values(case_id=draft.id))
        db.session.commit()
        db.session.remove()
    for path in (f"/comments/{world.comment_id}", f"/comments/{world.comment_id}/edit"):
        assert world.stranger.client.get(path).status_code == 404


# --- mass assignment --------------------------------------------------------------

MASS_FIELDS = {
    "status": "visible", "approved": "1", "report_count": "0", "option_number": "5",
    "option_changed": "1", "voter_hash": "f" * 64, "ip_hash": "e" * 32, "case_id": "1",
    "id": "1", "created_at": "2000-01-01", "edited_at": "2000-01-01",
    "body_html": "<script>alert(1)</script>", "is_editor": "1", "role": "editor",
}


def test_mass_assignment_when_posting_under_pre_moderation(make_site):
    world = build_world(make_site(COMMENTS_MODERATION="pre"), researcher=False)
    reader = world.reader()
    reader.vote(OPEN, "3")
    response = post_comment(reader, OPEN, "Læs mig", **MASS_FIELDS)
    assert response.status_code == 303
    stored = latest_comment(world.app)
    assert stored.status == "pending"
    assert (stored.option_number, stored.report_count, stored.option_changed) == (3, 0, False)
    assert stored.voter_hash != "f" * 64 and stored.ip_hash != "e" * 32
    assert stored.id != 1 and stored.created_at.year > 2000 and stored.edited_at is None
    assert "script" not in stored.body_html
    page = world.stranger.client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    assert "Læs mig" not in page
    assert "Læs mig" not in world.stranger.client.get(
        f"/dilemmas/{OPEN}/comments.xml").get_data(as_text=True)


def test_mass_assignment_when_editing(world):
    original = comment(world.app, world.comment_id)
    response = world.author.client.post(f"/comments/{world.comment_id}/edit", data={
        "body": "Rettet", "name": "Redaktionen", "csrf_token": token_for(world.author),
        **{k: v for k, v in MASS_FIELDS.items() if k != "body_html"}})
    assert response.status_code == 303
    edited = comment(world.app, world.comment_id)
    assert edited.body_md == "Rettet" and edited.name == original.name
    assert (edited.status, edited.option_number, edited.case_id, edited.voter_hash) == (
        original.status, original.option_number, original.case_id, original.voter_hash)


def test_a_reply_cannot_hang_under_another_cases_comment(world):
    reader = world.reader()
    assert reader.vote(SECOND, "1").status_code == 303
    before = snapshot(world.app)
    response = post_comment(reader, SECOND, "Svar på tværs", parent_id=str(world.comment_id))
    assert_refused(world.app, response, 400, before)


# --- the desk ---------------------------------------------------------------------

@pytest.mark.parametrize("who", ["anonymous", "researcher"])
def test_desk_pages_need_an_editor(world, who):
    client = world.stranger.client if who == "anonymous" else world.researcher
    for rule in ADMIN_GET:
        path = fill(rule, **{**ROUTE_VALUES, "comment_id": world.comment_id})
        response = client.get(path)
        if who == "anonymous":
            assert response.status_code in (302, 303, 401), path
            assert "/admin/login" in response.headers.get("Location", "/admin/login")
        else:
            assert response.status_code == 403, path
        assert "Fordi det er" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["anonymous", "researcher"])
@pytest.mark.parametrize("rule", ADMIN_POST)
def test_desk_actions_need_an_editor(world, who, rule):
    if who == "anonymous":
        reader = world.stranger
    else:
        reader = Reader(world.researcher)
    path = fill(rule, **{**ROUTE_VALUES, "comment_id": world.comment_id})
    before = snapshot(world.app)
    response = reader.client.post(path, data={**ADMIN_FORM, "ids": str(world.comment_id),
                                              "csrf_token": token_for(reader)})
    expected = 403 if who == "researcher" else 302
    assert_refused(world.app, response, expected, before, allowed=(303, 401))


def test_logout_is_post_only(world):
    assert world.editor.get("/admin/logout").status_code == 405
    assert world.editor.get("/admin/").status_code == 200


# --- record-level data and hidden numbers -------------------------------------------

RECORD_LEVEL = ["/export/votes.csv", "/export/votes.json", "/export/comments.csv",
                "/export/comments.json"]


@pytest.mark.parametrize("path", RECORD_LEVEL)
def test_record_level_exports_need_a_login(world, path):
    response = world.stranger.client.get(path)
    assert response.status_code in (302, 401, 403)
    assert "Fordi det er" not in response.get_data(as_text=True)
    assert world.researcher.get(path).status_code == 200


def basic(username: str, password: str) -> dict:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.mark.parametrize("header", [
    basic(RESEARCHER, "forkert"), basic("ukendt", PASSWORD), basic(RESEARCHER, ""),
    {"Authorization": "Basic !!!not-base64"}, {"Authorization": "Bearer x"},
    basic(RESEARCHER + "' OR '1'='1", PASSWORD), basic("a" * 5000, "b" * 5000),
])
def test_record_level_exports_refuse_bad_credentials(world, header):
    response = world.stranger.client.get("/export/votes.csv", headers=header)
    assert response.status_code == 401
    assert response.is_json


def test_no_export_or_api_answer_carries_a_stored_hash(world):
    """Voter and IP hashes stay in the database: no page, export or API shows them."""
    with world.app.app_context():
        hashes = {h for (h,) in db.session.execute(select(Vote.voter_hash))}
        hashes |= {h for row in db.session.execute(select(Comment.voter_hash, Comment.ip_hash))
                   for h in row if h}
        db.session.remove()
    assert hashes
    paths = ["/api/dilemmas", f"/api/dilemmas/{OPEN}", "/feed.xml", f"/dilemmas/{OPEN}",
             f"/dilemmas/{OPEN}/comments.xml", "/export/datapackage.json", *RECORD_LEVEL,
             "/export/tallies.csv", "/export/timeseries.csv"]
    for path in paths:
        for client in (world.researcher, world.editor):
            body = client.get(path).get_data(as_text=True)
            assert not any(h in body for h in hashes), path


def test_hidden_results_do_not_leak(world):
    """The open case shows results only after voting: not to a stranger, anywhere."""
    stranger = world.stranger.client
    page = stranger.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    assert 'id="results"' not in page
    api = stranger.get(f"/api/dilemmas/{OPEN}").get_json()
    assert not api.get("results") and "votes" not in str(api.get("options", ""))
    tallies = stranger.get("/export/tallies.csv").get_data(as_text=True)
    assert f"\n{OPEN}," not in tallies
    assert stranger.get("/export/tallies.json").status_code == 200


def test_drafts_and_scheduled_cases_appear_nowhere_for_readers(world):
    stranger = world.stranger.client
    paths = ["/", "/dilemmas", "/feed.xml", "/api/dilemmas", "/export/tallies.csv",
             "/export/tallies.json", "/export/timeseries.csv", "/export/datapackage.json"]
    for path in paths:
        body = stranger.get(path).get_data(as_text=True)
        assert "kladde" not in body and "planlagt" not in body, path
        assert "Kladden" not in body and "Den planlagte" not in body, path
