"""The files a site answers at fixed addresses: /favicon.ico, /robots.txt, /sitemap.xml."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory, url_for

from dilemmaboard.extensions import db
from dilemmaboard.models import utcnow
from dilemmaboard.voting.state import public_cases, site_version
from dilemmaboard.web.caching import conditional

bp = Blueprint("site", __name__)
# What crawlers need not read: the desk, the exports, forms and language switches.
ROBOTS_DISALLOW = ("/admin/", "/export/", "/comments/", "/language/")


@bp.get("/favicon.ico")
def favicon():
    """Serve the icon where browsers look for it without a <link> (a feed reader, say)."""
    return send_from_directory(current_app.static_folder, "favicon.ico",
                               mimetype="image/vnd.microsoft.icon")


@bp.get("/robots.txt")
def robots():
    """Let crawlers read the reader pages, and tell them where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), "",
             f"Sitemap: {url_for('site.sitemap', _external=True)}"]
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.get("/sitemap.xml")
def sitemap():
    """List the front page, the archive and every published case, by absolute address."""
    now = utcnow()

    def render():
        cases = db.session.scalars(public_cases(now)).all()
        entries = [(url_for("reader.index", _external=True), None),
                   (url_for("reader.archive", _external=True), None)]
        entries += [(url_for("reader.detail", slug=case.slug, _external=True), case.publish_at)
                    for case in cases]
        body = render_template("feeds/sitemap.xml", entries=entries)
        return body, 200, {"Content-Type": "application/xml; charset=utf-8"}

    version = site_version(db.session, now)
    return conditional(lambda: version, render, shared=True)
