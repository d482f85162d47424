"""One log line per request, the X-Request-ID header, errors logged with the request id."""
from __future__ import annotations

import logging
import re

import pytest

from dilemmaboard.web.observability import FORMAT, RequestIdFilter

ACCESS = "dilemmaboard.request"
LINE = re.compile(r"^method=(\S+) path=(\S+) status=(\d{3}) duration_ms=(\d+\.\d)$")


def access_records(caplog):
    return [r for r in caplog.records if r.name == ACCESS]


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_every_response_carries_a_fresh_request_id(client):
    first = client.get("/dilemmas").headers["X-Request-ID"]
    second = client.get("/dilemmas").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_one_access_line_per_request(client, logs):
    response = client.get("/dilemmas")
    records = access_records(logs)
    assert len(records) == 1
    method, path, status, _duration = LINE.match(records[0].getMessage()).groups()
    assert (method, path, status) == ("GET", "/dilemmas", "200")
    assert records[0].request_id == response.headers["X-Request-ID"]


def test_access_line_keeps_the_final_status(client, logs):
    client.get("/no-such-page")
    client.post("/dilemmas/nothing-here/vote", data={"option": "1"})
    statuses = [LINE.match(r.getMessage()).group(3) for r in access_records(logs)]
    assert statuses == ["404", "400"]


def test_query_strings_are_not_logged(client, logs):
    client.get("/dilemmas?token=secret-value")
    assert "secret-value" not in access_records(logs)[0].getMessage()


def test_formatted_line_shows_the_request_id(client, logs):
    response = client.get("/dilemmas")
    record = access_records(logs)[0]
    line = logging.Formatter(FORMAT).format(record)
    assert f"[{response.headers['X-Request-ID']}]" in line
    assert "method=GET path=/dilemmas status=200 duration_ms=" in line


def test_client_request_id_is_ignored_without_a_trusted_proxy(client):
    response = client.get("/dilemmas", headers={"X-Request-ID": "chosen-by-client-123"})
    assert response.headers["X-Request-ID"] != "chosen-by-client-123"


def test_proxy_request_id_is_kept_behind_a_trusted_proxy(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    response = client.get("/dilemmas", headers={"X-Request-ID": "router-id-0001"})
    assert response.headers["X-Request-ID"] == "router-id-0001"


@pytest.mark.parametrize("hostile", ["has spaces in it", "a" * 500, "<script>x</script>", "short"])
def test_hostile_request_ids_are_replaced(make_app, hostile):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    response = client.get("/dilemmas", headers={"X-Request-ID": hostile})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_unhandled_error_is_logged_with_the_request_id(make_app, logs):
    app = make_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "kaboom" not in response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    errors = [r for r in logs.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert request_id in errors[0].getMessage()
    assert errors[0].exc_info and "kaboom" in str(errors[0].exc_info[1])
    assert LINE.match(access_records(logs)[-1].getMessage()).group(3) == "500"


def test_records_outside_a_request_get_a_dash():
    record = logging.LogRecord("dilemmaboard", logging.INFO, __file__, 1, "hello", (), None)
    assert RequestIdFilter().filter(record) and record.request_id == "-"
