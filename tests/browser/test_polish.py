"""Issue 15 in Chromium: leaving the edit page, a shuffled ballot, from the vote to the
comment form on a phone, and sorting the comments without JavaScript."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import post_comment, vote
from tests.browser.site import OPEN_SLUG, LiveServer, build_app, case_file

PHONE = {"width": 375, "height": 740}


def test_saving_an_edit_with_javascript_returns_to_the_comment(page):
    vote(page, OPEN_SLUG, 4)
    comment_id = post_comment(page, OPEN_SLUG, "Første udgave af min begrundelse.")
    page.locator(f"#{comment_id}").get_by_role("link", name="Ret eller slet").click()
    page.locator("#edit-body").fill("Anden udgave af min begrundelse.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem rettelsen").click()
    # As without JavaScript: back on the case page, at the comment.
    assert re.search(rf"/dilemmas/{OPEN_SLUG}(\?page=\d+)?#{comment_id}$", page.url), page.url
    comment = page.locator(f"#{comment_id}")
    expect(comment).to_contain_text("Anden udgave af min begrundelse.")
    expect(page.locator("#flashes")).to_contain_text("Din kommentar er rettet.")


def test_a_shuffled_ballot_shows_no_stored_numbers_and_results_keep_them(chromium, tmp_path):
    folder = tmp_path / "dilemmas"
    folder.mkdir()
    options = [f"Mulighed nummer {n}" for n in range(1, 6)]
    case_file(folder, "blandet", title="Blandet rækkefølge", publish="2020-01-06T08:00",
              closes="2099-01-05T12:00", options=options, body="Hvad vælger du?",
              extra="shuffle: true")
    app = build_app(tmp_path / "site", folder)
    with LiveServer(app) as server:
        context = chromium.new_context(base_url=server.url, locale="da-DK")
        try:
            page = context.new_page()
            page.goto("/dilemmas/blandet")
            ballot = page.locator(".vote-form")
            expect(ballot.locator("label.option")).to_have_count(5)
            # No "3, 1, 4, 5, 2": the shuffled ballot shows the answers without numbers.
            expect(ballot.locator(".option-number")).to_have_count(0)
            ballot.locator("label.option", has_text="Mulighed nummer 3").click()
            page.get_by_role("button", name="Stem").click()
            # The results are in stored order, with their numbers: the reader's is number 3.
            expect(page.locator("#results .result.mine .option-number")).to_have_text("3")
            expect(page.locator("#results .result.mine .option-text")).to_have_text(
                "Mulighed nummer 3")
            assert page.locator("#results .option-number").all_inner_texts() == [
                "1", "2", "3", "4", "5"]
        finally:
            context.close()


def test_on_a_phone_the_vote_leads_to_the_comment_form(new_context):
    page = new_context(width=PHONE["width"], height=PHONE["height"]).new_page()
    vote(page, OPEN_SLUG, 2)
    link = page.locator("#vote-area").get_by_role("link", name="Skriv din begrundelse")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", name="Skriv din begrundelse")).to_be_in_viewport()
    expect(page.locator("form#comment-form textarea")).to_be_visible()


def test_on_a_phone_without_javascript_the_thanks_lead_to_the_comment_form(new_context):
    page = new_context(javascript=False, **PHONE).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator('.vote-form input[name="option"][value="1"]').check()
    with page.expect_navigation():
        page.locator(".vote-form button[type=submit]").click()
    link = page.locator("#vote-area").get_by_role("link", name="Skriv din begrundelse")
    link.click()
    expect(page.get_by_role("heading", name="Skriv din begrundelse")).to_be_in_viewport()


def _top_level_ids(page) -> list[int]:
    ids = page.locator("#comments article.comment:not(.comment-reply)").evaluate_all(
        "nodes => nodes.map(n => n.id)")
    return [int(i.split("-")[1]) for i in ids]


def test_sort_comments_without_javascript_keeps_the_filter(new_context):
    for text in ("Svar fire, skrevet først.", "Svar fire, skrevet bagefter."):
        reader = new_context().new_page()
        vote(reader, OPEN_SLUG, 4)
        post_comment(reader, OPEN_SLUG, text)
    page = new_context(javascript=False).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator('.vote-form input[name="option"][value="4"]').check()
    with page.expect_navigation():
        page.locator(".vote-form button[type=submit]").click()
    page.get_by_role("navigation", name="Vis kommentarer efter svar").get_by_role(
        "link", name=re.compile(r"^Svar 4")).click()
    oldest = _top_level_ids(page)
    assert oldest == sorted(oldest) and len(oldest) >= 2
    sort = page.get_by_role("navigation", name="Sorter kommentarerne")
    sort.get_by_role("link", name="Nyeste først").click()
    assert "option=4" in page.url and "sort=newest" in page.url
    newest = _top_level_ids(page)
    assert newest == sorted(newest, reverse=True)
    expect(sort.get_by_role("link", name="Nyeste først")).to_have_attribute(
        "aria-current", "true")
    assert set(page.locator("#comments .comment:not(.comment-reply) .option-badge")
               .all_inner_texts()) == {"Valgte svar 4"}
    sort.get_by_role("link", name="Flest svar").click()
    assert "sort=replies" in page.url and "option=4" in page.url
