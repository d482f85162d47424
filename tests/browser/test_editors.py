"""The editors' desk in Chromium: log in, preview a draft, hide a reader's comment."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import editor_login as log_in
from tests.browser.pages import post_comment, vote
from tests.browser.site import DRAFT_SLUG, OPEN_SLUG


def test_wrong_password_is_refused(page, editor_login):
    page.goto("/admin/login")
    page.get_by_label("Brugernavn").fill(editor_login[0])
    page.get_by_label("Adgangskode").fill("forkert-adgangskode")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("alert")).to_have_text("Forkert brugernavn eller adgangskode.")
    expect(page.locator("nav.admin-nav")).to_have_count(0)


def test_editor_logs_in_previews_a_draft_and_hides_a_comment(new_context, editor_login):
    # A reader votes and comments.
    reader = new_context().new_page()
    vote(reader, OPEN_SLUG, 1)
    comment_id = post_comment(reader, OPEN_SLUG, "Denne kommentar skal skjules.")

    # The editor logs in through the form and lands on the dashboard.
    editor = new_context().new_page()
    editor.goto("/admin/")
    assert "/admin/login" in editor.url, "the desk must ask for a login first"
    log_in(editor, editor_login)
    expect(editor.get_by_role("heading", name="Redaktionen", level=1)).to_be_visible()
    draft_row = editor.locator(f'tr[data-slug="{DRAFT_SLUG}"]')
    expect(draft_row.locator(".state")).to_have_text("Kladde")

    # The draft is a 404 for readers, but the editor can preview it.
    assert reader.goto(f"/dilemmas/{DRAFT_SLUG}").status == 404
    draft_row.get_by_role("link", name="Forhåndsvis").click()
    expect(editor.locator(".preview-banner")).to_contain_text("Forhåndsvisning")
    expect(editor.locator("article.case")).to_contain_text("kun redaktionen kan se")

    # The editor hides the comment with a reason.
    editor.goto(f"/admin/dilemmas/{OPEN_SLUG}/comments")
    card = editor.locator(f"#{comment_id}")
    card.get_by_label("Begrundelse").fill("Test af moderation")
    card.get_by_role("button", name="Skjul").click()
    expect(editor.locator(f"#{comment_id} .status")).to_have_text("Skjult")

    # Readers no longer see it.
    reader.goto(f"/dilemmas/{OPEN_SLUG}")
    expect(reader.locator("#comments")).not_to_contain_text("Denne kommentar skal skjules.")
