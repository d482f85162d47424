"""A `make run` checkout's commands find its key: Flask's CLI reads the .env it writes."""
from __future__ import annotations

import os
import subprocess

import pytest

from tests.servers import APP_VARIABLES, PYTHON, ROOT

pytestmark = pytest.mark.slow


def _checkout(tmp_path):
    """A folder laid out like a checkout: app.py, an empty case folder."""
    (tmp_path / "app.py").write_text((ROOT / "app.py").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (tmp_path / "dilemmas").mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in APP_VARIABLES and not k.startswith("FLASK_")}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
                "DILEMMAS_DIR": str(tmp_path / "dilemmas"), "RATELIMIT_ENABLED": "false"})
    return env


def _flask(tmp_path, env, *args):
    return subprocess.run([PYTHON, "-m", "flask", "--app", "app", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_the_cli_reads_the_key_from_dotenv(tmp_path):
    env = _checkout(tmp_path)
    (tmp_path / ".env").write_text("SECRET_KEY=" + "5e" * 32 + "\n", encoding="utf-8")
    upgrade = _flask(tmp_path, env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    listed = _flask(tmp_path, env, "editors", "list")
    assert listed.returncode == 0, listed.stderr


def test_without_a_key_the_message_says_where_it_is_expected(tmp_path):
    env = _checkout(tmp_path)
    result = _flask(tmp_path, env, "editors", "list")
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "set the SECRET_KEY environment variable" in message
    assert "instance/secret_key" in message and ".env" in message
    assert "Keep using the key the site already has" in message
