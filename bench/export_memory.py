"""Does `flask export votes` keep memory flat? Rows per second and peak RSS by size.

Builds a fresh database (SQLite by default, or the PostgreSQL URL given with
--database-url, in a schema of its own), loads one closed week-long case,
adds synthetic votes with `flask demo seed-votes`, and after each step runs
`flask export votes -o FILE` in a child process. The child's peak resident
memory comes from os.wait4 (the child's own getrusage), so the numbers are the
export's alone. A flat export shows the same peak at 10,000 and 1,000,000 rows.
Throughput is given per CPU second of the child, which a busy machine disturbs
less than wall-clock time.

    .venv/bin/python bench/export_memory.py                 # 10k, 100k, 1M on SQLite
    .venv/bin/python bench/export_memory.py --sizes 10000,200000
    .venv/bin/python bench/export_memory.py --database-url postgresql://127.0.0.1:5432/test
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
FLASK = [str(PYTHON), "-m", "flask", "--app", "app"]
SLUG = "eksport-benchmark"
CASE = """---
title: Eksport-benchmark
publish: 2024-03-04T08:00
closes: 2024-03-11T12:00
results: always
options: [Svar 1, Svar 2, Svar 3, Svar 4, Svar 5]
---
En uge med mange stemmer.
"""


def run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def measure(args: list[str], env: dict) -> tuple[float, float, int]:
    """Run a child to completion; return (wall seconds, CPU seconds, peak RSS in KiB)."""
    start = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{child.stderr.read().decode()}")
    child.stderr.close()
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss  # KiB on Linux


def postgres_schema(url: str) -> tuple[str, str]:
    """A fresh schema for this run; returns (schema, URL that uses it)."""
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    schema = "bench_export_" + uuid.uuid4().hex[:8]
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="comma-separated cumulative numbers of vote events")
    parser.add_argument("--database-url", help="a PostgreSQL database (default: SQLite)")
    options = parser.parse_args()
    sizes = sorted(int(s) for s in options.sizes.split(","))

    work = Path(tempfile.mkdtemp(prefix="dilemmaboard-export-bench-"))
    (work / "dilemmas").mkdir()
    (work / "dilemmas" / f"{SLUG}.md").write_text(CASE, encoding="utf-8")
    schema = None
    if options.database_url:
        schema, url = postgres_schema(options.database_url)
        kind = "postgresql"
    else:
        url, kind = f"sqlite:///{work / 'bench.sqlite3'}", "sqlite"
    env = {**os.environ, "DATABASE_URL": url, "DILEMMAS_DIR": str(work / "dilemmas"),
           "SECRET_KEY": "bench-secret-key-not-for-production", "RATELIMIT_ENABLED": "false"}
    try:
        run([str(PYTHON), "-c", "from app import create_app\n"
             "from dilemmaboard.extensions import db\n"
             "app = create_app()\n"
             "with app.app_context(): db.create_all()"], env)
        run([*FLASK, "dilemmas", "sync"], env)
        # Start-up alone (the fastest of three tiny exports), to subtract from each run.
        baseline_s, baseline_cpu, baseline_kib = min(
            measure([*FLASK, "export", "tallies", "-o", str(work / "tallies.csv")], env)
            for _ in range(3))
        print(f"# flask export votes: {kind}, Python {sys.version.split()[0]}")
        print(f"start-up alone (export tallies, 1 case): {baseline_s:.1f} s wall, "
              f"{baseline_cpu:.1f} s CPU, peak RSS {baseline_kib / 1024:.1f} MiB\n")
        print("| vote events | wall s | CPU s | rows per CPU second (after start-up) "
              "| peak RSS MiB | file MiB |")
        print("|---:|---:|---:|---:|---:|---:|")
        seeded = 0
        for size in sizes:
            seed = [*FLASK, "demo", "seed-votes", SLUG, str(size - seeded), "--seed", str(size)]
            run(seed + (["--yes"] if kind == "postgresql" else []), env)
            seeded = size
            target = work / "votes.csv"
            seconds, cpu, peak_kib = measure([*FLASK, "export", "votes", "-o", str(target)],
                                             env)
            with open(target, "rb") as handle:
                rows = sum(1 for _ in handle) - 1
            assert rows == size, f"expected {size} rows, got {rows}"
            rate = rows / max(cpu - baseline_cpu, 0.001)
            print(f"| {size:,} | {seconds:.1f} | {cpu:.1f} | {rate:,.0f} | "
                  f"{peak_kib / 1024:.1f} | {target.stat().st_size / 2**20:.1f} |", flush=True)
    finally:
        if schema:
            drop_schema(options.database_url, schema)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
