"""Fixtures for the hostile-input suite.

`site` is an app with one case in every state. Every client of it is a
GuardedClient (any 5xx or a response without security headers fails the
test), and when the test ends no stored HTML column may hold executable
markup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from dilemmaboard.extensions import db
from dilemmaboard.models import Comment, Editor
from tests.conftest import Reader, csrf_token_from, write_case
from tests.security.tools import STATS, guard, stored_markup

OPEN, CLOSED, DRAFT, SCHEDULED = "aaben", "lukket", "kladde", "planlagt"
SECOND = "ogsaa-aaben"


def write_cases(folder) -> None:
    write_case(folder, OPEN, title="Den åbne case", body="Hvad gør du?")
    write_case(folder, SECOND, title="Også åben", publish="2020-01-05")
    write_case(folder, CLOSED, title="Den lukkede", publish="2020-01-06",
               closes="2020-01-13T12:00", followup="Ekspertens svar.")
    write_case(folder, DRAFT, title="Kladden", extra="draft: true")
    write_case(folder, SCHEDULED, title="Den planlagte", publish="2090-01-06",
               closes="2090-01-13T12:00")


@pytest.fixture
def make_site(make_app, dilemmas_dir):
    """Build a guarded app with the four cases; keyword arguments override config."""
    write_cases(dilemmas_dir)
    built = []

    def factory(**overrides):
        app = guard(make_app(**overrides))
        built.append(app)
        return app

    yield factory
    for app in built:
        assert not stored_markup(app), "executable markup was stored"


@pytest.fixture
def site(make_site):
    return make_site()


@pytest.fixture
def visitor(site):
    """A reader with an empty cookie jar."""
    return Reader(site.test_client())


PASSWORD = "correct horse battery staple"
EDITOR, RESEARCHER = "redaktoer", "forsker"


def add_account(app, username: str, role: str = "editor") -> None:
    """An account with a cheap hash (tests only: the app itself uses scrypt)."""
    with app.app_context():
        db.session.add(Editor(username=username, role=role, password_hash=generate_password_hash(
            PASSWORD, method="pbkdf2:sha256:1000")))
        db.session.commit()
        db.session.remove()


def login(client: FlaskClient, username: str, password: str = PASSWORD, **extra):
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"username": username, "password": password,
                                             "csrf_token": token, **extra})


def post_comment(reader: Reader, slug: str, body: str, name: str = "Mette", **extra):
    token = reader.token(f"/dilemmas/{slug}")
    return reader.client.post(f"/dilemmas/{slug}/comments",
                              data={"name": name, "body": body, "csrf_token": token, **extra})


def latest_comment(app) -> Comment | None:
    with app.app_context():
        comment = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
        db.session.remove()
        return comment


def comment_id_from(response) -> int:
    return int(re.search(r"#comment-(\d+)", response.headers["Location"]).group(1))


@dataclass
class World:
    """A site with a comment by `author`, a logged-in editor and researcher, and a stranger."""

    app: object
    author: Reader
    comment_id: int
    editor: FlaskClient
    researcher: FlaskClient
    stranger: Reader

    def reader(self) -> Reader:
        return Reader(self.app.test_client())


def build_world(app, *, researcher: bool = True) -> World:
    author = Reader(app.test_client())
    assert author.vote(OPEN, "2").status_code == 303
    response = post_comment(author, OPEN, "Fordi det er *rimeligt*.")
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    add_account(app, EDITOR, "editor")
    editor = app.test_client()
    assert login(editor, EDITOR).status_code == 303
    other = app.test_client()
    if researcher:
        add_account(app, RESEARCHER, "researcher")
        assert login(other, RESEARCHER).status_code == 303
    return World(app, author, comment_id_from(response), editor, other,
                 Reader(app.test_client()))


@pytest.fixture
def world(site) -> World:
    return build_world(site)


def pytest_sessionfinish(session):
    """Under pytest-xdist, hand this worker's counts to the controller."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["hostile_stats"] = dict(STATS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for key, value in getattr(node, "workeroutput", {}).get("hostile_stats", {}).items():
        STATS[key] += value


def pytest_terminal_summary(terminalreporter):
    if STATS["responses"]:
        terminalreporter.write_line(
            f"hostile-input suite: {STATS['responses']} responses checked, "
            f"{STATS['5xx']} answered 5xx"
        )
