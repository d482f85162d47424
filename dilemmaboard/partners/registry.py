"""The partner registry (SPEC §11): who may frame the embed, and the source of a vote.

Partners are added and removed on the command line (`flask partners`); each
change is written to the audit log in the same transaction. `resolve_source`
turns the `?partner=` an embed was opened with into the source stored with a
vote or comment, and never refuses: an id not in the registry is `unknown`.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmaboard.desk import audit
from dilemmaboard.partners.models import Partner, PartnerOrigin
from dilemmaboard.partners.sources import RESERVED, SITE, UNKNOWN, is_partner_id
from dilemmaboard.refusal import Refused

NAME_LENGTH = 100
ORIGIN_LENGTH = 300
# Plain http is allowed only for this machine (development, tests): a partner page
# on the open web is served over https, or the browser would not send our cookies.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
DEFAULT_PORTS = {"https": 443, "http": 80}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE = re.compile(rf"{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\]")
ORIGIN_RULE = ("an origin is https://host[:port] with no path, query or user name "
               "(http only for 127.0.0.1, localhost or [::1])")


def get_partner(session: Session, partner_id: str | None) -> Partner | None:
    """The partner with this id, or None (also for an id that could never be one)."""
    if not is_partner_id(partner_id):
        return None
    return session.get(Partner, partner_id)


def all_partners(session: Session) -> list[Partner]:
    """Every partner, by id, with its origins."""
    return list(session.scalars(select(Partner).order_by(Partner.id)))


def partner_origins(session: Session) -> list[str]:
    """Every partner's allowed origins, sorted and without duplicates."""
    return list(session.scalars(
        select(PartnerOrigin.origin).distinct().order_by(PartnerOrigin.origin)))


def resolve_source(session: Session, partner_id: str | None) -> str:
    """The source to store: "site" for no partner, the id of a known partner, else "unknown".

    Never raises for what a client sends: a forged, malformed or removed id is
    "unknown", so the vote is still counted.
    """
    if partner_id is None or partner_id == "":
        return SITE
    return partner_id if get_partner(session, partner_id) is not None else UNKNOWN


def normalise_origin(raw: str) -> str:
    """`scheme://host[:port]` in lower case, without a default port; Refused otherwise."""
    text = str(raw).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise Refused("invalid", f"{ORIGIN_RULE}, not {raw!r}") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    if (len(text) > ORIGIN_LENGTH or not text.isascii() or scheme not in DEFAULT_PORTS
            or "@" in parts.netloc
            or (scheme == "http" and host not in LOOPBACK_HOSTS)
            or not _HOST_RE.fullmatch(host) or parts.path not in ("", "/")
            or parts.query or parts.fragment or text.endswith(("?", "#"))
            or port == 0):
        raise Refused("invalid", f"{ORIGIN_RULE}, not {raw!r}")
    if port is None or port == DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def _checked_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not 1 <= len(name) <= NAME_LENGTH or any(
            unicodedata.category(c).startswith("C") for c in name):
        raise Refused("invalid", f"a partner's name is 1-{NAME_LENGTH} printable characters")
    return name


def add_partner(session: Session, partner_id: str, name: str, origins: list[str], *,
                who: str) -> Partner:
    """Register a partner and its origins, audited as `who`. Does not commit.

    Raises Refused: invalid (id, name or an origin), conflict (the id exists).
    """
    if not is_partner_id(partner_id):
        raise Refused("invalid", "a partner id is 1-40 characters a-z, 0-9 and -, and not "
                                 f"one of {', '.join(RESERVED)}; not {partner_id!r}")
    name = _checked_name(name)
    checked = sorted({normalise_origin(origin) for origin in origins})
    if not checked:
        raise Refused("invalid", "a partner needs at least one origin (--origin)")
    if session.get(Partner, partner_id) is not None:
        raise Refused("conflict", f"partner {partner_id} already exists "
                                  f"(remove it first to change it)")
    partner = Partner(id=partner_id, name=name,
                      origin_rows=[PartnerOrigin(origin=origin) for origin in checked])
    session.add(partner)
    audit.record(session, who, "partner_add", f"partner {partner_id}",
                 f"{name}: {' '.join(checked)}")
    return partner


def remove_partner(session: Session, partner_id: str, *, who: str) -> Partner:
    """Remove a partner, audited as `who`; its votes keep their source. Does not commit.

    Raises Refused: not_found.
    """
    partner = get_partner(session, partner_id)
    if partner is None:
        raise Refused("not_found", f"no partner with the id {partner_id!r}")
    session.delete(partner)
    audit.record(session, who, "partner_remove", f"partner {partner.id}",
                 f"{partner.name}: {' '.join(partner.origins)}")
    return partner
