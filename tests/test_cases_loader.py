"""The case-file loader (SPEC §2): good files load, every broken rule is located.

Pure tests: no Flask, no database. Bad files live in `fixtures/cases/`, one per
rule; files too big to commit are written into `tmp_path`.
"""
from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from dilemmaboard.cases.loader import CaseError, CaseRecord, load_dir, load_file, load_text
from dilemmaboard.cases.sync import content_hash

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cases"
SAMPLES = ROOT / "dilemmas"
OPTIONS = "options: [Et, To, Tre, Fire, Fem]\n"


def case_bytes(extra: str = "", body: str = "Hvad gør du?", *, title: str = "Et dilemma",
               publish: str = "2008-11-19") -> bytes:
    """A valid case file: front matter on lines 2-4, `extra` from line 5, then the body."""
    front = f"---\ntitle: {title}\npublish: {publish}\n{OPTIONS}{extra}---\n"
    return (front + body + "\n").encode()


def problems_of(path: Path) -> list[str]:
    """Load a file that must be refused and return its problems as `path:line: message`."""
    with pytest.raises(CaseError) as caught:
        load_file(path)
    return [str(p) for p in caught.value.problems]


def refused(raw: bytes, name: str = "case.md") -> CaseError:
    with pytest.raises(CaseError) as caught:
        load_text(name, raw)
    return caught.value


# fixture file -> (line, message); line None where the rule cannot know one.
BROKEN = {
    "four-options.md": (4, "expected exactly 5 options, found 4"),
    "six-options.md": (4, "expected exactly 5 options, found 6"),
    "empty-option.md": (7, "option 3 is empty"),
    "missing-title.md": (2, "missing 'title'"),
    "missing-publish.md": (2, "missing 'publish'"),
    "bad-date.md": (3, "bad date for 'publish': 'næste tirsdag'"),
    "impossible-date.md": (3, "bad value '2008-13-45': month must be in 1..12"),
    "closes-before-publish.md": (4, "'closes' is before 'publish'"),
    "bad-slug.md": (4, "bad slug 'Fem_Kompetencedage' from the slug: use [a-z0-9-]{1,80}"),
    "unknown-key.md": (4, "unknown key 'opitons' (did you mean 'options'?)"),
    "not-utf8.md": (2, "file is not valid UTF-8"),
    "yaml-error.md": (3, "YAML error: mapping values are not allowed here"),
    "alias.md": (2, "YAML aliases are not allowed"),
    "anchor.md": (2, "YAML anchors are not allowed"),
    "billion-laughs.md": (2, "YAML anchors are not allowed"),
    "python-tag.md": (2, "YAML error: could not determine a constructor for the tag "
                         "'tag:yaml.org,2002:python/object/apply:os.system'"),
    "merge-key.md": (4, "YAML merge keys ('<<') are not allowed"),
    "duplicate-key.md": (4, "duplicate key 'title'"),
    "non-mapping.md": (2, "front matter must be a mapping of keys to values"),
    "bad-results-mode.md": (4, "bad results mode 'somme tider': use one of after_vote, "
                               "always, after_close"),
    "bad-imported-votes.md": (10, "imported_votes must be five non-negative whole numbers"),
    "no-front-matter.md": (1, "file must start with '---' and YAML front matter"),
    "unclosed-front-matter.md": (1, "front matter is not closed with '---'"),
    "empty-body.md": (None, "the case text (after the front matter) is empty"),
}


def located(path: Path, line: int | None, message: str) -> str:
    return f"{path}:{line}: {message}" if line is not None else f"{path}: {message}"


# --- one broken file per rule -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_fixture_is_refused_with_a_located_message(name):
    line, message = BROKEN[name]
    path = FIXTURES / name
    assert located(path, line, message) in problems_of(path)


def test_every_broken_fixture_has_an_expectation():
    broken = {p.name for p in FIXTURES.glob("*.md")} - {"good.md"}
    assert broken == set(BROKEN)


def test_not_utf8_fixture_really_holds_a_latin1_byte():
    raw = (FIXTURES / "not-utf8.md").read_bytes()
    assert b"\xf8" in raw


def test_a_misspelt_key_does_not_hide_the_missing_options():
    problems = problems_of(FIXTURES / "unknown-key.md")
    assert f"{FIXTURES / 'unknown-key.md'}:2: options must be a list of exactly five answers" \
        in problems


def test_every_problem_of_a_file_is_reported_at_once():
    error = refused(case_bytes("results: nogle gange\nshuffle: måske\nlanguage: Dansk\n",
                               title='""'))
    messages = [p.message for p in error.problems]
    assert "'title' is empty" in messages
    assert any(m.startswith("bad results mode") for m in messages)
    assert "'shuffle' must be true or false" in messages
    assert any(m.startswith("bad language") for m in messages)
    assert str(error) == "; ".join(str(p) for p in error.problems)


def test_front_matter_over_64_kib_is_refused(tmp_path):
    path = tmp_path / "stor-front.md"
    path.write_bytes(case_bytes("source: |\n" + "  x\n" * 20_000))
    assert problems_of(path) == [f"{path}:2: front matter is over 64 KiB"]


def test_unclosed_front_matter_over_64_kib_is_refused_quickly(tmp_path):
    path = tmp_path / "aaben-front.md"
    path.write_bytes(b"---\n" + b"#\n" * 200_000)
    started = time.perf_counter()
    assert problems_of(path) == [f"{path}:2: front matter is over 64 KiB"]
    assert time.perf_counter() - started < 2


def test_file_over_1_mib_is_refused_without_a_line(tmp_path):
    path = tmp_path / "stor-fil.md"
    path.write_bytes(case_bytes(body="x" * (1024 * 1024)))
    size = path.stat().st_size
    assert problems_of(path) == [f"{path}: file is over 1 MiB ({size} bytes)"]
    assert str(refused(path.read_bytes(), "stor-fil.md").problems[0]) \
        == f"stor-fil.md: file is over 1 MiB ({size} bytes)"


def deep_nesting_bytes() -> bytes:
    return case_bytes("tags: " + "[" * 10_000 + "]" * 10_000 + "\n")


def billion_laughs_bytes() -> bytes:
    return (FIXTURES / "billion-laughs.md").read_bytes()


def test_ten_thousand_nested_lists_are_refused(tmp_path):
    path = tmp_path / "dyb.md"
    path.write_bytes(deep_nesting_bytes())
    assert problems_of(path) == [f"{path}:5: YAML is nested too deeply"]


def test_deeply_nested_block_lists_are_refused():
    error = refused(case_bytes("tags:\n  " + "- " * 10_000 + "x\n"))
    assert [str(p) for p in error.problems] == ["case.md:6: YAML is nested too deeply"]


@pytest.mark.parametrize("make", [billion_laughs_bytes, deep_nesting_bytes])
def test_hostile_yaml_fails_fast(make):
    raw = make()
    started = time.perf_counter()
    refused(raw)
    assert time.perf_counter() - started < 2  # a loose sanity bound, not a benchmark


def test_python_tag_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    error = refused(case_bytes(f"source: !!python/object/apply:os.system ['touch {marker}']\n"))
    assert "could not determine a constructor" in error.problems[0].message
    assert error.problems[0].line == 5
    assert not marker.exists()


def test_nul_character_is_refused_with_its_line():
    error = refused(case_bytes("source: a\x00b\n"))
    assert [str(p) for p in error.problems] == ["case.md:5: file contains a NUL character"]


def test_bad_slug_from_the_file_name_points_at_line_1(tmp_path):
    path = tmp_path / "Fem_Kompetencedage.md"
    path.write_bytes(case_bytes())
    assert problems_of(path) == [
        f"{path}:1: bad slug 'Fem_Kompetencedage' from the file name: use [a-z0-9-]{{1,80}}"]


def test_closes_equal_to_publish_is_refused():
    error = refused(case_bytes("closes: 2008-11-19\n"))
    assert [str(p) for p in error.problems] == ["case.md:5: 'closes' is before 'publish'"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "'9999-12-30T12:00'"])
def test_dates_at_the_edge_of_the_calendar_are_bad_dates(value):
    error = refused(case_bytes(publish=value))
    assert error.problems[0].line == 3
    assert error.problems[0].message.startswith("bad date for 'publish'")


@pytest.mark.parametrize("extra, fragment", [
    ("shuffle: !!bool kanske\n", "bad value 'kanske'"),
    ("closes: !!timestamp i morgen\n", "bad value 'i morgen'"),
    ("imported_votes: [" + "9" * 5000 + ", 1, 1, 1, 1]\n", "bad value '9999"),
])
def test_values_yaml_cannot_build_are_located(extra, fragment):
    error = refused(case_bytes(extra))
    assert error.problems[0].line == 5
    assert error.problems[0].message.startswith(fragment)


def test_markdown_nested_too_deeply_to_render_is_refused():
    error = refused(case_bytes(body="- " * 10_000 + "x"))
    assert [str(p) for p in error.problems] == ["case.md:6: the Markdown is nested too deeply"]


# --- good files ---------------------------------------------------------------------


def test_good_fixture_loads():
    record = load_file(FIXTURES / "good.md")
    assert isinstance(record, CaseRecord)
    assert record.slug == "good"
    assert record.title == "Et gyldigt dilemma"
    assert record.options == ["Et", "To", "Tre", "Fire", "Fem"]
    assert record.option_lines == [5, 6, 7, 8, 9]


def test_publish_date_is_midnight_copenhagen_in_naive_utc():
    record = load_text("case.md", case_bytes())
    assert record.publish_at == datetime(2008, 11, 18, 23, 0)
    assert record.publish_at.tzinfo is None


def test_summer_time_is_two_hours_ahead_of_utc():
    record = load_text("case.md", case_bytes(publish="2008-07-01T09:30"))
    assert record.publish_at == datetime(2008, 7, 1, 7, 30)


def test_closes_defaults_to_publish_plus_seven_days():
    record = load_text("case.md", case_bytes())
    assert record.closes_at == datetime(2008, 11, 25, 23, 0)


def test_closes_as_local_datetime_is_converted():
    record = load_text("case.md", case_bytes("closes: 2008-11-26T12:00\n"))
    assert record.closes_at == datetime(2008, 11, 26, 11, 0)


@pytest.mark.parametrize("value", ["2008-11-19T12:00:00+00:00", "'2008-11-19T12:00+00:00'",
                                   "2008-11-19T12:00:00Z"])
def test_an_explicit_utc_offset_is_respected(value):
    record = load_text("case.md", case_bytes(publish=value))
    assert record.publish_at == datetime(2008, 11, 19, 12, 0)
    assert record.closes_at == datetime(2008, 11, 26, 12, 0)


def test_site_timezone_and_default_locale_are_settings():
    record = load_text("case.md", case_bytes(), site_timezone="UTC", default_locale="en")
    assert record.publish_at == datetime(2008, 11, 19, 0, 0)
    assert record.language == "en"


def test_content_hash_changes_with_the_settings():
    raw = case_bytes()
    default = content_hash(raw, "Europe/Copenhagen", "da")
    assert content_hash(raw, "Europe/Copenhagen", "da") == default
    assert content_hash(raw, "UTC", "da") != default
    assert content_hash(raw, "Europe/Copenhagen", "en") != default


def test_optional_keys_have_their_defaults():
    record = load_text("case.md", case_bytes())
    assert record.language == "da"
    assert record.results == "after_vote"
    assert (record.shuffle, record.draft) == (False, False)
    assert record.source is None
    assert record.tags == []
    assert record.imported_votes == [0, 0, 0, 0, 0]


def test_every_key_is_read():
    record = load_text("case.md", case_bytes(
        "closes: 2008-11-26T12:00\nlanguage: en\nslug: et-andet-navn\nsource: LH\n"
        "results: always\nshuffle: true\ndraft: true\ntags: [a, b]\n"
        "imported_votes: [1, 2, 3, 4, 5]\n"))
    assert record.slug == "et-andet-navn"
    assert record.slug_line == 7
    assert (record.language, record.source, record.results) == ("en", "LH", "always")
    assert (record.shuffle, record.draft) == (True, True)
    assert record.tags == ["a", "b"]
    assert record.imported_votes == [1, 2, 3, 4, 5]


def test_slug_defaults_to_the_file_stem():
    record = load_text("nogle/mapper/mit-dilemma.md", case_bytes())
    assert record.slug == "mit-dilemma"
    assert record.slug_line is None


def test_followup_is_split_from_the_case_text():
    record = load_text("case.md", case_bytes(
        body="Casen.\n\n**Hvad gør du?**\n\n<!-- followup -->\n## Læs mere\n\nSvaret."))
    assert record.body_md == "Casen.\n\n**Hvad gør du?**"
    assert record.followup_md == "## Læs mere\n\nSvaret."
    assert "<strong>Hvad gør du?</strong>" in record.body_html
    assert "<h2>Læs mere</h2>" in record.followup_html
    assert "Svaret" not in record.body_html


def test_no_followup_marker_means_no_followup():
    record = load_text("case.md", case_bytes(body="Kun casen."))
    assert (record.followup_md, record.followup_html) == ("", "")


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted():
    raw = b"\xef\xbb\xbf" + case_bytes("closes: 2008-11-26T12:00\n").replace(b"\n", b"\r\n")
    record = load_text("case.md", raw)
    assert record.closes_at == datetime(2008, 11, 26, 11, 0)


@pytest.mark.parametrize("html", [
    "<script>alert(1)</script>",
    '<img src="x.png" onerror="alert(1)">',
    '<a href="javascript:alert(1)">klik</a>',
    "[klik](javascript:alert(1))",
])
def test_raw_scripts_and_handlers_never_reach_the_html(html):
    record = load_text("case.md", case_bytes(
        "source: LH\n", body=f"Casen.\n\n{html}\n\n<!-- followup -->\n{html}"))
    for rendered in (record.body_html, record.followup_html):
        lowered = rendered.lower()
        assert "<script" not in lowered
        assert "onerror" not in lowered
        assert "javascript:" not in lowered


def test_options_are_kept_as_plain_text():
    record = load_text("case.md", case_bytes().replace(
        b"Fem]", b"'<script>alert(1)</script> Fem']"))
    assert record.options[4] == "<script>alert(1)</script> Fem"  # pages escape it


# --- folders ------------------------------------------------------------------------


def test_load_dir_keeps_the_good_file_and_locates_every_broken_one():
    records, problems = load_dir(FIXTURES)
    assert [r.slug for r in records] == ["good"]
    reported = {str(p) for p in problems}
    for name, (line, message) in BROKEN.items():
        assert located(FIXTURES / name, line, message) in reported
    assert {Path(p.path).name for p in problems} == set(BROKEN)


def test_duplicate_slugs_name_both_files():
    folder = FIXTURES / "duplicates"
    first, second = folder / "duplicate-slug-a.md", folder / "duplicate-slug-b.md"
    records, problems = load_dir(folder)
    assert records == []
    assert sorted(str(p) for p in problems) == [
        f"{first}: duplicate slug 'samme-slug' (also used by {second})",
        f"{second}: duplicate slug 'samme-slug' (also used by {first})",
    ]


def test_duplicate_slugs_do_not_stop_the_other_files(tmp_path):
    for path in (FIXTURES / "duplicates").glob("*.md"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(FIXTURES / "good.md", tmp_path / "good.md")
    records, problems = load_dir(tmp_path)
    assert [r.slug for r in records] == ["good"]
    assert len(problems) == 2


def test_load_dir_ignores_other_files_and_subfolders(tmp_path):
    shutil.copy(FIXTURES / "good.md", tmp_path / "good.md")
    (tmp_path / "noter.txt").write_text("ikke en case", encoding="utf-8")
    (tmp_path / "arkiv").mkdir()
    shutil.copy(FIXTURES / "four-options.md", tmp_path / "arkiv" / "four-options.md")
    records, problems = load_dir(tmp_path)
    assert [r.slug for r in records] == ["good"]
    assert problems == []


# --- the sample cases in dilemmas/ --------------------------------------------------


SAMPLE_FILES = sorted(SAMPLES.glob("*.md"))


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_file_loads(path):
    record = load_file(path)
    assert record.slug == path.stem
    assert len(record.options) == 5
    assert record.source
    assert record.tags


def test_sample_folder_loads_without_problems():
    records, problems = load_dir(SAMPLES)
    assert [str(p) for p in problems] == []
    assert len(records) == len(SAMPLE_FILES) >= 5


def test_seed_case_keeps_the_reports_tally():
    record = load_file(SAMPLES / "fem-kompetencedage.md")
    assert record.imported_votes == [5, 12, 18, 5, 113]
    assert sum(record.imported_votes) == 153
    assert record.publish_at == datetime(2008, 11, 18, 23, 0)
    assert record.closes_at == datetime(2008, 11, 26, 11, 0)
    assert record.options[4].startswith("Du indkalder alle medarbejdere til en åben drøftelse")
    assert record.followup_md


def test_samples_cover_every_state_and_setting():
    records = {r.slug: r for r in load_dir(SAMPLES)[0]}
    now = datetime(2026, 6, 1)
    published = [r for r in records.values() if not r.draft]
    assert any(r.publish_at <= now < r.closes_at for r in published)  # open
    assert any(r.closes_at <= now for r in published)  # closed
    assert any(r.publish_at > now for r in published)  # scheduled
    assert any(r.draft for r in records.values())
    assert any(r.shuffle for r in published)
    assert any(r.results == "always" for r in published)
    assert any(r.language == "en" for r in published)


def test_open_sample_stays_open_far_into_the_future():
    record = load_file(SAMPLES / "ingen-haender-til-kurser.md")
    assert record.publish_at == datetime(2026, 1, 4, 23, 0)
    assert record.closes_at == datetime(2099, 12, 31, 11, 0)


def test_scheduled_sample_is_published_in_2030():
    record = load_file(SAMPLES / "netvaerket-der-blev-kaffeklub.md")
    assert record.publish_at == datetime(2030, 1, 6, 23, 0)


def test_an_indented_dashes_line_inside_a_yaml_value_does_not_end_the_front_matter():
    record = load_text("case.md", case_bytes("source: |\n  Noget\n  ---\n  mere\n"))
    assert record.source == "Noget\n---\nmere"


@pytest.mark.parametrize("escaped", ["\\uD800", "\\0", "a\\x00b"])
def test_escaped_nul_or_lone_surrogate_is_refused(escaped):
    error = refused(case_bytes(f'source: "{escaped}"\n'))
    assert [str(p) for p in error.problems] == [
        "case.md:5: YAML error: escaped NUL or surrogate characters are not allowed"]


def test_block_quotes_nested_too_deeply_are_refused_at_their_line():
    error = refused(case_bytes(body="Casen.\n\n" + "> " * 51 + "x"))
    assert [str(p) for p in error.problems] == ["case.md:8: the Markdown is nested too deeply"]


def test_block_quotes_nested_a_little_are_fine():
    record = load_text("case.md", case_bytes(body="Casen.\n\n" + "> " * 5 + "x"))
    assert record.body_html.count("<blockquote>") == 5
