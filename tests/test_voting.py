"""Voting through the real pages: first vote, change, repeat, refusals (SPEC §4)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Option, Vote, VoteEvent
from tests.conftest import run_sync, write_case


def counts(app, slug):
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        tallies = [o.votes for o in sorted(case.options, key=lambda o: o.number)]
        votes = db.session.scalar(select(func.count()).select_from(Vote).where(
            Vote.case_id == case.id))
        events = db.session.scalars(select(VoteEvent).where(VoteEvent.case_id == case.id)
                                    .order_by(VoteEvent.id)).all()
        return tallies, votes, [(e.kind, e.option_number, e.previous_option) for e in events]


@pytest.fixture
def open_app(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", title="Åben case")
    write_case(dilemmas_dir, "lukket", publish="2020-01-06", closes="2020-01-13T12:00")
    write_case(dilemmas_dir, "kladde", extra="draft: true")
    write_case(dilemmas_dir, "planlagt", publish="2090-01-06", closes="2090-01-13T12:00")
    return make_app()


@pytest.fixture
def voter(open_app):
    from tests.conftest import Reader

    return Reader(open_app.test_client())


def test_first_vote_redirects_and_counts(open_app, voter):
    response = voter.vote("aaben", "3")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dilemmas/aaben#results")
    assert counts(open_app, "aaben") == ([0, 0, 1, 0, 0], 1, [("first", 3, None)])


def test_voter_cookie_is_signed_httponly_lax(open_app, voter):
    response = voter.vote("aaben", "1")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("db_voter="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    raw = cookie.split(";")[0].split("=", 1)[1]
    with open_app.app_context():
        stored = db.session.scalars(select(Vote.voter_hash)).one()
    assert raw not in stored and len(stored) == 64


def test_change_of_vote_moves_the_tally_and_keeps_events(open_app, voter):
    voter.vote("aaben", "2")
    response = voter.vote("aaben", "5")
    assert response.status_code == 303
    assert counts(open_app, "aaben") == (
        [0, 0, 0, 0, 1], 1, [("first", 2, None), ("change", 5, 2)])


def test_same_cookie_repeat_is_one_vote(open_app, voter):
    for _ in range(3):
        assert voter.vote("aaben", "4").status_code == 303
    assert counts(open_app, "aaben") == ([0, 0, 0, 1, 0], 1, [("first", 4, None)])


def test_case_page_shows_one_vote_after_change(open_app, voter):
    voter.vote("aaben", "1")
    voter.vote("aaben", "2")
    page = voter.client.get("/dilemmas/aaben").get_data(as_text=True)
    assert "1 stemme i alt" in page
    assert "Dit svar" in page


def test_two_readers_count_twice(open_app, make_reader):
    make_reader().vote("aaben", "1")
    make_reader().vote("aaben", "1")
    assert counts(open_app, "aaben")[0] == [2, 0, 0, 0, 0]


def test_closed_case_refuses_with_409_and_stores_nothing(open_app, voter):
    response = voter.vote("lukket", "1")
    assert response.status_code == 409
    assert "lukket" in response.get_data(as_text=True)
    assert counts(open_app, "lukket") == ([0] * 5, 0, [])


@pytest.mark.parametrize("slug", ["kladde", "planlagt", "findes-ikke", "UPPER", "a" * 81])
def test_unpublished_or_unknown_case_is_404(open_app, voter, slug):
    token = voter.token("/admin/login")
    response = voter.client.post(f"/dilemmas/{slug}/vote",
                                 data={"option": "1", "csrf_token": token})
    assert response.status_code == 404
    with open_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


@pytest.mark.parametrize("form", [
    {}, {"option": ""}, {"option": "0"}, {"option": "6"}, {"option": "-1"}, {"option": "1.0"},
    {"option": "abc"}, {"option": "1 OR 1=1"}, {"option": ["1", "2"]}, {"option": "٣"},
])
def test_bad_options_are_400_and_store_nothing(open_app, voter, form):
    data = {"csrf_token": voter.token("/dilemmas/aaben"), **form}
    response = voter.client.post("/dilemmas/aaben/vote", data=data)
    assert response.status_code == 400
    assert counts(open_app, "aaben") == ([0] * 5, 0, [])


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_vote_without_valid_csrf_is_400(open_app, voter, token):
    voter.client.get("/dilemmas/aaben")
    data = {"option": "1"} if token is None else {"option": "1", "csrf_token": token}
    response = voter.client.post("/dilemmas/aaben/vote", data=data)
    assert response.status_code == 400
    assert counts(open_app, "aaben") == ([0] * 5, 0, [])


def test_vote_by_get_is_not_allowed(open_app, voter):
    assert voter.client.get("/dilemmas/aaben/vote?option=1").status_code == 405
    assert counts(open_app, "aaben") == ([0] * 5, 0, [])


def test_tampered_voter_cookie_gets_a_new_identity(open_app, voter):
    voter.vote("aaben", "1")
    voter.client.set_cookie("db_voter", "tampered.value")
    voter.vote("aaben", "2")
    assert counts(open_app, "aaben")[1] == 2


def test_editor_close_then_vote_409_and_reopen(open_app, voter):
    with open_app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "aaben")).one()
        case.state_override = "closed"
        db.session.commit()
    assert voter.vote("aaben", "1").status_code == 409
    with open_app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "aaben")).one()
        case.state_override = "open"
        db.session.commit()
    assert voter.vote("aaben", "1").status_code == 303


@pytest.mark.parametrize("mode, before_vote, after_vote", [
    ("after_vote", False, True),
    ("always", True, True),
    ("after_close", False, False),
])
def test_results_modes_on_open_case(make_app, dilemmas_dir, mode, before_vote, after_vote):
    write_case(dilemmas_dir, "modus", extra=f"results: {mode}")
    app = make_app()
    from tests.conftest import Reader

    reader = Reader(app.test_client())
    page = reader.client.get("/dilemmas/modus").get_data(as_text=True)
    assert ('id="results"' in page) is before_vote
    reader.vote("modus", "2")
    page = reader.client.get("/dilemmas/modus").get_data(as_text=True)
    assert ('id="results"' in page) is after_vote


@pytest.mark.parametrize("mode", ["after_vote", "always", "after_close"])
def test_results_always_visible_once_closed(make_app, dilemmas_dir, mode):
    write_case(dilemmas_dir, "slut", publish="2020-01-06", closes="2020-01-13T12:00",
               extra=f"results: {mode}")
    app = make_app()
    page = app.test_client().get("/dilemmas/slut").get_data(as_text=True)
    assert 'id="results"' in page
    assert "Ingen stemte på dette dilemma." in page  # not empty bars and "0 stemmer i alt"


def test_singular_and_plural_totals(open_app, make_reader):
    make_reader().vote("aaben", "1")
    page = make_reader().client.get("/dilemmas/aaben")
    reader = make_reader()
    reader.vote("aaben", "1")
    text = reader.client.get("/dilemmas/aaben").get_data(as_text=True)
    assert "2 stemmer i alt" in text
    assert page.status_code == 200


def test_percentages_on_page_sum_to_100(open_app, make_reader):
    for option in ["1", "1", "2"]:
        make_reader().vote("aaben", option)
    reader = make_reader()
    reader.vote("aaben", "3")
    text = reader.client.get("/dilemmas/aaben").get_data(as_text=True)
    percents = [int(p) for p in re.findall(r'class="percent">(\d+)', text)]
    assert percents == [50, 25, 25, 0, 0]


def test_changing_option_text_is_refused_once_votes_exist(open_app, voter, dilemmas_dir):
    voter.vote("aaben", "1")
    write_case(dilemmas_dir, "aaben", title="Åben case",
               options=["Nyt svar 1", "Svar 2", "Svar 3", "Svar 4", "Svar 5"])
    with open_app.app_context():
        report = run_sync()
        assert report.skipped == 1
        assert any("--allow-option-edits" in str(p) for p in report.problems)
        texts = db.session.scalars(select(Option.text).join(Case).where(Case.slug == "aaben")
                                   .order_by(Option.number)).all()
        assert texts[0] == "Svar 1"
        report = run_sync(allow_option_edits=True)
        assert report.updated == 1
        texts = db.session.scalars(select(Option.text).join(Case).where(Case.slug == "aaben")
                                   .order_by(Option.number)).all()
        assert texts[0] == "Nyt svar 1"
    assert counts(open_app, "aaben")[0] == [1, 0, 0, 0, 0]
