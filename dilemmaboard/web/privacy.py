"""Reader identity without accounts: a signed voter cookie and keyed hashes.

The database never sees the raw voter id or an IP address: only HMACs keyed
with SECRET_KEY. The IP hash is salted with the UTC date, so it rotates daily
and cannot link a reader across days.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="dilemmaboard-voter")


def keyed_hash(purpose: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def current_voter_id(create: bool = False) -> str | None:
    """Return this reader's random id from the signed cookie, minting one if asked."""
    if "voter_id" in g:
        return g.voter_id
    raw = request.cookies.get(current_app.config["VOTER_COOKIE"])
    voter_id = None
    if raw:
        try:
            loaded = _serializer().loads(raw)
            if isinstance(loaded, str) and 16 <= len(loaded) <= 64:
                voter_id = loaded
        except BadSignature:
            voter_id = None
    if voter_id is None and create:
        voter_id = secrets.token_urlsafe(24)
        g.new_voter_cookie = True
    if voter_id is not None:
        g.voter_id = voter_id
    return voter_id


def voter_hash(create: bool = False) -> str | None:
    voter_id = current_voter_id(create=create)
    return keyed_hash("voter", voter_id) if voter_id else None


def ip_hash() -> str:
    """A salted hash of the client IP; the salt changes every UTC day."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return keyed_hash("ip:" + day, request.remote_addr or "unknown")[:32]


def use_partitioned_voter_cookie() -> None:
    """Mint this request's voter cookie for a partner's frame (SECURITY.md).

    In another site's iframe a Lax cookie is never sent and an unpartitioned
    one is dropped when third-party cookies are blocked; a `Partitioned`
    (CHIPS) cookie is kept, in a jar of its own per top-level site.
    """
    g.partitioned_voter_cookie = True


def _set_voter_cookie(response: Response) -> Response:
    if g.get("new_voter_cookie") and "voter_id" in g:
        partitioned = g.get("partitioned_voter_cookie", False)
        response.set_cookie(
            current_app.config["VOTER_COOKIE"],
            _serializer().dumps(g.voter_id),
            max_age=5 * 365 * 24 * 3600,
            httponly=True,
            samesite="None" if partitioned else "Lax",
            secure=partitioned or request.is_secure,
            partitioned=partitioned,
        )
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_voter_cookie)
