"""`flask editors add|passwd|remove|list` through app.test_cli_runner()."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import Editor
from tests.admin_helpers import PASSWORD, Desk, audit_rows, log_in

NEW_PASSWORD = "et helt andet langt kodeord"


def editors(app) -> dict[str, tuple[str, str]]:
    with app.app_context():
        return {e.username: (e.role, e.password_hash)
                for e in db.session.scalars(select(Editor))}


def add(runner, *args, input=PASSWORD + "\n"):
    return runner.invoke(args=["editors", "add", *args], input=input)


def test_there_is_no_default_account(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Editor)) == 0


def test_add_with_password_stdin_hashes_with_scrypt(app, runner):
    result = add(runner, "redaktor", "--password-stdin")
    assert result.exit_code == 0, result.output
    assert "created editor redaktor" in result.output
    role, password_hash = editors(app)["redaktor"]
    assert role == "editor"
    assert password_hash.startswith("scrypt:") and PASSWORD not in password_hash
    assert audit_rows(app)[-1][1:] == ("editor_add", "editor redaktor", "role editor")
    assert audit_rows(app)[-1][0].startswith("cli")
    assert log_in(app.test_client()).status_code == 303


def test_add_prompts_for_the_password_twice(app, runner):
    result = add(runner, "redaktor", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and "Repeat for confirmation" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert log_in(app.test_client()).status_code == 303


def test_add_with_a_mismatched_confirmation_creates_nothing(app, runner):
    result = add(runner, "redaktor", input=f"{PASSWORD}\nnoget andet helt\n")
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert editors(app) == {}


def test_add_a_researcher(app, runner):
    result = add(runner, "forsker", "--role", "researcher", "--password-stdin")
    assert result.exit_code == 0, result.output
    assert editors(app)["forsker"][0] == "researcher"


def test_add_refuses_an_unknown_role(app, runner):
    result = add(runner, "chef", "--role", "admin", "--password-stdin")
    assert result.exit_code == 2
    assert editors(app) == {}


@pytest.mark.parametrize("password", ["", "kort", "123456789"])
def test_add_refuses_a_short_password(app, runner, password):
    result = add(runner, "redaktor", "--password-stdin", input=password + "\n")
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    assert editors(app) == {}


def test_password_stdin_reads_only_the_first_line(app, runner):
    result = add(runner, "redaktor", "--password-stdin", input=f"{PASSWORD}\nrest\n")
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client()).status_code == 303


def test_add_refuses_a_duplicate_whatever_the_case(app, runner):
    assert add(runner, "redaktor", "--password-stdin").exit_code == 0
    for name in ("redaktor", "REDAKTOR", " Redaktor "):
        result = add(runner, name, "--password-stdin")
        assert result.exit_code == 1
        assert "already exists" in result.output
    assert list(editors(app)) == ["redaktor"]


@pytest.mark.parametrize("name", ["", "ham and eggs", "a" * 81, "<script>", "ø", "-flag"])
def test_add_refuses_a_bad_username(app, runner, name):
    result = runner.invoke(args=["editors", "add", "--password-stdin", "--", name],
                           input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert editors(app) == {}


def test_usernames_are_stored_in_lower_case(app, runner):
    assert add(runner, "Anne.Berg@avis.dk", "--password-stdin").exit_code == 0
    assert list(editors(app)) == ["anne.berg@avis.dk"]


def test_passwd_changes_the_password(app, runner):
    add(runner, "redaktor", "--password-stdin")
    result = runner.invoke(args=["editors", "passwd", "redaktor", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert audit_rows(app)[-1][1:3] == ("editor_passwd", "editor redaktor")
    assert log_in(app.test_client(), password=PASSWORD).status_code == 401
    assert log_in(app.test_client(), password=NEW_PASSWORD).status_code == 303


def test_passwd_prompts_twice(app, runner):
    add(runner, "redaktor", "--password-stdin")
    result = runner.invoke(args=["editors", "passwd", "redaktor"],
                           input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert log_in(app.test_client(), password=NEW_PASSWORD).status_code == 303


def test_passwd_of_an_unknown_login_fails(app, runner):
    result = runner.invoke(args=["editors", "passwd", "ingen", "--password-stdin"],
                           input=NEW_PASSWORD + "\n")
    assert result.exit_code == 1 and "no login named ingen" in result.output


def test_passwd_refuses_a_short_password_and_keeps_the_old_one(app, runner):
    add(runner, "redaktor", "--password-stdin")
    result = runner.invoke(args=["editors", "passwd", "redaktor", "--password-stdin"],
                           input="kort\n")
    assert result.exit_code == 1
    assert log_in(app.test_client()).status_code == 303


def test_remove_asks_first(app, runner):
    add(runner, "redaktor", "--password-stdin")
    result = runner.invoke(args=["editors", "remove", "redaktor"], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert "redaktor" in editors(app)
    result = runner.invoke(args=["editors", "remove", "redaktor"], input="y\n")
    assert result.exit_code == 0, result.output
    assert editors(app) == {}


def test_remove_ends_access_and_keeps_the_audit_trail(app, runner):
    add(runner, "redaktor", "--password-stdin")
    desk = Desk(app.test_client())
    desk.post("/admin/dilemmas/findes-ikke/close", reason="x")
    result = runner.invoke(args=["editors", "remove", "redaktor", "--yes"])
    assert result.exit_code == 0 and "removed redaktor" in result.output
    assert log_in(app.test_client()).status_code == 401
    actions = [row[1] for row in audit_rows(app)]
    assert actions[0] == "editor_add" and "login" in actions and actions[-1] == "editor_remove"


def test_remove_of_an_unknown_login_fails(runner):
    result = runner.invoke(args=["editors", "remove", "ingen", "--yes"])
    assert result.exit_code == 1 and "no login named ingen" in result.output


def test_list_shows_logins_and_roles(app, runner):
    add(runner, "redaktor", "--password-stdin")
    add(runner, "forsker", "--role", "researcher", "--password-stdin")
    result = runner.invoke(args=["editors", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == ["forsker\tresearcher", "redaktor\teditor"]
