"""The read-only JSON API (SPEC §6): GET /api/dilemmas and GET /api/dilemmas/<slug>."""
from __future__ import annotations

import pytest

from tests.conftest import SEED_SLUG, Reader, write_case
from tests.test_exports import ensure_seed_case


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", title="Åben case", publish="2021-05-03",
               extra="results: always\nshuffle: true\ntags: [drift]", followup="Eksperten siger.")
    write_case(dilemmas_dir, "lukket", title="Lukket case", publish="2021-04-05",
               closes="2021-04-12T12:00", followup="Læs mere her.")
    app = make_app()
    ensure_seed_case(app, dilemmas_dir)
    return app


def test_list_is_newest_first_with_links(site):
    response = site.test_client().get("/api/dilemmas")
    assert response.status_code == 200 and response.mimetype == "application/json"
    items = response.get_json()["dilemmas"]
    published = [item["publish_at"] for item in items]
    assert published == sorted(published, reverse=True)
    by_slug = {item["slug"]: item for item in items}
    item = by_slug["aaben"]
    assert item["title"] == "Åben case"
    assert item["publish_at"] == "2021-05-02T22:00:00Z"
    assert item["status"] == "open" and item["tags"] == ["drift"]
    assert item["url"] == "http://127.0.0.1:5000/dilemmas/aaben"
    assert item["api_url"] == "http://127.0.0.1:5000/api/dilemmas/aaben"
    assert by_slug[SEED_SLUG]["total_votes"] == 153


def test_seed_case_results(site):
    body = site.test_client().get(f"/api/dilemmas/{SEED_SLUG}").get_json()
    assert body["status"] == "closed" and body["results_visible"] is True
    results = body["results"]
    assert results["total_votes"] == 153 and results["imported_votes"] == 153
    options = results["options"]
    assert [o["percent"] for o in options] == [3, 8, 12, 3, 74]
    assert [o["imported_votes"] for o in options] == [5, 12, 18, 5, 113]
    assert [o["votes"] for o in options] == [0] * 5
    assert options[4]["share"] == pytest.approx(113 / 153)
    assert options[4]["ci95_low"] == pytest.approx(0.663702, abs=1e-6)
    assert [o["number"] for o in body["options"]] == [1, 2, 3, 4, 5]
    assert all(o["text"] for o in body["options"])


def test_votes_show_up_in_the_api(site):
    for option in ["2", "2", "5"]:
        assert Reader(site.test_client()).vote("aaben", option).status_code == 303
    body = site.test_client().get("/api/dilemmas/aaben").get_json()
    assert [o["votes"] for o in body["results"]["options"]] == [0, 2, 0, 0, 1]
    assert [o["percent"] for o in body["results"]["options"]] == [0, 67, 0, 0, 33]
    assert body["total_votes"] == 3
    assert body["shuffle"] is True
    assert [o["number"] for o in body["options"]] == [1, 2, 3, 4, 5]  # numbers, not a shuffle


def test_followup_only_once_voting_has_closed(site):
    client = site.test_client()
    assert client.get("/api/dilemmas/aaben").get_json()["followup_html"] is None
    closed = client.get("/api/dilemmas/lukket").get_json()
    assert "Læs mere her." in closed["followup_html"]
    assert "<p>Casen.</p>" in closed["body_html"]


@pytest.mark.parametrize("slug", ["findes-ikke", "UPPER", "a" * 81, "æøå", "x;drop", "%00"])
def test_unknown_case_is_a_json_404(site, slug):
    response = site.test_client().get(f"/api/dilemmas/{slug}")
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_api_is_read_only(site):
    response = site.test_client().post("/api/dilemmas/aaben", json={"option": 1})
    assert response.status_code in (400, 405)
    assert response.is_json
