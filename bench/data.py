"""The data each figure needs: fresh databases, case files, synthetic comments.

Everything is written under bench/.work/ (git-ignored). A PostgreSQL run gets
a fresh schema in the given database, named in DATABASE_URL through the libpq
`options` parameter, and dropped afterwards.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
PYTHON = ROOT / ".venv" / "bin" / "python"
FLASK = [str(PYTHON), "-m", "flask", "--app", "app"]
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"

CASE_BODY = """Mette er afdelingsleder i en kommunal forvaltning med 14 medarbejdere. \
Budgettet til efteruddannelse rækker til **fem kompetencedage** i år, men syv \
medarbejdere har søgt, og to af dem har fået løfter af hendes forgænger.

Tillidsrepræsentanten har bedt om et møde, og direktøren vil have en plan \
inden fredag. Samtidig har to af de mest erfarne medarbejdere antydet, at de \
ser sig om efter noget andet, hvis de igen bliver forbigået.

Hvad gør du?
"""
OPTIONS = [
    "Du imødekommer ønskerne i den rækkefølge, de kom ind, og forklarer reglen åbent.",
    "Du imødekommer ønskerne, men betinger dig, at deltagerne deler det lærte med resten.",
    "Du udarbejder en samlet plan for hele afdelingens udvikling over de næste to år.",
    "Du meddeler din chef, at budgettet er for lille, og beder om flere midler.",
    "Du indkalder alle medarbejdere til en åben drøftelse af, hvem der skal afsted.",
]
COMMENT_BODY = (
    "Jeg valgte at betinge mig, at de deler det lærte, fordi *fem dage* ellers bliver "
    "fem menneskers private gevinst. I min egen afdeling gjorde vi det sådan sidste år, "
    "og det virkede: [her er vores skabelon](https://example.org/skabelon).\n\n"
    "Det vigtigste er, at reglen er kendt **før** nogen søger, ikke bagefter."
)


@dataclass
class BenchDatabase:
    """A fresh, empty database for one section of the run."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    schema: str | None = None
    admin_url: str | None = None
    env: dict = field(default_factory=dict)

    @classmethod
    def fresh(cls, kind: str, folder: Path, postgres_url: str) -> BenchDatabase:
        if kind == "sqlite":
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
            return cls(kind, f"sqlite:///{path}")
        schema = "bench_" + uuid.uuid4().hex[:10]
        admin = _sqlalchemy_url(postgres_url)
        engine = create_engine(admin)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        separator = "&" if "?" in postgres_url else "?"
        url = postgres_url + separator + "options=" + quote(f"-csearch_path={schema}")
        return cls(kind, url, schema=schema, admin_url=admin)

    def drop(self) -> None:
        if self.schema:
            engine = create_engine(self.admin_url)
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()
        elif self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///"):])
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

    def analyze(self) -> None:
        """PostgreSQL: VACUUM ANALYZE this schema's tables, as autovacuum does soon after a
        bulk load; without statistics the planner guesses 1 row and sorts whole threads."""
        if not self.schema:
            return
        engine = create_engine(_sqlalchemy_url(self.url), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                tables = conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :schema"
                ), {"schema": self.schema}).scalars().all()
                for table in tables:
                    conn.execute(text(f'VACUUM ANALYZE "{self.schema}"."{table}"'))
        finally:
            engine.dispose()

    def scalar(self, sql: str, **params):
        engine = create_engine(_sqlalchemy_url(self.url))
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def describe(self) -> str:
        if self.kind == "sqlite":
            import sqlite3

            return f"SQLite {sqlite3.sqlite_version} (WAL, one file)"
        version = self.scalar("SHOW server_version")
        return f"PostgreSQL {version} on 127.0.0.1 (fresh schema)"


def postgres_reachable(url: str) -> bool:
    try:
        engine = create_engine(_sqlalchemy_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def service_env(database: BenchDatabase, dilemmas_dir: Path) -> dict:
    """The environment the service, the CLI and the helpers run with."""
    return {
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database.url,
        "DILEMMAS_DIR": str(dilemmas_dir),
        "RATELIMIT_ENABLED": "false",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PYTHONPATH": str(ROOT),
    }


def run(cmd: list[str], env: dict, *, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run a helper command in the project root; fail loudly with its output."""
    done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"command failed ({done.returncode}): {' '.join(cmd)}")
    if not quiet:
        sys.stdout.write(done.stdout)
    return done


def create_tables(env: dict) -> None:
    """The schema straight from the models (as the tests make it)."""
    run([str(PYTHON), "-c", "from app import create_app\n"
         "from dilemmaboard.extensions import db\n"
         "app = create_app()\n"
         "with app.app_context():\n    db.create_all()\n"], env)


def case_file(slug: str, *, title: str, results: str = "always", number: int = 0) -> str:
    options = "\n".join(f"  - \"{text} ({number})\"" if number else f"  - \"{text}\""
                        for text in OPTIONS)
    return (f"---\ntitle: \"{title}\"\npublish: 2020-01-06T08:00\ncloses: 2099-01-01T12:00\n"
            f"slug: {slug}\nresults: {results}\nlanguage: da\ntags: [benchmark]\n"
            f"options:\n{options}\n---\n{CASE_BODY}\n<!-- followup -->\n"
            "Ekspertens kommentar kommer, når afstemningen er lukket.\n")


# The cases the HTTP figures use; all open, results shown to everyone.
BENCH_CASES = {
    "bench-empty": "Fem kompetencedage (0 stemmer)",
    "bench-million": "Fem kompetencedage (mange stemmer)",
    "bench-vote": "Fem kompetencedage (stemmes på under målingen)",
    "bench-c10": "Fem kompetencedage (10 kommentarer)",
    "bench-c5000": "Fem kompetencedage (5.000 kommentarer)",
    "bench-c3600": "Fem kompetencedage (3.600 kommentarer)",
    "bench-comment": "Fem kompetencedage (kommenteres under målingen)",
}


def write_bench_cases(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for slug, title in BENCH_CASES.items():
        (folder / f"{slug}.md").write_text(case_file(slug, title=title), encoding="utf-8")
    return folder


def write_sync_cases(folder: Path, count: int = 1000) -> Path:
    """`count` valid case files, each with its own slug, title and option texts."""
    if folder.is_dir() and len(list(folder.glob("*.md"))) == count:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        slug = f"sync-case-{n:04d}"
        (folder / f"{slug}.md").write_text(
            case_file(slug, title=f"Dilemma nummer {n}", results="after_vote", number=n),
            encoding="utf-8",
        )
    return folder
