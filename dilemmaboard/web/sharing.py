"""Sharing a case: its card image and its oEmbed answer (SPEC §11).

Both are the same for every reader, so a shared cache may keep them
(`conditional(..., shared=True)`). What they depend on is named without the
tally whenever a non-voter may not see results: then neither the image nor
its ETag moves when votes come in.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _

from dilemmaboard.extensions import db
from dilemmaboard.models import Case
from dilemmaboard.partners.card import draw_card
from dilemmaboard.partners.sharing import case_slug_from_url, oembed_document
from dilemmaboard.voting.results import case_results
from dilemmaboard.voting.state import case_state, case_version, get_public_case, results_visible
from dilemmaboard.web.caching import conditional
from dilemmaboard.web.errors import refuse
from dilemmaboard.web.i18n import show_number, show_percent
from dilemmaboard.web.urls import absolute_url

bp = Blueprint("sharing", __name__)
MAX_DIMENSION = 10_000


def public_version(case: Case) -> tuple:
    """What a page for everyone shows of the case: its tally only when anyone may see it."""
    if results_visible(case, has_voted=False):
        return case_version(case)
    return (case.id, case.updated_at, case_state(case))


def _public_case(slug: str | None) -> Case:
    case = get_public_case(db.session, slug) if slug else None
    if case is None:
        refuse(404, _("Dilemmaet findes ikke."))
    return case


@bp.get("/dilemmas/<slug>/card.png")
def card(slug: str):
    """Draw the case's share card: its title, and its results when a non-voter may see them."""
    case = _public_case(slug)

    def render():
        results = case_results(case) if results_visible(case, has_voted=False) else None
        total = results.total if results else 0
        with force_locale(case.language):
            png = draw_card(
                case.title, results, kicker="Dilemmaboard · " + _("Ugens dilemma"),
                total_line=get_translations().ngettext(
                    "%(num)s stemme i alt", "%(num)s stemmer i alt", total,
                ) % {"num": show_number(total)},
                invitation=_("Hvad gør du? Stem, og se hvad de andre svarede."),
                percent_label=show_percent)
        return current_app.response_class(png, mimetype="image/png")

    version = public_version(case)
    return conditional(lambda: (version,), render, shared=True)


def _dimension(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) <= MAX_DIMENSION:
        refuse(400, _("%(name)s skal være et helt tal mellem 1 og %(max)s.", name=name,
                      max=MAX_DIMENSION))
    return int(raw)


@bp.get("/oembed")
def oembed():
    """Answer oEmbed (JSON) for a case page of this site: the embed as an iframe."""
    # oEmbed suggests 501 for an unsupported format; a refused input is a 4xx everywhere here.
    if request.args.get("format", "json") != "json":
        refuse(400, _("Kun formatet json understøttes."))
    maxwidth, maxheight = _dimension("maxwidth"), _dimension("maxheight")
    site_url = absolute_url("reader.index")
    case = _public_case(case_slug_from_url(request.args.get("url", ""), site_url))

    def render():
        return jsonify(oembed_document(
            case, embed_url=absolute_url("embed.case", slug=case.slug), site_url=site_url,
            card_url=absolute_url("sharing.card", slug=case.slug),
            maxwidth=maxwidth, maxheight=maxheight))

    version = (case.id, case.updated_at)
    return conditional(lambda: (version,), render, shared=True)
