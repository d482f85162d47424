"""What a shared link shows: Open Graph and Twitter-card tags, share links, oEmbed (SPEC §11).

Pure functions of a case and the absolute URLs the view hands in: no request,
no app. The view (web/sharing.py, web/reader.py) builds the URLs from SITE_URL.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

import nh3
from markupsafe import Markup, escape

from dilemmaboard.cases.fields import SLUG_RE
from dilemmaboard.models import Case

OG_LOCALES = {"da": "da_DK", "en": "en_GB"}
DESCRIPTION_LENGTH = 200
FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
# The embed's size in an oEmbed answer and in the snippets: a column's width.
EMBED_WIDTH, EMBED_HEIGHT = 600, 720
CARD_WIDTH, CARD_HEIGHT = 1200, 630


@dataclass(frozen=True)
class ShareMeta:
    """Everything the case page's <head> and share links need, all absolute URLs."""

    url: str
    title: str
    description: str
    image_url: str
    locale: str
    oembed_url: str
    linkedin_url: str
    mail_url: str


def opening(body_html: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The case's first paragraph as plain text, cut at a word near `limit` characters."""
    match = FIRST_PARAGRAPH.search(body_html)
    text = html.unescape(nh3.clean(match.group(1) if match else body_html, tags=set()))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:–-") + " …"


def share_meta(case: Case, *, page_url: str, card_url: str, oembed_endpoint: str) -> ShareMeta:
    """The tags and links that make a shared case link show its title, opening and card."""
    return ShareMeta(
        url=page_url, title=case.title, description=opening(case.body_html),
        image_url=card_url, locale=OG_LOCALES.get(case.language, case.language),
        oembed_url=oembed_endpoint + "?" + urlencode({"url": page_url, "format": "json"}),
        linkedin_url="https://www.linkedin.com/sharing/share-offsite/?"
                     + urlencode({"url": page_url}),
        mail_url="mailto:?subject=" + quote(case.title) + "&body=" + quote(page_url),
    )


def case_slug_from_url(url: str, site_url: str) -> str | None:
    """The slug a URL of this site names (`/dilemmas/<slug>`), else None.

    Other hosts, other schemes, other paths and query strings are not ours.
    """
    try:
        parts, site = urlsplit(url.strip()), urlsplit(site_url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != site.netloc.lower():
        return None
    base = site.path.rstrip("/") + "/dilemmas/"
    if not parts.path.startswith(base) or parts.query:
        return None
    slug = parts.path[len(base):].rstrip("/")
    return slug if SLUG_RE.match(slug) else None


def iframe_html(embed_url: str, title: str, width: int | None = None,
                height: int = EMBED_HEIGHT) -> Markup:
    """The plain <iframe> a partner pastes (and oEmbed hands out): works without script."""
    size = f' width="{width}"' if width else ' width="100%"'
    return Markup(
        f'<iframe src="{escape(embed_url)}" title="{escape(title)}"{size} height="{height}"'
        f' style="border:0;max-width:100%" loading="lazy"></iframe>'
    )


def loader_html(script_url: str, dilemma: str, partner: str) -> Markup:
    """The loader snippet: static/embed.js makes the iframe and keeps it as tall as its page."""
    return Markup(
        f'<script src="{escape(script_url)}" data-dilemma="{escape(dilemma)}"'
        f' data-partner="{escape(partner)}" async></script>'
    )


def oembed_document(case: Case, *, embed_url: str, site_url: str, card_url: str,
                    maxwidth: int | None, maxheight: int | None) -> dict:
    """The oEmbed 1.0 `rich` answer for a case; the frame keeps within maxwidth/maxheight."""
    width = min(EMBED_WIDTH, maxwidth) if maxwidth else EMBED_WIDTH
    height = min(EMBED_HEIGHT, maxheight) if maxheight else EMBED_HEIGHT
    document = {
        "version": "1.0", "type": "rich", "title": case.title,
        "provider_name": "Dilemmaboard", "provider_url": site_url,
        "html": str(iframe_html(embed_url, case.title, width, height)),
        "width": width, "height": height,
    }
    # The thumbnail must keep within the limits too; a smaller one we do not draw.
    if (maxwidth or CARD_WIDTH) >= CARD_WIDTH and (maxheight or CARD_HEIGHT) >= CARD_HEIGHT:
        document.update(thumbnail_url=card_url, thumbnail_width=CARD_WIDTH,
                        thumbnail_height=CARD_HEIGHT)
    return document
