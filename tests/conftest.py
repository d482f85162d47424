"""Shared fixtures: a fresh real database per test, on SQLite and on PostgreSQL.

Every test that uses `app` runs twice: once on its own SQLite file and once in
its own PostgreSQL schema (when TEST_DATABASE_URL answers). With
REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable server fails the run
instead of skipping.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import create_engine, text

from app import create_app
from dilemmaboard.cases.sync import sync_configured
from dilemmaboard.extensions import db
from dilemmaboard.web.i18n import compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "dilemmas"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRED = {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}
if os.environ.get("REQUIRE_POSTGRES") == "1":
    REQUIRED.add("postgres")


def _pg_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def pytest_configure(config):
    """The English catalogue, built once for the run (`make test` has built it already)."""
    compile_catalogues(ROOT / "translations")


def postgres_available() -> bool:
    try:
        engine = create_engine(_pg_url(TEST_DATABASE_URL), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def redis_available() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


_AVAILABLE: dict[str, bool] = {}


def r_available() -> bool:
    """R for the snapshot's load script: Debian's r-base-core gives Rscript."""
    return shutil.which("Rscript") is not None


def require_service(name: str) -> None:
    """Skip (or, when CI requires the service, fail) if it does not answer."""
    if name not in _AVAILABLE:
        _AVAILABLE[name] = {"postgres": postgres_available, "redis": redis_available,
                            "r": r_available}[name]()
    if _AVAILABLE[name]:
        return
    problem = ("Rscript is not on PATH (apt-get install r-base-core)" if name == "r"
               else "it does not answer")
    if name in REQUIRED:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES) but {problem}")
    pytest.skip(f"{name} skipped: {problem} (set REQUIRE_SERVICES={name} to fail instead)")


class Database:
    """A fresh, empty database for one test: a SQLite file or a PostgreSQL schema."""

    def __init__(self, kind: str, tmp_path: Path):
        self.kind = kind
        self.schema = None
        if kind == "sqlite":
            self.path = tmp_path / "test.sqlite3"
            self.url = f"sqlite:///{self.path}"
            self.engine_options = {}
        else:
            require_service("postgres")
            self.schema = "t_" + uuid.uuid4().hex[:12]
            base = _pg_url(TEST_DATABASE_URL)
            admin = create_engine(base)
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
            admin.dispose()
            self.url = base
            self.engine_options = {
                "connect_args": {"options": f"-csearch_path={self.schema}"},
                "pool_pre_ping": True,
            }

    def drop(self) -> None:
        if self.schema:
            admin = create_engine(_pg_url(TEST_DATABASE_URL))
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """Parametrised: every test using it runs on SQLite and on PostgreSQL."""
    database = Database(request.param, tmp_path)
    yield database
    database.drop()


@pytest.fixture
def dilemmas_dir(tmp_path) -> Path:
    """A copy of the sample case folder that a test may change."""
    target = tmp_path / "dilemmas"
    shutil.copytree(SAMPLE_DIR, target)
    return target


def app_config(database_url: str, engine_options: dict, folder: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": dict(engine_options),
        "DILEMMAS_DIR": str(folder),
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        **overrides,
    }


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> tuple[Path, Path]:
    """The sample folder and a SQLite file synced from it, made once per run (per worker).

    Tests that leave the folder alone share this copy of it, and on SQLite start
    from a copy of the synced file instead of creating and syncing their own.
    """
    root = tmp_path_factory.mktemp("sample-site")
    folder = root / "dilemmas"
    shutil.copytree(SAMPLE_DIR, folder)
    synced = root / "synced.sqlite3"
    app = create_app(app_config(f"sqlite:///{synced}", {}, folder))
    with app.app_context():
        db.create_all()
        run_sync()
        db.engine.dispose()
    return folder, synced


# Settings that change what a sync stores: with these the shared synced file does not fit.
SYNC_SETTINGS = {"DILEMMAS_DIR", "SITE_TIMEZONE", "DEFAULT_LOCALE"}


@pytest.fixture
def make_app(request, database, sample_site):
    """Build an app on this test's database; keyword arguments override config.

    A test that asks for `dilemmas_dir` gets its own folder to change; the
    others read the shared sample folder.
    """
    own_folder = "dilemmas_dir" in request.fixturenames
    folder = request.getfixturevalue("dilemmas_dir") if own_folder else sample_site[0]
    made = []

    def factory(sync: bool = True, **overrides):
        # Published research snapshots go to this test's own folder, never instance/.
        overrides.setdefault("SNAPSHOT_DIR", str(request.getfixturevalue("tmp_path")
                                                 / "snapshots"))
        config = app_config(database.url, database.engine_options, folder, **overrides)
        prebuilt = (not made and sync and not own_folder and database.kind == "sqlite"
                    and not SYNC_SETTINGS & set(overrides))
        if prebuilt:
            shutil.copyfile(sample_site[1], database.path)
        app = create_app(config)
        if not prebuilt:
            with app.app_context():
                if not made:
                    db.create_all()
                if sync:
                    run_sync()
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def run_sync(**options):
    """Load DILEMMAS_DIR as `flask dilemmas sync` does (inside an app context) and commit."""
    report = sync_configured(db.session, current_app.config, **options)
    db.session.commit()
    return report


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf[-_]token"[^>]*? (?:value|content)="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no csrf_token"
    return match.group(1)


class Reader:
    """An anonymous reader with their own cookies, acting through real pages."""

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/admin/login") -> str:
        """The CSRF token bound to this reader's session, from a page with a form."""
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def vote(self, slug: str, option, **extra):
        # The case page first, as a reader would (a shuffled case gives them their order);
        # a closed case has no form, so its token comes from another page then.
        page = self.client.get(f"/dilemmas/{slug}").get_data(as_text=True)
        found = CSRF_RE.search(page)
        data = {"option": option, "csrf_token": found.group(1) if found else self.token(),
                **extra}
        return self.client.post(f"/dilemmas/{slug}/vote", data=data)


# The sample case from the seed report (closed, with imported votes).
SEED_SLUG = "fem-kompetencedage"


@pytest.fixture
def reader(client):
    return Reader(client)


@pytest.fixture
def make_reader(app):
    """Make more readers, each with an empty cookie jar."""
    return lambda: Reader(app.test_client())


def write_case(folder: Path, slug: str, *, title: str = "En test-case",
               publish: str = "2020-01-06", closes: str | None = "2099-01-01T12:00",
               options: list[str] | None = None, body: str = "Casen.", extra: str = "",
               followup: str = "") -> Path:
    """Write a valid case file (open by default) and return its path."""
    options = options or [f"Svar {n}" for n in range(1, 6)]
    lines = ["---", f"title: {title}", f"publish: {publish}"]
    if closes:
        lines.append(f"closes: {closes}")
    lines.append("options:")
    lines += [f"  - {o}" for o in options]
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ["---", body]
    if followup:
        lines += ["<!-- followup -->", followup]
    path = folder / f"{slug}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
