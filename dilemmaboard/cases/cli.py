"""`flask dilemmas check|sync|new` (SPEC §7): the case folder from a shell."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from dilemmaboard.cases.loader import load_dir
from dilemmaboard.cases.scaffold import write_scaffold
from dilemmaboard.cases.sync import sync_configured
from dilemmaboard.extensions import db

dilemmas_cli = AppGroup("dilemmas", help="Check, load and create case files.")


@dilemmas_cli.command("check")
@click.argument("directory", required=False)
def check_command(directory: str | None) -> None:
    """Validate every case file; print path:line: message per problem."""
    config = current_app.config
    directory = directory or config["DILEMMAS_DIR"]
    if not Path(directory).is_dir():
        raise click.ClickException(f"{directory}: no such folder")
    records, problems = load_dir(directory, site_timezone=config["SITE_TIMEZONE"],
                                 default_locale=config["DEFAULT_LOCALE"])
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(records)} case file(s) OK, {len(problems)} problem(s)", err=True)
    if problems:
        raise SystemExit(1)


@dilemmas_cli.command("sync")
@click.option("--allow-option-edits", is_flag=True,
              help="Accept changed option texts on cases that already have votes.")
def sync_command(allow_option_edits: bool) -> None:
    """Load the case folder into the database."""
    report = sync_configured(db.session, current_app.config,
                             allow_option_edits=allow_option_edits)
    db.session.commit()
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(report.summary())


@dilemmas_cli.command("new")
@click.argument("title")
def new_command(title: str) -> None:
    """Write a new draft case file for next Monday (check rejects it until it is written)."""
    title = title.strip()
    if not title:
        raise click.ClickException("the title is empty")
    try:
        path = write_scaffold(Path(current_app.config["DILEMMAS_DIR"]), title,
                              language=current_app.config["DEFAULT_LOCALE"], today=date.today())
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(str(path))
