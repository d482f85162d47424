"""Moderation on the editors' desk: each action and its effect on the page, the feed, the export."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dilemmaboard.desk import service
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from tests.admin_helpers import (
    OPEN,
    Desk,
    add_login,
    assert_csp_clean,
    audit_count,
    audit_rows,
    basic,
    comment_status,
    desk_app,
    exported_comment_ids,
    feed_text,
    report,
    write_comment,
)


@pytest.fixture
def site(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir)
    add_login(app)
    return app


@pytest.fixture
def held_site(make_app, dilemmas_dir):
    """Pre-moderation: every comment waits for an editor."""
    app = desk_app(make_app, dilemmas_dir, COMMENTS_MODERATION="pre")
    add_login(app)
    return app


def desk_of(app) -> Desk:
    return Desk(app.test_client())


def where_shown(app, comment_id: int, body: str) -> dict[str, bool]:
    """Is the comment on the case page (for a stranger), in the case's feed, in the export?"""
    stranger = app.test_client()
    page = stranger.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    return {
        "page": body in page or f'id="comment-{comment_id}"' in page,
        "feed": body in feed_text(stranger, OPEN),
        "export": comment_id in exported_comment_ids(stranger, basic()),
    }


EVERYWHERE = {"page": True, "feed": True, "export": True}
NOWHERE = {"page": False, "feed": False, "export": False}


def visible_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Case.comment_count).where(Case.slug == OPEN))


# --- each action -------------------------------------------------------------------------

def test_hide_removes_the_comment_from_page_feed_and_export(site):
    comment_id = write_comment(site, body="En grov kommentar om chefen.")
    assert where_shown(site, comment_id, "En grov kommentar om chefen.") == EVERYWHERE
    desk = desk_of(site)
    response = desk.moderate(comment_id, "hide", "Personangreb.")
    assert response.status_code == 303
    assert comment_status(site, comment_id) == "hidden"
    assert where_shown(site, comment_id, "En grov kommentar om chefen.") == NOWHERE
    assert visible_count(site) == 0
    assert ("redaktor", "hide", f"comment {comment_id} on {OPEN}", "Personangreb.") in (
        audit_rows(site))


def test_restore_brings_a_hidden_comment_back_everywhere(site):
    comment_id = write_comment(site, body="Skjult ved en fejl.")
    desk = desk_of(site)
    desk.moderate(comment_id, "hide", "Fejl.")
    assert desk.moderate(comment_id, "restore", "Det var en fejl.").status_code == 303
    assert comment_status(site, comment_id) == "visible"
    assert where_shown(site, comment_id, "Skjult ved en fejl.") == EVERYWHERE
    assert visible_count(site) == 1
    assert ("redaktor", "restore", f"comment {comment_id} on {OPEN}", "Det var en fejl.") in (
        audit_rows(site))


def test_delete_removes_the_comment_everywhere_and_keeps_it_for_editors(site):
    comment_id = write_comment(site, body="Spam spam spam.")
    desk = desk_of(site)
    assert desk.moderate(comment_id, "delete", "Spam.").status_code == 303
    assert comment_status(site, comment_id) == "deleted"
    assert where_shown(site, comment_id, "Spam spam spam.") == NOWHERE
    assert visible_count(site) == 0
    listing = desk.page(f"/admin/dilemmas/{OPEN}/comments?status=deleted")
    assert f'id="comment-{comment_id}"' in listing
    assert ("redaktor", "delete", f"comment {comment_id} on {OPEN}", "Spam.") in audit_rows(site)


def test_approve_publishes_a_held_comment_everywhere(held_site):
    comment_id = write_comment(held_site, body="Venter på en redaktør.")
    assert comment_status(held_site, comment_id) == "pending"
    assert where_shown(held_site, comment_id, "Venter på en redaktør.") == NOWHERE
    desk = desk_of(held_site)
    assert f'id="comment-{comment_id}"' in desk.page("/admin/comments")
    assert desk.moderate(comment_id, "approve").status_code == 303
    assert comment_status(held_site, comment_id) == "visible"
    assert where_shown(held_site, comment_id, "Venter på en redaktør.") == EVERYWHERE
    assert visible_count(held_site) == 1
    queue = desk.page("/admin/comments")
    assert f'id="comment-{comment_id}"' not in queue and "Ingen kommentarer venter." in queue
    assert ("redaktor", "approve", f"comment {comment_id} on {OPEN}", "") in (
        audit_rows(held_site))


def test_a_reported_comment_is_in_the_queue_until_it_is_hidden(site):
    comment_id = write_comment(site, body="Anmeldt kommentar.")
    report(site, comment_id, times=2)
    desk = desk_of(site)
    queue = desk.page("/admin/comments")
    reported = queue[queue.index('id="reported"'):]
    assert f'id="comment-{comment_id}"' in reported and "anmeldt af 2 læsere" in reported
    desk.moderate(comment_id, "hide", "Anmeldt med god grund.")
    assert where_shown(site, comment_id, "Anmeldt kommentar.") == NOWHERE
    queue = desk.page("/admin/comments")
    assert "Skjult" in queue[queue.index('id="reported"'):]


def test_repeating_an_action_changes_nothing_and_logs_nothing(site):
    comment_id = write_comment(site)
    desk = desk_of(site)
    desk.moderate(comment_id, "hide", "Første gang.")
    before = audit_count(site)
    response = desk.moderate(comment_id, "hide", "Anden gang.")
    assert response.status_code == 303
    assert "0 kommentarer ændret." in desk.page(response.headers["Location"])
    assert audit_count(site) == before
    assert visible_count(site) == 0


# --- refused moderation changes nothing --------------------------------------------------

@pytest.mark.parametrize("action", ["hide", "delete"])
def test_hide_and_delete_need_a_reason(site, action):
    comment_id = write_comment(site)
    desk = desk_of(site)
    before = audit_count(site)
    for reason in ("", "   "):
        response = desk.moderate(comment_id, action, reason)
        assert response.status_code == 400
        assert "Skriv en begrundelse" in response.get_data(as_text=True)
    assert comment_status(site, comment_id) == "visible"
    assert audit_count(site) == before


def test_a_form_error_shows_the_desk_queue_again_with_its_message(site):
    comment_id = write_comment(site)
    response = desk_of(site).moderate(comment_id, "hide", "")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="admin-nav"' in page and 'id="held"' in page
    assert '<p class="form-error" role="alert">' in page
    assert "Skriv en begrundelse for at skjule eller slette." in page


def test_the_service_leaves_the_commit_to_its_caller(site):
    comment_id = write_comment(site)
    with site.app_context():
        assert service.moderate(db.session, [comment_id], "hide", editor="redaktor",
                                reason="grund") == 1
        db.session.rollback()
    assert comment_status(site, comment_id) == "visible"
    assert not [row for row in audit_rows(site) if row[1] == "hide"]


@pytest.mark.parametrize("action", ["", "publish", "HIDE", "approve;drop table", "x" * 500])
def test_unknown_actions_are_refused(site, action):
    comment_id = write_comment(site)
    response = desk_of(site).moderate(comment_id, action, "grund")
    assert response.status_code == 400
    assert "Vælg en handling." in response.get_data(as_text=True)
    assert comment_status(site, comment_id) == "visible"


def test_a_reason_over_1000_characters_is_refused(site):
    comment_id = write_comment(site)
    assert desk_of(site).moderate(comment_id, "hide", "x" * 1001).status_code == 400
    assert comment_status(site, comment_id) == "visible"


def test_unknown_comment_is_404(site):
    desk = desk_of(site)
    assert desk.moderate(999999, "hide", "grund").status_code == 404
    assert desk.post("/admin/comments/abc/moderate", action="hide").status_code == 404


def test_moderation_goes_back_to_a_local_next_only(site):
    comment_id = write_comment(site)
    desk = desk_of(site)
    here = f"/admin/dilemmas/{OPEN}/comments?status=visible"
    response = desk.moderate(comment_id, "hide", "grund", next=here)
    assert response.headers["Location"] == here
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example"):
        response = desk.moderate(comment_id, "restore", "", next=evil)
        assert response.headers["Location"] == "/admin/comments"


# --- bulk actions ------------------------------------------------------------------------

def test_bulk_approve_publishes_every_ticked_comment(held_site):
    ids = [write_comment(held_site, body=f"Holdt nummer {n}.") for n in range(4)]
    desk = desk_of(held_site)
    queue = desk.page("/admin/comments")
    for comment_id in ids:
        assert f'name="ids" value="{comment_id}" form="bulk-form"' in queue
    response = desk.bulk(ids[:3], "approve")
    assert response.status_code == 303
    assert "3 kommentarer ændret." in desk.page(response.headers["Location"])
    assert [comment_status(held_site, i) for i in ids] == ["visible"] * 3 + ["pending"]
    assert visible_count(held_site) == 3
    approved = [row for row in audit_rows(held_site) if row[1] == "approve"]
    assert len(approved) == 3
    stranger = held_site.test_client()
    assert sorted(exported_comment_ids(stranger, basic())) == sorted(ids[:3])
    feed = feed_text(stranger, OPEN)
    assert "Holdt nummer 0." in feed and "Holdt nummer 3." not in feed


def test_bulk_hide_needs_a_reason_and_then_hides_all(site):
    ids = [write_comment(site, body=f"Synlig nummer {n}.") for n in range(3)]
    desk = desk_of(site)
    assert desk.bulk(ids, "hide").status_code == 400
    assert [comment_status(site, i) for i in ids] == ["visible"] * 3
    assert desk.bulk(ids, "hide", "Tråden er afsporet.").status_code == 303
    assert [comment_status(site, i) for i in ids] == ["hidden"] * 3
    assert visible_count(site) == 0
    page = site.test_client().get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    assert "Synlig nummer" not in page


def test_bulk_refuses_bad_selections_and_changes_nothing(site):
    ids = [write_comment(site, body=f"Nummer {n}.") for n in range(2)]
    desk = desk_of(site)
    before = audit_count(site)
    assert desk.bulk([], "hide", "grund").status_code == 400
    assert desk.bulk([ids[0], 999999], "hide", "grund").status_code == 404
    bad = desk.client.post("/admin/comments/bulk", data={
        "csrf_token": desk.token(), "action": "hide", "reason": "grund",
        "ids": [str(ids[0]), "1 OR 1=1"]})
    assert bad.status_code == 400
    assert "Ugyldigt kommentar-id." in bad.get_data(as_text=True)
    assert desk.bulk(["\u00b2"], "hide", "grund").status_code == 400  # a digit, not 0-9
    too_many = desk.bulk(list(range(1, 202)), "hide", "grund")
    assert too_many.status_code == 400
    assert [comment_status(site, i) for i in ids] == ["visible", "visible"]
    assert audit_count(site) == before


# --- the lists editors work from ---------------------------------------------------------

def test_case_comment_list_shows_every_status_and_filters(held_site):
    desk = desk_of(held_site)
    waiting = write_comment(held_site, body="Venter.")
    shown = write_comment(held_site, body="Synlig.")
    gone = write_comment(held_site, body="Skjult.")
    desk.bulk([shown, gone], "approve")
    desk.moderate(gone, "hide", "grund")
    page = desk.page(f"/admin/dilemmas/{OPEN}/comments")
    for comment_id in (waiting, shown, gone):
        assert f'id="comment-{comment_id}"' in page
    hidden_only = desk.page(f"/admin/dilemmas/{OPEN}/comments?status=hidden")
    assert f'id="comment-{gone}"' in hidden_only and f'id="comment-{shown}"' not in hidden_only
    assert desk.get(f"/admin/dilemmas/{OPEN}/comments?status=bogus&page=x").status_code == 200
    assert_csp_clean(page)


def test_moderation_pages_escape_what_readers_typed(site):
    write_comment(site, name="<b>Ond</b>", body="<script>alert(1)</script> og **fed**")
    desk = desk_of(site)
    page = desk.page(f"/admin/dilemmas/{OPEN}/comments")
    assert "<script>alert(1)</script>" not in page
    assert "<b>Ond</b>" not in page and "&lt;b&gt;Ond&lt;/b&gt;" in page
    assert "<strong>fed</strong>" in page
    assert_csp_clean(page)
    assert not re.search(r"<script(?![^>]*\ssrc=)", page)


def test_approving_a_reported_comment_dismisses_the_reports(site):
    comment_id = write_comment(site, body="Skarp men rimelig kommentar.")
    report(site, comment_id, times=2)
    desk = desk_of(site)
    desk.moderate(comment_id, "approve", "Kritik er tilladt.")
    queue = desk.page("/admin/comments")
    assert f'id="comment-{comment_id}"' not in queue[queue.index('id="reported"'):]
    assert where_shown(site, comment_id, "Skarp men rimelig kommentar.") == EVERYWHERE
