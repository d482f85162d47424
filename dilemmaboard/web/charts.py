"""Small server-rendered SVG charts (no JavaScript, no inline styles: CSP-safe).

`line_chart` draws any set of series over shared x labels; the reader page
uses it for how the shares moved while a case was open (`share_chart`). The
data come from the vote timeline (`voting.timeline`), whose size depends on
the days charted, not on the number of votes.
"""
from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from dilemmaboard.models import Case, utcnow
from dilemmaboard.voting.results import largest_remainder_percentages
from dilemmaboard.voting.timeline import day_start, local_day, vote_timeline
from dilemmaboard.web.i18n import show_date, show_day, show_percent

MAX_BUCKETS = 40


@dataclass
class Series:
    """One line: a label ("Svar 1"), one value per x position, a CSS class for its colour."""

    label: str
    values: list[float]
    css_class: str
    end_label: str = ""


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Move end labels apart so they never overlap, keeping their order."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    previous = low - gap
    for i in order:
        placed[i] = max(wanted[i], previous + gap)
        previous = placed[i]
    overflow = previous - high
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
    return placed


def _label_positions(count: int, most: int) -> list[int]:
    """Evenly spaced x positions to label, always the first and the last."""
    if count <= 0:
        return []
    if count <= most:
        return list(range(count))
    step = (count - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def nice_ceiling(value: float) -> tuple[float, list[float]]:
    """An axis top for percentages (10-step up to 50, then 25-step) and its ticks."""
    step = 10 if value <= 50 else 25
    top = min(100, max(step, math.ceil(value / step) * step))
    return top, [step * i for i in range(int(top // step) + 1)]


# The plot's height in CSS pixels. The SVG has no viewBox, so its text is never scaled:
# the labels keep their CSS size from a 320 px phone to a desktop. Only the lines sit in
# an inner SVG stretched to the plot's width. The margins around the plot (room for the
# labels) are the SVG's CSS padding, `.share-chart .chart` in static/style.css, which
# also sets the height: PLOT_HEIGHT plus the top and bottom padding.
PLOT_HEIGHT = 200
LINE_UNITS = 1000  # the inner SVG's width in its own units


def line_chart(series: list[Series], x_labels: list[str], *, y_max: float,
               y_ticks: list[float], y_format, title: str, description: str,
               chart_id: str = "chart", max_x_labels: int = 4) -> Markup:
    """Render lines over shared x positions as an accessible inline SVG.

    Text is placed in CSS pixels (y) and percentages of the plot's width (x), so
    it stays at its CSS size whatever the width; the lines are drawn in an inner
    SVG that stretches to the width with strokes that do not scale.
    """
    points = max(len(x_labels), 2)

    def x_at(i: int) -> float:
        return LINE_UNITS * i / (points - 1)

    def percent_x(i: int) -> str:
        return _fmt(100 * i / (points - 1)) + "%"

    def y_at(value: float) -> float:
        return PLOT_HEIGHT * (1 - (value / y_max if y_max else 0))

    cid = escape(chart_id)
    parts = [
        f'<svg class="chart" id="{cid}" width="100%" height="{PLOT_HEIGHT}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]
    for tick in y_ticks:
        y = _fmt(y_at(tick))
        parts.append(f'<line class="grid" x1="0" x2="100%" y1="{y}" y2="{y}"/>')
        parts.append(f'<text class="tick" x="-8" y="{y}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(y_format(tick))}</text>')
    for i in _label_positions(len(x_labels), max_x_labels):
        anchor = "start" if i == 0 else "end" if i == len(x_labels) - 1 else "middle"
        # The labels between the first and the last make way on narrow screens (style.css).
        kind = "tick" if anchor != "middle" else "tick x-between"
        parts.append(f'<text class="{kind}" x="{percent_x(i)}" y="{PLOT_HEIGHT + 20}" '
                     f'text-anchor="{anchor}">{escape(x_labels[i])}</text>')
    parts.append(f'<svg class="plot" width="100%" height="{PLOT_HEIGHT}" '
                 f'viewBox="0 0 {LINE_UNITS} {PLOT_HEIGHT}" preserveAspectRatio="none" '
                 f'overflow="visible">')
    ends = []
    for line in series:
        coords = " ".join(f"{_fmt(x_at(i))},{_fmt(y_at(v))}" for i, v in enumerate(line.values))
        parts.append(f'<polyline class="line {escape(line.css_class)}" points="{coords}" '
                     f'vector-effect="non-scaling-stroke"><title>{escape(line.label)}</title>'
                     f'</polyline>')
        if line.values:
            ends.append(y_at(line.values[-1]))
    parts.append("</svg>")
    placed = _spread(ends, 15, 6, PLOT_HEIGHT)
    for line, y in zip([s for s in series if s.values], placed, strict=True):
        parts.append(f'<text class="end-label {escape(line.css_class)}" x="100%" dx="8" '
                     f'y="{_fmt(y)}" dominant-baseline="middle">'
                     f'{escape(line.end_label or line.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- how the shares moved while a case was open ---------------------------

@dataclass
class ShareSeries:
    """Cumulative counts per option at the start and at the end of each bucket."""

    moments: list[datetime]          # naive UTC bucket ends; moments[0] is the start
    counts: list[list[int]]          # counts[i][option-1] at moments[i]

    @property
    def percents(self) -> list[list[int]]:
        return [largest_remainder_percentages(row) for row in self.counts]


def share_series(session: Session, case: Case, zone: ZoneInfo | str,
                 now: datetime | None = None) -> ShareSeries | None:
    """Counts per option at the end of each day in `zone` (of every few days for a long
    case), up to the close or now; None before the opening or without vote events."""
    now = now or utcnow()
    end = min(case.closes_at, now)
    if end <= case.publish_at:
        return None
    timeline = vote_timeline(session, case, zone)
    if not timeline.days:
        return None
    days = max(1, math.ceil((end - case.publish_at).total_seconds() / 86400))
    stride = max(1, math.ceil(days / MAX_BUCKETS))
    # The days that start a new point, after the opening day; the last point ends at `end`.
    breaks = []
    day = local_day(case.publish_at, zone) + timedelta(days=1)
    while day_start(day, zone) < end:
        breaks.append(day)
        day += timedelta(days=stride)
    deltas = [[0] * 5 for _ in range(len(breaks) + 1)]
    for day, moves in timeline.days.items():
        point = deltas[bisect_right(breaks, day)]  # votes before the opening count on day one
        for i, n in enumerate(moves.net):
            point[i] += n
    running = [o.imported_votes for o in sorted(case.options, key=lambda o: o.number)]
    counts = [list(running)]
    for delta in deltas:
        running = [max(0, r + d) for r, d in zip(running, delta, strict=True)]
        counts.append(list(running))
    moments = [case.publish_at, *(day_start(day, zone) for day in breaks), end]
    return ShareSeries(moments=moments, counts=counts)


@dataclass
class ShareChart:
    """What the case page shows: the SVG and the same figures as a table."""

    svg: Markup
    labels: list[str]
    percents: list[list[int]]


def share_chart(session: Session, case: Case) -> ShareChart | None:
    """The reader page's chart of how each option's share moved while voting was open."""
    data = share_series(session, case, current_app.config["SITE_TIMEZONE"])
    if data is None:
        return None
    # One point per day, at the day's end; days before the first vote carry no share.
    rows = [(m, p, sum(c)) for m, p, c in zip(data.moments, data.percents, data.counts,
                                               strict=True)][1:]
    rows = [row for row in rows if row[2] > 0]
    if len(rows) < 2:
        return None
    days = [m - timedelta(seconds=1) for m, _p, _t in rows]  # a day ends at the next midnight
    labels = [show_date(day) for day in days]
    percents = [p for _m, p, _t in rows]
    series = [
        Series(label=_("Svar %(num)s", num=n), css_class=f"series-{n}", end_label=str(n),
               values=[row[n - 1] for row in percents])
        for n in range(1, 6)
    ]
    final = ", ".join(
        _("svar %(num)s: %(percent)s", num=n, percent=show_percent(percents[-1][n - 1]))
        for n in range(1, 6)
    )
    y_max, y_ticks = nice_ceiling(max(max(row) for row in percents))
    svg = line_chart(
        series, [show_day(day) for day in days], y_max=y_max, y_ticks=y_ticks,
        y_format=show_percent,
        title=_("Sådan udviklede svarene sig, mens afstemningen var åben"),
        description=_("Andel af stemmerne for hvert svar dag for dag. Til sidst: %(final)s.",
                      final=final),
        chart_id=f"share-chart-{case.id}",
    )
    return ShareChart(svg=svg, labels=labels, percents=percents)
