"""The comment blog in Chromium: posting with the option badge, refusals in place, filtering."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import post_comment, vote
from tests.browser.site import OPEN_SLUG


def test_post_a_comment_and_see_its_option_badge(page, console):
    vote(page, OPEN_SLUG, 3)
    page.evaluate("window.__noReload = true")
    comment_id = post_comment(page, OPEN_SLUG, "Jeg vælger **det fælles** svar.", name="Hanne",
                              shown="Jeg vælger det fælles svar.")
    assert page.evaluate("window.__noReload") is True, "posting reloaded the page"
    comment = page.locator(f"#{comment_id}")
    expect(comment.locator(".option-badge")).to_have_text("Valgte svar 3")
    expect(comment.locator(".comment-body strong")).to_have_text("det fælles")
    expect(comment).to_be_focused()
    expect(page.locator("#live-region")).to_contain_text("Tak for din kommentar.")
    assert console.errors == []


def test_comment_needs_a_vote_first(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    expect(page.locator("form#comment-form")).to_have_count(0)
    expect(page.locator(".comment-gate")).to_contain_text("Stem først")
    # Voting swaps the comment section too: the form appears without a reload.
    vote(page, OPEN_SLUG, 1)
    expect(page.locator("form#comment-form")).to_be_visible()


def test_refused_comment_keeps_the_text_and_says_why(page):
    vote(page, OPEN_SLUG, 2)
    form = page.locator("form#comment-form")
    form.get_by_label("Navn").fill("Kim")
    form.get_by_label("Hvorfor valgte du dit svar?").fill("   ")  # passes `required`, not us
    form.get_by_role("button", name="Send kommentar").click()
    error = page.locator("#comments .form-error")
    expect(error).to_have_text("Skriv en kommentar.")
    expect(error).to_be_focused()
    expect(page.locator("form#comment-form").get_by_label("Navn")).to_have_value("Kim")


def test_comment_without_javascript(new_context):
    page = new_context(javascript=False).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator('.vote-form input[name="option"][value="5"]').check()
    with page.expect_navigation():
        page.locator(".vote-form button[type=submit]").click()
    form = page.locator("form#comment-form")
    form.get_by_label("Navn").fill("Uden JS")
    form.get_by_label("Hvorfor valgte du dit svar?").fill("Det virker også uden JavaScript.")
    with page.expect_navigation():
        form.get_by_role("button", name="Send kommentar").click()
    assert re.search(r"#comment-\d+$", page.url)
    comment = page.locator("article.comment", has_text="Det virker også uden JavaScript.")
    expect(comment.locator(".option-badge")).to_have_text("Valgte svar 5")


def test_filter_comments_by_option(new_context):
    for option, text in ((1, "Svar et, fordi det er enklest."), (4, "Svar fire, helt klart.")):
        reader = new_context().new_page()
        vote(reader, OPEN_SLUG, option)
        post_comment(reader, OPEN_SLUG, text)
    page = new_context().new_page()
    vote(page, OPEN_SLUG, 2)  # the answers (and the filter) show once results do
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    filters = page.get_by_role("navigation", name="Vis kommentarer efter svar")
    link = filters.get_by_role("link", name=re.compile(r"^Svar 4 \(\d+\)$"))
    expected = int(re.search(r"\((\d+)\)", link.inner_text()).group(1))
    link.click()
    assert page.url.endswith("?option=4#comments")
    expect(filters.get_by_role("link", name=re.compile(r"^Svar 4"))).to_have_attribute(
        "aria-current", "true")
    badges = page.locator("#comments .comment:not(.comment-reply) .option-badge")
    expect(badges.first).to_be_visible()
    assert set(badges.all_inner_texts()) == {"Valgte svar 4"}
    assert badges.count() == min(expected, 50)
    expect(page.locator("#comments")).not_to_contain_text("Svar et, fordi det er enklest.")
    filters.get_by_role("link", name="Alle").click()
    expect(page.locator("#comments")).to_contain_text("Svar et, fordi det er enklest.")


def test_report_a_comment(new_context):
    author = new_context().new_page()
    vote(author, OPEN_SLUG, 2)
    comment_id = post_comment(author, OPEN_SLUG, "En kommentar, nogen vil anmelde.")
    page = new_context().new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    # Reporting asks why first, on a page of its own (no one-click reports).
    page.locator(f"#{comment_id}").get_by_role("link", name="Anmeld").click()
    expect(page.get_by_role("heading", name="Anmeld en kommentar")).to_be_visible()
    page.get_by_role("button", name="Send anmeldelsen").click()
    expect(page).to_have_url(re.compile(r"/comments/\d+/report$"))  # `required`: still here
    page.get_by_label("Den er spam eller reklame").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send anmeldelsen").click()
    assert page.url.endswith(f"#{comment_id}")
    expect(page.locator("#flashes")).to_contain_text("Tak. Redaktionen ser på kommentaren.")
