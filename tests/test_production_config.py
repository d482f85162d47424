"""Safe start, database URLs, proxy trust, health, outage pages (SPEC §9, issue 6)."""
from __future__ import annotations

import logging
import os
import re
import runpy
import subprocess
import sys

import pytest
from sqlalchemy import text

from app import create_app
from dilemmaboard import config
from dilemmaboard.config import normalise_database_url
from dilemmaboard.extensions import db
from tests.conftest import (
    TEST_DATABASE_URL,
    Reader,
    csrf_token_from,
    require_service,
    write_case,
)
from tests.servers import ROOT

# A port nothing listens on: PostgreSQL "does not answer".
DEAD_POSTGRES = "postgresql://127.0.0.1:9/nothing"


# --- safe start ------------------------------------------------------------------

@pytest.fixture
def no_secret(monkeypatch):
    for name in ("SECRET_KEY", "FLASK_DEBUG", "FLASK_TESTING"):
        monkeypatch.delenv(name, raising=False)


def test_refuses_to_start_without_secret_key(no_secret, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert exit_info.value.code != 0
    assert "set the SECRET_KEY environment variable" in capsys.readouterr().err


def test_gunicorn_entry_point_refuses_without_secret_key(no_secret, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr
    assert "Traceback" not in result.stderr


def test_starts_without_secret_key_in_testing_and_debug(no_secret, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert create_app({"TESTING": True, "DATABASE_URL": url}).config["SECRET_KEY"]
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app({"DATABASE_URL": url}).config["SECRET_KEY"]


def test_empty_secret_key_counts_as_missing(no_secret, tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(SystemExit):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})


# --- settings that cannot work: refused at start ------------------------------------

def refusal_of(capsys, overrides=None) -> str:
    """Start the app; return the one line it refuses to start with (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        create_app({"TESTING": True, **(overrides or {})})
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Dilemmaboard refuses to start: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("mode", ["later", "POST", "none"])
def test_refuses_to_start_with_an_unknown_moderation_mode(mode, monkeypatch, capsys):
    monkeypatch.setenv("COMMENTS_MODERATION", mode)
    assert f"COMMENTS_MODERATION must be 'post' or 'pre', not '{mode}'" in refusal_of(capsys)


def test_an_override_is_checked_like_the_environment(capsys):
    err = refusal_of(capsys, {"COMMENTS_MODERATION": "sometimes"})
    assert "COMMENTS_MODERATION must be 'post' or 'pre'" in err


@pytest.mark.parametrize("name,value,words", [
    ("RATELIMIT_ENABLED", "maybe", "RATELIMIT_ENABLED must be true or false"),
    ("PROFILE_QUESTION", "ja", "PROFILE_QUESTION must be true or false"),
    ("TRUSTED_PROXIES", "one", "TRUSTED_PROXIES must be a whole number"),
    ("TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES must be a whole number"),
    ("SITE_TIMEZONE", "Europe/Atlantis", "SITE_TIMEZONE must be a time zone"),
    ("SITE_TIMEZONE", "../../etc/passwd", "SITE_TIMEZONE must be a time zone"),
    ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE must be one of da, en"),
])
def test_refuses_to_start_with_a_value_it_cannot_use(name, value, words, monkeypatch, capsys):
    monkeypatch.setenv(name, value)
    assert words in refusal_of(capsys)


def test_gunicorn_entry_point_refuses_a_bad_setting_in_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "COMMENTS_MODERATION"}
    env.update(SECRET_KEY="k" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
               COMMENTS_MODERATION="whenever")
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Dilemmaboard refuses to start: COMMENTS_MODERATION must be 'post' or 'pre', "
        "not 'whenever'"]


@pytest.mark.parametrize("raw,expected", [
    ("true", True), ("Yes", True), ("1", True), ("on", True),
    ("false", False), ("NO", False), ("0", False), ("off", False),
])
def test_flags_read_the_usual_words(raw, expected):
    settings = config.load("/tmp", {"TESTING": True}, environ={"PROFILE_QUESTION": raw})
    assert settings["PROFILE_QUESTION"] is expected


def test_blank_variables_leave_the_defaults():
    settings = config.load("/tmp", {"TESTING": True},
                           environ={name: "  " for name in config.ENVIRONMENT})
    for name, (default, _read) in config.ENVIRONMENT.items():
        if name not in ("SECRET_KEY", "DATABASE_URL", "SNAPSHOT_DIR"):
            assert settings[name] == default, name
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/dilemmaboard.sqlite3"
    assert settings["SNAPSHOT_DIR"] == "/tmp/snapshots"  # beside the SQLite file: instance/


# --- database URLs ---------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "postgres://u:p@db.example:5432/board",
    "postgresql://u:p@db.example:5432/board",
    "postgresql+psycopg://u:p@db.example:5432/board",
])
def test_every_postgres_spelling_picks_psycopg3(url):
    assert normalise_database_url(url) == "postgresql+psycopg://u:p@db.example:5432/board"


def test_sqlite_url_is_left_alone():
    assert normalise_database_url("sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"


@pytest.mark.parametrize("environ,overrides,expected", [
    ({}, {}, "sqlite:////srv/instance/dilemmaboard.sqlite3"),
    ({"DATABASE_URL": "postgres://u@h/db"}, {}, "postgresql+psycopg://u@h/db"),
    ({}, {"DATABASE_URL": "postgres://u@h/db"}, "postgresql+psycopg://u@h/db"),
    ({"DATABASE_URL": "postgres://u@h/env"}, {"DATABASE_URL": "sqlite:////t/x.sqlite3"},
     "sqlite:////t/x.sqlite3"),
    ({"DATABASE_URL": "postgres://u@h/env"}, {"SQLALCHEMY_DATABASE_URI": "sqlite://"},
     "sqlite://"),
])
def test_the_database_uri_comes_from_database_url_wherever_it_is_set(environ, overrides,
                                                                     expected):
    settings = config.load("/srv/instance", {"TESTING": True, **overrides}, environ=environ)
    assert settings["SQLALCHEMY_DATABASE_URI"] == expected


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://", "postgresql+psycopg://"])
def test_database_url_from_environment_connects(scheme, monkeypatch):
    require_service("postgres")
    rest = TEST_DATABASE_URL.split("://", 1)[1]
    monkeypatch.setenv("DATABASE_URL", scheme + rest)
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.engine.dispose()


# --- health and outages ----------------------------------------------------------

def test_healthz_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.fixture(params=["postgresql", "sqlite"])
def dead_app(request, tmp_path):
    """An app whose database does not answer (closed port / unopenable file)."""
    url = DEAD_POSTGRES if request.param == "postgresql" else \
        f"sqlite:///{tmp_path / 'missing-folder' / 'x.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "DATABASE_URL": url,
                      "DILEMMAS_DIR": str(tmp_path)})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_is_503_when_the_database_does_not_answer(dead_app):
    response = dead_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


@pytest.mark.parametrize("path", ["/", "/dilemmas", "/dilemmas/some-case"])
def test_pages_answer_a_clear_503_when_the_database_is_down(dead_app, path, caplog):
    response = dead_app.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Vi kan ikke nå databasen lige nu" in page
    assert "Traceback" not in page and "OperationalError" not in page
    request_id = response.headers["X-Request-ID"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and request_id in errors[0].getMessage()


# --- proxy trust: X-Forwarded-For and the limits --------------------------------

@pytest.fixture
def limited_app(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "graense")

    def build(hops: int):
        return make_app(RATELIMIT_ENABLED=True, VOTES_PER_IP_LIMIT="2 per minute",
                        TRUSTED_PROXIES=hops)
    return build


def votes_from_addresses(app, addresses):
    """One reader votes once per address, each time through a (claimed) proxy hop.

    Requests go over https, as behind a real TLS proxy, so the Secure session
    cookie set when TRUSTED_PROXIES > 0 comes back.
    """
    client = app.test_client()
    base = "https://localhost"
    statuses = []
    for address in addresses:
        headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https",
                   "Referer": f"{base}/dilemmas/graense"}
        page = client.get("/dilemmas/graense", base_url=base, headers=headers)
        token = csrf_token_from(page.get_data(as_text=True))
        statuses.append(client.post(
            "/dilemmas/graense/vote", base_url=base, headers=headers,
            data={"option": "1", "csrf_token": token}).status_code)
    return statuses


def test_client_forwarded_for_does_not_change_the_limited_ip(limited_app):
    app = limited_app(0)
    statuses = votes_from_addresses(app, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"])
    assert statuses == [303, 303, 429, 429]


def test_forwarded_for_is_the_client_ip_behind_one_trusted_proxy(limited_app):
    app = limited_app(1)
    statuses = votes_from_addresses(app, ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"])
    assert statuses == [303, 303, 303, 303]
    # ...and one address is still limited, whatever the reader's cookie says.
    assert votes_from_addresses(app, ["10.9.9.9"] * 3) == [303, 303, 429]


def test_only_the_trusted_hop_counts(limited_app):
    """Behind one proxy, a client-written first X-Forwarded-For entry is ignored."""
    app = limited_app(1)
    statuses = votes_from_addresses(app, [f"1.2.3.{n}, 10.0.0.7" for n in range(3)])
    assert statuses == [303, 303, 429]


def voter_cookie(response):
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("db_voter="))


def test_cookies_secure_behind_a_trusted_https_proxy(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "sikker")
    app = make_app(TRUSTED_PROXIES=1)
    client = app.test_client()
    base = "https://localhost"
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.1.1",
             "Referer": f"{base}/dilemmas/sikker"}
    page = client.get("/dilemmas/sikker", base_url=base, headers=https)
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/dilemmas/sikker/vote", base_url=base, headers=https,
                           data={"option": "2", "csrf_token": token})
    assert response.status_code == 303
    assert "Secure" in voter_cookie(response)
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    assert response.headers["Strict-Transport-Security"]


def test_client_cannot_claim_https_without_a_trusted_proxy(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "sikker")
    app = make_app(TRUSTED_PROXIES=0)
    reader = Reader(app.test_client())
    token = reader.token("/dilemmas/sikker")
    response = reader.client.post("/dilemmas/sikker/vote",
                                  headers={"X-Forwarded-Proto": "https"},
                                  data={"option": "2", "csrf_token": token})
    assert response.status_code == 303
    assert "Secure" not in voter_cookie(response)
    assert "Strict-Transport-Security" not in response.headers


# --- gunicorn, Procfile, documented settings ---------------------------------------

def test_gunicorn_conf_reads_port_and_web_concurrency(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:5123"
    assert conf["workers"] == 7
    # Only the app (TRUSTED_PROXIES) decides whether X-Forwarded-Proto is believed.
    assert conf["secure_scheme_headers"] == {}


def test_gunicorn_conf_defaults_to_one_process_serving_many_connections(monkeypatch):
    for name in ("PORT", "WEB_CONCURRENCY", "HOST"):
        monkeypatch.delenv(name, raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:8000"
    # One process keeps the memory:// limits exact; gevent serves slow clients side by side.
    assert conf["workers"] == 1
    assert conf["worker_class"] == "gevent" and conf["worker_connections"] >= 100
    assert conf["preload_app"] is False


@pytest.mark.parametrize("processes", ["2", "4"])
def test_several_processes_with_limits_in_memory_are_refused(processes, monkeypatch, capsys):
    monkeypatch.setenv("WEB_CONCURRENCY", processes)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    err = refusal_of(capsys, {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    assert f"WEB_CONCURRENCY={processes}" in err
    assert "set RATELIMIT_STORAGE_URI=redis://" in err
    # Shared limits, or none at all, start with any number of processes.
    assert create_app({"TESTING": True, "RATELIMIT_ENABLED": True,
                       "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})
    assert create_app({"TESTING": True, "RATELIMIT_ENABLED": False})


def test_gunicorn_refuses_several_processes_with_limits_in_memory(tmp_path):
    """The master refuses in one line (exit 2), instead of restarting refusing workers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RATELIMIT_")}
    env.update(SECRET_KEY="k" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
               HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY="1")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "3", "wsgi:app"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    refusal = [line for line in result.stderr.splitlines() if "refuses to start" in line]
    assert len(refusal) == 1 and "WEB_CONCURRENCY=3" in refusal[0]


def test_procfile_migrates_and_syncs_on_release():
    lines = dict(line.split(":", 1) for line in
                 (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines["web"].split() == ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    assert "db upgrade" in lines["release"] and "dilemmas sync" in lines["release"]


def test_every_environment_variable_is_documented_under_deploy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme.split("## Deploy", 1)[1].split("\n## ", 1)[0]
    gunicorn = (ROOT / "gunicorn.conf.py").read_text()
    names = set(config.ENVIRONMENT) | set(
        re.findall(r"""environ\.get\(\s*["']([A-Z_]+)["']""", gunicorn))
    assert {"SECRET_KEY", "DATABASE_URL", "PORT", "WEB_CONCURRENCY"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in deploy)
    assert not missing, f"not in the README's Deploy section: {missing}"


# --- SITE_URL and the hosts it trusts (issue 17.9) ---------------------------------

@pytest.mark.parametrize("value", [
    "dilemma.example", "ftp://dilemma.example", "https://dilemma.example/board",
    "https://dilemma.example?x=1", "https://dilemma.example#top", "https://user@dilemma.example",
    "https://dilemma.example:99999", "https://dilemma.example:port", "https://",
    "https://dilemma example",
])
def test_refuses_to_start_with_a_site_url_that_is_not_an_origin(value, monkeypatch, capsys):
    monkeypatch.setenv("SITE_URL", value)
    assert "SITE_URL must be the site's own origin" in refusal_of(capsys)


@pytest.mark.parametrize("value,expected", [
    ("https://Dilemma.Example/", "https://dilemma.example"),
    ("http://dilemma.example:8080", "http://dilemma.example:8080"),
])
def test_site_url_is_kept_as_an_origin(value, expected):
    assert config.load("/tmp", {"TESTING": True},
                       environ={"SITE_URL": value})["SITE_URL"] == expected


def test_trusted_hosts_are_the_site_url_host_outside_debug_and_testing():
    settings = config.load("/tmp", {"SECRET_KEY": "k"},
                           environ={"SITE_URL": "https://dilemma.example"})
    assert settings["TRUSTED_HOSTS"] == ["dilemma.example"]
    testing = config.load("/tmp", {"TESTING": True},
                          environ={"SITE_URL": "https://dilemma.example"})
    assert testing["TRUSTED_HOSTS"][0] == "dilemma.example" and "localhost" in testing[
        "TRUSTED_HOSTS"]


def test_a_loopback_site_url_trusts_every_loopback_name():
    settings = config.load("/tmp", {"SECRET_KEY": "k"}, environ={})
    assert settings["SITE_URL"] == "http://127.0.0.1:5000"
    assert {"127.0.0.1", "localhost"} <= set(settings["TRUSTED_HOSTS"])


def test_a_request_for_another_host_is_refused_outside_testing(tmp_path):
    app = create_app({"SECRET_KEY": "k", "SITE_URL": "https://dilemma.example",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "localhost"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "dilemma.example"}).status_code != 400
