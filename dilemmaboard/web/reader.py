"""Reader pages: this week's dilemma, the archive, a case, voting (SPEC §6)."""
from __future__ import annotations

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
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from dilemmaboard.comments.author import author_tokens
from dilemmaboard.comments.listing import (
    parse_option_filter,
    parse_page,
    parse_sort,
    parse_thread,
)
from dilemmaboard.extensions import db, limiter
from dilemmaboard.models import Case
from dilemmaboard.partners.sharing import ShareMeta, share_meta
from dilemmaboard.partners.sources import SITE
from dilemmaboard.voting.casting import OPTION_NUMBERS, PROFILE_CHOICES, cast_vote, option_order
from dilemmaboard.voting.state import (
    case_version,
    get_public_case,
    is_open,
    public_cases,
    site_version,
    this_weeks_case,
)
from dilemmaboard.web.caching import conditional, for_reader
from dilemmaboard.web.errors import refuse
from dilemmaboard.web.i18n import LANG_COOKIE
from dilemmaboard.web.pages import CommentQuery, Viewer, archive_rows, case_page
from dilemmaboard.web.privacy import current_voter_id, voter_hash
from dilemmaboard.web.security import safe_next
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("reader", __name__)
VOTE_MESSAGES = {"first": _l("Tak for din stemme."), "change": _l("Din stemme er ændret."),
                 "same": _l("Du har allerede stemt på det svar.")}


def public_case_or_404(slug: str) -> Case:
    """A published case by slug; drafts, scheduled and unknown slugs are 404."""
    case = get_public_case(db.session, slug)
    if case is None:
        refuse(404, _("Dilemmaet findes ikke."))
    return case


def current_viewer(case: Case | None = None) -> Viewer:
    """The reader as the request tells it; a shuffled open case mints their id first,
    so the order they see is the order they vote in."""
    mint = case is not None and case.shuffle and is_open(case)
    return Viewer(voter_hash=voter_hash(create=mint), voter_id=current_voter_id(),
                  author_tokens=author_tokens(request.cookies))


def comment_query() -> CommentQuery:
    return CommentQuery(page=parse_page(request.args), option=parse_option_filter(request.args),
                        thread=parse_thread(request.args), sort=parse_sort(request.args))


def case_share(case: Case) -> ShareMeta:
    """The case's canonical address, card and oEmbed link: what a shared link shows."""
    return share_meta(case, page_url=absolute_url("reader.detail", slug=case.slug),
                      card_url=absolute_url("sharing.card", slug=case.slug),
                      oembed_endpoint=absolute_url("sharing.oembed"))


def render_case(case: Case, *, status: int = 200, **extra):
    """The case page for this reader (also after a refused comment, with `extra`)."""
    context = case_page(db.session, case, current_viewer(case), comments=comment_query(),
                        front_page=extra.pop("front_page", False))
    return render_template("dilemmas/detail.html", **context, share=case_share(case),
                           **extra), status


# One allowance per IP hash for votes on the case page and in partners' embeds together.
VOTE_LIMIT_SCOPE = "vote"


def vote_limit() -> str:
    return current_app.config["VOTES_PER_IP_LIMIT"]


def parse_option(form) -> int:
    """Exactly one option, a whole number 1-5; anything else is a 400."""
    values = form.getlist("option")
    if len(values) != 1:
        refuse(400, _("Vælg præcis ét svar."))
    value = values[0].strip()
    if value not in {str(n) for n in OPTION_NUMBERS}:
        refuse(400, _("Vælg et af de fem svar."))
    return int(value)


def parse_profile(form) -> str | None:
    """The answer to "Hvad er din rolle?" when the question is asked; else None."""
    if not current_app.config["PROFILE_QUESTION"]:
        return None
    answer = form.get("profile", "").strip()
    return answer if answer in PROFILE_CHOICES else None


@bp.get("/")
def index():
    """Show this week's dilemma."""
    case = this_weeks_case(db.session)
    if case is None:
        return render_template("dilemmas/empty.html")
    return conditional(lambda: for_reader(case_version(case)),
                       lambda: render_case(case, front_page=True))


@bp.get("/dilemmas")
def archive():
    """List published cases, newest first, with their totals."""
    def render():
        cases = db.session.scalars(public_cases()).all()
        rows = archive_rows(db.session, cases, voter_hash())
        return render_template("dilemmas/archive.html", rows=rows)

    version = site_version(db.session)
    return conditional(lambda: for_reader(version), render, shared=True)


@bp.get("/dilemmas/<slug>")
def detail(slug: str):
    """Show a case: the vote form or the results, the follow-up, the comments."""
    case = public_case_or_404(slug)
    return conditional(lambda: for_reader(case_version(case)), lambda: render_case(case))


@bp.post("/dilemmas/<slug>/vote")
@limiter.shared_limit(vote_limit, scope=VOTE_LIMIT_SCOPE)
def vote(slug: str):
    """Record this reader's vote (or change it), then show the case again."""
    case = public_case_or_404(slug)
    option = parse_option(request.form)
    voter = voter_hash(create=True)
    # A reader who arrives without a voter cookie never saw a shuffled order of theirs,
    # so there is no shown position to record.
    known_order = case.shuffle and not g.get("new_voter_cookie")
    shown = option_order(case, current_voter_id()).index(option) + 1 if known_order else None
    outcome = cast_vote(db.session, case, voter, option, shown_position=shown,
                        profile=parse_profile(request.form), source=SITE)
    db.session.commit()
    flash(str(VOTE_MESSAGES[outcome]), "success")
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
