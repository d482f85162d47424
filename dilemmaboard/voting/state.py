"""A case's state and who may see its results: the one rule (SPEC §3-§4)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, lazyload, load_only

from dilemmaboard.cases.fields import SLUG_RE
from dilemmaboard.models import Case, VoteEvent, utcnow

# --- state -----------------------------------------------------------------

# What `case_state` answers: the dashboard's words, the API's and the exports' `status`.
CASE_STATES = ("draft", "scheduled", "open", "closed", "closed_early")

def is_public(case: Case, now: datetime | None = None) -> bool:
    """Drafts and scheduled cases are never shown to readers."""
    now = now or utcnow()
    return not case.draft and case.publish_at <= now


def is_open(case: Case, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if not is_public(case, now):
        return False
    if case.state_override == "closed":
        return False
    if case.state_override == "open":
        return True
    return now < case.closes_at


def is_closed(case: Case, now: datetime | None = None) -> bool:
    """Published and no longer open: closed on schedule or early."""
    return is_public(case, now) and not is_open(case, now)


def case_state(case: Case, now: datetime | None = None) -> str:
    """draft | scheduled | open | closed | closed_early (the dashboard's words)."""
    now = now or utcnow()
    if case.draft:
        return "draft"
    if case.publish_at > now:
        return "scheduled"
    if is_open(case, now):
        return "open"
    if case.state_override == "closed" and now < case.closes_at:
        return "closed_early"
    return "closed"


def open_clause(now: datetime):
    """SQL version of is_open, for choosing this week's dilemma without loading every case."""
    return and_(
        Case.draft.is_(False),
        Case.publish_at <= now,
        or_(
            Case.state_override == "open",
            and_(Case.state_override.is_(None), Case.closes_at > now),
        ),
    )


def public_cases(now: datetime | None = None):
    """Select published cases, newest first."""
    now = now or utcnow()
    return (
        select(Case)
        .where(Case.draft.is_(False), Case.publish_at <= now)
        .order_by(Case.publish_at.desc(), Case.id.desc())
    )


def this_weeks_case(session: Session, now: datetime | None = None) -> Case | None:
    """The open case with the latest publish, else the latest closed one."""
    now = now or utcnow()
    stmt = select(Case).where(open_clause(now)).order_by(Case.publish_at.desc()).limit(1)
    case = session.scalars(stmt).first()
    if case is None:
        case = session.scalars(public_cases(now).limit(1)).first()
    return case


# Every page and vote starts here: defined once, like a table, so SQLAlchemy's
# compiled-statement cache finds it without building it again.
CASE_BY_SLUG = (select(Case).where(Case.slug == bindparam("slug"))
                .options(joinedload(Case.options)))


def get_case(session: Session, slug: str) -> Case | None:
    """Any case by slug, drafts and scheduled ones included, with its options (one query).

    A string that cannot be a slug is no case: nothing is looked up for it.
    """
    if not SLUG_RE.match(slug):
        return None
    return session.scalars(CASE_BY_SLUG, {"slug": slug}).unique().one_or_none()


def get_public_case(session: Session, slug: str, now: datetime | None = None) -> Case | None:
    """A published case by slug, with its options; drafts and scheduled ones are None."""
    case = get_case(session, slug)
    if case is None or not is_public(case, now):
        return None
    return case


# --- visibility: the one rule ----------------------------------------------

def followup_visible(case: Case, *, privileged: bool = False,
                     now: datetime | None = None) -> bool:
    """The expert's follow-up appears once voting has closed (editors see it at once)."""
    return bool(case.followup_html) and (privileged or is_closed(case, now))


def results_visible(case: Case, *, has_voted: bool, privileged: bool = False,
                    now: datetime | None = None) -> bool:
    """Decide whether a viewer may see this case's results.

    Every page, JSON response, feed and export asks this function. Editors and
    researchers (`privileged`) see everything; a public export asks as a
    reader who has not voted.
    """
    if privileged or case.results_mode == "always":
        return True
    closed = is_closed(case, now)
    if case.results_mode == "after_close":
        return closed
    return has_voted or closed  # after_vote




# --- versions: what a cached response depends on ------------------------------

def case_version(case: Case, now: datetime | None = None) -> tuple:
    """What the case's page shows changes only with these: the case row (every write
    to it stamps `updated_at`), its five tallies, and its state as time passes."""
    return (case.id, case.updated_at, tuple(o.votes for o in case.options),
            case_state(case, now))


def site_version(session: Session, now: datetime | None = None) -> tuple:
    """What every listing of cases depends on (archive, feeds, API, public exports):
    each case's row and state, and the newest vote event (every vote adds one)."""
    now = now or utcnow()
    cases = session.scalars(
        select(Case).options(lazyload(Case.options), load_only(
            Case.updated_at, Case.draft, Case.publish_at, Case.closes_at,
            Case.state_override)).order_by(Case.id)).all()
    last_event = session.scalar(select(func.max(VoteEvent.id)))
    return (last_event, tuple((c.id, c.updated_at, case_state(c, now)) for c in cases))
