"""Research exports (SPEC §6, §8): columns, the seed case's numbers, Wilson, CSV rules."""
from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from dilemmaboard.desk.access import SESSION_CLIENT, SESSION_GENERATION, client_identifier
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Editor
from dilemmaboard.research.codebook import TABLES
from dilemmaboard.research.encoders import csv_chunks, json_chunks
from dilemmaboard.research.numbers import exact_share, suppressed_cells, wilson_interval
from dilemmaboard.timeutil import iso_utc
from dilemmaboard.voting.casting import cast_vote
from tests.conftest import SEED_SLUG, run_sync, write_case

TALLY_COLUMNS = [
    "case_slug", "case_title", "language", "publish_at", "closes_at", "status",
    "option_number", "option_text", "votes", "imported_votes", "total_votes", "share",
    "percent", "ci95_low", "ci95_high",
]
COLUMNS = {
    "tallies": TALLY_COLUMNS,
    "timeseries": ["case_slug", "date", "option_number", "source", "first_votes", "changes_in",
                   "changes_out", "new_votes", "cumulative_votes", "cumulative_share"],
    "votes": ["case_slug", "event_number", "kind", "option_number", "previous_option",
              "shown_position", "profile", "event_hour", "source"],
    "comments": ["case_slug", "comment_id", "parent_id", "created_at", "edited_at", "name",
                 "option_number", "option_changed", "body_md", "source"],
    "profiles": ["case_slug", "option_number", "role", "votes", "suppressed"],
    "tallies_by_source": ["case_slug", "source", "option_number", "votes", "total_votes",
                          "share", "percent", "ci95_low", "ci95_high"],
}

# The case from the seed report (section 4.10), written here if the sample folder lacks it.
SEED_CASE = """---
title: Fem kompetencedage – hvem skal på kursus?
publish: 2008-11-19
closes: 2008-11-26T12:00
source: Ledernes Hovedorganisation
tags: [kompetenceudvikling]
options:
  - Du imødekommer ønskerne fra de fire medarbejdere, der ønsker kurser.
  - Du vil imødekomme ønskerne, men betinger dig, at kurserne er relevante.
  - Du udarbejder en samlet plan for kompetenceudvikling i afdelingen.
  - Du meddeler din chef og HR-afdelingen, at du ikke kan sende medarbejdere på kursus.
  - Du indkalder alle medarbejdere til en åben drøftelse.
imported_votes: [5, 12, 18, 5, 113]
---
Fem medarbejdere har fem kompetencedage til gode. Hvad gør du?
"""
PASSWORD = "et-langt-kodeord-til-test"


def ensure_seed_case(app, dilemmas_dir) -> None:
    """Make sure the seed case is loaded (the sample folder may not carry it)."""
    with app.app_context():
        if db.session.scalars(select(Case).where(Case.slug == SEED_SLUG)).first():
            return
        (dilemmas_dir / f"{SEED_SLUG}.md").write_text(SEED_CASE, encoding="utf-8")
        run_sync()


def add_editor(app, username: str = "forsker", role: str = "researcher") -> int:
    with app.app_context():
        editor = Editor(username=username, role=role,
                        password_hash=generate_password_hash(PASSWORD))
        db.session.add(editor)
        db.session.commit()
        return editor.id


def basic(username: str = "forsker", password: str = PASSWORD) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def log_in(client, editor_id: int) -> None:
    """Log in through the session cookie, as the login page would."""
    # The session holds for this client only (a hash of its address and user agent),
    # and for the account's current session generation (0 for a new account).
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = client_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(editor_id)
        session["_fresh"] = True
        session[SESSION_GENERATION] = 0
        session[SESSION_CLIENT] = identifier


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def header_of(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def case_by_slug(slug: str) -> Case:
    return db.session.scalars(select(Case).where(Case.slug == slug)).one()


def vote_at(app, slug: str, voter: str, option: int, when: datetime, **kwargs) -> str:
    """Cast a vote at a chosen moment, through the same domain function the page uses."""
    with app.app_context():
        outcome = cast_vote(db.session, case_by_slug(slug), voter, option, now=when, **kwargs)
        db.session.commit()
        return outcome


@pytest.fixture
def site(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "aaben", title='Åben, med "citat" og komma', extra="results: always")
    app = make_app()
    ensure_seed_case(app, dilemmas_dir)
    return app


# --- columns ---------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_every_file_has_its_documented_columns_in_order(site, name):
    add_editor(site)
    response = site.test_client().get(f"/export/{name}.csv", headers=basic())
    assert response.status_code == 200
    assert header_of(response) == COLUMNS[name]
    assert TABLES[name].header == COLUMNS[name]


def test_tallies_columns_are_exactly_spec_section_8(site):
    response = site.test_client().get("/export/tallies.csv")
    first_line = response.get_data(as_text=True).split("\r\n")[0]
    assert first_line == ",".join(TALLY_COLUMNS)


def test_tallies_json_has_the_same_rows_typed(site):
    client = site.test_client()
    as_csv = rows_of(client.get("/export/tallies.csv"))
    response = client.get("/export/tallies.json")
    assert response.mimetype == "application/json"
    as_json = json.loads(response.get_data(as_text=True))
    assert [list(r) for r in as_json] == [TALLY_COLUMNS] * len(as_json)
    assert len(as_json) == len(as_csv)
    seed = [r for r in as_json if r["case_slug"] == SEED_SLUG]
    assert [r["percent"] for r in seed] == [3, 8, 12, 3, 74]
    assert seed[0]["share"] == pytest.approx(5 / 153)
    assert seed[0]["publish_at"] == "2008-11-18T23:00:00Z"


# --- the seed case ---------------------------------------------------------

def test_seed_case_rows_give_the_published_result(site):
    rows = [r for r in rows_of(site.test_client().get("/export/tallies.csv"))
            if r["case_slug"] == SEED_SLUG]
    assert [r["option_number"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["percent"] for r in rows] == ["3", "8", "12", "3", "74"]
    assert {r["total_votes"] for r in rows} == {"153"}
    # Imported counts are flagged in their own column; no live votes.
    assert [r["imported_votes"] for r in rows] == ["5", "12", "18", "5", "113"]
    assert [r["votes"] for r in rows] == ["0"] * 5
    assert rows[0]["share"] == "0.032679738562091503"
    assert rows[4]["share"] == "0.73856209150326797"
    assert {r["status"] for r in rows} == {"closed"}
    assert rows[0]["publish_at"] == "2008-11-18T23:00:00Z"  # 19 Nov, Copenhagen time
    assert rows[0]["closes_at"] == "2008-11-26T11:00:00Z"
    assert rows[0]["language"] == "da"
    assert rows[4]["ci95_low"] == "0.663702" and rows[4]["ci95_high"] == "0.801736"


def test_live_and_imported_votes_add_up(site, dilemmas_dir):
    write_case(dilemmas_dir, "blandet", extra="results: always\nimported_votes: [1, 0, 0, 0, 9]")
    with site.app_context():
        run_sync()
    vote_at(site, "blandet", "v1", 1, datetime(2021, 3, 1, 12))
    vote_at(site, "blandet", "v2", 2, datetime(2021, 3, 1, 12))
    rows = [r for r in rows_of(site.test_client().get("/export/tallies.csv"))
            if r["case_slug"] == "blandet"]
    assert [(r["votes"], r["imported_votes"]) for r in rows] == [
        ("1", "1"), ("1", "0"), ("0", "0"), ("0", "0"), ("0", "9")]
    assert {r["total_votes"] for r in rows} == {"12"}
    assert [r["percent"] for r in rows] == ["17", "8", "0", "0", "75"]
    assert rows[0]["share"] == "0.16666666666666667"


def test_case_without_votes_has_zero_percent_and_no_share(site):
    rows = [r for r in rows_of(site.test_client().get("/export/tallies.csv"))
            if r["case_slug"] == "aaben"]
    assert [r["percent"] for r in rows] == ["0"] * 5
    assert {(r["share"], r["ci95_low"], r["ci95_high"]) for r in rows} == {("", "", "")}
    assert {r["status"] for r in rows} == {"open"}


# --- numbers ---------------------------------------------------------------

@pytest.mark.parametrize("successes, n, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (Wilson score).
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0),
    # Agresti & Coull (1998): 0 of 10 and 10 of 10.
    (0, 10, 0.0, 0.2775),
    (10, 10, 0.7225, 1.0),
])
def test_wilson_interval_matches_published_values(successes, n, low, high):
    got_low, got_high = wilson_interval(successes, n)
    assert round(got_low, 4) == pytest.approx(low, abs=1e-4)
    assert round(got_high, 4) == pytest.approx(high, abs=1e-4)


def test_wilson_interval_of_nothing_is_none():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize("part, total, expected", [
    (1, 2, "0.5"), (1, 3, "0.33333333333333333"), (0, 7, "0"), (7, 7, "1"),
    (1, 1_000_000, "0.000001"), (113, 153, "0.73856209150326797"),
])
def test_share_is_an_exact_decimal_fraction(part, total, expected):
    assert format(exact_share(part, total), "f") == expected


def test_share_of_no_votes_is_missing():
    assert exact_share(0, 0) is None


# --- CSV rules -------------------------------------------------------------

def test_csv_is_rfc4180_utf8_with_crlf(site):
    response = site.test_client().get("/export/tallies.csv")
    assert response.headers["Content-Type"].startswith("text/csv; charset=utf-8")
    assert response.is_streamed
    raw = response.get_data()
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert '"Åben, med ""citat"" og komma"' in text
    assert "Fem kompetencedage – hvem skal på kursus?" in text
    assert not raw.startswith(b"\xef\xbb\xbf")


def test_unknown_export_is_a_json_404(site):
    for path in ["/export/nothing.csv", "/export/tallies.xml", "/export/../app.py",
                 "/export/tallies.csv%00"]:
        response = site.test_client().get(path)
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)


def test_public_datapackage_is_open_to_all(site):
    response = site.test_client().get("/export/datapackage.json")
    assert response.status_code == 200
    package = response.get_json()
    names = [r["name"] for r in package["resources"]]
    assert names == ["tallies", "timeseries", "profiles", "tallies_by_source",
                     "tallies-json", "timeseries-json", "profiles-json", "tallies_by_source-json"]
    assert "not a representative sample" in package["description"]
    assert "reconstructed from the published percentages" in package["description"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert any("Ledernes Hovedorganisation" in s["title"] for s in package["sources"])


# --- profile suppression (unit) ----------------------------------------------

@pytest.mark.parametrize("counts, hidden", [
    ([10, 20, 30, 40, 50, 60, 70], [False] * 7),
    # One small cell alone could be recovered from the option's public tally.
    ([3, 20, 30, 40, 50, 60, 70], [True, True] + [False] * 5),
    # Two hidden cells: the tally tells only their sum, not which role has what.
    ([1, 2, 30, 40, 50, 60, 70], [True, True] + [False] * 5),
    # Hidden cells adding up to 0 would all be known to be 0.
    ([0, 0, 30, 40, 50, 60, 70], [True, True, True] + [False] * 4),
    ([5, 6, 7, 8, 9, 10, 11], [False] * 7),
    # Two hidden 4s would be known to be 4 each: the smallest shown count hides too,
    # with every count equal to it (any one of them could have swapped places).
    ([4, 4, 50, 60, 70, 80, 90], [True, True, True] + [False] * 4),
    ([9, 9, 4, 4, 4, 9, 9], [True] * 7),
    ([4, 4, 50, 50, 60, 70, 80], [True] * 4 + [False] * 3),
    ([0, 0, 0, 0, 0, 0, 0], [True] * 7),
    ([0, 0, 0, 0, 0, 0, 9], [True] * 7),
])
def test_small_profile_cells_are_suppressed(counts, hidden):
    assert suppressed_cells(counts) == hidden


def test_decimal_values_never_use_exponents():
    assert format(exact_share(1, 10**9), "f") == "0.000000001"


# --- encoders (unit) ---------------------------------------------------------

ENCODER_HEADER = ["text", "number", "missing", "flag", "share", "moment", "day"]
# Enough rows to cross the chunk boundaries, with times repeating as in votes.csv.
ENCODER_ROWS = [
    ('a,"b"\nc', 1, None, True, Decimal("0.5"), datetime(2021, 1, 2, 3, 4, 5, 678),
     date(2021, 1, 2)),
    ("é = +1", -3, None, False, Decimal("1E-8"), datetime(2021, 1, 2, 3, 0), date(2021, 12, 31)),
] * 700


def plain_value(value):
    """What each value means in the files, written the slow, obvious way."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_csv_encoder_matches_the_csv_module():
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(ENCODER_HEADER)
    for row in ENCODER_ROWS:
        writer.writerow(["" if v is None else plain_value(v) for v in row])
    assert "".join(csv_chunks(ENCODER_HEADER, ENCODER_ROWS)) == expected.getvalue()


def test_json_encoder_matches_the_json_module():
    written = json.loads("".join(json_chunks(ENCODER_HEADER, ENCODER_ROWS)), parse_float=Decimal)
    expected = [
        {k: (v if isinstance(v, bool | Decimal) else plain_value(v))
         for k, v in zip(ENCODER_HEADER, row, strict=True)}
        for row in ENCODER_ROWS
    ]
    assert written == expected
