"""Migrations: `flask db upgrade` from empty on SQLite and PostgreSQL, then no drift.

Run through the real CLI in a subprocess, as the Procfile's release step does.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import TEST_DATABASE_URL, require_service, write_case
from tests.servers import PostgresSchema, app_env, flask_cli

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    require_service("postgres")
    with PostgresSchema(TEST_DATABASE_URL, prefix="mig") as schema:
        yield schema.url


@pytest.fixture
def env(database_url, tmp_path):
    (tmp_path / "dilemmas").mkdir()
    return app_env(database_url, dilemmas_dir=tmp_path / "dilemmas", secret_key="m" * 32)


def test_upgrade_from_empty_then_no_drift(env):
    flask_cli(["db", "upgrade"], env)
    check = flask_cli(["db", "check"], env, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr
    # The release step runs on every deploy: a second upgrade changes nothing.
    again = flask_cli(["db", "upgrade"], env)
    assert "Running upgrade" not in again.stdout + again.stderr
    sync = flask_cli(["dilemmas", "sync"], env)
    assert "created" in sync.stdout


def test_downgrade_to_base_and_up_again(env):
    flask_cli(["db", "upgrade"], env)
    down = flask_cli(["db", "downgrade", "base"], env)
    assert "Running downgrade" in down.stderr + down.stdout
    up = flask_cli(["db", "upgrade"], env)
    assert "Running upgrade" in up.stderr + up.stdout


def _engine(database_url: str):
    return create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))


def _sql(database_url: str, *statements: str) -> list:
    """Run statements on the migrated database; return the last one's rows."""
    engine = _engine(database_url)
    try:
        with engine.begin() as conn:
            rows = [conn.execute(text(s)) for s in statements][-1]
            return [tuple(r) for r in rows] if rows.returns_rows else []
    finally:
        engine.dispose()


def _columns(database_url: str, table: str) -> set[str]:
    engine = _engine(database_url)
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_down_and_up_again_keeps_the_data_and_counts_the_threads(env, database_url):
    """0003 adds the stored thread counters and counts what is there; a downgrade past it
    rebuilds `cases` on SQLite, which must not cascade-delete options, votes or comments."""
    write_case(Path(env["DILEMMAS_DIR"]), "m")
    flask_cli(["db", "upgrade"], env)
    flask_cli(["dilemmas", "sync"], env)
    comment = ("INSERT INTO comments (case_id, parent_id, name, body_md, body_html, "
               "option_number, option_changed, status, report_count, created_at) "
               "SELECT id, {parent}, 'x', 'x', '<p>x</p>', {option}, false, '{status}', 0, "
               "'2026-01-01 00:00:00' FROM cases WHERE slug = 'm'")
    _sql(database_url,
         comment.format(parent="NULL", option=3, status="visible"),
         comment.format(parent="NULL", option=3, status="visible"),
         comment.format(parent="NULL", option="NULL", status="visible"),
         comment.format(parent="NULL", option=2, status="hidden"),
         "UPDATE cases SET comment_count = 4")
    _sql(database_url, comment.format(parent="(SELECT min(id) FROM comments)", option=1,
                                      status="visible"))
    flask_cli(["db", "downgrade", "0002"], env)
    assert _sql(database_url, "SELECT count(*) FROM comments") == [(5,)]
    assert _sql(database_url, "SELECT count(*) FROM options") == [(5,)]
    flask_cli(["db", "upgrade"], env)
    assert _sql(database_url, "SELECT visible_threads FROM cases") == [(3,)]
    assert _sql(database_url, "SELECT number, visible_threads FROM options ORDER BY number") \
        == [(1, 0), (2, 0), (3, 2), (4, 0), (5, 0)]
    assert "all tallies match" in flask_cli(["tallies", "verify"], env).stdout


def test_0004_drops_the_option_rendering_and_its_downgrade_brings_it_back(env, database_url):
    write_case(Path(env["DILEMMAS_DIR"]), "m")
    flask_cli(["db", "upgrade"], env)
    flask_cli(["dilemmas", "sync"], env)
    assert "text_html" not in _columns(database_url, "options")
    flask_cli(["db", "downgrade", "0003"], env)
    assert "text_html" in _columns(database_url, "options")
    assert _sql(database_url, "SELECT count(*) FROM options WHERE text_html = ''") == [(5,)]
    flask_cli(["db", "upgrade"], env)
    assert "text_html" not in _columns(database_url, "options")
    assert _sql(database_url, "SELECT count(*) FROM options") == [(5,)]
    assert "unchanged 1" in flask_cli(["dilemmas", "sync"], env).stdout


def test_0007_gives_every_stored_vote_and_comment_the_source_site(env, database_url):
    """Rows stored before sources were kept came through the site's own pages; the
    downgrade drops the sources and the partner tables and keeps the rows."""
    write_case(Path(env["DILEMMAS_DIR"]), "m")
    flask_cli(["db", "upgrade", "0006"], env)
    flask_cli(["dilemmas", "sync"], env)
    _sql(database_url,
         "INSERT INTO votes (case_id, voter_hash, option_number, created_at, updated_at) "
         "SELECT id, 'v1', 2, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM cases",
         "INSERT INTO vote_events (case_id, vote_id, kind, option_number, created_at) "
         "SELECT case_id, id, 'first', 2, created_at FROM votes",
         "UPDATE options SET votes = 1 WHERE number = 2",
         "INSERT INTO comments (case_id, name, body_md, body_html, option_changed, status, "
         "report_count, created_at) SELECT id, 'x', 'x', '<p>x</p>', false, 'visible', 0, "
         "'2026-01-01 00:00:00' FROM cases",
         "UPDATE cases SET comment_count = 1, visible_threads = 1")
    flask_cli(["db", "upgrade"], env)
    for table in ("votes", "vote_events", "comments"):
        assert _sql(database_url, f"SELECT source FROM {table}") == [("site",)], table
    add = flask_cli(["partners", "add", "lederne", "--name", "Lederne.dk",
                     "--origin", "https://lederne.dk"], env)
    assert "added partner lederne" in add.stdout
    assert "all tallies match" in flask_cli(["tallies", "verify"], env).stdout
    flask_cli(["db", "downgrade", "0006"], env)
    assert "source" not in _columns(database_url, "votes")
    assert "source" not in _columns(database_url, "comments")
    assert _sql(database_url, "SELECT count(*) FROM votes") == [(1,)]
    assert _sql(database_url, "SELECT count(*) FROM vote_events") == [(1,)]
    flask_cli(["db", "upgrade"], env)
    assert _sql(database_url, "SELECT count(*) FROM partners") == [(0,)]
