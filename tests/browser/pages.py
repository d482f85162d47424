"""What a reader or an editor does in the browser, step by step; shared by the browser tests."""
from __future__ import annotations

import itertools

from playwright.sync_api import expect

from tests.browser.site import CLOSED_SLUG, DRAFT_SLUG, ENGLISH_SLUG, OPEN_SLUG

_names = itertools.count(1)


def vote(page, slug: str, option: int) -> None:
    """Vote on a case as this page's reader (the page may be anywhere)."""
    if not page.url.endswith(f"/dilemmas/{slug}"):
        page.goto(f"/dilemmas/{slug}")
    page.locator(f'.vote-form input[name="option"][value="{option}"]').check()
    page.locator(".vote-form button[type=submit]").click()
    expect(page.locator("#results .result.mine .option-number")).to_have_text(str(option))


def post_comment(page, slug: str, body: str, name: str | None = None,
                 shown: str | None = None) -> str:
    """Write a top-level comment (the reader must have voted); return its element id.

    `shown` is the text as rendered, when the Markdown body differs from it.
    """
    name = name or f"Læser {next(_names)}"
    form = page.locator("form#comment-form")
    form.get_by_label("Navn").fill(name)
    form.get_by_label("Hvorfor valgte du dit svar?").fill(body)
    form.get_by_role("button", name="Send kommentar").click()
    author = page.locator(".comment-author").get_by_text(name, exact=True)
    comment = page.locator("article.comment", has=author)
    expect(comment).to_contain_text(shown or body)
    expect(comment).to_be_visible()
    return comment.get_attribute("id")


def editor_login(page, login: tuple[str, str]) -> None:
    page.goto("/admin/login")
    page.get_by_label("Brugernavn").fill(login[0])
    page.get_by_label("Adgangskode").fill(login[1])
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("nav.admin-nav")).to_be_visible()


# Every page type a reader or an editor meets: name -> how to get there.
# The editors' pages expect a context that is already logged in (see `editor_state`).
def _front(page):
    page.goto("/")


def _case_open(page):
    page.goto(f"/dilemmas/{OPEN_SLUG}")


def _case_results_and_comments(page):
    vote(page, OPEN_SLUG, 2)
    post_comment(page, OPEN_SLUG, "Det handler om *retfærdighed* – og om at forklare sig.",
                 shown="Det handler om retfærdighed – og om at forklare sig.")


def _case_closed_chart(page):
    page.goto(f"/dilemmas/{CLOSED_SLUG}")
    page.get_by_text("Se tallene dag for dag").click()


def _case_english(page):
    page.goto(f"/dilemmas/{ENGLISH_SLUG}")


def _case_in_english_ui(page):
    page.goto(f"/language/en?next=/dilemmas/{CLOSED_SLUG}")


def _comment_edit(page):
    vote(page, OPEN_SLUG, 4)
    comment_id = post_comment(page, OPEN_SLUG, "Jeg retter den her om lidt.")
    page.locator(f"#{comment_id}").get_by_role("link", name="Ret eller slet").click()
    expect(page.locator("textarea")).to_be_visible()


def _comment_report(page):
    vote(page, OPEN_SLUG, 1)
    comment_id = post_comment(page, OPEN_SLUG, "Nogen vil måske anmelde den her.")
    # Another reader's view: the author sees "Ret eller slet" instead of "Anmeld".
    page.context.clear_cookies()
    page.goto(f"/comments/{comment_id.split('-')[1]}/report")
    expect(page.get_by_role("heading", name="Anmeld en kommentar")).to_be_visible()


def _goto(path: str):
    def visit(page):
        page.goto(path)
    return visit


READER_PAGES = {
    "front page (open case)": _front,
    "case, vote form": _case_open,
    "case, results and comments": _case_results_and_comments,
    "closed case, chart and follow-up": _case_closed_chart,
    "English case in Danish UI": _case_english,
    "case in English UI": _case_in_english_ui,
    "comment edit page": _comment_edit,
    "comment report page": _comment_report,
    "archive": _goto("/dilemmas"),
    "embed (a partner's frame)": _goto(f"/embed/{OPEN_SLUG}?partner=lederne"),
    "research data page": _goto("/data"),
    "error page (404)": _goto("/dilemmas/findes-ikke"),
    "editors: login": _goto("/admin/login"),
}
EDITOR_PAGES = {
    "editors: dashboard": _goto("/admin/"),
    "editors: case": _goto(f"/admin/dilemmas/{OPEN_SLUG}"),
    "editors: draft preview": _goto(f"/admin/dilemmas/{DRAFT_SLUG}/preview"),
    "editors: draft preview, results": _goto(f"/admin/dilemmas/{DRAFT_SLUG}/preview?view=results"),
    "editors: case comments": _goto(f"/admin/dilemmas/{OPEN_SLUG}/comments"),
    "editors: comment queue": _goto("/admin/comments"),
    "editors: audit log": _goto("/admin/audit"),
    "editors: partners": _goto("/admin/partners"),
}
PAGE_TYPES = {**READER_PAGES, **EDITOR_PAGES}


def open_page_type(new_context, editor_state, name: str, **context_options):
    """A fresh context (logged in as the editor for the editors' pages) on page type `name`."""
    if name in EDITOR_PAGES:
        context_options["storage_state"] = editor_state
    page = new_context(**context_options).new_page()
    PAGE_TYPES[name](page)
    page.wait_for_load_state()
    return page
