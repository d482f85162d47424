"""Unicode tricks and broken bytes: refused clearly or stored harmlessly, never a 5xx."""
from __future__ import annotations

import json
import unicodedata

import pytest

from tests.security.conftest import OPEN, latest_comment, post_comment
from tests.security.tools import assert_refused, executable_markup, feed_markup, snapshot

TRICKS = {
    "lone-surrogate-escape": "%ED%A0%80",
    "nul": "Mette\x00Admin",
    "right-to-left-override": "Mette\u202egnp.exe",
    "left-to-right-isolate": "\u2066Redaktionen\u2069",
    "zero-width-space": "Re\u200bdaktionen",
    "zero-width-joiner": "👩\u200d💻 Mette",
    "byte-order-mark": "\ufeffMette",
    "line-separator": "Mette\u2028Admin",
    "full-width-javascript": "ｊａｖａｓｃｒｉｐｔ:alert(1)",
    "combining-flood": "M" + "\u0301" * 500,
    "decomposed": unicodedata.normalize("NFD", "Søren Ærø Åse"),
    "noncharacter": "Mette\uffff",
    "private-use": "Mette\ue000",
    "replacement-char": "Mette\ufffd",
    "control-chars": "Mette\x07\x1b[31m",
    "arabic": "مرحبا بالعالم",
    "hebrew": "שלום עולם",
    "emoji": "😀" * 30,
}
REFUSED_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def voter(site):
    from tests.conftest import Reader

    reader = Reader(site.test_client())
    assert reader.vote(OPEN, "1").status_code == 303
    return reader


def assert_pages_fine(site) -> None:
    client = site.test_client()
    page = client.get(f"/dilemmas/{OPEN}")
    assert page.status_code == 200
    assert executable_markup(page.get_data(as_text=True), page=True) == []
    feed = client.get(f"/dilemmas/{OPEN}/comments.xml")
    assert feed_markup(feed.get_data(as_text=True)) == []
    assert client.get(f"/api/dilemmas/{OPEN}").status_code == 200


@pytest.mark.parametrize("field", ["name", "body"])
@pytest.mark.parametrize("trick", sorted(TRICKS))
def test_unicode_tricks_in_comment_fields(site, trick, field):
    reader = voter(site)
    text = TRICKS[trick]
    values = {"name": "Mette", "body": "Min grund."}
    values[field] = text if field == "name" else f"Se her: [klik]({text}) {text}"
    before = snapshot(site)
    response = post_comment(reader, OPEN, values["body"], name=values["name"])
    if response.status_code == 400:
        assert_refused(site, response, 400, before)
    else:
        assert response.status_code == 303
        stored = latest_comment(site)
        for value in (stored.name, stored.body_md, stored.body_html):
            assert "\x00" not in value and not any(c in value for c in REFUSED_BIDI)
            assert not any(unicodedata.category(c) == "Cs" for c in value)
        assert 1 <= len(stored.name) <= 60
    assert_pages_fine(site)


# Refused characters written as HTML entities: Markdown decodes them into the characters
# themselves (issue 17.8), so what is rendered is checked as well as what was typed.
ENTITY_BODIES = {
    "override-hex": "Faktura &#x202E;fdp.exe",
    "override-decimal": "Faktura &#8238;fdp.exe",
    "override-upper-x": "Faktura &#X202e;fdp.exe",
    "isolate": "Se &#x2067;her&#x2069; nu",
    "byte-order-mark": "Hej&#xFEFF; med dig",
    "in-a-link-title": '[faktura](https://example.org/ "&#x202E;fdp.exe")',
    "in-emphasis": "*&#x202D;kursiv*",
    "nul-entity": "Hej &#0; med dig",
}
ENTITY_NAMES = ["Mette &#x202E;gnp.exe", "&#x2066;Mette", "Mette&#xFEFF;"]


@pytest.mark.parametrize("trick", sorted(ENTITY_BODIES))
def test_refused_characters_as_entities_are_refused_in_a_body(site, trick):
    reader = voter(site)
    before = snapshot(site)
    response = post_comment(reader, OPEN, ENTITY_BODIES[trick])
    assert_refused(site, response, 400, before)
    assert "Kommentaren indeholder tegn, der ikke er tilladt." in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_refused_characters_as_entities_are_refused_in_a_name(site, name):
    reader = voter(site)
    before = snapshot(site)
    response = post_comment(reader, OPEN, "Min grund.", name=name)
    assert_refused(site, response, 400, before)
    assert "Navnet indeholder tegn, der ikke er tilladt." in response.get_data(as_text=True)


def test_an_edit_cannot_bring_in_an_entity_either(site):
    reader = voter(site)
    location = post_comment(reader, OPEN, "Første udgave.").headers["Location"]
    comment_id = int(location.rsplit("#comment-", 1)[1])
    before = snapshot(site)
    response = reader.client.post(f"/comments/{comment_id}/edit", data={
        "body": "Faktura &#x202E;fdp.exe", "csrf_token": reader.token(f"/dilemmas/{OPEN}")})
    assert_refused(site, response, 400, before)
    assert "Kommentaren indeholder tegn, der ikke er tilladt." in response.get_data(as_text=True)


def test_an_entity_in_code_stays_text(site):
    """In a code span Markdown decodes nothing: the reader sees "&#x202E;", not the character."""
    reader = voter(site)
    assert post_comment(reader, OPEN, "Skriv `&#x202E;` for at vende teksten").status_code == 303
    stored = latest_comment(site)
    assert "<code>&amp;#x202E;</code>" in stored.body_html and "\u202e" not in stored.body_html
    assert_pages_fine(site)


@pytest.mark.parametrize("body", [
    b"name=Mette&body=\xff\xfe\xfd",
    b"name=\xc0\xaf&body=ok",
    b"name=%ED%A0%80&body=%ED%B0%80",
    b"name=Mette&body=%00",
    b"name=Mette&body=ok%",
    b"name=Mette&body=%zz%",
])
def test_broken_bytes_in_a_urlencoded_comment(site, body):
    reader = voter(site)
    token = reader.token(f"/dilemmas/{OPEN}")
    before = snapshot(site)
    response = reader.client.post(f"/dilemmas/{OPEN}/comments",
                                  data=body + f"&csrf_token={token}".encode(),
                                  content_type="application/x-www-form-urlencoded")
    if response.status_code != 303:
        assert_refused(site, response, 400, before)
    assert_pages_fine(site)


def test_broken_bytes_in_a_multipart_comment(site):
    reader = voter(site)
    token = reader.token(f"/dilemmas/{OPEN}")
    boundary = "xyz"
    parts = [("csrf_token", token.encode()), ("name", b"\xff\xfeMette"), ("body", b"ok \xc3")]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        + value + b"\r\n" for name, value in parts) + f"--{boundary}--\r\n".encode()
    before = snapshot(site)
    response = reader.client.post(f"/dilemmas/{OPEN}/comments", data=body,
                                  content_type=f"multipart/form-data; boundary={boundary}")
    if response.status_code != 303:
        assert_refused(site, response, 400, before)
    assert_pages_fine(site)


@pytest.mark.parametrize("path", ["/dilemmas/aaben/vote", "/dilemmas/aaben/comments"])
def test_json_with_lone_surrogates(site, path):
    """JSON can carry a lone surrogate (\\ud800) that form data cannot; no route stores it."""
    reader = voter(site)
    token = reader.token(f"/dilemmas/{OPEN}")
    payload = '{"option": "1", "name": "\\ud800", "body": "\\udfff x"}'
    assert json.loads(payload)["name"] == "\ud800"
    before = snapshot(site)
    response = reader.client.post(path, data=payload, content_type="application/json",
                                  headers={"X-CSRFToken": token})
    assert_refused(site, response, 400, before)


@pytest.mark.parametrize("path", ["/dilemmas/%FF%FE", "/%ED%A0%80", "/dilemmas/aaben%C0%AF",
                                  "/dilemmas/aaben/comments.xml%00", "/api/dilemmas/%ED%A0%80"])
def test_broken_bytes_in_paths(site, path):
    assert site.test_client().get(path).status_code in (400, 404)


@pytest.mark.parametrize("value", ["../../etc/passwd", "*;q=NaN", "da;q=1e999", "ÿ" * 10,
                                   "en-US," * 500, "", ";;;,,,", "xx-XX"])
def test_odd_accept_language(site, value):
    response = site.test_client().get(f"/dilemmas/{OPEN}", headers={"Accept-Language": value})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["<script>", "../en", "ÿ", "en\\", "x" * 4000])
def test_odd_language_cookie(site, value):
    client = site.test_client()
    client.set_cookie("lang", value)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert '<html lang="da">' in response.get_data(as_text=True)
