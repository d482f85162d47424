"""`flask export TABLE --format csv|json -o FILE`: the web files, from a shell (SPEC §7)."""
from __future__ import annotations

import dataclasses
import json
import os
import pty
import subprocess
import sys
from datetime import datetime

import pytest

from dilemmaboard.research.codebook import TABLES, VOTES
from dilemmaboard.research.tables import vote_event_rows
from tests.conftest import ROOT, write_case
from tests.test_exports import add_editor, log_in, vote_at


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", extra="results: after_close")
    write_case(dilemmas_dir, "altid", extra="results: always")
    app = make_app()
    for i in range(7):
        vote_at(app, "aaben", f"a{i}", i % 5 + 1, datetime(2021, 1, 4, 9, i))
        vote_at(app, "altid", f"a{i}", 5 - i % 5, datetime(2021, 1, 5, 9, i))
    add_editor(app)
    return app


def run_export(app, *args):
    return app.test_cli_runner().invoke(args=["export", *args])


def test_cli_writes_the_same_bytes_as_the_web(site, tmp_path):
    client = site.test_client()
    log_in(client, add_editor(site, "redaktoer", "editor"))
    for table in ["tallies", "timeseries", "votes", "comments", "profiles"]:
        for fmt in ["csv", "json"]:
            target = tmp_path / f"{table}.{fmt}"
            result = run_export(site, table, "--format", fmt, "-o", str(target))
            assert result.exit_code == 0, result.output
            web = client.get(f"/export/{table}.{fmt}").get_data()
            assert target.read_bytes() == web, (table, fmt)
            assert "rows to" in result.output
            assert "#" not in result.output  # no progress bar off a terminal


def test_public_flag_matches_the_anonymous_web_file(site, tmp_path):
    target = tmp_path / "tallies.csv"
    assert run_export(site, "tallies", "--public", "-o", str(target)).exit_code == 0
    assert target.read_bytes() == site.test_client().get("/export/tallies.csv").get_data()
    assert b"aaben" not in target.read_bytes()


def test_default_output_is_stdout(site):
    result = run_export(site, "votes", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 14
    assert set(rows[0]) == {"case_slug", "event_number", "kind", "option_number",
                            "previous_option", "shown_position", "profile", "event_hour",
                            "source"}


@pytest.mark.parametrize("args, message", [
    (["nothing"], "Invalid value"),
    (["tallies", "--format", "xml"], "Invalid value"),
    (["tallies", "-o", "/no/such/folder/x.csv"], "does not exist"),
])
def test_bad_arguments_are_clear_errors(site, args, message):
    result = run_export(site, *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_output_to_a_folder_is_refused(site, tmp_path):
    result = run_export(site, "tallies", "-o", str(tmp_path))
    assert result.exit_code == 2 and "folder" in result.output


def test_failed_export_leaves_no_partial_file(site, tmp_path, monkeypatch):
    def broken(session, scope):
        yield from vote_event_rows(session, scope)
        raise RuntimeError("database went away")

    monkeypatch.setitem(TABLES, "votes", dataclasses.replace(VOTES, rows=broken))
    folder = tmp_path / "out"
    folder.mkdir()
    result = run_export(site, "votes", "-o", str(folder / "votes.csv"))
    assert result.exit_code != 0
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_progress_bar_on_a_terminal(site, database, dilemmas_dir, tmp_path):
    """Run the real command with a terminal on stderr (the file goes to -o)."""
    target = tmp_path / "votes.csv"
    env = {**os.environ, "DATABASE_URL": database.url, "SECRET_KEY": "x" * 32,
           "DILEMMAS_DIR": str(dilemmas_dir), "COLUMNS": "100"}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "export", "votes", "-o", str(target)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0, seen
    text = seen.decode("utf-8", "replace")
    assert "votes.csv" in text and "14/14" in text
    assert "wrote 14 rows" in text
    assert target.read_bytes().count(b"\r\n") == 15
