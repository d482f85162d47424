"""XSS through Markdown and every text field, in element, attribute and feed contexts.

A payload either is refused (400, nothing stored) or is stored as inert HTML
and shown inert on every page that prints it: the case page, the editors'
pages, the Atom feeds. The suite's teardown also scans every stored *_html
column for executable markup.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.conftest import Reader, csrf_token_from, write_case
from tests.security.conftest import (
    OPEN,
    World,
    build_world,
    comment_id_from,
    latest_comment,
    post_comment,
)
from tests.security.tools import assert_refused, executable_markup, feed_markup, snapshot

MARKDOWN_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    "[klik](JaVaScRiPt:alert(1))",
    "[klik](javascript&#58;alert(1))",
    "[klik](&#106;avascript:alert(1))",
    "[klik](java\tscript:alert(1))",
    "[klik](ｊａｖａｓｃｒｉｐｔ:alert(1))",
    "<javascript:alert(1)>",
    "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    '[klik](https://ok.example "titel\\" onmouseover=\\"alert(1)")',
    "[klik][ref]\n\n[ref]: javascript:alert(1)",
    '![billede](x" onerror="alert(1))',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">klik</a>',
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    '"><script>alert(1)</script>',
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "`<script>alert(1)</script>`",
    "    <script>alert(1)</script>",
    "[klik](//evil.example)",
    "<form action=https://evil.example><button>OK</button></form>",
    '<p style="background:url(javascript:alert(1))">x</p>',
]
NAME_PAYLOADS = [
    "<script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "' onmouseover='alert(1)",
    "</textarea><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "{{ 7*191 }}",
    "%(name)s %s %n {0.__class__}",
    "javascript:alert(1)",
]


def html_pages(world: World, slug: str = OPEN) -> dict[str, str]:
    """Every HTML page and feed that shows comments or case text, as the people who see it."""
    pages = {}
    for who, client in (("stranger", world.stranger.client), ("author", world.author.client)):
        pages[f"case page ({who})"] = client.get(f"/dilemmas/{slug}").get_data(as_text=True)
    pages["front page"] = world.stranger.client.get("/").get_data(as_text=True)
    pages["archive"] = world.stranger.client.get("/dilemmas").get_data(as_text=True)
    for path in ("/admin/", "/admin/comments", f"/admin/dilemmas/{slug}",
                 f"/admin/dilemmas/{slug}/comments", f"/admin/dilemmas/{slug}/preview"):
        pages[path] = world.editor.get(path).get_data(as_text=True)
    return pages


def feeds(world: World, slug: str = OPEN) -> dict[str, str]:
    client = world.stranger.client
    return {"/feed.xml": client.get("/feed.xml").get_data(as_text=True),
            "comments.xml": client.get(f"/dilemmas/{slug}/comments.xml").get_data(as_text=True)}


def assert_inert_everywhere(world: World, slug: str = OPEN) -> None:
    for name, page in html_pages(world, slug).items():
        assert executable_markup(page, page=True) == [], name
    for name, xml in feeds(world, slug).items():
        assert feed_markup(xml) == [], name


def new_voter(world: World) -> Reader:
    reader = world.reader()
    assert reader.vote(OPEN, "3").status_code == 303
    return reader


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_comment_body(world, payload):
    reader = new_voter(world)
    before = snapshot(world.app)
    response = post_comment(reader, OPEN, f"Min grund:\n\n{payload}")
    if response.status_code != 303:
        assert_refused(world.app, response, 400, before)
        return
    stored = latest_comment(world.app)
    assert executable_markup(stored.body_html) == []
    assert_inert_everywhere(world)


@pytest.mark.parametrize("payload", NAME_PAYLOADS)
def test_comment_name(world, payload):
    reader = new_voter(world)
    response = post_comment(reader, OPEN, "Helt almindelig tekst.", name=payload)
    assert response.status_code in (303, 400)
    if response.status_code == 303:  # a reply puts the name into an aria-label too
        parent = str(comment_id_from(response))
        reply = post_comment(world.author, OPEN, "Enig.", name=payload, parent_id=parent)
        assert reply.status_code == 303
    assert_inert_everywhere(world)
    page = world.stranger.client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
    if response.status_code == 303:
        assert latest_comment(world.app).name == payload.strip()
        assert "7*191" in page or "{{" not in payload  # shown as text, never evaluated


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS[:12])
def test_edited_comment_body(world, payload):
    author = world.author
    token = author.token(f"/comments/{world.comment_id}/edit")
    response = author.client.post(f"/comments/{world.comment_id}/edit",
                                  data={"body": payload, "csrf_token": token})
    assert response.status_code in (303, 400)
    assert_inert_everywhere(world)


@pytest.mark.parametrize("payload", NAME_PAYLOADS[:4])
def test_a_refused_comment_shows_the_readers_text_inert(world, payload):
    """A refused comment is shown again with the text kept: still escaped."""
    reader = new_voter(world)
    before = snapshot(world.app)
    response = post_comment(reader, OPEN, payload + "x" * 6000, name=payload,
                            parent_id=payload)
    assert_refused(world.app, response, 400, before)
    assert executable_markup(response.get_data(as_text=True), page=True) == []


@pytest.mark.parametrize("param", ["option", "page", "status", "next", "q"])
def test_reflected_query_parameters(world, param):
    payload = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
    paths = ["/", "/dilemmas", f"/dilemmas/{OPEN}", "/admin/login"]
    for path in paths:
        page = world.stranger.client.get(path, query_string={param: payload})
        assert executable_markup(page.get_data(as_text=True), page=True) == [], path
    for path in ("/admin/comments", f"/admin/dilemmas/{OPEN}/comments", "/admin/"):
        page = world.editor.get(path, query_string={param: payload})
        assert executable_markup(page.get_data(as_text=True), page=True) == [], path


def yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML scalar


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)",
    "]]></title><script>alert(1)</script>",
])
def test_case_file_fields(make_site, dilemmas_dir, payload):
    """Case files are trusted, but a careless title or option still cannot run script."""
    write_case(dilemmas_dir, "ond-titel", title=yaml_text(payload),
               options=[yaml_text(f"{payload} {n}") for n in range(1, 6)],
               extra=f"source: {yaml_text(payload)}\ntags: [{yaml_text(payload)}]\n"
                     "results: always",
               body=f"Tekst {payload}", followup=f"Svar {payload}")
    world = build_world(make_site(), researcher=False)
    assert world.stranger.client.get("/dilemmas/ond-titel").status_code == 200
    assert_inert_everywhere(world, "ond-titel")
    api = world.stranger.client.get("/api/dilemmas/ond-titel")
    assert api.is_json and api.get_json()  # data, not markup: escaping is the reader's job


@pytest.mark.parametrize("bait", ["__comment-html-csrf-token__", "<!--csrf-token-->",
                                  "{{ csrf_token() }}"])
def test_comment_text_cannot_capture_a_readers_csrf_token(world, bait):
    """Cached comment HTML gets each reader's token filled in: never inside reader text."""
    reader = new_voter(world)
    body = f"Se [her](https://evil.example/?t={bait}) og {bait}"
    assert post_comment(reader, OPEN, body, name=f"Navn {bait}").status_code == 303
    for viewer in (world.stranger, world.author, reader):
        page = viewer.client.get(f"/dilemmas/{OPEN}").get_data(as_text=True)
        token = csrf_token_from(page)
        start = page.index('id="comments"')
        outside_forms = re.sub(r'<input type="hidden" name="csrf_token" value="[^"]*">', "",
                               page[start:])
        assert token not in outside_forms
