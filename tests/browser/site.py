"""A real Dilemmaboard for the browser: case files, a SQLite file, a live HTTP server.

Shared by the browser tests (one server per session) and `make screenshots`.
The server is werkzeug's threaded WSGI server on a free 127.0.0.1 port, serving
the app built by the real factory, in a thread of the test process.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from werkzeug.serving import make_server

from app import create_app
from dilemmaboard.extensions import db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
EDITOR = ("redaktoer", "en-lang-og-hemmelig-adgangskode")
# The cases write_test_cases() makes.
OPEN_SLUG = "kursuspladsen"
ENGLISH_SLUG = "late-delivery"
CLOSED_SLUG = "fredagsbaren"
DRAFT_SLUG = "hemmelig-kladde"
CLOSING_SLUG = "lukkes-undervejs"  # a test closes it while a reader has the page open

OPTIONS_DA = [
    "Du giver ordet til den, der har ventet længst, og beder de andre om at vente.",
    "Du lader gruppen stemme om, hvem der får pladsen.",
    "Du vælger selv ud fra, hvad afdelingen har mest brug for, og forklarer hvorfor.",
    "Du beder din chef om flere penge, så alle kan komme af sted.",
    "Du trækker lod og gør det til en fast ordning for de næste år.",
]
OPTIONS_EN = [
    "You tell the client the truth and accept the risk of losing the deal.",
    "You ask the team for a weekend push and promise time off afterwards.",
    "You move the deadline quietly and hope nobody notices.",
    "You escalate to your own manager before saying anything.",
    "You split the delivery and ship the essential part on time.",
]


def case_file(folder: Path, slug: str, *, title: str, publish: str, closes: str | None = None,
              options: list[str], body: str, extra: str = "", followup: str = "") -> None:
    """Write one case file in the SPEC §2 format."""
    lines = ["---", f"title: {title}", f"publish: {publish}"]
    if closes:
        lines.append(f"closes: {closes}")
    lines.append("options:")
    lines += [f"  - {option}" for option in options]
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ["---", body]
    if followup:
        lines += ["<!-- followup -->", followup]
    (folder / f"{slug}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_test_cases(folder: Path) -> None:
    """The cases the browser tests use: open (da, en), closed with history, draft."""
    folder.mkdir(parents=True, exist_ok=True)
    case_file(
        folder, "kursuspladsen", title="Én kursusplads og fire ansøgere",
        publish="2020-01-06T08:00", closes="2099-01-05T12:00", options=OPTIONS_DA,
        body="Der er penge til **én** kursusplads i år, men fire medarbejdere har søgt.\n\n"
             "Alle fire har gode grunde. Hvad gør du?",
        extra="source: Ledernes Hovedorganisation\ntags: [kompetenceudvikling]",
    )
    case_file(
        folder, "late-delivery", title="The delivery that will be late",
        publish="2019-06-03T08:00", closes="2099-06-10T12:00", options=OPTIONS_EN,
        body="Your team has just found out that the delivery will be two weeks late.",
        extra="language: en",
    )
    case_file(
        folder, "fredagsbaren", title="Fredagsbaren der blev for våd",
        publish="2021-03-01T08:00", closes="2021-03-08T12:00", options=[
            "Du siger ingenting; det er fritid.",
            "Du tager en stille snak med de tre, der drak mest.",
            "Du lukker fredagsbaren i en måned.",
            "Du indfører et loft over antallet af genstande.",
            "Du tager det op på næste personalemøde for alle.",
        ],
        body="Efter sidste fredagsbar var der klager fra rengøringen og fra naboen.",
        followup="Eksperten anbefaler **svar 2**: tal med de berørte først.",
        extra="imported_votes: [4, 30, 6, 9, 11]",
    )
    case_file(
        folder, CLOSING_SLUG, title="Casen der lukker, mens du læser",
        publish="2020-01-06T08:00", closes="2099-01-05T12:00", options=OPTIONS_DA,
        body="Redaktionen lukker denne case, mens en læser har siden åben.",
    )
    case_file(
        folder, "hemmelig-kladde", title="Kladde – lønsamtalen",
        publish="2020-01-06T08:00", closes="2099-01-01T12:00", options=OPTIONS_DA,
        body="En kladde, som kun redaktionen kan se.", extra="draft: true",
    )


def build_app(workdir: Path, dilemmas_dir: Path | None = None, **config):
    """Create the app on a SQLite file in `workdir`, create the tables and sync the cases."""
    workdir.mkdir(parents=True, exist_ok=True)
    if dilemmas_dir is None:
        dilemmas_dir = workdir / "dilemmas"
        write_test_cases(dilemmas_dir)
    settings = {
        "SECRET_KEY": "browser-test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'browser.sqlite3'}",
        "DILEMMAS_DIR": str(dilemmas_dir),
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "DEFAULT_LOCALE": "da",
    }
    settings.update(config)
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        from tests.conftest import run_sync

        run_sync()
    return app


def seed_history(app, slug: str, count: int, *, seed: int = 7) -> None:
    """Spread `count` synthetic votes (with their events) over a case's voting week."""
    from sqlalchemy import select

    from dilemmaboard.models import Case
    from dilemmaboard.voting.demo import seed_votes

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.slug == slug)).one()
        seed_votes(db.session, case, count, seed=seed)
        db.session.commit()


def add_editor(app, username: str = EDITOR[0], password: str = EDITOR[1]) -> None:
    """Create an editor through the documented CLI (`flask editors add --password-stdin`)."""
    result = app.test_cli_runner().invoke(
        args=["editors", "add", username, "--role", "editor", "--password-stdin"],
        input=password + "\n",
    )
    if result.exit_code != 0:
        raise RuntimeError(f"flask editors add failed: {result.output}")


class LiveServer:
    """The app on a free loopback port, served from a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def chromium_path() -> str | None:
    """Debian's Chromium on PATH; Playwright never downloads its own browser here."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright):
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
        env={**os.environ, "LANG": "C.UTF-8"},
    )


AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
