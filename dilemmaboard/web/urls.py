"""The `id` URL converter: a row id in an address, as `/comments/<id:comment_id>`.

Only 1..MAX_ID (PostgreSQL's integer) matches, so an id no row can have is a
404 like any unknown address, never a query the database refuses (a 500).
Ten digits at most: a thousand-digit "id" is not even turned into a number.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

from dilemmaboard.models import MAX_ID


class IdConverter(IntegerConverter):
    regex = r"\d{1,10}"

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
