"""The rendered HTML of each comment, kept per process (bench/: 5,000 ÷ 10 comments).

A case page shows up to 50 threads, and rendering every comment through the
template cost more than the whole rest of the page. A comment's HTML depends
only on its stored values, the reader's language and whether this reader may
still edit it, so it is rendered once and kept in a bounded LRU cache under
exactly those values: an edit, a moderation or a changed vote makes a new key,
and nothing is ever invalidated by hand. The one per-reader part, the CSRF
token of the report form, is stored as a placeholder and filled in per page.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from types import SimpleNamespace

from flask import current_app, g, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

CACHE_SIZE = 4000  # about 12 MB per worker: 1.5 KB of HTML and its source text a comment
TOKEN_PLACEHOLDER = "__comment-html-csrf-token__"
_lock = threading.Lock()


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("comment_html", OrderedDict())


def _render(comment, editable: bool) -> str:
    template = current_app.jinja_env.get_template("comments/_macros.html")
    module = template.make_module({"csrf_token": lambda: TOKEN_PLACEHOLDER})
    listing = SimpleNamespace(editable_ids={comment.id} if editable else set())
    return str(module.comment_item(comment, listing))


def _page_values() -> tuple[str, str, str]:
    """(language, script root, CSRF token): the same for every comment on one page."""
    values = g.get("_comment_html_page")
    if values is None:
        values = g._comment_html_page = (str(get_locale()), request.script_root,
                                         generate_csrf())
    return values


def comment_html(comment, listing) -> Markup:
    """The `comment_item` macro's output for this comment, from the cache when possible."""
    editable = comment.id in listing.editable_ids
    language, script_root, token = _page_values()
    key = (comment.id, comment.parent_id, comment.status, comment.name, comment.option_number,
           comment.option_changed, comment.created_at, comment.edited_at,
           comment.body_html, editable, language, script_root)
    cache = _cache()
    with _lock:
        html = cache.get(key)
        if html is not None:
            cache.move_to_end(key)
    if html is None:
        html = _render(comment, editable)
        with _lock:
            cache[key] = html
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
    return Markup(html.replace(TOKEN_PLACEHOLDER, token))
