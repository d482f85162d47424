"""`make screenshots`: PNGs of the main pages, taken in Debian's Chromium, for the README.

    python -m tests.browser.screenshots docs/screenshots

Builds a throwaway site from the sample cases in dilemmas/ (SQLite in a temp
folder), adds demo votes and a few reader comments through the real routes,
serves it on a free loopback port and photographs: the front page, a case with
results and comments (desktop and phone), a closed case with its chart, the
archive, the editors' dashboard, and a case embedded in a partner's page
(tests/browser/partner_screenshot.py).
"""
from __future__ import annotations

import logging
import re
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.partner_screenshot import take_partner
from tests.browser.site import (
    EDITOR,
    ROOT,
    LiveServer,
    add_editor,
    build_app,
    chromium_path,
    launch_chromium,
    seed_history,
)

COMMENTS = [
    (5, "Mette, produktionsleder",
     "Jeg har prøvet at bestemme det selv, og det endte med surhed i flere måneder. "
     "Når folk selv er med til at fordele dagene, tager de også ansvar for vagtplanen."),
    (2, "Jonas",
     "Kurserne skal give mening for jobbet, ellers er det **ferie på firmaets regning**. "
     "Men 50 procent relevans er en fair grænse."),
    (3, "Birgitte H.", "En samlet plan først. Ellers vinder dem, der råber højest."),
    (5, "Ali", "Enig med Mette: snak med alle, også dem der ikke sagde noget på mødet."),
]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def open_case_slug(app) -> str:
    from sqlalchemy import select

    from dilemmaboard.extensions import db
    from dilemmaboard.models import Case, utcnow
    from dilemmaboard.voting.state import open_clause

    with app.app_context():
        case = db.session.scalars(select(Case).where(open_clause(utcnow()))
                                  .order_by(Case.publish_at.desc())).first()
        return case.slug


def closed_slug_with_events(app) -> str:
    """The most recent closed case: it gets demo votes with events for its chart."""
    from sqlalchemy import select

    from dilemmaboard.extensions import db
    from dilemmaboard.models import Case
    from dilemmaboard.voting.state import case_state

    with app.app_context():
        cases = db.session.scalars(select(Case).order_by(Case.publish_at.desc())).all()
        return next(c.slug for c in cases if case_state(c) == "closed")


def add_reader_activity(app, slug: str) -> None:
    """Readers vote and explain their answer, through the real form posts."""
    for option, name, body in COMMENTS:
        client = app.test_client()
        page = client.get(f"/dilemmas/{slug}").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        client.post(f"/dilemmas/{slug}/vote", data={"option": option, "csrf_token": token})
        page = client.get(f"/dilemmas/{slug}").get_data(as_text=True)
        token = CSRF.search(page).group(1)
        response = client.post(f"/dilemmas/{slug}/comments",
                               data={"name": name, "body": body, "csrf_token": token})
        if response.status_code >= 400:
            raise RuntimeError(f"comment refused: {response.status_code}")


def take(out: Path) -> list[Path]:
    if chromium_path() is None:
        raise SystemExit("chromium is not on PATH: apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dilemmaboard-shots-"))
    try:
        cases = work / "dilemmas"
        shutil.copytree(ROOT / "dilemmas", cases)
        app = build_app(work, dilemmas_dir=cases)
        slug = open_case_slug(app)
        closed = closed_slug_with_events(app)
        seed_history(app, slug, 212, seed=3)
        seed_history(app, closed, 340, seed=11)
        add_reader_activity(app, slug)
        add_editor(app)
        written = []
        with LiveServer(app) as server, sync_playwright() as playwright:
            browser = launch_chromium(playwright)

            def shoot(name, path, *, width=1280, height=900, full=False, vote=None, login=False,
                      element=None):
                context = browser.new_context(base_url=server.url, locale="da-DK",
                                              viewport={"width": width, "height": height})
                page = context.new_page()
                if login:
                    page.goto("/admin/login")
                    page.get_by_label("Brugernavn").fill(EDITOR[0])
                    page.get_by_label("Adgangskode").fill(EDITOR[1])
                    page.get_by_role("button", name="Log ind").click()
                    page.wait_for_load_state()
                page.goto(path)
                if vote:
                    page.locator(f'.vote-form input[name="option"][value="{vote}"]').check()
                    page.get_by_role("button", name="Stem").click()
                    page.locator("#results").wait_for()
                    page.evaluate("window.scrollTo(0, 0)")
                    page.evaluate("document.activeElement && document.activeElement.blur()")
                target = out / f"{name}.png"
                if element:
                    page.locator(element).screenshot(path=str(target))
                else:
                    page.screenshot(path=str(target), full_page=full)
                written.append(target)
                context.close()

            shoot("front-page", "/")
            shoot("case-results-desktop", f"/dilemmas/{slug}", full=True, vote=5)
            shoot("case-results-phone", f"/dilemmas/{slug}", width=375, height=812,
                  full=True, vote=5)
            shoot("closed-case-chart", f"/dilemmas/{closed}", element="#vote-area")
            shoot("archive", "/dilemmas", full=True)
            shoot("editors-dashboard", "/admin/", full=True, login=True)
            browser.close()
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> None:
    logging.disable(logging.INFO)  # no request log lines in the make output
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    for path in take(out):
        print(path)
    print(take_partner(out))


if __name__ == "__main__":
    main(sys.argv)
