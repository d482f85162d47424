"""The audit log: who did what to which target, why and when (SPEC §1, editors).

`record` adds a row to the caller's transaction, so the action and its audit
entry are committed together (or not at all).
"""
from __future__ import annotations

import getpass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dilemmaboard.models import AuditEntry, utcnow


def record(session: Session, editor: str, action: str, target: str, reason: str = "") -> AuditEntry:
    """Add one audit row (not committed: it goes in with the action it describes)."""
    entry = AuditEntry(
        editor=editor[:80], action=action[:40], target=target[:200], reason=reason or "",
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


def entries() -> Select:
    """Select audit rows, newest first."""
    return select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())


def command_line_actor() -> str:
    """The audit log's "who" for a change made on the command line: `cli:<login>`."""
    try:
        return f"cli:{getpass.getuser()}"[:80]
    except Exception:  # no user name in this environment (some containers)
        return "cli"
