"""The editors' live numbers as small server-rendered SVG charts.

Votes per option (bars; imported votes drawn apart) and new votes per day over
the last weeks (a curve, with vote changes as a second line). The numbers come
from the stored counters and from the vote timeline (`voting.timeline`), whose
size depends on the days charted, not on the number of votes. Colours are SVG
presentation attributes and CSS classes, never style="" (CSP: style-src 'self').
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, utcnow
from dilemmaboard.voting.state import is_open
from dilemmaboard.voting.timeline import local_day, vote_timeline
from dilemmaboard.web.i18n import DATE_PATTERNS

WEEKS = 8
LIVE_COLOUR = "#3d7cc9"
IMPORTED_COLOUR = "#a9c4e6"
CHANGE_COLOUR = "#8a4b00"
GRID_COLOUR = "#d9dde2"
INK = "#1d232b"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    power = 10 ** int(math.floor(math.log10(value)))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart admin-chart" id="{cid}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
    ]


# --- votes per option ---------------------------------------------------------------

def option_bars(case: Case, *, width: int = 520) -> Markup:
    """Horizontal bars: live votes per option, imported votes as a lighter segment."""
    options = sorted(case.options, key=lambda o: o.number)
    top_value = nice_max(max((o.votes + o.imported_votes for o in options), default=0))
    left, right, row_h, top = 28, 70, 30, 8
    height = top + row_h * len(options) + 8
    plot_w = width - left - right
    parts = _svg_open(
        f"option-bars-{case.id}", width, height, _("Stemmer pr. svar"),
        "; ".join(_("svar %(num)s: %(live)s stemmer, %(imported)s overført", num=o.number,
                    live=o.votes, imported=o.imported_votes) for o in options),
    )
    for i, option in enumerate(options):
        y = top + i * row_h
        live_w = plot_w * option.votes / top_value
        imported_w = plot_w * option.imported_votes / top_value
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="{INK}" '
                     f'font-weight="bold">{option.number}</text>')
        parts.append(f'<rect class="bar-track" x="{left}" y="{y + 4}" width="{plot_w}" '
                     f'height="20" fill="#eef2f6"/>')
        parts.append(f'<rect class="bar-live" x="{left}" y="{y + 4}" width="{_fmt(live_w)}" '
                     f'height="20" fill="{LIVE_COLOUR}"/>')
        if option.imported_votes:
            parts.append(f'<rect class="bar-imported" x="{_fmt(left + live_w)}" y="{y + 4}" '
                         f'width="{_fmt(imported_w)}" height="20" fill="{IMPORTED_COLOUR}"/>')
        parts.append(f'<text x="{left + plot_w + 6}" y="{y + 18}" fill="{INK}">'
                     f'{option.votes + option.imported_votes}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- new votes per day ---------------------------------------------------------------

@dataclass
class DailyVotes:
    days: list[date]          # local (SITE_TIMEZONE) calendar days, oldest first
    new: list[int]            # first votes cast that day
    changes: list[int]        # votes changed that day

    @property
    def total_new(self) -> int:
        return sum(self.new)


def _window(case: Case, now: datetime) -> tuple[datetime, datetime] | None:
    """The stretch of time to chart (naive UTC): the last WEEKS weeks the case took votes."""
    end = now if is_open(case, now) or case.state_override == "closed" else min(
        now, case.closes_at)
    start = max(case.publish_at, end - timedelta(weeks=WEEKS))
    return (start, end) if end > start else None


def daily_votes(session: Session, case: Case, zone: ZoneInfo | str,
                now: datetime | None = None) -> DailyVotes:
    """New votes and changes per day in `zone`, the site's time zone."""
    now = now or utcnow()
    window = _window(case, now)
    if window is None:
        return DailyVotes(days=[], new=[], changes=[])
    first_day, last_day = (local_day(moment, zone) for moment in window)
    timeline = vote_timeline(session, case, zone, first=first_day, last=last_day)
    span = list(timeline.span(first_day, last_day))
    return DailyVotes(days=[day for day, _moves in span],
                      new=[sum(moves.first) for _day, moves in span],
                      changes=[sum(moves.moved_in) for _day, moves in span])


def daily_chart(data: DailyVotes, *, chart_id: str = "daily-votes", width: int = 520,
                height: int = 220) -> Markup | None:
    """A curve of new votes per day (filled) and a dashed line of changes; None without days."""
    if not data.days:
        return None
    left, right, top, bottom = 40, 12, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = nice_max(max([*data.new, *data.changes, 0]))
    n = len(data.days)

    def x_at(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h * (1 - value / y_max)

    parts = _svg_open(
        chart_id, width, height, _("Nye stemmer pr. dag"),
        _("%(total)s nye stemmer fra %(first)s til %(last)s; flest på en dag: %(most)s.",
          total=data.total_new, first=show_date_plain(data.days[0]),
          last=show_date_plain(data.days[-1]), most=max(data.new)),
    )
    for tick in (0, y_max // 2, y_max) if y_max > 1 else (0, 1):
        y = _fmt(y_at(tick))
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y}" y2="{y}" '
                     f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{y}" text-anchor="end" '
                     f'dominant-baseline="middle" fill="{INK}">{tick}</text>')
    for i in sorted({0, n // 2, n - 1}):
        anchor = "start" if i == 0 and n > 1 else "end" if i == n - 1 and n > 1 else "middle"
        label = show_date_plain(data.days[i])
        parts.append(f'<text x="{_fmt(x_at(i))}" y="{height - 8}" text-anchor="{anchor}" '
                     f'fill="{INK}">{escape(label)}</text>')
    new_points = [f"{_fmt(x_at(i))},{_fmt(y_at(v))}" for i, v in enumerate(data.new)]
    base = _fmt(y_at(0))
    area = [f"{_fmt(x_at(0))},{base}", *new_points, f"{_fmt(x_at(n - 1))},{base}"]
    parts.append(f'<polygon class="area-new" points="{" ".join(area)}" fill="{LIVE_COLOUR}" '
                 f'fill-opacity="0.18"/>')
    parts.append(f'<polyline class="line-new" points="{" ".join(new_points)}" fill="none" '
                 f'stroke="{LIVE_COLOUR}" stroke-width="2.5" stroke-linejoin="round">'
                 f'<title>{escape(_("Nye stemmer"))}</title></polyline>')
    if any(data.changes):
        change_points = " ".join(f"{_fmt(x_at(i))},{_fmt(y_at(v))}"
                                 for i, v in enumerate(data.changes))
        parts.append(f'<polyline class="line-changes" points="{change_points}" fill="none" '
                     f'stroke="{CHANGE_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3">'
                     f'<title>{escape(_("Ændrede stemmer"))}</title></polyline>')
    if n == 1:
        parts.append(f'<circle cx="{_fmt(x_at(0))}" cy="{_fmt(y_at(data.new[0]))}" r="4" '
                     f'fill="{LIVE_COLOUR}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def show_date_plain(day: date) -> str:
    """A calendar day written per locale, like the reader pages write dates."""
    return format_date(day, DATE_PATTERNS.get(str(get_locale()), DATE_PATTERNS["en"]))
