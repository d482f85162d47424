"""The stored comment counters (SPEC §4: pages count no rows) follow every way a comment
comes, goes and comes back, and `flask tallies verify` catches and repairs a wrong one."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from dilemmaboard.comments.author import author_token
from dilemmaboard.comments.counters import comment_counter_mismatches
from dilemmaboard.comments.service import delete_own_comment, moderate_comment, post_comment
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Comment, Option
from dilemmaboard.voting.casting import cast_vote
from tests.comment_helpers import comment_settings
from tests.conftest import write_case


def counters(slug: str = "taelle") -> tuple[int, int, list[int]]:
    """(visible comments, visible threads, visible threads per option 1-5), as stored."""
    db.session.expire_all()
    case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
    return case.comment_count, case.visible_threads, [o.visible_threads for o in case.options]


def post(case, name: str, *, option: int | None, parent: Comment | None = None,
         moderation: str = "post") -> Comment:
    """A comment by a reader who voted for `option` (None: did not vote)."""
    if option is not None:
        cast_vote(db.session, case, name, option)
        db.session.commit()
    settings = comment_settings(current_app, require_vote=False, moderation=moderation)
    comment = post_comment(db.session, case, name=name, body=f"Tekst fra {name}",
                           parent_id=parent.id if parent else None, voter_hash=name,
                           ip_hash=None, settings=settings)
    db.session.commit()
    return comment


def moderate(comment: Comment, action: str) -> None:
    moderate_comment(db.session, comment, action)
    db.session.commit()


def test_counters_follow_posting_moderation_and_deletion(app, dilemmas_dir, runner):
    write_case(dilemmas_dir, "taelle")
    assert runner.invoke(args=["dilemmas", "sync"]).exit_code == 0
    with app.test_request_context("/"):
        case = db.session.scalars(select(Case).where(Case.slug == "taelle")).one()
        first = post(case, "anna", option=2)
        assert counters() == (1, 1, [0, 1, 0, 0, 0])
        reply = post(case, "bo", option=5, parent=first)
        assert counters() == (2, 1, [0, 1, 0, 0, 0])  # a reply is no thread
        held = post(case, "cai", option=3, moderation="pre")
        assert counters() == (2, 1, [0, 1, 0, 0, 0])  # waiting: not counted
        moderate(held, "approve")
        assert counters() == (3, 2, [0, 1, 1, 0, 0])
        moderate(first, "hide")
        assert counters() == (2, 1, [0, 0, 1, 0, 0])
        moderate(first, "hide")  # twice: no second move
        assert counters() == (2, 1, [0, 0, 1, 0, 0])
        moderate(first, "restore")
        assert counters() == (3, 2, [0, 1, 1, 0, 0])
        moderate(reply, "delete")
        assert counters() == (2, 2, [0, 1, 1, 0, 0])
        own = post(case, "dea", option=None)
        assert counters() == (3, 3, [0, 1, 1, 0, 0])  # no option: in the total only
        settings = comment_settings(current_app)
        delete_own_comment(db.session, own, token=author_token(own, settings),
                           settings=settings)
        db.session.commit()
        assert counters() == (2, 2, [0, 1, 1, 0, 0])
        assert comment_counter_mismatches(db.session) == []


def test_the_filter_counts_on_the_page_are_the_stored_counters(app, dilemmas_dir, runner):
    write_case(dilemmas_dir, "taelle", extra="results: always")  # answers shown to all
    runner.invoke(args=["dilemmas", "sync"])
    with app.test_request_context("/"):
        case = db.session.scalars(select(Case).where(Case.slug == "taelle")).one()
        for n, option in enumerate([1, 1, 4]):
            post(case, f"laeser{n}", option=option)
    page = app.test_client().get("/dilemmas/taelle").get_data(as_text=True)
    assert '<span class="filter-count">(2)</span>' in page
    assert '<span class="filter-count">(1)</span>' in page
    filtered = app.test_client().get("/dilemmas/taelle?option=1").get_data(as_text=True)
    assert "laeser0" in filtered and "laeser1" in filtered and "laeser2" not in filtered


def test_tallies_verify_catches_a_wrong_comment_counter_and_repairs_it(app, dilemmas_dir,
                                                                       runner):
    write_case(dilemmas_dir, "taelle")
    runner.invoke(args=["dilemmas", "sync"])
    with app.test_request_context("/"):
        case = db.session.scalars(select(Case).where(Case.slug == "taelle")).one()
        post(case, "anna", option=2)
        post(case, "bo", option=2)
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(update(Option).where(Option.number == 2)
                           .values(visible_threads=9))
        db.session.execute(update(Case).values(visible_threads=0, comment_count=5))
        db.session.commit()
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 1
    assert "taelle option 2 threads: stored 9, counted 2" in result.output
    assert "taelle threads: stored 0, counted 2" in result.output
    assert "taelle comments: stored 5, counted 2" in result.output
    assert runner.invoke(args=["tallies", "verify", "--repair"]).exit_code == 1
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert counters() == (2, 2, [0, 2, 0, 0, 0])
