"""The comment blog's reader actions (SPEC §5-§6): post, edit, delete, report, permalink.

Every form is a plain POST answered with a 303 redirect, so all of it works
without JavaScript. The author's right to edit or delete is a signed cookie
per comment, bound to the comment id and its current text, for 15 minutes.
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

from dilemmaboard.comments.service import (
    CommentRefused,
    author_cookie_name,
    author_token,
    comment_page_number,
    delete_own_comment,
    edit_comment,
    edit_seconds_left,
    parse_parent_id,
    post_comment,
    report_comment,
    require_author,
)
from dilemmaboard.extensions import db, limiter
from dilemmaboard.models import Case, Comment
from dilemmaboard.voting.state import is_public
from dilemmaboard.web.errors import refuse, render_error
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

def _public_comment_or_404(comment_id: int) -> tuple[Comment, Case]:
    comment = db.session.get(Comment, comment_id)
    case = db.session.get(Case, comment.case_id) if comment else None
    if comment is None or case is None or not is_public(case):
        refuse(404, _("Kommentaren findes ikke."))
    return comment, case


def _comment_url(comment: Comment, case: Case, page: int | None = None) -> str:
    """The case page showing this comment, with its #comment-<id> anchor."""
    if page is None:
        page = comment_page_number(db.session, comment, viewer=voter_hash())
    args = {"page": page} if page > 1 else {}
    return url_for("reader.detail", slug=case.slug, **args) + f"#comment-{comment.id}"


def _grant_author(response, comment: Comment) -> None:
    """Give the author the signed cookie that lets them edit or delete this text."""
    response.set_cookie(
        author_cookie_name(comment.id), author_token(comment),
        max_age=edit_seconds_left(comment), httponly=True, samesite="Lax",
        secure=request.is_secure,
    )


def _author_token(comment: Comment) -> str | None:
    return request.cookies.get(author_cookie_name(comment.id))


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
    config = current_app.config
    located: dict[str, int] = {}

    def locate(stored: Comment) -> None:
        # Inside the write transaction: no second transaction after the commit.
        located["page"] = comment_page_number(db.session, stored, viewer=voter_hash())

    try:
        comment = post_comment(
            db.session, case,
            name=request.form.get("name"), body=request.form.get("body"),
            parent_id=parse_parent_id(request.form.get("parent_id")),
            voter_hash=voter_hash(create=not config["COMMENTS_REQUIRE_VOTE"]),
            ip_hash=ip_hash(), require_vote=config["COMMENTS_REQUIRE_VOTE"],
            moderation=config["COMMENTS_MODERATION"],
            before_commit=locate,
        )
    except CommentRefused as exc:
        if exc.status == 404:
            refuse(404, exc.message)
        # Show the case again with the reader's text kept and the reason next to the form.
        return render_case(case, status=exc.status, comment_error=exc.message,
                           comment_values=request.form)
    session["comment_name"] = comment.name
    if comment.status == "pending":
        flash(_("Tak. Din kommentar afventer godkendelse fra redaktionen."), "success")
    else:
        flash(_("Tak for din kommentar."), "success")
    response = redirect(_comment_url(comment, case, located["page"]), code=303)
    _grant_author(response, comment)
    return response


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@limiter.limit(_action_limit, methods=["POST"], error_message=_too_many_actions)
def edit(comment_id: int):
    """Let the author correct their comment for 15 minutes after writing it."""
    comment, case = _public_comment_or_404(comment_id)
    token = _author_token(comment)
    body = comment.body_md
    error = None
    try:
        if request.method == "GET":
            require_author(comment, token)
        else:
            body = request.form.get("body", "")
            edit_comment(db.session, comment, body=body, token=token,
                         moderation=current_app.config["COMMENTS_MODERATION"])
    except CommentRefused as exc:
        if exc.status != 400:
            refuse(exc.status, exc.message)
        error = exc.message
    if request.method == "GET" or error:
        return render_template(
            "comments/edit.html", comment=comment, case=case, body=body, error=error,
            minutes_left=max(1, edit_seconds_left(comment) // 60),
            back_url=_comment_url(comment, case),
        ), (400 if error else 200)
    if comment.status == "pending":
        flash(_("Din rettelse er gemt og afventer godkendelse fra redaktionen."), "success")
    else:
        flash(_("Din kommentar er rettet."), "success")
    response = redirect(_comment_url(comment, case), code=303)
    _grant_author(response, comment)
    return response


@bp.post("/comments/<int:comment_id>/delete")
@limiter.limit(_action_limit, error_message=_too_many_actions)
def delete(comment_id: int):
    """Delete the author's own comment (inside the 15 minutes)."""
    comment, case = _public_comment_or_404(comment_id)
    try:
        delete_own_comment(db.session, comment, token=_author_token(comment))
    except CommentRefused as exc:
        refuse(exc.status, exc.message)
    flash(_("Din kommentar er slettet."), "success")
    response = redirect(url_for("reader.detail", slug=case.slug) + "#comments", code=303)
    response.delete_cookie(author_cookie_name(comment.id), httponly=True, samesite="Lax",
                           secure=request.is_secure)
    return response


@bp.post("/comments/<int:comment_id>/report")
@limiter.limit(_action_limit, error_message=_too_many_actions)
@limiter.limit(_action_limit, key_func=_reader_key, scope="report-reader",
               error_message=_too_many_actions)
def report(comment_id: int):
    """Flag a comment for the editors; each reader counts once per comment."""
    comment, case = _public_comment_or_404(comment_id)
    try:
        new = report_comment(db.session, comment, voter_hash(create=True))
    except CommentRefused as exc:
        refuse(exc.status, exc.message)
    if new:
        flash(_("Tak. Redaktionen ser på kommentaren."), "success")
    else:
        flash(_("Du har allerede anmeldt denne kommentar."), "info")
    return redirect(_comment_url(comment, case), code=303)


@bp.get("/comments/<int:comment_id>")
def permalink(comment_id: int):
    """Send a comment's permanent address to the page and anchor where it is shown."""
    comment, case = _public_comment_or_404(comment_id)
    return redirect(_comment_url(comment, case), code=302)
