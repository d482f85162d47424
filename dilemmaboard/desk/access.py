"""The desk's door for a request: the logged-in user, the editor check, the login throttle.

Sessions are tied to the password they were opened with; the login is
throttled per account and per IP hash, counting failed attempts only.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dilemmaboard.desk.accounts import ROLES, normalise_username
from dilemmaboard.extensions import db, login_manager
from dilemmaboard.models import Editor
from dilemmaboard.refusal import Refused
from dilemmaboard.web.privacy import keyed_hash

SESSION_FINGERPRINT = "auth_fp"


@login_manager.user_loader
def load_user(user_id: str) -> Editor | None:
    """The logged-in account; a session from before a password change or removal is void."""
    if not user_id.isdigit():
        return None
    editor = db.session.get(Editor, int(user_id))
    # The login page stores the fingerprint; every session it opened ends when the
    # password changes. (A signed session without one can only come from our own code.)
    fingerprint = session.get(SESSION_FINGERPRINT)
    if editor is None or (fingerprint is not None and fingerprint != password_fingerprint(editor)):
        return None
    return editor


def password_fingerprint(editor: Editor) -> str:
    """Ties a session to the password it was opened with (`flask editors passwd` ends it)."""
    return keyed_hash("session-password", f"{editor.id}:{editor.password_hash}")[:32]


def is_privileged() -> bool:
    """Editors and researchers see every result, whatever its visibility mode."""
    return bool(current_user.is_authenticated and current_user.role in ROLES)


# --- the desk's door ------------------------------------------------------------

def require_editor() -> None:
    """Let an editor through; anonymous -> the login page, any other login -> 403."""
    if not current_user.is_authenticated:
        if request.method != "GET":
            # A form posted from an expired session: `next` would lead to a 405 after login.
            abort(redirect(url_for(login_manager.login_view), code=303))
        # flask-login answers with a redirect to the login page (`next` = this path).
        abort(login_manager.unauthorized())
    if current_user.role != "editor":
        raise Refused("forbidden", _l("Kun redaktører har adgang til redaktionens sider."))


# --- the login throttle ----------------------------------------------------------

def login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def login_ip_limit() -> str:
    return current_app.config["LOGIN_IP_LIMIT"]


def login_account_key() -> str:
    """Limiter key for the account being tried (a keyed hash: no usernames in Redis)."""
    name = normalise_username(request.form.get("username", ""))[:200]
    return "login-account:" + keyed_hash("login-account", name)[:32]


def failed_login(response) -> bool:
    """Only failed attempts count towards the throttle; a successful login redirects."""
    return response.status_code not in (302, 303)


def init_app(app: Flask) -> None:
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Log ind for at se redaktionens sider.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
