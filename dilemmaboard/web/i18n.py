"""Language and time zone: Danish first, English second (Flask-Babel)."""
from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request
from flask_babel import format_date, format_datetime, format_number, format_percent, get_locale

from dilemmaboard.extensions import babel
from dilemmaboard.timeutil import iso_utc

LANG_COOKIE = "lang"
log = logging.getLogger("dilemmaboard")


def select_locale() -> str:
    """The reader's switch (cookie) wins, then Accept-Language, then DEFAULT_LOCALE."""
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config[
        "DEFAULT_LOCALE"
    ]


def select_timezone() -> str:
    return current_app.config["SITE_TIMEZONE"]


def to_site_time(moment: datetime | None) -> datetime | None:
    """Stored naive UTC -> aware datetime in SITE_TIMEZONE."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["SITE_TIMEZONE"])
    return moment.replace(tzinfo=UTC).astimezone(zone)


# Dates as readers in each language write them: "19. nov. 2008" / "19 Nov 2008".
DATE_PATTERNS = {"da": "d. MMM y", "en": "d MMM y"}
DAY_PATTERNS = {"da": "d. MMM", "en": "d MMM"}
DATETIME_PATTERNS = {"da": "d. MMM y 'kl.' HH.mm", "en": "d MMM y, HH:mm"}
# Babel writes a no-break space before "%" in Danish; a plain space (kept on one
# line by CSS) is what readers type and what the README and tests quote.
NARROW_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _pattern(patterns: dict[str, str]) -> str:
    return patterns.get(str(get_locale()), patterns["en"])


def show_date(moment: datetime | None) -> str:
    """A stored UTC time as a date in the site time zone, written per locale."""
    if moment is None:
        return ""
    return format_date(to_site_time(moment), _pattern(DATE_PATTERNS))


def show_day(moment: datetime | None) -> str:
    """Day and month only ("19. nov." / "19 Nov"), for chart axes."""
    if moment is None:
        return ""
    return format_date(to_site_time(moment), _pattern(DAY_PATTERNS))


def show_datetime(moment: datetime | None) -> str:
    """A stored UTC time as date and clock time in the site time zone, per locale."""
    if moment is None:
        return ""
    return format_datetime(to_site_time(moment), _pattern(DATETIME_PATTERNS))


def show_percent(whole: int | float) -> str:
    """A whole-number percentage per locale: "74 %" in Danish, "74%" in English."""
    return format_percent(whole / 100).translate(NARROW_SPACES)


def show_number(value: int) -> str:
    """A count per locale: "1.234" in Danish, "1,234" in English."""
    return format_number(value).translate(NARROW_SPACES)


def compile_catalogues(directory: Path) -> None:
    """Build each missing or stale .mo from its .po.

    `make install` does it with pybabel; gunicorn's master process does it once at
    start (gunicorn.conf.py), for a deployment that skipped make. The file is
    written atomically, so nothing can read half a catalogue.
    """
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parts[-3])
            handle, temp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            with os.fdopen(handle, "wb") as mo_file:
                write_mo(mo_file, catalog)
            os.replace(temp, mo_path)
        except OSError as exc:
            log.warning("could not compile %s: %s (run make compile-messages)", po_path, exc)


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.filters["show_date"] = show_date
    app.jinja_env.filters["show_datetime"] = show_datetime
    app.jinja_env.filters["show_percent"] = show_percent
    app.jinja_env.filters["show_number"] = show_number
    app.jinja_env.globals["get_locale"] = get_locale
