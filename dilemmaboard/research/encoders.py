"""The research files' encodings: RFC 4180 CSV and JSON, written in chunks as rows stream.

Times are written by the one ISO rule (`timeutil.iso_utc`), decimals without
exponents, missing values as an empty CSV cell or JSON null.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal

from dilemmaboard.timeutil import iso_utc


class _Moments(dict):
    """ISO texts of recent times: events come in time order, so an hour repeats often."""

    def __missing__(self, moment: datetime) -> str:
        if len(self) > 4096:
            self.clear()
        text = self[moment] = iso_utc(moment)
        return text


def _csv_converters() -> dict:
    moments = _Moments()
    return {
        type(None): lambda v: "",
        bool: lambda v: "true" if v else "false",
        Decimal: lambda v: format(v, "f"),
        datetime: moments.__getitem__,
        date: date.isoformat,
    }


def _json_converters() -> dict:
    moments = _Moments()
    return {
        type(None): lambda v: "null",
        bool: lambda v: "true" if v else "false",
        int: str,
        str: lambda v: json.dumps(v, ensure_ascii=False),
        Decimal: lambda v: format(v, "f"),
        datetime: lambda v: f'"{moments[v]}"',
        date: lambda v: f'"{v.isoformat()}"',
    }


def csv_chunks(header: Sequence[str], rows: Iterable[tuple],
               flush_every: int = 500) -> Iterator[str]:
    """RFC 4180 CSV (header first, CRLF line ends) in chunks of a few hundred rows."""
    convert = _csv_converters()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    pending = 0
    for row in rows:
        # Text and whole numbers go to the csv module as they are; the rest is converted.
        writer.writerow([v if type(v) is str or type(v) is int else convert[type(v)](v)
                         for v in row])
        pending += 1
        if pending >= flush_every:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def json_chunks(header: Sequence[str], rows: Iterable[tuple],
                flush_every: int = 500) -> Iterator[str]:
    """A JSON array of objects keyed by the field names, numbers as numbers, in chunks."""
    convert = _json_converters()
    keys = [json.dumps(name) + ": " for name in header]
    parts = ["["]
    separator = "\n"
    for row in rows:
        body = ", ".join(k + convert[type(v)](v) for k, v in zip(keys, row, strict=True))
        parts.append(separator + "{" + body + "}")
        separator = ",\n"
        if len(parts) >= flush_every:
            yield "".join(parts)
            parts = []
    parts.append("\n]\n")
    yield "".join(parts)


ENCODERS = {"csv": csv_chunks, "json": json_chunks}
MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}
