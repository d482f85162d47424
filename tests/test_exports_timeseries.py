"""timeseries.csv: per case × day × option, from the vote events, ending at the tally."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dilemmaboard.models import utcnow
from dilemmaboard.voting.timeline import local_day
from tests.conftest import SEED_SLUG, write_case
from tests.test_exports import case_by_slug, ensure_seed_case, rows_of, vote_at

WEEK = {"publish": "2021-03-01T08:00", "closes": "2021-03-08T12:00"}


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "uge", extra="results: always", **WEEK)
    return make_app()


def series(app, slug: str, sources=("live", "imported")) -> list[dict]:
    """The case's rows as before sources were kept (live and imported), or of `sources`."""
    rows = rows_of(app.test_client().get("/export/timeseries.csv"))
    return [r for r in rows if r["case_slug"] == slug and r["source"] in sources]


def last_cumulative(rows: list[dict]) -> list[int]:
    final = {}
    for r in rows:
        final[int(r["option_number"])] = int(r["cumulative_votes"])
    return [final[n] for n in range(1, 6)]


def test_cumulative_counts_end_at_the_tally(site):
    # A week of voting, with changes; 2021-03-01 08:00 Copenhagen is 07:00 UTC.
    vote_at(site, "uge", "a", 1, datetime(2021, 3, 1, 7, 30))
    vote_at(site, "uge", "b", 2, datetime(2021, 3, 1, 9, 0))
    vote_at(site, "uge", "c", 2, datetime(2021, 3, 2, 12, 0))
    vote_at(site, "uge", "a", 4, datetime(2021, 3, 3, 12, 0))  # a moves 1 -> 4
    vote_at(site, "uge", "a", 5, datetime(2021, 3, 5, 12, 0))  # and 4 -> 5
    vote_at(site, "uge", "d", 3, datetime(2021, 3, 8, 10, 59))
    rows = series(site, "uge")
    with site.app_context():
        tally = [o.votes + o.imported_votes for o in case_by_slug("uge").options]
    assert tally == [0, 2, 1, 0, 1]
    assert last_cumulative(rows) == tally
    net = defaultdict(int)
    for r in rows:
        net[int(r["option_number"])] += int(r["new_votes"])
    assert [net[n] for n in range(1, 6)] == tally


def test_every_day_of_the_week_has_five_rows(site):
    vote_at(site, "uge", "a", 1, datetime(2021, 3, 2, 7, 30))
    rows = series(site, "uge")
    days = sorted({r["date"] for r in rows})
    assert days == [f"2021-03-0{d}" for d in range(1, 9)]
    assert all(sum(1 for r in rows if r["date"] == d) == 5 for d in days)
    assert {r["source"] for r in rows} == {"live"}
    first_day = [r for r in rows if r["date"] == "2021-03-01"]
    assert {r["cumulative_share"] for r in first_day} == {""}  # no votes yet
    last_day = [r for r in rows if r["date"] == "2021-03-08"]
    assert [r["cumulative_share"] for r in last_day] == ["1", "0", "0", "0", "0"]


def test_a_change_moves_a_vote_on_the_day_it_is_made(site):
    vote_at(site, "uge", "a", 1, datetime(2021, 3, 1, 10))
    vote_at(site, "uge", "b", 1, datetime(2021, 3, 1, 11))
    vote_at(site, "uge", "a", 4, datetime(2021, 3, 3, 10))
    rows = {(r["date"], r["option_number"]): r for r in series(site, "uge")}
    day1 = rows[("2021-03-01", "1")]
    assert (day1["first_votes"], day1["new_votes"], day1["cumulative_votes"]) == ("2", "2", "2")
    out = rows[("2021-03-03", "1")]
    into = rows[("2021-03-03", "4")]
    assert (out["changes_out"], out["new_votes"], out["cumulative_votes"]) == ("1", "-1", "1")
    assert (into["changes_in"], into["new_votes"], into["cumulative_votes"]) == ("1", "1", "1")
    assert out["cumulative_share"] == into["cumulative_share"] == "0.5"
    quiet = rows[("2021-03-02", "1")]
    assert (quiet["first_votes"], quiet["new_votes"], quiet["cumulative_votes"]) == ("0", "0", "2")


@pytest.mark.parametrize("moment, day", [
    (datetime(2021, 3, 2, 22, 59), "2021-03-02"),  # 23:59 in Copenhagen (winter, UTC+1)
    (datetime(2021, 3, 2, 22, 59, 59, 999900), "2021-03-02"),  # SQLite would round this up
    (datetime(2021, 3, 2, 23, 0), "2021-03-03"),   # midnight in Copenhagen
])
def test_days_are_counted_in_the_site_time_zone(site, moment, day):
    vote_at(site, "uge", "a", 2, moment)
    rows = [r for r in series(site, "uge") if r["first_votes"] == "1"]
    assert [(r["date"], r["option_number"]) for r in rows] == [(day, "2")]


def test_summer_time_moves_the_day_boundary(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "sommer", publish="2021-07-01", closes="2021-07-08T12:00",
               extra="results: always")
    app = make_app()
    vote_at(app, "sommer", "a", 1, datetime(2021, 7, 2, 21, 59))  # 23:59 CEST
    vote_at(app, "sommer", "b", 2, datetime(2021, 7, 2, 22, 0))   # 00:00 CEST
    rows = [r for r in series(app, "sommer") if r["first_votes"] == "1"]
    assert [(r["date"], r["option_number"]) for r in rows] == [
        ("2021-07-02", "1"), ("2021-07-03", "2")]


def test_another_site_time_zone(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "uge", extra="results: always", **WEEK)
    app = make_app(SITE_TIMEZONE="America/New_York")
    vote_at(app, "uge", "a", 3, datetime(2021, 3, 3, 3, 0))  # 22:00 on 2 March in New York
    rows = [r for r in series(app, "uge") if r["first_votes"] == "1"]
    assert [r["date"] for r in rows] == ["2021-03-02"]


def test_imported_votes_are_a_day_zero_row(site, dilemmas_dir):
    ensure_seed_case(site, dilemmas_dir)
    rows = series(site, SEED_SLUG)
    imported = [r for r in rows if r["source"] == "imported"]
    assert [(r["date"], r["option_number"], r["new_votes"], r["cumulative_votes"])
            for r in imported] == [
        ("2008-11-19", "1", "5", "5"), ("2008-11-19", "2", "12", "12"),
        ("2008-11-19", "3", "18", "18"), ("2008-11-19", "4", "5", "5"),
        ("2008-11-19", "5", "113", "113")]
    assert {r["first_votes"] for r in imported} == {""}
    assert rows[:5] == imported  # first, so the live rows build on them
    assert last_cumulative(rows) == [5, 12, 18, 5, 113]
    assert rows[-1]["date"] == "2008-11-26"
    assert rows[-1]["cumulative_share"] == "0.73856209150326797"


def test_open_case_runs_to_today(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "nu", publish="2024-01-01", extra="results: always")
    app = make_app()
    rows = series(app, "nu")
    today = local_day(utcnow(), ZoneInfo(app.config["SITE_TIMEZONE"])).isoformat()
    assert rows[0]["date"] == "2024-01-01"
    assert rows[-1]["date"] == today
