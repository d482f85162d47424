"""Times as Dilemmaboard writes them for machines: the exports, the API, feeds and <time>."""
from __future__ import annotations

from datetime import datetime


def iso_utc(moment: datetime | None) -> str:
    """A stored naive-UTC time as ISO 8601 with a Z, to the second; "" for None."""
    if moment is None:
        return ""
    return moment.replace(microsecond=0).isoformat() + "Z"
