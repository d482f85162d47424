"""Load the case folder into the database (`flask dilemmas sync`).

Incremental: a file whose content hash matches the stored case is not parsed
again. A broken or refused file is skipped and its stored case stays exactly
as it was; files that disappeared from the folder leave their cases alone.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, lazyload, selectinload

from dilemmaboard.cases.loader import (
    CaseError,
    CaseRecord,
    Problem,
    case_files,
    duplicate_problems,
    find_duplicate_slugs,
    load_text,
    read_case_file,
)
from dilemmaboard.models import Case, Option, SyncProblem


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (f"created {self.created}, updated {self.updated}, "
                f"unchanged {self.unchanged}, skipped {self.skipped}")


def content_hash(raw: bytes, site_timezone: str, default_locale: str) -> str:
    """Hash of a file plus the settings that change how it loads."""
    digest = hashlib.sha256(f"{site_timezone}\0{default_locale}\0".encode())
    digest.update(raw)
    return digest.hexdigest()


def _apply(case: Case, record: CaseRecord, digest: str) -> None:
    case.slug = record.slug
    case.title = record.title
    case.language = record.language
    case.publish_at = record.publish_at
    case.closes_at = record.closes_at
    case.source = record.source
    case.results_mode = record.results
    case.shuffle = record.shuffle
    case.draft = record.draft
    case.tags = record.tags
    case.body_md = record.body_md
    case.body_html = record.body_html
    case.followup_md = record.followup_md
    case.followup_html = record.followup_html
    case.source_path = record.path
    case.content_hash = digest
    by_number = {o.number: o for o in case.options}
    for number, (text, imported) in enumerate(
        zip(record.options, record.imported_votes, strict=True), start=1
    ):
        option = by_number.get(number)
        if option is None:
            option = Option(number=number, votes=0)
            case.options.append(option)
        option.text = text
        option.imported_votes = imported


def _option_edit_problem(case: Case, record: CaseRecord) -> Problem | None:
    """Refuse changed option texts once a case has votes (unless allowed)."""
    if not case.has_live_votes:
        return None
    stored = {o.number: o.text for o in case.options}
    for number, text in enumerate(record.options, start=1):
        if stored.get(number) != text:
            line = record.option_lines[number - 1] if record.option_lines else None
            return Problem(
                record.path, line,
                f"option {number} text changed but the case already has votes; the stored "
                "version is kept (run sync with --allow-option-edits to accept the edit)",
            )
    return None


def sync_cases(session: Session, directory: str | Path, *, site_timezone: str,
               default_locale: str, allow_option_edits: bool = False) -> SyncReport:
    """Load every case file into the session and return what happened (the caller commits)."""
    report = SyncReport()
    # Options are loaded only for the cases whose files changed (below, in one query).
    stored = list(session.scalars(select(Case).options(lazyload(Case.options))))
    by_path = {c.source_path: c for c in stored}
    by_slug = {c.slug: c for c in stored}
    parsed: list[tuple[CaseRecord, str]] = []  # (record, content hash)
    slugs_by_path: dict[str, str] = {}
    present_paths = set()
    for path in case_files(directory):
        present_paths.add(str(path))
        try:
            raw = read_case_file(path, directory)
            digest = content_hash(raw, site_timezone, default_locale)
            known = by_path.get(str(path))
            if known is not None and known.content_hash == digest:
                report.unchanged += 1
                slugs_by_path[str(path)] = known.slug
                continue
            record = load_text(str(path), raw, site_timezone=site_timezone,
                               default_locale=default_locale)
        except CaseError as exc:
            report.problems.extend(exc.problems)
            report.skipped += 1
            continue
        parsed.append((record, digest))
        slugs_by_path[record.path] = record.slug

    # A stored case whose file still exists under another name keeps its slug.
    for case in stored:
        if case.source_path in present_paths and case.source_path not in slugs_by_path:
            slugs_by_path[case.source_path] = case.slug
    duplicates = find_duplicate_slugs(slugs_by_path)
    if duplicates:
        report.problems.extend(duplicate_problems(duplicates))
    changed_ids = [by_slug[r.slug].id for r, _digest in parsed if r.slug in by_slug]
    if changed_ids:  # their options in one query, not one query per case
        session.scalars(select(Case).where(Case.id.in_(changed_ids))
                        .options(selectinload(Case.options))).all()

    for record, digest in parsed:
        if record.slug in duplicates:
            report.skipped += 1
            continue
        case = by_slug.get(record.slug)
        if case is None:
            case = Case(comment_count=0)
            _apply(case, record, digest)
            session.add(case)
            report.created += 1
            continue
        problem = None if allow_option_edits else _option_edit_problem(case, record)
        if problem is not None:
            report.problems.append(problem)
            report.skipped += 1
            continue
        _apply(case, record, digest)
        report.updated += 1

    session.execute(delete(SyncProblem))
    session.add_all(SyncProblem(message=str(p)) for p in report.problems)
    return report


def sync_configured(session: Session, config: Mapping, *,
                    allow_option_edits: bool = False) -> SyncReport:
    """`sync_cases` on the folder and settings of an app's config (CLI and desk alike)."""
    return sync_cases(session, config["DILEMMAS_DIR"], site_timezone=config["SITE_TIMEZONE"],
                      default_locale=config["DEFAULT_LOCALE"],
                      allow_option_edits=allow_option_edits)
