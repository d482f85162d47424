"""Reader pages: this week's dilemma, the archive, a case, voting (SPEC §6)."""
from __future__ import annotations

import re

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import text

from ..errors import refuse
from ..extensions import db, limiter
from ..i18n import LANG_COOKIE
from ..privacy import current_voter_id, voter_hash
from ..security import safe_next
from ..voting import (
    PROFILE_CHOICES,
    VoteRefused,
    cast_vote,
    get_public_case,
    get_votable_case,
    option_order,
    public_cases,
    this_weeks_case,
)
from .case_page import case_page_context

bp = Blueprint("reader", __name__)
SLUG_RE = re.compile(r"^[a-z0-9-]{1,80}$")


def _case_or_404(load, slug: str):
    case = load(db.session, slug) if SLUG_RE.match(slug) else None
    if case is None:
        refuse(404, _("Dilemmaet findes ikke."))
    return case


def public_case_or_404(slug: str):
    """Load a published case by slug; drafts, scheduled and unknown slugs are 404."""
    return _case_or_404(get_public_case, slug)


def votable_case_or_404(slug: str):
    """The same, as a plain row of the columns a vote or a comment POST reads
    (`get_votable_case`)."""
    return _case_or_404(get_votable_case, slug)


def _vote_limit() -> str:
    return current_app.config["VOTES_PER_IP_LIMIT"]


def parse_option(form) -> int:
    """Exactly one option, a whole number 1-5; anything else is a 400."""
    values = form.getlist("option")
    if len(values) != 1:
        refuse(400, _("Vælg præcis ét svar."))
    value = values[0].strip()
    if value not in {"1", "2", "3", "4", "5"}:
        refuse(400, _("Vælg et af de fem svar."))
    return int(value)


@bp.get("/")
def index():
    """Show this week's dilemma."""
    case = this_weeks_case(db.session)
    if case is None:
        return render_template("dilemmas/empty.html")
    return render_template("dilemmas/detail.html", **case_page_context(case, front_page=True))


@bp.get("/dilemmas")
def archive():
    """List published cases, newest first, with their totals."""
    cases = db.session.scalars(public_cases()).all()
    return render_template("dilemmas/archive.html", cases=cases)


@bp.get("/dilemmas/<slug>")
def detail(slug: str):
    """Show a case: the vote form or the results, the follow-up, the comments."""
    case = public_case_or_404(slug)
    return render_template("dilemmas/detail.html", **case_page_context(case))


@bp.post("/dilemmas/<slug>/vote")
@limiter.limit(_vote_limit)
def vote(slug: str):
    """Record this reader's vote (or change it), then show the case again."""
    case = votable_case_or_404(slug)
    option = parse_option(request.form)
    profile = None
    if current_app.config["PROFILE_QUESTION"]:
        answer = request.form.get("profile", "").strip()
        profile = answer if answer in PROFILE_CHOICES else None
    voter = voter_hash(create=True)
    # A reader who arrives without a voter cookie never saw a shuffled order of theirs,
    # so there is no shown position to record.
    known_order = case.shuffle and not g.get("new_voter_cookie")
    shown = option_order(case, current_voter_id()).index(option) + 1 if known_order else None
    try:
        outcome = cast_vote(db.session, case, voter, option,
                            shown_position=shown, profile=profile)
    except VoteRefused as exc:
        if exc.status == 409:
            refuse(409, _("Afstemningen er lukket, så din stemme blev ikke registreret."))
        refuse(exc.status, _("Stemmen kunne ikke registreres."))
    # Translate only the message shown (each gettext call costs on the vote's hot path).
    messages = {
        "first": lambda: _("Tak for din stemme."),
        "change": lambda: _("Din stemme er ændret."),
        "same": lambda: _("Du har allerede stemt på det svar."),
    }
    flash(messages[outcome](), "success")
    return redirect(url_for("reader.detail", slug=case.slug) + "#results", code=303)


@bp.get("/language/<code>")
def set_language(code: str):
    """Remember the reader's language and go back to where they were."""
    target = safe_next(request.args.get("next"))
    response = redirect(target, code=303)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, else 503."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.app_context_processor
def _template_helpers() -> dict:
    from ..voting import case_state

    return {"archive_state": case_state}
