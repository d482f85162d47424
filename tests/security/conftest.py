"""Fixtures for the hostile-input suite.

`site` is an app with one case in every state. Every client of it is a
GuardedClient (any 5xx or a response without security headers fails the
test), and when the test ends no stored HTML column may hold executable
markup.
"""
from __future__ import annotations

import pytest

from tests.conftest import Reader, write_case
from tests.security.tools import STATS, guard, stored_markup

OPEN, CLOSED, DRAFT, SCHEDULED = "aaben", "lukket", "kladde", "planlagt"


def write_cases(folder) -> None:
    write_case(folder, OPEN, title="Den åbne case", body="Hvad gør du?")
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


def pytest_terminal_summary(terminalreporter):
    if STATS["responses"]:
        terminalreporter.write_line(
            f"hostile-input suite: {STATS['responses']} responses checked, "
            f"{STATS['5xx']} answered 5xx"
        )
