"""Scaffolds for new case files (`flask dilemmas new`): a pure function from a title to a file."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path


def slugify(title: str) -> str:
    folded = title.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    folded = unicodedata.normalize("NFKD", folded)
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:80] or "dilemma"


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) or 7)


# The scaffold's stand-in texts: `check` (and every sync) refuses a file that still has them.
BODY_PLACEHOLDER = "Beskriv situationen her: hvem er lederen, hvad er sket, og hvad står på spil?"
FOLLOWUP_PLACEHOLDER = "Ekspertens kommentar, som vises, når afstemningen er lukket."
PLACEHOLDERS = (BODY_PLACEHOLDER, FOLLOWUP_PLACEHOLDER)

# A scaffold starts as a draft: never public until an editor removes `draft: true`.
TEMPLATE = """---
title: {title}
publish: {publish}T08:00
language: {language}
draft: true
tags: []
options:
  - ""
  - ""
  - ""
  - ""
  - ""
---
{body}

Hvad gør du?

<!-- followup -->
{followup}
"""


def write_scaffold(folder: Path, title: str, *, language: str, today: date) -> Path:
    """Write a scaffold for `title` published next Monday; refuse to overwrite a file."""
    folder.mkdir(parents=True, exist_ok=True)
    publish = next_monday(today)
    path = folder / f"{publish.isoformat()}-{slugify(title)}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    safe_title = title.replace('"', '\\"')
    path.write_text(TEMPLATE.format(title=f'"{safe_title}"', publish=publish.isoformat(),
                                    language=language, body=BODY_PLACEHOLDER,
                                    followup=FOLLOWUP_PLACEHOLDER), encoding="utf-8")
    return path
