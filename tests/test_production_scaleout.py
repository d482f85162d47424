"""Scaling out (SPEC §10): two app instances, one PostgreSQL, one Redis.

Two gunicorns on different ports stand behind an imagined load balancer with
one trusted proxy hop (TRUSTED_PROXIES=1, the client address in
X-Forwarded-For). Readers load the page from one instance and vote through
the other: the votes add up in the one database, and the per-IP vote limit
is counted once, in Redis, whichever instance a vote reaches.
"""
from __future__ import annotations

import re
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select

from app import create_app
from dilemmaboard.config import DEFAULTS
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Vote
from dilemmaboard.web.privacy import ip_hash
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL, require_service, write_case
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

SLUG = "to-instanser"
READERS = 600
WORKERS_EACH = 2


def per_minute_vote_limit() -> int:
    match = re.search(r"(\d+) per minute", DEFAULTS["VOTES_PER_IP_LIMIT"])
    assert match, "the vote limit has no per-minute part"
    return int(match.group(1))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_service("postgres")
    require_service("redis")
    folder = tmp_path_factory.mktemp("cluster")
    (folder / "dilemmas").mkdir()
    write_case(folder / "dilemmas", SLUG, title="To instanser")
    secret = "cluster-" + uuid.uuid4().hex
    with PostgresSchema(TEST_DATABASE_URL, prefix="scale") as schema:
        env = app_env(schema.url, dilemmas_dir=folder / "dilemmas", secret_key=secret,
                      ratelimit_enabled=True, ratelimit_storage_uri=TEST_REDIS_URL,
                      TRUSTED_PROXIES="1")
        prepare_database(env)
        servers = [GunicornServer(env, workers=WORKERS_EACH, log_path=folder / f"{n}.log")
                   for n in ("a", "b")]
        app = create_app({"TESTING": True, "SECRET_KEY": secret, "DATABASE_URL": schema.url})
        try:
            for server in servers:
                server.start()
            yield env, servers, app
        finally:
            for server in servers:
                server.stop()
            forget_limits(app)
            with app.app_context():
                db.engine.dispose()
    for server in servers:
        assert "Traceback" not in server.log(tail=None), server.log()


USED_ADDRESSES: set[str] = set()


def address(n: int) -> str:
    value = f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}"
    USED_ADDRESSES.add(value)
    return value


def forget_limits(app) -> None:
    """Delete this test's counters from the shared Redis."""
    import redis

    hashes = set()
    for value in USED_ADDRESSES:
        with app.test_request_context(environ_base={"REMOTE_ADDR": value}):
            hashes.add(ip_hash())
    client = redis.Redis.from_url(TEST_REDIS_URL)
    doomed = [k for k in client.scan_iter("LIMITS:LIMITER/*", count=1000)
              if k.decode().split("/")[1] in hashes]
    if doomed:
        client.delete(*doomed)
    client.close()


def counts(app) -> tuple[list[int], list[int]]:
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == SLUG)).one()
        stored = [o.votes for o in sorted(case.options, key=lambda o: o.number)]
        rows = dict(db.session.execute(
            select(Vote.option_number, func.count()).where(Vote.case_id == case.id)
            .group_by(Vote.option_number)).all())
        db.session.remove()
    return stored, [rows.get(n, 0) for n in range(1, 6)]


def test_votes_add_up_across_two_instances(cluster):
    env, (a, b), app = cluster

    def vote(i: int):
        page, post = (a, b) if i % 2 else (b, a)
        reader = HttpReader(page.url, forwarded_for=address(i))
        token = reader.token(f"/dilemmas/{SLUG}")
        return reader.vote(SLUG, i % 5 + 1, token=token, base_url=post.url).status

    started = time.perf_counter()
    results = run_concurrently(vote, range(READERS), concurrency=64)
    seconds = time.perf_counter() - started
    outcome = Counter(r if isinstance(r, int) else type(r).__name__ for r in results)
    stored, counted = counts(app)
    print(f"\n[postgresql+redis] {READERS} readers over 2 instances x {WORKERS_EACH} workers: "
          f"votes={sum(counted)}, seconds={seconds:.1f}, statuses={dict(outcome)}")
    assert outcome == Counter({303: READERS})
    assert counted == [READERS // 5] * 5
    assert stored == counted
    assert "all tallies match" in flask_cli(["tallies", "verify"], env).stdout


def test_instances_share_the_vote_limit_through_redis(cluster):
    _env, (a, b), app = cluster
    limit = per_minute_vote_limit()
    before = sum(counts(app)[1])
    one_address = address(READERS + 1)

    def vote(i: int):
        server = (a, b)[i % 2]
        return server.url, HttpReader(server.url, forwarded_for=one_address).vote(
            SLUG, i % 5 + 1).status

    results = run_concurrently(vote, range(limit + 10), concurrency=16)
    outcome = Counter(status for _url, status in results)
    accepted_by = Counter(url for url, status in results if status == 303)
    # One more try on each instance: both refuse, they share one count.
    late = [HttpReader(s.url, forwarded_for=one_address).vote(SLUG, 1).status for s in (a, b)]
    print(f"\n[postgresql+redis] {limit + 10} votes from one address over 2 instances: "
          f"statuses={dict(outcome)}, accepted per instance={sorted(accepted_by.values())}, "
          f"then {late}")
    assert outcome == Counter({303: limit, 429: 10})
    assert late == [429, 429]
    assert sum(counts(app)[1]) - before == limit
