"""Rate limits in Redis (RATELIMIT_STORAGE_URI), and failing open when Redis is down."""
from __future__ import annotations

import base64
import logging
import socket
import threading
import time
import uuid

import pytest

from dilemmaboard.research.codebook import TABLES
from tests.conftest import TEST_REDIS_URL, Reader, csrf_token_from, require_service, write_case
from tests.security.conftest import PASSWORD, add_account

DEAD_REDIS = "redis://127.0.0.1:9/0"


@pytest.fixture
def limited(make_app, dilemmas_dir):
    """Build an app whose vote limit is 2 per minute, with the given limiter storage."""
    write_case(dilemmas_dir, "graense")

    def build(storage_uri: str, **overrides):
        # A fresh SECRET_KEY gives a fresh IP hash, so the Redis keys are this test's own.
        overrides.setdefault("SECRET_KEY", f"test-{uuid.uuid4().hex}")
        return make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage_uri,
                        VOTES_PER_IP_LIMIT="2 per minute", **overrides)
    return build


def limiter_keys(app, redis_client) -> list[bytes]:
    """The Redis keys holding this app's counters for the test client's address."""
    from dilemmaboard.web.privacy import ip_hash

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        return redis_client.keys(f"*{ip_hash()}*")


def vote_statuses(app, count: int) -> list[int]:
    return [Reader(app.test_client()).vote("graense", "1").status_code for _ in range(count)]


@pytest.fixture
def redis_client():
    require_service("redis")
    import redis

    client = redis.Redis.from_url(TEST_REDIS_URL)
    yield client
    client.close()


def test_limits_are_kept_in_redis(limited, redis_client):
    app = limited(TEST_REDIS_URL)
    assert vote_statuses(app, 3) == [303, 303, 429]
    keys = limiter_keys(app, redis_client)
    assert keys, "the limiter wrote nothing to Redis"
    redis_client.delete(*keys)


def test_two_apps_on_one_redis_share_the_limit(limited, redis_client):
    first = limited(TEST_REDIS_URL)
    assert vote_statuses(first, 2) == [303, 303]
    # A second app, as another process would be, with the same Redis and SECRET_KEY.
    second = limited(TEST_REDIS_URL, SECRET_KEY=first.config["SECRET_KEY"])
    assert vote_statuses(second, 1) == [429]
    redis_client.delete(*limiter_keys(first, redis_client))


def test_redis_down_fails_open_with_one_warning(limited, caplog):
    app = limited(DEAD_REDIS)
    caplog.set_level(logging.INFO)
    # Over the limit, yet served: the limits are open while Redis is down.
    assert vote_statuses(app, 4) == [303, 303, 303, 303]
    warnings = [r for r in caplog.records if r.name == "flask-limiter"]
    assert len(warnings) == 1, "the warning repeats at most once a minute per worker"
    assert warnings[0].levelno == logging.WARNING
    assert "limits are open" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_redis_down_does_not_touch_pages_without_limits(limited):
    app = limited(DEAD_REDIS)
    client = app.test_client()
    assert client.get("/dilemmas/graense").status_code == 200
    assert client.get("/healthz").status_code == 200


# --- a Redis that accepts connections and never answers ------------------------------

class HangingRedis:
    """A TCP server that accepts every connection and never says a word; it counts them,
    so a test sees how often the limiter asked (each attempt of redis-py is one)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(conn)

    @property
    def connections(self) -> int:
        time.sleep(0.05)  # let the accept thread catch up
        return len(self.accepted)

    def close(self):
        self.server.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hanging_redis():
    server = HangingRedis()
    yield server
    server.close()


READ_ONLY = ["/", "/dilemmas", "/dilemmas/graense", "/dilemmas/graense/comments.xml",
             "/feed.xml", "/api/dilemmas", "/api/dilemmas/graense", "/export/datapackage.json",
             "/healthz"] + [f"/export/{name}.{fmt}" for name, table in TABLES.items()
                            if not table.login_required for fmt in ("csv", "json")]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_read_only_pages_never_ask_a_hanging_redis(limited, hanging_redis, method):
    app = limited(hanging_redis.url)
    client = app.test_client()
    for path in READ_ONLY:
        assert client.open(path, method=method).status_code == 200, path
    assert hanging_redis.connections == 0


def basic_header(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_a_wrong_basic_login_asks_a_hanging_redis_once(limited, hanging_redis):
    app = limited(hanging_redis.url)
    add_account(app, "forsker", "researcher")
    client = app.test_client()
    started = time.monotonic()
    response = client.get("/export/votes.csv", headers=basic_header("forsker", "forkert"))
    assert response.status_code == 401
    assert hanging_redis.connections == 1
    # One storage timeout (1 s), not one per limit and per deduction.
    assert time.monotonic() - started < 1.8
    assert client.get("/export/votes.csv",
                      headers=basic_header("forsker", PASSWORD)).status_code == 200


def test_a_wrong_login_asks_a_hanging_redis_once(limited, hanging_redis):
    app = limited(hanging_redis.url)
    add_account(app, "redaktoer")
    client = app.test_client()
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    assert hanging_redis.connections == 0
    started = time.monotonic()
    response = client.post("/admin/login", data={"username": "redaktoer",
                                                 "password": "forkert kode", "csrf_token": token})
    assert response.status_code == 401
    assert hanging_redis.connections == 1
    assert time.monotonic() - started < 1.8
