"""The case page takes a fixed number of SQL queries, whatever the numbers of votes and comments.

SPEC §4: reading results must not count votes row by row; issue 9: the case page
stays flat from 0 to 1,000,000 votes and from 10 to 5,000 comments. Counted with
a SQLAlchemy `before_cursor_execute` listener around one real GET, on SQLite and
PostgreSQL. The numbers are pinned: a new query on the page must be a decision.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from dilemmaboard.comments.service import moderate_comment, post_comment
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Comment
from dilemmaboard.voting.casting import cast_vote
from dilemmaboard.voting.demo import seed_votes
from tests.comment_helpers import comment_settings
from tests.conftest import Reader, write_case

SLUG = "taeller"
# The case with its options (one query; the front page finds this week's case and then
# its options: two), three for the comments (the few shown threads that are not visible
# comments, one page of threads, their replies: the visible ones are stored counters);
# a reader with a voter cookie adds the look-up of their vote.
CASE_PAGE = {"anonymous": 4, "voter": 5}
FRONT_PAGE = {"anonymous": 5, "voter": 6}
# A page with no threads on it has no replies to look up: one query less.
NO_THREADS = 1


@pytest.fixture
def site(make_app, dilemmas_dir):
    """An open case that shows its results to everyone, and nothing else."""
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, SLUG, title="Tællecasen", extra="results: always")
    return make_app()


def count_queries(app, client, path: str) -> int:
    """Run one GET and return how many statements reached the database."""
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.status_code
    return len(statements)


def add_votes_and_comments(app, *, votes: int, threads: int, voter: Reader) -> None:
    """Many votes, several pages of threads (under every answer) with replies, placeholders
    and pending comments."""
    settings = comment_settings(app, require_vote=False)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == SLUG)).one()
        seed_votes(db.session, case, votes)
        tops = []
        for n in range(threads):
            # Each thread's author voted, so the answer filter has threads to show too.
            cast_vote(db.session, case, f"v{n}", n % 5 + 1)
            comment = post_comment(db.session, case, name=f"Læser {n}", body=f"Indlæg *{n}*",
                                   voter_hash=f"v{n}", ip_hash=None, settings=settings)
            tops.append(comment)
            if n % 3 == 0:
                post_comment(db.session, case, name=f"Svar {n}", body="Enig.",
                             parent_id=comment.id, voter_hash=f"r{n}", ip_hash=None,
                             settings=settings)
        db.session.commit()
        # A hidden comment that stays as a placeholder for its reply; a deleted one that goes.
        moderate_comment(db.session, tops[0], "hide")
        moderate_comment(db.session, tops[1], "delete")
        db.session.commit()
        # The voter's own comment waiting for an editor (shown only to them).
        post_comment(db.session, case, name="Vera", body="Afventer.",
                     voter_hash=voter.voter_hash(app), ip_hash=None,
                     settings=comment_settings(app, require_vote=False, moderation="pre"))
        db.session.commit()
        shown = db.session.scalar(select(Case.comment_count).where(Case.id == case.id))
        stored = db.session.scalar(select(func.count()).select_from(Comment))
        assert shown > 50 and stored > threads


class Voter(Reader):
    """A reader who has voted on the case (so the page also looks up their vote)."""

    def voter_hash(self, app) -> str:
        from dilemmaboard.web.privacy import _serializer, keyed_hash

        cookie = self.client.get_cookie(app.config["VOTER_COOKIE"])
        with app.test_request_context("/"):
            return keyed_hash("voter", _serializer().loads(cookie.value))


PAGES = [f"/dilemmas/{SLUG}", f"/dilemmas/{SLUG}?page=2", f"/dilemmas/{SLUG}?option=3", "/"]


def pinned(path: str, *, threads: bool) -> tuple[int, int]:
    """The queries of this page for an anonymous reader and for a voter."""
    expected = FRONT_PAGE if path == "/" else CASE_PAGE
    fewer = 0 if threads else NO_THREADS
    return expected["anonymous"] - fewer, expected["voter"] - fewer


def test_case_page_queries_do_not_grow_with_votes_or_comments(site):
    anonymous = Reader(site.test_client())
    voter = Voter(site.test_client())
    assert voter.vote(SLUG, "2").status_code == 303
    empty = {path: (count_queries(site, anonymous.client, path),
                    count_queries(site, voter.client, path)) for path in PAGES}
    assert empty == {path: pinned(path, threads=False) for path in PAGES}

    # Every one of the pages now shows threads (and replies).
    add_votes_and_comments(site, votes=3000, threads=130, voter=voter)
    full = {path: (count_queries(site, anonymous.client, path),
                   count_queries(site, voter.client, path)) for path in PAGES}
    assert full == {path: pinned(path, threads=True) for path in PAGES}


def test_the_full_page_shows_the_many_comments_it_counted(site):
    voter = Voter(site.test_client())
    voter.vote(SLUG, "2")
    add_votes_and_comments(site, votes=10, threads=130, voter=voter)
    page = voter.client.get(f"/dilemmas/{SLUG}").get_data(as_text=True)
    assert "Side 1 af 3" in page  # 130 threads, 50 a page
    assert "Afventer." not in page  # the pending comment is the newest, on the last page
    last = voter.client.get(f"/dilemmas/{SLUG}?page=3").get_data(as_text=True)
    assert "Afventer." in last
    anonymous = Reader(site.test_client()).client.get(f"/dilemmas/{SLUG}?page=3")
    assert "Afventer." not in anonymous.get_data(as_text=True)


@pytest.mark.parametrize("viewer", [None, "v" * 64])
@pytest.mark.parametrize("option", [None, 3])
def test_counting_the_other_threads_reads_only_their_rows(tmp_path, viewer, option):
    """The placeholders and the viewer's waiting comments are found through the status
    index. Written as one count with OR, SQLite read every thread of the case: 2 ms at
    8,500 threads on every page a voter saw, and on every comment POST. (SQLite's plan,
    on the schema with its indexes; PostgreSQL plans by statistics.)"""
    from sqlalchemy import create_engine

    from dilemmaboard.comments.listing import other_thread_count

    engine = create_engine(f"sqlite:///{tmp_path / 'plan.sqlite3'}")
    db.metadata.create_all(engine)
    stmt = other_thread_count(1, viewer=viewer, option=option)
    sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    engine.dispose()
    searches = [step for step in plan if step.startswith(("SEARCH comments ", "SCAN comments"))]
    assert searches, plan
    assert all("status=?" in step for step in searches), plan
