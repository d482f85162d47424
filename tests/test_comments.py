"""The comment blog through the real pages (SPEC §5): posting, replies, options, pages."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from dilemmaboard.comments.listing import REPLIES_SHOWN
from dilemmaboard.comments.service import post_comment
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Comment
from tests.comment_helpers import (
    Commenter,
    comment_count,
    comment_ids_on,
    comment_settings,
    comments_section,
    make_blog,
    stored_comments,
)


@pytest.fixture
def blog(make_app, dilemmas_dir):
    return make_blog(make_app, dilemmas_dir)


@pytest.fixture
def anne(blog):
    return Commenter(blog.test_client())


@pytest.fixture
def new_reader(blog):
    return lambda: Commenter(blog.test_client())


def add_comments(app, slug: str, count: int, *, option: int | None = None,
                 parent_id: int | None = None) -> list[int]:
    """Store comments through the domain function (fast set-up for page tests)."""
    ids = []
    settings = comment_settings(app, require_vote=False)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        for n in range(count):
            comment = post_comment(db.session, case, name=f"Læser {n}", body=f"Indlæg {n}",
                                   parent_id=parent_id, voter_hash=None, ip_hash=None,
                                   settings=settings)
            if option:
                comment.option_number = option
            db.session.commit()
            ids.append(comment.id)
    return ids


# --- posting -------------------------------------------------------------------

def test_vote_then_comment_shows_it_with_the_option_badge(blog, anne):
    anne.vote("aaben", "5")
    response = anne.comment(body="Fordi **alle** skal høres.")
    assert response.status_code == 303
    [comment] = stored_comments(blog)
    assert response.headers["Location"].endswith(f"/dilemmas/aaben#comment-{comment.id}")
    assert comment.option_number == 5 and comment.status == "visible"
    assert comment.body_html == "<p>Fordi <strong>alle</strong> skal høres.</p>"
    page = anne.page()
    assert f'id="comment-{comment.id}"' in page
    assert "Valgte svar 5" in page
    assert "<strong>alle</strong>" in page
    assert comment_count(blog) == 1


def test_comment_count_shows_on_case_page_and_in_archive(blog, anne):
    anne.vote("aaben", "1")
    anne.comment()
    anne.comment(body="Og en til.")
    assert '<span class="comment-count">(2)</span>' in anne.page()
    assert "2 kommentarer" in anne.page("/dilemmas")


def test_comment_without_vote_is_refused_and_form_links_to_the_vote(blog, anne):
    page = anne.page()
    assert "Stem først" in comments_section(page)
    assert 'href="#vote-area"' in comments_section(page)
    assert 'id="comment-form"' not in page
    response = anne.comment()
    assert response.status_code == 403
    assert "Du skal stemme" in response.get_data(as_text=True)
    assert stored_comments(blog) == []


def test_closed_case_without_vote_says_only_voters_comment(blog, anne):
    page = anne.page("/dilemmas/lukket")
    assert "Kun læsere, der stemte, kan kommentere" in page
    assert anne.comment("lukket").status_code == 403


def test_require_vote_off_lets_anyone_comment_without_a_badge(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, COMMENTS_REQUIRE_VOTE=False)
    reader = Commenter(app.test_client())
    assert reader.comment().status_code == 303
    [comment] = stored_comments(app)
    assert comment.option_number is None
    assert "Valgte svar" not in comments_section(reader.page())


def test_comments_on_hidden_or_unknown_cases_are_404(blog, anne):
    for slug in ("kladde", "findes-ikke", "UPPER"):
        assert anne.comment(slug).status_code == 404
    assert anne.client.get("/dilemmas/kladde/comments.xml").status_code == 404


def test_missing_csrf_token_is_refused(blog, anne):
    anne.vote("aaben", "1")
    response = anne.client.post("/dilemmas/aaben/comments", data={"name": "A", "body": "B"})
    assert response.status_code == 400
    assert stored_comments(blog) == []


def test_refused_post_keeps_the_readers_text_on_the_page(blog, anne):
    anne.vote("aaben", "1")
    response = anne.comment(name="", body="Min <lange> begrundelse")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv et navn." in page
    assert "Min &lt;lange&gt; begrundelse</textarea>" in page
    assert stored_comments(blog) == []


def test_name_is_trimmed_nfc_normalised_and_remembered(blog, anne):
    anne.vote("aaben", "1")
    assert anne.comment(name="  Søren   Kierkegaard\u0301 ").status_code == 303
    [comment] = stored_comments(blog)
    assert comment.name == "Søren Kierkegaard\u0301"
    decomposed = "Jo\u0308rgen"  # o + combining diaeresis -> ö
    anne.comment(name=decomposed)
    assert stored_comments(blog)[-1].name == "Jörgen"
    assert 'value="Jörgen"' in anne.page()


def test_body_limits(blog, anne):
    anne.vote("aaben", "1")
    assert anne.comment(body="x" * 5001).status_code == 400
    assert anne.comment(body="   \n ").status_code == 400
    assert anne.comment(name="n" * 61).status_code == 400
    assert stored_comments(blog) == []
    assert anne.comment(body="x" * 5000, name="n" * 60).status_code == 303
    assert len(stored_comments(blog)) == 1


# --- replies --------------------------------------------------------------------

def test_reply_attaches_to_its_parent(blog, anne, new_reader):
    anne.vote("aaben", "2")
    anne.comment()
    [top] = stored_comments(blog)
    bo = new_reader()
    bo.vote("aaben", "4")
    response = bo.comment(body="Enig!", name="Bo", parent_id=str(top.id))
    assert response.status_code == 303
    reply = stored_comments(blog)[-1]
    assert reply.parent_id == top.id and reply.option_number == 4
    assert response.headers["Location"].endswith(f"#comment-{reply.id}")
    section = comments_section(bo.page())
    assert section.index(f'id="comment-{top.id}"') < section.index(f'id="comment-{reply.id}"')
    assert '<ol class="replies"' in section
    assert comment_ids_on(section) == [top.id, reply.id]


def test_reply_to_a_reply_attaches_to_the_top_level_comment(blog, anne):
    anne.vote("aaben", "1")
    anne.comment(body="Top")
    top = stored_comments(blog)[0]
    anne.comment(body="Svar", parent_id=str(top.id))
    reply = stored_comments(blog)[1]
    assert anne.comment(body="Svar på svar", parent_id=str(reply.id)).status_code == 303
    third = stored_comments(blog)[2]
    assert third.parent_id == top.id


@pytest.mark.parametrize("parent", ["abc", "-1", "1 OR 1=1", "99999999", "1.5", "0x1",
                                    "9" * 40])
def test_bad_parent_ids_are_refused(blog, anne, parent):
    anne.vote("aaben", "1")
    response = anne.comment(parent_id=parent)
    assert response.status_code == 400
    assert stored_comments(blog) == []


def test_reply_to_a_comment_on_another_case_is_refused(blog, anne):
    anne.vote("anden", "1")
    anne.comment("anden")
    [other] = stored_comments(blog, "anden")
    anne.vote("aaben", "1")
    assert anne.comment(parent_id=str(other.id)).status_code == 400
    assert stored_comments(blog) == []


# --- the author's option ----------------------------------------------------------

def test_comment_keeps_its_option_and_notes_a_changed_vote(blog, anne):
    anne.vote("aaben", "2")
    anne.comment()
    anne.vote("aaben", "4")
    [comment] = stored_comments(blog)
    assert comment.option_number == 2 and comment.option_changed
    section = comments_section(anne.page())
    assert "Valgte svar 2" in section
    assert "har siden skiftet svar" in section
    anne.vote("aaben", "2")
    section = comments_section(anne.page())
    assert "har siden skiftet svar" not in section


def test_filter_by_option_with_counts(blog, new_reader):
    ids = {}
    for option, name in [(1, "Ea"), (3, "Tre"), (3, "Trine")]:
        reader = new_reader()
        reader.vote("aaben", str(option))
        reader.comment(name=name)
        ids[name] = stored_comments(blog)[-1].id
    reader = new_reader()
    reader.vote("aaben", "2")  # `after_vote`: the answers show once the reader has voted
    section = comments_section(reader.page("/dilemmas/aaben?option=3"))
    assert comment_ids_on(section) == [ids["Tre"], ids["Trine"]]
    assert 'href="/dilemmas/aaben?option=3#comments" aria-current="true">Svar 3 ' \
           '<span class="filter-count">(2)</span>' in section
    assert "Svar 1 <span class=\"filter-count\">(1)</span>" in section
    assert "Svar 5 <span class=\"filter-count\">(0)</span>" in section
    assert comment_ids_on(reader.page("/dilemmas/aaben?option=5")) == []
    assert "Ingen kommentarer fra læsere, der valgte svar 5" in reader.page(
        "/dilemmas/aaben?option=5")


@pytest.mark.parametrize("query", ["option=1%20OR%201=1", "option=-1", "option=6",
                                   "option=99999999", "option=3&option=1", "option=",
                                   "option=%00", "option=%E2%80%AE3", "option=３"])
def test_bad_option_filters_show_every_comment(blog, new_reader, query):
    reader = new_reader()
    reader.vote("aaben", "3")
    reader.comment()
    response = reader.client.get(f"/dilemmas/aaben?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(comment_ids_on(response.get_data(as_text=True))) == 1


# --- reading: pages and a fixed number of queries ----------------------------------

def test_fifty_threads_per_page_with_their_replies(blog, new_reader):
    ids = add_comments(blog, "aaben", 53)
    reply_ids = add_comments(blog, "aaben", 2, parent_id=ids[51])
    reader = new_reader()
    first = comment_ids_on(reader.page())
    assert first == ids[:50]
    second = comment_ids_on(reader.page("/dilemmas/aaben?page=2"))
    assert second == [ids[50], ids[51], *reply_ids, ids[52]]
    page = reader.page()
    assert 'rel="next" href="/dilemmas/aaben?page=2#comments"' in page
    assert "Side 1 af 2" in page


@pytest.mark.parametrize("query,expected_page", [
    ("page=1%20OR%201=1", 1), ("page=-1", 1), ("page=0", 1), ("page=99999999", 2),
    ("page=2&page=1", 1), ("page=abc", 1), ("page=", 1), ("page=%00", None),
    ("page=1e3", 1), ("page=99999999999999999999", 1), ("page=２", 1),
])
def test_bad_page_values_never_fail(blog, new_reader, query, expected_page):
    ids = add_comments(blog, "aaben", 51)
    response = new_reader().client.get(f"/dilemmas/aaben?{query}")
    if expected_page is None:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    shown = comment_ids_on(response.get_data(as_text=True))
    assert shown == (ids[:50] if expected_page == 1 else ids[50:])


def count_queries(app, client, path: str) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_case_page_takes_the_same_number_of_queries_for_3_or_150_comments(blog, new_reader):
    reader = new_reader()
    reader.vote("aaben", "1")
    reader.comment()
    add_comments(blog, "aaben", 2)
    few = count_queries(blog, reader.client, "/dilemmas/aaben")
    tops = add_comments(blog, "aaben", 60, option=3)
    for top in tops[:45]:
        add_comments(blog, "aaben", 2, parent_id=top)
    many = count_queries(blog, reader.client, "/dilemmas/aaben")
    assert many == few
    assert count_queries(blog, reader.client, "/dilemmas/aaben?page=2&option=3") == few


def test_permalink_redirects_to_the_page_and_anchor(blog, new_reader):
    ids = add_comments(blog, "aaben", 52)
    reply = add_comments(blog, "aaben", 1, parent_id=ids[51])[0]
    client = new_reader().client
    response = client.get(f"/comments/{ids[0]}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dilemmas/aaben#comment-{ids[0]}")
    response = client.get(f"/comments/{reply}")
    assert response.headers["Location"].endswith(f"/dilemmas/aaben?page=2#comment-{reply}")
    assert client.get("/comments/999999").status_code == 404


# --- long threads (issue 17.14) -----------------------------------------------------

def add_replies(app, parent_id: int, count: int) -> list[int]:
    """Many replies under one comment, in one transaction (a long thread, quickly)."""
    settings = comment_settings(app, require_vote=False)
    with app.app_context():
        case = db.session.get(Case, db.session.get(Comment, parent_id).case_id)
        ids = [post_comment(db.session, case, name=f"Svarer {n}", body=f"Svar {n}",
                            parent_id=parent_id, voter_hash=None, ip_hash=None,
                            settings=settings).id for n in range(count)]
        db.session.commit()
    return ids


def test_a_long_thread_shows_its_first_replies_and_links_to_the_rest(blog, new_reader):
    short, top = add_comments(blog, "aaben", 2)
    add_replies(blog, short, REPLIES_SHOWN)
    replies = add_replies(blog, top, REPLIES_SHOWN + 5)
    page = new_reader().page()
    assert comment_ids_on(page)[-REPLIES_SHOWN - 1:] == [top, *replies[:REPLIES_SHOWN]]
    # The link goes on where the page stopped; a thread with no more replies has none.
    assert page.count('class="more-replies"') == 1
    assert f'href="/dilemmas/aaben?thread={top}#comment-{replies[REPLIES_SHOWN]}"' in page
    thread = new_reader().page(f"/dilemmas/aaben?thread={top}")
    assert comment_ids_on(thread) == [top, *replies]
    assert f'href="/dilemmas/aaben#comment-{top}">Tilbage til alle kommentarer' in thread
    assert 'class="comment-filter"' not in thread and 'class="more-replies"' not in thread


def test_the_thread_view_pages_through_all_replies(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, COMMENTS_PER_PAGE=10)
    tops = add_comments(app, "aaben", 12)  # the last thread is on the second page
    replies = add_replies(app, tops[-1], 25)
    reader = Commenter(app.test_client())
    case_page = reader.page("/dilemmas/aaben?page=2")
    more = f"/dilemmas/aaben?thread={tops[-1]}&amp;page=3#comment-{replies[REPLIES_SHOWN]}"
    assert f'href="{more}"' in case_page
    first = reader.page(f"/dilemmas/aaben?thread={tops[-1]}")
    assert comment_ids_on(first) == [tops[-1], *replies[:10]]
    assert "Side 1 af 3" in first
    assert f'rel="next" href="/dilemmas/aaben?thread={tops[-1]}&amp;page=2#comments"' in first
    last = reader.page(f"/dilemmas/aaben?thread={tops[-1]}&page=3")
    assert comment_ids_on(last) == [tops[-1], *replies[20:]]
    assert f'href="/dilemmas/aaben?page=2#comment-{tops[-1]}"' in last  # back to its page


def test_a_permalink_finds_a_reply_beyond_the_first_ones(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, COMMENTS_PER_PAGE=10)
    [top] = add_comments(app, "aaben", 1)
    replies = add_replies(app, top, 25)
    client = Commenter(app.test_client()).client
    for shown in (replies[0], replies[REPLIES_SHOWN - 1]):
        location = client.get(f"/comments/{shown}").headers["Location"]
        assert location.endswith(f"/dilemmas/aaben#comment-{shown}")
    location = client.get(f"/comments/{replies[22]}").headers["Location"]
    assert location.endswith(f"/dilemmas/aaben?thread={top}&page=3#comment-{replies[22]}")
    assert f'id="comment-{replies[22]}"' in client.get(location).get_data(as_text=True)


def test_a_new_reply_past_the_first_ones_lands_on_the_thread_view(blog, anne):
    anne.vote("aaben", "1")
    [top] = add_comments(blog, "aaben", 1)
    add_replies(blog, top, REPLIES_SHOWN)
    response = anne.comment(body="Nummer 21", parent_id=str(top))
    reply = stored_comments(blog)[-1].id
    location = response.headers["Location"]
    assert location.endswith(f"/dilemmas/aaben?thread={top}#comment-{reply}")
    assert f'id="comment-{reply}"' in anne.page(location)


def test_a_thread_id_that_is_no_thread_here_shows_the_usual_page(blog, new_reader):
    [top] = add_comments(blog, "aaben", 1)
    [reply] = add_comments(blog, "aaben", 1, parent_id=top)
    [elsewhere] = add_comments(blog, "anden", 1)
    reader = new_reader()
    for query in ["thread=abc", "thread=-1", "thread=", "thread=0", "thread=1.5",
                  "thread=99999999999999999999", "thread=2147483648", f"thread={reply}",
                  f"thread={elsewhere}", f"thread={top}&thread={top}", "thread=%EF%BC%91"]:
        response = reader.client.get(f"/dilemmas/aaben?{query}")
        assert response.status_code == 200, query
        page = response.get_data(as_text=True)
        assert comment_ids_on(page) == [top, reply], query
        assert "Tilbage til alle kommentarer" not in page, query


def test_the_case_page_does_not_grow_with_a_threads_replies(blog, new_reader):
    """1,200 replies under one comment made every reader's case page 1.5 MB."""
    [top] = add_comments(blog, "aaben", 1)
    add_replies(blog, top, REPLIES_SHOWN + 1)
    reader = new_reader()
    before = len(reader.page())
    add_replies(blog, top, 300)
    assert abs(len(reader.page()) - before) < 50  # only the comment count's digits
