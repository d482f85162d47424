"""`flask export TABLE --format csv|json -o FILE` (SPEC §7): the web exports, from a shell.

The same query functions and encoders as /export/, streamed to the file, with a
progress bar on stderr when someone is watching a terminal. The command runs
with the database's own rights, so by default it writes everything a logged-in
researcher sees; `--public` writes what the public files show.
"""
from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from dilemmaboard.extensions import db
from dilemmaboard.refusal import Refused
from dilemmaboard.research.codebook import TABLES
from dilemmaboard.research.encoders import ENCODERS
from dilemmaboard.research.filters import parse_filters
from dilemmaboard.research.snapshot import (
    build_snapshot,
    next_version,
    publish_snapshot,
    write_atomically,
)
from dilemmaboard.research.tables import (
    PROFILE_ROLES,
    Scope,
    check_filters,
    count_vote_events,
    visible_cases,
)
from dilemmaboard.voting.timeline import local_day

SNAPSHOT = "snapshot"


def _expected_rows(name: str, scope: Scope) -> int | None:
    """How many rows the table will have, when that is cheap to know (for the bar)."""
    if name == "votes":
        return count_vote_events(db.session, scope)
    if name == "tallies":
        return 5 * len(visible_cases(db.session, scope))
    if name == "profiles":
        return 5 * len(PROFILE_ROLES) * len(visible_cases(db.session, scope))
    return None


def _counted(rows: Iterable[tuple], counter: list[int]) -> Iterator[tuple]:
    for row in rows:
        counter[0] += 1
        yield row


def _with_bar(rows: Iterable[tuple], bar) -> Iterator[tuple]:
    with bar:
        yield from bar


def _write(chunks: Iterable[str], output: str) -> None:
    if output == "-":
        for chunk in chunks:
            click.echo(chunk.encode("utf-8"), nl=False)  # bytes: no newline translation
        return
    # Write beside the target and rename, so a failed export never leaves half a file.
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with open(partial, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8"))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@click.command("export")
@click.argument("table", type=click.Choice([*sorted(TABLES), SNAPSHOT]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="File format.")
@click.option("-o", "--output", default="-", metavar="FILE",
              help="Where to write (default: standard output).")
@click.option("--public", is_flag=True,
              help="Only what the public web files show (hidden results left out).")
@click.option("--case", "cases", multiple=True, metavar="SLUG",
              help="Only this case (repeatable), as ?case= on the web.")
@click.option("--since", metavar="YYYY-MM-DD", help="From this day (site time zone).")
@click.option("--until", metavar="YYYY-MM-DD", help="To this day, included.")
@click.option("--status", "statuses", multiple=True, metavar="STATE",
              help="Only cases in this state (repeatable).")
@with_appcontext
def export_command(table: str, fmt: str, output: str, public: bool, cases: tuple[str, ...],
                   since: str | None, until: str | None, statuses: tuple[str, ...]) -> None:
    """Export TABLE (tallies, tallies_by_source, timeseries, votes, comments or profiles)
    as CSV or JSON, or `snapshot`: every table in a versioned, citable zip (published on
    /data without -o; written to FILE with -o)."""
    query = {name: list(values) for name, values in
             (("case", cases), ("since", [since] if since else []),
              ("until", [until] if until else []), ("status", statuses)) if values}
    scope = Scope(zone=ZoneInfo(current_app.config["SITE_TIMEZONE"]), privileged=not public)
    if table == SNAPSHOT:
        if query or fmt != "csv":
            raise click.UsageError("a snapshot holds every row of every table, as CSV: "
                                   "--format, --case, --since, --until and --status do not apply")
        _snapshot(scope, output)
        return
    spec = TABLES[table]
    try:
        scope = replace(scope, filters=parse_filters(
            query, timed=spec.time_field is not None, privileged=not public))
        check_filters(db.session, scope)
    except Refused as refused:
        with force_locale("en"):  # the command speaks English, as its --help does
            raise click.UsageError(str(refused.message)) from None
    if output != "-" and Path(output).is_dir():
        raise click.BadParameter(f"{output} is a folder", param_hint="-o")
    if output != "-" and not Path(output).parent.resolve().is_dir():
        raise click.BadParameter(f"{Path(output).parent} does not exist", param_hint="-o")
    stderr = sys.stderr
    counter = [0]
    rows = _counted(spec.rows(db.session, scope), counter)
    if output != "-" and stderr.isatty():
        bar = click.progressbar(rows, length=_expected_rows(table, scope), file=stderr,
                                label=f"{table}.{fmt}", show_pos=True, update_min_steps=1000)
        rows = _with_bar(rows, bar)
    _write(ENCODERS[fmt](spec.header, rows), output)
    if output != "-":
        click.echo(f"wrote {counter[0]} rows to {output}", err=True)





def _snapshot(scope: Scope, output: str) -> None:
    config = current_app.config
    if output == "-":
        card = publish_snapshot(db.session, scope, Path(config["SNAPSHOT_DIR"]),
                                publisher=config["DATA_PUBLISHER"])
        target = Path(config["SNAPSHOT_DIR"]) / card.filename
        click.echo(f"published snapshot {card.version} ({card.access}) on /data")
    else:
        target = Path(output)
        if target.is_dir() or not target.parent.resolve().is_dir():
            raise click.BadParameter(f"{output} is a folder or its folder does not exist",
                                     param_hint="-o")
        version = next_version(Path(config["SNAPSHOT_DIR"]), local_day(scope.now, scope.zone))
        data = build_snapshot(db.session, scope, version=version,
                              publisher=config["DATA_PUBLISHER"])
        write_atomically(target, data)
        click.echo(f"wrote snapshot {version} (not published)")
    data = target.read_bytes()
    click.echo(f"file:    {target}\nbytes:   {len(data)}\n"
               f"sha256:  {hashlib.sha256(data).hexdigest()}")
