"""Citable snapshots: the research tables frozen in one versioned zip (issue 16).

A snapshot holds every table of its scope as CSV, the Data Package with its
version, id, creation time, temporal coverage, publisher, licence, sources and
each file's size and SHA-256, a README on citing and loading it, CITATION.cff,
SHA256SUMS and load scripts for R and Stata. Published snapshots live as files
in one folder (SNAPSHOT_DIR), each with a small JSON card the data page lists,
so they stay downloadable, unchanged, while the live files move on.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import uuid
import zipfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dilemmaboard.models import VoteEvent
from dilemmaboard.research.encoders import csv_chunks
from dilemmaboard.research.package import build_datapackage, served_tables
from dilemmaboard.research.scripts import r_script, stata_script
from dilemmaboard.research.snapshot_texts import citation_cff, readme
from dilemmaboard.research.tables import Scope, visible_cases
from dilemmaboard.timeutil import iso_utc
from dilemmaboard.voting.timeline import local_day

NAME_RE = re.compile(r"^dilemmaboard-data-(\d{4}\.\d{2}\.\d{2}(?:-\d{1,4})?)\.zip$")
PUBLIC, LOGIN = "public", "login"


@dataclass(frozen=True)
class SnapshotCard:
    """What the data page shows of a published snapshot."""

    filename: str
    version: str
    created: str
    access: str  # PUBLIC or LOGIN
    sha256: str
    bytes: int
    temporal_start: str | None
    temporal_end: str | None


def next_version(directory: Path, today: date) -> str:
    """The day as YYYY.MM.DD (CalVer), with -2, -3 … for more snapshots that day."""
    base = today.strftime("%Y.%m.%d")
    taken = {c.version for c in published_snapshots(directory)}
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _temporal(session: Session, scope: Scope) -> dict | None:
    """From the first case's publication to the last vote or closing day, in the site's
    time zone, never after the day the snapshot was made."""
    cases = visible_cases(session, scope)
    if not cases:
        return None
    today = local_day(scope.now, scope.zone)
    start = min(local_day(c.publish_at, scope.zone) for c in cases)
    ends = [min(today, local_day(c.closes_at, scope.zone)) for c in cases if c.closes_at]
    last_vote = session.scalar(select(func.max(VoteEvent.created_at)).where(
        VoteEvent.case_id.in_([c.id for c in cases])))
    if last_vote:
        ends.append(local_day(last_vote, scope.zone))
    return {"start": start.isoformat(), "end": max([start, *ends]).isoformat()}


def _options(session: Session, scope: Scope) -> list[tuple[str, int, str]]:
    return [(c.slug, o.number, o.text) for c in visible_cases(session, scope)
            for o in sorted(c.options, key=lambda o: o.number)]


def build_snapshot(session: Session, scope: Scope, *, version: str, publisher: str,
                   url: str | None = None) -> bytes:
    """The snapshot's zip, every file under one folder named for its version."""
    tables = served_tables(scope)
    folder = f"dilemmaboard-data-{version}"
    files: dict[str, bytes] = {}
    for table in tables:
        files[f"{table.name}.csv"] = "".join(
            csv_chunks(table.header, table.rows(session, scope))).encode("utf-8")
    package = build_datapackage(session, scope)
    package["resources"] = [r for r in package["resources"] if r["format"] == "csv"]
    package["profile"] = "tabular-data-package"  # the CSV files only
    for resource in package["resources"]:
        data = files[resource["path"]]
        resource["bytes"] = len(data)
        resource["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    temporal = _temporal(session, scope)
    package.update({
        "name": "dilemmaboard-research-data",
        "id": f"urn:uuid:{uuid.uuid4()}",
        "version": version,
        "created": iso_utc(scope.now),
        "contributors": [{"title": publisher, "role": "publisher"}],
        **({"temporal": temporal} if temporal else {}),
        **({"homepage": url} if url else {}),
    })
    files["datapackage.json"] = (json.dumps(package, ensure_ascii=False, indent=2)
                                 + "\n").encode("utf-8")
    files["README.md"] = readme(package, publisher=publisher, url=url).encode("utf-8")
    files["CITATION.cff"] = citation_cff(package, publisher=publisher, url=url).encode("utf-8")
    files["load.R"] = r_script(tables, version).encode("utf-8")
    files["load.do"] = stata_script(tables, _options(session, scope), version).encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                                  for name, data in files.items()).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=scope.now.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_atomically(target: Path, data: bytes) -> None:
    """Write beside the target and rename, so no reader sees half a file."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def publish_snapshot(session: Session, scope: Scope, directory: Path, *, publisher: str,
                     url: str | None = None) -> SnapshotCard:
    """Make a snapshot and publish it in `directory` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    version = next_version(directory, local_day(scope.now, scope.zone))
    data = build_snapshot(session, scope, version=version, publisher=publisher, url=url)
    filename = f"dilemmaboard-data-{version}.zip"
    temporal = _temporal(session, scope) or {}
    card = SnapshotCard(
        filename=filename, version=version, created=iso_utc(scope.now),
        access=LOGIN if scope.privileged else PUBLIC,
        sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
        temporal_start=temporal.get("start"), temporal_end=temporal.get("end"))
    write_atomically(directory / filename, data)
    # The card last: a snapshot is listed only once its file is complete.
    write_atomically(directory / f"{filename}.json",
                     json.dumps(asdict(card), indent=2).encode("utf-8"))
    return card


def published_snapshots(directory: Path) -> list[SnapshotCard]:
    """The published snapshots, newest first (a card without its file is skipped)."""
    if not directory.is_dir():
        return []
    cards = []
    for path in directory.glob("dilemmaboard-data-*.zip.json"):
        filename = path.name.removesuffix(".json")
        if not NAME_RE.match(filename) or not (directory / filename).is_file():
            continue
        try:
            cards.append(SnapshotCard(**json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, TypeError):
            continue  # a damaged card: the snapshot is not listed
    return sorted(cards, key=lambda c: (c.created, c.filename), reverse=True)


def find_snapshot(directory: Path, filename: str) -> SnapshotCard | None:
    """The published snapshot of that file name, or None."""
    if not NAME_RE.match(filename):
        return None
    return next((c for c in published_snapshots(directory) if c.filename == filename), None)

