"""The results table (Markdown): figures, ratios against their targets, absolutes."""
from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import Figure

RATIOS = [
    ("case page at 1,000,000 votes ÷ same page at 0 votes", "page_1m", "page_0", 0.9),
    ("vote POST ÷ floor app insert POST", "vote", "floor", 0.6),
    ("case page with 5,000 comments ÷ with 10 comments", "page_c5000", "page_c10", 0.8),
    ("comment POST ÷ Isso comment POST", "comment", "isso_post", 1.2),
    ("case page with 3,600 comments ÷ Isso thread GET (50 of 3,600)", "page_c3600",
     "isso_get", 3.0),
]
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Section:
    kind: str
    database: str
    figures: dict[str, Figure] = field(default_factory=dict)
    sync: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def ratio(section: Section, top: str, bottom: str) -> float | None:
    a, b = section.figures.get(top), section.figures.get(bottom)
    if a is None or b is None or not b.rps:
        return None
    return a.rps / b.rps


def _figures_table(section: Section) -> list[str]:
    lines = ["| figure | req/s | median ms | p99 ms | errors |", "|---|---:|---:|---:|---:|"]
    for fig in section.figures.values():
        lines.append(f"| {fig.name} | {fig.rps:,.0f} | {fig.p50_ms:.1f} | {fig.p99_ms:.1f} | "
                     f"{fig.errors} |")
    return lines


def _ratios_table(sections: list[Section]) -> list[str]:
    head = "| ratio (throughput) | target | " + " | ".join(NAMES[s.kind] for s in sections) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(sections)]
    for label, top, bottom, target in RATIOS:
        cells = []
        for section in sections:
            value = ratio(section, top, bottom)
            if value is None:
                cells.append("not measured")
            else:
                cells.append(f"**{value:.2f}** {'met' if value >= target else 'MISSED'}")
        lines.append(f"| {label} | ≥ {target:g} | " + " | ".join(cells) + " |")
    return lines


def _absolutes_table(sections: list[Section], export: dict | None) -> list[str]:
    head = "| absolute | target | " + " | ".join(NAMES[s.kind] for s in sections) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(sections)]

    def row(label, target, cell):
        lines.append(f"| {label} | {target} | " + " | ".join(cell(s) for s in sections) + " |")

    def vote_p99(s):
        fig = s.figures.get("vote")
        return f"{fig.p99_ms:.1f} ms" if fig else "not measured"

    row("p99 of a vote POST at 16 in flight", "< 50 ms", vote_p99)
    row("`flask dilemmas sync`, 1,000 files, cold (whole command)", "< 5 s",
        lambda s: f"{s.sync['cold']:.2f} s" if s.sync else "not measured")
    row("`flask dilemmas sync`, 1,000 files, unchanged (whole command)", "< 1 s",
        lambda s: f"{s.sync['unchanged']:.2f} s" if s.sync else "not measured")
    row("… of which the `flask` command starting up", "",
        lambda s: f"{s.sync['startup']:.2f} s" if s.sync else "")
    if export:
        for kind_label, values in export.get("rows", {}).items():
            lines.append(f"| `flask export votes`, {export['events']:,} events ({kind_label}) "
                         f"| ≥ 200,000 rows/s, < 150 MB | {values} |" + " |" * (len(sections) - 1))
    else:
        lines.append("| `flask export votes`, 1,000,000 events | ≥ 200,000 rows/s, < 150 MB | "
                     + " | ".join("not measured" for _ in sections) + " |")
    return lines


def render(info: dict, sections: list[Section], export: dict | None, *, seconds: float,
           warmup: float, connections: int, votes: int, note: str) -> str:
    out = [f"# Dilemmaboard benchmarks, {info['when']}", ""]
    out.append(f"Machine: {info['cores']} cores ({info['cpu']}), Python {info['python']}. "
               f"Load tool: {info['wrk']}, one thread, {connections} connections in flight, "
               f"{seconds:g} s per figure after a {warmup:g} s warm-up; the same tool and "
               "concurrency for both sides of every ratio. Every side runs under gunicorn "
               "with the project's gunicorn.conf.py (2 sync workers) on 127.0.0.1, "
               "RATELIMIT_ENABLED=false. "
               f"Isso {info.get('isso') or '(not installed)'} from PyPI, SQLite, guard off.")
    out.append("")
    out.append(f"Load average: {info['load']:.2f} at the start, {info.get('load_end', 0):.2f} "
               "at the end (2 cores).")
    if note:
        out += ["", f"Note: {note}"]
    out += ["", "## Ratios", "", *_ratios_table(sections), ""]
    out += ["## Absolutes", "", *_absolutes_table(sections, export), ""]
    for section in sections:
        out += [f"## {NAMES[section.kind]}: {section.database}", "", *_figures_table(section), ""]
        out += [f"- {n}" for n in section.notes]
        if section.notes:
            out.append("")
    out.append(f"Votes on the 'many votes' case: {votes:,}, added by `flask demo seed-votes`.")
    return "\n".join(out) + "\n"
