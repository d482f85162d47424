"""Case files (SPEC §2): a pure loader from a Markdown file to a validated record.

No Flask and no database here: `load_text` turns a file's bytes into a
`CaseRecord` or raises `CaseError` carrying every located problem
(`path:line: message`). `load_dir` loads a folder, skips every broken file and
reports duplicate slugs, so one bad file never stops the others.

The steps live beside this module: front_matter.py (bytes -> YAML mapping, with
the guards against hostile YAML), fields.py (values -> typed fields) and
markdown.py (the case text -> sanitised HTML, with the guards against
Markdown too deep to render).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from dilemmaboard.cases import fields, markdown
from dilemmaboard.cases.front_matter import MAX_FILE_BYTES, decode, read_front_matter
from dilemmaboard.cases.problems import CaseError, Problem
from dilemmaboard.cases.scaffold import PLACEHOLDERS

FOLLOWUP_MARKER = "<!-- followup -->"


@dataclass
class CaseRecord:
    path: str
    slug: str
    title: str
    language: str
    publish_at: datetime  # naive UTC
    closes_at: datetime  # naive UTC
    source: str | None
    results: str
    shuffle: bool
    draft: bool
    tags: list[str]
    options: list[str]
    imported_votes: list[int]
    body_md: str
    followup_md: str
    body_html: str
    followup_html: str
    slug_line: int | None = None
    option_lines: list[int | None] = field(default_factory=list)


def load_text(path: str, raw: bytes, *, site_timezone: str = "Europe/Copenhagen",
              default_locale: str = "da") -> CaseRecord:
    """Validate one case file's bytes; raise CaseError with every problem found."""
    front = read_front_matter(path, decode(path, raw))
    problems: list[Problem] = []
    fields.unknown_keys(path, front, problems)
    title = fields.text(path, front, "title", problems, required=True)
    source = fields.text(path, front, "source", problems)
    publish, closes = fields.dates(path, front, ZoneInfo(site_timezone), problems)
    language = fields.language(path, front, default_locale, problems)
    slug = fields.slug(path, front, Path(path).stem, problems)
    results = fields.results_mode(path, front, problems)
    shuffle = fields.flag(path, front, "shuffle", problems)
    draft = fields.flag(path, front, "draft", problems)
    tags = fields.tags(path, front, problems)
    options, option_lines = fields.options(path, front, problems)
    imported = fields.imported_votes(path, front, problems)
    body_md, _, followup_md = front.body.partition(FOLLOWUP_MARKER)
    if not body_md.strip():
        problems.append(Problem(path, None, "the case text (after the front matter) is empty"))
    problems += _markdown_problems(path, front.body, front.body_line, options,
                                   option_lines or [front.line("options")] * len(options))
    problems += _placeholder_problems(path, front.body, front.body_line)
    if problems:
        raise CaseError(problems)
    try:
        body_html = markdown.render(body_md)
        followup_html = markdown.render(followup_md) if followup_md.strip() else ""
    except RecursionError:  # Python-Markdown recurses per level of nested lists
        raise CaseError.at(path, front.body_line, "the Markdown is nested too deeply") from None
    return CaseRecord(
        path=path, slug=slug, title=title, language=language, publish_at=publish,
        closes_at=closes, source=source, results=results, shuffle=shuffle, draft=draft,
        tags=tags, options=options, imported_votes=imported,
        body_md=body_md.strip(), followup_md=followup_md.strip(),
        body_html=body_html, followup_html=followup_html,
        slug_line=front.line("slug"), option_lines=option_lines,
    )


def _placeholder_problems(path: str, body: str, body_line: int) -> list[Problem]:
    """The lines still holding `flask dilemmas new`'s stand-in text: not a case yet."""
    return [Problem(path, body_line + offset,
                    "still the scaffold's placeholder text: write the case here")
            for offset, line in enumerate(body.split("\n"))
            if any(placeholder in line for placeholder in PLACEHOLDERS)]


def _markdown_problems(path: str, body: str, body_line: int, options: list[str],
                       option_lines: list[int | None]) -> list[Problem]:
    """The texts too deep or too dense for the Markdown renderer, at their lines."""
    problems = []
    shape = markdown.shape_problem(body)
    if shape:
        problems.append(Problem(path, body_line + shape[0], shape[1]))
    # Options are shown as plain text; they are held to the same limits all the same.
    for number, (option, line) in enumerate(zip(options, option_lines, strict=True), start=1):
        shape = markdown.shape_problem(option)
        if shape:
            problems.append(Problem(path, line, f"option {number}: {shape[1]}"))
    return problems


def read_case_file(path: Path | str, folder: Path | str | None = None) -> bytes:
    """A case file's bytes; CaseError when it is too big or cannot be read.

    With `folder`, a file that is a link to somewhere outside that folder is
    refused: only what lies in the case folder is published.
    """
    path = Path(path)
    try:
        target = path.resolve(strict=True)
        if folder is not None and not target.is_relative_to(Path(folder).resolve()):
            raise CaseError.at(str(path), 1, "a link to a file outside the case folder is "
                               "refused (copy the file into the folder instead)")
        size = target.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CaseError.at(str(path), None, f"file is over 1 MiB ({size} bytes)")
        return target.read_bytes()
    except OSError as exc:
        raise CaseError.at(str(path), None, f"cannot read file: {exc.strerror}") from None


def load_file(path: Path | str, folder: Path | str | None = None, **settings) -> CaseRecord:
    """Read and validate one file from disk (refused if it leads outside `folder`)."""
    return load_text(str(path), read_case_file(path, folder), **settings)


def case_files(directory: Path | str) -> list[Path]:
    """The case files of a folder, in a stable order."""
    return sorted(p for p in Path(directory).glob("*.md") if p.is_file())


def find_duplicate_slugs(slugs_by_path: dict[str, str]) -> dict[str, list[str]]:
    """Map each slug used by more than one file to those files."""
    seen: dict[str, list[str]] = {}
    for path, slug in slugs_by_path.items():
        seen.setdefault(slug, []).append(path)
    return {slug: paths for slug, paths in seen.items() if len(paths) > 1}


def duplicate_problems(duplicates: dict[str, list[str]]) -> list[Problem]:
    problems = []
    for slug, paths in duplicates.items():
        for path in paths:
            others = ", ".join(p for p in paths if p != path)
            problems.append(Problem(path, None, f"duplicate slug '{slug}' (also used by {others})"))
    return problems


def load_dir(directory: Path | str, **settings) -> tuple[list[CaseRecord], list[Problem]]:
    """Load every case file; broken files and every file of a duplicate slug are skipped."""
    records: list[CaseRecord] = []
    problems: list[Problem] = []
    for path in case_files(directory):
        try:
            records.append(load_file(path, directory, **settings))
        except CaseError as exc:
            problems.extend(exc.problems)
    duplicates = find_duplicate_slugs({r.path: r.slug for r in records})
    if duplicates:
        problems.extend(duplicate_problems(duplicates))
        records = [r for r in records if r.slug not in duplicates]
    return records, problems
