"""Two languages: the English catalogue is complete, plurals, numbers and dates per locale,
and the reader's choice (switch cookie, else Accept-Language, else DEFAULT_LOCALE)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import write_case

ROOT = Path(__file__).resolve().parent.parent
PO_FILE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The same flags as the Makefile's extract-messages target.
EXTRACT = ["-F", "babel.cfg", "--ignore-dirs", ".* __pycache__ node_modules",
           "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages(tmp_path: Path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", *EXTRACT, "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def english_catalogue():
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="en")


def as_tuple(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def test_every_ui_string_has_an_english_translation(tmp_path):
    """Fails when a template or Python string is missing from the English catalogue."""
    source = extracted_messages(tmp_path)
    english = english_catalogue()
    missing, untranslated = [], []
    for message in source:
        if not message.id:
            continue
        entry = english.get(message.id)
        if entry is None:
            missing.append(message.id)
        elif entry.fuzzy or not all(as_tuple(entry.string)):
            untranslated.append(message.id)
    assert len(source) > 100, "extraction found too few strings: is babel.cfg right?"
    assert not missing, ("not in translations/en/LC_MESSAGES/messages.po "
                         f"(run make extract-messages and translate): {missing}")
    assert not untranslated, f"empty or fuzzy English translations: {untranslated}"


def test_template_macros_are_extracted(tmp_path):
    """pybabel skips folders starting with "_" unless told otherwise; _macros holds strings."""
    ids = {as_tuple(m.id)[0] for m in extracted_messages(tmp_path) if m.id}
    assert "Se tallene dag for dag" in ids  # templates/_macros/results.html
    assert "Lukket før tid" in ids  # templates/_macros/case.html


def test_translations_keep_their_placeholders():
    for message in english_catalogue():
        if not message.id:
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(as_tuple(message.id))))
        for form in as_tuple(message.string):
            assert set(PLACEHOLDER.findall(form)) == wanted, (message.id, form)


def test_plural_forms_header():
    assert english_catalogue().plural_forms == "nplurals=2; plural=(n != 1);"


def page(app, path: str, lang: str | None = None, **headers) -> str:
    client = app.test_client()
    if lang:
        client.set_cookie("lang", lang)
    return client.get(path, headers=headers).get_data(as_text=True)


@pytest.fixture
def seeded(make_app, dilemmas_dir):
    """The seed report's case (closed, 153 imported votes) and a case with one vote."""
    for path in dilemmas_dir.glob("*.md"):
        path.unlink()
    write_case(dilemmas_dir, "seed", title="Fem kompetencedage", publish="2008-11-19T08:00",
               closes="2008-11-26T12:00", extra="imported_votes: [5, 12, 18, 5, 113]")
    write_case(dilemmas_dir, "en-stemme", title="Én stemme", publish="2009-01-05",
               closes="2009-01-12T12:00", extra="imported_votes: [1, 0, 0, 0, 0]")
    return make_app()


def test_plurals_in_danish(seeded):
    archive = page(seeded, "/dilemmas")
    assert "1 stemme<" in archive and "153 stemmer<" in archive
    assert "153 stemmer i alt" in page(seeded, "/dilemmas/seed")
    assert "1 stemme i alt" in page(seeded, "/dilemmas/en-stemme")


def test_plurals_in_english(seeded):
    archive = page(seeded, "/dilemmas", "en")
    assert "1 vote<" in archive and "153 votes<" in archive
    assert "153 votes in total" in page(seeded, "/dilemmas/seed", "en")
    assert "1 vote in total" in page(seeded, "/dilemmas/en-stemme", "en")
    assert "113 of 153 votes" in page(seeded, "/dilemmas/seed", "en")


def test_percent_per_locale(seeded):
    assert 'class="percent">74 %<' in page(seeded, "/dilemmas/seed")
    assert 'class="percent">74%<' in page(seeded, "/dilemmas/seed", "en")


def test_results_are_spoken_as_a_sentence(seeded):
    assert "Svar 5: 74 %, 113 af 153 stemmer" in page(seeded, "/dilemmas/seed")
    assert "Answer 5: 74%, 113 of 153 votes" in page(seeded, "/dilemmas/seed", "en")


def test_dates_per_locale(seeded):
    assert "19. nov. 2008" in page(seeded, "/dilemmas/seed")
    assert "19 Nov 2008" in page(seeded, "/dilemmas/seed", "en")


def test_numbers_per_locale(app):
    from dilemmaboard.web.i18n import show_number

    with app.test_request_context(headers={"Accept-Language": "da"}):
        assert show_number(12345) == "12.345"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert show_number(12345) == "12,345"


def test_language_switch_sets_a_cookie_and_goes_back(seeded):
    client = seeded.test_client()
    response = client.get("/language/en?next=/dilemmas/seed")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dilemmas/seed")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = client.get("/dilemmas/seed").get_data(as_text=True)
    assert '<html lang="en">' in html and "How readers answered" in html


def test_unknown_language_sets_no_cookie(seeded):
    response = seeded.test_client().get("/language/xx?next=/")
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers


def test_switch_cookie_beats_accept_language(seeded):
    html = page(seeded, "/dilemmas", "da", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="da">' in html and "Alle dilemmaer" in html


@pytest.mark.parametrize("header, lang", [
    ("en-GB,en;q=0.9", "en"), ("en-US", "en"), ("da-DK,da;q=0.9,en;q=0.5", "da"),
    ("sv-SE,sv;q=0.9,en;q=0.5", "en"), ("fr-FR", "da"), ("", "da"), ("*", "da"),
    ("en;q=garbage", "da"),
])
def test_accept_language(seeded, header, lang):
    html = page(seeded, "/dilemmas", **{"Accept-Language": header})
    assert f'<html lang="{lang}">' in html


def test_default_locale_setting(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    html = app.test_client().get("/dilemmas").get_data(as_text=True)
    assert '<html lang="en">' in html and "All dilemmas" in html


def test_case_text_keeps_its_language(seeded):
    html = page(seeded, "/dilemmas/seed", "en")
    assert '<html lang="en">' in html
    assert '<article class="case" lang="da">' in html
    assert re.search(r'<span class="option-text" lang="da">Svar 1</span>', html)


def test_english_case_is_marked_in_danish_ui(make_app, dilemmas_dir):
    write_case(dilemmas_dir, "english", title="An English case", extra="language: en")
    html = make_app().test_client().get("/dilemmas/english").get_data(as_text=True)
    assert '<html lang="da">' in html and '<article class="case" lang="en">' in html


def test_error_pages_follow_the_language(seeded):
    assert "That dilemma does not exist." in page(seeded, "/dilemmas/nope", "en")
    assert "Dilemmaet findes ikke." in page(seeded, "/dilemmas/nope")


def test_stale_catalogue_is_compiled_on_start(tmp_path):
    from dilemmaboard.web.i18n import compile_catalogues

    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_bytes(PO_FILE.read_bytes())
    compile_catalogues(tmp_path)
    assert (folder / "messages.mo").stat().st_size > 1000
