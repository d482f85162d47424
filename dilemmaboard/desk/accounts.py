"""Editor and researcher accounts: passwords and the check of a login.

Passwords are hashed with scrypt (slow on purpose); there is no default
account. Roles: `editor` (the whole desk) and `researcher` (the record-level
exports only).
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from dilemmaboard.models import Editor

ROLES = ("editor", "researcher")
PASSWORD_MIN_LENGTH = 10
# Checked against when the username is unknown, so a wrong name costs as much time as a
# wrong password (no account enumeration by timing). A fixed scrypt hash of a dummy
# password with the same parameters as real ones: computing it at import cost every
# process start (each `flask` command, each worker) 0.1 s of scrypt.
_DUMMY_HASH = (
    "scrypt:32768:8:1$HUzG8NCemm5Z9n3c$e5f0ec34a624eba1b564e692b40c391470412506f1c76904e95742"
    "37f525df7552aa93d2738862a380f7b267f6583d6de09f84e027bb6adbcbb26cb343c24c7d"
)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def password_problem(password: str) -> str | None:
    """A reason the password is not acceptable, or None."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"the password must be at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > 1024:
        return "the password is longer than 1024 characters"
    return None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def find_editor(session, username: str) -> Editor | None:
    name = normalise_username(username)
    return session.scalars(select(Editor).where(func.lower(Editor.username) == name)).first()


def authenticate(session, username: str, password: str) -> Editor | None:
    """Return the account if the password matches; the same work is done for unknown names."""
    editor = find_editor(session, username) if username else None
    stored = editor.password_hash if editor is not None else _DUMMY_HASH
    matches = check_password_hash(stored, password)
    return editor if editor is not None and matches else None


def end_sessions(session, editor_id: int) -> None:
    """Void every open session of the account (logout, a new password): each one carries
    the generation it was opened in, and that moves on."""
    session.execute(update(Editor).where(Editor.id == editor_id)
                    .values(session_generation=Editor.session_generation + 1))
