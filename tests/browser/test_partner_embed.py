"""The dilemma on a partner's page (issue 14): loader, plain iframe, votes, framing rules.

The app, the partner's page and a stranger's page are three sites over HTTPS
(tests/browser/partner_sites.py). Votes cast in the frame must be counted with
the partner as their source, once per reader, also with third-party cookies
blocked; nobody but a registered partner may frame the embed, and no page but
the embed may be framed at all.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Vote, VoteEvent
from dilemmaboard.partners.sharing import iframe_html, loader_html
from dilemmaboard.voting.state import this_weeks_case
from tests.browser.partner_sites import (
    APP_HOST,
    PARTNER_HOST,
    PARTNER_ID,
    STRANGER_HOST,
    Certificates,
    HttpsServer,
    Pages,
    block_third_party_cookies,
    build_partner_app,
)
from tests.browser.site import CLOSED_SLUG, OPEN_SLUG
from tests.servers import free_port


class World:
    def __init__(self, app, app_url, partner, partner_url, stranger, stranger_url):
        self.app, self.app_url = app, app_url
        self.partner, self.partner_url = partner, partner_url
        self.stranger, self.stranger_url = stranger, stranger_url

    def embed(self, dilemma: str) -> str:
        return f"{self.app_url}/embed/{dilemma}?partner={PARTNER_ID}"

    def votes(self, slug: str) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count(Vote.id)).join(Case)
                                     .where(Case.slug == slug))

    def sources(self, slug: str) -> list[str]:
        with self.app.app_context():
            return list(db.session.scalars(select(VoteEvent.source).join(Case)
                                           .where(Case.slug == slug).order_by(VoteEvent.id)))


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium):
    certificates = Certificates()
    partner, stranger = Pages(), Pages()
    app_port = free_port()
    with HttpsServer(partner, PARTNER_HOST, certificates) as partner_server, \
            HttpsServer(stranger, STRANGER_HOST, certificates) as stranger_server:
        app = build_partner_app(tmp_path_factory.mktemp("partner-site"), app_port,
                                partner_server.url)
        with HttpsServer(app, APP_HOST, certificates, port=app_port) as app_server:
            yield World(app, app_server.url, partner, partner_server.url,
                        stranger, stranger_server.url)


@pytest.fixture
def reader(chromium, console):
    """A new reader's browser tab (Chromium accepts the throw-away certificate)."""
    contexts = []

    def open_tab():
        context = chromium.new_context(ignore_https_errors=True, locale="da-DK",
                                       viewport={"width": 1100, "height": 900})
        context.set_default_timeout(10_000)
        context.on("page", console.watch)
        contexts.append(context)
        return context, context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def frame_height(page, selector: str = "iframe") -> float:
    return page.locator(selector).first.bounding_box()["height"]


def content_height(frame) -> int:
    return frame.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")


def embed_frame(page):
    """The embed's frame, once it has loaded (the snippet's iframe loads lazily)."""
    page.frame_locator("iframe").first.locator(".embed-title").wait_for()
    return next(f for f in page.frames if "/embed/" in f.url)


def assert_blocked(page) -> None:
    """The browser refused to show our page in the frame: its error page stands there."""
    (child,) = page.main_frame.child_frames
    for _ in range(100):  # a lazy iframe starts loading a moment after the page
        if child.url.startswith("chrome-error://"):
            break
        page.wait_for_timeout(100)
    assert child.url.startswith("chrome-error://"), child.url
    expect(page.frame_locator("iframe").locator(".embed-title, #main")).to_have_count(0)


def vote_in_frame(page, option_index: int) -> None:
    frame = page.frame_locator("iframe").first
    frame.locator("label.option").nth(option_index).click()
    frame.get_by_role("button", name="Stem").click()
    expect(frame.locator("#results .result.mine")).to_have_count(1)


def test_loader_embeds_the_current_dilemma_and_resizes_the_frame(world, reader):
    with world.app.app_context():
        current = this_weeks_case(db.session)
        slug, title = current.slug, current.title
    world.partner.pages["/loader"] = (
        "<h1>Lederne.dk</h1><p>Ugens dilemma fra Dilemmaboard:</p>"
        + loader_html(f"{world.app_url}/static/embed.js", "current", PARTNER_ID)
        + "<p id='after'>Artiklen fortsætter her.</p>")
    before = world.votes(slug)
    _context, page = reader()
    page.goto(world.partner_url + "/loader")
    frame = page.frame_locator("iframe.dilemmaboard-embed")
    expect(frame.locator("h1")).to_have_text(title)
    expect(frame.get_by_role("link", name="Læs hele casen og kommentarerne")).to_have_attribute(
        "href", f"{world.app_url}/dilemmas/{slug}")
    # The loader sizes the frame to the page inside it (720 is only its first guess).
    page.wait_for_function("document.querySelector('iframe').style.height !== ''")
    assert abs(frame_height(page) - content_height(embed_frame(page))) <= 2
    ballot_height = frame_height(page)

    vote_in_frame(page, 2)
    expect(frame.locator(".flash-success")).to_have_text("Tak for din stemme.")
    page.wait_for_function(
        f"Math.abs(document.querySelector('iframe').getBoundingClientRect().height"
        f" - {ballot_height}) > 2")
    assert abs(frame_height(page) - content_height(embed_frame(page))) <= 2
    assert world.votes(slug) == before + 1
    assert world.sources(slug)[-1] == PARTNER_ID


def test_plain_iframe_snippet_works_and_counts_for_the_partner(world, reader):
    world.partner.pages["/iframe"] = (
        "<h1>Lederne.dk</h1>" + iframe_html(world.embed(OPEN_SLUG), "Ugens dilemma"))
    before = world.votes(OPEN_SLUG)
    _context, page = reader()
    page.goto(world.partner_url + "/iframe")
    frame = page.frame_locator("iframe")
    expect(frame.locator("#results")).to_have_count(0)  # after_vote: hidden until you vote
    vote_in_frame(page, 0)
    expect(frame.locator("#results .result")).to_have_count(5)
    expect(frame.locator(".total")).to_contain_text("i alt")
    assert world.votes(OPEN_SLUG) == before + 1
    assert world.sources(OPEN_SLUG)[-1] == PARTNER_ID


def test_votes_with_third_party_cookies_blocked_count_once_per_reader(world, reader):
    world.partner.pages["/blocked"] = iframe_html(world.embed(OPEN_SLUG), "Ugens dilemma")
    before = world.votes(OPEN_SLUG)
    context, page = reader()
    block_third_party_cookies(context, page)
    page.goto(world.partner_url + "/blocked")
    frame = embed_frame(page)
    # The setting is in force: an ordinary third-party cookie is dropped, a partitioned kept.
    frame.evaluate("document.cookie = 'plain=1; SameSite=None; Secure; Path=/'")
    frame.evaluate("document.cookie = 'chips=1; SameSite=None; Secure; Path=/; Partitioned'")
    assert "plain=1" not in frame.evaluate("document.cookie")
    assert "chips=1" in frame.evaluate("document.cookie")

    vote_in_frame(page, 4)
    assert world.votes(OPEN_SLUG) == before + 1
    # Back on the partner's page later: the frame still knows this reader and their vote.
    page.reload()
    located = page.frame_locator("iframe")
    expect(located.locator("#results .result.mine .option-number")).to_have_text("5")
    # Voting again in the frame changes this reader's answer; it adds no vote.
    located.get_by_text("Skift dit svar").click()
    located.locator("label.option").nth(1).click()
    located.get_by_role("button", name="Skift mit svar").click()
    expect(located.locator("#results .result.mine .option-number")).to_have_text("2")
    assert world.votes(OPEN_SLUG) == before + 1
    # Another reader on the same partner page is another vote.
    other_context, other = reader()
    block_third_party_cookies(other_context, other)
    other.goto(world.partner_url + "/blocked")
    vote_in_frame(other, 1)
    assert world.votes(OPEN_SLUG) == before + 2


def test_a_site_not_in_the_registry_cannot_frame_the_embed(world, reader):
    world.stranger.pages["/steal"] = iframe_html(world.embed(OPEN_SLUG), "Ugens dilemma")
    _context, page = reader()
    blocked = []
    page.on("console", lambda msg: blocked.append(msg.text) if "frame-ancestors" in msg.text
            else None)
    page.goto(world.stranger_url + "/steal")
    assert_blocked(page)
    assert any(world.app_url in text for text in blocked), blocked


@pytest.mark.parametrize("path", [f"/dilemmas/{OPEN_SLUG}", "/dilemmas", "/admin/login"])
def test_the_partner_cannot_frame_any_page_but_the_embed(world, reader, path):
    world.partner.pages["/other"] = f"<iframe src='{world.app_url}{path}'></iframe>"
    _context, page = reader()
    page.goto(world.partner_url + "/other")
    assert_blocked(page)


def test_a_height_from_a_foreign_origin_is_ignored(world, reader):
    world.partner.pages["/loader-closed"] = loader_html(
        f"{world.app_url}/static/embed.js", CLOSED_SLUG, PARTNER_ID)
    _context, page = reader()
    page.goto(world.partner_url + "/loader-closed")
    page.wait_for_function("document.querySelector('iframe').style.height !== ''")
    height = frame_height(page)
    # The partner's own page (another origin than the embed's) pretends to be the frame.
    page.evaluate("window.postMessage({type: 'dilemmaboard:height', height: 1234}, '*')")
    page.wait_for_timeout(500)
    assert frame_height(page) == height != 1234


def test_copy_link_copies_the_case_address_with_javascript(new_context, site):
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page = context.new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    link = page.get_by_role("link", name="Kopiér link")
    href = link.get_attribute("href")
    assert href.endswith(f"/dilemmas/{OPEN_SLUG}")
    link.click()
    expect(page.locator("#live-region")).to_have_text("Linket er kopieret.")
    assert page.evaluate("navigator.clipboard.readText()") == href
    assert page.url.endswith(f"/dilemmas/{OPEN_SLUG}")  # copied, not followed


def test_copy_link_is_a_plain_link_without_javascript(new_context):
    page = new_context(javascript=False).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    share = page.locator("section.share")
    expect(share.get_by_role("link", name="LinkedIn")).to_have_attribute(
        "href", re.compile(r"^https://www\.linkedin\.com/sharing/share-offsite/\?url="))
    expect(share.get_by_role("link", name="E-mail")).to_have_attribute(
        "href", re.compile(r"^mailto:\?subject="))
    expect(share.get_by_role("link", name="Kopiér link")).to_have_attribute(
        "href", re.compile(f"/dilemmas/{OPEN_SLUG}$"))
