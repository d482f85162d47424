"""The partner registry (SPEC §11): `flask partners`, the audit log, resolve_source."""
from __future__ import annotations

import pytest

from dilemmaboard.extensions import db
from dilemmaboard.partners.registry import (
    all_partners,
    get_partner,
    normalise_origin,
    partner_origins,
    resolve_source,
)
from dilemmaboard.refusal import Refused
from tests.admin_helpers import audit_rows


def partners(runner, *args):
    return runner.invoke(args=["partners", *args])


def add_lederne(runner):
    result = partners(runner, "add", "lederne", "--name", "Lederne.dk",
                      "--origin", "https://www.lederne.dk", "--origin", "https://lederne.dk/")
    assert result.exit_code == 0, result.output
    return result


def test_add_list_remove_through_the_command_line(app, runner):
    assert "added partner lederne (Lederne.dk): https://lederne.dk https://www.lederne.dk" in (
        add_lederne(runner).output)
    result = partners(runner, "add", "business", "--name", "Business.dk",
                      "--origin", "https://www.business.dk:443")
    assert result.exit_code == 0, result.output
    listing = partners(runner, "list")
    assert listing.exit_code == 0
    assert listing.output.splitlines() == [
        "business\tBusiness.dk\thttps://www.business.dk",
        "lederne\tLederne.dk\thttps://lederne.dk https://www.lederne.dk",
    ]
    with app.app_context():
        assert [p.id for p in all_partners(db.session)] == ["business", "lederne"]
        assert partner_origins(db.session) == [
            "https://lederne.dk", "https://www.business.dk", "https://www.lederne.dk"]
    removed = partners(runner, "remove", "lederne")
    assert removed.exit_code == 0 and "removed partner lederne" in removed.output
    assert partners(runner, "list").output.splitlines() == [
        "business\tBusiness.dk\thttps://www.business.dk"]
    with app.app_context():
        assert partner_origins(db.session) == ["https://www.business.dk"]
        assert get_partner(db.session, "lederne") is None


def test_each_change_is_audited(app, runner):
    add_lederne(runner)
    partners(runner, "remove", "lederne")
    rows = audit_rows(app)
    assert [row[1:3] for row in rows[-2:]] == [("partner_add", "partner lederne"),
                                               ("partner_remove", "partner lederne")]
    assert rows[-2][3] == "Lederne.dk: https://lederne.dk https://www.lederne.dk"
    assert all(row[0].startswith("cli") for row in rows[-2:])


def test_a_refused_add_stores_nothing_and_audits_nothing(app, runner):
    before = len(audit_rows(app))
    for args in (["Lederne", "--name", "x", "--origin", "https://a.dk"],
                 ["site", "--name", "x", "--origin", "https://a.dk"],
                 ["unknown", "--name", "x", "--origin", "https://a.dk"],
                 ["imported", "--name", "x", "--origin", "https://a.dk"],
                 ["a" * 41, "--name", "x", "--origin", "https://a.dk"],
                 ["ok", "--name", "  ", "--origin", "https://a.dk"],
                 ["ok", "--name", "x\u202e", "--origin", "https://a.dk"],
                 ["ok", "--name", "x", "--origin", "http://a.dk"],
                 ["ok", "--name", "x", "--origin", "https://a.dk", "--origin", "https://b.dk/x"],
                 ["ok", "--name", "x"]):
        result = partners(runner, "add", *args)
        assert result.exit_code != 0, args
        assert "Traceback" not in result.output
    assert partners(runner, "list").output == ""
    assert len(audit_rows(app)) == before


def test_an_existing_id_is_refused(app, runner):
    add_lederne(runner)
    again = partners(runner, "add", "lederne", "--name", "Andet", "--origin", "https://x.dk")
    assert again.exit_code != 0 and "already exists" in again.output
    assert "Lederne.dk" in partners(runner, "list").output


def test_removing_an_unknown_partner_is_refused(runner):
    result = partners(runner, "remove", "ingen")
    assert result.exit_code != 0 and "no partner" in result.output


@pytest.mark.parametrize("raw,expected", [
    ("https://Lederne.DK", "https://lederne.dk"),
    ("https://lederne.dk:443/", "https://lederne.dk"),
    ("https://lederne.dk:8443", "https://lederne.dk:8443"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ("http://localhost", "http://localhost"),
])
def test_origins_are_normalised(raw, expected):
    assert normalise_origin(raw) == expected


@pytest.mark.parametrize("raw", [
    "http://lederne.dk", "https://*.lederne.dk", "https://lederne.dk/embed",
    "https://user@lederne.dk", "https://lederne.dk; script-src *", "https://lederne.dk x",
    "ftp://lederne.dk", "https://", "https://lederne.dk:0", "https://lederne..dk",
    "https://lederne.dk?", "https://lederne.dk#x", "https://ledernø.dk", "'self'", "null",
    "https://lederne.dk'", "https://lederne.dk:65536", "https://" + "a" * 300 + ".dk",
])
def test_origins_that_could_break_a_header_or_name_a_path_are_refused(raw):
    with pytest.raises(Refused):
        normalise_origin(raw)


def test_resolve_source(app, runner):
    add_lederne(runner)
    with app.app_context():
        assert resolve_source(db.session, None) == "site"
        assert resolve_source(db.session, "") == "site"
        assert resolve_source(db.session, "lederne") == "lederne"
        for forged in ("ukendt", "site", "imported", "unknown", "Lederne", "lederne ",
                       "a" * 500, "x\x00y", "'; DROP TABLE votes; --", "ø", 42, ["lederne"]):
            assert resolve_source(db.session, forged) == "unknown", forged
