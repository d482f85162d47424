"""Where a vote or a comment came from (SPEC §11): one rule, stated once.

A source is `site` (our own pages), a partner's id, `unknown` (a partner id
that is not in the registry: the vote still counts) or `imported` (tallies
carried over from an earlier system, `imported_votes`). The three words are
reserved: no partner may be called by them.
"""
from __future__ import annotations

import re

SITE = "site"
UNKNOWN = "unknown"
IMPORTED = "imported"
RESERVED = (SITE, UNKNOWN, IMPORTED)
# A partner id, and so every source, fits in the column (SOURCE_LENGTH).
PARTNER_ID_RE = re.compile(r"[a-z0-9-]{1,40}")
SOURCE_LENGTH = 40


def is_partner_id(value: object) -> bool:
    """True for a well-formed partner id that is not one of the reserved sources."""
    return (isinstance(value, str) and PARTNER_ID_RE.fullmatch(value) is not None
            and value not in RESERVED)
