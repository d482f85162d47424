"""HTTP caching: an ETag and a 304 from what a response depends on, as Datasette does.

A view says what its response depends on: the version of the data it shows
and, for a page that carries per-reader state, that reader's inputs. From
those parts `conditional` makes a strong ETag, answers `304 Not Modified`
when the client already holds that version (nothing is rendered), and
otherwise renders. The parts are asked for once more after rendering, since
a first page mints the reader's CSRF token while it renders.

`Cache-Control` follows one rule: a response that carries nothing of one
reader (no session, vote or CSRF token) may be kept by a shared cache (a CDN,
a reverse proxy) for `SHARED_CACHE_SECONDS`; every other response is
`private, no-cache`, so only the reader's own browser keeps it, and asks again
each time (the cheap 304 path). `Vary` names what else changes the bytes.
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, make_response, request, session
from flask_babel import get_locale

from dilemmaboard.comments.author import AUTHOR_COOKIE_PREFIX
from dilemmaboard.web.privacy import current_voter_id

VARY = ("Cookie", "Accept-Language")


def _key(parts: tuple) -> tuple:
    """Parts plus what every response varies by: its language and its address."""
    return (str(get_locale()), request.full_path, parts)


def _fingerprint(parts: tuple) -> str:
    text = repr((current_app.config["CACHE_VERSION"], parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def reader_state() -> tuple | None:
    """What of this reader a page may show, or None when it must not be cached.

    A flash message is shown once, and an author's edit link lasts only their
    15 minutes: such pages are always rendered afresh.
    """
    if session.get("_flashes") or any(name.startswith(AUTHOR_COOKIE_PREFIX)
                                       for name in request.cookies):
        return None
    return (session.get("csrf_token"), session.get("comment_name"), current_voter_id())


def for_reader(version: tuple) -> tuple | None:
    """A page's cache key: the version of its data and what it shows of this reader."""
    reader = reader_state()
    return None if reader is None else (version, reader)


def carries_reader_state() -> bool:
    """True when this request has a session or a voter: its page is that reader's."""
    return bool(session) or current_app.config["VOTER_COOKIE"] in request.cookies


def conditional(parts: Callable[[], tuple | None], render: Callable, *,
                shared: bool = False):
    """Answer 304 when the client holds the version `parts()` names, else `render()`.

    `parts()` returns None when this response must not be cached at all.
    `shared=True` lets a shared cache keep it briefly, unless it turned out to
    carry per-reader state after all.
    """
    before = parts()
    if before is None:  # e.g. a flash message, which rendering consumes
        response = make_response(render())
        response.headers["Cache-Control"] = "no-store"
        return response
    if request.if_none_match.contains(_fingerprint(_key(before))):
        response = current_app.response_class(status=304)
        key = _key(before)
    else:
        response = make_response(render())
        after = parts()
        if after is None or response.status_code != 200:
            response.headers["Cache-Control"] = "no-store"
            return response
        key = _key(after)
    response.set_etag(_fingerprint(key))
    if shared and not carries_reader_state():
        seconds = current_app.config["SHARED_CACHE_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
    else:
        response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(VARY)
    return response


@functools.cache
def release_fingerprint(root: Path) -> str:
    """A hash of the templates and catalogues: a new release makes every ETag new.

    Read once per process (the files do not change under a running release).
    """
    digest = hashlib.sha256()
    for folder in ("templates", "translations"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".html", ".xml", ".mo"):
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def init_app(app: Flask) -> None:
    app.config.setdefault("CACHE_VERSION", release_fingerprint(Path(app.root_path)))
