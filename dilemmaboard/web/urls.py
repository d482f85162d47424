"""Absolute URLs, built from the SITE_URL setting and never from the request's Host.

A feed id, the API's `url` or a link a partner site embeds must name this site
even when a client sends a forged `Host` (or `X-Forwarded-Host`) header, so
every absolute URL comes from `absolute_url`. It works inside a request and
outside one (the command line), and Flask's own url_defaults still apply.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app


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
