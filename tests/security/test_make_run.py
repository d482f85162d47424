"""`make run`'s own setup (the Makefile's environment, gunicorn.conf.py, default limiter
storage): the documented limits hold exactly, and slow clients cannot take the site down."""
from __future__ import annotations

import re
import socket
import subprocess
import threading
import time

import pytest

from tests.conftest import csrf_token_from, write_case
from tests.security.conftest import EDITOR, PASSWORD
from tests.servers import (
    APP_VARIABLES,
    ROOT,
    GunicornServer,
    HttpReader,
    app_env,
    flask_cli,
    get_status,
    prepare_database,
    run_concurrently,
)

pytestmark = pytest.mark.slow
# The documented limits (README, SECURITY.md): votes per address a minute, failed
# logins per account a minute.
VOTES_PER_MINUTE = 60
LOGINS_PER_MINUTE = 5


def make_run_environment() -> dict[str, str]:
    """The variables `make run` sets for gunicorn, read from the Makefile's own recipe."""
    env = {k: v for k, v in __import__("os").environ.items() if k not in APP_VARIABLES}
    recipe = subprocess.run(["make", "-n", "run"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=True).stdout.replace("\\\n", " ")
    line = next(line for line in recipe.splitlines() if "gunicorn -c gunicorn.conf.py" in line)
    assignments = dict(re.findall(r"\b([A-Z_]+)=(\S+)", line.split("gunicorn")[0]))
    return {k: v for k, v in assignments.items() if k not in ("SECRET_KEY", "HOST", "PORT")}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dilemmas")
    write_case(folder, "aaben", title="Den åbne case")
    db_path = tmp_path_factory.mktemp("db") / "site.sqlite3"
    made = make_run_environment()
    env = app_env(f"sqlite:///{db_path}", dilemmas_dir=folder, secret_key="s" * 32, **made)
    prepare_database(env)
    flask_cli(["editors", "add", EDITOR, "--password-stdin"], env, input=PASSWORD + "\n")
    # As `make run`: the limiter's defaults (enabled, memory://), nothing set.
    for name in ("RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI"):
        del env[name]
    with GunicornServer(env, workers=int(made.get("WEB_CONCURRENCY", "1"))) as running:
        yield running


def test_one_address_gets_exactly_the_documented_votes_a_minute(server):
    def vote(_n):
        return HttpReader(server.url).vote("aaben", 1).status

    started = time.monotonic()
    statuses = run_concurrently(vote, range(VOTES_PER_MINUTE + 10), concurrency=8)
    assert time.monotonic() - started < 50, "the votes must fall within one minute"
    assert statuses.count(303) == VOTES_PER_MINUTE, statuses
    assert statuses.count(429) == 10


def log_in(server, password: str) -> int:
    reader = HttpReader(server.url)
    token = csrf_token_from(reader.get("/admin/login").body)
    return reader.post("/admin/login", {"username": EDITOR, "password": password,
                                        "csrf_token": token}).status


def test_one_account_gets_exactly_the_documented_wrong_passwords_a_minute(server):
    statuses = [log_in(server, f"gæt {n}") for n in range(LOGINS_PER_MINUTE + 4)]
    assert statuses == [401] * LOGINS_PER_MINUTE + [429] * 4
    assert log_in(server, PASSWORD) == 429


def test_slow_clients_cannot_hold_the_server(server):
    """50 connections each sending one header line a second (slowloris); meanwhile
    /healthz answers at once."""
    sockets = []
    for n in range(50):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(f"GET /dilemmas/aaben?slow={n} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        sockets.append(sock)
    stop = threading.Event()

    def trickle():
        line = 0
        while not stop.wait(1.0):
            line += 1
            for sock in sockets:
                try:
                    sock.sendall(f"X-Slow-{line}: {'a' * 10}\r\n".encode())
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(2)  # every slow request is in, and has sent a line or two
        answers = []
        for _ in range(10):
            started = time.monotonic()
            answers.append((get_status(server.url + "/healthz", timeout=5),
                            time.monotonic() - started))
            time.sleep(0.3)
    finally:
        stop.set()
        thread.join(timeout=5)
        for sock in sockets:
            sock.close()
    assert [status for status, _ in answers] == [200] * 10
    assert max(seconds for _, seconds in answers) < 1.0, answers
