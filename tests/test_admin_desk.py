"""The editors' desk: dashboard, reload, preview, close early / reopen, live numbers, audit log."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from markupsafe import escape
from sqlalchemy import event, select

from dilemmaboard.desk import audit
from dilemmaboard.desk.charts import daily_votes
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.voting.casting import cast_vote
from tests.admin_helpers import (
    CLOSED,
    DRAFT,
    OPEN,
    SCHEDULED,
    Desk,
    add_login,
    assert_csp_clean,
    audit_count,
    audit_rows,
    case_row,
    desk_app,
    report,
    write_comment,
)
from tests.conftest import Reader, write_case


@pytest.fixture
def site(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir)
    add_login(app)
    return app


@pytest.fixture
def desk(site):
    return Desk(site.test_client())


def dashboard_row(page: str, slug: str) -> str:
    match = re.search(rf'<tr data-slug="{slug}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {slug}"
    return match.group(1)


def cell(row: str, name: str) -> str:
    match = re.search(rf'<td class="num {name}">(?:<a [^>]*>)?(\d+)', row)
    assert match, name
    return match.group(1)


# --- the dashboard -----------------------------------------------------------------------

def test_dashboard_lists_every_case_with_its_state(desk):
    page = desk.page("/admin/")
    expected = {OPEN: ("open", "Åben"), CLOSED: ("closed", "Lukket"),
                DRAFT: ("draft", "Kladde"), SCHEDULED: ("scheduled", "Planlagt")}
    for slug, (state, label) in expected.items():
        row = dashboard_row(page, slug)
        assert f'<span class="state state-{state}">{label}</span>' in row, slug
    assert_csp_clean(page)


def test_dashboard_shows_closed_early(site, desk):
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Sagen er løst.")
    row = dashboard_row(desk.page("/admin/"), OPEN)
    assert "state-closed_early" in row and "Lukket før tid" in row


def test_dashboard_counts_votes_comments_waiting_and_reported(make_app, dilemmas_dir):
    app = desk_app(make_app, dilemmas_dir, COMMENTS_MODERATION="pre")
    add_login(app)
    desk = Desk(app.test_client())
    held = [write_comment(app, body=f"Venter {n}") for n in range(3)]
    desk.bulk(held[:2], "approve")
    report(app, held[0], times=2)
    report(app, held[1])
    row = dashboard_row(desk.page("/admin/"), OPEN)
    assert cell(row, "votes") == "3"
    assert cell(row, "comments") == "2"
    assert cell(row, "waiting") == "1"
    assert cell(row, "reported") == "2"
    closed_row = dashboard_row(desk.page("/admin/"), CLOSED)
    assert [cell(closed_row, n) for n in ("votes", "comments", "waiting", "reported")] == [
        "0", "0", "0", "0"]


def count_statements(app, path: str, client) -> int:
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def test_dashboard_queries_do_not_grow_with_the_number_of_cases(site, desk, dilemmas_dir):
    write_comment(site)
    few = count_statements(site, "/admin/", desk.client)
    for n in range(12):
        write_case(dilemmas_dir, f"ekstra-{n}", title=f"Ekstra {n}")
    assert desk.post("/admin/reload").status_code == 303
    for n in range(3):
        write_comment(site, slug=f"ekstra-{n}", body=f"Ekstra {n}")
    page = desk.page("/admin/")
    assert page.count("<tr data-slug=") == 16
    assert count_statements(site, "/admin/", desk.client) == few


# --- reloading and the sync problems -----------------------------------------------------

def test_reload_loads_new_files_and_shows_the_report(site, desk, dilemmas_dir):
    write_case(dilemmas_dir, "ny-case", title="En helt ny case")
    response = desk.post("/admin/reload")
    assert response.status_code == 303
    page = desk.page(response.headers["Location"])
    assert "Cases genindlæst: 1 ny, 0 ændrede, 4 uændrede, 0 sprunget over." in page
    assert "En helt ny case" in page
    assert ("redaktor", "reload", str(dilemmas_dir),
            "created 1, updated 0, unchanged 4, skipped 0") in audit_rows(site)


def test_dashboard_shows_the_same_problem_lines_as_dilemmas_check(site, desk, dilemmas_dir):
    (dilemmas_dir / "fire-svar.md").write_text(
        "---\ntitle: Fire svar\npublish: 2020-01-06\noptions:\n  - a\n  - b\n  - c\n  - d\n"
        "---\nTekst\n", encoding="utf-8")
    (dilemmas_dir / "stavefejl.md").write_text(
        "---\ntitle: Stavefejl\npublish: 2020-01-06\nopitons: []\n---\nTekst\n",
        encoding="utf-8")
    response = desk.post("/admin/reload")
    page = desk.page(response.headers["Location"])
    assert re.search(r"\d+ problemer i case-filerne", page)
    check = site.test_cli_runner().invoke(args=["dilemmas", "check"])
    assert check.exit_code == 1
    lines = [line for line in check.output.splitlines() if ": " in line and ".md" in line]
    assert len(lines) >= 2
    problems = re.search(r'<pre class="sync-problems">(.*?)</pre>', page, re.S).group(1)
    for line in lines:
        assert str(escape(line)) in problems, line
    assert re.search(r"fire-svar\.md:\d+: ", problems)


def test_a_fixed_file_clears_its_problem_on_the_next_reload(site, desk, dilemmas_dir):
    broken = dilemmas_dir / "fire-svar.md"
    broken.write_text("---\ntitle: Fire svar\npublish: 2020-01-06\noptions: [a, b, c, d]\n"
                      "---\nTekst\n", encoding="utf-8")
    desk.post("/admin/reload")
    assert "fire-svar.md" in desk.page("/admin/")
    broken.unlink()
    desk.post("/admin/reload")
    page = desk.page("/admin/")
    assert "fire-svar.md" not in page and "ingen problemer" in page


def test_reload_with_a_missing_folder_says_so(site, desk, tmp_path):
    site.config["DILEMMAS_DIR"] = str(tmp_path / "findes-ikke")
    response = desk.post("/admin/reload")
    assert response.status_code == 303
    assert "Mappen med cases findes ikke" in desk.page("/admin/")


# --- preview -----------------------------------------------------------------------------

@pytest.mark.parametrize("slug,title,followup", [
    (DRAFT, "Kladden til næste uge", "Kladdens opfølgning."),
    (SCHEDULED, "Den planlagte case", "Den planlagtes opfølgning."),
    (OPEN, "Den åbne case", "Ekspertens svar på den åbne."),
])
def test_preview_shows_any_case_as_readers_will_see_it(site, desk, slug, title, followup):
    assert site.test_client().get(f"/dilemmas/{slug}").status_code in (200, 404)
    # First the ballot as a new reader meets it (no results, no follow-up) ...
    ballot = desk.page(f"/admin/dilemmas/{slug}/preview")
    assert title in ballot
    assert 'class="preview-banner"' in ballot and "Forhåndsvisning" in ballot
    assert 'class="vote-form"' in ballot and 'type="submit"' not in ballot.split(
        'class="vote-form"', 1)[1].split("</form>", 1)[0]
    assert followup not in ballot and 'id="results"' not in ballot
    assert_csp_clean(ballot)
    # ... then the results and the follow-up.
    page = desk.page(f"/admin/dilemmas/{slug}/preview?view=results")
    assert followup in page
    assert 'id="results"' in page  # results shown whatever the results mode
    assert 'class="vote-form"' not in page
    assert_csp_clean(page)


def test_drafts_and_scheduled_cases_stay_hidden_from_readers(site):
    client = site.test_client()
    assert client.get(f"/dilemmas/{DRAFT}").status_code == 404
    assert client.get(f"/dilemmas/{SCHEDULED}").status_code == 404


def test_preview_of_an_unknown_or_malformed_slug_is_404(desk):
    assert desk.get("/admin/dilemmas/findes-ikke/preview").status_code == 404
    assert desk.get("/admin/dilemmas/ÆØÅ/preview").status_code == 404
    assert desk.get("/admin/dilemmas/" + "a" * 200 + "/preview").status_code == 404


# --- close early and reopen --------------------------------------------------------------

def test_close_early_then_votes_are_refused_with_409(site, desk):
    reader = Reader(site.test_client())
    assert reader.vote(OPEN, 1).status_code == 303
    response = desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Sagen er afgjort i dag.")
    assert response.status_code == 303
    assert case_row(site, OPEN) == ("closed", "Sagen er afgjort i dag.")
    assert "Afstemningen er lukket før tid." in desk.page(response.headers["Location"])
    token = reader.token(f"/dilemmas/{OPEN}")
    refused = reader.client.post(f"/dilemmas/{OPEN}/vote", data={"option": 3,
                                                                 "csrf_token": token})
    assert refused.status_code == 409
    newcomer = Reader(site.test_client())
    assert newcomer.vote(OPEN, 4).status_code == 409
    with site.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == OPEN)).one()
        assert case.total_votes == 1
    assert ("redaktor", "close", f"case {OPEN}", "Sagen er afgjort i dag.") in audit_rows(site)
    # Readers now see the follow-up and the results.
    page = newcomer.client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    assert "Ekspertens svar på den åbne." in page


def test_reopen_then_votes_are_accepted(site, desk):
    response = desk.post(f"/admin/dilemmas/{CLOSED}/reopen", reason="Flere vil gerne svare.")
    assert response.status_code == 303
    assert case_row(site, CLOSED) == ("open", "Flere vil gerne svare.")
    reader = Reader(site.test_client())
    assert reader.vote(CLOSED, 5).status_code == 303
    with site.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == CLOSED)).one()
        assert case.total_votes == 1
    assert ("redaktor", "reopen", f"case {CLOSED}", "Flere vil gerne svare.") in audit_rows(site)


def test_close_then_reopen_then_follow_the_schedule(site, desk):
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Lukket ved en fejl.")
    desk.post(f"/admin/dilemmas/{OPEN}/reopen", reason="Fejlen rettet.")
    assert Reader(site.test_client()).vote(OPEN, 2).status_code == 303
    desk.post(f"/admin/dilemmas/{OPEN}/follow-schedule", reason="Tilbage til datoerne.")
    assert case_row(site, OPEN) == (None, None)
    assert Reader(site.test_client()).vote(OPEN, 2).status_code == 303
    actions = [action for _e, action, _t, _r in audit_rows(site)]
    assert actions[-3:] == ["close", "reopen", "follow_schedule"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_close_needs_a_reason_and_changes_nothing_without_one(site, desk, reason):
    before = audit_count(site)
    response = desk.post(f"/admin/dilemmas/{OPEN}/close", reason=reason)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="form-error"' in page
    assert case_row(site, OPEN) == (None, None)
    assert audit_count(site) == before
    assert Reader(site.test_client()).vote(OPEN, 1).status_code == 303


@pytest.mark.parametrize("slug", [DRAFT, SCHEDULED])
def test_drafts_and_scheduled_cases_cannot_be_closed_or_reopened(site, desk, slug):
    for action in ("close", "reopen"):
        response = desk.post(f"/admin/dilemmas/{slug}/{action}", reason="Prøver.")
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert "Kladder og planlagte cases" in page
        assert 'class="admin-nav"' in page  # shown inside the desk
    assert case_row(site, slug) == (None, None)


def test_unknown_state_actions_and_cases_are_404(desk):
    assert desk.post(f"/admin/dilemmas/{OPEN}/explode", reason="x").status_code == 404
    assert desk.post("/admin/dilemmas/findes-ikke/close", reason="x").status_code == 404


# --- live numbers ------------------------------------------------------------------------

def test_case_page_draws_votes_per_option_and_per_day(site, desk):
    for option in (1, 1, 3, 5):
        assert Reader(site.test_client()).vote(OPEN, option).status_code == 303
    page = desk.page(f"/admin/dilemmas/{OPEN}")
    assert page.count('<svg class="chart admin-chart"') == 2  # besides the brand mark
    assert 'class="bar-live"' in page
    assert 'class="line-new"' in page
    assert "4 stemmer i alt" in page
    assert "Stemmer pr. svar" in page and "Nye stemmer pr. dag" in page
    assert_csp_clean(page)


def test_case_page_of_a_scheduled_case_has_no_daily_curve(desk):
    page = desk.page(f"/admin/dilemmas/{SCHEDULED}")
    assert "ikke været åben for stemmer endnu" in page
    assert 'class="line-new"' not in page


def test_daily_votes_counts_new_votes_and_changes_per_local_day(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "uge", publish="2024-03-04", closes="2024-03-11T12:00")
    app = make_app(SITE_TIMEZONE="Europe/Copenhagen")
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "uge")).one()
        moments = [
            ("a", 1, datetime(2024, 3, 4, 9, 0)),
            ("b", 2, datetime(2024, 3, 4, 22, 30)),   # 23:30 in Copenhagen: still the 4th
            ("c", 2, datetime(2024, 3, 4, 23, 30)),   # 00:30 on the 5th in Copenhagen
            ("a", 3, datetime(2024, 3, 6, 10, 0)),    # a change, not a new vote
            ("d", 4, datetime(2024, 3, 6, 11, 0)),
        ]
        for voter, option, when in moments:
            cast_vote(db.session, case, voter, option, now=when)
        db.session.commit()
        data = daily_votes(db.session, case, "Europe/Copenhagen", now=datetime(2024, 4, 1))
        so_far = daily_votes(db.session, case, "Europe/Copenhagen", now=datetime(2024, 3, 5, 12))
    assert [d.isoformat() for d in so_far.days] == ["2024-03-04", "2024-03-05"]
    assert so_far.new == [2, 1]  # later events are not counted into "today"
    assert [d.isoformat() for d in data.days[:3]] == ["2024-03-04", "2024-03-05", "2024-03-06"]
    assert data.days[-1].isoformat() == "2024-03-11"
    assert data.new[:3] == [2, 1, 1]
    assert data.changes[:3] == [0, 0, 1]
    assert data.total_new == 4


def test_daily_votes_covers_only_the_last_weeks_of_a_long_open_case(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "lang", publish="2020-01-06", closes="2099-01-01T12:00")
    app = make_app()
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == "lang")).one()
        data = daily_votes(db.session, case, "Europe/Copenhagen", now=datetime(2024, 6, 1, 12))
    assert 56 <= len(data.days) <= 57
    assert data.days[-1].isoformat() == "2024-06-01"


# --- the audit log page ------------------------------------------------------------------

def test_audit_page_lists_actions_newest_first_with_pages(site, desk):
    with site.app_context():
        for n in range(60):
            audit.record(db.session, "historik", "hide", f"comment {n}", f"grund {n}")
        db.session.commit()
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason="Den nyeste handling.")
    first = desk.page("/admin/audit")
    rows = re.findall(r'<tr class="audit-row">(.*?)</tr>', first, re.S)
    assert len(rows) == 50
    assert "Den nyeste handling." in rows[0] and "redaktor" in rows[0]
    assert 'rel="next"' in first
    second = desk.page("/admin/audit?page=2")
    assert len(re.findall(r'<tr class="audit-row">', second)) >= 12
    assert desk.get("/admin/audit?page=abc").status_code == 200
    assert desk.get("/admin/audit?page=-3").status_code == 200
    assert desk.get("/admin/audit?page=99999").status_code == 200
    assert_csp_clean(first)


def test_audit_page_escapes_what_it_shows(site, desk):
    reason = '<script>alert("x")</script>'
    desk.post(f"/admin/dilemmas/{OPEN}/close", reason=reason)
    page = desk.page("/admin/audit")
    assert reason not in page and "&lt;script&gt;" in page
