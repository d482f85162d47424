"""Every page type: no console errors (CSP violations included), no sideways scroll on a phone."""
from __future__ import annotations

import pytest

from tests.browser.pages import PAGE_TYPES, open_page_type

WIDEST_PHONE_CHECKED = 375


def sideways(page) -> list[int]:
    return page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_phone_page_has_no_console_errors_and_no_sideways_scroll(name, new_context, console,
                                                                 editor_state):
    page = open_page_type(new_context, editor_state, name, width=WIDEST_PHONE_CHECKED,
                          height=740)
    errors = [e for e in console.errors
              if not (name == "error page (404)" and "status of 404" in e)]
    assert not errors, f"{name}: console errors {errors}"
    for width in (WIDEST_PHONE_CHECKED, 320):
        page.set_viewport_size({"width": width, "height": 740})
        scroll, client = sideways(page)
        assert scroll <= client, f"{name} scrolls sideways at {width}px: {scroll} > {client}"
