"""Engine settings per database: SQLite tuned for several processes, PostgreSQL for outages."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

# How long a request waits for SQLite's write lock, and for a PostgreSQL
# connection, before it gives up with a 503 (gunicorn kills a worker at 30 s).
SQLITE_BUSY_TIMEOUT_MS = 20_000
PG_CONNECT_TIMEOUT_S = 5


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # The busy timeout first: it makes a second writer wait for the lock
    # instead of failing with "database is locked", also for the pragmas below.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # WAL lets readers and one writer work at once, across processes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        _sqlite_pragmas(dbapi_connection, record)


def engine_options(uri: str, configured: dict | None) -> dict:
    """The engine options for this database, on top of what the config asks for."""
    options = dict(configured or {})
    connect_args = dict(options.get("connect_args") or {})
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    elif uri.startswith("postgresql"):
        # A dead server answers /healthz and pages with a 503 in seconds, not minutes.
        connect_args.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
        options.setdefault("pool_pre_ping", True)
        # A gevent process serves many requests at once; a request waits (cooperatively)
        # for a free connection, at most pool_timeout, rather than the server's limit.
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 10)
        options.setdefault("pool_timeout", 10)
        options.setdefault("pool_recycle", 1800)
    options["connect_args"] = connect_args
    return options


def init_app(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        uri, app.config.get("SQLALCHEMY_ENGINE_OPTIONS")
    )


def insert_unless_present(session, model, values: dict, unique: list[str] | None) -> int | None:
    """INSERT a row unless one with the same `unique` columns exists; the new id or None.
    `unique=None`: unless it would break any of the table's unique constraints.

    `INSERT … ON CONFLICT DO NOTHING` on both databases: concurrent requests
    can neither double the row nor fail on the unique constraint.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    return session.execute(
        insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
        .returning(table.c.id)
    ).scalar()
