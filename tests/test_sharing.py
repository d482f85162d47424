"""Sharing a case (issue 14, SPEC §11): Open Graph tags, share links, the card, oEmbed."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from dilemmaboard.partners.card import BAR, HEIGHT, TRACK, WIDTH, draw_card
from dilemmaboard.voting.results import case_results
from tests.conftest import write_case

OPEN, ALWAYS, CLOSED, DRAFT = "hemmelig-taeller", "aaben-taeller", "lukket-sag", "kladde-sag"
BODY = ("Din bedste medarbejder har fået et tilbud fra en konkurrent. "
        "Hun vil blive, hvis lønnen stiger.\n\nAnden paragraf, som ikke er en del af åbningen.")


@pytest.fixture
def site(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, OPEN, title="Lønnen og konkurrenten", body=BODY)
    write_case(dilemmas_dir, ALWAYS, title="Altid synlig", extra="results: always",
               publish="2020-01-05")
    write_case(dilemmas_dir, CLOSED, title="Den lukkede", publish="2020-01-01",
               closes="2020-01-08T12:00", extra="imported_votes: [1, 2, 3, 4, 90]")
    write_case(dilemmas_dir, DRAFT, title="Kladden", extra="draft: true")
    return make_app()


def vote(app, slug: str, option: int) -> None:
    """A new reader votes through the case page's form."""
    client = app.test_client()
    page = client.get(f"/dilemmas/{slug}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/dilemmas/{slug}/vote",
                       data={"option": option, "csrf_token": token}).status_code == 303


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    assert match, f"no {key}"
    return match.group(1)


def colour_pixels(png: bytes, colour: str) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    counts = {rgb: n for n, rgb in image.getcolors(maxcolors=WIDTH * HEIGHT)}
    return counts.get(wanted, 0)


# --- the case page's tags and links ----------------------------------------------

def test_case_page_has_open_graph_twitter_and_canonical(site):
    html = site.test_client().get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
    assert canonical.startswith("http") and canonical.endswith(f"/dilemmas/{OPEN}")
    assert meta(html, "og:url") == canonical
    assert meta(html, "og:title") == "Lønnen og konkurrenten"
    assert meta(html, "og:description").startswith("Din bedste medarbejder")
    assert "Anden paragraf" not in meta(html, "og:description")
    assert meta(html, "og:image") == canonical + "/card.png"
    assert meta(html, "og:locale") == "da_DK"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:image") == canonical + "/card.png"
    assert meta(html, "description").startswith("Din bedste medarbejder")


def test_case_page_announces_its_oembed(site):
    client = site.test_client()
    html = client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"',
                     html).group(1).replace("&amp;", "&")
    path = link.split("://", 1)[1].split("/", 1)[1]
    answer = client.get("/" + path)
    assert answer.status_code == 200 and answer.get_json()["type"] == "rich"


def test_share_links_are_plain_links_without_third_party_script(site):
    html = site.test_client().get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    share = html[html.index('<section class="share"'):]
    share = share[:share.index("</section>")]
    assert "https://www.linkedin.com/sharing/share-offsite/?url=http" in share
    assert 'href="mailto:?subject=' in share
    assert "data-copy-link" in share
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)


# --- the card --------------------------------------------------------------------

def test_card_is_a_1200_by_630_png_with_an_etag_and_a_304(site):
    client = site.test_client()
    answer = client.get(f"/dilemmas/{ALWAYS}/card.png")
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    assert Image.open(io.BytesIO(answer.data)).size == (1200, 630)
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(f"/dilemmas/{ALWAYS}/card.png",
                       headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_card_is_drawn_again_when_the_tally_moves(site):
    client = site.test_client()
    before = client.get(f"/dilemmas/{ALWAYS}/card.png")
    vote(site, ALWAYS, 2)
    after = client.get(f"/dilemmas/{ALWAYS}/card.png",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert colour_pixels(after.data, BAR) > colour_pixels(before.data, BAR) == 0


def test_hidden_results_are_never_drawn(site):
    client = site.test_client()
    before = client.get(f"/dilemmas/{OPEN}/card.png")
    for option in (1, 1, 5):
        vote(site, OPEN, option)
    after = client.get(f"/dilemmas/{OPEN}/card.png")
    # Not a bar, not a track; the same bytes and ETag however the votes fall.
    assert colour_pixels(after.data, BAR) == colour_pixels(after.data, TRACK) == 0
    assert after.data == before.data and after.headers["ETag"] == before.headers["ETag"]


def test_closed_case_card_shows_the_results(site):
    png = site.test_client().get(f"/dilemmas/{CLOSED}/card.png").data
    assert colour_pixels(png, BAR) > 0 and colour_pixels(png, TRACK) > 0


@pytest.mark.parametrize("slug", [DRAFT, "findes-ikke", "UPPER"])
def test_no_card_for_a_case_readers_cannot_see(site, slug):
    assert site.test_client().get(f"/dilemmas/{slug}/card.png").status_code == 404


def test_draw_card_without_results_draws_no_bars(site):
    with site.test_request_context():
        from dilemmaboard.extensions import db
        from dilemmaboard.voting.state import get_case

        results = case_results(get_case(db.session, CLOSED))
    words = dict(kicker="K", total_line="100 stemmer i alt", invitation="Stem",
                 percent_label=lambda n: f"{n} %")
    with_bars = Image.open(io.BytesIO(draw_card("Titel", results, **words)))
    without = Image.open(io.BytesIO(draw_card("Titel", None, **words)))
    assert with_bars.size == without.size == (WIDTH, HEIGHT)
    assert colour_pixels(draw_card("Titel", None, **words), BAR) == 0
    # Option 5 holds 90 of 100 votes: its bar is nine tenths of the track.
    assert colour_pixels(draw_card("Titel", results, **words), BAR) > 0


# --- oEmbed ----------------------------------------------------------------------

def case_url(client, slug: str) -> str:
    html = client.get(f"/dilemmas/{slug}").get_data(as_text=True)
    return re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)


def test_oembed_answers_rich_with_the_embed_iframe(site):
    client = site.test_client()
    url = case_url(client, OPEN)
    answer = client.get("/oembed", query_string={"url": url, "format": "json"})
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = answer.get_json()
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert body["title"] == "Lønnen og konkurrenten" and body["provider_name"] == "Dilemmaboard"
    assert re.fullmatch(r'<iframe src="[^"]+/embed/' + OPEN + r'" title="[^"]+" width="600" '
                        r'height="720"[^>]*></iframe>', body["html"])
    assert body["width"] == 600 and body["thumbnail_url"] == url + "/card.png"
    # A CMS asks without cookies: a shared cache may keep the answer.
    fresh = site.test_client().get("/oembed", query_string={"url": url})
    assert fresh.headers["Cache-Control"].startswith("public") and fresh.get_json() == body


def test_oembed_honours_maxwidth_and_maxheight(site):
    client = site.test_client()
    body = client.get("/oembed", query_string={"url": case_url(client, OPEN),
                                               "maxwidth": "320", "maxheight": "500"}).get_json()
    assert body["width"] == 320 and body["height"] == 500
    assert 'width="320"' in body["html"] and 'height="500"' in body["html"]
    assert "thumbnail_url" not in body  # the 1200-wide card would not fit


@pytest.mark.parametrize("url", [
    "https://evil.example/dilemmas/{slug}",
    "{site}/dilemmas/findes-ikke",
    "{site}/dilemmas/" + DRAFT,
    "{site}/dilemmas/{slug}?x=1",
    "{site}/admin/",
    "javascript:alert(1)",
    "",
])
def test_oembed_refuses_urls_that_are_not_our_cases(site, url):
    client = site.test_client()
    ours = case_url(client, OPEN)
    base = ours[:ours.index("/dilemmas/")]
    answer = client.get("/oembed", query_string={"url": url.format(site=base, slug=OPEN)})
    assert answer.status_code == 404 and answer.is_json


def test_oembed_other_formats_are_a_400_naming_json(site):
    client = site.test_client()
    answer = client.get("/oembed", query_string={"url": case_url(client, OPEN), "format": "xml"})
    assert answer.status_code == 400
    assert "json" in answer.get_data(as_text=True)


@pytest.mark.parametrize("value", ["0", "-5", "abc", "1e3", "99999999"])
def test_oembed_bad_maxwidth_is_400(site, value):
    client = site.test_client()
    answer = client.get("/oembed", query_string={"url": case_url(client, OPEN),
                                                 "maxwidth": value})
    assert answer.status_code == 400
