"""The same protections through a real gunicorn, as `make run` serves the site."""
from __future__ import annotations

import http.client
import socket
import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest

from tests.conftest import write_case
from tests.security.test_headers import assert_security_headers
from tests.servers import GunicornServer, HttpReader, app_env, prepare_database

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dilemmas")
    write_case(folder, "aaben", title="Den åbne case")
    db_path = tmp_path_factory.mktemp("db") / "site.sqlite3"
    env = app_env(f"sqlite:///{db_path}", dilemmas_dir=folder, secret_key="s" * 32)
    prepare_database(env)
    with GunicornServer(env, workers=2) as running:
        running.database = db_path
        yield running


def raw_request(server, request: bytes, *, read_timeout: float = 10) -> tuple[bytes, float]:
    """Send raw bytes, return (the response head, seconds until it arrived)."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return data, time.monotonic() - started


def status_of(head: bytes) -> int:
    return int(head.split(b" ", 2)[1])


def test_case_page_headers_over_real_http(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("HEAD", "/dilemmas/aaben")
    response = conn.getresponse()
    assert response.status == 200
    assert_security_headers(SimpleNamespace(headers=response.headers))
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
    assert "Server" not in response.headers or "gunicorn" in response.headers["Server"]


def test_oversized_body_is_refused_before_it_is_sent(server):
    """Content-Length says 10 MB; only the headers go out, and 413 comes back."""
    head, _ = raw_request(server, (
        b"POST /dilemmas/aaben/vote HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 10000000\r\nConnection: close\r\n\r\noption=1&"))
    assert status_of(head) == 413
    assert b"Content-Security-Policy" in head


@pytest.mark.parametrize("target", [
    b"/dilemmas/aaben?next=\xff\xfe", b"/dilemmas/\xff", b"/%ED%A0%80",
    b"/../../etc/passwd", b"/dilemmas/..%2f..%2fetc%2fpasswd", b"/static/../app.py",
    b"/language/en?next=/%0d%0aSet-Cookie:%20x=1",
])
def test_raw_hostile_request_lines(server, target):
    head, _ = raw_request(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Connection: close\r\n\r\n")
    assert status_of(head) < 500
    assert b"Set-Cookie: x=1" not in head
    assert b"root:" not in head


def test_the_log_has_no_client_addresses(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/dilemmas/aaben", headers={"X-Forwarded-For": "198.51.100.23"})
    conn.getresponse().read()
    time.sleep(0.5)
    request_lines = [line for line in server.log().splitlines() if "path=" in line]
    assert request_lines
    assert not any("127.0.0.1" in line or "198.51.100.23" in line for line in request_lines)


# --- chunked bodies (Transfer-Encoding: chunked): the same limit as Content-Length -----

KIB = 1024


def chunked_post(server, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """POST `body` in chunks over a raw socket and return what came back.

    A 413 may come before the whole body is sent, so a second thread reads the
    answer while this one sends; sending stops when the server closes.
    """
    answer = bytearray()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        def read() -> None:
            while True:
                try:
                    data = sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                answer.extend(data)

        reader = threading.Thread(target=read)
        reader.start()
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                "Transfer-Encoding: chunked\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n")
        try:
            sock.sendall(head.encode())
            for start in range(0, len(body), 16 * KIB):
                piece = body[start:start + 16 * KIB]
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before it took the rest
        reader.join(timeout=20)
    return bytes(answer)


def votes_in(server) -> int:
    with sqlite3.connect(server.database) as conn:
        return conn.execute("SELECT count(*) FROM votes").fetchone()[0]


def chunked_vote(server, option: int, padding: int) -> bytes:
    reader = HttpReader(server.url)
    token = reader.token("/dilemmas/aaben")
    cookies = "; ".join(f"{k}={v}" for k, v in reader.cookies.items())
    body = f"csrf_token={token}&option={option}&padding=".encode() + b"p" * padding
    return chunked_post(server, "/dilemmas/aaben/vote", body, {
        "Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"})


def test_a_chunked_vote_over_the_limit_is_413_and_not_counted(server):
    """gunicorn undoes the chunks; the app used to parse the first 64 KiB and count the vote."""
    before = votes_in(server)
    answer = chunked_vote(server, 1, padding=2048 * KIB)
    assert status_of(answer) == 413, answer[:300]
    assert b"Content-Security-Policy" in answer
    assert votes_in(server) == before


def test_a_small_chunked_vote_still_counts(server):
    before = votes_in(server)
    answer = chunked_vote(server, 2, padding=1 * KIB)
    assert status_of(answer) == 303, answer[:300]
    assert votes_in(server) == before + 1
