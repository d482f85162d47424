"""The README's picture of a case embedded in a partner's page (part of `make screenshots`).

    python -m tests.browser.partner_screenshot docs/screenshots

A made-up partner article on https://localhost frames this week's sample case
from https://127.0.0.1 through the loader (static/embed.js); a reader votes in
the frame and the page is photographed with the results showing.
"""
from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from dilemmaboard.partners.sharing import loader_html
from tests.browser.partner_sites import (
    APP_HOST,
    PARTNER_HOST,
    PARTNER_ID,
    Certificates,
    HttpsServer,
    Pages,
    build_partner_app,
)
from tests.browser.site import ROOT, launch_chromium, seed_history
from tests.servers import free_port

ARTICLE = """
<div style="font-family: Georgia, serif; max-width: 760px; margin: 0 auto; padding: 24px;
            color: #222; background: #fff">
  <p style="font: 600 14px sans-serif; color: #a01c1c; letter-spacing: .08em">
  LEDERNE.DK · LEDELSE</p>
  <h1 style="font-size: 34px; margin: 8px 0">Ugens dilemma: Hvad ville du gøre?</h1>
  <p style="font-size: 18px; line-height: 1.5">Hver uge lægger vi et ledelsesdilemma frem.
  Stem her på siden, og se hvordan andre ledere har svaret.</p>
  {loader}
  <p style="font-size: 16px; color: #555">Dilemmaet bringes i samarbejde med Dilemmaboard.</p>
</div>
"""


def take_partner(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="dilemmaboard-partner-shot-"))
    certificates, partner = Certificates(), Pages()
    port = free_port()
    try:
        cases = work / "dilemmas"
        shutil.copytree(ROOT / "dilemmas", cases)
        with HttpsServer(partner, PARTNER_HOST, certificates) as partner_server:
            app = build_partner_app(work, port, partner_server.url)
            with app.app_context():
                from dilemmaboard.extensions import db
                from dilemmaboard.voting.state import this_weeks_case

                slug = this_weeks_case(db.session).slug
            seed_history(app, slug, 153, seed=5)
            partner.pages["/"] = ARTICLE.format(loader=loader_html(
                f"https://{APP_HOST}:{port}/static/embed.js", "current", PARTNER_ID))
            with HttpsServer(app, APP_HOST, certificates, port=port), \
                    sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                context = browser.new_context(ignore_https_errors=True, locale="da-DK",
                                              viewport={"width": 1000, "height": 1340})
                page = context.new_page()
                page.goto(partner_server.url + "/")
                page.wait_for_function("document.querySelector('iframe').style.height !== ''")
                frame = page.frame_locator("iframe.dilemmaboard-embed")
                frame.locator("label.option").nth(1).click()
                frame.get_by_role("button", name="Stem").click()
                frame.locator("#results").wait_for()
                page.wait_for_timeout(500)  # the frame takes the results' height
                target = out / "partner-embed.png"
                # Not full_page: Chromium draws a cross-site frame shifted when it
                # stretches the view for a full-page picture.
                page.screenshot(path=str(target))
                browser.close()
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> None:
    logging.disable(logging.INFO)
    print(take_partner(Path(argv[1] if len(argv) > 1 else "docs/screenshots")))


if __name__ == "__main__":
    main(sys.argv)
