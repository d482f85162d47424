"""The desk's door for a request: the logged-in user, the editor check, the login throttle.

Sessions end for every copy of the cookie at logout or a password change, and
hold only for the client that logged in; every way of logging
in (the form, HTTP Basic auth) spends one budget per account and per IP hash,
counting failed attempts only.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from dilemmaboard.desk.accounts import ROLES, normalise_username
from dilemmaboard.extensions import db, limiter, login_manager
from dilemmaboard.models import Editor
from dilemmaboard.refusal import Refused
from dilemmaboard.web.privacy import keyed_hash

# What the login page stores in the session beside Flask-Login's user id.
SESSION_GENERATION = "auth_gen"
SESSION_CLIENT = "auth_client"


@login_manager.user_loader
def load_user(user_id: str) -> Editor | None:
    """The logged-in account, if the session is still one of its current ones.

    A session is void once the account logs out anywhere or changes its password
    (both move its session generation on), and when it comes from another client
    (address after TRUSTED_PROXIES, and user agent) than the one that logged in.
    """
    if not user_id.isdigit():
        return None
    editor = db.session.get(Editor, int(user_id))
    if (editor is None or session.get(SESSION_GENERATION) != editor.session_generation
            or session.get(SESSION_CLIENT) != client_identifier()):
        return None
    return editor


def client_identifier() -> str:
    """Who holds the session: the client's address as ProxyFix leaves it (X-Forwarded-For
    counts only behind TRUSTED_PROXIES) and its user agent, as a keyed hash."""
    agent = request.headers.get("User-Agent", "")
    return keyed_hash("session-client", f"{request.remote_addr}|{agent}")[:32]


def open_session(editor: Editor) -> None:
    """Log `editor` in on a fresh session (no fixation), tied to this client and to the
    account's current session generation."""
    session.clear()
    session[SESSION_GENERATION] = editor.session_generation
    session[SESSION_CLIENT] = client_identifier()
    login_user(editor)


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


# --- the login budget: one per account and one per address, for every way in ----------

def login_limit() -> str:
    return current_app.config["LOGIN_LIMIT"]


def login_ip_limit() -> str:
    return current_app.config["LOGIN_IP_LIMIT"]


def account_key(username: str) -> str:
    """Limiter key for the account being tried (a keyed hash: no usernames in Redis)."""
    name = normalise_username(username or "")[:200]
    return "login-account:" + keyed_hash("login-account", name)[:32]


def form_account_key() -> str:
    return account_key(request.form.get("username", ""))


def basic_account_key() -> str:
    auth = request.authorization
    return account_key(auth.username if auth is not None and auth.username else "")


def no_basic_auth() -> bool:
    return "Authorization" not in request.headers


def wrong_password(response) -> bool:
    """Only a refused password counts (401), and only when the budget was asked this
    request: a storage that did not answer is not asked again (it fails open once)."""
    return response.status_code == 401 and bool(limiter.current_limits)


def login_budget(account_key_func: Callable[[], str], **options):
    """The login budget for a view that checks a password: LOGIN_LIMIT per account and
    LOGIN_IP_LIMIT per address, shared (one scope each) by the login form and HTTP Basic
    auth on every route. Wrong passwords count; while either is spent even the right
    password is refused (429 with Retry-After). `options`: when the view checks none."""
    per_account = limiter.shared_limit(login_limit, scope="login-account",
                                       key_func=account_key_func,
                                       deduct_when=wrong_password, **options)
    per_address = limiter.shared_limit(login_ip_limit, scope="login-address",
                                       deduct_when=wrong_password, **options)

    def decorate(view):
        return per_account(per_address(view))
    return decorate


def init_app(app: Flask) -> None:
    login_manager.login_view = "admin.login"
    login_manager.login_message = _l("Log ind for at se redaktionens sider.")
    login_manager.login_message_category = "info"
    # Flask-Login's own session protection would read X-Forwarded-For from any client:
    # load_user checks the client instead (client_identifier).
    login_manager.session_protection = None
