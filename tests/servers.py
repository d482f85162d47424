"""Run Dilemmaboard for real: gunicorn on a free loopback port, the flask CLI, HTTP readers.

Used by the production tests and by the benchmarks. Nothing here imports the
app: the server and the CLI run in their own processes, configured only by
the environment, exactly as in a deployment.

    env = app_env(database_url, dilemmas_dir=folder)
    flask_cli(["db", "upgrade"], env)
    with GunicornServer(env, workers=4) as server:
        reader = HttpReader(server.url)
        reader.vote("my-case", 3)
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Settings a test must choose itself, never inherit from the shell that runs pytest.
APP_VARIABLES = (
    "SECRET_KEY", "DATABASE_URL", "DILEMMAS_DIR", "RATELIMIT_STORAGE_URI", "RATELIMIT_ENABLED",
    "TRUSTED_PROXIES", "PORT", "HOST", "WEB_CONCURRENCY", "FLASK_DEBUG", "FLASK_APP",
    "COMMENTS_MODERATION", "COMMENTS_REQUIRE_VOTE", "PROFILE_QUESTION",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, *, dilemmas_dir: str | os.PathLike, secret_key: str,
            ratelimit_enabled: bool = False, ratelimit_storage_uri: str = "memory://",
            **extra: str) -> dict[str, str]:
    """The environment for a server or a CLI process on `database_url`."""
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env.update({
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "DILEMMAS_DIR": str(dilemmas_dir),
        "RATELIMIT_ENABLED": "true" if ratelimit_enabled else "false",
        "RATELIMIT_STORAGE_URI": ratelimit_storage_uri,
        "PYTHONUNBUFFERED": "1",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cli(args: list[str], env: dict[str, str], *, check: bool = True,
              timeout: float = 120, input: str | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app app ARGS` in the project folder; raise with its output on failure."""
    result = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout, input=input,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"flask {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def prepare_database(env: dict[str, str]) -> None:
    """Migrate an empty database and load the case folder, as a release step does."""
    flask_cli(["db", "upgrade"], env)
    flask_cli(["dilemmas", "sync"], env)


class PostgresSchema:
    """A fresh, empty schema on a PostgreSQL server, dropped afterwards.

    `url` selects it for any process (`?options=-csearch_path=...`), so a
    gunicorn or a flask CLI needs nothing but DATABASE_URL.
    """

    def __init__(self, server_url: str, prefix: str = "p"):
        import uuid

        self.server_url = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", server_url)
        self.name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        separator = "&" if "?" in self.server_url else "?"
        self.url = f"{self.server_url}{separator}options=-csearch_path%3D{self.name}"

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql)

    def create(self) -> PostgresSchema:
        self._execute(f'CREATE SCHEMA "{self.name}"')
        return self

    def drop(self) -> None:
        self._execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')

    def __enter__(self) -> PostgresSchema:
        return self.create()

    def __exit__(self, *_exc) -> None:
        self.drop()


class GunicornServer:
    """A real gunicorn (gunicorn.conf.py, wsgi:app) on a free 127.0.0.1 port."""

    def __init__(self, env: dict[str, str], *, workers: int = 4,
                 log_path: str | os.PathLike | None = None, timeout: int = 30):
        self.port = free_port()
        self.workers = workers
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port),
                    "WEB_CONCURRENCY": str(workers), "GUNICORN_TIMEOUT": str(timeout)}
        if log_path is None:
            handle, log_path = tempfile.mkstemp(prefix="gunicorn-", suffix=".log")
            os.close(handle)
        self.log_path = Path(log_path)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: float = 60) -> GunicornServer:
        """Start the server; return once every worker answers (or raise with the log)."""
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}:\n{self.log()}")
            if len(self.worker_pids()) >= self.workers and self._healthy():
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not become healthy in {wait}s:\n{self.log()}")

    def _healthy(self) -> bool:
        try:
            return get_status(self.url + "/healthz", timeout=2) == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The pids of the master's live worker processes."""
        if self.process is None:
            return []
        pids = []
        task_dir = Path(f"/proc/{self.process.pid}/task")
        try:
            for task in task_dir.iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            return []
        return sorted(pids)

    def kill_worker(self, sig: int = signal.SIGKILL) -> int:
        """Send `sig` to one worker (the master will start a replacement); return its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, sig)
        return pid

    def wait_for_workers(self, count: int | None = None, wait: float = 30) -> None:
        count = count or self.workers
        deadline = time.monotonic() + wait
        while len(self.worker_pids()) < count or not self._healthy():
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(self.worker_pids())} workers:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), or kill after 15 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log(self, tail: int | None = 20_000) -> str:
        """The server's output (the last `tail` characters; None: all of it)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-tail:] if tail else text

    def __enter__(self) -> GunicornServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


# --- HTTP readers ------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf[-_]token" (?:value|content)="([^"]+)"')


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str
    set_cookies: list[str] = field(default_factory=list)


def request(base_url: str, method: str, path: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60) -> Answer:
    """One HTTP request on a fresh connection (gunicorn's sync workers close it anyway)."""
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return Answer(
            status=response.status,
            headers={k.lower(): v for k, v in response.getheaders()},
            body=text,
            set_cookies=response.headers.get_all("Set-Cookie") or [],
        )
    finally:
        conn.close()


def get_status(url: str, timeout: float = 10) -> int:
    parts = urllib.parse.urlsplit(url)
    return request(f"{parts.scheme}://{parts.netloc}", "GET", parts.path or "/",
                   timeout=timeout).status


class HttpReader:
    """An anonymous reader with their own cookies, talking to real servers over HTTP.

    `base_url` may be changed between requests: a reader can GET from one app
    instance and POST to another, as behind a load balancer.
    """

    def __init__(self, base_url: str, *, forwarded_for: str | None = None):
        self.base_url = base_url
        self.cookies: dict[str, str] = {}
        self.forwarded_for = forwarded_for

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": "da"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        return {**headers, **(extra or {})}

    def _keep_cookies(self, answer: Answer) -> None:
        for header in answer.set_cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def get(self, path: str, base_url: str | None = None) -> Answer:
        answer = request(base_url or self.base_url, "GET", path, headers=self._headers())
        self._keep_cookies(answer)
        return answer

    def post(self, path: str, form: dict[str, str], base_url: str | None = None) -> Answer:
        body = urllib.parse.urlencode(form).encode()
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        answer = request(base_url or self.base_url, "POST", path, body=body, headers=headers)
        self._keep_cookies(answer)
        return answer

    def token(self, path: str, base_url: str | None = None) -> str:
        """GET a page (for the cookies) and return its CSRF token."""
        answer = self.get(path, base_url)
        match = CSRF_RE.search(answer.body)
        if answer.status != 200 or not match:
            raise AssertionError(f"GET {path}: {answer.status}, no csrf token")
        return match.group(1)

    def vote(self, slug: str, option: int, *, token: str | None = None,
             base_url: str | None = None) -> Answer:
        """GET the case page for cookie + token (unless given), then POST the vote."""
        token = token or self.token(f"/dilemmas/{slug}", base_url)
        return self.post(f"/dilemmas/{slug}/vote", {"option": str(option), "csrf_token": token},
                         base_url)


def run_concurrently(task: Callable, items: Iterable, concurrency: int = 64) -> list:
    """Call task(item) for every item with `concurrency` in flight; results in item order.

    An exception (a dropped connection, say) is returned in place of the result.
    """
    def guarded(item):
        try:
            return task(item)
        except Exception as exc:  # noqa: BLE001 - the caller counts failures
            return exc

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(guarded, items))
