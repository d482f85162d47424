"""Property tests: the case loader and the comment renderer, on arbitrary input."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dilemmaboard.cases.loader import CaseError, CaseRecord, load_text
from tests.security.tools import executable_markup, link_scheme

PROPERTY_SETTINGS = settings(max_examples=300, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])

# --- the case loader ---------------------------------------------------------

YAML_PIECES = [
    "---\n", "title: ", "publish: ", "closes: ", "options:", "\n  - ", "[", "]", "{", "}",
    "&a ", "*a", "!!python/object/apply:os.system ", "!!binary ", "<<: ", "? ", ": ", "- ",
    "2008-11-19", "2008-13-45T25:61", "9" * 50, "'", '"', "|", ">", "\t", "\r\n", "#", "%",
    "@", "`", "\\", "\x00", "\ufeff", "\u202e", "é", "slug: ../../etc", "draft: maybe",
    "imported_votes: [1, 2, 3, 4, 5]", "<!-- followup -->", "<script>", "- " * 30,
]


@st.composite
def case_files(draw) -> bytes:
    """Bytes that look like a case file often enough to reach the deep parts of the loader."""
    front = "".join(draw(st.lists(st.sampled_from(YAML_PIECES) | st.text(max_size=8),
                                  max_size=40)))
    body = draw(st.text(max_size=200))
    prefix = draw(st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", ""]))
    closing = draw(st.sampled_from(["\n---\n", "\n...\n", "\n"]))
    raw = (prefix + front + closing + body).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=20))
    return raw


@PROPERTY_SETTINGS
@given(st.binary(max_size=2000))
def test_loader_on_arbitrary_bytes_raises_only_case_error(raw):
    try:
        record = load_text("x.md", raw)
    except CaseError as exc:
        assert exc.problems and all(p.path == "x.md" for p in exc.problems)
    else:
        assert isinstance(record, CaseRecord)


@PROPERTY_SETTINGS
@given(case_files())
def test_loader_on_case_like_files_raises_only_case_error(raw):
    try:
        record = load_text("x.md", raw)
    except CaseError as exc:
        assert exc.problems and all(str(p).startswith("x.md") for p in exc.problems)
    else:
        assert len(record.options) == 5
        for html in (record.body_html, record.followup_html):
            assert executable_markup(html) == []


# --- the comment renderer ----------------------------------------------------

MARKDOWN_PIECES = [
    "<script>", "</script>", "<ScRiPt src=//x>", "<img src=x onerror=alert(1)>", "[x](",
    ")", "](", "javascript:", "JaVaScRiPt:", "jav&#x09;ascript:", "java\tscript:",
    "ｊａｖａｓｃｒｉｐｔ:", "data:text/html,", "vbscript:", "mailto:", "https://example.org",
    "<", ">", '"', "'", "`", "``", "*", "_", "\n", "\n\n", "    ", "> ", "- ", "1. ", "&#", "&lt;",
    "&#106;", "onerror=", " onload=", "<a href=", "<svg/onload=alert(1)>", "\u200b", "\u202e",
    "<!--", "-->", "<![CDATA[", "[ref]: javascript:alert(1)\n", "[ref]", "<http://x>",
    "<javascript:alert(1)>", "\\", "%0a", "\x00",
]
HANDLER_RE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value or "" for name, value in attrs if name in ("href", "src")]


def assert_inert(html: str) -> None:
    """No <script, no on...= attribute, every link http, https or mailto."""
    assert "<script" not in html.lower()
    assert not HANDLER_RE.search(html)
    links = _Links()
    links.feed(html)
    for url in links.urls:
        assert link_scheme(url) in ("http", "https", "mailto"), url
    assert executable_markup(html) == []


comment_texts = st.text() | st.lists(
    st.sampled_from(MARKDOWN_PIECES) | st.text(max_size=6), max_size=30
).map("".join)


@PROPERTY_SETTINGS
@given(comment_texts)
def test_comment_renderer_output_is_inert(text):
    from dilemmaboard.comments.text import render_comment_markdown

    assert_inert(render_comment_markdown(text))


@PROPERTY_SETTINGS
@given(comment_texts, st.sampled_from(["", "\ud800", "\udfff", "\x00", "\u202e"]))
def test_comment_body_is_refused_or_rendered_inert(text, extra):
    from dilemmaboard.comments.text import clean_body, render_comment_markdown
    from dilemmaboard.refusal import Refused

    try:
        body = clean_body(text + extra)
    except Refused as exc:
        assert exc.kind == "invalid"
        return
    assert_inert(render_comment_markdown(body))
