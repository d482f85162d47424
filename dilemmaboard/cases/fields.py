"""Front-matter values -> typed case fields; every problem is collected, located at its key.

Each function reads one key (or a pair) from a `FrontMatter` and appends what
is wrong to `problems`, so one run reports every broken value of a file.
"""
from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dilemmaboard.cases.front_matter import FRONT_MATTER_LINE, FrontMatter
from dilemmaboard.cases.problems import Problem

# A case's address: /dilemmas/<slug>. The one statement of the rule.
SLUG_RE = re.compile(r"^[a-z0-9-]{1,80}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
RESULT_MODES = ("after_vote", "always", "after_close")
KNOWN_KEYS = (
    "title", "publish", "closes", "language", "slug", "source", "results",
    "shuffle", "draft", "tags", "options", "imported_votes",
)
OPTION_COUNT = 5
DEFAULT_OPEN_DAYS = 7
UTC = ZoneInfo("UTC")


def unknown_keys(path: str, front: FrontMatter, problems: list[Problem]) -> None:
    for key in front.data:
        if key not in KNOWN_KEYS:
            hint = difflib.get_close_matches(str(key), KNOWN_KEYS, n=1)
            more = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(Problem(path, front.line(str(key)), f"unknown key '{key}'{more}"))


def slug(path: str, front: FrontMatter, file_stem: str, problems: list[Problem]) -> str:
    """The `slug` key, else the file name without `.md`."""
    value = front.data.get("slug", file_stem)
    if not isinstance(value, str) or not SLUG_RE.match(value):
        where = "slug" if "slug" in front.data else "file name"
        problems.append(Problem(path, front.line("slug") or 1,
                                f"bad slug {value!r} from the {where}: use [a-z0-9-]{{1,80}}"))
    return value


def language(path: str, front: FrontMatter, default_locale: str,
             problems: list[Problem]) -> str:
    value = front.data.get("language", default_locale)
    if not isinstance(value, str) or not LANGUAGE_RE.match(value):
        problems.append(Problem(path, front.line("language"),
                                f"bad language {value!r} (use a code like 'da' or 'en')"))
    return value


def results_mode(path: str, front: FrontMatter, problems: list[Problem]) -> str:
    value = front.data.get("results", "after_vote")
    if value not in RESULT_MODES:
        problems.append(Problem(path, front.line("results"),
                                f"bad results mode {value!r}: use one of "
                                + ", ".join(RESULT_MODES)))
    return value


def text(path: str, front: FrontMatter, key: str, problems: list[Problem], *,
         required: bool = False, limit: int = 300) -> str | None:
    value = front.data.get(key)
    if value is None:
        if required:
            problems.append(Problem(path, FRONT_MATTER_LINE, f"missing '{key}'"))
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        problems.append(Problem(path, front.line(key), f"'{key}' must be text"))
        return None
    stripped = str(value).strip()
    if required and not stripped:
        problems.append(Problem(path, front.line(key), f"'{key}' is empty"))
    if len(stripped) > limit:
        problems.append(Problem(path, front.line(key), f"'{key}' is over {limit} characters"))
    return stripped or None


def flag(path: str, front: FrontMatter, key: str, problems: list[Problem]) -> bool:
    value = front.data.get(key, False)
    if not isinstance(value, bool):
        problems.append(Problem(path, front.line(key), f"'{key}' must be true or false"))
        return False
    return value


def tags(path: str, front: FrontMatter, problems: list[Problem]) -> list[str]:
    value = front.data.get("tags", []) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) for t in value):
        problems.append(Problem(path, front.line("tags"), "tags must be a list of words"))
        return []
    return [str(t) for t in value]


def to_utc(value: object, tz: ZoneInfo) -> datetime | None:
    """Accept a YAML date, datetime or ISO string; naive values are in the site zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.min)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # e.g. 0001-01-01 or 9999-12-31 shifted out of range
        return None


def dates(path: str, front: FrontMatter, tz: ZoneInfo,
          problems: list[Problem]) -> tuple[datetime | None, datetime | None]:
    """(publish, closes) in naive UTC; `closes` defaults to a week after `publish`."""
    publish_raw = front.data.get("publish")
    publish = None
    if publish_raw is None:
        problems.append(Problem(path, FRONT_MATTER_LINE, "missing 'publish'"))
    else:
        publish = to_utc(publish_raw, tz)
        if publish is None:
            problems.append(Problem(path, front.line("publish"),
                                    f"bad date for 'publish': {publish_raw!r}"))
    closes_raw = front.data.get("closes")
    closes = None
    if closes_raw is not None:
        closes = to_utc(closes_raw, tz)
        if closes is None:
            problems.append(Problem(path, front.line("closes"),
                                    f"bad date for 'closes': {closes_raw!r}"))
    elif publish is not None:
        try:
            closes = publish + timedelta(days=DEFAULT_OPEN_DAYS)
        except OverflowError:
            problems.append(Problem(path, front.line("publish"),
                                    f"bad date for 'publish': {publish_raw!r}"))
    if publish is not None and closes is not None and closes <= publish:
        problems.append(Problem(path, front.line("closes"), "'closes' is before 'publish'"))
    return publish, closes


def options(path: str, front: FrontMatter,
            problems: list[Problem]) -> tuple[list[str], list[int | None]]:
    """The option texts and the line of each (empty when the lines cannot be told)."""
    value = front.data.get("options")
    line = front.line("options")
    if not isinstance(value, list):
        problems.append(Problem(path, line or FRONT_MATTER_LINE,
                                "options must be a list of exactly five answers"))
        return [], []
    item_nodes = getattr(front.nodes["options"][1], "value", []) if "options" in front.nodes \
        else []
    lines = ([n.start_mark.line + FRONT_MATTER_LINE for n in item_nodes]
             if len(item_nodes) == len(value) else [])
    if len(value) != OPTION_COUNT:
        problems.append(Problem(path, line,
                                f"expected exactly {OPTION_COUNT} options, found {len(value)}"))
    texts = []
    for number, option in enumerate(value, start=1):
        where = lines[number - 1] if lines else line
        if isinstance(option, (dict, list)) or option is None:
            problems.append(Problem(path, where, f"option {number} is empty or not text"))
            texts.append("")
            continue
        stripped = str(option).strip()
        if not stripped:
            problems.append(Problem(path, where, f"option {number} is empty"))
        texts.append(stripped)
    return texts, lines


def imported_votes(path: str, front: FrontMatter, problems: list[Problem]) -> list[int]:
    value = front.data.get("imported_votes")
    if value is None:
        return [0] * OPTION_COUNT
    ok = (
        isinstance(value, list) and len(value) == OPTION_COUNT
        and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 10**9
                for n in value)
    )
    if not ok:
        problems.append(Problem(path, front.line("imported_votes"),
                                "imported_votes must be five non-negative whole numbers"))
        return [0] * OPTION_COUNT
    return list(value)
