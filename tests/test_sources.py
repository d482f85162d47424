"""Counted per site (SPEC §11): each vote and comment keeps its source; the desk and the
exports split the tally by source while the headline tally stays the total."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import select

from dilemmaboard.comments.service import post_comment
from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.extensions import db
from dilemmaboard.models import Comment, Vote, VoteEvent
from dilemmaboard.partners.registry import resolve_source
from dilemmaboard.voting.casting import cast_vote
from tests.admin_helpers import Desk, add_login
from tests.conftest import Reader, write_case
from tests.test_exports import add_editor, basic, case_by_slug, rows_of

OPEN = "aaben"        # results: always, so the public files show it
HIDDEN = "skjult"     # open after_vote: left out of the public files
WEEK = {"publish": "2021-03-01T08:00", "closes": "2099-01-01T12:00"}


@pytest.fixture
def site(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, OPEN, title="Den åbne", extra="results: always", **WEEK)
    write_case(dilemmas_dir, HIDDEN, title="Den skjulte", **WEEK)
    write_case(dilemmas_dir, "gammel", title="Den gamle", publish="2008-11-19",
               closes="2008-11-26T12:00", extra="imported_votes: [5, 12, 18, 5, 113]")
    app = make_app()
    runner = app.test_cli_runner()
    for partner, name in (("lederne", "Lederne.dk"), ("business", "Business.dk")):
        result = runner.invoke(args=["partners", "add", partner, "--name", name,
                                     "--origin", f"https://www.{partner}.dk"])
        assert result.exit_code == 0, result.output
    return app


def partner_vote(app, slug: str, voter: str, option: int, partner: str | None,
                 when: datetime | None = None) -> str:
    """A vote through an embed opened with ?partner=`partner`: the source as the embed
    view resolves it, then the same domain function."""
    with app.app_context():
        source = resolve_source(db.session, partner)
        outcome = cast_vote(db.session, case_by_slug(slug), voter, option, source=source,
                            now=when or datetime(2021, 3, 2, 9))
        db.session.commit()
        return outcome


def cast_everywhere(app) -> None:
    """Votes from the site (through the real page), two partners and a forged partner id."""
    for option in (1, 1, 2):
        assert Reader(app.test_client()).vote(OPEN, str(option)).status_code == 303
    for i, option in enumerate((2, 2, 3)):
        partner_vote(app, OPEN, f"lederne-{i}", option, "lederne")
    for i, option in enumerate((4, 5)):
        partner_vote(app, OPEN, f"business-{i}", option, "business")
    partner_vote(app, OPEN, "forged", 5, "evil-partner")
    partner_vote(app, HIDDEN, "hidden-reader", 1, "lederne")


def by_source(rows: list[dict], slug: str = OPEN) -> dict[str, list[int]]:
    split: dict[str, list[int]] = {}
    for r in rows:
        if r["case_slug"] == slug:
            split.setdefault(r["source"], [0] * 5)[int(r["option_number"]) - 1] = int(r["votes"])
    return split


def test_tallies_by_source_csv_splits_the_tally(site):
    cast_everywhere(site)
    response = site.test_client().get("/export/tallies_by_source.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert list(rows[0]) == ["case_slug", "source", "option_number", "votes", "total_votes",
                             "share", "percent", "ci95_low", "ci95_high"]
    split = by_source(rows)
    assert list(split) == ["site", "business", "lederne", "unknown"]  # site first, unknown last
    assert split == {"site": [2, 1, 0, 0, 0], "business": [0, 0, 0, 1, 1],
                     "lederne": [0, 2, 1, 0, 0], "unknown": [0, 0, 0, 0, 1]}
    lederne = [r for r in rows if r["case_slug"] == OPEN and r["source"] == "lederne"]
    assert [r["total_votes"] for r in lederne] == ["3"] * 5
    assert [r["percent"] for r in lederne] == ["0", "67", "33", "0", "0"]
    assert lederne[1]["share"].startswith("0.6666666666666666")
    assert 0 < float(lederne[1]["ci95_low"]) < 0.6667 < float(lederne[1]["ci95_high"]) < 1
    # The headline tally stays the total of every source.
    tallies = [r for r in rows_of(site.test_client().get("/export/tallies.csv"))
               if r["case_slug"] == OPEN]
    assert [int(r["votes"]) for r in tallies] == [sum(c) for c in zip(*split.values(), strict=True)]
    assert {r["total_votes"] for r in tallies} == {"9"}


def test_imported_votes_are_their_own_source(site):
    rows = rows_of(site.test_client().get("/export/tallies_by_source.csv"))
    assert by_source(rows, "gammel") == {"site": [0] * 5, "imported": [5, 12, 18, 5, 113]}
    imported = [r for r in rows if r["case_slug"] == "gammel" and r["source"] == "imported"]
    assert [r["percent"] for r in imported] == ["3", "8", "12", "3", "74"]


def test_hidden_results_stay_hidden_per_source(site):
    cast_everywhere(site)
    public = rows_of(site.test_client().get("/export/tallies_by_source.csv"))
    assert HIDDEN not in {r["case_slug"] for r in public}
    assert HIDDEN not in site.test_client().get("/export/tallies_by_source.json").get_data(
        as_text=True)
    add_editor(site)
    private = rows_of(site.test_client().get("/export/tallies_by_source.csv", headers=basic()))
    assert by_source(private, HIDDEN)["lederne"] == [1, 0, 0, 0, 0]


def test_tallies_by_source_json_has_the_same_rows(site):
    cast_everywhere(site)
    client = site.test_client()
    as_json = json.loads(client.get("/export/tallies_by_source.json").get_data(as_text=True))
    as_csv = rows_of(client.get("/export/tallies_by_source.csv"))
    assert len(as_json) == len(as_csv)
    assert [(r["case_slug"], r["source"], r["option_number"], r["votes"]) for r in as_json] == [
        (r["case_slug"], r["source"], int(r["option_number"]), int(r["votes"])) for r in as_csv]


def test_a_forged_or_unknown_partner_never_loses_the_vote(site):
    for i, forged in enumerate(["evil", "site", "imported", "LEDERNE", "a" * 300, "x\x00y",
                                "lederne\n", "../lederne"]):
        assert partner_vote(site, OPEN, f"forged-{i}", 3, forged) == "first"
    with site.app_context():
        sources = db.session.scalars(select(Vote.source).where(
            Vote.voter_hash.like("forged-%"))).all()
        assert sources == ["unknown"] * 8
        assert case_by_slug(OPEN).options[2].votes == 8


def test_the_own_pages_record_site(site):
    reader = Reader(site.test_client())
    assert reader.vote(OPEN, "2").status_code == 303
    token = reader.token(f"/dilemmas/{OPEN}")
    response = reader.client.post(f"/dilemmas/{OPEN}/comments",
                                  data={"name": "Mette", "body": "Derfor.", "csrf_token": token})
    assert response.status_code == 303
    with site.app_context():
        assert db.session.scalars(select(Vote.source)).all() == ["site"]
        assert db.session.scalars(select(VoteEvent.source)).all() == ["site"]
        assert db.session.scalars(select(Comment.source)).all() == ["site"]


def test_a_vote_keeps_the_source_it_was_first_cast_through(site):
    partner_vote(site, OPEN, "r", 1, "lederne", datetime(2021, 3, 2, 9))
    partner_vote(site, OPEN, "r", 4, None, datetime(2021, 3, 3, 9))  # changed on the site
    add_editor(site)
    events = [r for r in rows_of(site.test_client().get("/export/votes.csv", headers=basic()))
              if r["case_slug"] == OPEN]
    assert [(r["kind"], r["option_number"], r["source"]) for r in events] == [
        ("first", "1", "lederne"), ("change", "4", "site")]
    split = by_source(rows_of(site.test_client().get("/export/tallies_by_source.csv")))
    assert split == {"site": [0] * 5, "lederne": [0, 0, 0, 1, 0]}


def test_comments_csv_has_the_comment_source(site):
    partner_vote(site, OPEN, "kommentator", 2, "business")
    with site.app_context():
        post_comment(db.session, case_by_slug(OPEN), name="Bo", body="Fordi.",
                     voter_hash="kommentator", ip_hash=None,
                     settings=CommentSettings.from_config(site.config), source="business")
        db.session.commit()
    add_editor(site)
    rows = rows_of(site.test_client().get("/export/comments.csv", headers=basic()))
    assert [(r["name"], r["source"]) for r in rows] == [("Bo", "business")]


def test_timeseries_per_source_rows_end_at_each_sources_tally(site):
    cast_everywhere(site)
    partner_vote(site, OPEN, "lederne-0", 1, "business", datetime(2021, 3, 4, 9))  # a change
    rows = [r for r in rows_of(site.test_client().get("/export/timeseries.csv"))
            if r["case_slug"] == OPEN]
    final: dict[str, list[int]] = {}
    for r in rows:
        final.setdefault(r["source"], [0] * 5)[int(r["option_number"]) - 1] = int(
            r["cumulative_votes"])
    split = by_source(rows_of(site.test_client().get("/export/tallies_by_source.csv")))
    assert {s: final[s] for s in split} == split
    assert final["live"] == [sum(c) for c in zip(*split.values(), strict=True)]
    days = {r["date"] for r in rows}
    assert all(sum(1 for r in rows if r["date"] == d and r["source"] == "live") == 5
               for d in days)
    first_day = [r["source"] for r in rows if r["date"] == "2021-03-01"]
    assert first_day[:5] == ["live"] * 5  # the old rows first, then the sources
    assert first_day[5:] == [s for s in ("site", "business", "lederne", "unknown")
                             for _ in range(5)]


def test_flask_export_tallies_by_source(site, tmp_path):
    cast_everywhere(site)
    target = tmp_path / "by_source.csv"
    result = site.test_cli_runner().invoke(args=["export", "tallies_by_source", "--public",
                                                 "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == site.test_client().get(
        "/export/tallies_by_source.csv").get_data()


def test_tally_verify_still_passes_with_partner_votes(site):
    cast_everywhere(site)
    result = site.test_cli_runner().invoke(args=["tallies", "verify"])
    assert result.exit_code == 0, result.output


def test_the_desk_shows_the_split_per_source(site):
    cast_everywhere(site)
    add_login(site)
    desk = Desk(site.test_client())
    page = desk.page(f"/admin/dilemmas/{OPEN}")
    assert "Stemmer pr. kilde" in page
    for marker in ('data-source="site"', 'data-source="lederne"', 'data-source="business"',
                   'data-source="unknown"', "Lederne.dk", "Business.dk", "Egne sider",
                   "Ukendt partner"):
        assert marker in page, marker
    lederne_row = page.split('data-source="lederne"')[1].split("</tr>")[0]
    assert '<td class="num total">3</td>' in lederne_row
    assert "2 <span" in lederne_row and "67 %" in lederne_row


def test_the_desk_lists_the_partners(site):
    client = site.test_client()
    assert client.get("/admin/partners").status_code in (302, 303)  # to the login page
    add_login(site)
    page = Desk(client).page("/admin/partners")
    assert 'data-partner="lederne"' in page and "https://www.lederne.dk" in page
    assert "Business.dk" in page
    add_login(site, "forsker2", role="researcher")
    researcher = site.test_client()
    Desk(researcher, "forsker2")
    assert researcher.get("/admin/partners").status_code == 403
