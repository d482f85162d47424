"""Every reader route answers as SPEC §6 says."""
from __future__ import annotations

import re

import pytest

from tests.conftest import SEED_SLUG, write_case


@pytest.fixture
def site(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "gammel", title="Gammel lukket", publish="2019-01-07",
               closes="2019-01-14T12:00", followup="Ekspertens **svar**.")
    write_case(dilemmas_dir, "nyere-lukket", title="Nyere lukket", publish="2021-01-04",
               closes="2021-01-11T12:00")
    write_case(dilemmas_dir, "aaben", title="Den åbne", publish="2020-01-06")
    write_case(dilemmas_dir, "fremtid", title="Fremtidig", publish="2090-01-06",
               closes="2090-01-13T12:00")
    write_case(dilemmas_dir, "kladde", title="Kladde", extra="draft: true")
    return make_app()


def test_front_page_is_the_open_case_even_if_older(site):
    page = site.test_client().get("/").get_data(as_text=True)
    assert "Den åbne" in page
    assert "Ugens dilemma" in page


def test_front_page_falls_back_to_latest_closed(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "a", title="Ældst", publish="2019-01-07", closes="2019-01-14")
    write_case(dilemmas_dir, "b", title="Nyest lukket", publish="2021-01-04", closes="2021-01-11")
    page = make_app().test_client().get("/").get_data(as_text=True)
    assert "Nyest lukket" in page


def test_front_page_without_cases(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    response = make_app().test_client().get("/")
    assert response.status_code == 200
    assert "ikke udgivet" in response.get_data(as_text=True)


def test_archive_newest_first_without_drafts_or_scheduled(site):
    page = site.test_client().get("/dilemmas").get_data(as_text=True)
    titles = re.findall(r'<a href="/dilemmas/[a-z0-9-]+" lang="da">([^<]+)</a>', page)
    assert titles == ["Nyere lukket", "Den åbne", "Gammel lukket"]
    assert "0 stemmer" in page


def test_case_page_has_plain_vote_form(site):
    page = site.test_client().get("/dilemmas/aaben").get_data(as_text=True)
    assert '<form method="post" action="/dilemmas/aaben/vote"' in page
    assert page.count('type="radio" name="option"') == 5
    assert '<fieldset>' in page and '<legend>' in page


def test_closed_case_shows_results_and_followup(site):
    page = site.test_client().get("/dilemmas/gammel").get_data(as_text=True)
    assert 'id="results"' in page
    assert "<strong>svar</strong>" in page
    assert 'name="option"' not in page


def test_open_case_hides_followup(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "med-opfoelgning", followup="Hemmelig opfølgning")
    page = make_app().test_client().get("/dilemmas/med-opfoelgning").get_data(as_text=True)
    assert "Hemmelig opfølgning" not in page


@pytest.mark.parametrize("path", ["/dilemmas/kladde", "/dilemmas/fremtid", "/dilemmas/nope",
                                  "/dilemmas/..%2f..%2fetc%2fpasswd", "/dilemmas/%00"])
def test_hidden_or_unknown_cases_are_404(site, path):
    response = site.test_client().get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_healthz(site):
    response = site.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_seed_case_shows_the_published_result(app):
    page = app.test_client().get(f"/dilemmas/{SEED_SLUG}").get_data(as_text=True)
    percents = re.findall(r'class="percent">(\d+)', page)
    assert percents == ["3", "8", "12", "3", "74"]
    assert "153 stemmer i alt" in page
    assert "113 af 153 stemmer" in page


def test_source_line_is_shown(app):
    page = app.test_client().get(f"/dilemmas/{SEED_SLUG}").get_data(as_text=True)
    assert "Kilde:" in page and "Ledernes Hovedorganisation" in page


def test_times_shown_in_site_timezone(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "tid", publish="2020-01-06T08:00", closes="2099-01-01T12:00")
    page = make_app().test_client().get("/dilemmas/tid").get_data(as_text=True)
    assert 'datetime="2020-01-06T07:00:00Z"' in page
