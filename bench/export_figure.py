"""The export figure: runs bench/export_memory.py (issue 5) and reads the row it prints.

export_memory.py builds its own database, seeds vote events with `flask demo
seed-votes` and times `flask export votes -o FILE` in a child process; it prints
a Markdown table, of which we read the row for the largest size by column name.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "1000000"))


def _table_rows(output: str) -> list[dict[str, str]]:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("|")]
    if len(lines) < 3:
        return []
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


def _number(text: str) -> float:
    return float(text.replace(",", "").replace(" ", ""))


def _column(row: dict[str, str], *words: str) -> float | None:
    for name, value in row.items():
        if all(word in name.lower() for word in words):
            try:
                return _number(value)
            except ValueError:
                return None
    return None


def measure(script: Path, database_url: str | None = None) -> dict | None:
    """{'rows', 'wall_s', 'cpu_s', 'rows_per_cpu_s', 'peak_mib'} or None when it failed."""
    cmd = [sys.executable, str(script), "--sizes", str(ROWS)]
    if database_url:
        cmd += ["--database-url", database_url]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    rows = _table_rows(done.stdout)
    if done.returncode != 0 or not rows:
        sys.stderr.write(done.stdout + done.stderr)
        print(f"  export figure failed (exit {done.returncode})", flush=True)
        return None
    row = rows[-1]
    result = {
        "rows": int(_column(row, "vote events") or 0),
        "wall_s": _column(row, "wall"),
        "cpu_s": _column(row, "cpu s"),
        "rows_per_cpu_s": _column(row, "rows per"),
        "peak_mib": _column(row, "peak"),
        "startup": next((line for line in done.stdout.splitlines()
                         if line.lower().startswith("start-up")), ""),
    }
    wall = result["wall_s"] or 0
    result["rows_per_wall_s"] = result["rows"] / wall if wall else None
    print(f"  export of {result['rows']:,} events: {result['wall_s']} s wall, "
          f"{result['rows_per_cpu_s'] or 0:,.0f} rows per CPU second, "
          f"peak {result['peak_mib']} MiB", flush=True)
    return result
