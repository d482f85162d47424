"""Profile one figure's request in-process, to see where the time goes.

    python -m bench.profile PATH [--post FILE] [-n 300] [--html OUT]

Runs with the same environment as a bench server (SECRET_KEY, DATABASE_URL,
...): it drives the app through Flask's test client, reports the CPU time
per request (which other processes on a shared machine hardly disturb), the
number of SQL statements per request, and a pyinstrument profile. --post
takes a bench request file (`Cookie<TAB>form body` lines, as wrk gets them).
"""
from __future__ import annotations

import argparse
import time
from itertools import cycle

from sqlalchemy import event

from app import create_app
from dilemmaboard.extensions import db


def requests_from(path: str):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            cookie, body = line.rstrip("\n").split("\t", 1)
            yield cookie, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--post", help="request file for a POST figure")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--html", help="also write pyinstrument's HTML report here")
    args = parser.parse_args()
    app = create_app()
    statements = []
    posts = cycle(list(requests_from(args.post))) if args.post else None

    def one() -> int:
        client = app.test_client()
        if posts is None:
            return client.get(args.path).status_code
        cookie, body = next(posts)
        for pair in filter(None, cookie.split("; ")):
            name, value = pair.split("=", 1)
            client.set_cookie(name, value)
        return client.post(args.path, data=body,
                           content_type="application/x-www-form-urlencoded").status_code

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: statements.append(1))
    statuses = {one() for _ in range(50)}  # warm-up
    statements.clear()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        statuses.add(one())
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{args.path}: {cpu / args.n * 1000:.2f} ms CPU and {wall / args.n * 1000:.2f} ms wall "
          f"per request, {len(statements) / args.n:.1f} SQL statements per request, "
          f"statuses {sorted(statuses)}")

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(args.n):
        one()
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))
    if args.html:
        with open(args.html, "w", encoding="utf-8") as out:
            out.write(profiler.output_html())


if __name__ == "__main__":
    main()
