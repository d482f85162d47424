"""URLs: the `id` converter for row ids in addresses, and absolute URLs from SITE_URL.

The `id` converter (`/comments/<id:comment_id>`) matches only 1..MAX_ID
(PostgreSQL's integer), so an id no row can have is a 404 like any unknown
address, never a query the database refuses (a 500). Ten digits at most: a
thousand-digit "id" is not even turned into a number.

A feed id, the API's `url` or a link a partner site embeds must name this site
even when a client sends a forged `Host` (or `X-Forwarded-Host`) header, so
every absolute URL comes from `absolute_url`, built from the SITE_URL setting.
It works inside a request and outside one (the command line), and Flask's own
url_defaults still apply.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

from dilemmaboard.models import MAX_ID


class IdConverter(IntegerConverter):
    regex = r"\d{1,10}"

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def absolute_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values, _external=True)`, on SITE_URL's scheme, host and port."""
    anchor = values.pop("_anchor", None)
    site = urlsplit(current_app.config["SITE_URL"])
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(site.netloc, url_scheme=site.scheme,
                                       script_name=current_app.config["APPLICATION_ROOT"])
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@~")
    return url


def init_app(app: Flask) -> None:
    """Templates build absolute URLs with the same function."""
    app.add_template_global(absolute_url)
