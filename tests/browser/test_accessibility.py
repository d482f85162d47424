"""axe-core (vendored from npm, injected by Playwright) on every page type.

No serious or critical violation is allowed. The summary of every finding,
minor and moderate included, is printed at the end of the run (`-rA` or `-s`).
"""
from __future__ import annotations

import pytest

from tests.browser.pages import PAGE_TYPES, open_page_type

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                          "wcag22aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FINDINGS: dict[str, list[str]] = {}


def describe(violation: dict) -> str:
    nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['impact']}: {violation['id']} ({violation['help']}) at {nodes}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_serious_or_critical_axe_violations(name, scheme, new_context, editor_state):
    """Both colour schemes (prefers-color-scheme), so the dark one's contrast is checked too."""
    page = open_page_type(new_context, editor_state, name, axe=True, color_scheme=scheme)
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations = result["violations"]
    label = name if scheme == "light" else f"{name} (dark)"
    FINDINGS[label] = [describe(v) for v in violations]
    serious = [describe(v) for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{label}: " + "\n".join(serious)


def summary_lines() -> list[str]:
    lines = []
    for name, found in FINDINGS.items():
        lines.append(f"{name}: {len(found)} violation(s)" + "".join(f"\n    {f}" for f in found))
    return lines


def test_axe_harness_reports_a_planted_violation(new_context):
    """The check can fail: an image without alt text on a real page is reported."""
    page = new_context(axe=True).new_page()
    page.goto("/dilemmas")
    page.evaluate("""() => {
        const img = document.createElement("img");
        img.src = "/static/favicon.svg";
        document.querySelector("main").appendChild(img);
    }""")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert "image-alt" in {v["id"] for v in result["violations"]}
