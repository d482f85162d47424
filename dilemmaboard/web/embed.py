"""The embed: a case in a partner's iframe, and votes cast there (SPEC §11).

`/embed/current` and `/embed/<slug>` are the only pages another site may
frame, and only the partners' origins (the registry's `partner_origins`, read
per response into `frame-ancestors`; web/security.py). `?partner=ID` says
whose page the frame sits on; a vote cast in it is recorded with
`resolve_source` of that id (an id not in the registry becomes `unknown`).

Inside another site's frame the browser treats our cookies as third-party
(SECURITY.md, "Voting inside a partner's frame"): the embed keeps no session
(its vote form carries no CSRF token; the POST is checked by Sec-Fetch-Site /
Origin instead) and its voter cookie is `SameSite=None; Secure; Partitioned`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dilemmaboard.extensions import csrf, db, limiter
from dilemmaboard.models import Case
from dilemmaboard.partners.embed import embed_page
from dilemmaboard.partners.registry import all_partners, partner_origins, resolve_source
from dilemmaboard.partners.sharing import iframe_html, loader_html
from dilemmaboard.voting.casting import cast_vote, option_order
from dilemmaboard.voting.state import case_version, this_weeks_case
from dilemmaboard.web.caching import conditional, for_reader
from dilemmaboard.web.errors import refuse
from dilemmaboard.web.privacy import current_voter_id, use_partitioned_voter_cookie, voter_hash
from dilemmaboard.web.reader import VOTE_LIMIT_SCOPE, parse_option, public_case_or_404, vote_limit
from dilemmaboard.web.security import allow_framing, refuse_cross_origin
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("embed", __name__, url_prefix="/embed")
# A partner id is at most 40 characters; a longer value is kept just long enough
# to stay unknown, so a forged id can neither grow the cache key nor name a partner.
PARTNER_PARAM_LENGTH = 41


@bp.before_request
def frame_for_partners() -> None:
    """Let the partners' origins (and only them) frame every embed response."""
    allow_framing(partner_origins(db.session))


def partner_param() -> str | None:
    """The `?partner=` the frame was opened with, as given (cut short), or None."""
    return request.args.get("partner", "")[:PARTNER_PARAM_LENGTH] or None


def render_embed(case: Case, partner: str | None):
    context = embed_page(db.session, case, voter_hash=voter_hash(),
                         voter_id=current_voter_id())
    return render_template(
        "embed/case.html", **context,
        case_url=absolute_url("reader.detail", slug=case.slug),
        vote_url=url_for("embed.vote", slug=case.slug, partner=partner))


def embed_response(case: Case):
    """The embed page; anonymous readers share one cached copy per case, partner and language."""
    partner, origins = partner_param(), tuple(g.frame_ancestors)
    return conditional(lambda: for_reader((case_version(case), origins)),
                       lambda: render_embed(case, partner), shared=True)


@bp.get("/current")
def current():
    """Show this week's dilemma, made for a partner's iframe."""
    case = this_weeks_case(db.session)
    if case is None:
        refuse(404, _("Der er intet dilemma endnu."))
    return embed_response(case)


@bp.get("/<slug>")
def case(slug: str):
    """Show a case, made for a partner's iframe."""
    return embed_response(public_case_or_404(slug))


@bp.post("/<slug>/vote")
@csrf.exempt
@limiter.shared_limit(vote_limit, scope=VOTE_LIMIT_SCOPE)
def vote(slug: str):
    """Record a vote cast in the embed, with the partner as its source; show the embed again."""
    refuse_cross_origin()
    case = public_case_or_404(slug)
    option = parse_option(request.form)
    use_partitioned_voter_cookie()
    voter = voter_hash(create=True)
    known_order = case.shuffle and not g.get("new_voter_cookie")
    shown = option_order(case, current_voter_id()).index(option) + 1 if known_order else None
    partner = partner_param()
    cast_vote(db.session, case, voter, option, shown_position=shown,
              source=resolve_source(db.session, partner))
    db.session.commit()
    # No #results: a jump inside the frame would hide its title once the loader grows it.
    return redirect(url_for("embed.case", slug=case.slug, partner=partner), code=303)


@dataclass(frozen=True)
class EmbedSnippets:
    """What an editor hands a partner for one case: a plain iframe, or the loader."""

    partner_id: str
    partner_name: str
    iframe: str
    loader: str


def embed_snippets(dilemma: str, title: str) -> list[EmbedSnippets]:
    """Both snippets for every partner, as text to copy: for one case's slug, or "current"
    (this week's dilemma, whichever it is) on the desk's Partners page."""
    script = absolute_url("static", filename="embed.js")
    page = {"endpoint": "embed.current"} if dilemma == "current" else {
        "endpoint": "embed.case", "slug": dilemma}
    return [EmbedSnippets(
        partner_id=partner.id, partner_name=partner.name,
        iframe=str(iframe_html(absolute_url(**page, partner=partner.id), title)),
        loader=str(loader_html(script, dilemma, partner.id)),
    ) for partner in all_partners(db.session)]
