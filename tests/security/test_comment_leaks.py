"""Hidden results do not leak through the comments (issue 17.2).

Each commenter's answer is a piece of the distribution: while `results_visible`
hides the results from a reader, no badge, filter count, filtered list or feed
title may show it.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import Reader, write_case
from tests.security.conftest import OPEN, comment_id_from, post_comment
from tests.security.tools import ATOM

AFTER_CLOSE = "efter-lukning"
ALWAYS = "altid-synlig"
# What would show an answer: the badge, the filter with its counts, the feed title.
ANSWER_MARKS = ("Valgte svar", "option-badge", "comment-filter", "filter-count",
                "har siden skiftet svar", "Ingen kommentarer fra læsere, der valgte")


@pytest.fixture
def leaky_site(make_site, dilemmas_dir):
    """The usual cases plus an open `after_close` one and an open `always` one."""
    write_case(dilemmas_dir, AFTER_CLOSE, title="Efter lukning", extra="results: after_close")
    write_case(dilemmas_dir, ALWAYS, title="Altid synlig", extra="results: always")
    return make_site()


def commenters(app, slug: str) -> list[int]:
    """Readers who voted 2 and 4 comment; the second also replies to the first, then
    changes their vote. The ids: first thread, second thread, the reply."""
    first, second = Reader(app.test_client()), Reader(app.test_client())
    posts = [(first, "2", "Fordi to er bedst.", {}), (second, "4", "Fire, klart.", {}),
             (second, "4", "Enig med dig.", "reply")]
    ids = []
    for reader, option, body, extra in posts:
        assert reader.vote(slug, option).status_code == 303
        extra = {"parent_id": str(ids[0])} if extra else {}
        response = post_comment(reader, slug, body, **extra)
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        ids.append(comment_id_from(response))
    assert second.vote(slug, "1").status_code == 303  # "har siden skiftet svar"
    return ids


def comments_html(page: str) -> str:
    start = page.index('<section class="comments"')
    return page[start:page.index("</section>", start)]


def feed_titles(client, slug: str) -> list[str]:
    root = ET.fromstring(client.get(f"/dilemmas/{slug}/comments.xml").get_data())
    return [entry.find(f"{ATOM}title").text for entry in root.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("slug,who", [(AFTER_CLOSE, "stranger"), (AFTER_CLOSE, "voter"),
                                      (OPEN, "stranger")])
def test_hidden_results_do_not_leak_through_comments(leaky_site, slug, who):
    """`after_close` hides the results from everyone while open, `after_vote` from a
    reader who has not voted: then no comment shows or filters by its author's answer."""
    ids = commenters(leaky_site, slug)
    reader = Reader(leaky_site.test_client())
    if who == "voter":
        assert reader.vote(slug, "3").status_code == 303
    api = reader.client.get(f"/api/dilemmas/{slug}").get_json()
    assert not api.get("results")  # the rule itself says hidden
    pages = {"": ids, "?option=2": ids, "?option=4": ids, "?option=5": ids,
             f"?thread={ids[0]}": [ids[0], ids[2]]}
    for query, shown in pages.items():
        page = reader.client.get(f"/dilemmas/{slug}{query}").get_data(as_text=True)
        section = comments_html(page)
        assert not [mark for mark in ANSWER_MARKS if mark in section], query
        # A filter by answer is ignored: every comment is listed, whatever ?option= says.
        assert all(f'id="comment-{i}"' in section for i in shown), query
    titles = feed_titles(reader.client, slug)
    assert titles and not [t for t in titles if "valgte svar" in t.lower()]


def test_visible_results_show_the_answers(leaky_site):
    """The positive control: a voter on an `after_vote` case, and anyone on an `always`
    case (also in the feed, which asks as a reader who has not voted)."""
    commenters(leaky_site, OPEN)
    voter = Reader(leaky_site.test_client())
    voter.vote(OPEN, "3")
    section = comments_html(voter.client.get(f"/dilemmas/{OPEN}").get_data(as_text=True))
    assert "Valgte svar 2" in section and "filter-count" in section
    assert not any("valgte svar" in t for t in feed_titles(voter.client, OPEN))
    commenters(leaky_site, ALWAYS)
    stranger = Reader(leaky_site.test_client())
    filtered = stranger.client.get(f"/dilemmas/{ALWAYS}?option=4").get_data(as_text=True)
    assert "Valgte svar 4" in filtered and "Fordi to er bedst." not in comments_html(filtered)
    assert "Mette (valgte svar 2)" in feed_titles(stranger.client, ALWAYS)
