"""Error pages: plain, in the reader's language, JSON for /api/ and /export/, never a trace."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask.testing import FlaskClient

from app import create_app
from tests.conftest import ROOT
from tests.security.conftest import OPEN

TRACE_MARKERS = ("Traceback", 'File "', "__debugger__", "Werkzeug Debugger", "sqlalchemy",
                 "psycopg", "Error:")


def assert_plain(response) -> str:
    text = response.get_data(as_text=True)
    for marker in TRACE_MARKERS:
        assert marker not in text
    return text


def unguarded(app) -> FlaskClient:
    """A plain client, for the tests that provoke a 5xx on purpose."""
    return FlaskClient(app, app.response_class, use_cookies=True)


@pytest.mark.parametrize("path, status", [
    ("/no-such-page", 404),
    ("/dilemmas/kladde", 404),
    ("/dilemmas/planlagt", 404),
    (f"/dilemmas/{OPEN}/vote", 405),
    ("/api/no-such-thing", 404),
    ("/export/no-such-file.csv", 404),
])
def test_client_errors_are_plain_pages_or_json(site, path, status):
    response = site.test_client().get(path)
    assert response.status_code == status
    text = assert_plain(response)
    if path.startswith(("/api/", "/export/")):
        assert response.is_json
        assert response.get_json()["status"] == status
        assert response.get_json()["error"]
    else:
        assert response.mimetype == "text/html"
        assert '<html lang="da">' in text
        assert str(status) in text


def test_405_names_the_allowed_methods(site):
    response = site.test_client().get(f"/dilemmas/{OPEN}/vote")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("how", ["accept-language", "cookie"])
def test_error_page_in_the_readers_language(site, how):
    client = site.test_client()
    headers = {}
    if how == "cookie":
        client.set_cookie("lang", "en")
    else:
        headers["Accept-Language"] = "en-GB,en;q=0.9"
    response = client.get("/no-such-page", headers=headers)
    assert response.status_code == 404
    text = assert_plain(response)
    assert '<html lang="en">' in text
    assert "Siden findes ikke" not in text  # the message itself is translated
    api = client.get("/api/no-such-thing", headers=headers)
    assert api.status_code == 404 and "findes" not in api.get_json()["error"]


@pytest.fixture
def exploding_app(make_site):
    app = make_site()

    def explode():
        raise RuntimeError("secret internals: password=hunter2")

    app.add_url_rule("/boom", "boom", explode)
    app.add_url_rule("/api/boom", "api_boom", explode)
    return app


def test_unexpected_error_is_a_plain_500_page(exploding_app, caplog):
    response = unguarded(exploding_app).get("/boom")
    assert response.status_code == 500
    text = assert_plain(response)
    assert "hunter2" not in text and "RuntimeError" not in text
    assert "Content-Security-Policy" in response.headers
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_unexpected_api_error_is_json(exploding_app):
    response = unguarded(exploding_app).get("/api/boom")
    assert response.status_code == 500
    assert response.is_json and "hunter2" not in response.get_data(as_text=True)


DEBUG_PROBE = """
from app import create_app
from tests.conftest import ROOT
app = create_app()
app.add_url_rule("/boom", "boom", lambda: 1 / 0)
response = app.test_client().get("/boom")
print(app.debug, response.status_code, "Traceback" in response.get_data(as_text=True))
"""


@pytest.mark.parametrize("flask_debug, expected", [
    (None, "False 500 False"),
    ("0", "False 500 False"),
])
def test_no_debugger_or_trace_unless_flask_debug(tmp_path, flask_debug, expected):
    """As `make run` starts the app (a fresh process, no TESTING): a plain 500 page."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(SECRET_KEY="x" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               DILEMMAS_DIR=str(tmp_path))
    if flask_debug is not None:
        env["FLASK_DEBUG"] = flask_debug
    result = subprocess.run([sys.executable, "-c", DEBUG_PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr[-2000:]


def test_database_down_is_a_503_page_not_a_trace(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "x" * 32,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://127.0.0.1:1/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        "DILEMMAS_DIR": str(tmp_path),
    })
    client = unguarded(app)
    page = client.get("/dilemmas")
    assert page.status_code == 503
    assert_plain(page)
    api = client.get("/api/dilemmas")
    assert api.status_code in (404, 503)
    assert_plain(api)


def test_csrf_failure_explains_itself(site):
    response = site.test_client().post(f"/dilemmas/{OPEN}/vote", data={"option": "1"})
    assert response.status_code == 400
    assert "Genindlæs siden" in assert_plain(response)
