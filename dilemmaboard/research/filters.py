"""Which rows a research file holds: `?case=`, `?since=`, `?until=`, `?status=`.

One parser for the web files and `flask export`: it takes the query as a
mapping of names to lists of values (what `request.args.to_dict(flat=False)`
gives, or what the command builds from its options) and returns `Filters`,
or refuses with a message that names the parameter. Nothing is ignored: an
unknown, repeated, empty or malformed parameter is refused.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from dilemmaboard.cases.fields import SLUG_RE
from dilemmaboard.refusal import Refused
from dilemmaboard.voting.state import CASE_STATES

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CASE, SINCE, UNTIL, STATUS = "case", "since", "until", "status"
MAX_VALUES = 100  # of a repeatable parameter: more cases than that is not a filter


@dataclass(frozen=True)
class Filters:
    """Cases by slug and by state, and a span of days (site time zone, both included)."""

    cases: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    statuses: tuple[str, ...] = ()


def allowed_parameters(*, timed: bool, privileged: bool) -> tuple[str, ...]:
    """The filters a file takes: since/until only where rows have a time; status only
    for editors and researchers (the public files show the cases the public may see)."""
    names = [CASE]
    if timed:
        names += [SINCE, UNTIL]
    if privileged:
        names.append(STATUS)
    return tuple(names)


def _refuse(parameter: str, problem) -> Refused:
    return Refused("invalid", _l("Parameteren %(name)s: %(problem)s",
                                 name=parameter, problem=problem))


def _one(parameter: str, values: Sequence[str]) -> str:
    if len(values) != 1:
        raise _refuse(parameter, _l("angiv den højst én gang."))
    return values[0]


def _day(parameter: str, values: Sequence[str]) -> date:
    text = _one(parameter, values).strip()
    try:
        if not DATE_RE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(parameter, _l("skriv en dato som ÅÅÅÅ-MM-DD, fx 2024-03-01.")) from None


def _several(parameter: str, values: Sequence[str], valid, problem) -> tuple[str, ...]:
    if len(values) > MAX_VALUES:
        raise _refuse(parameter, _l("højst %(n)d værdier.", n=MAX_VALUES))
    cleaned = []
    for value in values:
        value = value.strip()
        if not valid(value):
            raise _refuse(parameter, problem)
        if value not in cleaned:
            cleaned.append(value)
    return tuple(cleaned)


def parse_filters(query: Mapping[str, Sequence[str]], *, timed: bool,
                  privileged: bool) -> Filters:
    """The filters of one request or command; raises Refused (invalid) naming the
    parameter that is unknown here, repeated where it may not be, empty or malformed."""
    allowed = allowed_parameters(timed=timed, privileged=privileged)
    for name in query:
        if name in allowed:
            continue
        if name in (SINCE, UNTIL):
            raise _refuse(name, _l("denne fil har ingen tid pr. række; filtrér med %(allowed)s.",
                                   allowed=", ".join(allowed)))
        if name == STATUS:
            raise _refuse(name, _l("kræver et login som forsker eller redaktør."))
        raise _refuse(name[:40], _l("ukendt; denne fil tager %(allowed)s.",
                                    allowed=", ".join(allowed)))
    filters = Filters(
        cases=_several(CASE, query.get(CASE, ()), SLUG_RE.match,
                       _l("et dilemmas id, fx fem-kompetencedage.")),
        since=_day(SINCE, query[SINCE]) if SINCE in query else None,
        until=_day(UNTIL, query[UNTIL]) if UNTIL in query else None,
        statuses=_several(STATUS, query.get(STATUS, ()), CASE_STATES.__contains__,
                          _l("en af %(states)s.", states=", ".join(CASE_STATES))),
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise _refuse(UNTIL, _l("slutdatoen ligger før startdatoen (since)."))
    return filters
