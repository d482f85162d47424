"""The comment blog under every case (SPEC §5): post, reply, edit, delete, report, moderate.

Markdown is rendered and sanitised once, when a comment is stored; pages only
print `body_html`. `Case.comment_count` always equals the number of visible
comments of the case, and `Case.visible_threads` / `Option.visible_threads` the
visible top-level ones (in all, and per the author's option): a new comment and
every status change move them in the same transaction (`_move_counters`).
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import nh3
from flask import current_app
from flask_babel import format_number
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markdown_it import MarkdownIt
from sqlalchemy import and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, make_transient_to_detached

from dilemmaboard.models import Case, Comment, CommentReport, Option, Vote, utcnow
from dilemmaboard.voting.casting import find_vote
from dilemmaboard.voting.state import is_open, is_public

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


# Unicode categories Cc (controls) and Cs (surrogates) as character ranges: one regex
# search instead of a category lookup per character (bench/: comment POST).
_CONTROLS_OR_SURROGATES = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_TAB_NEWLINE_OR_SURROGATES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _has_refused_chars(text: str, *, allow_newlines: bool) -> bool:
    controls = (_CONTROLS_BUT_TAB_NEWLINE_OR_SURROGATES if allow_newlines
                else _CONTROLS_OR_SURROGATES)
    return bool(controls.search(text) or _REFUSED_CHARS.search(text))


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
        raise CommentRefused(400, _("Kommentaren må højst være %(num)s tegn.",
                                      num=format_number(BODY_MAX)))
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
    """Move a comment to `new_status` and keep the visible counters right (`_move_counters`).

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
                _move_counters(session, comment, delta)
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
    if action in ("approve", "restore") and comment.report_count:
        # An editor has looked at it: it leaves the reported list. Earlier
        # reporters stay recorded, so they cannot report the same text again.
        session.execute(update(Comment).where(Comment.id == comment.id).values(report_count=0))
        comment.report_count = 0


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


# --- the author's proof: a signed cookie per comment -------------------------

def _author_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt="dilemmaboard-comment-author")


def body_digest(body_md: str) -> str:
    return hashlib.sha256(body_md.encode("utf-8")).hexdigest()[:32]


def author_cookie_name(comment_id: int) -> str:
    return f"{AUTHOR_COOKIE_PREFIX}{comment_id}"


def author_token(comment: Comment) -> str:
    """Sign the comment's id and a digest of its current text for its author's cookie."""
    return _author_serializer().dumps({"c": comment.id, "b": body_digest(comment.body_md)})


def edit_window() -> timedelta:
    return timedelta(seconds=current_app.config["COMMENT_EDIT_WINDOW"])


def edit_seconds_left(comment: Comment, now: datetime | None = None) -> int:
    """Seconds of the author's edit window left (0 when it has passed)."""
    left = comment.created_at + edit_window() - (now or utcnow())
    return max(0, int(left.total_seconds()))


def author_may_change(comment: Comment, token: str | None, now: datetime | None = None) -> bool:
    """True when `token` proves authorship of this very text, inside the edit window."""
    if not token or comment.status not in ("visible", "pending"):
        return False
    if edit_seconds_left(comment, now) <= 0:
        return False
    try:
        data = _author_serializer().loads(token, max_age=current_app.config["COMMENT_EDIT_WINDOW"])
    except BadSignature:  # also SignatureExpired
        return False
    return (isinstance(data, dict) and data.get("c") == comment.id
            and data.get("b") == body_digest(comment.body_md))


def author_tokens(cookies: Mapping[str, str]) -> dict[int, str]:
    """The comment ids this browser holds an author cookie for (unverified)."""
    tokens: dict[int, str] = {}
    for name, value in cookies.items():
        suffix = name[len(AUTHOR_COOKIE_PREFIX):]
        if name.startswith(AUTHOR_COOKIE_PREFIX) and suffix.isascii() and suffix.isdigit():
            tokens[int(suffix)] = value
            if len(tokens) >= 100:
                break
    return tokens


def require_author(comment: Comment, token: str | None, now: datetime | None = None) -> None:
    """Refuse (403/404) unless this reader wrote the comment and may still change it."""
    if comment.status == "deleted":
        raise CommentRefused(404, _("Kommentaren findes ikke længere."))
    if comment.status == "hidden":
        raise CommentRefused(403, _("Redaktionen har skjult kommentaren, så den kan ikke ændres."))
    if not author_may_change(comment, token, now):
        raise CommentRefused(403, _(
            "Du kan kun rette eller slette din egen kommentar, og kun i 15 minutter "
            "efter at du skrev den."))


# --- reader actions ----------------------------------------------------------

def _reply_target(session: Session, case: Case, parent_id: int | None) -> int | None:
    """The top-level comment a reply hangs under (a reply to a reply moves up one level)."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or parent.case_id != case.id or parent.status != "visible":
        raise CommentRefused(400, _("Kommentaren, du svarer på, findes ikke."))
    return parent.parent_id if parent.parent_id is not None else parent.id


def post_comment(session: Session, case: Case, *, name: str | None, body: str | None,
                 parent_id: int | None = None, voter_hash: str | None, ip_hash: str | None,
                 require_vote: bool = True, moderation: str = "post",
                 now: datetime | None = None,
                 before_commit: Callable[[Comment], None] | None = None) -> Comment:
    """Check, render and store a comment or reply; commits. Raises CommentRefused.

    The author's option is taken from their vote now, and kept even if they
    change their vote later (voting then sets `option_changed`). `before_commit`
    is called with the stored comment (id assigned) inside the write transaction:
    the view finds the comment's page there, saving a second transaction after the
    commit (on PostgreSQL a pool check-out, its ping and a BEGIN).
    """
    now = now or utcnow()
    if not is_public(case, now):
        raise CommentRefused(404, _("Dilemmaet findes ikke."))
    name = clean_name(name)
    body = clean_body(body)
    vote: Vote | None = find_vote(session, case, voter_hash)
    if require_vote and vote is None:
        raise CommentRefused(403, _("Du skal stemme på dilemmaet, før du kan kommentere."))
    top_id = _reply_target(session, case, parent_id)
    status = "pending" if moderation == "pre" else "visible"
    values = {
        "case_id": case.id, "parent_id": top_id, "name": name, "body_md": body,
        "body_html": render_comment_markdown(body),
        "option_number": vote.option_number if vote else None, "option_changed": False,
        "voter_hash": voter_hash, "ip_hash": ip_hash, "status": status, "report_count": 0,
        "created_at": now, "edited_at": None,
    }
    # No commit between the reads and the write: pysqlite opens no transaction for a
    # SELECT (it sends BEGIN before the first write, which then waits for SQLite's lock),
    # and PostgreSQL needs none (bench/: comment POST).
    try:
        # A Core INSERT built once, then the row handed to the session as if loaded:
        # the ORM's flush of one new object cost more than the statement itself.
        comment_id = session.connection().execute(_INSERT_COMMENT, values).scalar_one()
        comment = Comment(id=comment_id, **values)
        make_transient_to_detached(comment)
        session.add(comment)
        if status == "visible":
            _move_counters(session, comment, +1)
        if before_commit is not None:
            before_commit(comment)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return comment


_INSERT_COMMENT = insert(Comment.__table__).returning(Comment.__table__.c.id)
_cases, _options = Case.__table__, Option.__table__
# Core UPDATEs built once; loaded objects then read their new counts on next access
# (the ORM's "fetch" synchronisation cost more than the rest of a comment POST).
_MOVE_CASE = (update(_cases).where(_cases.c.id == bindparam("m_case_id"))
              .values(comment_count=_cases.c.comment_count + bindparam("m_delta"),
                      visible_threads=_cases.c.visible_threads + bindparam("m_threads")))
_MOVE_OPTION = (update(_options)
                .where(_options.c.case_id == bindparam("m_case_id"),
                       _options.c.number == bindparam("m_number"))
                .values(visible_threads=_options.c.visible_threads + bindparam("m_delta")))


def _move_counters(session: Session, comment: Comment, delta: int) -> None:
    """Count `comment` in (+1) or out (-1) of its case's visible counters."""
    top_level = comment.parent_id is None
    conn = session.connection()
    conn.execute(_MOVE_CASE, {"m_case_id": comment.case_id, "m_delta": delta,
                              "m_threads": delta if top_level else 0})
    if top_level and comment.option_number is not None:
        conn.execute(_MOVE_OPTION, {"m_case_id": comment.case_id,
                                    "m_number": comment.option_number, "m_delta": delta})
    case = session.identity_map.get(session.identity_key(Case, comment.case_id))
    if case is not None:
        session.expire(case, ["comment_count", "visible_threads"])
        for option in case.__dict__.get("options", ()):
            session.expire(option, ["visible_threads"])


def edit_comment(session: Session, comment: Comment, *, body: str | None, token: str | None,
                 moderation: str = "post", now: datetime | None = None) -> Comment:
    """Replace the author's text (inside the window); commits. Raises CommentRefused.

    Under pre-moderation an edited comment goes back to the editors' queue, so
    approved text cannot be swapped for something else.
    """
    now = now or utcnow()
    require_author(comment, token, now)
    body = clean_body(body)
    session.commit()
    try:
        comment.body_md = body
        comment.body_html = render_comment_markdown(body)
        comment.edited_at = now
        session.flush()
        if moderation == "pre":
            _set_status(session, comment, "pending")
        session.commit()
    except Exception:
        session.rollback()
        raise
    return comment


def delete_own_comment(session: Session, comment: Comment, *, token: str | None,
                       now: datetime | None = None) -> None:
    """Delete the author's comment (inside the window); commits. Raises CommentRefused."""
    require_author(comment, token, now)
    session.commit()
    try:
        _set_status(session, comment, "deleted")
        session.commit()
    except Exception:
        session.rollback()
        raise


def report_comment(session: Session, comment: Comment, reporter_hash: str,
                   now: datetime | None = None) -> bool:
    """Record one reader's report; True if new, False if they had reported it already."""
    if comment.status != "visible":
        raise CommentRefused(404, _("Kommentaren findes ikke."))
    session.commit()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    try:
        new_id = session.execute(
            insert(CommentReport)
            .values(comment_id=comment.id, reporter_hash=reporter_hash,
                    created_at=now or utcnow())
            .on_conflict_do_nothing(index_elements=["comment_id", "reporter_hash"])
            .returning(CommentReport.id)
        ).scalar()
        if new_id is not None:
            session.execute(
                update(Comment).where(Comment.id == comment.id)
                .values(report_count=Comment.report_count + 1)
                .execution_options(synchronize_session="fetch")
            )
        session.commit()
    except Exception:
        session.rollback()
        raise
    return new_id is not None


# --- reading -----------------------------------------------------------------

def parse_page(args) -> int:
    """?page= as a positive whole number; anything else (two values, text, -1) is page 1."""
    values = args.getlist("page")
    if len(values) != 1 or not re.fullmatch(r"[0-9]{1,9}", values[0]):
        return 1
    return max(1, int(values[0]))


def parse_option_filter(args) -> int | None:
    """?option= as 1-5; anything else shows every comment."""
    values = args.getlist("option")
    if len(values) != 1 or values[0] not in {"1", "2", "3", "4", "5"}:
        return None
    return int(values[0])


def _shown(viewer: str | None):
    """Visible comments, plus the viewer's own comments still waiting for an editor."""
    if viewer is not None:
        return or_(Comment.status == "visible",
                   and_(Comment.status == "pending", Comment.voter_hash == viewer))
    return Comment.status == "visible"


def thread_starters(case_id: int, *, viewer: str | None = None, option: int | None = None):
    """Select the top-level comments a reader sees, oldest first.

    A hidden or deleted comment with visible replies stays as a placeholder,
    so the thread under it still reads.
    """
    reply = aliased(Comment)
    has_visible_reply = exists().where(reply.parent_id == Comment.id, reply.status == "visible")
    stmt = select(Comment).where(
        Comment.case_id == case_id,
        Comment.parent_id.is_(None),
        or_(_shown(viewer),
            and_(Comment.status.in_(("hidden", "deleted")), has_visible_reply)),
    )
    if option is not None:
        stmt = stmt.where(Comment.option_number == option)
    return stmt.order_by(Comment.id)


def thread_replies(parent_ids: list[int], *, viewer: str | None = None):
    """Select the replies a reader sees under these top-level comments, oldest first."""
    return (select(Comment)
            .where(Comment.parent_id.in_(parent_ids), _shown(viewer))
            .order_by(Comment.id))


def other_thread_count(case_id: int, *, viewer: str | None = None, option: int | None = None):
    """Select how many shown thread starters are not visible comments.

    That is removed comments kept as placeholders for their visible replies, and the
    viewer's own comments waiting for an editor: few, so this reads only a few rows.
    Together with `option_counts` it counts `thread_starters` without reading every row.
    """
    reply = aliased(Comment)
    has_visible_reply = exists().where(reply.parent_id == Comment.id, reply.status == "visible")

    def count(*conditions):
        stmt = select(func.count()).select_from(Comment).where(
            Comment.case_id == case_id, Comment.parent_id.is_(None), *conditions)
        if option is not None:
            stmt = stmt.where(Comment.option_number == option)
        return stmt

    placeholders = count(Comment.status.in_(("hidden", "deleted")), has_visible_reply)
    if viewer is None:
        return placeholders
    # Two counts added, not one count with OR: each finds its few rows through the
    # (case_id, status, ...) index, where the OR made SQLite read every thread of the case.
    own_pending = count(Comment.status == "pending", Comment.voter_hash == viewer)
    return select(placeholders.scalar_subquery() + own_pending.scalar_subquery())


def visible_comments(case_id: int):
    """Select a case's visible comments (replies included), newest first: the Atom feed."""
    return (select(Comment)
            .where(Comment.case_id == case_id, Comment.status == "visible")
            .order_by(Comment.id.desc()))


@functools.cache
def _threads_before(with_viewer: bool):
    """Count the shown thread starters before `top_id`, in one statement built once.

    All shown threads (the case's stored counter plus the few other shown starters,
    as the page counts them) less those from `top_id` on, so a new comment does not
    read every thread before it.
    """
    viewer = bindparam("viewer") if with_viewer else None
    visible = (select(Case.visible_threads).where(Case.id == bindparam("case_id"))
               .scalar_subquery())
    others = other_thread_count(bindparam("case_id"), viewer=viewer).scalar_subquery()
    later = (thread_starters(bindparam("case_id"), viewer=viewer)
             .where(Comment.id >= bindparam("top_id")).order_by(None).subquery())
    later_count = select(func.count()).select_from(later).scalar_subquery()
    return select(visible + others - later_count)


def comment_page_number(session: Session, comment: Comment, viewer: str | None = None) -> int:
    """The page of the case's thread list on which this comment (or its thread) appears."""
    viewer = viewer or None
    params = {"case_id": comment.case_id, "viewer": viewer,
              "top_id": comment.parent_id or comment.id}
    # On the connection: a plain number, the ORM's execute adds nothing here.
    before = session.connection().execute(_threads_before(viewer is not None),
                                          params).scalar_one()
    return before // current_app.config["COMMENTS_PER_PAGE"] + 1


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class CommentListing:
    threads: list[Thread]
    page: int
    pages: int
    option: int | None
    option_counts: dict[int, int]
    editable_ids: set[int]


@functools.cache
def _listing_statements(with_viewer: bool, with_option: bool) -> tuple:
    """The page's three statements for one kind of listing, built once with bound parameters.

    Building a SQLAlchemy statement costs several times more than running it, and the
    case page runs these on every view (bench/: 5,000 ÷ 10 comments).
    """
    case_id = bindparam("case_id")
    viewer = bindparam("viewer") if with_viewer else None
    option = bindparam("option") if with_option else None
    return (
        other_thread_count(case_id, viewer=viewer, option=option),
        thread_starters(case_id, viewer=viewer, option=option)
        .limit(bindparam("limit")).offset(bindparam("offset")),
        thread_replies(bindparam("parent_ids", expanding=True), viewer=viewer),
    )


def list_comments(session: Session, case: Case, *, viewer: str | None, page: int = 1,
                  option: int | None = None, tokens: Mapping[int, str] | None = None,
                  now: datetime | None = None) -> CommentListing:
    """One page of threads with their replies, in three queries whatever the numbers.

    The visible threads are not counted but read from the case's and its options'
    stored counters; only the few other shown starters (placeholders, the viewer's
    own waiting comments) are counted.
    """
    per_page = current_app.config["COMMENTS_PER_PAGE"]
    viewer = viewer or None
    others, starters, replies_of = _listing_statements(viewer is not None, option is not None)
    params = {"case_id": case.id, "viewer": viewer, "option": option}
    counts = {o.number: o.visible_threads for o in case.options if o.visible_threads}
    visible = counts.get(option, 0) if option is not None else case.visible_threads
    conn = session.connection()
    total = visible + conn.execute(others, params).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    # Plain rows, not ORM objects: the page only reads their columns, and loading 50
    # comments into the identity map cost more than the queries themselves.
    tops = conn.execute(starters, {**params, "limit": per_page,
                                   "offset": (page - 1) * per_page}).all()
    replies: dict[int, list[Comment]] = {c.id: [] for c in tops}
    # Run even for an empty page, so the page always takes the same number of queries.
    for reply in conn.execute(replies_of, {**params, "parent_ids": list(replies)}):
        replies[reply.parent_id].append(reply)
    tokens = tokens or {}
    editable = {
        c.id for c in [*tops, *(r for rs in replies.values() for r in rs)]
        if c.id in tokens and author_may_change(c, tokens[c.id], now)
    }
    return CommentListing(
        threads=[Thread(c, replies[c.id]) for c in tops], page=page, pages=pages,
        option=option, option_counts=counts, editable_ids=editable,
    )


def page_comments(session: Session, case: Case, *, voter: str | None, my_vote: Vote | None,
                  preview: bool, page: int = 1, option: int | None = None,
                  tokens: Mapping[int, str] | None = None) -> dict:
    """The case page's comment context: the listing and whether this reader may post."""
    require_vote = current_app.config["COMMENTS_REQUIRE_VOTE"]
    listing = list_comments(session, case, viewer=voter, page=page, option=option,
                            tokens=tokens)
    if preview:
        blocked = "preview"
    elif require_vote and my_vote is None:
        blocked = "vote_first" if is_open(case) else "closed"
    else:
        blocked = None
    return {
        "comments_enabled": True,
        "comments": listing,
        "comment_blocked": blocked,
        "comments_pre_moderated": current_app.config["COMMENTS_MODERATION"] == "pre",
    }
