"""Moderation modes, the author's edit/delete window, reports, honeypot and rate limits."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dilemmaboard.comments.author import author_cookie_name
from dilemmaboard.comments.service import held_comments, moderate_comment, reported_comments
from dilemmaboard.extensions import db
from dilemmaboard.models import Comment, CommentReport
from tests.comment_helpers import (
    Commenter,
    all_comments,
    comment_count,
    comment_ids_on,
    comments_section,
    make_blog,
    stored_comments,
)


@pytest.fixture
def blog(make_app, dilemmas_dir):
    return make_blog(make_app, dilemmas_dir)


@pytest.fixture
def new_reader(blog):
    def make():
        reader = Commenter(blog.test_client())
        reader.vote("aaben", "3")
        return reader
    return make


@pytest.fixture
def anne(new_reader):
    return new_reader()


def moderate(app, comment_id: int, action: str) -> None:
    """What the editors' desk does: the action and its commit."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        moderate_comment(db.session, comment, action)
        db.session.commit()


def first_id(app) -> int:
    return stored_comments(app)[0].id


# --- moderation modes ----------------------------------------------------------

def test_post_moderation_shows_comments_at_once(blog, anne, new_reader):
    anne.comment()
    assert stored_comments(blog)[0].status == "visible"
    assert comment_count(blog) == 1
    assert len(comment_ids_on(new_reader().page())) == 1


def test_pre_moderation_holds_comments_until_approved(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, COMMENTS_MODERATION="pre")
    author = Commenter(app.test_client())
    author.vote("aaben", "2")
    response = author.comment(body="Vent på mig")
    assert response.status_code == 303
    [comment] = stored_comments(app)
    assert comment.status == "pending"
    assert comment_count(app) == 0
    page = author.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "afventer godkendelse" in page
    assert "Vent på mig" in comments_section(page)
    stranger = Commenter(app.test_client())
    assert "Vent på mig" not in stranger.page()
    with app.app_context():
        assert [c.id for c in db.session.scalars(held_comments())] == [comment.id]
    moderate(app, comment.id, "approve")
    assert comment_count(app) == 1
    assert "Vent på mig" in stranger.page()
    assert "afventer godkendelse" not in author.page()


def test_pre_moderation_edit_goes_back_to_the_queue(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, COMMENTS_MODERATION="pre")
    author = Commenter(app.test_client())
    author.vote("aaben", "2")
    author.comment(body="Pæn tekst")
    comment_id = first_id(app)
    moderate(app, comment_id, "approve")
    assert comment_count(app) == 1
    assert author.post(f"/comments/{comment_id}/edit", body="Grim tekst").status_code == 303
    assert stored_comments(app)[0].status == "pending"
    assert comment_count(app) == 0


def test_moderation_actions_keep_the_counter_equal_to_visible_comments(blog, anne):
    anne.comment()
    comment_id = first_id(blog)
    expected = {"hide": ("hidden", 0), "restore": ("visible", 1), "delete": ("deleted", 0),
                "approve": ("visible", 1)}
    for action, (status, count) in expected.items():
        moderate(blog, comment_id, action)
        moderate(blog, comment_id, action)  # twice: no double counting
        assert (stored_comments(blog)[0].status, comment_count(blog)) == (status, count)
    with blog.app_context():
        comment = db.session.get(Comment, comment_id)
        with pytest.raises(ValueError):
            moderate_comment(db.session, comment, "nuke")


def test_deleted_comment_with_replies_leaves_a_placeholder(blog, anne, new_reader):
    anne.comment(body="Hemmelig top")
    top = first_id(blog)
    bo = new_reader()
    bo.comment(body="Svaret står", parent_id=str(top))
    anne.comment(body="Ensom kommentar")
    lonely = stored_comments(blog)[-1].id
    moderate(blog, top, "delete")
    moderate(blog, lonely, "delete")
    section = comments_section(new_reader().page())
    assert "Kommentaren er slettet." in section
    assert "Hemmelig top" not in section
    assert "Svaret står" in section
    assert f'id="comment-{lonely}"' not in section
    assert comment_count(blog) == 1


def test_hidden_comment_is_gone_for_readers(blog, anne, new_reader):
    anne.comment(body="Upassende")
    moderate(blog, first_id(blog), "hide")
    assert "Upassende" not in new_reader().page()
    assert "Upassende" not in anne.page()
    assert "Upassende" not in anne.client.get("/dilemmas/aaben/comments.xml").get_data(
        as_text=True)


# --- the author's edit and delete ------------------------------------------------

def test_author_can_edit_inside_the_window(blog, anne):
    anne.comment(body="Førsteudkast")
    comment_id = first_id(blog)
    assert f'href="/comments/{comment_id}/edit"' in anne.page()
    form = anne.client.get(f"/comments/{comment_id}/edit")
    assert form.status_code == 200
    assert "Førsteudkast</textarea>" in form.get_data(as_text=True)
    response = anne.post(f"/comments/{comment_id}/edit", body="Rettet *tekst*")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{comment_id}")
    stored = stored_comments(blog)[0]
    assert stored.body_md == "Rettet *tekst*"
    assert stored.body_html == "<p>Rettet <em>tekst</em></p>"
    # The new cookie is bound to the new text, so the author can edit again.
    assert anne.post(f"/comments/{comment_id}/edit", body="Igen").status_code == 303
    assert "rettet" in comments_section(anne.page())


def test_cookie_is_bound_to_the_text_it_was_issued_for(blog, anne):
    anne.comment(body="Version 1")
    comment_id = first_id(blog)
    old_cookie = anne.client.get_cookie(author_cookie_name(comment_id)).value
    anne.post(f"/comments/{comment_id}/edit", body="Version 2")
    anne.client.set_cookie(author_cookie_name(comment_id), old_cookie)
    assert anne.post(f"/comments/{comment_id}/edit", body="Version 3").status_code == 403
    assert stored_comments(blog)[0].body_md == "Version 2"


def test_another_reader_gets_403(blog, anne, new_reader):
    anne.comment(body="Mit indlæg")
    comment_id = first_id(blog)
    mallory = new_reader()
    assert f'href="/comments/{comment_id}/edit"' not in mallory.page()
    assert mallory.client.get(f"/comments/{comment_id}/edit").status_code == 403
    assert mallory.post(f"/comments/{comment_id}/edit", body="Overtaget").status_code == 403
    assert mallory.post(f"/comments/{comment_id}/delete").status_code == 403
    # A cookie for one comment does not open another.
    mallory.comment(body="Mallorys eget")
    own = stored_comments(blog)[-1].id
    token = mallory.client.get_cookie(author_cookie_name(own)).value
    mallory.client.set_cookie(author_cookie_name(comment_id), token)
    assert mallory.post(f"/comments/{comment_id}/delete").status_code == 403
    mallory.client.set_cookie(author_cookie_name(comment_id), "forged.token.value")
    assert mallory.post(f"/comments/{comment_id}/edit", body="x").status_code == 403
    first = stored_comments(blog)[0]
    assert (first.body_md, first.status) == ("Mit indlæg", "visible")


def test_author_cannot_edit_or_delete_after_the_window(blog, anne):
    anne.comment(body="Gammel")
    comment_id = first_id(blog)
    with blog.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.created_at -= timedelta(minutes=16)
        db.session.commit()
    assert f'href="/comments/{comment_id}/edit"' not in anne.page()
    assert anne.client.get(f"/comments/{comment_id}/edit").status_code == 403
    assert anne.post(f"/comments/{comment_id}/edit", body="Ny").status_code == 403
    assert anne.post(f"/comments/{comment_id}/delete").status_code == 403
    stored = stored_comments(blog)[0]
    assert (stored.body_md, stored.status) == ("Gammel", "visible")


def test_author_can_delete_inside_the_window(blog, anne):
    anne.comment(body="Fortryder")
    comment_id = first_id(blog)
    response = anne.post(f"/comments/{comment_id}/delete")
    assert response.status_code == 303
    assert stored_comments(blog)[0].status == "deleted"
    assert comment_count(blog) == 0
    assert "Fortryder" not in anne.page()
    assert anne.client.get_cookie(author_cookie_name(comment_id)) is None
    assert anne.post(f"/comments/{comment_id}/delete").status_code in (403, 404)


def test_invalid_edit_keeps_the_old_text(blog, anne):
    anne.comment(body="Original")
    comment_id = first_id(blog)
    response = anne.post(f"/comments/{comment_id}/edit", body="x" * 5001)
    assert response.status_code == 400
    assert "Kommentaren må højst være 5.000 tegn." in response.get_data(as_text=True)
    assert stored_comments(blog)[0].body_md == "Original"


# --- reports ----------------------------------------------------------------------

def test_a_reader_reports_a_comment_once(blog, anne, new_reader):
    anne.comment()
    comment_id = first_id(blog)
    bo = new_reader()
    first = bo.post(f"/comments/{comment_id}/report", reason="offensive")
    assert first.status_code == 303
    assert first.headers["Location"].endswith(f"#comment-{comment_id}")
    again = bo.post(f"/comments/{comment_id}/report", reason="offensive")
    assert again.status_code == 303
    assert "allerede anmeldt" in bo.client.get(again.headers["Location"]).get_data(as_text=True)
    assert stored_comments(blog)[0].report_count == 1
    other = new_reader()
    other.client.environ_base["REMOTE_ADDR"] = "192.0.2.9"  # one address counts once a day
    other.post(f"/comments/{comment_id}/report", reason="spam")
    assert stored_comments(blog)[0].report_count == 2
    with blog.app_context():
        assert db.session.scalar(select(CommentReport.id).limit(1)) is not None
        assert [c.id for c in db.session.scalars(reported_comments())] == [comment_id]


def test_reporting_a_deleted_or_unknown_comment_is_404(blog, anne):
    anne.comment()
    comment_id = first_id(blog)
    moderate(blog, comment_id, "delete")
    assert anne.post(f"/comments/{comment_id}/report", reason="spam").status_code == 404
    assert anne.post("/comments/424242/report", reason="spam").status_code == 404
    assert stored_comments(blog)[0].report_count == 0


# --- spam ---------------------------------------------------------------------------

def test_filled_honeypot_answers_303_and_stores_nothing(blog, anne):
    """Our choice: a bot that fills the hidden field is told it worked (303), nothing is kept."""
    page = anne.page()
    assert 'class="hp-field"' in page and 'name="website"' in page
    response = anne.comment(website="http://spam.example")
    assert response.status_code == 303
    assert stored_comments(blog) == []
    assert comment_count(blog) == 0


def test_rate_limit_answers_429_with_a_clear_message(make_app, dilemmas_dir):
    app = make_blog(make_app, dilemmas_dir, RATELIMIT_ENABLED=True)
    reader = Commenter(app.test_client())
    reader.vote("aaben", "1")
    for n in range(5):
        assert reader.comment(body=f"Nummer {n}").status_code == 303
    response = reader.comment(body="Nummer 6")
    assert response.status_code == 429
    assert "mange kommentarer på kort tid" in response.get_data(as_text=True)
    assert len(stored_comments(app)) == 5
    # Another reader on the same address is stopped by the per-IP limit too.
    other = Commenter(app.test_client())
    other.vote("aaben", "2")
    assert other.comment().status_code == 429
    assert len(all_comments(app)) == 5


# --- what a revalidated copy of the case page shows ----------------------------------

def etag_then_revalidate(reader: Commenter, change) -> int:
    """The status of a revalidation of the case page after `change()`."""
    reader.page()  # a flash message, if any, is shown once: the next page may be cached
    etag = reader.client.get("/dilemmas/aaben").headers["ETag"]
    headers = {"If-None-Match": etag}
    assert reader.client.get("/dilemmas/aaben", headers=headers).status_code == 304
    change()
    return reader.client.get("/dilemmas/aaben", headers=headers).status_code


def test_an_edit_reaches_a_reader_who_revalidates(blog, anne, new_reader):
    """No counter moves with an edit, but the case page shows the new text."""
    anne.comment(body="Før")
    comment_id = first_id(blog)
    status = etag_then_revalidate(new_reader(), lambda: anne.post(
        f"/comments/{comment_id}/edit", body="Efter"))
    assert status == 200


def test_hiding_a_held_comment_reaches_its_author_who_revalidates(make_app, dilemmas_dir):
    """Only its author sees a held comment (after their 15 minutes too); pending -> hidden
    moves no counter, but their page changes."""
    app = make_blog(make_app, dilemmas_dir, COMMENTS_MODERATION="pre")
    author = Commenter(app.test_client())
    author.vote("aaben", "2")
    author.comment(body="Venter")
    comment_id = first_id(app)
    author.client.delete_cookie(author_cookie_name(comment_id))  # the window has passed
    assert "Venter" in author.page()
    status = etag_then_revalidate(author, lambda: moderate(app, comment_id, "hide"))
    assert status == 200
    assert "Venter" not in author.page()
