"""Names a reader may not take: the staff's, also spelled with look-alike characters.

A comment signed "Redaktionen", "Admin" or an editor's user name would speak for the
site. Names are compared by a confusable skeleton: what is left when everything that
only changes how a name looks (width, case, accents, invisible characters, a Cyrillic
"а" for a Latin "a") is taken out. The look-alikes come from Unicode's confusables
data (UTS #39) as the confusable_homoglyphs package ships it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from dilemmaboard.models import Editor
from dilemmaboard.refusal import Refused

# The words that speak for the site, in Danish and English; editors' user names are
# reserved as well (read from the database when a comment is posted).
STAFF_NAMES = ("Redaktionen", "Redaktion", "Redaktør", "Redaktøren", "Redaktører",
               "Editor", "Editors", "Admin", "Administrator", "Moderator", "Dilemmaboard")

# ASCII letters and digits that stand for each other in many fonts (UTS #39 maps
# I, 1 and | to l): folded after the rest, on both sides of a comparison.
_ASCII_FOLD = str.maketrans({"l": "i", "1": "i", "|": "i", "0": "o"})
_ASCII_PAIRS = (("rn", "m"), ("vv", "w"))
_WORD = re.compile(r"[^\W_]+")


def _strip_marks(text: str) -> str:
    """Decompose and drop combining marks: accents, overlays, variation selectors."""
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if not unicodedata.category(c).startswith("M"))


@cache
def _ascii_lookalikes() -> dict[int, str]:
    """Each non-ASCII character the confusables data says looks like one ASCII letter
    or digit (accents aside), as a str.translate table. Read once, on first use."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[int, str] = {}
    for char, glyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        for glyph in glyphs:
            plain = _strip_marks(glyph["c"])
            if len(plain) == 1 and plain.isascii() and plain.isalnum():
                table[ord(char)] = plain
                break
    return table


def skeleton(name: str) -> str:
    """What a name looks like, with look-alikes made one: compare these, not names."""
    text = unicodedata.normalize("NFKC", name)  # full-width, mathematical letters
    # Format characters (zero-width joiners and spaces, soft hyphens, bidi marks) show
    # nothing: gone.
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    lookalikes = _ascii_lookalikes()
    # Before and after casefolding: a capital and a small Cyrillic letter may look like
    # different Latin ones (М and м).
    text = _strip_marks(text.translate(lookalikes).casefold().translate(lookalikes))
    text = text.casefold().translate(_ASCII_FOLD)
    for pair, single in _ASCII_PAIRS:
        text = text.replace(pair, single)
    return text


def _words(name_skeleton: str) -> list[str]:
    return _WORD.findall(name_skeleton)


@cache
def _staff_skeletons() -> frozenset[str]:
    return frozenset("".join(_words(skeleton(n))) for n in STAFF_NAMES)


def is_reserved(name: str, usernames: list[str]) -> bool:
    """True when `name` reads as a staff word (alone, as one of its words, or spelled out
    with spaces or dots) or as one of these user names."""
    words = _words(skeleton(name))
    joined = "".join(words)
    staff = _staff_skeletons()
    if joined in staff or any(word in staff for word in words):
        return True
    return any(joined == "".join(_words(skeleton(u))) for u in usernames)


def refuse_staff_name(session: Session, name: str) -> None:
    """Refuse a display name that passes for the editors' or an editor's own."""
    usernames = list(session.scalars(select(Editor.username)))
    if is_reserved(name, usernames):
        raise Refused("invalid", _(
            "Navnet ligner redaktionens eller en redaktørs navn og kan ikke bruges. "
            "Vælg et andet navn."))
