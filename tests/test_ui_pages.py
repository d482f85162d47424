"""Server-rendered UI: the share chart, the archive's winners, CSP-clean markup, the fetch hooks."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.voting.casting import cast_vote
from dilemmaboard.web.charts import Series, line_chart, nice_ceiling, share_series
from tests.conftest import write_case


def case_by_slug(slug: str) -> Case:
    return db.session.scalars(select(Case).where(Case.slug == slug)).one()


def vote_at(case: Case, voter: str, option: int, when: str) -> str:
    outcome = cast_vote(db.session, case, voter, option, now=datetime.fromisoformat(when))
    db.session.commit()
    return outcome


@pytest.fixture
def week(make_app, dilemmas_dir):
    """A closed week (Mon 6 - Mon 13 Jan 2020) with votes on three days and one change."""
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "uge", title="En lukket uge", publish="2020-01-06T08:00",
               closes="2020-01-13T12:00")
    write_case(dilemmas_dir, "aaben", title="En åben case", publish="2020-01-06T08:00")
    write_case(dilemmas_dir, "importeret", title="Kun overførte stemmer", publish="2019-01-07",
               closes="2019-01-14T12:00", extra="imported_votes: [1, 2, 3, 4, 5]")
    app = make_app()
    with app.app_context():
        case = case_by_slug("uge")
        vote_at(case, "a" * 64, 1, "2020-01-06T09:00")  # Monday (site time 10:00)
        vote_at(case, "b" * 64, 1, "2020-01-06T10:00")
        vote_at(case, "c" * 64, 2, "2020-01-08T10:00")  # Wednesday
        assert vote_at(case, "a" * 64, 3, "2020-01-10T10:00") == "change"  # Friday
    return app


def test_share_series_counts_firsts_and_changes_per_day(week):
    with week.app_context():
        series = share_series(db.session, case_by_slug("uge"), "Europe/Copenhagen")
    # Start, then one point per site-time day: Mon 6 ... Sun 12, and the close on Mon 13.
    assert len(series.moments) == 1 + 8
    assert series.counts[0] == [0, 0, 0, 0, 0]
    assert series.counts[1] == [2, 0, 0, 0, 0]  # end of Monday
    assert series.counts[3] == [2, 1, 0, 0, 0]  # end of Wednesday
    assert series.counts[5] == [1, 1, 1, 0, 0]  # end of Friday: a moved from 1 to 3
    assert series.counts[-1] == [1, 1, 1, 0, 0]
    assert all(sum(row) in (0, 100) for row in series.percents)


def test_share_series_none_without_events(week):
    with week.app_context():
        assert share_series(db.session, case_by_slug("importeret"), "Europe/Copenhagen") is None


def test_closed_case_page_shows_the_chart_and_its_table(week):
    page = week.test_client().get("/dilemmas/uge").get_data(as_text=True)
    svg = re.search(r'<svg class="chart".*?</svg>', page, re.S).group()
    assert svg.count("<polyline") == 5
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "svar 1: 34 %, svar 2: 33 %, svar 3: 33 %" in svg  # the final shares, spoken
    table = re.search(r'<details class="chart-table">.*?</details>', page, re.S).group()
    assert "6. jan. 2020" in table and "13. jan. 2020" in table
    assert table.count("<tr>") == 1 + 8  # the header, Monday 6 to Sunday 12, the close on the 13th


def test_no_chart_on_open_cases_or_without_events(week):
    client = week.test_client()
    assert '<svg class="chart"' not in client.get("/dilemmas/aaben").get_data(as_text=True)
    assert '<svg class="chart"' not in client.get("/dilemmas/importeret").get_data(as_text=True)


def test_chart_in_english(week):
    client = week.test_client()
    client.set_cookie("lang", "en")
    page = client.get("/dilemmas/uge").get_data(as_text=True)
    assert "How the answers moved" in page and "6 Jan 2020" in page and "answer 1: 34%" in page


def test_line_chart_escapes_its_text():
    svg = str(line_chart([Series(label="<script>x</script>", values=[1, 2], css_class="a\"b")],
                         ["<b>", "&"], y_max=10, y_ticks=[0, 10], y_format=str,
                         title="t<", description="d&"))
    assert "<script>" not in svg and "<b>" not in svg and 'a"b' not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg
    assert "style=" not in svg


def test_line_chart_text_is_never_scaled():
    """Issue 15.14: the outer SVG has no viewBox, so its labels keep their CSS size; only
    the lines' inner SVG stretches, with strokes that do not scale."""
    svg = str(line_chart([Series(label="a", values=[10, 20, 30], css_class="series-1")],
                         ["x", "y", "z"], y_max=40, y_ticks=[0, 20, 40], y_format=str,
                         title="t", description="d"))
    outer = re.match(r"<svg [^>]*>", svg).group()
    assert "viewBox" not in outer and 'width="100%"' in outer
    assert re.search(r'<svg class="plot"[^>]*viewBox="0 0 1000 200"[^>]*'
                     r'preserveAspectRatio="none"', svg)
    assert 'vector-effect="non-scaling-stroke"' in svg
    assert 'x="50%"' in svg and 'x="100%"' in svg  # the dates and end labels follow the width


@pytest.mark.parametrize("top, expected", [(3, 10), (10, 10), (33, 40), (50, 50), (51, 75),
                                           (74, 75), (100, 100)])
def test_axis_top(top, expected):
    assert nice_ceiling(top)[0] == expected


def test_archive_shows_winner_of_closed_cases_and_totals(week):
    page = week.test_client().get("/dilemmas").get_data(as_text=True)
    item = re.search(r'<li class="archive-item">(?:(?!</li>).)*En lukket uge.*?</li>', page, re.S)
    text = item.group()
    assert "Flest valgte:" in text
    assert text.count('class="winner-option"') == 3  # a three-way tie: 1, 2 and 3 votes each 1
    assert "3 stemmer" in text


def test_archive_hides_winner_of_open_case_until_the_reader_votes(week):
    client = week.test_client()
    page = client.get("/dilemmas").get_data(as_text=True)
    item = re.search(r'<li class="archive-item">(?:(?!</li>).)*En åben case.*?</li>', page, re.S)
    assert "Stem for at se" in item.group() and "winner-option" not in item.group()


def test_archive_winner_after_voting(week):
    from tests.conftest import Reader

    reader = Reader(week.test_client())
    reader.vote("aaben", 4)
    page = reader.client.get("/dilemmas").get_data(as_text=True)
    item = re.search(r'<li class="archive-item">(?:(?!</li>).)*En åben case.*?</li>', page, re.S)
    text = item.group()
    assert "Flest stemmer indtil nu:" in text and "Svar 4" in text and "Dit svar: 4" in text


INLINE = [
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline script"),
    (re.compile(r"<[^>]+\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"<style", re.I), "style element"),
]


@pytest.mark.parametrize("path", ["/", "/dilemmas", "/dilemmas/uge", "/dilemmas/aaben",
                                  "/dilemmas/importeret", "/dilemmas/nope"])
def test_pages_have_no_inline_code_for_csp(week, path):
    page = week.test_client().get(path).get_data(as_text=True)
    for pattern, what in INLINE:
        assert not pattern.search(page), f"{path}: {what}"


def test_page_carries_the_hooks_the_script_needs(week):
    page = week.test_client().get("/dilemmas/aaben").get_data(as_text=True)
    assert '<input type="hidden" name="csrf_token" value="' in page
    assert 'id="live-region"' in page and 'aria-live="polite"' in page
    assert 'data-enhance="#vote-area #comments"' in page
    assert '<script src="/static/app.js" defer></script>' in page
    assert 'class="skip-link" href="#main"' in page


def test_vote_through_fetch_headers_answers_like_a_form(week):
    """What static/app.js sends: the form's fields (its csrf_token among them)."""
    client = week.test_client()
    page = client.get("/dilemmas/aaben").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/dilemmas/aaben/vote", data={"option": "2", "csrf_token": token},
                           headers={"X-Requested-With": "fetch"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tak for din stemme." in html and 'id="results"' in html


def _archive_item(client, title: str) -> str:
    page = client.get("/dilemmas").get_data(as_text=True)
    item = re.search(rf'<li class="archive-item">(?:(?!</li>).)*{title}.*?</li>', page, re.S)
    return item.group()


def test_archive_leaves_out_the_total_while_results_are_hidden(make_app, dilemmas_dir):
    """The total is a result too (SPEC §4): hidden, like the winner, until the reader may see it."""
    from tests.conftest import Reader

    write_case(dilemmas_dir, "efter-luk", title="Vises efter lukning", publish="2020-01-06",
               extra="results: after_close\nimported_votes: [7, 0, 0, 0, 0]")
    write_case(dilemmas_dir, "efter-stem", title="Vises efter stemme", publish="2020-01-06",
               extra="imported_votes: [0, 9, 0, 0, 0]")
    app = make_app()
    reader = Reader(app.test_client())
    for title in ("Vises efter lukning", "Vises efter stemme"):
        item = _archive_item(reader.client, title)
        assert "total-votes" not in item and "stemmer" not in item, item
    reader.vote("efter-stem", 2)
    reader.vote("efter-luk", 2)
    assert "10 stemmer" in _archive_item(reader.client, "Vises efter stemme")
    after_close = _archive_item(reader.client, "Vises efter lukning")
    assert "total-votes" not in after_close and "Dit svar: 2" in after_close
