"""The audit log: who did what to which target, why and when (SPEC §1, editors).

`record` adds a row to the caller's transaction, so the action and its audit
entry are committed together (or not at all).
"""
from __future__ import annotations

import getpass
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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


# --- the log in words -------------------------------------------------------------
# Rows keep their codes ("hide", "comment 7 on slug"): stable for searching and exports.
# The desk shows them in the editor's language.

ACTION_WORDS = {
    "login": _l("Loggede ind"),
    "logout": _l("Loggede ud"),
    "reload": _l("Genindlæste cases"),
    "close": _l("Lukkede afstemningen"),
    "reopen": _l("Genåbnede afstemningen"),
    "follow_schedule": _l("Lod casen følge sine datoer"),
    "approve": _l("Godkendte"),
    "hide": _l("Skjulte"),
    "restore": _l("Gendannede"),
    "delete": _l("Slettede"),
    "dismiss": _l("Afviste anmeldelserne af"),
    "editor_add": _l("Oprettede login"),
    "editor_passwd": _l("Skiftede adgangskode for"),
    "editor_remove": _l("Fjernede login"),
    "partner_add": _l("Tilføjede partner"),
    "partner_remove": _l("Fjernede partner"),
}
_COMMENT_ON = re.compile(r"comment (\d+) on (.+)")
_COMMENT = re.compile(r"comment (\d+)")
_CASE = re.compile(r"case (.+)")
_EDITOR = re.compile(r"editor (.+)")
_PARTNER = re.compile(r"partner (.+)")
_ROLE = re.compile(r"role (\w+)")
_SUMMARY = re.compile(r"created (\d+), updated (\d+), unchanged (\d+), skipped (\d+)")


def sync_summary(created: int, updated: int, unchanged: int, skipped: int) -> str:
    """"1 ny, 2 ændrede, 3 uændrede, 0 sprunget over", each number with its own plural."""
    return ", ".join((
        ngettext("%(num)s ny", "%(num)s nye", created),
        ngettext("%(num)s ændret", "%(num)s ændrede", updated),
        ngettext("%(num)s uændret", "%(num)s uændrede", unchanged),
        _("%(num)s sprunget over", num=skipped),
    ))


def _target_words(target: str) -> str:
    if match := _COMMENT_ON.fullmatch(target):
        return _("kommentar %(id)s til %(case)s", id=match[1], case=match[2])
    if match := _COMMENT.fullmatch(target):
        return _("kommentar %(id)s", id=match[1])
    if match := _CASE.fullmatch(target):
        return _("casen %(slug)s", slug=match[1])
    if match := _EDITOR.fullmatch(target):
        return _("login %(name)s", name=match[1])
    if match := _PARTNER.fullmatch(target):
        return _("partneren %(id)s", id=match[1])
    return target


def _reason_words(reason: str) -> str:
    if match := _ROLE.fullmatch(reason):
        return _("rolle: %(role)s", role=match[1])
    if match := _SUMMARY.fullmatch(reason):
        return sync_summary(*(int(n) for n in match.groups()))
    return reason


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the desk shows it: the code's words in the editor's language."""

    entry: AuditEntry
    action: str
    target: str
    reason: str


def shown_rows(entries: list[AuditEntry]) -> list[AuditRow]:
    """The rows of a page of the log, in words."""
    return [AuditRow(entry=e, action=str(ACTION_WORDS.get(e.action, e.action)),
                     target=_target_words(e.target), reason=_reason_words(e.reason))
            for e in entries]
