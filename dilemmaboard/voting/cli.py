"""`flask demo seed-votes` (SPEC §7): synthetic votes for demos and benchmarks."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.voting.demo import seed_votes

demo_cli = AppGroup("demo", help="Synthetic data for demos and benchmarks.")


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
    db.session.commit()
    click.echo(f"added {sum(added)} votes to {slug}: " + ", ".join(map(str, added)))
