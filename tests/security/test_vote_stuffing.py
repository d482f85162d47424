"""Stuffed ballots: cleared cookies, forged X-Forwarded-For, closed/draft/unknown cases, GET."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import Option, Vote, VoteEvent
from tests.conftest import Reader, csrf_token_from
from tests.security.conftest import CLOSED, DRAFT, OPEN, SCHEDULED, post_comment
from tests.security.tools import assert_refused, snapshot

LIMITED = {"RATELIMIT_ENABLED": True, "VOTES_PER_IP_LIMIT": "3 per minute",
           "COMMENT_LIMIT": "3 per minute", "COMMENT_ACTION_LIMIT": "3 per minute"}


def vote_counts(app) -> tuple[int, int, int]:
    """(vote rows, vote events, sum of stored tallies)."""
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count()).select_from(Vote)),
            db.session.scalar(select(func.count()).select_from(VoteEvent)),
            db.session.scalar(select(func.coalesce(func.sum(Option.votes), 0))),
        )
        db.session.remove()
        return counts


def fresh_vote(app, option="1", headers=None, https=False):
    """A reader with cleared cookies (a new client) votes once."""
    client = app.test_client()
    headers = dict(headers or {})
    base = {}
    if https:  # as a TLS-terminating proxy forwards it
        base = {"base_url": "https://localhost"}
        headers.update({"X-Forwarded-Proto": "https",
                        "Referer": f"https://localhost/dilemmas/{OPEN}"})
    page = client.get(f"/dilemmas/{OPEN}", headers=headers, **base)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(f"/dilemmas/{OPEN}/vote", data={"option": option, "csrf_token": token},
                       headers=headers, **base)


def test_cleared_cookies_from_one_ip_hit_the_limit(make_site):
    app = make_site(**LIMITED)
    assert [fresh_vote(app).status_code for _ in range(3)] == [303, 303, 303]
    before = snapshot(app)
    response = fresh_vote(app)
    assert_refused(app, response, 429, before)
    assert "For mange" in response.get_data(as_text=True)
    assert vote_counts(app) == (3, 3, 3)


@pytest.mark.parametrize("header", ["X-Forwarded-For", "X-Real-IP", "Forwarded",
                                    "True-Client-IP", "CF-Connecting-IP"])
def test_forged_client_address_headers_are_ignored_without_a_trusted_proxy(make_site, header):
    app = make_site(**LIMITED)
    for n in range(3):
        value = f"for=10.0.0.{n}" if header == "Forwarded" else f"10.0.0.{n}"
        assert fresh_vote(app, headers={header: value}).status_code == 303
    before = snapshot(app)
    response = fresh_vote(app, headers={header: "10.9.9.9"})
    assert_refused(app, response, 429, before)


def test_behind_a_trusted_proxy_the_client_cannot_prepend_addresses(make_site):
    app = make_site(TRUSTED_PROXIES=1, **LIMITED)
    for n in range(3):
        # The client sent "X-Forwarded-For: 6.6.6.n"; our proxy appended the real address.
        forwarded = {"X-Forwarded-For": f"6.6.6.{n}, 203.0.113.7"}
        assert fresh_vote(app, headers=forwarded, https=True).status_code == 303
    before = snapshot(app)
    response = fresh_vote(app, headers={"X-Forwarded-For": "6.6.6.99, 203.0.113.7"},
                          https=True)
    assert_refused(app, response, 429, before)


def test_behind_a_trusted_proxy_real_clients_are_told_apart(make_site):
    app = make_site(TRUSTED_PROXIES=1, **LIMITED)
    for n in range(6):
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert fresh_vote(app, headers=forwarded, https=True).status_code == 303
    assert vote_counts(app) == (6, 6, 6)


def test_one_cookie_votes_once_however_often_it_posts(site):
    reader = Reader(site.test_client())
    for option in ("1", "1", "2", "2", "1"):
        assert reader.vote(OPEN, option).status_code == 303
    votes, _events, tally = vote_counts(site)
    assert (votes, tally) == (1, 1)


@pytest.mark.parametrize("slug, status", [
    (CLOSED, 409), (DRAFT, 404), (SCHEDULED, 404), ("findes-ikke", 404),
])
def test_votes_on_cases_that_do_not_take_them(site, slug, status):
    reader = Reader(site.test_client())
    token = reader.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = reader.client.post(f"/dilemmas/{slug}/vote",
                                  data={"option": "1", "csrf_token": token})
    assert_refused(site, response, status, before)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_votes_by_other_methods(site, method):
    reader = Reader(site.test_client())
    token = reader.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = reader.client.open(f"/dilemmas/{OPEN}/vote?option=1&csrf_token={token}",
                                  method=method, data={"option": "1", "csrf_token": token})
    assert_refused(site, response, 405, before)


@pytest.mark.parametrize("fields", [
    {"option": ["1", "2"]},
    {"option": "6"}, {"option": "0"}, {"option": "-1"}, {"option": "1.0"},
    {"option": "1 OR 1=1"}, {"option": "１"}, {"option": "١"}, {"option": "1\u200b"},
    {"option": "\u202e1"}, {"option": ""}, {}, {"option": "9" * 5000},
])
def test_bad_option_values(site, fields):
    reader = Reader(site.test_client())
    token = reader.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = reader.client.post(f"/dilemmas/{OPEN}/vote",
                                  data={**fields, "csrf_token": token})
    assert_refused(site, response, 400, before)


def imported_total(app) -> int:
    with app.app_context():
        total = sum(o.imported_votes for o in db.session.scalars(select(Option)))
        db.session.remove()
        return total


def test_mass_assignment_in_a_vote_changes_only_one_tally(site):
    imported = imported_total(site)
    reader = Reader(site.test_client())
    response = reader.vote(OPEN, "2", votes="1000", option_number="5", voter_hash="x" * 64,
                           case_id="1", profile="executive", imported_votes="99")
    assert response.status_code == 303
    assert vote_counts(site) == (1, 1, 1)
    with site.app_context():
        vote = db.session.scalars(select(Vote)).one()
        assert (vote.option_number, vote.profile, len(vote.voter_hash)) == (2, None, 64)
        assert vote.voter_hash != "x" * 64
    assert imported_total(site) == imported


@pytest.mark.parametrize("cookie", ["", "garbage", "a.b.c", "eyJ2IjoxfQ.forged.signature",
                                    "\u00e6\u00f8\u00e5", "x" * 4000])
def test_forged_voter_cookie_is_just_a_new_reader(site, cookie):
    client = site.test_client()
    client.set_cookie(site.config["VOTER_COOKIE"], cookie)
    reader = Reader(client)
    assert reader.vote(OPEN, "4").status_code == 303
    assert vote_counts(site) == (1, 1, 1)


def test_comment_stuffing_from_one_ip_hits_the_limit(make_site):
    app = make_site(**LIMITED)
    statuses = []
    for n in range(5):
        reader = Reader(app.test_client())
        assert reader.vote(OPEN, "1").status_code in (303, 429)
        statuses.append(post_comment(reader, OPEN, f"Kommentar {n}").status_code)
    assert 429 in statuses


def test_the_honeypot_stores_nothing(site):
    reader = Reader(site.test_client())
    reader.vote(OPEN, "1")
    before = snapshot(site)
    response = post_comment(reader, OPEN, "Køb billige ure", website="http://spam.example")
    assert_refused(site, response, 303, before)


def test_a_reader_reports_a_comment_once(site):
    author = Reader(site.test_client())
    author.vote(OPEN, "1")
    location = post_comment(author, OPEN, "Min mening").headers["Location"]
    comment_id = int(location.rsplit("#comment-", 1)[1])
    reporter = Reader(site.test_client())
    for _ in range(4):
        token = reporter.token(f"/dilemmas/{OPEN}")
        response = reporter.client.post(f"/comments/{comment_id}/report",
                                        data={"csrf_token": token, "reason": "offensive"})
        assert response.status_code == 303
    with site.app_context():
        from dilemmaboard.models import Comment

        assert db.session.get(Comment, comment_id).report_count == 1


def report_as(reader: Reader, comment_id: int):
    token = reader.token(f"/dilemmas/{OPEN}")
    response = reader.client.post(f"/comments/{comment_id}/report",
                                  data={"csrf_token": token, "reason": "offensive"})
    assert response.status_code == 303
    return response


def reports_of(app, comment_id: int) -> tuple[int, int]:
    """(the comment's report count, stored report rows)."""
    with app.app_context():
        from dilemmaboard.models import Comment, CommentReport

        counted = db.session.get(Comment, comment_id).report_count
        rows = db.session.scalar(select(func.count()).select_from(CommentReport)
                                 .where(CommentReport.comment_id == comment_id))
        db.session.remove()
        return counted, rows


def test_one_address_dropping_its_cookie_reports_a_comment_once(site):
    """Issue 17.11: 25 reports from one address, a fresh cookie each, were 25 reports.
    Each reader counts once, by voter hash and by the day's IP hash; the desk shows how
    many readers reported."""
    from tests.security.conftest import EDITOR, add_account, comment_id_from, login

    author = Reader(site.test_client())
    author.vote(OPEN, "1")
    comment_id = comment_id_from(post_comment(author, OPEN, "Min mening"))
    for _ in range(25):
        reporter = Reader(site.test_client())  # no cookie: a new reader each time
        response = report_as(reporter, comment_id)
    assert reports_of(site, comment_id) == (1, 1)
    # The last of them is thanked, not told which of the rules caught them.
    page = reporter.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tak. Redaktionen ser på kommentaren." in page

    elsewhere = Reader(site.test_client())
    elsewhere.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    report_as(elsewhere, comment_id)
    assert reports_of(site, comment_id) == (2, 2)
    # The same reader (cookie) again from a third address is still one reader.
    elsewhere.client.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    again = report_as(elsewhere, comment_id)
    assert reports_of(site, comment_id) == (2, 2)
    told = elsewhere.client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Du har allerede anmeldt denne kommentar." in told

    add_account(site, EDITOR)
    desk = site.test_client()
    assert login(desk, EDITOR).status_code == 303
    assert "anmeldt af 2 læsere" in desk.get("/admin/comments").get_data(as_text=True)
