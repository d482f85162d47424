"""The desk's view of where the votes came from: a case's tally per source, partners named."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dilemmaboard.models import Case
from dilemmaboard.partners.registry import all_partners
from dilemmaboard.partners.sources import IMPORTED, SITE, UNKNOWN
from dilemmaboard.voting.by_source import tallies_by_source


@dataclass(frozen=True)
class SourceRow:
    """One source's votes on a case: per option (index 0 is option 1) and in all."""

    source: str          # "site", a partner id, "unknown" or "imported"
    kind: str            # "site", "partner", "unknown" or "imported": how to label it
    name: str | None     # a registered partner's display name
    votes: tuple[int, ...]
    percents: list[int]
    total: int


def source_split(session: Session, case: Case) -> list[SourceRow]:
    """The case's tally per source, the site first; a removed partner keeps its id."""
    names = {p.id: p.name for p in all_partners(session)}
    special = {SITE: SITE, UNKNOWN: UNKNOWN, IMPORTED: IMPORTED}
    return [
        SourceRow(source=t.source, kind=special.get(t.source, "partner"),
                  name=names.get(t.source), votes=t.votes, percents=t.percents, total=t.total)
        for t in tallies_by_source(session, [case])[case.id]
    ]
