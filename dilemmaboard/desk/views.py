"""The editors' desk under /admin/ (SPEC §1, §6): login, dashboard, preview, close, moderate.

Every page needs an editor (anonymous -> the login page, researcher -> 403),
except the login page itself and logging out. Every POST carries a CSRF
token (CSRFProtect, global) and is parse -> one service call -> commit ->
redirect (303); a form error shows the page again with its message (400), and a
refusal from the service is shown inside the desk (`refused`).
"""
from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, logout_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from dilemmaboard.comments.listing import parse_page
from dilemmaboard.comments.service import STATUSES
from dilemmaboard.desk import audit, service
from dilemmaboard.desk.access import (
    form_account_key,
    login_budget,
    open_session,
    require_editor,
)
from dilemmaboard.desk.accounts import authenticate, end_sessions
from dilemmaboard.desk.charts import daily_chart, daily_votes, option_bars
from dilemmaboard.desk.forms import (
    ActionForm,
    BulkModerateForm,
    LoginForm,
    ModerateForm,
    ReasonForm,
)
from dilemmaboard.desk.problem_words import problem_lines
from dilemmaboard.desk.sources import source_split
from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.partners.registry import all_partners
from dilemmaboard.refusal import Refused
from dilemmaboard.research.tables import Scope
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import case_state, get_case
from dilemmaboard.web.embed import embed_snippets
from dilemmaboard.web.errors import REFUSAL_STATUS, refuse, render_error
from dilemmaboard.web.pages import PREVIEW_VIEWS, CommentQuery, Viewer, case_page
from dilemmaboard.web.security import local_next
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("admin", __name__, url_prefix="/admin")
log = logging.getLogger("dilemmaboard")
OPEN_ENDPOINTS = {"admin.login", "admin.logout"}
QUEUE_LIMIT = 100
COMMENTS_PER_PAGE = 50
AUDIT_PER_PAGE = 50


@bp.before_request
def editors_only():
    """Every desk page needs an editor; only the login page and logging out are open."""
    if request.endpoint not in OPEN_ENDPOINTS:
        require_editor()


@bp.errorhandler(Refused)
def refused(exc: Refused):
    """Show a refusal inside the desk, with the status the one mapping gives its kind."""
    status = REFUSAL_STATUS[exc.kind]
    return render_template("admin/refused.html", message=exc.message, status=status), status


@bp.errorhandler(429)
def too_many_attempts(exc):
    """Too many failed logins: say so in words (the limiter answers 429)."""
    return render_error(429, _("For mange loginforsøg. Vent et minut, og prøv igen."))


def case_or_404(slug: str) -> Case:
    """Any case by slug, drafts and scheduled ones included."""
    case = get_case(db.session, slug)
    if case is None:
        raise Refused("not_found", _("Dilemmaet findes ikke."))
    return case


# --- logging in and out ---------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@login_budget(form_account_key, methods=["POST"])
def login():
    """Show the login form; on success start a new session and go to `next`."""
    form = LoginForm()
    target = local_next(request.form.get("next") if request.method == "POST"
                        else request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        if current_user.role == "editor":
            return redirect(target or url_for("admin.dashboard"), code=303)
        return render_template("admin/account.html", form=ActionForm())
    status, error = 200, None
    if request.method == "POST":
        if form.validate_on_submit():
            editor = authenticate(db.session, form.username.data, form.password.data)
            if editor is not None:
                return _start_session(editor, target)
            log.warning("failed login for an account name of %d characters",
                        len(form.username.data or ""))
            status, error = 401, _("Forkert brugernavn eller adgangskode.")
        else:
            status, error = 400, _("Skriv brugernavn og adgangskode.")
    form.next.data = target or ""
    return render_template("admin/login.html", form=form, error=error), status


def _start_session(editor, target: str | None):
    """A fresh session (no fixation), the login in the audit log, then on to `next`."""
    open_session(editor)
    audit.record(db.session, editor.username, "login", f"editor {editor.username}")
    db.session.commit()
    default = url_for("admin.dashboard") if editor.role == "editor" else url_for("admin.login")
    return redirect(target or default, code=303)


@bp.post("/logout")
def logout():
    """Log out (POST only, with the CSRF token) and forget the whole session; every copy
    of the session cookie ends with it."""
    if current_user.is_authenticated:
        end_sessions(db.session, current_user.id)
        audit.record(db.session, current_user.username, "logout",
                     f"editor {current_user.username}")
        db.session.commit()
        logout_user()
    session.clear()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("admin.login"), code=303)


# --- the dashboard ----------------------------------------------------------------------

@bp.get("/")
def dashboard():
    """Show every case with its state and numbers, and the problems of the last sync."""
    board = service.dashboard(db.session)
    return render_template("admin/dashboard.html", rows=board.rows, problems=board.problems,
                           problem_rows=problem_lines(board.problems), form=ActionForm())


@bp.post("/reload")
def reload_cases():
    """Load the case folder again (the same sync as `flask dilemmas sync`) and report."""
    folder = current_app.config["DILEMMAS_DIR"]
    if not Path(folder).is_dir():
        flash(_("Mappen med cases findes ikke: %(folder)s", folder=folder), "error")
        return redirect(url_for("admin.dashboard"), code=303)
    report = service.reload_cases(db.session, current_app.config, editor=current_user.username)
    db.session.commit()
    flash(_("Cases genindlæst: %(summary)s.", summary=audit.sync_summary(
        report.created, report.updated, report.unchanged, report.skipped)), "success")
    if report.problems:
        flash(ngettext("%(num)s problem i case-filerne: se listen nedenfor.",
                       "%(num)s problemer i case-filerne: se listen nedenfor.",
                       len(report.problems)), "warning")
    return redirect(url_for("admin.dashboard") + "#sync-problems", code=303)


@bp.post("/snapshots")
def make_snapshot():
    """Publish a citable snapshot of the research data on /data (public files, or every
    table for researchers with `access=login`)."""
    access = request.form.get("access", "public")
    if access not in ("public", "login"):
        refuse(400, _("Vælg offentlig eller login."))
    config = current_app.config
    scope = Scope(zone=ZoneInfo(config["SITE_TIMEZONE"]), privileged=access == "login")
    card = service.publish_snapshot(
        db.session, scope, Path(config["SNAPSHOT_DIR"]), publisher=config["DATA_PUBLISHER"],
        url=absolute_url("data.index"), editor=current_user.username)
    db.session.commit()
    flash(_("Øjebliksbillede %(version)s er udgivet på datasiden.", version=card.version),
          "success")
    return redirect(url_for("data.index") + "#snapshots-heading", code=303)


# --- one case: live numbers, preview, close and reopen -------------------------------------

def render_case_page(case: Case, form: ReasonForm | None = None, status: int = 200):
    """The desk's page of one case (also again after a form error, with `form`)."""
    data = daily_votes(db.session, case, current_app.config["SITE_TIMEZONE"])
    return render_template(
        "admin/case.html", case=case, state=case_state(case), results=case_results(case),
        bars=option_bars(case), daily=data, sources=source_split(db.session, case),
        daily_svg=daily_chart(data, chart_id=f"daily-votes-{case.id}"),
        form=form or ReasonForm(), snippets=embed_snippets(case.slug, case.title),
    ), status


@bp.get("/dilemmas/<slug>")
def case_detail(slug: str):
    """Show a case's live numbers: votes per option and new votes per day."""
    return render_case_page(case_or_404(slug))


@bp.get("/dilemmas/<slug>/preview")
def preview(slug: str):
    """Show any case as readers will see it: the ballot a new reader meets (?view=ballot,
    the default), or the results and follow-up (?view=results)."""
    case = case_or_404(slug)
    view = request.args.get("view")
    view = view if view in PREVIEW_VIEWS else PREVIEW_VIEWS[0]
    context = case_page(db.session, case, Viewer(), comments=CommentQuery(), preview=True,
                        preview_view=view)
    return render_template("dilemmas/detail.html", **context, preview_views=PREVIEW_VIEWS,
                           preview_view=view)


STATE_MESSAGES = {
    "open": _l("Afstemningen er åben igen."),
    "closed": _l("Afstemningen er lukket."),
    "closed_early": _l("Afstemningen er lukket før tid."),
}


@bp.post("/dilemmas/<slug>/close", defaults={"action": "close"})
@bp.post("/dilemmas/<slug>/reopen", defaults={"action": "reopen"})
@bp.post("/dilemmas/<slug>/follow-schedule", defaults={"action": "follow_schedule"})
def change_state(slug: str, action: str):
    """Close a case early, reopen it, or hand it back to its dates; a reason is required."""
    case = case_or_404(slug)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_case_page(case, form, 400)
    state = service.set_case_override(db.session, case, action,
                                      editor=current_user.username, reason=form.reason.data)
    db.session.commit()
    flash(str(STATE_MESSAGES.get(state, _l("Casen følger nu sine datoer."))), "success")
    return redirect(url_for("admin.case_detail", slug=case.slug), code=303)


# --- moderation -------------------------------------------------------------------------------

def render_queue(form: ModerateForm | None = None, status: int = 200):
    """The moderation queue (also again after a form error, with `form` and its messages)."""
    queue_now = service.moderation_queue(db.session, QUEUE_LIMIT)
    return render_template("admin/queue.html", queue=queue_now, form=form or ModerateForm(),
                           here=url_for("admin.queue")), status


@bp.get("/comments")
def queue():
    """Show the comments waiting for an editor and the reported ones."""
    return render_queue()


def render_case_comments(case: Case, args, here: str, form: ModerateForm | None = None,
                         status: int = 200):
    """A case's list of comments (also again after a form error, with `form`)."""
    shown = args.get("status", "")
    page = db.paginate(service.case_comments(case, shown), page=parse_page(args),
                       per_page=COMMENTS_PER_PAGE, error_out=False)
    return render_template("admin/comments.html", case=case, page=page, status=shown,
                           statuses=STATUSES, form=form or ModerateForm(), here=here), status


@bp.get("/dilemmas/<slug>/comments")
def case_comments(slug: str):
    """List every comment of a case, whatever its status, newest first."""
    return render_case_comments(case_or_404(slug), request.args,
                                request.full_path.rstrip("?"))


def _form_error(form: ModerateForm):
    """Show the page the refused form was on again, with the form's messages (400):
    a case's list of comments when it came from one, else the queue."""
    here = local_next(form.next.data)
    if here:
        parts = urlsplit(here)
        try:
            endpoint, args = current_app.url_map.bind("").match(parts.path, method="GET")
        except HTTPException:
            endpoint, args = None, {}
        if endpoint == "admin.case_comments":
            case = case_or_404(args["slug"])
            return render_case_comments(case, MultiDict(parse_qsl(parts.query)), here, form, 400)
    return render_queue(form, 400)


def _moderate(form: ModerateForm, comment_ids: list[int]):
    changed = service.moderate(db.session, comment_ids, form.action.data,
                               editor=current_user.username, reason=form.reason.data)
    db.session.commit()
    flash(ngettext("%(num)s kommentar ændret.", "%(num)s kommentarer ændret.", changed),
          "success")
    return redirect(local_next(form.next.data) or url_for("admin.queue"), code=303)


@bp.post("/comments/<id:comment_id>/moderate")
def moderate_one(comment_id: int):
    """Approve, hide, restore or delete one comment, or dismiss its reports."""
    form = ModerateForm()
    if not form.validate_on_submit():
        return _form_error(form)
    return _moderate(form, [comment_id])


@bp.post("/comments/bulk")
def moderate_bulk():
    """Apply one action to every comment ticked in a list."""
    form = BulkModerateForm()
    if not form.validate_on_submit():
        return _form_error(form)
    return _moderate(form, form.ids.data)


# --- the audit log ------------------------------------------------------------------------------

@bp.get("/audit")
def audit_log():
    """Show what editors did, newest first, 50 to a page."""
    page = db.paginate(audit.entries(), page=parse_page(request.args), per_page=AUDIT_PER_PAGE,
                       error_out=False)
    return render_template("admin/audit.html", page=page, rows=audit.shown_rows(page.items))


# --- partner sites ------------------------------------------------------------------------------

@bp.get("/partners")
def partners():
    """Show the partner sites that may frame the dilemma (managed with `flask partners`)."""
    return render_template("admin/partners.html", partners=all_partners(db.session),
                           snippets=embed_snippets("current", _("Ugens dilemma")))
