"""The embed (issue 14, SPEC §11): framing, caching, votes with their source, CSRF by origin."""
from __future__ import annotations

import html as markup
import re

import pytest
from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Vote, VoteEvent
from tests.admin_helpers import Desk, add_login
from tests.conftest import write_case

OPEN, CLOSED, DRAFT = "aaben-sag", "lukket-sag", "kladde-sag"
ORIGIN = "https://www.lederne.dk"
HTTPS = "https://localhost"
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def make_site(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, OPEN, title="Den åbne", body="Første afsnit.\n\nAndet afsnit.")
    write_case(dilemmas_dir, CLOSED, title="Den lukkede", publish="2020-01-01",
               closes="2020-01-08T12:00")
    write_case(dilemmas_dir, DRAFT, title="Kladden", extra="draft: true")

    def factory(partner: bool = True, **config):
        app = make_app(**config)
        if partner:
            result = app.test_cli_runner().invoke(args=[
                "partners", "add", "lederne", "--name", "Lederne", "--origin", ORIGIN])
            assert result.exit_code == 0, result.output
        return app

    return factory


@pytest.fixture
def site(make_site):
    return make_site()


def events(app, slug: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(VoteEvent.source).join(Case)
                                       .where(Case.slug == slug).order_by(VoteEvent.id)))


def vote_count(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Vote.id)).join(Case).where(Case.slug == slug))


def embed_vote(client, slug: str, option: int = 2, partner: str | None = "lederne",
               headers=SAME_ORIGIN):
    query = {"partner": partner} if partner is not None else {}
    return client.post(f"/embed/{slug}/vote", query_string=query, data={"option": option},
                       headers=headers, base_url=HTTPS)


# --- framing ---------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"/embed/{OPEN}?partner=lederne", "/embed/current"])
def test_embed_may_be_framed_by_the_partners_origins_only(site, path):
    answer = site.test_client().get(path)
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert f"frame-ancestors {ORIGIN};" in policy
    assert "X-Frame-Options" not in answer.headers


def test_without_partners_nobody_may_frame_the_embed(make_site):
    answer = make_site(partner=False).test_client().get(f"/embed/{OPEN}")
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"


def test_a_removed_partner_may_no_longer_frame_it(site):
    assert site.test_cli_runner().invoke(args=["partners", "remove", "lederne"]).exit_code == 0
    answer = site.test_client().get(f"/embed/{OPEN}?partner=lederne")
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"


# --- the page --------------------------------------------------------------------

def test_embed_shows_title_teaser_ballot_and_the_link_to_the_case(site):
    html = site.test_client().get(f"/embed/{OPEN}?partner=lederne").get_data(as_text=True)
    assert "<h1 class=\"embed-title\" lang=\"da\">Den åbne</h1>" in html
    assert "Første afsnit." in html and "Andet afsnit." not in html
    assert html.count('type="radio" name="option"') == 5
    assert re.search(r'action="/embed/' + OPEN + r'/vote\?partner=lederne"', html)
    assert re.search(r'<a href="http[^"]+/dilemmas/' + OPEN + r'" target="_top">'
                     r'Læs hele casen og kommentarerne</a>', html)
    assert 'id="results"' not in html  # after_vote: hidden before the vote
    assert "csrf_token" not in html


def test_anonymous_embed_is_public_cacheable_with_a_304_and_no_cookie(site):
    client = site.test_client()
    first = client.get(f"/embed/{OPEN}?partner=lederne")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "Set-Cookie" not in first.headers
    again = client.get(f"/embed/{OPEN}?partner=lederne",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("slug", [DRAFT, "findes-ikke", "../admin"])
def test_embed_of_a_case_readers_cannot_see_is_404(site, slug):
    assert site.test_client().get(f"/embed/{slug}").status_code == 404


# --- votes -----------------------------------------------------------------------

def test_a_vote_in_the_embed_counts_with_the_partner_as_source(site):
    client = site.test_client()
    answer = embed_vote(client, OPEN, 3)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/embed/{OPEN}?partner=lederne")
    assert events(site, OPEN) == ["lederne"]
    page = client.get(f"/embed/{OPEN}?partner=lederne", base_url=HTTPS)
    html = page.get_data(as_text=True)
    assert 'class="result mine"' in html and "Tak for din stemme." in html
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_the_embed_voter_cookie_is_partitioned(site):
    cookie = embed_vote(site.test_client(), OPEN).headers["Set-Cookie"]
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in cookie


def test_the_site_voter_cookie_stays_lax_and_unpartitioned(site):
    client = site.test_client()
    page = client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(f"/dilemmas/{OPEN}/vote", data={"option": 1, "csrf_token": token})
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("db_voter="))
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie
    assert events(site, OPEN) == ["site"]


@pytest.mark.parametrize("partner, source", [
    ("ukendt", "unknown"), ("<script>", "unknown"), ("x" * 500, "unknown"), (None, "site"),
])
def test_an_unknown_partner_never_loses_the_vote(site, partner, source):
    assert embed_vote(site.test_client(), OPEN, partner=partner).status_code == 303
    assert events(site, OPEN) == [source]


def test_one_reader_is_one_vote_in_the_embed(site):
    client = site.test_client()
    embed_vote(client, OPEN, 1)
    embed_vote(client, OPEN, 4)
    assert vote_count(site, OPEN) == 1 and len(events(site, OPEN)) == 2


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_vote_another_site_sends_is_refused(site, headers):
    answer = embed_vote(site.test_client(), OPEN, headers=headers)
    assert answer.status_code == 403
    assert vote_count(site, OPEN) == 0 and "Set-Cookie" not in answer.headers


def test_a_vote_from_our_own_origin_without_fetch_metadata_is_taken(site):
    answer = embed_vote(site.test_client(), OPEN, headers={"Origin": HTTPS})
    assert answer.status_code == 303 and vote_count(site, OPEN) == 1


def test_a_closed_case_refuses_the_embed_vote_with_409(site):
    assert embed_vote(site.test_client(), CLOSED).status_code == 409
    assert vote_count(site, CLOSED) == 0


@pytest.mark.parametrize("data", [{}, {"option": "6"}, {"option": ["1", "2"]}])
def test_a_bad_option_is_400(site, data):
    answer = site.test_client().post(f"/embed/{OPEN}/vote", data=data, headers=SAME_ORIGIN,
                                     base_url=HTTPS)
    assert answer.status_code == 400 and vote_count(site, OPEN) == 0


def test_the_per_ip_vote_limit_counts_the_site_and_the_embed_together(make_site):
    app = make_site(RATELIMIT_ENABLED=True, VOTES_PER_IP_LIMIT="2 per minute")
    assert embed_vote(app.test_client(), OPEN).status_code == 303
    assert embed_vote(app.test_client(), OPEN).status_code == 303
    client = app.test_client()
    page = client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(f"/dilemmas/{OPEN}/vote", data={"option": 1, "csrf_token": token})
    assert answer.status_code == 429 and vote_count(app, OPEN) == 2


# --- the desk --------------------------------------------------------------------

def test_editors_copy_both_snippets_from_the_case_page(site):
    add_login(site)
    page = Desk(site.test_client()).page(f"/admin/dilemmas/{OPEN}")
    boxes = [markup.unescape(text) for text in re.findall(
        r'<textarea id="(?:iframe|loader)-case-lederne"[^>]*>(.*?)</textarea>', page)]
    iframe, loader = boxes
    assert re.fullmatch(r'<iframe src="http[^"]+/embed/' + OPEN + r'\?partner=lederne" '
                        r'title="Den åbne" width="100%" height="720"[^>]*></iframe>', iframe)
    assert re.fullmatch(r'<script src="http[^"]+/static/embed\.js" data-dilemma="' + OPEN
                        + r'" data-partner="lederne" async></script>', loader)
    assert '<script src="http' not in page  # shown as text to copy, never run on the desk


def test_the_partners_page_gives_the_snippets_for_this_weeks_dilemma(site):
    add_login(site)
    page = Desk(site.test_client()).page("/admin/partners")
    boxes = [markup.unescape(text) for text in re.findall(
        r'<textarea id="(?:iframe|loader)-current-lederne"[^>]*>(.*?)</textarea>', page)]
    iframe, loader = boxes
    assert re.match(r'<iframe src="http[^"]+/embed/current\?partner=lederne" ', iframe)
    assert 'data-dilemma="current" data-partner="lederne"' in loader
