"""No vote lost, doubled or miscounted: real gunicorn, 4 workers, SQLite and PostgreSQL.

Each database gets one migrated, synced site per module (a SQLite file, or a
fresh PostgreSQL schema) served by a real gunicorn on a free loopback port;
each test votes on its own case. Readers are real HTTP clients: they GET the
case page for the cookies and the CSRF token, then POST the vote. The numbers
the tests observe are printed (run with `pytest -s` to see them).
"""
from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app import create_app
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Vote, VoteEvent
from dilemmaboard.web.privacy import voter_hash
from tests.conftest import TEST_DATABASE_URL, require_service, write_case
from tests.servers import (
    GunicornServer,
    HttpReader,
    PostgresSchema,
    app_env,
    flask_cli,
    prepare_database,
    run_concurrently,
)

pytestmark = pytest.mark.slow

IN_FLIGHT = 64


@dataclass
class Site:
    """A served database, and an in-process app that reads it back for the checks."""

    kind: str
    env: dict
    server: GunicornServer
    app: object

    def tallies(self, slug: str) -> tuple[list[int], list[int], int]:
        """(stored tallies, counted vote records, events) for options 1-5 of a case."""
        with self.app.app_context():
            case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
            stored = [o.votes for o in sorted(case.options, key=lambda o: o.number)]
            rows = dict(db.session.execute(
                select(Vote.option_number, func.count()).where(Vote.case_id == case.id)
                .group_by(Vote.option_number)).all())
            events = db.session.scalar(
                select(func.count()).select_from(VoteEvent).where(VoteEvent.case_id == case.id))
            db.session.remove()
        return stored, [rows.get(n, 0) for n in range(1, 6)], events

    def stored_vote(self, cookie: str) -> int | None:
        """The option stored for the reader holding this voter cookie (None: no vote)."""
        with self.app.test_request_context(headers={"Cookie": f"db_voter={cookie}"}):
            hashed = voter_hash()
            option = db.session.scalar(select(Vote.option_number).where(
                Vote.voter_hash == hashed))
            db.session.remove()
            return option

    def errors(self) -> str:
        """The server's error lines and tracebacks, for a failing assertion's message."""
        lines = self.server.log(tail=None).splitlines()
        picked = [line for line in lines if " ERROR " in line or "Traceback" in line
                  or line.startswith(("  ", "sqlalchemy", "sqlite3", "psycopg"))]
        return "\n".join(picked[-80:]) or "(no errors in the server log)"

    def verify(self) -> str:
        """`flask tallies verify` in its own process; fails the test on a mismatch."""
        return flask_cli(["tallies", "verify"], self.env).stdout


CASES = {
    "to-tusind": {},                  # 2,000 readers, one vote each
    "en-cookie": {"extra": "shuffle: true"},  # shuffled: the page mints the voter cookie
    "frem-og-tilbage": {},            # 500 readers changing their votes
    "draebt-arbejder": {},            # a worker is SIGKILLed under load
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"site-{request.param}")
    (folder / "dilemmas").mkdir()
    for slug, options in CASES.items():
        write_case(folder / "dilemmas", slug, title=f"Belastning {slug}", **options)
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'site.sqlite3'}"
    else:
        require_service("postgres")
        schema = PostgresSchema(TEST_DATABASE_URL, prefix="load").create()
        url = schema.url
    secret = "load-" + uuid.uuid4().hex
    env = app_env(url, dilemmas_dir=folder / "dilemmas", secret_key=secret)
    prepare_database(env)
    server = GunicornServer(env, workers=4, log_path=folder / "gunicorn.log").start()
    app = create_app({"TESTING": True, "SECRET_KEY": secret, "DATABASE_URL": url})
    try:
        yield Site(request.param, env, server, app)
    finally:
        server.stop()
        with app.app_context():
            db.engine.dispose()
        if schema:
            schema.drop()
    log = server.log(tail=None)
    assert "database is locked" not in log
    assert "Traceback" not in log, Site(request.param, env, server, app).errors()


def statuses(results) -> Counter:
    """How the requests ended: a status code, or the name of the connection error."""
    return Counter(r.status if hasattr(r, "status") else type(r).__name__ for r in results)


def server_errors(counter: Counter) -> int:
    return sum(n for key, n in counter.items() if isinstance(key, int) and key >= 500)


def report(site: Site, what: str, **numbers) -> None:
    print(f"\n[{site.kind}] {what}: " + ", ".join(f"{k}={v}" for k, v in numbers.items()))


def test_2000_readers_64_in_flight_exactly_2000_votes(site):
    slug, readers = "to-tusind", 2000
    started = time.perf_counter()
    results = run_concurrently(
        lambda i: HttpReader(site.server.url).vote(slug, i % 5 + 1), range(readers), IN_FLIGHT)
    seconds = time.perf_counter() - started
    outcome = statuses(results)
    stored, counted, events = site.tallies(slug)
    report(site, f"{readers} readers, {IN_FLIGHT} in flight", votes=sum(counted),
           seconds=f"{seconds:.1f}", readers_per_s=f"{readers / seconds:.0f}",
           statuses=dict(outcome), server_errors=server_errors(outcome))
    assert outcome == Counter({303: readers}), site.errors()
    assert counted == [readers // 5] * 5
    assert stored == counted
    assert events == readers
    assert "all tallies match" in site.verify()


def test_200_simultaneous_posts_with_one_cookie_make_one_vote(site):
    slug, posts = "en-cookie", 200
    reader = HttpReader(site.server.url)
    token = reader.token(f"/dilemmas/{slug}")
    assert "db_voter" in reader.cookies, "the shuffled case page mints the voter cookie"
    start = threading.Barrier(posts)

    def post(i: int):
        twin = HttpReader(site.server.url)
        twin.cookies = dict(reader.cookies)
        start.wait()
        return twin.post(f"/dilemmas/{slug}/vote", {"option": str(i % 5 + 1),
                                                    "csrf_token": token})

    started = time.perf_counter()
    results = run_concurrently(post, range(posts), concurrency=posts)
    seconds = time.perf_counter() - started
    outcome = statuses(results)
    stored, counted, events = site.tallies(slug)
    report(site, f"{posts} simultaneous POSTs, one cookie", votes=sum(counted),
           events=events, seconds=f"{seconds:.1f}", statuses=dict(outcome),
           server_errors=server_errors(outcome))
    assert outcome == Counter({303: posts}), site.errors()
    assert sum(counted) == 1
    assert stored == counted
    assert site.stored_vote(reader.cookies["db_voter"]) in (1, 2, 3, 4, 5)
    assert "all tallies match" in site.verify()


def test_500_readers_changing_votes_back_and_forth(site):
    slug, readers = "frem-og-tilbage", 500

    def back_and_forth(i: int):
        first, other = i % 5 + 1, (i + 2) % 5 + 1
        reader = HttpReader(site.server.url)
        token = reader.token(f"/dilemmas/{slug}")
        answers = [reader.vote(slug, option, token=token).status
                   for option in (first, other, first)]
        return answers, reader.cookies.get("db_voter"), first

    started = time.perf_counter()
    results = run_concurrently(back_and_forth, range(readers), IN_FLIGHT)
    seconds = time.perf_counter() - started
    failures = [r for r in results if isinstance(r, Exception)]
    outcome = Counter(s for r in results if not isinstance(r, Exception) for s in r[0])
    stored, counted, events = site.tallies(slug)
    expected = Counter(r[2] for r in results if not isinstance(r, Exception))
    report(site, f"{readers} readers x 3 votes (first, change, change back)",
           votes=sum(counted),
           events=events, seconds=f"{seconds:.1f}", statuses=dict(outcome),
           dropped=len(failures), server_errors=server_errors(outcome))
    assert not failures, site.errors()
    assert outcome == Counter({303: readers * 3}), site.errors()
    assert stored == counted == [expected[n] for n in range(1, 6)]
    assert events == readers * 3
    assert all(site.stored_vote(cookie) == final for _, cookie, final in results)
    assert "all tallies match" in site.verify()


def test_sigkill_a_worker_mid_load_loses_no_acknowledged_vote(site):
    slug, readers, kill_after = "draebt-arbejder", 400, 100
    done = Counter()
    lock = threading.Lock()
    killed: list[int] = []

    def vote(i: int):
        reader = HttpReader(site.server.url)
        try:
            answer = reader.vote(slug, i % 5 + 1)
            return answer.status, reader.cookies.get("db_voter"), i % 5 + 1
        finally:
            with lock:
                done["n"] += 1

    def killer():
        while done["n"] < kill_after:
            time.sleep(0.005)
        killed.append(site.server.kill_worker(signal.SIGKILL))

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    started = time.perf_counter()
    results = run_concurrently(vote, range(readers), IN_FLIGHT)
    seconds = time.perf_counter() - started
    thread.join(timeout=30)
    assert killed, "no worker was killed"
    site.server.wait_for_workers()
    assert killed[0] not in site.server.worker_pids()

    acknowledged = [r for r in results if not isinstance(r, Exception) and r[0] == 303]
    dropped = [r for r in results if isinstance(r, Exception)]
    outcome = Counter(type(r).__name__ if isinstance(r, Exception) else r[0] for r in results)
    lost = [r for r in acknowledged if site.stored_vote(r[1]) != r[2]]
    stored, counted, _events = site.tallies(slug)
    report(site, f"SIGKILL worker {killed[0]} after {kill_after} of {readers} readers",
           acknowledged=len(acknowledged), dropped_connections=len(dropped),
           votes_stored=sum(counted), lost_acknowledged=len(lost), seconds=f"{seconds:.1f}",
           server_errors=server_errors(outcome))
    assert server_errors(outcome) == 0, site.errors()
    assert not lost, f"{len(lost)} votes answered 303 but not stored"
    assert stored == counted
    assert sum(counted) >= len(acknowledged)
    assert "all tallies match" in site.verify()

