"""The comment blog's reader actions (SPEC §5-§6): post, edit, delete, report, permalink.

Every form is a plain POST answered with a 303 redirect, so all of it works
without JavaScript. The author's right to edit or delete is a signed cookie
per comment, bound to the comment id and its current text, for 15 minutes.
Each POST calls one function of comments/service.py and commits once.
"""
from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from dilemmaboard.comments.author import (
    author_cookie_name,
    author_token,
    edit_seconds_left,
    require_author,
)
from dilemmaboard.comments.listing import comment_place
from dilemmaboard.comments.service import (
    REPORT_NOTE_MAX,
    REPORT_REASONS,
    delete_own_comment,
    edit_comment,
    post_comment,
    report_comment,
)
from dilemmaboard.comments.settings import CommentSettings
from dilemmaboard.comments.text import parse_parent_id
from dilemmaboard.extensions import db, limiter
from dilemmaboard.models import Case, Comment
from dilemmaboard.partners.sources import SITE
from dilemmaboard.refusal import Refused
from dilemmaboard.voting.state import is_public
from dilemmaboard.web.errors import REFUSAL_STATUS, refuse, render_error
from dilemmaboard.web.privacy import ip_hash, voter_hash
from dilemmaboard.web.reader import public_case_or_404, render_case

bp = Blueprint("comments", __name__)
HONEYPOT_FIELD = "website"


# --- rate limits: per IP hash (the limiter's key) and per reader -------------

def _comment_limit() -> str:
    return current_app.config["COMMENT_LIMIT"]


def _action_limit() -> str:
    return current_app.config["COMMENT_ACTION_LIMIT"]


def _reader_key() -> str:
    """The reader's voter hash; readers without a cookie share their IP hash's bucket."""
    return "reader:" + (voter_hash() or ip_hash())


def _too_many_comments() -> str:
    return _("Du har skrevet mange kommentarer på kort tid. Vent lidt, og prøv igen.")


def _too_many_actions() -> str:
    return _("Du har gjort det mange gange på kort tid. Vent lidt, og prøv igen.")


@bp.errorhandler(429)
def _rate_limited(exc):
    """Answer a tripped limit with its own message (the limit's error_message)."""
    return render_error(429, getattr(exc, "description", None) or _too_many_actions())


# --- helpers -----------------------------------------------------------------

def _settings() -> CommentSettings:
    return CommentSettings.from_config(current_app.config)


def _public_comment_or_404(comment_id: int) -> tuple[Comment, Case]:
    comment = db.session.get(Comment, comment_id)
    case = db.session.get(Case, comment.case_id) if comment else None
    if comment is None or case is None or not is_public(case):
        refuse(404, _("Kommentaren findes ikke."))
    return comment, case


def _comment_url(comment: Comment, case: Case, settings: CommentSettings) -> str:
    """The case page (or its thread's view) showing this comment, with its anchor."""
    place = comment_place(db.session, comment, viewer=voter_hash(), settings=settings)
    args = {"thread": place.thread} if place.thread else {}
    if place.page > 1:
        args["page"] = place.page
    return url_for("reader.detail", slug=case.slug, **args) + f"#comment-{comment.id}"


def _grant_author(response, comment: Comment, settings: CommentSettings) -> None:
    """Give the author the signed cookie that lets them edit or delete this text."""
    response.set_cookie(
        author_cookie_name(comment.id), author_token(comment, settings),
        max_age=edit_seconds_left(comment, settings), httponly=True, samesite="Lax",
        secure=request.is_secure,
    )


def _saved(comment: Comment, case: Case, settings: CommentSettings, *, held: str, shown: str):
    """Commit a written or edited comment and send its author to it, with their cookie."""
    # Found before the commit, in the same transaction: the page counts the new comment.
    url = _comment_url(comment, case, settings)
    db.session.commit()
    flash(held if comment.status == "pending" else shown, "success")
    response = redirect(url, code=303)
    _grant_author(response, comment, settings)
    return response


def _author_token(comment: Comment) -> str | None:
    return request.cookies.get(author_cookie_name(comment.id))


def _edit_page(comment: Comment, case: Case, body: str, settings: CommentSettings,
               error: str | None = None):
    return render_template(
        "comments/edit.html", comment=comment, case=case, body=body, error=error,
        minutes_left=max(1, edit_seconds_left(comment, settings) // 60),
        back_url=_comment_url(comment, case, settings),
    ), (400 if error else 200)


# --- routes ------------------------------------------------------------------

@bp.post("/dilemmas/<slug>/comments")
@limiter.limit(_comment_limit, error_message=_too_many_comments)
@limiter.limit(_comment_limit, key_func=_reader_key, scope="comment-reader",
               error_message=_too_many_comments)
def post(slug: str):
    """Store a comment or a reply, then show it on the case page."""
    case = public_case_or_404(slug)
    if request.form.get(HONEYPOT_FIELD, "").strip():
        # A filled honeypot is a bot: answer as if it worked, store nothing.
        return redirect(url_for("reader.detail", slug=case.slug) + "#comments", code=303)
    settings = _settings()
    try:
        comment = post_comment(
            db.session, case,
            name=request.form.get("name"), body=request.form.get("body"),
            parent_id=parse_parent_id(request.form.get("parent_id")),
            voter_hash=voter_hash(create=not settings.require_vote), ip_hash=ip_hash(),
            settings=settings, source=SITE,
        )
    except Refused as exc:
        if exc.kind == "not_found":
            raise
        # Show the case again with the reader's text kept and the reason next to the form.
        return render_case(case, status=REFUSAL_STATUS[exc.kind], comment_error=exc.message,
                           comment_values=request.form)
    session["comment_name"] = comment.name
    return _saved(comment, case, settings,
                  held=_("Tak. Din kommentar afventer godkendelse fra redaktionen."),
                  shown=_("Tak for din kommentar."))


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@limiter.limit(_action_limit, methods=["POST"], error_message=_too_many_actions)
def edit(comment_id: int):
    """Let the author correct their comment for 15 minutes after writing it."""
    comment, case = _public_comment_or_404(comment_id)
    settings = _settings()
    token = _author_token(comment)
    if request.method == "GET":
        require_author(comment, token, settings)
        return _edit_page(comment, case, comment.body_md, settings)
    body = request.form.get("body", "")
    try:
        edit_comment(db.session, comment, body=body, token=token, settings=settings)
    except Refused as exc:
        if exc.kind != "invalid":
            raise
        return _edit_page(comment, case, body, settings, error=exc.message)
    return _saved(comment, case, settings,
                  held=_("Din rettelse er gemt og afventer godkendelse fra redaktionen."),
                  shown=_("Din kommentar er rettet."))


@bp.post("/comments/<id:comment_id>/delete")
@limiter.limit(_action_limit, error_message=_too_many_actions)
def delete(comment_id: int):
    """Delete the author's own comment (inside the 15 minutes)."""
    comment, case = _public_comment_or_404(comment_id)
    delete_own_comment(db.session, comment, token=_author_token(comment), settings=_settings())
    db.session.commit()
    flash(_("Din kommentar er slettet."), "success")
    response = redirect(url_for("reader.detail", slug=case.slug) + "#comments", code=303)
    response.delete_cookie(author_cookie_name(comment.id), httponly=True, samesite="Lax",
                           secure=request.is_secure)
    return response


def _report_page(comment: Comment, case: Case, error: str | None = None):
    """The report form: what is wrong with the comment, and the reader's own words."""
    if comment.status != "visible":
        refuse(404, _("Kommentaren findes ikke."))
    return render_template(
        "comments/report.html", comment=comment, case=case, error=error,
        reasons=REPORT_REASONS, note_max=REPORT_NOTE_MAX, chosen=request.form.get("reason"),
        note=request.form.get("note", ""), back_url=_comment_url(comment, case, _settings()),
    ), (400 if error else 200)


@bp.route("/comments/<id:comment_id>/report", methods=["GET", "POST"])
@limiter.limit(_action_limit, methods=["POST"], error_message=_too_many_actions)
@limiter.limit(_action_limit, methods=["POST"], key_func=_reader_key, scope="report-reader",
               error_message=_too_many_actions)
def report(comment_id: int):
    """Ask why, then flag a comment for the editors; each reader (and each address a
    day) counts once."""
    comment, case = _public_comment_or_404(comment_id)
    if request.method == "GET":
        return _report_page(comment, case)
    try:
        outcome = report_comment(db.session, comment, voter_hash(create=True), ip_hash(),
                                 reason=request.form.get("reason"),
                                 note=request.form.get("note"))
    except Refused as exc:
        if exc.kind != "invalid":
            raise
        return _report_page(comment, case, error=exc.message)
    url = _comment_url(comment, case, _settings())
    db.session.commit()
    if outcome == "again":
        flash(_("Du har allerede anmeldt denne kommentar."), "info")
    else:  # also when the address's report was counted already: the editors will look
        flash(_("Tak. Redaktionen ser på kommentaren."), "success")
    return redirect(url, code=303)


@bp.get("/comments/<id:comment_id>")
def permalink(comment_id: int):
    """Send a comment's permanent address to the page and anchor where it is shown."""
    comment, case = _public_comment_or_404(comment_id)
    return redirect(_comment_url(comment, case, _settings()), code=302)
