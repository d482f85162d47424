"""Hidden results never leak: public exports and the API answer as a reader who has not
voted; drafts and scheduled cases never appear publicly; researchers see everything."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import Reader, write_case
from tests.test_exports import add_editor, basic, rows_of, vote_at

HIDDEN = {
    # slug: (title, front matter)
    "efter-stemme": ("Skjult indtil stemme", "results: after_vote"),
    "efter-luk": ("Skjult indtil lukning", "results: after_close"),
}
UNPUBLISHED = {
    "kladde": ("Hemmelig kladde", "draft: true\nresults: always"),
    "planlagt": ("Fremtidig case", "results: always"),
}
VISIBLE = {
    "altid": ("Altid synlig", "results: always"),
    "lukket": ("Lukket efter luk", "results: after_close"),
}
PUBLIC_FILES = ["/export/tallies.csv", "/export/tallies.json", "/export/timeseries.csv",
                "/export/timeseries.json", "/export/profiles.csv", "/export/profiles.json",
                "/export/tallies_by_source.csv", "/export/tallies_by_source.json",
                "/export/datapackage.json"]


@pytest.fixture
def site(make_app, dilemmas_dir):
    for slug, (title, extra) in {**HIDDEN, **VISIBLE, **UNPUBLISHED}.items():
        publish, closes = "2020-01-06", "2099-01-01T12:00"
        if slug == "planlagt":
            publish, closes = "2098-01-06", "2098-01-13T12:00"
        if slug == "lukket":
            closes = "2020-01-13T12:00"
        write_case(dilemmas_dir, slug, title=title, publish=publish, closes=closes, extra=extra)
    app = make_app()
    for slug in [*HIDDEN, "altid"]:
        for i, option in enumerate([1, 1, 2, 5, 5, 5]):
            vote_at(app, slug, f"{slug}-{i}", option, datetime(2021, 2, 1, 10, i),
                    profile="executive", source="lederne" if i % 2 else "site")
    return app


def secrets_of(table: dict) -> list[str]:
    return [word for slug, (title, _) in table.items() for word in (slug, title)]


@pytest.mark.parametrize("path", PUBLIC_FILES)
def test_public_files_leave_out_hidden_and_unpublished_cases(site, path):
    body = site.test_client().get(path).get_data(as_text=True)
    for secret in secrets_of(HIDDEN) + secrets_of(UNPUBLISHED):
        assert secret not in body, (path, secret)
    if path != "/export/datapackage.json":
        for slug in VISIBLE:
            assert slug in body, (path, slug)


@pytest.mark.parametrize("path", PUBLIC_FILES[:6])
def test_a_reader_who_voted_still_gets_the_public_files(site, path):
    reader = Reader(site.test_client())
    assert reader.vote("efter-stemme", "3").status_code == 303
    body = reader.client.get(path).get_data(as_text=True)
    assert "efter-stemme" not in body


def test_researchers_see_every_case(site):
    add_editor(site)
    client = site.test_client()
    tallies = rows_of(client.get("/export/tallies.csv", headers=basic()))
    slugs = {r["case_slug"] for r in tallies}
    assert slugs >= {*HIDDEN, *VISIBLE, *UNPUBLISHED}
    states = {r["case_slug"]: r["status"] for r in tallies}
    assert states["kladde"] == "draft" and states["planlagt"] == "scheduled"
    hidden_rows = [r for r in tallies if r["case_slug"] == "efter-luk"]
    assert [r["votes"] for r in hidden_rows] == ["2", "1", "0", "0", "3"]
    timeseries = client.get("/export/timeseries.csv", headers=basic()).get_data(as_text=True)
    assert "efter-luk" in timeseries


def test_closing_a_case_makes_its_results_public(site):
    from dilemmaboard.extensions import db
    from tests.test_exports import case_by_slug

    with site.app_context():
        case_by_slug("efter-luk").state_override = "closed"
        db.session.commit()
    rows = rows_of(site.test_client().get("/export/tallies.csv"))
    assert [r["votes"] for r in rows if r["case_slug"] == "efter-luk"] == ["2", "1", "0", "0", "3"]


# --- the JSON API ----------------------------------------------------------

def test_api_list_shows_published_cases_without_hidden_results(site):
    listing = site.test_client().get("/api/dilemmas").get_json()["dilemmas"]
    by_slug = {item["slug"]: item for item in listing}
    assert set(by_slug) >= {*HIDDEN, *VISIBLE}
    assert not set(by_slug) & set(UNPUBLISHED)
    for slug in HIDDEN:
        assert by_slug[slug]["results_visible"] is False
        assert by_slug[slug]["total_votes"] is None
    assert by_slug["altid"]["results_visible"] is True
    assert by_slug["altid"]["total_votes"] == 6


@pytest.mark.parametrize("slug", list(HIDDEN))
def test_api_case_hides_results_even_from_a_reader_who_voted(site, slug):
    reader = Reader(site.test_client())
    reader.vote(slug, "4")
    body = reader.client.get(f"/api/dilemmas/{slug}").get_json()
    assert body["results_visible"] is False
    assert body["results"] is None
    assert body["total_votes"] is None
    assert [o["number"] for o in body["options"]] == [1, 2, 3, 4, 5]
    assert "percent" not in str(body) and "votes\": 3" not in str(body)


@pytest.mark.parametrize("slug", list(UNPUBLISHED))
def test_api_does_not_know_unpublished_cases(site, slug):
    response = site.test_client().get(f"/api/dilemmas/{slug}")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404
    assert UNPUBLISHED[slug][0] not in response.get_data(as_text=True)


def test_api_gives_researchers_everything(site):
    add_editor(site)
    client = site.test_client()
    listing = client.get("/api/dilemmas", headers=basic()).get_json()["dilemmas"]
    assert {item["slug"] for item in listing} >= {*HIDDEN, *VISIBLE, *UNPUBLISHED}
    body = client.get("/api/dilemmas/efter-luk", headers=basic()).get_json()
    assert [o["votes"] for o in body["results"]["options"]] == [2, 1, 0, 0, 3]
    assert client.get("/api/dilemmas/kladde", headers=basic()).status_code == 200
