"""Browser fixtures: one live server and one Chromium per session, a fresh context per test.

Chromium is Debian's package found on PATH (Playwright never downloads a
browser here). Without it the browser tests skip with a reason, unless
REQUIRE_SERVICES contains "chromium" (as in CI), where they fail instead.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.site import (  # noqa: F401 (slugs re-exported for the tests)
    AXE_JS,
    CLOSED_SLUG,
    DRAFT_SLUG,
    EDITOR,
    ENGLISH_SLUG,
    OPEN_SLUG,
    LiveServer,
    add_editor,
    build_app,
    chromium_path,
    launch_chromium,
    seed_history,
)

HERE = Path(__file__).resolve().parent
REQUIRED = {s.strip() for s in os.environ.get("REQUIRE_SERVICES", "").split(",") if s.strip()}


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _need_chromium() -> None:
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed (pip install -e '.[dev]')"
    if problem is None and chromium_path() is None:
        problem = "no chromium on PATH (apt-get install chromium)"
    if problem is None:
        return
    if "chromium" in REQUIRED:
        pytest.fail(f"chromium is required (REQUIRE_SERVICES) but {problem}")
    pytest.skip(f"browser tests skipped: {problem}; set REQUIRE_SERVICES=chromium to fail instead")


class Site:
    """The live app: its URL, the Flask app (for seeding), and the editor's login."""

    def __init__(self, app, url: str):
        self.app = app
        self.url = url
        self.editor = EDITOR

    def path(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    _need_chromium()
    app = build_app(tmp_path_factory.mktemp("browser-site"))
    seed_history(app, CLOSED_SLUG, 240)
    with LiveServer(app) as server:
        yield Site(app, server.url)


@pytest.fixture(scope="session")
def editor_login(site):
    """The editor account, created once through `flask editors add` (issue 4)."""
    add_editor(site.app)
    return EDITOR


@pytest.fixture(scope="session")
def chromium(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


class ConsoleLog:
    """Console errors and uncaught page errors seen in one context."""

    def __init__(self):
        self.errors: list[str] = []

    def watch(self, page) -> None:
        page.on("console", lambda msg: self.errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))


@pytest.fixture
def console():
    return ConsoleLog()


@pytest.fixture
def new_context(chromium, site, console):
    """Open a fresh browser context (cookies, storage) per call; all closed after the test."""
    contexts = []

    def factory(*, javascript: bool = True, width: int = 1280, height: int = 900,
                locale: str = "da-DK", axe: bool = False, storage_state=None,
                color_scheme: str = "light"):
        context = chromium.new_context(
            base_url=site.url, java_script_enabled=javascript, locale=locale,
            viewport={"width": width, "height": height}, storage_state=storage_state,
            color_scheme=color_scheme,
        )
        context.set_default_timeout(10_000)
        if axe:
            # An init script is not an inline <script>: the page's CSP does not apply.
            context.add_init_script(path=str(AXE_JS))
        context.on("page", console.watch)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def editor_state(chromium, site, editor_login):
    """Cookies of a logged-in editor, made once by logging in through the form."""
    from tests.browser.pages import editor_login as log_in

    context = chromium.new_context(base_url=site.url, locale="da-DK")
    log_in(context.new_page(), editor_login)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(new_context):
    """A page in a fresh context: a new reader with no cookies, Danish browser."""
    return new_context().new_page()


def pytest_terminal_summary(terminalreporter):
    """Print axe-core's findings per page type (all impacts) after a browser run."""
    module = __import__("sys").modules.get("tests.browser.test_accessibility")
    if module is None or not module.FINDINGS:
        return
    terminalreporter.section("axe-core per page type (serious/critical fail the test)")
    for line in module.summary_lines():
        terminalreporter.write_line(line)
