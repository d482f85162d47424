"""Language and time zone: Danish first, English second (Flask-Babel)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request

from flask_babel import format_date, format_datetime, format_number, format_percent, get_locale

from .extensions import babel

LANG_COOKIE = "lang"


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


def iso_utc(moment: datetime | None) -> str:
    """ISO 8601 in UTC with a Z, as every export and feed writes it."""
    if moment is None:
        return ""
    return moment.replace(microsecond=0).isoformat() + "Z"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories="translations",
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.filters["site_time"] = to_site_time
    app.jinja_env.filters["iso_utc"] = iso_utc
    app.jinja_env.globals.update(
        get_locale=get_locale, format_date=format_date, format_datetime=format_datetime,
        format_percent=format_percent, format_number=format_number,
    )
