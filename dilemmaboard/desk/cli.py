"""`flask editors add|passwd|remove|list`: the logins for editors and researchers (SPEC §7).

There is no default account and no default password: every login is made
here, with the password typed twice at a hidden prompt or read from standard
input (`--password-stdin`, for scripts; never as an argument, where it would
land in the shell history and the process list).
"""
from __future__ import annotations

import re
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from dilemmaboard.comments.counters import comment_counter_mismatches
from dilemmaboard.desk import audit
from dilemmaboard.desk.accounts import (
    ROLES,
    end_sessions,
    find_editor,
    hash_password,
    normalise_username,
    password_problem,
)
from dilemmaboard.extensions import db
from dilemmaboard.models import Editor
from dilemmaboard.voting.verify import tally_mismatches

editors_cli = AppGroup("editors", help="Logins for editors and researchers.")
tallies_cli = AppGroup("tallies", help="Check the stored tallies against the vote records.")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,79}$")


def _who() -> str:
    """The audit log's "who" for command-line changes."""
    return audit.command_line_actor()


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        text = sys.stdin.read()
        password = text.splitlines()[0] if text else ""
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    return password


def _valid_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise click.ClickException(
            "a username is 1-80 characters: letters a-z, digits, and . _ @ - "
            "(starting with a letter or digit)")
    return name


password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of standard input instead of prompting.")


@editors_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="editor", show_default=True,
              help="editor: the whole desk; researcher: the record-level exports only.")
@password_stdin_option
def add_command(username: str, role: str, password_stdin: bool) -> None:
    """Create a login; the password is prompted twice (or read with --password-stdin)."""
    name = _valid_username(username)
    if find_editor(db.session, name) is not None:
        raise click.ClickException(f"{name} already exists (use `flask editors passwd {name}`)")
    password = _read_password(password_stdin)
    db.session.add(Editor(username=name, password_hash=hash_password(password), role=role))
    audit.record(db.session, _who(), "editor_add", f"editor {name}", f"role {role}")
    db.session.commit()
    click.echo(f"created {role} {name}")


@editors_cli.command("passwd")
@click.argument("username")
@password_stdin_option
def passwd_command(username: str, password_stdin: bool) -> None:
    """Set a new password for a login."""
    editor = find_editor(db.session, username)
    if editor is None:
        raise click.ClickException(f"no login named {normalise_username(username)}")
    editor.password_hash = hash_password(_read_password(password_stdin))
    end_sessions(db.session, editor.id)
    audit.record(db.session, _who(), "editor_passwd", f"editor {editor.username}")
    db.session.commit()
    click.echo(f"new password set for {editor.username}")


@editors_cli.command("remove")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove_command(username: str, yes: bool) -> None:
    """Delete a login (its audit entries stay)."""
    editor = find_editor(db.session, username)
    if editor is None:
        raise click.ClickException(f"no login named {normalise_username(username)}")
    if not yes:
        click.confirm(f"Remove the {editor.role} login {editor.username}?", abort=True)
    db.session.delete(editor)
    audit.record(db.session, _who(), "editor_remove", f"editor {editor.username}")
    db.session.commit()
    click.echo(f"removed {editor.username}")


@editors_cli.command("list")
def list_command() -> None:
    """List the logins and their roles."""
    for editor in db.session.scalars(select(Editor).order_by(Editor.username)):
        click.echo(f"{editor.username}\t{editor.role}")


@tallies_cli.command("verify")
@click.option("--repair", is_flag=True, help="Set every stored counter to the counted value.")
def verify_command(repair: bool) -> None:
    """Compare stored tallies with the vote records, and the comment counters with the
    comments; exit 1 on mismatch."""
    tallies = tally_mismatches(db.session)
    counters = comment_counter_mismatches(db.session)
    for mismatch in (*tallies, *counters):
        click.echo(str(mismatch))
        if repair:
            mismatch.repair()
    if repair and (tallies or counters):
        db.session.commit()
        click.echo(f"repaired {len(tallies)} tally(ies) and {len(counters)} comment counter(s)")
    if not tallies and not counters:
        click.echo("all tallies match the vote records, and the comment counters the comments")
        return
    raise SystemExit(1)
