"""The author's proof: a signed cookie per comment, for the edit window.

The token signs the comment's id and a digest of its current text, so it opens
only that comment, and only until its text changes (an edit hands out a new one).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.models import Comment, utcnow
from dilemmaboard.refusal import Refused

AUTHOR_COOKIE_PREFIX = "db_c"
MAX_TOKENS = 100  # author cookies read from one request; more are ignored


def _serializer(settings: CommentSettings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt="dilemmaboard-comment-author")


def body_digest(body_md: str) -> str:
    return hashlib.sha256(body_md.encode("utf-8")).hexdigest()[:32]


def author_cookie_name(comment_id: int) -> str:
    return f"{AUTHOR_COOKIE_PREFIX}{comment_id}"


def author_token(comment: Comment, settings: CommentSettings) -> str:
    """Sign the comment's id and a digest of its current text for its author's cookie."""
    return _serializer(settings).dumps({"c": comment.id, "b": body_digest(comment.body_md)})


def edit_seconds_left(comment: Comment, settings: CommentSettings,
                      now: datetime | None = None) -> int:
    """Seconds of the author's edit window left (0 when it has passed)."""
    left = comment.created_at + timedelta(seconds=settings.edit_window) - (now or utcnow())
    return max(0, int(left.total_seconds()))


def holds_author_token(comment: Comment, token: str | None, settings: CommentSettings,
                       now: datetime | None = None) -> bool:
    """True when `token` proves authorship of this very text, inside the edit window."""
    if not token or edit_seconds_left(comment, settings, now) <= 0:
        return False
    try:
        data = _serializer(settings).loads(token, max_age=settings.edit_window)
    except BadSignature:  # also SignatureExpired
        return False
    return (isinstance(data, dict) and data.get("c") == comment.id
            and data.get("b") == body_digest(comment.body_md))


def author_may_change(comment: Comment, token: str | None, settings: CommentSettings,
                      now: datetime | None = None) -> bool:
    """True when this reader wrote the comment and may still edit or delete it."""
    return (comment.status in ("visible", "pending")
            and holds_author_token(comment, token, settings, now))


def author_tokens(cookies: Mapping[str, str]) -> dict[int, str]:
    """The comment ids this browser holds an author cookie for (unverified)."""
    tokens: dict[int, str] = {}
    for name, value in cookies.items():
        suffix = name[len(AUTHOR_COOKIE_PREFIX):]
        if name.startswith(AUTHOR_COOKIE_PREFIX) and suffix.isascii() and suffix.isdigit():
            tokens[int(suffix)] = value
            if len(tokens) >= MAX_TOKENS:
                break
    return tokens


def require_author(comment: Comment, token: str | None, settings: CommentSettings,
                   now: datetime | None = None) -> None:
    """Refuse unless this reader wrote the comment and may still change it.

    Anyone without the author's token gets one answer, whatever the comment's status:
    a stranger cannot tell a visible comment from a hidden or a deleted one by its id.
    Only its author is told that an editor hid it.
    """
    if not holds_author_token(comment, token, settings, now):
        raise Refused("forbidden", _(
            "Du kan kun rette eller slette din egen kommentar, og kun i 15 minutter "
            "efter at du skrev den."))
    if comment.status == "deleted":
        raise Refused("not_found", _("Kommentaren findes ikke længere."))
    if comment.status == "hidden":
        raise Refused("forbidden",
                      _("Redaktionen har skjult kommentaren, så den kan ikke ændres."))
