"""Command line (SPEC §7): flask dilemmas | tallies | demo (editors and export elsewhere)."""
from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text, update

from .cases import load_dir
from .comments import counted_visible
from .extensions import db
from .models import Case, Option, Vote, VoteEvent, utcnow
from .sync import sync_cases

dilemmas_cli = AppGroup("dilemmas", help="Check, load and create case files.")
tallies_cli = AppGroup("tallies", help="Check the stored tallies against the vote records.")
demo_cli = AppGroup("demo", help="Synthetic data for demos and benchmarks.")


def _settings() -> dict:
    return {
        "site_timezone": current_app.config["SITE_TIMEZONE"],
        "default_locale": current_app.config["DEFAULT_LOCALE"],
    }


@dilemmas_cli.command("check")
@click.argument("directory", required=False)
def check_command(directory: str | None) -> None:
    """Validate every case file; print path:line: message per problem."""
    directory = directory or current_app.config["DILEMMAS_DIR"]
    if not Path(directory).is_dir():
        raise click.ClickException(f"{directory}: no such folder")
    records, problems = load_dir(directory, **_settings())
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{len(records)} case file(s) OK, {len(problems)} problem(s)", err=True)
    if problems:
        raise SystemExit(1)


def run_sync(allow_option_edits: bool = False):
    """Sync DILEMMAS_DIR into the database; shared by the CLI and the editors' desk."""
    return sync_cases(
        db.session, current_app.config["DILEMMAS_DIR"],
        allow_option_edits=allow_option_edits, **_settings(),
    )


@dilemmas_cli.command("sync")
@click.option("--allow-option-edits", is_flag=True,
              help="Accept changed option texts on cases that already have votes.")
def sync_command(allow_option_edits: bool) -> None:
    """Load the case folder into the database."""
    report = run_sync(allow_option_edits)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(report.summary())


def slugify(title: str) -> str:
    folded = title.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded)
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:80] or "dilemma"


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) or 7)


TEMPLATE = """---
title: {title}
publish: {publish}T08:00
language: {language}
tags: []
options:
  - ""
  - ""
  - ""
  - ""
  - ""
---
Beskriv situationen her: hvem er lederen, hvad er sket, og hvad står på spil?

Hvad gør du?

<!-- followup -->
Ekspertens kommentar, som vises, når afstemningen er lukket.
"""


@dilemmas_cli.command("new")
@click.argument("title")
def new_command(title: str) -> None:
    """Write a new case file for next Monday (check rejects it until the options are filled)."""
    title = title.strip()
    if not title:
        raise click.ClickException("the title is empty")
    folder = Path(current_app.config["DILEMMAS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    publish = next_monday(date.today())
    path = folder / f"{publish.isoformat()}-{slugify(title)}.md"
    if path.exists():
        raise click.ClickException(f"{path} already exists")
    safe_title = title.replace('"', '\\"')
    path.write_text(TEMPLATE.format(title=f'"{safe_title}"', publish=publish.isoformat(),
                                    language=current_app.config["DEFAULT_LOCALE"]),
                    encoding="utf-8")
    click.echo(str(path))


def tally_mismatches(session) -> list[tuple[Case, int, int, int]]:
    """(case, option number, stored, counted) for every counter that disagrees."""
    counted = {
        (case_id, number): n
        for case_id, number, n in session.execute(
            select(Vote.case_id, Vote.option_number, func.count()).group_by(
                Vote.case_id, Vote.option_number
            )
        )
    }
    problems = []
    for case in session.scalars(select(Case).order_by(Case.id)):
        for option in case.options:
            actual = counted.get((case.id, option.number), 0)
            if option.votes != actual:
                problems.append((case, option.number, option.votes, actual))
    return problems


def comment_counter_mismatches(session) -> list[tuple[str, object, str, int, int]]:
    """(what, row, column, stored, counted) for every comment counter that disagrees:
    a case's visible comments and visible threads, and each option's visible threads."""
    comments, threads = counted_visible(session)
    case_threads = Counter()
    for (case_id, _option), n in threads.items():
        case_threads[case_id] += n
    problems = []
    for case in session.scalars(select(Case).order_by(Case.id)):
        for what, column, stored, actual in (
                ("comments", "comment_count", case.comment_count, comments[case.id]),
                ("threads", "visible_threads", case.visible_threads, case_threads[case.id])):
            if stored != actual:
                problems.append((f"{case.slug} {what}", case, column, stored, actual))
        for option in case.options:
            actual = threads[(case.id, option.number)]
            if option.visible_threads != actual:
                problems.append((f"{case.slug} option {option.number} threads", option,
                                 "visible_threads", option.visible_threads, actual))
    return problems


@tallies_cli.command("verify")
@click.option("--repair", is_flag=True, help="Set every stored counter to the counted value.")
def verify_command(repair: bool) -> None:
    """Compare stored tallies with the vote records, and the comment counters with the
    comments; exit 1 on mismatch."""
    problems = tally_mismatches(db.session)
    for case, number, stored, actual in problems:
        click.echo(f"{case.slug} option {number}: stored {stored}, counted {actual}")
        if repair:
            db.session.execute(
                update(Option).where(Option.case_id == case.id, Option.number == number)
                .values(votes=actual)
            )
    comment_problems = comment_counter_mismatches(db.session)
    for what, row, column, stored, actual in comment_problems:
        click.echo(f"{what}: stored {stored}, counted {actual}")
        if repair:
            setattr(row, column, actual)
    if repair and (problems or comment_problems):
        db.session.commit()
        click.echo(f"repaired {len(problems)} tally(ies) and "
                   f"{len(comment_problems)} comment counter(s)")
    if not problems and not comment_problems:
        click.echo("all tallies match the vote records, "
                   "and the comment counters the comments")
        return
    raise SystemExit(1)


@demo_cli.command("seed-votes")
@click.argument("slug")
@click.argument("count", type=click.IntRange(1, 10_000_000))
@click.option("--yes", is_flag=True, help="Allow writing to a non-SQLite database.")
@click.option("--seed", type=int, default=1, help="Random seed.")
def seed_votes_command(slug: str, count: int, yes: bool, seed: int) -> None:
    """Add COUNT synthetic votes to a case, with events, keeping the tallies right."""
    dialect = db.engine.dialect.name
    if dialect != "sqlite" and not yes:
        raise click.ClickException(f"refusing to add demo votes to a {dialect} database "
                                   "without --yes")
    case = db.session.scalars(select(Case).where(Case.slug == slug)).first()
    if case is None:
        raise click.ClickException(f"no case with slug {slug!r}")
    added = seed_votes(db.session, case, count, seed=seed)
    click.echo(f"added {sum(added)} votes to {slug}: " + ", ".join(map(str, added)))


def seed_votes(session, case: Case, count: int, *, seed: int = 1,
               chunk: int = 20_000) -> list[int]:
    """Bulk-insert synthetic votes and first-vote events spread over the voting week."""
    rng = random.Random(seed)
    weights = [rng.randint(1, 10) for _ in range(5)]
    # Over the voting week so far: an open case's votes must not land in the future.
    span = max((min(case.closes_at, utcnow()) - case.publish_at).total_seconds(), 1)
    start_id = (session.scalar(select(func.max(Vote.id))) or 0) + 1
    start_event = (session.scalar(select(func.max(VoteEvent.id))) or 0) + 1
    added = [0] * 5
    prefix = f"demo-{seed}-{datetime.now().timestamp():.6f}-"
    for offset in range(0, count, chunk):
        n = min(chunk, count - offset)
        numbers = rng.choices([1, 2, 3, 4, 5], weights=weights, k=n)
        moments = sorted(case.publish_at + timedelta(seconds=rng.random() * span)
                         for _ in range(n))
        votes, events = [], []
        for i, (number, moment) in enumerate(zip(numbers, moments, strict=True)):
            vote_id = start_id + offset + i
            votes.append({"id": vote_id, "case_id": case.id, "voter_hash": prefix + str(vote_id),
                          "option_number": number, "created_at": moment, "updated_at": moment})
            events.append({"id": start_event + offset + i, "case_id": case.id,
                           "vote_id": vote_id, "kind": "first", "option_number": number,
                           "created_at": moment})
            added[number - 1] += 1
        session.execute(insert(Vote), votes)
        session.execute(insert(VoteEvent), events)
    for number, n in enumerate(added, start=1):
        session.execute(update(Option).where(Option.case_id == case.id, Option.number == number)
                        .values(votes=Option.votes + n))
    if session.get_bind().dialect.name == "postgresql":
        # Explicit ids were used: move the sequences past them.
        for table in ("votes", "vote_events"):
            session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            ))
    session.commit()
    return added


def init_app(app: Flask) -> None:
    from . import export_cli

    export_cli.init_app(app)
    app.cli.add_command(dilemmas_cli)
    app.cli.add_command(tallies_cli)
    app.cli.add_command(demo_cli)
    from .editors_cli import editors_cli

    app.cli.add_command(editors_cli)
