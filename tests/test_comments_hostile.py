"""A hostile catalogue: Markdown and XSS inputs a comment must survive (SPEC §5).

Every accepted body is stored as allow-listed HTML only; every refused post
stores nothing. Names are text: stored as typed (trimmed, NFC) and escaped
wherever they are printed, including the Atom feed.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from dilemmaboard.comments.service import post_comment
from dilemmaboard.comments.text import clean_body, clean_name, render_comment_markdown
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.refusal import Refused
from tests.comment_helpers import (
    Commenter,
    all_comments,
    assert_no_executable_markup,
    assert_page_has_no_injected_code,
    comment_settings,
    comments_section,
    make_blog,
)

ATOM = "{http://www.w3.org/2005/Atom}"

HOSTILE_BODIES = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](jav&#97;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: JAVASCRIPT:alert(1) \"titel\"",
    "[r]\n\n[r]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](file:///etc/passwd)",
    "[x](https://ok.example/\" onclick=\"alert(1))",
    "[a](https://ok.example/?q=\"><script>alert(1)</script>)",
    "<img src=x onerror=alert(1)>",
    "![x](javascript:alert(1))",
    "![x](https://ok.example/x.png\" onerror=\"alert(1))",
    "<svg onload=alert(1)>",
    "> <svg/onload=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href=x onmouseover=alert(1)>x</a>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    "<style>body{display:none}</style>",
    "<form action=https://evil.example><button>go</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<base href="javascript:/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    "`<img src=x onerror=alert(1)>`",
    "```\n<script>alert(1)</script>\n```",
    "*<img src=x onerror=alert(1)>*",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "<div style=\"position:fixed;inset:0\">overlay</div>",
    "{{ 7*7 }} {% raw %} ${7*7}",
]

# Names are stored as typed and always printed escaped.
HOSTILE_NAMES = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)",
    "<img src=x onerror=alert(1)>",
    "]]><x>",
    "&lt;b&gt;",
    "{{ 7*7 }}",
    "Robert'); DROP TABLE comments;--",
]

# Refused outright: (field, value, why).
REFUSED = [
    ("name", "Anne\u202eevil", "bidi override"),
    ("name", "Anne\u2066x\u2069", "bidi isolate"),
    ("name", "Anne\x1b[31m", "control character"),
    ("name", "Anne\nBo", "newline in a name"),
    ("name", "\ufeffAnne", "byte order mark"),
    ("name", "   ", "only spaces"),
    ("name", "x" * 61, "61 characters"),
    ("body", "x" * 5001, "5,001 characters"),
    ("body", "hej\x07", "bell character"),
    ("body", "hej\u202e", "bidi override in the text"),
    ("body", "", "empty"),
]


@pytest.fixture
def blog(make_app, dilemmas_dir):
    return make_blog(make_app, dilemmas_dir)


@pytest.fixture
def voter(blog):
    reader = Commenter(blog.test_client())
    reader.vote("aaben", "4")
    return reader


def test_the_catalogue_is_big_enough():
    assert len(HOSTILE_BODIES) + len(HOSTILE_NAMES) + len(REFUSED) + 3 >= 30
    assert len(HOSTILE_BODIES) >= 30


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_sanitiser_alone_leaves_no_executable_markup(body):
    assert_no_executable_markup(render_comment_markdown(body))


def test_every_hostile_body_is_stored_without_executable_markup(blog, voter):
    """Through the real form, one database for the whole catalogue (it is slow to make)."""
    for body in HOSTILE_BODIES:
        response = voter.comment(body=body)
        assert response.status_code == 303, body
        stored = all_comments(blog)[-1]
        assert stored.body_md == body.strip(), body
        assert_no_executable_markup(stored.body_html)
    page = voter.page()
    assert_page_has_no_injected_code(page)
    for stored in all_comments(blog):
        assert stored.body_html in comments_section(page)
    assert len(all_comments(blog)) == len(HOSTILE_BODIES)


def test_javascript_link_is_stored_as_plain_text(blog, voter):
    voter.comment(body="[x](javascript:alert(1))")
    assert all_comments(blog)[0].body_html == "<p>[x](javascript:alert(1))</p>"


def test_safe_links_get_nofollow_ugc_noopener(blog, voter):
    voter.comment(body="Se [rapporten](https://example.org/r?a=1&b=2) og <mailto:a@example.org>")
    html = all_comments(blog)[0].body_html
    assert '<a href="https://example.org/r?a=1&amp;b=2" rel="nofollow ugc noopener">' in html
    assert 'href="mailto:a@example.org"' in html
    assert_no_executable_markup(html)


def test_allowed_markdown_survives(blog, voter):
    voter.comment(body="*kursiv* **fed**\n\n> citat\n\n- et\n- to\n\n3. tre\n\n`kode`")
    html = all_comments(blog)[0].body_html
    for fragment in ("<em>kursiv</em>", "<strong>fed</strong>", "<blockquote>", "<ul>",
                     '<ol start="3">', "<code>kode</code>"):
        assert fragment in html


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_name_is_printed_as_text_everywhere(blog, voter, name):
    assert voter.comment(name=name, body="Hej").status_code == 303
    [stored] = all_comments(blog)
    assert stored.name == name
    page = voter.page()
    assert_page_has_no_injected_code(page)
    assert "<script>alert" not in page and "<img src=x" not in page and "<x>" not in page
    feed = voter.client.get("/dilemmas/aaben/comments.xml")
    root = ET.fromstring(feed.get_data())
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}author/{ATOM}name").text == name


@pytest.mark.parametrize("field,value,why", REFUSED, ids=[r[2] for r in REFUSED])
def test_refused_input_stores_nothing(blog, voter, field, value, why):
    data = {"name": "Anne", "body": "Hej", field: value}
    response = voter.comment(**data)
    assert response.status_code == 400, why
    assert all_comments(blog) == []


@pytest.mark.parametrize("field", ["name", "body"])
def test_nul_is_refused_and_stores_nothing(blog, voter, field):
    data = {"name": "Anne", "body": "Hej", field: "A\x00B"}
    assert voter.comment(**data).status_code == 400
    assert all_comments(blog) == []


@pytest.mark.parametrize("field", ["name", "body"])
def test_lone_surrogate_on_the_wire_never_arrives_as_a_surrogate(blog, voter, field):
    """A lone surrogate cannot be sent as UTF-8: Werkzeug keeps the invalid bytes
    percent-encoded, so at most harmless ASCII text is stored, never a surrogate."""
    values = {"name": "Anne", "body": "Hej", field: "%ED%A0%80"}
    raw = f"name={values['name']}&body={values['body']}&csrf_token={voter.csrf()}"
    response = voter.client.post("/dilemmas/aaben/comments", data=raw.encode("ascii"),
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code in (303, 400)
    for stored in all_comments(blog):
        for text in (stored.name, stored.body_md, stored.body_html):
            assert not any(0xD800 <= ord(ch) <= 0xDFFF or ch == "\ufffd" for ch in text)
    voter.page()


@pytest.mark.parametrize("field", ["name", "body"])
@pytest.mark.parametrize("value", ["Anne\ud800", "\udfffBo"])
def test_lone_surrogate_is_refused_and_stores_nothing(blog, field, value):
    with blog.test_request_context():
        case = db.session.scalars(select(Case).where(Case.slug == "aaben")).one()
        fields = {"name": "Anne", "body": "Hej", field: value}
        with pytest.raises(Refused):
            post_comment(db.session, case, **fields, voter_hash=None, ip_hash=None,
                         settings=comment_settings(blog, require_vote=False))
        with pytest.raises(Refused):
            (clean_name if field == "name" else clean_body)(value)
    assert all_comments(blog) == []


def test_oversized_form_is_refused(blog, voter):
    response = voter.comment(body="x" * 70_000)
    assert response.status_code == 413
    assert all_comments(blog) == []


def test_two_values_for_a_field_take_the_first_and_never_fail(blog, voter):
    response = voter.client.post("/dilemmas/aaben/comments", data={
        "name": ["Anne", "Bo"], "body": ["Et", "To"], "csrf_token": voter.csrf()})
    assert response.status_code == 303
    [stored] = all_comments(blog)
    assert (stored.name, stored.body_md) == ("Anne", "Et")
