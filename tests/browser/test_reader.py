"""Readers in Chromium: voting by mouse and keyboard, results, language, no JavaScript."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.site import CLOSED_SLUG, CLOSING_SLUG, ENGLISH_SLUG, OPEN_SLUG

SPOKEN = re.compile(r"^Svar ([1-5]): (\d+) %, (\d+) af (\d+) stemmer?$")


def percents(page) -> list[int]:
    return [int(re.match(r"\d+", text).group()) for text in
            page.locator("#results .percent").all_inner_texts()]


def mark_page(page) -> None:
    """Leave a flag in the window: it survives only if the page is not reloaded."""
    page.evaluate("window.__noReload = true")


def test_vote_with_the_mouse(page, console):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    expect(page.locator("#results")).to_have_count(0)
    mark_page(page)
    page.locator("label.option").nth(2).click()
    page.get_by_role("button", name="Stem").click()
    expect(page.locator("#results")).to_be_visible()
    assert page.evaluate("window.__noReload") is True, "voting reloaded the page"
    mine = page.locator("#results .result.mine")
    expect(mine).to_have_count(1)
    expect(mine.locator(".my-choice")).to_have_text("Dit svar")
    expect(mine.locator(".option-number")).to_have_text("3")
    expect(page.locator("#live-region")).to_contain_text("Tak for din stemme.")
    expect(page.locator("#flashes")).to_contain_text("Tak for din stemme.")
    assert console.errors == []


def test_vote_with_the_keyboard_only(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Gå til indholdet", "the skip link is not the first stop"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    else:
        raise AssertionError("Tab never reached the options")
    page.keyboard.press("ArrowDown")  # the radio group: arrows move and choose
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "3"
    assert page.evaluate("document.activeElement.checked") is True
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    page.keyboard.press("Enter")
    expect(page.locator("#results .result.mine .option-number")).to_have_text("3")
    # Focus moved to the new results, so the keyboard user continues from there.
    expect(page.locator("#results")).to_be_focused()


def test_results_appear_and_sum_to_100(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator("label.option").first.click()
    page.get_by_role("button", name="Stem").click()
    expect(page.locator("#results .result")).to_have_count(5)
    assert sum(percents(page)) == 100
    total = int(re.search(r"\d+", page.locator(".total strong").inner_text()).group())
    spoken = page.locator("#results .result-figures .visually-hidden").all_inner_texts()
    assert len(spoken) == 5
    counted = 0
    for number, sentence in enumerate(spoken, start=1):
        match = SPOKEN.match(sentence.strip())
        assert match, f"not readable as a sentence: {sentence!r}"
        assert int(match.group(1)) == number and int(match.group(4)) == total
        counted += int(match.group(3))
    assert counted == total


def test_change_the_vote(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator("label.option").nth(0).click()
    page.get_by_role("button", name="Stem").click()
    expect(page.locator("#results .result.mine .option-number")).to_have_text("1")
    page.get_by_text("Skift dit svar").click()
    page.locator("label.option").nth(3).click()
    page.get_by_role("button", name="Skift mit svar").click()
    expect(page.locator("#results .result.mine .option-number")).to_have_text("4")
    expect(page.locator("#results .result.mine")).to_have_count(1)
    expect(page.locator("#live-region")).to_contain_text("Din stemme er ændret.")
    assert sum(percents(page)) == 100


def test_vote_with_javascript_disabled(new_context):
    page = new_context(javascript=False).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator("label.option").nth(4).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Stem").click()
    assert page.url.endswith(f"/dilemmas/{OPEN_SLUG}#results")
    expect(page.locator("#flashes")).to_contain_text("Tak for din stemme.")
    expect(page.locator("#results .result.mine .option-number")).to_have_text("5")
    assert sum(percents(page)) == 100
    # Changing the vote also works as a plain form: <details> opens without JavaScript.
    page.get_by_text("Skift dit svar").click()
    page.locator("label.option").nth(1).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Skift mit svar").click()
    expect(page.locator("#results .result.mine .option-number")).to_have_text("2")


def test_vote_refused_in_place_when_the_case_closed_meanwhile(page, site):
    from sqlalchemy import select

    from dilemmaboard.extensions import db
    from dilemmaboard.models import Case

    page.goto(f"/dilemmas/{CLOSING_SLUG}")
    with site.app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == CLOSING_SLUG)).one()
        case.state_override = "closed"
        db.session.commit()
    mark_page(page)
    page.locator("label.option").nth(0).click()
    page.get_by_role("button", name="Stem").click()
    alert = page.locator(".vote-form .form-error")
    expect(alert).to_have_text("Afstemningen er lukket, så din stemme blev ikke registreret.")
    expect(alert).to_have_attribute("role", "alert")
    expect(page.locator("#live-region")).to_contain_text("Afstemningen er lukket")
    assert page.evaluate("window.__noReload") is True
    expect(page.get_by_role("button", name="Stem")).to_be_enabled()


def test_switch_language(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("#vote-heading")).to_have_text("Dit valg")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#vote-heading")).to_have_text("Your choice")
    assert page.url.endswith(f"/dilemmas/{OPEN_SLUG}")
    # The case itself stays in its own language and says so.
    expect(page.locator("article.case")).to_have_attribute("lang", "da")
    expect(page.locator("article.case h1")).to_have_text("Én kursusplads og fire ansøgere")
    # The choice is remembered: other pages are English too.
    page.get_by_role("link", name="Archive").click()
    expect(page.locator("h1")).to_have_text("All dilemmas")
    page.locator("label.option").count()  # nothing to vote on here; just no error
    page.get_by_role("link", name="Dansk").click()
    expect(page.locator("h1")).to_have_text("Alle dilemmaer")


def test_english_browser_gets_english(new_context):
    page = new_context(locale="en-GB").new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("label.option").nth(1).click()
    page.get_by_role("button", name="Vote").click()
    expect(page.locator("#results .my-choice")).to_have_text("Your answer")
    assert all(text.endswith("%") and " " not in text
               for text in page.locator("#results .percent").all_inner_texts())
    expect(page.locator(".total")).to_contain_text(re.compile(r"\d+ votes? in total"))


def test_english_case_is_marked_english_in_a_danish_page(page):
    page.goto(f"/dilemmas/{ENGLISH_SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("article.case")).to_have_attribute("lang", "en")
    for text_span in page.locator(".option .option-text").all():
        expect(text_span).to_have_attribute("lang", "en")


def test_closed_case_shows_results_chart_and_followup(page):
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    expect(page.locator("form.vote-form")).to_have_count(0)
    expect(page.locator("#results .result")).to_have_count(5)
    assert sum(percents(page)) == 100
    chart = page.locator("svg.chart")
    expect(chart).to_be_visible()
    expect(chart.locator("polyline")).to_have_count(5)
    expect(chart).to_have_attribute("role", "img")
    page.get_by_text("Se tallene dag for dag").click()
    rows = page.locator(".chart-table tbody tr")
    assert rows.count() >= 2
    expect(page.locator(".followup")).to_contain_text("Eksperten anbefaler")
    expect(page.locator(".state")).to_have_text("Lukket")


def test_archive_shows_winner_and_total(page):
    page.goto("/dilemmas")
    items = page.locator(".archive-item")
    titles = items.locator(".archive-title").all_inner_texts()
    assert "Kladde – lønsamtalen" not in titles
    closed = items.filter(has_text="Fredagsbaren der blev for våd")
    expect(closed.locator(".winner")).to_contain_text("Flest valgte:")
    expect(closed.locator(".winner-number")).to_have_count(1)
    expect(closed.locator(".total-votes")).to_contain_text(re.compile(r"^\d+ stemmer$"))
    # An open case's winner stays hidden until this reader has voted.
    open_case = items.filter(has_text="Én kursusplads og fire ansøgere")
    expect(open_case.locator(".winner-hidden")).to_be_visible()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator("label.option").nth(2).click()
    page.get_by_role("button", name="Stem").click()
    expect(page.locator("#results")).to_be_visible()
    page.goto("/dilemmas")
    expect(open_case.locator(".winner-label")).to_have_text("Flest stemmer indtil nu:")
    expect(open_case.locator(".my-answer")).to_have_text("Dit svar: 3")
