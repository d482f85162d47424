"""Read-only JSON (SPEC §6): the cases, their options and, when visible, their results.

Results follow the one visibility rule, asked as a reader who has not voted;
drafts and scheduled cases are 404 to the public. Logged-in editors and
researchers (session or HTTP Basic auth) see everything.
"""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from dilemmaboard.extensions import db
from dilemmaboard.models import Case, utcnow
from dilemmaboard.research.access import (
    BadCredentials,
    answer,
    basic_auth_budget,
    research_access,
    wrong_credentials,
)
from dilemmaboard.research.numbers import exact_share, wilson_interval
from dilemmaboard.timeutil import iso_utc
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import (
    case_state,
    case_version,
    followup_visible,
    get_case,
    is_public,
    public_cases,
    results_visible,
    site_version,
)
from dilemmaboard.web.errors import refuse
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("api", __name__, url_prefix="/api")
bp.register_error_handler(BadCredentials, wrong_credentials)


def _number(value) -> float | None:
    return None if value is None else float(value)


def case_summary(case: Case, now, visible: bool) -> dict:
    """The case's facts; its vote total only when its results are visible."""
    return {
        "slug": case.slug,
        "title": case.title,
        "language": case.language,
        "publish_at": iso_utc(case.publish_at),
        "closes_at": iso_utc(case.closes_at),
        "status": case_state(case, now),
        "results_mode": case.results_mode,
        "tags": list(case.tags or []),
        "results_visible": visible,
        "total_votes": case.total_votes if visible else None,
        "comment_count": case.comment_count,
        "url": absolute_url("reader.detail", slug=case.slug),
        "api_url": absolute_url("api.dilemma", slug=case.slug),
    }


def case_results_json(case: Case) -> dict:
    """Counts, displayed percents, exact shares and Wilson intervals per option."""
    results = case_results(case)
    options = []
    for row in results.options:
        interval = wilson_interval(row.votes, results.total)
        options.append({
            "number": row.number,
            "votes": row.live_votes,
            "imported_votes": row.imported_votes,
            "total_votes": row.votes,
            "percent": row.percent,
            "share": _number(exact_share(row.votes, results.total)),
            "ci95_low": interval[0] if interval else None,
            "ci95_high": interval[1] if interval else None,
        })
    return {"total_votes": results.total, "imported_votes": results.imported_total,
            "options": options}


@bp.get("/dilemmas")
@basic_auth_budget
def dilemmas():
    """List the published cases, newest first (every case for editors and researchers)."""
    privileged = research_access()
    now = utcnow()

    def render():
        stmt = (select(Case).order_by(Case.publish_at.desc(), Case.id.desc())
                if privileged else public_cases(now))
        items = [case_summary(case, now, results_visible(case, has_voted=False,
                                                         privileged=privileged, now=now))
                 for case in db.session.scalars(stmt)]
        return jsonify({"dilemmas": items})

    return answer(render, privileged, lambda: site_version(db.session, now))


@bp.get("/dilemmas/<slug>")
@basic_auth_budget
def dilemma(slug: str):
    """Show one case: text, options and the results when a non-voter could see them."""
    privileged = research_access()
    now = utcnow()
    case = get_case(db.session, slug)
    if case is None or not (privileged or is_public(case, now)):
        refuse(404, _("Dilemmaet findes ikke."))

    def render():
        visible = results_visible(case, has_voted=False, privileged=privileged, now=now)
        body = case_summary(case, now, visible)
        body.update({
            "source": case.source,
            "shuffle": case.shuffle,
            "body_html": case.body_html,
            "followup_html": case.followup_html
            if followup_visible(case, privileged=privileged, now=now) else None,
            "options": [{"number": o.number, "text": o.text} for o in case.options],
            "results": case_results_json(case) if visible else None,
        })
        return jsonify(body)

    return answer(render, privileged, lambda: case_version(case, now))
