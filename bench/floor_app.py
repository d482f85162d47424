"""The floor: a bare Flask + Flask-SQLAlchemy app whose POST inserts one row.

It reads DATABASE_URL with the same settings as the service (URL spelling,
pool options, and on SQLite the same WAL / busy-timeout pragmas), so the vote
POST ÷ this POST ratio measures what the vote itself costs: the CSRF check,
the reader cookie, the duplicate check, the event and the tally.

    python -m bench.floor_app init      # create the table (once, before gunicorn)
    gunicorn -c gunicorn.conf.py bench.floor_app:app
"""
from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dilemmaboard import config, database


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class FloorRow(db.Model):
    __tablename__ = "bench_floor_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.normalise_database_url(
        os.environ["DATABASE_URL"]
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config.DEFAULTS["SQLALCHEMY_ENGINE_OPTIONS"])
    database.init_app(app)  # the service's SQLite pragmas and timeout
    db.init_app(app)

    @app.post("/insert")
    def insert():
        """Insert one row from a form field, commit, redirect (as the vote does)."""
        value = request.form.get("value", "0")
        row = FloorRow(value=int(value) if value.isdigit() else 0,
                       created_at=datetime.now(UTC).replace(tzinfo=None))
        db.session.add(row)
        db.session.commit()
        return redirect("/", code=303)

    @app.get("/")
    def index():
        return "floor\n"

    @app.get("/hello")
    def hello():
        """Flask's own floor: no database, no session, a constant body."""
        return "Hello, World!\n"

    return app


app = create_app() if __name__ != "__main__" else None

if __name__ == "__main__":
    if sys.argv[1:] != ["init"]:
        sys.exit("usage: python -m bench.floor_app init")
    made = create_app()
    with made.app_context():
        db.create_all()
