"""The results table (Markdown): figures, ratios against their targets, absolutes."""
from __future__ import annotations

from dataclasses import dataclass, field

from bench.load import CONNECTIONS, Figure

RATIOS = [
    ("case page at {votes:,} votes ÷ same page at 0 votes", "page_1m", "page_0", 0.9),
    ("vote POST ÷ floor app insert POST", "vote", "floor", 0.6),
    ("case page with 5,000 comments ÷ with 10 comments", "page_c5000", "page_c10", 0.8),
    ("comment POST ÷ Isso comment POST", "comment", "isso_post", 1.2),
    ("case page with 3,600 comments ÷ Isso thread GET (50 of 3,600)", "page_c3600",
     "isso_get", 3.0),
    ("case page revalidated (304) ÷ floor app GET /hello", "page_304", "floor_hello", None),
    ("embed, anonymous ÷ floor app GET /hello", "embed", "floor_hello", None),
    ("embed revalidated (304) ÷ floor app GET /hello", "embed_304", "floor_hello", None),
    ("share card PNG ÷ floor app GET /hello", "card", "floor_hello", None),
    ("share card revalidated (304) ÷ floor app GET /hello", "card_304", "floor_hello", None),
]
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Section:
    kind: str
    database: str
    figures: dict[str, Figure] = field(default_factory=dict)
    sync: dict = field(default_factory=dict)
    export: dict | None = None
    notes: list[str] = field(default_factory=list)


def ratio(section: Section, top: str, bottom: str) -> float | None:
    a, b = section.figures.get(top), section.figures.get(bottom)
    if a is None or b is None or not b.rps:
        return None
    return a.rps / b.rps


def cpu_ratio(section: Section, top: str, bottom: str) -> float | None:
    """The same ratio from the servers' CPU time per request (bottom's cost ÷ top's)."""
    a, b = section.figures.get(top), section.figures.get(bottom)
    if a is None or b is None or not a.cpu_ms or not b.cpu_ms:
        return None
    return b.cpu_ms / a.cpu_ms


def _figures_table(section: Section) -> list[str]:
    lines = ["| figure | req/s | median ms | p99 ms | errors | server CPU ms/request |",
             "|---|---:|---:|---:|---:|---:|"]
    for fig in section.figures.values():
        cpu = f"{fig.cpu_ms:.2f}" if fig.cpu_ms is not None else ""
        lines.append(f"| {fig.name} | {fig.rps:,.0f} | {fig.p50_ms:.1f} | {fig.p99_ms:.1f} | "
                     f"{fig.errors} | {cpu} |")
    return lines


def _ratios_table(sections: list[Section], votes: int) -> list[str]:
    head = "| ratio (throughput) | target | " + " | ".join(NAMES[s.kind] for s in sections) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(sections)]
    for label, top, bottom, target in RATIOS:
        cells = []
        for section in sections:
            value = ratio(section, top, bottom)
            if value is None:
                cells.append("not measured")
                continue
            by_cpu = cpu_ratio(section, top, bottom)
            cpu = f" (by CPU/request {by_cpu:.2f})" if by_cpu is not None else ""
            verdict = "" if target is None else (" met" if value >= target else " MISSED")
            cells.append(f"**{value:.2f}**{verdict}{cpu}")
        shown = "—" if target is None else f"≥ {target:g}"
        lines.append(f"| {label.format(votes=votes)} | {shown} | " + " | ".join(cells) + " |")
    return lines


def _absolutes_table(sections: list[Section]) -> list[str]:
    head = "| absolute | target | " + " | ".join(NAMES[s.kind] for s in sections) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(sections)]

    def row(label, target, cell):
        lines.append(f"| {label} | {target} | " + " | ".join(cell(s) for s in sections) + " |")

    def vote_p99(s):
        fig = s.figures.get("vote")
        return f"{fig.p99_ms:.1f} ms" if fig else "not measured"

    def sync(key):
        return lambda s: f"{s.sync[key]:.2f} s" if s.sync else "not measured"

    def export(key, fmt):
        return lambda s: fmt(s.export[key]) if s.export and s.export.get(key) else "not measured"

    row(f"p99 of a vote POST at {CONNECTIONS} in flight", "< 50 ms", vote_p99)
    row("`flask dilemmas sync`, 1,000 files, cold (whole command)", "< 5 s", sync("cold"))
    row("`flask dilemmas sync`, 1,000 files, unchanged (whole command)", "< 1 s",
        sync("unchanged"))
    row("… of which the `flask` command starting up", "", sync("startup"))
    rows = next((s.export["rows"] for s in sections if s.export and s.export.get("rows")), None)
    events = f"{int(rows):,} events" if rows else "events"
    row(f"`flask export votes`, {events}: rows per wall-clock second (whole command)",
        "≥ 200,000", export("rows_per_wall_s", lambda v: f"{v:,.0f}"))
    row("… rows per CPU second of the export (start-up subtracted)", "",
        export("rows_per_cpu_s", lambda v: f"{v:,.0f}"))
    row("… peak memory (RSS of the export process)", "< 150 MB",
        export("peak_mib", lambda v: f"{v:.0f} MiB"))
    return lines


def render(info: dict, sections: list[Section], *, seconds: float,
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
    out += ["", "## Ratios", "", *_ratios_table(sections, votes), ""]
    out += ["## Absolutes", "", *_absolutes_table(sections), ""]
    for section in sections:
        out += [f"## {NAMES[section.kind]}: {section.database}", "", *_figures_table(section), ""]
        out += [f"- {n}" for n in section.notes]
        if section.notes:
            out.append("")
    out.append(f"Votes on the 'many votes' case: {votes:,}, added by `flask demo seed-votes`.")
    return "\n".join(out) + "\n"
