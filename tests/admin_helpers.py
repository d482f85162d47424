"""Helpers for the editors' desk tests: a site with a case in every state, logins, an editor."""
from __future__ import annotations

import base64
import csv
import io
import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from dilemmaboard.extensions import db
from dilemmaboard.models import AuditEntry, Case, Comment
from tests.conftest import Reader, csrf_token_from, write_case

PASSWORD = "korrekt hest batteri hæfteklamme"
OPEN, CLOSED, DRAFT, SCHEDULED = "aaben", "lukket", "kladde", "planlagt"


def write_desk_cases(folder) -> None:
    """Replace the sample folder with one case in every state."""
    for path in folder.glob("*.md"):
        path.unlink()
    write_case(folder, OPEN, title="Den åbne case", body="Hvad gør du nu?",
               followup="Ekspertens svar på den åbne.")
    write_case(folder, CLOSED, title="Den lukkede case", publish="2020-01-06",
               closes="2020-01-13T12:00", followup="Ekspertens svar på den lukkede.")
    write_case(folder, DRAFT, title="Kladden til næste uge", extra="draft: true",
               followup="Kladdens opfølgning.")
    write_case(folder, SCHEDULED, title="Den planlagte case", publish="2090-01-06",
               closes="2090-01-13T12:00", followup="Den planlagtes opfølgning.")


def desk_app(make_app, dilemmas_dir, **config):
    write_desk_cases(dilemmas_dir)
    return make_app(**config)


def add_login(app, username: str = "redaktor", role: str = "editor",
              password: str = PASSWORD):
    """Create a login the way an operator does: `flask editors add --password-stdin`."""
    result = app.test_cli_runner().invoke(
        args=["editors", "add", username, "--role", role, "--password-stdin"],
        input=password + "\n",
    )
    assert result.exit_code == 0, (result.output, repr(result.exception))
    return result


def token_of(client, path: str = "/admin/login") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def log_in(client, username: str = "redaktor", password: str = PASSWORD, next_: str = "",
           **extra):
    """Post the real login form and return the response (not followed)."""
    data = {"username": username, "password": password, "csrf_token": token_of(client),
            "next": next_, **extra}
    return client.post("/admin/login", data=data)


class Desk:
    """An editor's browser: logged in through the login page."""

    def __init__(self, client, username: str = "redaktor"):
        self.client = client
        self.username = username
        response = log_in(client, username)
        assert response.status_code == 303, response.get_data(as_text=True)

    def token(self) -> str:
        return token_of(self.client, "/admin/")

    def get(self, path: str):
        return self.client.get(path)

    def page(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def post(self, path: str, **data):
        return self.client.post(path, data={"csrf_token": self.token(), **data})

    def moderate(self, comment_id: int, action: str, reason: str = "", **extra):
        return self.post(f"/admin/comments/{comment_id}/moderate", action=action,
                         reason=reason, **extra)

    def bulk(self, ids: list[int], action: str, reason: str = ""):
        data = {"csrf_token": self.token(), "action": action, "reason": reason,
                "ids": [str(i) for i in ids]}
        return self.client.post("/admin/comments/bulk", data=data)


def is_local(location: str) -> bool:
    parts = urlsplit(location)
    return (location.startswith("/") and not location.startswith("//") and "\\" not in location
            and not parts.scheme and not parts.netloc)


def audit_rows(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [(e.editor, e.action, e.target, e.reason) for e in db.session.scalars(
            select(AuditEntry).order_by(AuditEntry.id))]


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def case_row(app, slug: str) -> tuple[str | None, str | None]:
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        return case.state_override, case.override_reason


def comment_status(app, comment_id: int) -> str:
    with app.app_context():
        return db.session.get(Comment, comment_id).status


def basic(username: str = "redaktor", password: str = PASSWORD) -> dict:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def exported_comment_ids(client, headers: dict) -> list[int]:
    response = client.get("/export/comments.csv", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True), newline=""))
    return [int(row["comment_id"]) for row in rows]


def feed_text(client, slug: str) -> str:
    response = client.get(f"/dilemmas/{slug}/comments.xml")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


INLINE_CODE = re.compile(r"""\sstyle\s*=|\son[a-z]+\s*=|<script(?![^>]*\ssrc=)""", re.I)


def assert_csp_clean(html: str) -> None:
    """No style="" attributes, no on*= handlers, no inline <script> (CSP forbids them)."""
    match = INLINE_CODE.search(html)
    assert match is None, html[max(0, match.start() - 80):match.end() + 80]


def write_comment(app, slug: str = OPEN, body: str = "Fordi alle skal høres.",
                  name: str = "Anne", option: int = 2, reader=None) -> int:
    """Vote and comment as a new reader through the real pages; return the comment's id."""
    reader = reader or Reader(app.test_client())
    assert reader.vote(slug, option).status_code == 303
    response = reader.client.post(f"/dilemmas/{slug}/comments", data={
        "name": name, "body": body, "csrf_token": reader.token(f"/dilemmas/{slug}")})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(
            select(Comment.id).where(Comment.body_md == body).order_by(Comment.id.desc())
        ).first()


def report(app, comment_id: int, slug: str = OPEN, times: int = 1) -> None:
    """Readers report a comment through the real button, each from their own address
    (one address counts once a day)."""
    for n in range(times):
        reader = Reader(app.test_client())
        reader.client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n + 1}"
        response = reader.client.post(f"/comments/{comment_id}/report",
                                      data={"csrf_token": reader.token(f"/dilemmas/{slug}"),
                                            "reason": "offensive"})
        assert response.status_code == 303, response.get_data(as_text=True)
