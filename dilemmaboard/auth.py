"""Editor and researcher accounts: loading the logged-in user, role checks."""
from __future__ import annotations

from flask import Flask
from flask_login import current_user

from .extensions import db, login_manager
from .models import Editor


@login_manager.user_loader
def load_user(user_id: str) -> Editor | None:
    if not user_id.isdigit():
        return None
    return db.session.get(Editor, int(user_id))


def is_privileged() -> bool:
    """Editors and researchers see every result, whatever its visibility mode."""
    return bool(current_user.is_authenticated and current_user.role in ("editor", "researcher"))


def init_app(app: Flask) -> None:
    login_manager.login_view = "admin.login"
    login_manager.session_protection = "strong"
