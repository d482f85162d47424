"""A forged Host header never reaches an absolute URL (issue 17.9).

Feed ids and links and the API's `url`/`api_url` are built from SITE_URL. A
request for a host the site does not serve is refused with 400; a trusted
loopback name (testing) still gets SITE_URL's origin, not its own.
"""
from __future__ import annotations

import logging

import pytest

from tests.security.conftest import OPEN

SITE = "https://dilemma.example"
ROUTES = ["/feed.xml", f"/dilemmas/{OPEN}/comments.xml", "/api/dilemmas",
          f"/api/dilemmas/{OPEN}"]
FORGED = ["evil.example", "evil.example:443", "dilemma.example.evil.example",
          "127.0.0.1.evil.example"]


@pytest.fixture
def client(make_site):
    return make_site(SITE_URL=SITE).test_client()


@pytest.mark.parametrize("path", ["/", "/dilemmas", "/no-such-page", *ROUTES])
@pytest.mark.parametrize("host", FORGED)
def test_a_forged_host_is_refused(client, path, host, caplog):
    response = client.get(path, headers={"Host": host})
    assert response.status_code == 400
    assert "evil" not in response.get_data(as_text=True)
    # An answer the app meant to give: no failed error page, no stack trace in the log.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:8000", "dilemma.example"])
def test_absolute_urls_name_site_url_whatever_the_host(client, path, host):
    body = client.get(path, headers={"Host": host}).get_data(as_text=True)
    assert f"{SITE}/" in body
    assert "localhost" not in body and "127.0.0.1" not in body
    assert "http://dilemma.example" not in body


@pytest.mark.parametrize("path", ROUTES)
def test_a_forwarded_host_from_a_trusted_proxy_is_not_written_either(make_site, path):
    client = make_site(SITE_URL=SITE, TRUSTED_PROXIES=1).test_client()
    body = client.get(path, headers={"X-Forwarded-Host": "localhost",
                                     "X-Forwarded-Proto": "http"}).get_data(as_text=True)
    assert f"{SITE}/" in body and "http://localhost" not in body
