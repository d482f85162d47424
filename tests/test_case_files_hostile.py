"""Case files as hostile input (SPEC §2): each bad file gets a located error, the rest load.

The YAML is loaded safely: no Python objects, no aliases or anchors (a
"billion laughs" cannot expand), no duplicate keys, no deep nesting, and
the Markdown is refused when nested too deeply to render.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import create_app
from dilemmaboard.cases.loader import CaseError, load_dir, load_text
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from tests.conftest import run_sync, write_case
from tests.security.tools import executable_markup

FRONT = "---\ntitle: Ond\npublish: 2020-01-06\noptions: [a, b, c, d, e]\n"


def case_bytes(extra: str = "", body: str = "Casen.", front: str | None = None) -> bytes:
    return ((front if front is not None else FRONT + extra) + "---\n" + body + "\n").encode()


def billion_laughs() -> bytes:
    lines = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        lines.append(f"lol{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]")
    return case_bytes(front="---\n" + "\n".join(lines) + "\n")


# name -> (file bytes, expected line, a fragment of the message)
HOSTILE = {
    "billion-laughs": (billion_laughs(), 2, "anchors are not allowed"),
    "alias": (case_bytes("source: *other\n"), 5, "alias"),
    "python-object-apply": (
        case_bytes("source: !!python/object/apply:os.system ['touch {marker}']\n"), 5,
        "could not determine a constructor"),
    "python-object-apply-top": (
        case_bytes(front="---\n!!python/object/apply:os.system ['touch {marker}']\n"), 2,
        "must be a mapping"),
    "python-name": (case_bytes("source: !!python/name:os.system\n"), 5,
                    "could not determine a constructor"),
    "python-object-new": (
        case_bytes("source: !!python/object/new:builtins.open ['{marker}', 'w']\n"), 5,
        "could not determine a constructor"),
    "duplicate-keys": (case_bytes("title: Igen\n"), 5, "duplicate key 'title'"),
    "top-level-list": (case_bytes(front="---\n- title\n- Ond\n"), 2, "must be a mapping"),
    "top-level-text": (case_bytes(front="---\njust some text\n"), 2, "must be a mapping"),
    "empty-front-matter": (case_bytes(front="---\n"), 2, "empty"),
    "nested-flow-lists": (case_bytes("tags: " + "[" * 10_000 + "]" * 10_000 + "\n"), 5,
                          "nested too deeply"),
    "nested-block-lists": (case_bytes("tags:\n  " + "- " * 10_000 + "x\n"), 6,
                           "nested too deeply"),
    "nested-mappings": (case_bytes("source: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"),
                        5, "nested too deeply"),
    "nested-markdown-lists": (case_bytes(body="- " * 10_000 + "x"), 6, "nested too deeply"),
    "nested-markdown-quotes": (case_bytes(body=">" * 10_000 + " x"), 6, "nested too deeply"),
    "nested-markdown-mixed": (case_bytes(body="> - 1. " * 3000 + "x"), 6, "nested too deeply"),
    "indented-markdown-lists": (
        case_bytes(body="".join("    " * n + "- x\n" for n in range(300))), 57,
        "indented too deeply"),
    "bracket-flood": (case_bytes(body="[" * 10_000 + "x" + "]" * 10_000), 6,
                      "more than 500 '['"),
    "unclosed-link-flood": (case_bytes(body="[a](" * 5000), 6, "more than 500 '['"),
    "tag-flood": (case_bytes(body="<div>" * 20_000), 6, "more than 5000 '<'"),
    "abbreviation-flood": (
        case_bytes(body="".join(f"*[A{n}]: x\n" for n in range(100)) + "A1 " * 1000), 26,
        "more than 20 abbreviations"),
    "option-bracket-flood": (case_bytes(front="---\ntitle: Ond\npublish: 2020-01-06\n"
                                        "options:\n  - a\n  - '" + "[" * 5000 + "'\n"
                                        "  - c\n  - d\n  - e\n"), 6, "option 2"),
    "merge-key": (case_bytes("<<: {slug: hijack}\n"), 5, "merge"),
    "unknown-tag": (case_bytes("source: !shell rm -rf /\n"), 5,
                    "could not determine a constructor"),
    "huge-integer": (case_bytes("imported_votes: [" + "9" * 5000 + ", 1, 1, 1, 1]\n"), 5,
                     "bad value"),
    "impossible-date": (case_bytes("closes: 2008-13-45\n"), 5, "bad value"),
    "not-utf8": (FRONT.encode() + b"source: \xff\xfe\n---\nx\n", 5, "not valid UTF-8"),
    "nul-byte": (case_bytes("source: a\x00b\n"), 5, "NUL"),
    "no-front-matter": (b"just markdown\n", 1, "must start with '---'"),
    "unclosed-front-matter": (FRONT.encode() + b"more: 1\n", 1, "not closed"),
}


def located(output: str, name: str) -> list[tuple[int | None, str]]:
    """(line, message) for every problem printed for `name`.md."""
    found = []
    for line in output.splitlines():
        match = re.match(rf"^.*{re.escape(name)}\.md(?::(\d+))?: (.+)$", line)
        if match:
            found.append((int(match.group(1)) if match.group(1) else None, match.group(2)))
    return found


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "dilemmas"
    target.mkdir()
    write_case(target, "god", title="En god case")
    write_case(target, "ogsaa-god", title="Også god")
    return target


@pytest.fixture
def check(tmp_path):
    """Run `flask dilemmas check FOLDER` (no database needed) and return the result."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.sqlite3'}"})
    runner = app.test_cli_runner()
    return lambda folder: runner.invoke(args=["dilemmas", "check", str(folder)])


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gets_a_located_error_and_the_others_load(folder, check, tmp_path, name):
    raw, line, message = HOSTILE[name]
    marker = tmp_path / "pwned"
    (folder / f"{name}.md").write_bytes(raw.replace(b"{marker}", str(marker).encode()))
    result = check(folder)
    assert result.exit_code == 1
    problems = located(result.output, name)
    assert problems, result.output
    assert any(found == line and message in text for found, text in problems), problems
    assert "2 case file(s) OK" in result.output
    assert not marker.exists()
    records, _ = load_dir(folder)
    assert sorted(r.slug for r in records) == ["god", "ogsaa-god"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_loader_raises_only_its_own_error(name, tmp_path):
    raw, line, _ = HOSTILE[name]
    with pytest.raises(CaseError) as caught:
        load_text(f"{name}.md", raw.replace(b"{marker}", str(tmp_path / "m").encode()))
    assert caught.value.problems[0].line == line


def test_oversized_files_are_refused_without_a_line(folder, check):
    (folder / "stor-front.md").write_bytes(case_bytes("source: |\n" + "  x\n" * 20_000))
    (folder / "stor-fil.md").write_bytes(case_bytes(body="x" * (1024 * 1024 + 1)))
    result = check(folder)
    assert "stor-front.md:2: front matter is over 64 KiB" in result.output
    assert "stor-fil.md: file is over 1 MiB" in result.output
    assert "2 case file(s) OK" in result.output


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt&#58;alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "![x](javascript:alert(1))",
    '<form action="https://evil.example"><input name=x></form>',
])
def test_trusted_markdown_still_loses_its_scripts(body):
    record = load_text("ok.md", case_bytes(body=body, extra=f"source: {body!r}\n"
                                           .replace("\\'", "''")))
    for html in (record.body_html, record.followup_html):
        assert executable_markup(html) == []


def test_a_file_that_turns_hostile_keeps_the_stored_case(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "god", title="Den gode version")
    app = make_app()
    (dilemmas_dir / "god.md").write_bytes(billion_laughs())
    with app.app_context():
        report = run_sync()
        assert any("anchors are not allowed" in str(p) for p in report.problems)
        case = db.session.scalars(select(Case).where(Case.slug == "god")).one()
        assert case.title == "Den gode version"


# --- links in the case folder ------------------------------------------------------------

@pytest.fixture
def outside_file(tmp_path):
    """A valid case file that lies outside the case folder (say, in someone's home)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return write_case(elsewhere, "hemmelig", title="Ikke til offentligheden")


def test_a_link_that_leaves_the_folder_is_a_located_error(folder, check, outside_file):
    (folder / "hemmelig.md").symlink_to(outside_file)
    result = check(folder)
    assert result.exit_code == 1
    assert any(line == 1 and "outside the case folder" in text
               for line, text in located(result.output, "hemmelig")), result.output
    assert "2 case file(s) OK" in result.output
    records, problems = load_dir(folder)
    assert sorted(r.slug for r in records) == ["god", "ogsaa-god"]
    assert [str(p) for p in problems] == [
        f"{folder / 'hemmelig.md'}:1: a link to a file outside the case folder is refused "
        "(copy the file into the folder instead)"]


def test_a_relative_link_up_and_out_is_refused_too(folder, check, outside_file):
    (folder / "op.md").symlink_to(f"../elsewhere/{outside_file.name}")
    result = check(folder)
    assert result.exit_code == 1
    assert "op.md:1: a link to a file outside the case folder" in result.output


def test_a_link_inside_the_folder_is_still_allowed(folder, check):
    archive = folder / "arkiv"
    archive.mkdir()
    target = write_case(archive, "arkiveret", title="Fra arkivet")
    (folder / "arkiveret.md").symlink_to(target)
    result = check(folder)
    assert result.exit_code == 0, result.output
    assert "3 case file(s) OK" in result.output


def test_sync_skips_a_link_out_of_the_folder_and_says_why(make_app, dilemmas_dir, outside_file):
    app = make_app(sync=False)
    (dilemmas_dir / "hemmelig.md").symlink_to(outside_file)
    with app.app_context():
        report = run_sync()
        assert report.skipped == 1
        assert [str(p) for p in report.problems] == [
            f"{dilemmas_dir / 'hemmelig.md'}:1: a link to a file outside the case folder is "
            "refused (copy the file into the folder instead)"]
        assert db.session.scalars(select(Case).where(Case.slug == "hemmelig")).first() is None
        assert report.created == len(list(dilemmas_dir.glob("*.md"))) - 1
