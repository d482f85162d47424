"""Make the readers that the load tool plays, one line each: `Cookie header<TAB>csrf token`.

A reader who opens a case page for the first time gets a session cookie that
holds their CSRF token, and (on an unshuffled case) no voter cookie yet. This
script makes exactly that state with the service's own code and SECRET_KEY,
so the load tool need not fetch a page before every POST:

    python -m bench.readers fresh N OUT          # new readers: each POST is a first vote
    python -m bench.readers voted SLUG N OUT     # readers who have voted on SLUG (commenters)

Run it with the same environment as the server (SECRET_KEY, DATABASE_URL).
"""
from __future__ import annotations

import secrets
import sys

from flask import Flask, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from app import create_app
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.voting.casting import cast_vote
from dilemmaboard.web.privacy import _serializer, keyed_hash


def session_reader(app: Flask) -> tuple[str, str]:
    """A session cookie holding a fresh CSRF secret, and the form token for it."""
    with app.test_request_context("/"):
        token = generate_csrf()
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}", token


def fresh_readers(app: Flask, count: int) -> list[str]:
    return ["\t".join(session_reader(app)) for _ in range(count)]


def voted_readers(app: Flask, slug: str, count: int) -> list[str]:
    """Readers with a voter cookie whose vote on `slug` is stored (so they may comment)."""
    voter_cookies = []
    with app.test_request_context("/"):
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        for i in range(count):
            voter_id = secrets.token_urlsafe(24)
            cast_vote(db.session, case, keyed_hash("voter", voter_id), i % 5 + 1)
            voter_cookies.append(_serializer().dumps(voter_id))
        db.session.commit()
    # Each session in a request context of its own: Flask-WTF keeps the token in `g`.
    lines = []
    for voter_cookie in voter_cookies:
        cookie, token = session_reader(app)
        lines.append(f"{cookie}; {app.config['VOTER_COOKIE']}={voter_cookie}\t{token}")
    return lines


def main(argv: list[str]) -> None:
    app = create_app()
    if argv[:1] == ["fresh"] and len(argv) == 3:
        lines = fresh_readers(app, int(argv[1]))
    elif argv[:1] == ["voted"] and len(argv) == 4:
        lines = voted_readers(app, argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)
    with open(argv[-1], "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
