"""The comment blog under every case (SPEC §5): post, reply, edit, delete, report, moderate.

Markdown is rendered and sanitised once, when a comment is stored; pages only
print `body_html`. `Case.comment_count` always equals the number of visible
comments of the case: every status change goes through `_set_status`, which
moves the status and the counter in the same transaction.
"""
from __future__ import annotations

import re
import unicodedata

import nh3
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .models import Case, Comment

NAME_MAX = 60
BODY_MAX = 5000
STATUSES = ("visible", "pending", "hidden", "deleted")
MODERATION_ACTIONS = {"approve": "visible", "restore": "visible", "hide": "hidden",
                      "delete": "deleted"}
AUTHOR_COOKIE_PREFIX = "db_c"

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

# Bidi embeddings/overrides/isolates, the BOM and the replacement character (what a
# lone surrogate or broken UTF-8 becomes on the way in) are refused outright.
_REFUSED_CHARS = re.compile("[\u202a-\u202e\u2066-\u2069\ufeff\ufffd\ufffe\uffff]")


class CommentRefused(Exception):
    """A comment action that cannot be done; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --- text ------------------------------------------------------------------

def render_comment_markdown(text: str) -> str:
    """Render a reader's Markdown to allow-listed HTML (done once, when storing)."""
    return _cleaner.clean(_markdown.render(text)).strip()


def _has_refused_chars(text: str, *, allow_newlines: bool) -> bool:
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            return True
        if category == "Cc" and not (allow_newlines and char in "\t\n"):
            return True
    return bool(_REFUSED_CHARS.search(text))


def clean_name(raw: str | None) -> str:
    """NFC-normalise, trim and check a display name (1-60 characters)."""
    name = unicodedata.normalize("NFC", raw or "")
    if _has_refused_chars(name, allow_newlines=False):
        raise CommentRefused(400, _("Navnet indeholder tegn, der ikke er tilladt."))
    name = " ".join(name.split())
    if not name:
        raise CommentRefused(400, _("Skriv et navn."))
    if len(name) > NAME_MAX:
        raise CommentRefused(400, _("Navnet må højst være %(num)s tegn.", num=NAME_MAX))
    return name


def clean_body(raw: str | None) -> str:
    """NFC-normalise, trim and check a comment body (1-5,000 characters of Markdown)."""
    body = unicodedata.normalize("NFC", (raw or "").replace("\r\n", "\n").replace("\r", "\n"))
    if _has_refused_chars(body, allow_newlines=True):
        raise CommentRefused(400, _("Kommentaren indeholder tegn, der ikke er tilladt."))
    body = body.strip()
    if not body:
        raise CommentRefused(400, _("Skriv en kommentar."))
    if len(body) > BODY_MAX:
        raise CommentRefused(400, _("Kommentaren må højst være %(num)s tegn.", num=BODY_MAX))
    return body


def parse_parent_id(raw: str | None) -> int | None:
    """An empty field is no parent; anything but a plain id is refused."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        raise CommentRefused(400, _("Kommentaren, du svarer på, findes ikke."))
    return int(raw)


# --- status and the counter ------------------------------------------------

def _set_status(session: Session, comment: Comment, new_status: str) -> None:
    """Move a comment to `new_status` and keep Case.comment_count equal to the visible count.

    The UPDATE only matches the status we read, so two editors acting at once
    cannot both move the counter for the same change.
    """
    for _attempt in range(5):
        old_status = comment.status
        if old_status == new_status:
            return
        result = session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.status == old_status)
            .values(status=new_status)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            delta = (new_status == "visible") - (old_status == "visible")
            if delta:
                session.execute(
                    update(Case).where(Case.id == comment.case_id)
                    .values(comment_count=Case.comment_count + delta)
                    .execution_options(synchronize_session="fetch")
                )
            _set_loaded(comment, "status", new_status)
            return
        session.refresh(comment, ["status"])
    raise RuntimeError("comment status kept changing under us")


def _set_loaded(obj, attribute: str, value) -> None:
    """Tell the session an attribute already has this value in the database."""
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(obj, attribute, value)


def moderate_comment(session: Session, comment: Comment, action: str) -> None:
    """Apply an editor's action: approve, hide, restore or delete. Does not commit.

    approve and restore make the comment visible (from any state), hide makes it
    hidden, delete makes it deleted (the body stays stored for the editors but is
    never shown; with replies the thread shows a "slettet" placeholder).
    """
    if action not in MODERATION_ACTIONS:
        raise ValueError(f"unknown moderation action: {action!r}")
    _set_status(session, comment, MODERATION_ACTIONS[action])


def held_comments(case_id: int | None = None):
    """Select comments waiting for an editor (pre-moderation), oldest first."""
    stmt = select(Comment).where(Comment.status == "pending")
    if case_id is not None:
        stmt = stmt.where(Comment.case_id == case_id)
    return stmt.order_by(Comment.id)


def reported_comments(case_id: int | None = None):
    """Select reported comments that are not deleted, oldest first."""
    stmt = select(Comment).where(Comment.report_count > 0, Comment.status != "deleted")
    if case_id is not None:
        stmt = stmt.where(Comment.case_id == case_id)
    return stmt.order_by(Comment.id)
