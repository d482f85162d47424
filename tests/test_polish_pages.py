"""Issue 15's findings over HTTP: the desk keeps the editor, pages say what they mean."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from dilemmaboard.comments.counters import comment_counter_mismatches
from dilemmaboard.desk.problem_words import message_words
from dilemmaboard.extensions import db
from dilemmaboard.factory import create_app
from dilemmaboard.models import Comment, CommentReport
from tests.admin_helpers import (
    CLOSED,
    DRAFT,
    OPEN,
    SCHEDULED,
    Desk,
    add_login,
    audit_rows,
    comment_status,
    desk_app,
    report,
    write_comment,
)
from tests.conftest import Reader, csrf_token_from, write_case


@pytest.fixture
def site(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir)
    add_login(app)
    return app


@pytest.fixture
def desk(site):
    return Desk(site.test_client())


def page_of(app, path: str, client=None) -> str:
    response = (client or app.test_client()).get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def reply(app, parent_id: int, body: str, slug: str = OPEN) -> int:
    reader = Reader(app.test_client())
    assert reader.vote(slug, "3").status_code == 303
    response = reader.client.post(f"/dilemmas/{slug}/comments", data={
        "name": "Svarer", "body": body, "parent_id": str(parent_id),
        "csrf_token": reader.token(f"/dilemmas/{slug}")})
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("#comment-", 1)[1])


# --- 4: a desk form error shows the desk form it came from ---------------------------------

@pytest.mark.parametrize("bulk", [False, True])
def test_hiding_without_a_reason_on_a_case_list_shows_that_list_again(site, desk, bulk):
    comment_id = write_comment(site)
    here = f"/admin/dilemmas/{OPEN}/comments?status=visible"
    if bulk:
        response = desk.post("/admin/comments/bulk", action="hide", reason="",
                             ids=str(comment_id), next=here)
    else:
        response = desk.moderate(comment_id, "hide", "", next=here)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="admin-nav"' in page and "<h1>Alle kommentarer</h1>" in page
    assert '<p class="form-error" role="alert">' in page
    assert "Skriv en begrundelse for at skjule eller slette." in page
    assert f'id="comment-{comment_id}"' in page and "Fejlkode" not in page
    assert comment_status(site, comment_id) == "visible"


def test_a_form_error_with_a_foreign_next_shows_the_queue(site, desk):
    comment_id = write_comment(site)
    response = desk.moderate(comment_id, "hide", "", next="https://evil.example/admin/")
    assert response.status_code == 400
    assert 'id="held"' in response.get_data(as_text=True)


# --- 6: preview both states, at the readers' width, in words --------------------------------

def test_preview_shows_the_ballot_a_new_reader_meets(site, desk):
    page = desk.page(f"/admin/dilemmas/{DRAFT}/preview")
    assert page.count('type="radio" name="option"') == 5
    assert 'id="results"' not in page and "Kladdens opfølgning." not in page
    assert "tilstand: draft" not in page
    assert '<span class="state state-draft">Kladde</span>' in page
    assert f"/dilemmas/{DRAFT}/comments.xml" not in page  # no link that is a 404
    assert f'href="/admin/dilemmas/{DRAFT}/preview?view=results"' in page
    assert 'class="section-admin page-case' in page


def test_preview_shows_results_and_follow_up(site, desk):
    page = desk.page(f"/admin/dilemmas/{DRAFT}/preview?view=results")
    assert 'id="results"' in page and "Kladdens opfølgning." in page
    assert 'name="option"' not in page
    assert desk.page(f"/admin/dilemmas/{DRAFT}/preview?view=nonsense").count(
        'name="option"') == 5


def test_preview_in_english_names_the_state_in_english(site, desk):
    desk.client.get("/language/en")
    page = desk.page(f"/admin/dilemmas/{SCHEDULED}/preview")
    assert '<span class="state state-scheduled">Scheduled</span>' in page
    assert "state: scheduled" not in page


def test_a_preview_is_laid_out_at_the_readers_width():
    with open("static/style.css", encoding="utf-8") as css:
        rule = re.search(r"\.section-admin\.page-case \.wrap \{ max-width: ([\d.]+rem); \}",
                         css.read())
    reader = re.search(r"^\.wrap \{ max-width: ([\d.]+rem);", open(
        "static/style.css", encoding="utf-8").read(), re.M)
    assert rule and reader and rule.group(1) == reader.group(1)


# --- 8: the desk speaks words, not codes ------------------------------------------------------

def test_the_audit_log_reads_as_words(site, desk):
    comment_id = write_comment(site)
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Afgjort.")
    desk.moderate(comment_id, "hide", "Grov tone.")
    page = desk.page("/admin/audit")
    assert "Lukkede afstemningen" in page and f"casen {OPEN}" in page
    assert "Skjulte" in page and f"kommentar {comment_id} til {OPEN}" in page
    assert "Loggede ind" in page and "login redaktor" in page
    assert "<code>" not in page and ">close<" not in page and "comment " not in page
    # The rows keep their codes.
    assert ("redaktor", "hide", f"comment {comment_id} on {OPEN}", "Grov tone.") in \
        audit_rows(site)


def test_the_audit_log_in_english(site, desk):
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Settled.")
    desk.client.get("/language/en")
    page = desk.page("/admin/audit")
    assert "Closed voting" in page and f"case {OPEN}" in page


def test_the_reload_counts_with_plurals(site, desk, dilemmas_dir):
    write_case(dilemmas_dir, "en-ny", title="En ny")
    write_case(dilemmas_dir, "to-ny", title="To ny")
    response = desk.post("/admin/reload")
    assert "Cases genindlæst: 2 nye, 0 ændrede" in desk.page(response.headers["Location"])
    (dilemmas_dir / "to-ny.md").unlink()
    response = desk.post("/admin/reload")
    page = desk.page(response.headers["Location"])
    assert "0 nye, 0 ændrede, 5 uændrede" in page
    audit = desk.page("/admin/audit")
    assert "Genindlæste cases" in audit and "2 nye, 0 ændrede, 4 uændrede" in audit


# --- 9: nobody voted -------------------------------------------------------------------------

def test_a_closed_case_without_votes_says_nobody_voted(site):
    page = page_of(site, f"/dilemmas/{CLOSED}")
    assert "Ingen stemte på dette dilemma." in page
    assert "0 af 0 stemmer" not in page and 'class="bar-track"' not in page
    assert page.count('<li value="') == 5  # the options are still there to read


def test_an_open_case_without_votes_says_nobody_has_voted_yet(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "altid", extra="results: always")
    page = page_of(make_app(), "/dilemmas/altid")
    assert "Ingen har stemt endnu." in page and "0 af 0 stemmer" not in page


# --- 10: no space before a full stop in a flex row ----------------------------------------------

class _LooseText(HTMLParser):
    """Text lying directly in a <p class="meta"> (a flex container) next to elements."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # > 0 inside a .meta paragraph
        self.loose: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif tag == "p" and "meta" in (dict(attrs).get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth == 1 and data.strip():
            self.loose.append(data.strip())


def test_the_edit_page_keeps_each_sentence_in_one_flex_item(site):
    author = Reader(site.test_client())
    author.vote(OPEN, "1")
    response = author.client.post(f"/dilemmas/{OPEN}/comments", data={
        "name": "Anne", "body": "Min tekst.", "csrf_token": author.token(f"/dilemmas/{OPEN}")})
    comment_id = int(response.headers["Location"].rsplit("#comment-", 1)[1])
    page = page_of(site, f"/comments/{comment_id}/edit", author.client)
    parser = _LooseText()
    parser.feed(page)
    assert parser.loose == []
    assert re.search(r"</a>\.</span>", page)


# --- 11: no dead ends ---------------------------------------------------------------------------

def test_favicon_robots_and_sitemap(site):
    client = site.test_client()
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots.mimetype == "text/plain"
    text = robots.get_data(as_text=True)
    assert "Disallow: /admin/" in text and "Sitemap: http://localhost/sitemap.xml" in text
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap.get_data(as_text=True))
    assert f"http://localhost/dilemmas/{OPEN}" in urls
    assert f"http://localhost/dilemmas/{CLOSED}" in urls
    assert not [u for u in urls if DRAFT in u or SCHEDULED in u]
    assert "http://localhost/" in urls and "http://localhost/dilemmas" in urls


# --- 13: counts and words -----------------------------------------------------------------------

def test_the_comment_heading_counts_what_the_chips_count(site):
    first = write_comment(site, body="Første tråd.", option=2)
    write_comment(site, body="Anden tråd.", option=2)
    reply(site, first, "Et svar på den første.")
    reader = Reader(site.test_client())
    reader.vote(OPEN, "2")
    page = page_of(site, f"/dilemmas/{OPEN}", reader.client)
    assert '<span class="comment-count">(2)</span>' in page  # two threads, as the chips
    assert re.search(r"Svar 2 <span class=\"filter-count\">\(2\)</span>", page)
    assert "og 1 svar på dem" in page
    assert "3 kommentarer" not in page and "2 kommentarer" not in page


def test_no_question_twice_and_read_more_links_to_the_expert(site):
    page = page_of(site, f"/dilemmas/{CLOSED}")
    assert "Hvad gør du?" not in page.split('class="case-body"', 1)[1].split("</section>")[0] \
        or page.count("Hvad gør du?") <= 1
    assert not re.search(r"<h2[^>]*>Læs mere</h2>", page)
    assert re.search(r'<a class="read-more" href="#followup">Læs mere', page)
    assert 'id="followup"' in page and "Ekspertens svar på den lukkede." in page


def test_the_vote_heading_does_not_repeat_the_case_question(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "spoerg", body="Casen.\n\nHvad gør du?")
    page = page_of(make_app(), "/dilemmas/spoerg")
    assert page.count("Hvad gør du?") == 1


# --- 7: sorting the comments (GET, no JavaScript) ----------------------------------------------

def test_comments_sort_oldest_newest_and_most_replies(site):
    ids = [write_comment(site, body=f"Tråd {n}.", option=2) for n in range(3)]
    reply(site, ids[1], "Svar et.")
    reply(site, ids[1], "Svar to.")
    reply(site, ids[2], "Svar tre.")
    reader = Reader(site.test_client())
    reader.vote(OPEN, "2")

    def tops(query: str) -> list[int]:
        page = page_of(site, f"/dilemmas/{OPEN}{query}", reader.client)
        return [int(n) for n in re.findall(
            r'<article class="comment(?! comment-reply)[^"]*" id="comment-(\d+)"', page)]

    assert tops("") == ids
    assert tops("?sort=newest") == ids[::-1]
    assert tops("?sort=replies") == [ids[1], ids[2], ids[0]]
    assert tops("?sort=replies&option=2") == [ids[1], ids[2], ids[0]]
    assert tops("?sort=bogus") == ids and tops("?sort=newest&sort=replies") == ids
    page = page_of(site, f"/dilemmas/{OPEN}?sort=newest&option=2", reader.client)
    assert 'href="/dilemmas/aaben?option=2&amp;sort=replies#comments"' in page
    assert 'href="/dilemmas/aaben?option=4&amp;sort=newest#comments"' in page


def test_the_reply_counter_follows_moderation(site, desk):
    top = write_comment(site, body="Tråd.")
    first = reply(site, top, "Svar et.")
    reply(site, top, "Svar to.")
    desk.moderate(first, "hide", "Grov.")
    with site.app_context():
        assert db.session.get(Comment, top).visible_replies == 1
        assert comment_counter_mismatches(db.session) == []


def test_after_voting_the_page_leads_to_the_comment_form(site):
    reader = Reader(site.test_client())
    reader.vote(OPEN, "1")
    page = page_of(site, f"/dilemmas/{OPEN}", reader.client)
    vote_area = page.split('id="vote-area"', 1)[1].split("</section>", 1)[0]
    assert 'href="#comment-form-heading">Skriv din begrundelse</a>' in vote_area
    assert 'id="comment-form-heading" tabindex="-1">Skriv din begrundelse</h3>' in page


# --- 15: reporting asks why; the desk can dismiss a report ---------------------------------------

def test_reporting_asks_for_a_reason_first(site):
    comment_id = write_comment(site)
    reader = Reader(site.test_client())
    page = page_of(site, f"/dilemmas/{OPEN}", reader.client)
    assert f'href="/comments/{comment_id}/report"' in page  # a link, not a one-click form
    form = page_of(site, f"/comments/{comment_id}/report", reader.client)
    assert form.count('type="radio" name="reason"') == 4
    token = csrf_token_from(form)
    refused = reader.client.post(f"/comments/{comment_id}/report", data={"csrf_token": token})
    assert refused.status_code == 400
    assert "Vælg, hvad der er galt med kommentaren." in refused.get_data(as_text=True)
    too_long = reader.client.post(f"/comments/{comment_id}/report", data={
        "csrf_token": token, "reason": "other", "note": "x" * 501})
    assert too_long.status_code == 400
    for bad in ("", "OFFENSIVE", "x" * 100, "<script>"):
        assert reader.client.post(f"/comments/{comment_id}/report", data={
            "csrf_token": token, "reason": bad}).status_code == 400
    with site.app_context():
        assert db.session.get(Comment, comment_id).report_count == 0
    sent = reader.client.post(f"/comments/{comment_id}/report", data={
        "csrf_token": token, "reason": "personal", "note": "  Navnet på en kollega.  "})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"#comment-{comment_id}")
    with site.app_context():
        stored = db.session.scalars(select(CommentReport)).one()
        assert (stored.reason, stored.note) == ("personal", "Navnet på en kollega.")


def test_the_desk_sees_why_and_can_dismiss_a_report(site, desk):
    comment_id = write_comment(site)
    report(site, comment_id, times=2)
    queue = desk.page("/admin/comments")
    assert "Den er krænkende eller chikanerende (2)" in queue
    assert 'name="action" value="dismiss"' in queue
    response = desk.moderate(comment_id, "dismiss", "", next="/admin/comments")
    assert response.status_code == 303
    assert "1 kommentar ændret." in desk.page(response.headers["Location"])
    with site.app_context():
        comment = db.session.get(Comment, comment_id)
        assert (comment.status, comment.report_count) == ("visible", 0)
    assert ("redaktor", "dismiss", f"comment {comment_id} on {OPEN}", "") in audit_rows(site)
    assert f'id="comment-{comment_id}"' not in desk.page("/admin/comments")
    # The readers who reported it cannot bring it back by reporting again.
    assert "Afviste anmeldelserne af" in desk.page("/admin/audit")


# --- 8: the sync's problems in words ----------------------------------------------------------

def test_the_dashboard_says_the_sync_problems_in_words(site, desk, dilemmas_dir):
    (dilemmas_dir / "fire-svar.md").write_text(
        "---\ntitle: Fire svar\npublish: 2020-01-06\noptions:\n  - a\n  - b\n  - c\n  - d\n"
        "---\nTekst\n", encoding="utf-8")
    (dilemmas_dir / "stavefejl.md").write_text(
        "---\ntitle: Stavefejl\npublish: 2020-01-06\nopitons: []\n---\nTekst\n",
        encoding="utf-8")
    desk.post("/admin/reload")
    page = desk.page("/admin/")
    words = page.split('<ul class="sync-problem-words">', 1)[1].split("</ul>", 1)[0]
    assert "der skal være præcis 5 svar, der er 4" in words
    assert "ukendt nøgle &#39;opitons&#39; (mente du &#39;options&#39;?)" in words
    assert "<code>" in words and "linje 4" in words
    assert "expected exactly" not in words and "unknown key" not in words
    # The lines as `check` prints them stay below, for searching and copying.
    assert "expected exactly 5 options, found 4" in page
    desk.client.get("/language/en")
    english = desk.page("/admin/")
    assert "there must be exactly 5 options, there are 4" in english
    assert "unknown key &#39;opitons&#39; (did you mean &#39;options&#39;?)" in english


def test_every_problem_message_of_the_loader_has_words():
    samples = [
        "unknown key 'x'", "missing 'title'", "'title' is empty", "'title' must be text",
        "'title' is over 300 characters", "'shuffle' must be true or false",
        "bad date for 'publish': 'x'", "'closes' is before 'publish'",
        "options must be a list of exactly five answers", "expected exactly 5 options, found 3",
        "option 2 is empty", "option 2 is empty or not text",
        "bad slug 'X' from the file name: use [a-z0-9-]{1,80}",
        "duplicate slug 'a' (also used by b.md)", "bad language 'x1' (use a code like 'da')",
        "bad results mode 'x': use one of after_vote, always, after_close",
        "tags must be a list of words", "imported_votes must be five non-negative whole numbers",
        "the case text (after the front matter) is empty",
        "still the scaffold's placeholder text: write the case here",
        "file must start with '---' and YAML front matter", "YAML error: bad",
        "file is not valid UTF-8",
    ]

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.test_request_context():
        assert [m for m in samples if message_words(m) == m] == []
