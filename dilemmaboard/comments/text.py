"""A reader's words on their way in: names and bodies checked, Markdown rendered and sanitised.

markdown-it-py, not Python-Markdown: its parser turns raw HTML off (Markdown 3 dropped safe_mode).
The case files keep Python-Markdown. A comment is rendered once, when it is stored; pages
only print `body_html`.
"""
from __future__ import annotations

import html
import re
import unicodedata

import nh3
from flask_babel import format_number
from flask_babel import gettext as _
from markdown_it import MarkdownIt

from dilemmaboard.models import MAX_ID
from dilemmaboard.refusal import Refused

NAME_MAX = 60
BODY_MAX = 5000

# Raw HTML is off: a reader's "<b>" shows as text. Images, headings and rules are off too,
# so only the allow-list below ever reaches nh3, which is the second line of defence.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "heading", "lheading", "hr", "html_block", "html_inline"]
)
ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
    url_relative="deny", link_rel="nofollow ugc noopener", strip_comments=True,
)

# Control characters (Unicode Cc) and surrogates (Cs): a name may hold none, a body
# keeps tabs and newlines.
_CONTROLS_OR_SURROGATES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_TAB_NEWLINE_OR_SURROGATES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Bidi embeddings/overrides/isolates, the BOM and the replacement character (what a
# lone surrogate or broken UTF-8 becomes on the way in) are refused outright.
_REFUSED_CHARS = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff\ufffd\ufffe\uffff]")


def render_comment_markdown(text: str) -> str:
    """Render a reader's Markdown to allow-listed HTML (done once, when storing)."""
    return _cleaner.clean(_markdown.render(text)).strip()


def _has_refused_chars(text: str, *, allow_newlines: bool) -> bool:
    controls = (_CONTROLS_BUT_TAB_NEWLINE_OR_SURROGATES if allow_newlines
                else _CONTROLS_OR_SURROGATES)
    return bool(controls.search(text) or _REFUSED_CHARS.search(text))


def _refused_body() -> Refused:
    return Refused("invalid", _("Kommentaren indeholder tegn, der ikke er tilladt."))


def rendered_body(body: str) -> str:
    """The HTML of a checked body, refused when it shows a character the text may not hold.

    Markdown turns `&#x202E;` into the character itself, so what is rendered is checked
    too, as a browser reads it (entities decoded once): the same rule, the same answer.
    """
    rendered = render_comment_markdown(body)
    if _has_refused_chars(html.unescape(rendered), allow_newlines=True):
        raise _refused_body()
    return rendered


def clean_name(raw: str | None) -> str:
    """NFC-normalise, trim and check a display name (1-60 characters).

    A name is text, printed escaped; it is checked as typed and with its entities decoded,
    so `&#x202E;` is refused too, should anything (a feed reader) ever decode it.
    """
    name = unicodedata.normalize("NFC", raw or "")
    if (_has_refused_chars(name, allow_newlines=False)
            or _has_refused_chars(html.unescape(name), allow_newlines=False)):
        raise Refused("invalid", _("Navnet indeholder tegn, der ikke er tilladt."))
    name = " ".join(name.split())
    if not name:
        raise Refused("invalid", _("Skriv et navn."))
    if len(name) > NAME_MAX:
        raise Refused("invalid", _("Navnet må højst være %(num)s tegn.", num=NAME_MAX))
    return name


def clean_body(raw: str | None) -> str:
    """NFC-normalise, trim and check a comment body (1-5,000 characters of Markdown)."""
    body = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    if _has_refused_chars(body, allow_newlines=True):
        raise _refused_body()
    body = body.strip()
    if not body:
        raise Refused("invalid", _("Skriv en kommentar."))
    if len(body) > BODY_MAX:
        raise Refused("invalid", _("Kommentaren må højst være %(num)s tegn.",
                                   num=format_number(BODY_MAX)))
    return body


def parse_parent_id(raw: str | None) -> int | None:
    """An empty field is no parent; anything but an id a comment can have is refused."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,10}", raw) or not 1 <= int(raw) <= MAX_ID:
        raise Refused("invalid", _("Kommentaren, du svarer på, findes ikke."))
    return int(raw)
