"""Record-level exports: votes.csv and comments.csv need a researcher or editor login,
and votes.csv carries no voter identifier in any form."""
from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from dilemmaboard.extensions import db
from dilemmaboard.models import Comment, Vote
from dilemmaboard.research import tables
from dilemmaboard.web.privacy import keyed_hash
from tests.conftest import Reader, write_case
from tests.test_exports import (
    PASSWORD,
    add_editor,
    basic,
    case_by_slug,
    log_in,
    rows_of,
    vote_at,
)

PRIVATE = ["/export/votes.csv", "/export/comments.csv", "/export/votes.json",
           "/export/comments.json"]


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", extra="results: after_close")
    return make_app()


# --- login -----------------------------------------------------------------

@pytest.mark.parametrize("path", PRIVATE)
def test_anonymous_gets_401_json_with_a_challenge(site, path):
    response = site.test_client().get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert response.get_json()["status"] == 401
    assert "case_slug" not in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    basic("forsker", "forkert-kodeord"),
    basic("ukendt", PASSWORD),
    basic("", PASSWORD),
    {"Authorization": "Basic !!!not-base64!!!"},
    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    {"Authorization": "Bearer abc.def.ghi"},
    {"Authorization": ""},
    basic("forsker", PASSWORD + "x" * 5000),
    basic("forsker" * 100, PASSWORD),
    {"Authorization": "Basic " + base64.b64encode("forsker:ø\x00".encode()).decode()},
])
def test_wrong_credentials_are_401_never_500(site, headers):
    add_editor(site)
    for path in ["/export/votes.csv", "/export/tallies.csv", "/api/dilemmas"]:
        response = site.test_client().get(path, headers=headers)
        assert response.status_code == 401, (path, response.get_data(as_text=True))
        assert "WWW-Authenticate" in response.headers


@pytest.mark.parametrize("role", ["researcher", "editor"])
def test_basic_auth_opens_record_level_files(site, role):
    add_editor(site, "Person", role)
    client = site.test_client()
    for path in PRIVATE:
        response = client.get(path, headers=basic("person"))  # usernames ignore case
        assert response.status_code == 200, path
        assert response.get_data(as_text=True).startswith(("case_slug,", "["))
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "Set-Cookie" not in response.headers


def test_browser_session_login_opens_record_level_files(site):
    editor_id = add_editor(site)
    client = site.test_client()
    log_in(client, editor_id)
    for path in ["/export/votes.csv", "/export/comments.csv"]:
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_data(as_text=True).startswith("case_slug,")


def test_failed_basic_auth_is_rate_limited(make_app, dilemmas_dir):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per minute")
    add_editor(app)
    client = app.test_client()
    wrong = basic("forsker", "gæt-nummer-x")
    statuses = [client.get("/export/votes.csv", headers=wrong).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_successful_downloads_do_not_count_towards_the_limit(make_app, dilemmas_dir):
    app = make_app(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per minute")
    add_editor(app)
    client = app.test_client()
    for _ in range(5):
        response = client.get("/export/votes.csv", headers=basic())
        assert response.status_code == 200
        response.get_data()


# --- votes.csv -------------------------------------------------------------

def test_votes_csv_has_no_voter_identifier_in_any_form(site):
    reader = Reader(site.test_client())
    reader.vote("aaben", "2")
    reader.vote("aaben", "4")
    cookie = reader.client.get_cookie("db_voter")
    assert cookie is not None
    with site.app_context():
        stored = db.session.scalars(select(Vote.voter_hash)).one()
        ip_hash = keyed_hash("ip:" + datetime.now(UTC).strftime("%Y-%m-%d"), "127.0.0.1")[:32]
    add_editor(site)
    response = site.test_client().get("/export/votes.csv", headers=basic())
    body = response.get_data(as_text=True)
    signed = cookie.value
    raw_id = signed.split(".")[0]
    for secret in [signed, raw_id, stored, stored[:16], stored[-16:]]:
        assert secret not in body
    assert ip_hash not in body
    assert "127.0.0.1" not in body
    rows = rows_of(response)
    assert [(r["event_number"], r["kind"], r["option_number"], r["previous_option"])
            for r in rows] == [("1", "first", "2", ""), ("2", "change", "4", "2")]
    assert all(r["event_hour"].endswith(":00:00Z") for r in rows)


def test_vote_events_are_numbered_per_case_and_truncated_to_the_hour(site, dilemmas_dir):
    write_case(dilemmas_dir, "anden")
    with site.app_context():
        from tests.conftest import run_sync

        run_sync()
    vote_at(site, "aaben", "a", 1, datetime(2021, 5, 1, 9, 59, 59, 999999))
    vote_at(site, "aaben", "b", 3, datetime(2021, 5, 1, 9, 0, 0))
    vote_at(site, "anden", "a", 5, datetime(2021, 5, 2, 23, 30, 1))
    vote_at(site, "aaben", "a", 2, datetime(2021, 5, 3, 0, 0, 0), profile="executive")
    add_editor(site)
    rows = rows_of(site.test_client().get("/export/votes.csv", headers=basic()))
    assert [(r["case_slug"], r["event_number"], r["kind"], r["option_number"],
             r["previous_option"], r["profile"], r["event_hour"]) for r in rows] == [
        ("aaben", "1", "first", "3", "", "", "2021-05-01T09:00:00Z"),
        ("aaben", "2", "first", "1", "", "", "2021-05-01T09:00:00Z"),
        ("aaben", "3", "change", "2", "1", "executive", "2021-05-03T00:00:00Z"),
        ("anden", "1", "first", "5", "", "", "2021-05-02T23:00:00Z"),
    ]


def test_votes_export_crosses_batch_boundaries(site, monkeypatch):
    monkeypatch.setattr(tables, "BATCH", 3)
    same_moment = datetime(2021, 6, 1, 12, 0, 0)
    for i in range(8):  # equal times across a batch edge: the id breaks the tie
        vote_at(site, "aaben", f"reader-{i}", i % 5 + 1, same_moment)
    add_editor(site)
    rows = rows_of(site.test_client().get("/export/votes.csv", headers=basic()))
    assert [r["event_number"] for r in rows] == [str(n) for n in range(1, 9)]
    assert [r["option_number"] for r in rows] == ["1", "2", "3", "4", "5", "1", "2", "3"]


# --- comments.csv ----------------------------------------------------------

def add_comment(app, slug: str, name: str, status: str = "visible", **extra) -> int:
    with app.app_context():
        comment = Comment(case_id=case_by_slug(slug).id, name=name, body_md=f"Tekst fra {name}",
                          body_html=f"<p>Tekst fra {name}</p>", status=status,
                          voter_hash="h" * 64, ip_hash="i" * 32,
                          created_at=datetime(2021, 1, 2, 3, 4, 5), **extra)
        db.session.add(comment)
        db.session.commit()
        return comment.id


def test_comments_csv_has_only_visible_comments(site):
    first = add_comment(site, "aaben", "Anna", option_number=2)
    add_comment(site, "aaben", "Skjult", status="hidden")
    add_comment(site, "aaben", "Venter", status="pending")
    add_comment(site, "aaben", "Slettet", status="deleted")
    reply = add_comment(site, "aaben", 'Bo, "svarer"', parent_id=first, option_number=5,
                        option_changed=True, edited_at=datetime(2021, 1, 2, 3, 10))
    add_editor(site)
    response = site.test_client().get("/export/comments.csv", headers=basic())
    rows = rows_of(response)
    assert [r["name"] for r in rows] == ["Anna", 'Bo, "svarer"']
    assert rows[0] == {
        "case_slug": "aaben", "comment_id": str(first), "parent_id": "",
        "created_at": "2021-01-02T03:04:05Z", "edited_at": "", "name": "Anna",
        "option_number": "2", "option_changed": "false", "body_md": "Tekst fra Anna",
        "source": "site",
    }
    assert rows[1]["comment_id"] == str(reply) and rows[1]["parent_id"] == str(first)
    assert rows[1]["option_changed"] == "true"
    assert rows[1]["edited_at"] == "2021-01-02T03:10:00Z"
    body = response.get_data(as_text=True)
    assert "h" * 64 not in body and "i" * 32 not in body
