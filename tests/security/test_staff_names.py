"""Nobody posts as the staff (issue 17.15): staff words and editors' user names are
reserved, compared by a confusable skeleton, so look-alikes are refused too."""
from __future__ import annotations

import pytest

from dilemmaboard.comments.names import is_reserved, skeleton
from tests.conftest import Reader
from tests.security.conftest import EDITOR, OPEN, add_account, latest_comment, post_comment
from tests.security.tools import assert_refused, snapshot

RESERVED = {
    "staff word": "Redaktionen",
    "lower case": "redaktionen",
    "editor": "Redaktør",
    "editor without the ø": "Redaktor",
    "admin": "Admin",
    "administrator": "ADMINISTRATOR",
    "moderator": "Moderator",
    "site name": "Dilemmaboard",
    "Cyrillic e": "R\u0435daktionen",
    "Cyrillic s and a": "Dilemm\u0430bo\u0430rd",
    "Cyrillic capital M": "\u041coderator",
    "Greek capitals": "\u0391DMIN",
    "Cyrillic dotted i": "Adm\u0456nistrator",
    "zero-width space": "Re\u200bdaktionen",
    "zero-width joiner": "Ad\u200dmin",
    "soft hyphen": "Redak\u00adtionen",
    "full width": "\uff21\uff44\uff4d\uff49\uff4e",
    "mathematical bold": "\U0001d400\U0001d41d\U0001d426\U0001d422\U0001d427",
    "accents": "R\u00e9dakti\u00f6nen",
    "digit one for l": "Dilemmaboard".replace("l", "1"),
    "capital I for l": "DiIemmaboard",
    "spelled out": "R e d a k t i o n e n",
    "one of the words": "Hilsen Redaktionen",
    "with a dash": "Dilemmaboard-redaktionen",
    "in brackets": "Anne (admin)",
    "an editor's user name": EDITOR.capitalize(),
    "an editor's user name, Cyrillic o": EDITOR.replace("o", "\u043e"),
}
ALLOWED = ["Anne", "Søren Kierkegaard", "Badminton-Bo", "Moderat Mette", "Admira",
           "Redaktionens læser", "Ed", "Iben", "Læser 1", "مرحبا", "שלום", "Li Wei",
           "👩\u200d💻 Mette", "Rie"]


@pytest.mark.parametrize("name", list(RESERVED.values()), ids=list(RESERVED))
def test_staff_names_and_look_alikes_are_reserved(name):
    assert is_reserved(name, [EDITOR])


@pytest.mark.parametrize("name", ALLOWED)
def test_readers_names_are_not(name):
    assert not is_reserved(name, [EDITOR])


def test_the_skeleton_makes_look_alikes_one():
    assert skeleton("R\u0435d\u0430kti\u043en\u0435n") == skeleton("Redaktionen")
    assert skeleton("Adm1n") == skeleton("AdmIn") == skeleton("admin")
    assert skeleton("Anne") != skeleton("Admin")


def test_posting_as_the_staff_is_refused_with_a_clear_message(site):
    """Through the real form, every reserved name: 400, the reason, nothing stored."""
    add_account(site, EDITOR)
    reader = Reader(site.test_client())
    assert reader.vote(OPEN, "2").status_code == 303
    for why, name in RESERVED.items():
        before = snapshot(site)
        response = post_comment(reader, OPEN, "Vi har besluttet …", name=name)
        assert_refused(site, response, 400, before)
        page = response.get_data(as_text=True)
        assert "Navnet ligner redaktionens eller en redaktørs navn" in page, why
        assert "Vi har besluttet …" in page  # the reader's text is kept in the form
    assert post_comment(reader, OPEN, "Min egen mening.", name="Anne").status_code == 303
    assert latest_comment(site).name == "Anne"
