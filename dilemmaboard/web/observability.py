"""Request ids and one log line per request: method, path, status, duration, request id.

The id is sent back in the `X-Request-ID` header and carried by every error
the app logs, so a reader's report ("it failed at 14:02") leads to the line.
A request id arriving from outside is honoured only behind a trusted proxy
(TRUSTED_PROXIES > 0); otherwise a client could forge one.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
# How often (seconds) one worker repeats the "limits are open" warning while Redis is down.
FAIL_OPEN_REPEAT = 60.0

log = logging.getLogger("dilemmaboard.request")


def request_id() -> str:
    """This request's id ("-" outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        trusted = current_app.config.get("TRUSTED_PROXIES", 0) > 0
        g.request_id = incoming if trusted and SAFE_ID.match(incoming) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Give every record a `request_id`, so the formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class LimiterFailOpen(logging.Filter):
    """Turn Flask-Limiter's swallowed storage errors into one short warning.

    With RATELIMIT_SWALLOW_ERRORS the limiter lets requests through when its
    storage (Redis) does not answer, and logs a full traceback each time. We
    keep serving, say so once a minute per worker, and drop the repeats.
    """

    def __init__(self) -> None:
        super().__init__()
        self.last_warning = 0.0

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).startswith("Failed to"):
            return True
        now = time.monotonic()
        if self.last_warning and now - self.last_warning < FAIL_OPEN_REPEAT:
            return False
        self.last_warning = now
        error = record.exc_info[1]
        record.msg = "rate limit storage unreachable, limits are open (failing open): %s: %s"
        record.args = (type(error).__name__, error)
        record.exc_info = None
        record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


limiter_fail_open = LimiterFailOpen()


def _start_timer() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started else 0.0
    response.headers[HEADER] = request_id()
    # The request id is printed by the formatter (FORMAT), in front of the line.
    log.info("method=%s path=%s status=%s duration_ms=%.1f", request.method, request.path,
             response.status_code, duration_ms, extra={"request_id": request_id()})
    return response


def configure_logging(app: Flask) -> None:
    """Send the app's and the limiter's records to stderr (once per process).

    Under tests the records only propagate to pytest's capture.
    """
    limiter_logger = logging.getLogger("flask-limiter")
    if limiter_fail_open not in limiter_logger.filters:
        limiter_logger.addFilter(limiter_fail_open)
    limiter_fail_open.last_warning = 0.0
    if app.testing:
        return
    handler_name = "dilemmaboard-stderr"
    for name in ("dilemmaboard", "flask-limiter"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if any(h.get_name() == handler_name for h in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.set_name(handler_name)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)


def init_app(app: Flask) -> None:
    logging.getLogger("dilemmaboard").setLevel(logging.INFO)
    configure_logging(app)
    app.before_request(_start_timer)
    app.after_request(_log_request)
