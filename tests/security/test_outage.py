"""A database that does not answer: the exports give the app's own 503, never a cut stream.

A streamed export sends its status with its first chunk. If the stream's first
query failed only after the view had returned, the app had already logged 200
and gunicorn answered with its own bare 500 (no CSP, no Retry-After).
"""
from __future__ import annotations

import base64
import http.client
import sqlite3
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import event
from werkzeug.security import generate_password_hash

from app import create_app
from dilemmaboard.extensions import db
from dilemmaboard.research.codebook import TABLES
from tests.conftest import write_case
from tests.security.conftest import PASSWORD, RESEARCHER, add_account, login
from tests.security.test_errors import assert_plain, unguarded
from tests.servers import GunicornServer, app_env, prepare_database

EXPORTS = [f"/export/{name}.{fmt}" for name in TABLES for fmt in ("csv", "json")]
PUBLIC = [f"/export/{name}.{fmt}" for name, table in TABLES.items() if not table.login_required
          for fmt in ("csv", "json")] + ["/export/datapackage.json"]
BASIC = "Basic " + base64.b64encode(f"{RESEARCHER}:{PASSWORD}".encode()).decode()


def assert_outage(response) -> None:
    """The app's 503: JSON, Retry-After, our headers, no trace."""
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.is_json
    assert response.headers["Retry-After"]
    assert "Content-Security-Policy" in response.headers
    assert_plain(response)
    assert "Vi kan ikke nå databasen" in response.get_json()["error"]


@contextmanager
def database_stops_answering(app):
    """From here on every statement fails as with a server that went away, except the
    login check (reading `editors`): the database is lost between the view and the stream."""
    with app.app_context():
        engine = db.engine
    error = engine.dialect.loaded_dbapi.OperationalError

    def fail(conn, cursor, statement, parameters, context, executemany):
        if "editors" not in statement:
            raise error("server closed the connection unexpectedly")

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


@pytest.fixture
def researcher(make_site):
    app = make_site()
    add_account(app, RESEARCHER, "researcher")
    client = unguarded(app)
    assert login(client, RESEARCHER).status_code == 303
    return app, client


@pytest.mark.parametrize("path", EXPORTS)
def test_an_export_whose_first_query_fails_is_the_apps_503(researcher, path):
    app, client = researcher
    with database_stops_answering(app):
        response = client.get(path)
        assert_outage(response)


def test_an_export_still_streams_when_the_database_answers(researcher):
    _app, client = researcher
    response = client.get("/export/votes.csv")
    assert response.status_code == 200
    assert response.get_data(as_text=True).startswith("case_slug,")


@pytest.fixture(params=["postgresql", "sqlite"])
def dead_site(request, tmp_path):
    """An app whose database does not answer at all (a closed port / an unopenable file)."""
    url = ("postgresql+psycopg://127.0.0.1:1/none" if request.param == "postgresql"
           else f"sqlite:///{tmp_path / 'missing-folder' / 'x.sqlite3'}")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}}
                      if request.param == "postgresql" else {},
                      "DILEMMAS_DIR": str(tmp_path)})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", [*EXPORTS, "/export/datapackage.json"])
def test_every_export_is_the_apps_503_when_the_database_is_down(dead_site, path):
    client = unguarded(dead_site)
    assert_outage(client.get(path, headers={"Authorization": BASIC}))
    if path in PUBLIC:  # (a login-only file asks an anonymous reader to log in: 401)
        assert_outage(client.get(path))


# --- through gunicorn --------------------------------------------------------------------

@pytest.mark.slow
def test_gunicorn_answers_the_apps_503_when_the_stream_cannot_start(tmp_path):
    """A researcher's download whose first query fails: the app's 503, not gunicorn's 500."""
    folder = tmp_path / "dilemmas"
    folder.mkdir()
    write_case(folder, "aaben")
    database = tmp_path / "site.sqlite3"
    env = app_env(f"sqlite:///{database}", dilemmas_dir=folder, secret_key="s" * 32)
    prepare_database(env)
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO editors (username, password_hash, role, created_at) "
                     "VALUES (?, ?, 'researcher', ?)",
                     (RESEARCHER, generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"),
                      datetime(2020, 1, 1)))
    with GunicornServer(env, workers=1) as server:
        def download():
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
            conn.request("GET", "/export/votes.csv", headers={"Authorization": BASIC})
            response = conn.getresponse()
            return response, response.read()

        response, body = download()
        assert response.status == 200 and body.startswith(b"case_slug,")
        # The table the stream reads goes away; the login check still works.
        with sqlite3.connect(database) as conn:
            conn.execute("DROP TABLE vote_events")
        response, body = download()
        assert response.status == 503, body[:300]
        assert response.headers["Retry-After"]
        assert response.headers["Content-Security-Policy"]
        assert b"Vi kan ikke n" in body
