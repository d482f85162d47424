"""How the pages look (issue 15): spacing, print, chart labels on a phone, dark mode, fonts."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PAGE_TYPES, open_page_type, post_comment, vote
from tests.browser.site import CLOSED_SLUG, OPEN_SLUG

PHONE = {"width": 375, "height": 740}


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", ["/", "/dilemmas"])
def test_masthead_and_heading_keep_clear_of_the_edges(new_context, width, path):
    """Issue 15.2: `.wrap` padding wiped out the header's and main's top padding."""
    page = new_context(width=width, height=800).new_page()
    page.goto(path)
    brand, header, h1 = box(page, ".brand"), box(page, ".site-header"), box(page, "main h1")
    assert brand["y"] >= 10, f"the logo is {brand['y']:.0f}px from the top edge"
    assert brand["x"] >= 12, f"the logo is {brand['x']:.0f}px from the left edge"
    header_bottom = header["y"] + header["height"]
    assert h1["y"] - header_bottom >= 16, (
        f"the h1 is {h1['y'] - header_bottom:.0f}px under the header")


def test_a_flash_message_does_not_touch_the_header(new_context):
    page = new_context(javascript=False, **PHONE).new_page()
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.locator("label.option").nth(0).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Stem").click()
    header, flash = box(page, ".site-header"), box(page, ".flash")
    assert flash["y"] - (header["y"] + header["height"]) >= 12


def test_print_shows_the_case_options_result_and_followup_only(page):
    """Issue 15.12: no comment form, reply toggles, filter chips or "Skift dit svar" on paper."""
    vote(page, OPEN_SLUG, 2)
    post_comment(page, OPEN_SLUG, "En kommentar, der ikke skal med på papir.")
    for selector in ("#comment-form", ".reply-box", ".comment-filter", ".change-vote"):
        expect(page.locator(selector).first).to_be_visible()
    page.emulate_media(media="print")
    hidden = page.evaluate("""selectors => selectors.map(s => [s,
        [...document.querySelectorAll(s)].map(e => getComputedStyle(e).display)])""",
                           [".comment-form", ".reply-box", ".comment-filter", ".change-vote",
                            ".comments", ".site-header nav", ".site-footer"])
    for selector, displays in hidden:
        assert displays and set(displays) == {"none"}, f"{selector} prints: {displays}"
    expect(page.locator("article.case h1")).to_be_visible()
    expect(page.locator("#results .result")).to_have_count(5)
    expect(page.locator("#results .result").first).to_be_visible()
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"this short case prints on {pages} A4 pages (its comments printed on 2)"


def test_print_keeps_the_options_for_a_reader_who_has_not_voted(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")
    page.emulate_media(media="print")
    options = page.locator(".vote-form .option")
    expect(options).to_have_count(5)
    for i in range(5):
        expect(options.nth(i)).to_be_visible()
    expect(page.locator(".vote-form button[type=submit]")).to_be_hidden()


def test_print_of_a_closed_case_keeps_the_followup_and_chart(page):
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    page.emulate_media(media="print")
    expect(page.locator(".followup")).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator(".chart-table")).to_be_hidden()


def rendered_label_sizes(page) -> list[float]:
    """Each chart label's font size on screen: its CSS size times the SVG's scale."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.chart text')]
        .filter(t => t.getClientRects().length)
        .map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)""")


@pytest.mark.parametrize("width", [375, 320, 1280])
def test_chart_labels_stay_readable(new_context, width):
    """Issue 15.14: the chart was drawn small and scaled, so its labels were ~7px on a phone."""
    page = new_context(width=width, height=740).new_page()
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    sizes = rendered_label_sizes(page)
    assert len(sizes) >= 9  # 5 end labels, the y axis (0-30 %), at least the first and last day
    assert min(sizes) >= 12, f"chart labels at {width}px: {sorted(set(round(s, 1) for s in sizes))}"
    assert max(sizes) <= 16, f"chart labels at {width}px: {sorted(set(round(s, 1) for s in sizes))}"
    chart = box(page, "svg.chart")
    assert chart["width"] <= width


def test_chart_lines_fill_the_plot_and_labels_do_not_overlap(new_context):
    page = new_context(**PHONE).new_page()
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    chart = box(page, "svg.chart")
    lines = [line.bounding_box() for line in page.locator("svg.chart polyline").all()]
    assert min(b["x"] for b in lines) < chart["x"] + 60
    assert max(b["x"] + b["width"] for b in lines) > chart["x"] + chart["width"] - 40
    ends = sorted(b["y"] for b in (t.bounding_box() for t in
                                   page.locator("svg.chart .end-label").all()))
    assert len(ends) == 5
    gaps = [b - a for a, b in zip(ends, ends[1:], strict=False)]
    assert min(gaps) >= 11, f"end labels overlap: {ends}"


def luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("path", ["/", f"/dilemmas/{CLOSED_SLUG}", "/admin/login"])
def test_dark_mode_follows_the_system(new_context, path):
    dark = new_context(color_scheme="dark").new_page()
    dark.goto(path)
    body = dark.evaluate("getComputedStyle(document.body).backgroundColor")
    text = dark.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert luminance(body) < 0.2, f"dark scheme, light background: {body}"
    assert luminance(text) > 0.7, f"dark scheme, dark text: {text}"
    light = new_context(color_scheme="light").new_page()
    light.goto(path)
    assert luminance(light.evaluate("getComputedStyle(document.body).backgroundColor")) > 0.9


def test_the_type_is_our_own_and_loads(page):
    """The self-hosted faces from static/fonts load (the CSP allows them, nothing external)."""
    fonts = []
    page.on("request", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    page.evaluate("document.fonts.ready.then(() => true)")
    loaded = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'loaded')
        .map(f => f.family.replace(/"/g, ''))""")
    assert {"Newsreader", "Source Sans 3"} <= set(loaded), loaded
    assert fonts and all(url.startswith(page.url.split("/dilemmas")[0] + "/static/fonts/")
                         for url in fonts), fonts
    h1 = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert h1.startswith("Newsreader")


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_sideways_scroll_at_320_in_dark_mode(name, new_context, editor_state):
    page = open_page_type(new_context, editor_state, name, width=320, height=740,
                          color_scheme="dark")
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{name} scrolls sideways at 320px: {scroll} > {client}"


@pytest.mark.parametrize("width, first", [(375, "4"), (1280, "1")])
def test_on_a_phone_your_answer_leads_the_results(new_context, width, first):
    """Phone layout: after voting, your own answer is the first result on screen; on a wide
    screen the results keep the ballot's order. Screen readers get the ballot's order."""
    page = new_context(width=width, height=800).new_page()
    vote(page, OPEN_SLUG, 4)
    rows = page.locator("#results .result").all()
    top = min(rows, key=lambda row: row.bounding_box()["y"])
    expect(top.locator(".option-number")).to_have_text(first)
    expect(page.locator("#results .result").first.locator(".option-number")).to_have_text("1")
