"""The respondent profile question (SPEC §4) and shuffled options, end to end."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dilemmaboard.extensions import db
from dilemmaboard.models import Vote, VoteEvent
from tests.conftest import Reader, write_case
from tests.test_exports import add_editor, basic, rows_of

RADIO_RE = re.compile(r'name="option" value="(\d)"')
ROLES = ["first_line_manager", "middle_manager", "executive", "employee", "other",
         "prefer_not_to_say"]


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "blandet", extra="shuffle: true\nresults: always")
    write_case(dilemmas_dir, "fast", extra="results: always")
    return make_app(PROFILE_QUESTION=True)


def stored(app, slug: str = "blandet") -> list[tuple]:
    with app.app_context():
        votes = db.session.scalars(select(Vote).order_by(Vote.id)).all()
        events = db.session.scalars(select(VoteEvent).order_by(VoteEvent.id)).all()
        return ([(v.option_number, v.profile) for v in votes],
                [(e.kind, e.option_number, e.shown_position, e.profile) for e in events])


def shown_order(reader: Reader, slug: str) -> list[int]:
    page = reader.client.get(f"/dilemmas/{slug}").get_data(as_text=True)
    return [int(n) for n in RADIO_RE.findall(page)]


# --- the profile question ----------------------------------------------------

def test_profile_question_is_on_the_vote_form_when_enabled(site):
    page = site.test_client().get("/dilemmas/fast").get_data(as_text=True)
    assert 'name="profile"' in page and "Hvad er din rolle?" in page
    assert re.findall(r'<option value="([a-z_]+)"', page) == ROLES
    assert '<option value="">' in page  # answering is optional


def test_profile_answer_is_stored_on_the_vote_and_its_event(site):
    reader = Reader(site.test_client())
    assert reader.vote("fast", "3", profile="middle_manager").status_code == 303
    assert stored(site) == ([(3, "middle_manager")], [("first", 3, None, "middle_manager")])


def test_profile_is_optional(site):
    assert Reader(site.test_client()).vote("fast", "1", profile="").status_code == 303
    assert Reader(site.test_client()).vote("fast", "2").status_code == 303
    assert stored(site)[0] == [(1, None), (2, None)]


@pytest.mark.parametrize("answer", ["admin", "EXECUTIVE", "executive ", "x" * 5000,
                                    "executive\x00", "<script>", ["executive", "employee"]])
def test_hostile_profile_answers_store_nothing_but_the_vote_counts(site, answer):
    response = Reader(site.test_client()).vote("fast", "4", profile=answer)
    assert response.status_code in (303, 400)
    votes, events = stored(site)
    assert all(profile in (None, "executive") for _, profile in votes)
    if response.status_code == 303:
        assert votes and votes[0][0] == 4
    else:
        assert votes == [] and events == []


def test_profile_question_is_off_by_default(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "fast")
    app = make_app()
    reader = Reader(app.test_client())
    page = reader.client.get("/dilemmas/fast").get_data(as_text=True)
    assert 'name="profile"' not in page
    reader.vote("fast", "2", profile="executive")
    assert stored(app) == ([(2, None)], [("first", 2, None, None)])


def test_profiles_export_counts_roles_and_suppresses_small_cells(site):
    for _ in range(6):
        Reader(site.test_client()).vote("fast", "2", profile="executive")
    for _ in range(3):
        Reader(site.test_client()).vote("fast", "2", profile="employee")
    for _ in range(5):
        Reader(site.test_client()).vote("fast", "2")
    rows = [r for r in rows_of(site.test_client().get("/export/profiles.csv"))
            if r["case_slug"] == "fast" and r["option_number"] == "2"]
    cells = {r["role"]: (r["votes"], r["suppressed"]) for r in rows}
    assert cells["executive"] == ("6", "false")
    assert cells["unanswered"] == ("5", "false")
    assert cells["employee"] == ("", "true")
    for role in ["first_line_manager", "middle_manager", "other", "prefer_not_to_say"]:
        assert cells[role] == ("", "true")  # zero is under five as well
    others = [r for r in rows_of(site.test_client().get("/export/profiles.csv"))
              if r["case_slug"] == "fast" and r["option_number"] != "2"]
    assert {(r["votes"], r["suppressed"]) for r in others} == {("", "true")}


def test_hidden_cells_cannot_be_recovered_from_the_tally(site):
    for _ in range(7):
        Reader(site.test_client()).vote("fast", "1", profile="executive")
    for _ in range(6):
        Reader(site.test_client()).vote("fast", "1", profile="employee")
    body = site.test_client().get("/export/profiles.csv").get_data(as_text=True)
    # Tally 13 - 7 - 6 = 0 would reveal that every hidden cell is 0, so 6 is hidden too.
    assert "fast,1,executive,7,false" in body
    assert "fast,1,employee,,true" in body
    assert "fast,1,unanswered,,true" in body


# --- shuffled options -------------------------------------------------------

def test_shuffled_order_is_stable_for_one_reader(site):
    reader = Reader(site.test_client())
    first = shown_order(reader, "blandet")
    assert sorted(first) == [1, 2, 3, 4, 5]
    assert all(shown_order(reader, "blandet") == first for _ in range(5))


def test_readers_get_different_orders(site):
    orders = {tuple(shown_order(Reader(site.test_client()), "blandet")) for _ in range(12)}
    assert len(orders) > 1
    assert all(sorted(o) == [1, 2, 3, 4, 5] for o in orders)


def test_unshuffled_case_keeps_the_file_order(site):
    assert shown_order(Reader(site.test_client()), "fast") == [1, 2, 3, 4, 5]


def test_shown_position_is_recorded_for_first_vote_and_change(site):
    reader = Reader(site.test_client())
    order = shown_order(reader, "blandet")
    reader.vote("blandet", str(order[0]), profile="executive")
    reader.vote("blandet", str(order[3]))
    assert shown_order(reader, "blandet") == order  # voting does not reshuffle
    votes, events = stored(site)
    assert votes == [(order[3], "executive")]
    assert events == [("first", order[0], 1, "executive"),
                      ("change", order[3], 4, "executive")]
    add_editor(site)
    rows = rows_of(site.test_client().get("/export/votes.csv", headers=basic()))
    assert [(r["option_number"], r["shown_position"], r["profile"]) for r in rows] == [
        (str(order[0]), "1", "executive"), (str(order[3]), "4", "executive")]


def test_unshuffled_case_records_no_position(site):
    reader = Reader(site.test_client())
    reader.vote("fast", "5")
    assert stored(site)[1] == [("first", 5, None, None)]


def test_a_vote_without_a_prior_voter_cookie_has_no_known_position(site):
    reader = Reader(site.test_client())
    token = reader.token("/admin/login")  # a form that mints no voter cookie
    assert reader.client.get_cookie("db_voter") is None
    response = reader.client.post("/dilemmas/blandet/vote",
                                  data={"option": "2", "csrf_token": token})
    assert response.status_code == 303
    assert stored(site)[1] == [("first", 2, None, None)]


# --- a changed vote keeps the reader's role (issue 16.5) ----------------------

def test_the_change_form_keeps_the_readers_role(site):
    reader = Reader(site.test_client())
    reader.vote("fast", "3", profile="middle_manager")
    page = reader.client.get("/dilemmas/fast").get_data(as_text=True)
    assert re.findall(r'<option value="([a-z_]*)" selected>', page) == ["middle_manager"]


def test_a_change_without_a_role_keeps_the_earlier_one(site):
    reader = Reader(site.test_client())
    reader.vote("fast", "3", profile="executive")
    reader.vote("fast", "4")
    assert stored(site) == ([(4, "executive")], [("first", 3, None, "executive"),
                                                 ("change", 4, None, "executive")])


def test_a_change_with_a_new_role_counts_the_new_one(site):
    reader = Reader(site.test_client())
    reader.vote("fast", "3", profile="executive")
    reader.vote("fast", "4", profile="employee")
    assert stored(site) == ([(4, "employee")], [("first", 3, None, "executive"),
                                                ("change", 4, None, "employee")])
