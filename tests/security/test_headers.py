"""Every response carries the security headers; templates keep to the CSP."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.security.conftest import OPEN
from tests.security.tools import ROUTE_VALUES, executable_markup, fill, get_routes

TEMPLATES = ROOT / "templates"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_security_headers(response) -> None:
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    for name in ("script-src", "style-src", "default-src"):
        values = policy.get(name, [])
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values
        assert "*" not in values and "data:" not in values
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["font-src"] == ["'self'"]  # the type in static/fonts/, nothing else
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method, path", [
    ("GET", "/"),
    ("GET", "/dilemmas"),
    ("GET", f"/dilemmas/{OPEN}"),
    ("GET", "/dilemmas/kladde"),
    ("GET", "/no-such-page"),
    ("GET", "/static/style.css"),
    ("GET", "/static/app.js"),
    ("GET", "/healthz"),
    ("GET", "/feed.xml"),
    ("GET", "/api/dilemmas"),
    ("GET", "/export/tallies.csv"),
    ("GET", "/admin/login"),
    ("GET", f"/dilemmas/{OPEN}/vote"),
    ("POST", f"/dilemmas/{OPEN}/vote"),
    ("DELETE", "/dilemmas"),
])
def test_every_kind_of_response_has_the_headers(site, method, path):
    response = site.test_client().open(path, method=method)
    assert response.status_code < 500
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_every_get_route_has_the_headers(site):
    client = site.test_client()
    for rule in get_routes():
        path = fill(rule, **ROUTE_VALUES)
        response = client.get(path)
        assert response.status_code < 500, path
        assert_security_headers(response)


PARTNER_ORIGIN = "https://www.lederne.dk"


def test_only_the_embed_routes_may_be_framed_and_only_by_partners(site):
    """With a partner registered, every GET route but /embed/ keeps 'none' and DENY."""
    result = site.test_cli_runner().invoke(args=[
        "partners", "add", "lederne", "--name", "Lederne", "--origin", PARTNER_ORIGIN])
    assert result.exit_code == 0, result.output
    client = site.test_client()
    framable = []
    for rule in get_routes():
        response = client.get(fill(rule, **ROUTE_VALUES) + "?partner=lederne")
        assert response.status_code < 500, rule
        policy = directives(response.headers["Content-Security-Policy"])
        if policy["frame-ancestors"] != ["'none'"]:
            assert policy["frame-ancestors"] == [PARTNER_ORIGIN], rule
            assert "X-Frame-Options" not in response.headers, rule
            framable.append(rule)
        else:
            assert response.headers["X-Frame-Options"] == "DENY", rule
    assert sorted(framable) == ["/embed/<slug>", "/embed/current"]


def test_hsts_only_over_https(site):
    client = site.test_client()
    assert "Strict-Transport-Security" in client.get("/", base_url="https://localhost").headers
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_forged_forwarded_proto_does_not_count_without_a_trusted_proxy(site):
    response = site.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_trusted_proxy_https_gets_hsts_and_secure_cookies(make_site):
    app = make_site(TRUSTED_PROXIES=1)
    client = app.test_client()
    page = client.get(f"/dilemmas/{OPEN}", headers={"X-Forwarded-Proto": "https"})
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = page.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)


def test_session_cookie_is_httponly_and_lax(site):
    cookies = site.test_client().get(f"/dilemmas/{OPEN}").headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session and "HttpOnly" in session[0] and "SameSite=Lax" in session[0]


@pytest.mark.parametrize("path", ["/", "/dilemmas", f"/dilemmas/{OPEN}", "/dilemmas/lukket",
                                  "/nope"])
def test_rendered_pages_have_no_inline_script_style_or_handlers(site, path):
    page = site.test_client().get(path).get_data(as_text=True)
    assert executable_markup(page, page=True) == []


def template_files() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_templates_keep_to_the_csp():
    """No inline <script>, no style="" and no on*= handlers anywhere in templates/."""
    problems = []
    for path in template_files():
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", source, re.I):
            if "src=" not in match.group(1):
                problems.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b", source, re.I):
            problems.append(f"{path.name}: <style> block")
        if re.search(r"\sstyle\s*=", source, re.I):
            problems.append(f"{path.name}: style= attribute")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", source, re.I):
            problems.append(f"{path.name}: on*= handler")
        if re.search(r"javascript:", source, re.I):
            problems.append(f"{path.name}: javascript: URL")
    assert problems == []


def test_safe_filter_only_on_html_we_sanitised():
    """`|safe` may only print *_html fields (sanitised when stored), never reader text."""
    problems = []
    for path in template_files():
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{\s*([^}|]+?)\s*\|\s*safe\b", source):
            expression = match.group(1).strip()
            if not re.search(r"_html$", expression):
                problems.append(f"{path.name}: {{{{ {expression}|safe }}}}")
    assert problems == []


def test_static_assets_are_not_sniffed(site):
    response = site.test_client().get("/static/app.js")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype in ("text/javascript", "application/javascript")
