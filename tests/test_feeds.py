"""Atom feeds (SPEC §6): published cases and a case's visible comments, as valid XML."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from dilemmaboard.comments.service import moderate_comment
from dilemmaboard.extensions import db
from dilemmaboard.models import Comment
from dilemmaboard.web.feeds import xml_text
from tests.comment_helpers import Commenter, all_comments
from tests.conftest import write_case

ATOM = "{http://www.w3.org/2005/Atom}"


def atom(response) -> ET.Element:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    return root


def entries(root: ET.Element) -> list[ET.Element]:
    found = root.findall(f"{ATOM}entry")
    for entry in found:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None, required
    return found


def titles(root: ET.Element) -> list[str]:
    return [e.find(f"{ATOM}title").text for e in entries(root)]


def content(entry: ET.Element) -> str:
    element = entry.find(f"{ATOM}content")
    assert element.get("type") == "html"
    return element.text or ""


@pytest.fixture
def site(make_app, dilemmas_dir):
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "aaben", title="Åben efter stemme", publish="2021-03-01")
    write_case(dilemmas_dir, "altid", title="Altid synlig", publish="2021-02-01",
               extra="results: always")
    write_case(dilemmas_dir, "efter-luk", title="Efter lukning", publish="2021-01-04",
               extra="results: after_close")
    write_case(dilemmas_dir, "lukket", title="Lukket", publish="2020-01-06",
               closes="2020-01-13T12:00", extra="imported_votes: [1, 2, 3, 4, 90]")
    write_case(dilemmas_dir, "kladde", title="Hemmelig kladde", extra="draft: true")
    write_case(dilemmas_dir, "fremtid", title="Fremtidig", publish="2090-01-06",
               closes="2090-01-13T12:00")
    write_case(dilemmas_dir, "farlig", title='Titel med <script>alert(1)</script> & ]]> "x"',
               publish="2019-06-03", closes="2019-06-10T12:00")
    return make_app()


def test_site_feed_lists_published_cases_newest_first(site):
    root = atom(site.test_client().get("/feed.xml"))
    assert titles(root) == ["Åben efter stemme", "Altid synlig", "Efter lukning", "Lukket",
                            'Titel med <script>alert(1)</script> & ]]> "x"']
    first = entries(root)[0]
    assert first.find(f"{ATOM}link").get("href") == "http://127.0.0.1:5000/dilemmas/aaben"
    assert first.find(f"{ATOM}published").text == "2021-02-28T23:00:00Z"


def test_site_feed_escapes_everything(site):
    raw = site.test_client().get("/feed.xml").get_data(as_text=True)
    assert "<script>" not in raw
    assert "&lt;script&gt;" in raw


def test_site_feed_shows_results_only_where_a_non_voter_may_see_them(site):
    for slug in ("aaben", "altid", "efter-luk"):
        reader = Commenter(site.test_client())
        reader.vote(slug, "2")
    root = atom(site.test_client().get("/feed.xml"))
    by_title = {e.find(f"{ATOM}title").text: content(e) for e in entries(root)}
    assert "Resultat" not in by_title["Åben efter stemme"]      # after_vote, still open
    assert "Resultat" not in by_title["Efter lukning"]          # after_close, still open
    assert "Resultat" in by_title["Altid synlig"]               # always
    assert "1 stemme i alt" in by_title["Altid synlig"]
    assert "Resultat" in by_title["Lukket"]                     # closed
    assert "90 %" in by_title["Lukket"] and "100 stemmer i alt" in by_title["Lukket"]


def test_site_feed_from_a_voter_still_hides_results(site):
    """The feed is the same for everyone: having voted does not reveal results in it."""
    reader = Commenter(site.test_client())
    reader.vote("aaben", "2")
    root = atom(reader.client.get("/feed.xml"))
    assert "Resultat" not in content(entries(root)[0])


@pytest.fixture
def thread(site):
    anne = Commenter(site.test_client())
    anne.vote("aaben", "3")
    anne.comment(body="Første *kommentar*", name="Anne")
    anne.comment(body='Farlig <img src=x onerror=alert(1)> ]]> & "x"', name='"]]><x>')
    anne.comment(body="Skjules", name="Anne")
    anne.comment(body="Slettes", name="Anne")
    ids = [c.id for c in all_comments(site)]
    with site.app_context():
        moderate_comment(db.session, db.session.get(Comment, ids[2]), "hide")
        moderate_comment(db.session, db.session.get(Comment, ids[3]), "delete")
        db.session.commit()
    return ids


def test_comment_feed_has_only_visible_comments_newest_first(site, thread):
    root = atom(site.test_client().get("/dilemmas/aaben/comments.xml"))
    found = entries(root)
    assert [e.find(f"{ATOM}author/{ATOM}name").text for e in found] == ['"]]><x>', "Anne"]
    assert found[1].find(f"{ATOM}title").text == "Anne"  # `after_vote`: no answer here
    assert content(found[1]) == "<p>Første <em>kommentar</em></p>"
    assert found[1].find(f"{ATOM}link").get("href") == f"http://127.0.0.1:5000/comments/{thread[0]}"
    raw = site.test_client().get("/dilemmas/aaben/comments.xml").get_data(as_text=True)
    assert "Skjules" not in raw and "Slettes" not in raw


def test_comment_titles_name_the_answer_only_where_results_are_public(site):
    """The feed is read by readers who have not voted: an answer in a title is a result."""
    for slug in ("altid", "aaben", "efter-luk"):
        anne = Commenter(site.test_client())
        anne.vote(slug, "3")
        assert anne.comment(slug, name="Anne").status_code == 303
    shown = {slug: titles(atom(site.test_client().get(f"/dilemmas/{slug}/comments.xml")))
             for slug in ("altid", "aaben", "efter-luk")}
    assert shown == {"altid": ["Anne (valgte svar 3)"], "aaben": ["Anne"],
                     "efter-luk": ["Anne"]}


def test_comment_feed_escapes_hostile_text(site, thread):
    response = site.test_client().get("/dilemmas/aaben/comments.xml")
    raw = response.get_data(as_text=True)
    assert "<img" not in raw and "<x>" not in raw
    entry = entries(atom(response))[0]
    stored = all_comments(site)[1]
    assert content(entry) == stored.body_html
    assert "<img" not in stored.body_html


def test_comment_feed_permalink_leads_to_the_comment(site, thread):
    client = site.test_client()
    root = atom(client.get("/dilemmas/aaben/comments.xml"))
    href = entries(root)[-1].find(f"{ATOM}link").get("href")
    response = client.get(href.removeprefix("http://127.0.0.1:5000"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dilemmas/aaben#comment-{thread[0]}")


def test_comment_feed_of_a_case_without_comments_is_valid(site):
    root = atom(site.test_client().get("/dilemmas/lukket/comments.xml"))
    assert entries(root) == []


@pytest.mark.parametrize("slug", ["kladde", "fremtid", "findes-ikke", "AABEN", "%00", "a%20b"])
def test_comment_feed_of_hidden_or_unknown_cases_is_404(site, slug):
    assert site.test_client().get(f"/dilemmas/{slug}/comments.xml").status_code in (400, 404)


def test_site_feed_never_mentions_drafts_or_scheduled_cases(site):
    raw = site.test_client().get("/feed.xml").get_data(as_text=True)
    assert "Hemmelig kladde" not in raw and "Fremtidig" not in raw


def test_xml_text_drops_characters_xml_cannot_hold():
    assert xml_text("a\x00b\x0bc\x1fd\ufffee\tf\ng") == "abcde\tf\ng"
    assert xml_text(None) == ""
    kept = xml_text(Markup("&lt;b&gt;\x0b"))
    assert isinstance(kept, Markup) and kept == "&lt;b&gt;"
