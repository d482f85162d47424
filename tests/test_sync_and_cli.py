"""`flask dilemmas check|sync|new`, `flask tallies verify` and `flask demo seed-votes`."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update

from dilemmaboard.cases import sync
from dilemmaboard.cases.scaffold import BODY_PLACEHOLDER, FOLLOWUP_PLACEHOLDER, next_monday
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Option, SyncProblem, Vote, VoteEvent, utcnow
from tests.conftest import run_sync, write_case


def test_check_passes_on_the_sample_folder(runner):
    result = runner.invoke(args=["dilemmas", "check"])
    assert result.exit_code == 0, result.output


def test_check_reports_broken_file_and_exits_1(runner, tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    write_case(folder, "god")
    (folder / "brudt.md").write_text("---\ntitle: x\npublish: 2020-01-01\nopitons: []\n---\nx\n",
                                     encoding="utf-8")
    result = runner.invoke(args=["dilemmas", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'brudt.md'}:4: unknown key 'opitons'" in result.output


def test_check_unknown_folder_fails(runner, tmp_path):
    result = runner.invoke(args=["dilemmas", "check", str(tmp_path / "nope")])
    assert result.exit_code != 0


def test_sync_is_idempotent(runner):
    first = runner.invoke(args=["dilemmas", "sync"])
    assert "created 0, updated 0" in first.output  # the fixture synced already
    second = runner.invoke(args=["dilemmas", "sync"])
    assert first.output == second.output
    assert "unchanged" in second.output


def test_sync_counts_created_updated_skipped(app, runner, dilemmas_dir):
    write_case(dilemmas_dir, "ny-case")
    result = runner.invoke(args=["dilemmas", "sync"])
    assert "created 1, updated 0" in result.output
    write_case(dilemmas_dir, "ny-case", title="Ny titel")
    result = runner.invoke(args=["dilemmas", "sync"])
    assert "created 0, updated 1" in result.output
    (dilemmas_dir / "ny-case.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    result = runner.invoke(args=["dilemmas", "sync"])
    assert "skipped 1" in result.output
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "ny-case")).one()
        assert case.title == "Ny titel"  # the broken file changed nothing
        problems = db.session.scalars(select(SyncProblem.message)).all()
        assert any("ny-case.md" in p for p in problems)


def test_duplicate_slug_names_both_files_and_keeps_the_stored_case(app, runner, dilemmas_dir):
    write_case(dilemmas_dir, "original", title="Original")
    runner.invoke(args=["dilemmas", "sync"])
    write_case(dilemmas_dir, "kopi", title="Kopi", extra="slug: original")
    result = runner.invoke(args=["dilemmas", "sync"])
    assert "original.md" in result.output and "kopi.md" in result.output
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "original")).one()
        assert case.title == "Original"


def test_sync_parses_only_the_files_that_changed(app, dilemmas_dir, monkeypatch):
    parsed = []
    load_text = sync.load_text

    def counting_load_text(path, raw, **settings):
        parsed.append(Path(path).name)
        return load_text(path, raw, **settings)

    monkeypatch.setattr(sync, "load_text", counting_load_text)
    write_case(dilemmas_dir, "ny-case")
    with app.app_context():
        report = run_sync()
    assert parsed == ["ny-case.md"]
    assert (report.created, report.unchanged) == (1, len(list(dilemmas_dir.glob("*.md"))) - 1)
    with app.app_context():  # another site zone: every file loads differently, so again
        app.config["SITE_TIMEZONE"] = "UTC"
        assert run_sync().unchanged == 0
    assert len(parsed) == 1 + len(list(dilemmas_dir.glob("*.md")))


def test_sync_reports_a_file_too_big_to_read_with_its_size(app, dilemmas_dir):
    path = dilemmas_dir / "stor-fil.md"
    path.write_bytes(b"---\n" + b"x" * (1024 * 1024))
    with app.app_context():
        report = run_sync()
    assert [str(p) for p in report.problems] == [
        f"{path}: file is over 1 MiB ({path.stat().st_size} bytes)"]
    assert report.skipped == 1


def test_removed_file_keeps_its_case(app, runner, dilemmas_dir):
    path = write_case(dilemmas_dir, "forsvinder")
    runner.invoke(args=["dilemmas", "sync"])
    path.unlink()
    runner.invoke(args=["dilemmas", "sync"])
    with app.app_context():
        assert db.session.scalars(select(Case).where(Case.slug == "forsvinder")).one()


def test_new_writes_a_scaffold_that_check_rejects(runner, dilemmas_dir):
    result = runner.invoke(args=["dilemmas", "new", "Når chefen siger nej"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.exists() and "naar-chefen-siger-nej" in path.name
    text = path.read_text(encoding="utf-8")
    assert "title: \"Når chefen siger nej\"" in text
    check = runner.invoke(args=["dilemmas", "check", str(dilemmas_dir)])
    assert check.exit_code == 1
    assert "option 1 is empty" in check.output
    filled = text.replace('  - ""', "  - Et svar")
    path.write_text(filled, encoding="utf-8")
    # The options alone are not enough: the placeholder texts are still there.
    check = runner.invoke(args=["dilemmas", "check", str(dilemmas_dir)])
    assert check.exit_code == 1
    placeholder_lines = [line for line in check.output.splitlines()
                         if "still the scaffold's placeholder text" in line]
    lines = filled.split("\n")
    assert [re.search(r":(\d+): still", line).group(1) for line in placeholder_lines] == [
        str(lines.index(text) + 1) for text in (BODY_PLACEHOLDER, FOLLOWUP_PLACEHOLDER)]
    written = (filled.replace(BODY_PLACEHOLDER, "Lederen står med et valg.")
               .replace(FOLLOWUP_PLACEHOLDER, "Eksperten svarer."))
    path.write_text(written, encoding="utf-8")
    assert runner.invoke(args=["dilemmas", "check", str(dilemmas_dir)]).exit_code == 0


def test_a_new_scaffold_is_a_draft_until_an_editor_says_otherwise(runner, dilemmas_dir):
    result = runner.invoke(args=["dilemmas", "new", "En kladde fra start"])
    path = Path(result.output.strip())
    assert "\ndraft: true\n" in path.read_text(encoding="utf-8")


def test_next_monday():
    assert next_monday(date(2026, 11, 26)) == date(2026, 11, 30)
    assert next_monday(date(2026, 11, 30)) == date(2026, 12, 7)


def test_tallies_verify_catches_a_tampered_tally_and_repairs(app, runner, dilemmas_dir):
    write_case(dilemmas_dir, "talt")
    runner.invoke(args=["dilemmas", "sync"])
    result = runner.invoke(args=["demo", "seed-votes", "talt", "500", "--yes"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["tallies", "verify"]).exit_code == 0
    with app.app_context():
        case_id = db.session.scalars(select(Case.id).where(Case.slug == "talt")).one()
        db.session.execute(update(Option).where(Option.case_id == case_id, Option.number == 2)
                           .values(votes=Option.votes + 7))
        db.session.commit()
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 1
    assert "talt option 2" in result.output
    assert runner.invoke(args=["tallies", "verify", "--repair"]).exit_code == 1
    assert runner.invoke(args=["tallies", "verify"]).exit_code == 0


def test_seed_votes_keeps_tallies_and_events_consistent(app, runner, dilemmas_dir):
    write_case(dilemmas_dir, "demo")
    runner.invoke(args=["dilemmas", "sync"])
    result = runner.invoke(args=["demo", "seed-votes", "demo", "1234", "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "demo")).one()
        assert sum(o.votes for o in case.options) == 1234
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 1234
        assert db.session.scalar(select(func.count()).select_from(VoteEvent)) == 1234
    # A second batch continues the ids and sequences.
    assert runner.invoke(args=["demo", "seed-votes", "demo", "10", "--yes"]).exit_code == 0
    assert runner.invoke(args=["tallies", "verify"]).exit_code == 0


def test_seed_votes_on_an_open_case_stay_in_the_past(app, runner, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", publish="2020-01-06", closes="2099-01-01T12:00")
    runner.invoke(args=["dilemmas", "sync"])
    assert runner.invoke(args=["demo", "seed-votes", "aaben", "300", "--yes"]).exit_code == 0
    with app.app_context():
        latest = db.session.scalar(select(func.max(VoteEvent.created_at)))
        earliest = db.session.scalar(select(func.min(VoteEvent.created_at)))
    assert latest <= utcnow() and earliest >= datetime(2020, 1, 5)


def test_seed_votes_unknown_slug(runner):
    result = runner.invoke(args=["demo", "seed-votes", "findes-ikke", "5", "--yes"])
    assert result.exit_code != 0
    assert "no case" in result.output


def test_seed_votes_refuses_postgresql_without_yes(runner, database):
    result = runner.invoke(args=["demo", "seed-votes", "anything", "5"])
    if database.kind == "sqlite":
        assert "no case" in result.output
    else:
        assert result.exit_code != 0 and "--yes" in result.output
