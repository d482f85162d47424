"""Atom feeds (SPEC §6): published cases, and each case's visible comments.

Templates with autoescape write the XML; every text value also passes the
`xml_text` filter, which drops characters XML 1.0 cannot carry. Results
appear in a feed only when `results_visible` allows them to a reader who has
not voted; so does the answer each commenter chose.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape

from dilemmaboard.comments.listing import visible_comments
from dilemmaboard.extensions import db
from dilemmaboard.models import Case, Comment, utcnow
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import (
    case_version,
    is_open,
    public_cases,
    results_visible,
    site_version,
)
from dilemmaboard.web.caching import conditional
from dilemmaboard.web.reader import public_case_or_404
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("feeds", __name__)
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@bp.app_template_filter("xml_text")
def xml_text(value) -> str:
    """Drop the characters XML 1.0 cannot contain (autoescape does the rest)."""
    if isinstance(value, Markup):  # already escaped (e.g. a translated string with names)
        return Markup(_NOT_XML.sub("", str(value)))
    return _NOT_XML.sub("", "" if value is None else str(value))


def _case_updated(case: Case, now: datetime) -> datetime:
    """Publication, or the close once it has happened (results may appear then)."""
    if not is_open(case, now) and case.closes_at <= now:
        return max(case.publish_at, case.closes_at)
    return case.publish_at


def _case_content(case: Case) -> str:
    """The case text plus, when a reader who has not voted may see them, the results."""
    html = case.body_html
    if results_visible(case, has_voted=False):
        results = case_results(case)
        rows = "".join(
            f"<li>{escape(row.text)}: {row.percent} % ({row.votes})</li>"
            for row in results.options
        )
        total = ngettext("%(num)s stemme i alt", "%(num)s stemmer i alt", results.total)
        html += f"<h2>{escape(_('Resultat'))}</h2><ol>{rows}</ol><p>{escape(total)}</p>"
    return html


def _atom(template: str, **context):
    return render_template(template, **context), 200, {"Content-Type": ATOM}


@bp.get("/feed.xml")
def cases_feed():
    """Atom feed of published cases, newest first."""
    now = utcnow()

    def render():
        cases = db.session.scalars(public_cases(now).limit(FEED_SIZE)).all()
        entries = [
            {"case": case, "url": absolute_url("reader.detail", slug=case.slug),
             "updated": _case_updated(case, now), "content": _case_content(case)}
            for case in cases
        ]
        updated = max((e["updated"] for e in entries), default=now)
        return _atom("feeds/cases.xml", entries=entries, updated=updated)

    version = site_version(db.session, now)
    return conditional(lambda: version, render, shared=True)


@bp.get("/dilemmas/<slug>/comments.xml")
def case_comments(slug: str):
    """Atom feed of a case's visible comments, newest first."""
    case = public_case_or_404(slug)

    def render():
        comments: list[Comment] = db.session.scalars(
            visible_comments(case.id).limit(FEED_SIZE)).all()
        entries = [
            {"comment": c, "updated": c.edited_at or c.created_at,
             "url": absolute_url("comments.permalink", comment_id=c.id)}
            for c in comments
        ]
        updated = max((e["updated"] for e in entries), default=case.publish_at)
        return _atom("feeds/comments.xml", case=case, entries=entries, updated=updated,
                     show_options=results_visible(case, has_voted=False))

    return conditional(lambda: case_version(case), render, shared=True)
