"""Typed SQLAlchemy 2.0 models.

Times are stored as naive UTC datetimes (SQLite keeps no zone); every reader of
them treats them as UTC and converts to SITE_TIMEZONE only for display.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dilemmaboard.extensions import db

# Every id column is an integer: PostgreSQL's `integer` ends here (SQLite's at 2**63 - 1).
# An id above it names no row, and a database would refuse to compare it (web/urls.py).
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Case(db.Model):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(10))
    publish_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str | None] = mapped_column(String(300))
    results_mode: Mapped[str] = mapped_column(String(20), default="after_vote")
    shuffle: Mapped[bool] = mapped_column(Boolean, default=False)
    draft: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    followup_md: Mapped[str] = mapped_column(Text, default="")
    followup_html: Mapped[str] = mapped_column(Text, default="")
    source_path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    # Editors' override of the schedule: None follows the dates, "closed"/"open" wins.
    state_override: Mapped[str | None] = mapped_column(String(10))
    override_reason: Mapped[str | None] = mapped_column(Text)
    # Denormalised counters so no page ever counts rows: visible comments (replies
    # included), and visible top-level comments, the threads the comment pages count.
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    visible_threads: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    options: Mapped[list[Option]] = relationship(
        back_populates="case", order_by="Option.number", cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def total_votes(self) -> int:
        return sum(o.votes + o.imported_votes for o in self.options)

    @property
    def has_live_votes(self) -> bool:
        return any(o.votes for o in self.options)


class Option(db.Model):
    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("case_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # The stored tally: changed in the same transaction as the vote and its event.
    votes: Mapped[int] = mapped_column(Integer, default=0)
    imported_votes: Mapped[int] = mapped_column(Integer, default=0)
    # Visible top-level comments written under this option: the comment filter's counts.
    visible_threads: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[Case] = relationship(back_populates="options")


# Where a vote or comment came from (partners/sources.py): "site", a partner id,
# "unknown" or "imported"; rows stored before sources were kept are "site".
def _source_column() -> Mapped[str]:
    return mapped_column(String(40), default="site", server_default="site")


class Vote(db.Model):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("case_id", "voter_hash"),
        # The split per source (desk, tallies_by_source) is counted from this index alone.
        Index("ix_votes_case_source_option", "case_id", "source", "option_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    voter_hash: Mapped[str] = mapped_column(String(64))
    option_number: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str | None] = mapped_column(String(30))
    # The source the vote was first cast through; a later change elsewhere keeps it.
    source: Mapped[str] = _source_column()
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class VoteEvent(db.Model):
    """The first choice and every change, kept for the time series and research."""

    __tablename__ = "vote_events"
    __table_args__ = (Index("ix_vote_events_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    vote_id: Mapped[int] = mapped_column(ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "first" or "change"
    option_number: Mapped[int] = mapped_column(Integer)
    previous_option: Mapped[int | None] = mapped_column(Integer)
    shown_position: Mapped[int | None] = mapped_column(Integer)
    profile: Mapped[str | None] = mapped_column(String(30))
    # Where this choice or change was made.
    source: Mapped[str] = _source_column()
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_case_status_id", "case_id", "status", "id"),
        # The case page: thread starters in order, and their counts from the index alone.
        # Partial (top-level comments only), so PostgreSQL sees the order by id too.
        Index("ix_comments_top_level_order", "case_id", "id",
              postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
        Index("ix_comments_top_level_counts", "case_id", "status", "option_number", "parent_id",
              postgresql_where=text("parent_id IS NULL"), sqlite_where=text("parent_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # The option the author had chosen when writing, and whether they changed it since.
    option_number: Mapped[int | None] = mapped_column(Integer)
    option_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    voter_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # One of comments.service.STATUSES.
    status: Mapped[str] = mapped_column(String(10), default="visible")
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = _source_column()
    # Visible replies under this top-level comment: the "most replies" order reads it.
    visible_replies: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime)

    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent", order_by="Comment.id", lazy="raise"
    )
    parent: Mapped[Comment | None] = relationship(
        back_populates="replies", remote_side="Comment.id", lazy="raise"
    )


class CommentReport(db.Model):
    """One reader's report of a comment: one per voter hash, and one per day's IP hash, so
    a reader who drops their cookie is still counted once (comments/service.py)."""

    __tablename__ = "comment_reports"
    __table_args__ = (
        UniqueConstraint("comment_id", "reporter_hash"),
        Index("ix_comment_reports_comment_ip", "comment_id", "ip_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reporter_hash: Mapped[str] = mapped_column(String(64))
    # The reporter's day-salted IP hash (None for reports stored before it was kept).
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # Why: one of comments.service.REPORT_REASONS, and the reader's own words if any
    # (None for reports stored before a reason was asked for).
    reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Editor(UserMixin, db.Model):
    __tablename__ = "editors"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="editor")  # desk.accounts.ROLES
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Stored in each session at login; logout and a new password move it on (desk.access).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class SyncProblem(db.Model):
    """The problems the last sync found, shown on the editors' dashboard."""

    __tablename__ = "sync_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
