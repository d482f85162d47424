"""Filters on the research files: ?case=, ?since=, ?until=, ?status= (issue 16.4).

Nothing in the query is ignored: an unknown, repeated, empty or malformed
parameter is a 400 that names it, and the command line takes the same filters.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import write_case
from tests.test_exports import add_editor, basic, rows_of, vote_at
from tests.test_exports_records import add_comment


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "foerste", publish="2021-01-04", closes="2021-01-11T12:00")
    write_case(dilemmas_dir, "anden", publish="2021-01-04", closes="2021-01-11T12:00")
    write_case(dilemmas_dir, "skjult", publish="2021-01-04", extra="results: after_close")
    app = make_app()
    for slug in ("foerste", "anden", "skjult"):
        vote_at(app, slug, "a", 1, datetime(2021, 1, 4, 9))
        # 23:30 UTC on the 5th is already the 6th in Copenhagen (the site's zone).
        vote_at(app, slug, "b", 2, datetime(2021, 1, 5, 23, 30))
        vote_at(app, slug, "a", 3, datetime(2021, 1, 7, 9))
    add_comment(app, "foerste", "Anna", option_number=1)
    add_editor(app)
    return app


def get(app, path, login=False):
    return app.test_client().get(path, headers=basic() if login else {})


def error_of(response) -> str:
    assert response.status_code == 400, response.get_data(as_text=True)
    return response.get_json()["error"]


def test_case_keeps_only_that_case(site):
    rows = rows_of(get(site, "/export/tallies.csv?case=anden"))
    assert {r["case_slug"] for r in rows} == {"anden"} and len(rows) == 5


def test_case_is_repeatable(site):
    rows = rows_of(get(site, "/export/timeseries.csv?case=anden&case=foerste"))
    assert {r["case_slug"] for r in rows} == {"anden", "foerste"}
    rows = rows_of(get(site, "/export/votes.csv?case=skjult&case=anden", login=True))
    assert {r["case_slug"] for r in rows} == {"anden", "skjult"}


@pytest.mark.parametrize("slug", ["findes-ikke", "skjult"])
def test_a_case_the_file_cannot_show_is_refused_alike(site, slug):
    # A hidden case answers as a missing one: the filter reveals nothing.
    message = error_of(get(site, f"/export/tallies.csv?case={slug}"))
    assert "case" in message and slug in message
    assert "skjult" in rows_of(get(site, "/export/tallies.csv?case=skjult", login=True))[0][
        "case_slug"]


@pytest.mark.parametrize("query, name", [
    ("foo=1", "foo"),
    ("format=csv", "format"),
    ("case=", "case"),
    ("case=Not%20A%20Slug", "case"),
    ("case=anden&since=2021-01-05", "since"),  # tallies have no time per row
    ("status=closed", "status"),  # only for researchers
])
def test_unknown_or_malformed_parameters_are_named(site, query, name):
    assert name in error_of(get(site, f"/export/tallies.csv?{query}"))
    assert name in error_of(get(site, f"/export/tallies.json?{query}"))


@pytest.mark.parametrize("query, name", [
    ("since=2021-13-01", "since"),
    ("since=5.1.2021", "since"),
    ("since=", "since"),
    ("until=2021-01-05&until=2021-01-06", "until"),
    ("since=2021-01-07&until=2021-01-05", "until"),
    ("status=lukket", "status"),
])
def test_malformed_dates_and_states_are_named(site, query, name):
    assert name in error_of(get(site, f"/export/votes.csv?{query}", login=True))


def test_since_and_until_are_days_in_the_site_time_zone(site):
    rows = rows_of(get(site, "/export/votes.csv?case=foerste&since=2021-01-06", login=True))
    # The event at 23:30 UTC on the 5th is on the 6th in Copenhagen; numbers are kept.
    assert [(r["event_number"], r["event_hour"]) for r in rows] == [
        ("2", "2021-01-05T23:00:00Z"), ("3", "2021-01-07T09:00:00Z")]
    rows = rows_of(get(site, "/export/votes.csv?case=foerste&until=2021-01-05", login=True))
    assert [r["event_number"] for r in rows] == ["1"]


def test_timeseries_days_between_since_and_until_keep_their_cumulative_counts(site):
    every = rows_of(get(site, "/export/timeseries.csv?case=foerste"))
    some = rows_of(get(site, "/export/timeseries.csv?case=foerste&since=2021-01-06"
                             "&until=2021-01-07"))
    assert {r["date"] for r in some} == {"2021-01-06", "2021-01-07"}
    assert some == [r for r in every if "2021-01-06" <= r["date"] <= "2021-01-07"]


def test_comments_filter_by_when_they_were_written(site):
    assert len(rows_of(get(site, "/export/comments.csv?since=2000-01-01", login=True))) == 1
    assert rows_of(get(site, "/export/comments.csv?until=2000-01-01", login=True)) == []


def test_status_filters_cases_for_researchers(site):
    rows = rows_of(get(site, "/export/tallies.csv?status=open", login=True))
    assert "skjult" in {r["case_slug"] for r in rows}
    assert {r["status"] for r in rows} == {"open"}
    rows = rows_of(get(site, "/export/tallies.csv?status=closed&status=open", login=True))
    assert {"skjult", "anden"} <= {r["case_slug"] for r in rows}


def test_the_per_source_tallies_take_the_case_and_status_filters(site):
    rows = rows_of(get(site, "/export/tallies_by_source.csv?case=anden"))
    assert {r["case_slug"] for r in rows} == {"anden"} and {r["source"] for r in rows} == {"site"}
    assert sum(int(r["votes"]) for r in rows) == 2
    assert "skjult" in error_of(get(site, "/export/tallies_by_source.json?case=skjult"))
    rows = rows_of(get(site, "/export/tallies_by_source.csv?status=open", login=True))
    assert "skjult" in {r["case_slug"] for r in rows}
    assert not {"anden", "foerste"} & {r["case_slug"] for r in rows}  # closed
    assert "since" in error_of(get(site, "/export/tallies_by_source.csv?since=2021-01-05"))


def test_the_datapackage_takes_no_parameters(site):
    assert "case" in error_of(get(site, "/export/datapackage.json?case=anden"))


def test_the_command_takes_the_same_filters(site, tmp_path):
    target = tmp_path / "votes.csv"
    result = site.test_cli_runner().invoke(args=[
        "export", "votes", "--case", "foerste", "--case", "anden", "--since", "2021-01-06",
        "--until", "2021-01-07", "-o", str(target)])
    assert result.exit_code == 0, result.output
    web = get(site, "/export/votes.csv?case=foerste&case=anden&since=2021-01-06"
                    "&until=2021-01-07", login=True)
    assert target.read_bytes() == web.get_data()


@pytest.mark.parametrize("args, name", [
    (["votes", "--since", "2021-02-30"], "since"),
    (["tallies", "--until", "2021-01-05"], "until"),
    (["tallies", "--case", "findes-ikke"], "case"),
    (["tallies", "--public", "--status", "open"], "status"),
])
def test_the_command_names_a_bad_filter(site, args, name):
    result = site.test_cli_runner().invoke(args=["export", *args])
    assert result.exit_code == 2 and name in result.output, result.output
