"""Rendered HTML of comments, kept per process (bench/: 5,000 ÷ 10 comments).

A case page shows up to 50 threads, and rendering every comment through the
template cost more than the whole rest of the page. A comment's HTML depends
only on its stored values, the reader's language and whether this reader may
still edit it, so each comment is rendered once and kept in a bounded LRU
cache under exactly those values: an edit, a moderation or a changed vote
makes a new key, and nothing is ever invalidated by hand. For a reader who
cannot reply (most readers: they have not voted) the whole list of threads is
kept the same way, under the keys of all its comments.

The one per-reader part, the CSRF token of the report forms, is kept as a
placeholder and filled in when the list goes into the page.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from types import SimpleNamespace

from flask import current_app, request, session
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

COMMENTS_KEPT = 4000  # about 12 MB per worker: 1.5 KB of HTML and its source text a comment
LISTS_KEPT = 64  # whole pages of threads, up to 100 KB each
# An HTML comment, passed through as Markup: reader text can never produce it (names
# are escaped, nh3 strips comments), so the token lands only in the report forms.
# A plain-text placeholder could be typed into a comment's link and collect every
# reader's token there.
TOKEN_PLACEHOLDER = Markup("<!--comment-html-csrf-token-->")
_lock = threading.Lock()


def _cache(name: str, size: int):
    caches = current_app.extensions.setdefault("comment_html", {})
    return caches.setdefault(name, (OrderedDict(), size))


def _cached(name: str, size: int, key, render) -> str:
    """The value kept under `key`, or `render()` kept there (least recently used goes)."""
    cache, size = _cache(name, size)
    with _lock:
        html = cache.get(key)
        if html is not None:
            cache.move_to_end(key)
            return html
    html = render()
    with _lock:
        cache[key] = html
        while len(cache) > size:
            cache.popitem(last=False)
    return html


def _comment_key(comment, editable: bool) -> tuple:
    return (comment.id, comment.parent_id, comment.status, comment.name,
            comment.option_number, comment.option_changed, comment.created_at,
            comment.edited_at, comment.body_html, editable)


def _render_comment(comment, editable: bool) -> str:
    template = current_app.jinja_env.get_template("comments/_macros.html")
    module = template.make_module({"csrf_token": lambda: TOKEN_PLACEHOLDER})
    listing = SimpleNamespace(editable_ids={comment.id} if editable else set())
    return str(module.comment_item(comment, listing))


def comment_html(comment, listing) -> Markup:
    """The `comment_item` macro's output, with the token placeholder (see comment_list_html)."""
    editable = comment.id in listing.editable_ids
    key = (*_comment_key(comment, editable), str(get_locale()), request.script_root)
    return Markup(_cached("comments", COMMENTS_KEPT, key,
                          lambda: _render_comment(comment, editable)))


def _render_list(listing, case, comment_blocked, names: dict) -> str:
    template = current_app.jinja_env.get_template("comments/_list.html")
    return str(template.make_module(names).comment_list(listing, case, comment_blocked))


def comment_list_html(listing, case, comment_blocked) -> Markup:
    """The page's threads (comments/_list.html), with this reader's CSRF token filled in."""
    if comment_blocked:
        # No reply forms: the list is the same for every such reader of this page.
        editable = listing.editable_ids
        key = (comment_blocked, str(get_locale()), request.script_root, tuple(
            _comment_key(c, c.id in editable)
            for thread in listing.threads for c in (thread.comment, *thread.replies)
        ))
        html = _cached("lists", LISTS_KEPT, key, lambda: _render_list(
            listing, case, comment_blocked, {"csrf_token": lambda: TOKEN_PLACEHOLDER}))
    else:
        # The reply forms carry this reader's name and token: rendered for them.
        html = _render_list(listing, case, comment_blocked,
                            {"session": session, "csrf_token": generate_csrf})
    return Markup(html.replace(TOKEN_PLACEHOLDER, generate_csrf()))
