"""Migrations: `flask db upgrade` from empty on SQLite and PostgreSQL, then no drift.

Run through the real CLI in a subprocess, as the Procfile's release step does.
"""
from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL, require_service
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
