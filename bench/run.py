"""`make bench`: the service side by side with a floor app and Isso, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.run

Settings (environment): BENCH_SECONDS (10) and BENCH_WARMUP (3) per figure,
BENCH_CONNECTIONS (16 in flight), BENCH_DATABASES ("sqlite,postgresql"),
BENCH_POSTGRES_URL (postgresql://127.0.0.1:5432/test), BENCH_VOTES (1000000),
BENCH_EXPORT_ROWS (1000000), BENCH_NOTE (a line for the table, e.g. that the
machine was shared). Prints the table and writes bench/results/latest.md.
"""
from __future__ import annotations

import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import isso_side
from bench.data import (
    FLASK,
    PYTHON,
    ROOT,
    WORK,
    BenchDatabase,
    create_tables,
    postgres_reachable,
    run,
    service_env,
    write_bench_cases,
    write_sync_cases,
)
from bench.load import CONNECTIONS, SECONDS, WARMUP, measure, wrk_version
from bench.report import Section, render
from bench.server import Server

VOTES = int(os.environ.get("BENCH_VOTES", "1000000"))
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL",
                              os.environ.get("TEST_DATABASE_URL",
                                             "postgresql://127.0.0.1:5432/test"))
DATABASES = [d.strip() for d in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
             if d.strip()]
RESULTS = ROOT / "bench" / "results"
FORM = "application/x-www-form-urlencoded"


def machine() -> dict:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
        "load": os.getloadavg()[0], "wrk": wrk_version(),
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    run(cmd, env)
    return time.perf_counter() - start


def measure_sync(kind: str, repeats: int = 3) -> dict:
    """`flask dilemmas sync` of 1,000 files: cold (empty database) and unchanged."""
    folder = write_sync_cases(WORK / "sync-cases")
    cold, unchanged = [], []
    for _ in range(repeats):
        database = BenchDatabase.fresh(kind, WORK / "db", POSTGRES_URL)
        try:
            env = service_env(database, folder)
            create_tables(env)
            cold.append(timed([*FLASK, "dilemmas", "sync"], env))
            unchanged.append(timed([*FLASK, "dilemmas", "sync"], env))
            stored = database.scalar("SELECT count(*) FROM cases")
            if stored != 1000:
                raise RuntimeError(f"sync stored {stored} cases, expected 1000")
        finally:
            database.drop()
    start = time.perf_counter()
    subprocess.run([*FLASK, "--help"], cwd=ROOT, capture_output=True, check=True,
                   env={**os.environ, **env})
    startup = time.perf_counter() - start
    print(f"  sync of 1,000 files: cold {sorted(cold)[1]:.2f} s, unchanged "
          f"{sorted(unchanged)[1]:.2f} s (flask CLI start alone {startup:.2f} s)", flush=True)
    return {"cold": sorted(cold)[len(cold) // 2], "unchanged": sorted(unchanged)[len(cold) // 2],
            "startup": startup}


def comments_ready() -> bool:
    """True once the comment blog's POST route exists (issue 3)."""
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return any(rule.rule == "/dilemmas/<slug>/comments" and "POST" in (rule.methods or ())
               for rule in app.url_map.iter_rules())


def prepare_service_data(database: BenchDatabase, env: dict, folder: Path,
                         with_comments: bool) -> dict:
    """Schema, cases, a million votes, comments and the readers the load tool plays."""
    create_tables(env)
    run([*FLASK, "dilemmas", "sync"], env)
    run([str(PYTHON), "-m", "bench.floor_app", "init"], env)
    start = time.perf_counter()
    run([*FLASK, "demo", "seed-votes", "bench-million", str(VOTES), "--yes"], env)
    print(f"  seeded {VOTES:,} votes in {time.perf_counter() - start:.0f} s", flush=True)
    files = {"fresh": folder / "fresh-readers.tsv", "voted": folder / "voted-readers.tsv"}
    run([str(PYTHON), "-m", "bench.readers", "fresh", "5000", str(files["fresh"])], env)
    vote_requests = folder / "vote-requests.tsv"
    with open(files["fresh"], encoding="utf-8") as src, open(vote_requests, "w") as out:
        for n, line in enumerate(src):
            cookie, token = line.rstrip("\n").split("\t")
            out.write(f"{cookie}\toption={n % 5 + 1}&csrf_token={token}\n")
    floor_requests = folder / "floor-requests.tsv"
    floor_requests.write_text("".join(f"\tvalue={n % 5 + 1}\n" for n in range(1000)))
    result = {"votes": vote_requests, "floor": floor_requests}
    if with_comments:
        from bench import comment_side

        start = time.perf_counter()
        comment_side.seed(env, {"bench-c10": 10, "bench-c5000": 5000, "bench-c3600": 3600})
        print(f"  seeded 8,610 comments in {time.perf_counter() - start:.0f} s", flush=True)
        result["comments"] = comment_side.post_requests(env, folder / "comment-requests.tsv")
    database.analyze()
    return result


def revalidation_requests(base: str, path: str, output: Path, readers: int = 50) -> Path | None:
    """Readers who loaded the page once: each one's cookies and the ETag they were given.

    None when the service sends no ETag (a version before HTTP caching).
    """
    lines = []
    for _ in range(readers):
        with urllib.request.urlopen(base + path) as response:
            etag = response.headers.get("ETag")
            cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
        if not etag:
            return None
        lines.append(f"{'; '.join(cookies)}\t{etag}\n")
    request = urllib.request.Request(base + path, headers={
        "Cookie": lines[0].split("\t")[0], "If-None-Match": lines[0].split("\t")[1].strip()})
    try:
        urllib.request.urlopen(request)
        raise RuntimeError("a revalidation was answered 200, not 304")
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise
    output.write_text("".join(lines))
    return output


def measure_http(kind: str, with_comments: bool) -> Section:
    """Every HTTP figure on one database, each pair of a ratio measured back to back."""
    folder = WORK / f"run-{kind}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    database = BenchDatabase.fresh(kind, folder, POSTGRES_URL)
    section = Section(kind=kind, database=database.describe())
    try:
        env = service_env(database, write_bench_cases(folder / "cases"))
        files = prepare_service_data(database, env, folder, with_comments)
        service = Server("wsgi:app", env=env, python_bin=PYTHON, log_path=folder / "service.log",
                         health_path="/healthz")
        floor = Server("bench.floor_app:app", env=env, python_bin=PYTHON,
                       log_path=folder / "floor.log")
        with service, floor:
            fig = section.figures
            fig["page_0"] = measure("case page, 0 votes", service.url + "/dilemmas/bench-empty",
                                    server=service)
            fig["page_1m"] = measure(f"case page, {VOTES:,} votes",
                                     service.url + "/dilemmas/bench-million", server=service)
            revalidations = revalidation_requests(service.url, "/dilemmas/bench-million",
                                                  folder / "revalidate-requests.tsv")
            if revalidations:
                fig["page_304"] = measure(
                    f"case page, {VOTES:,} votes, revalidated (304)", service.url,
                    post=("/dilemmas/bench-million", revalidations, "GET"), server=service)
            fig["floor_hello"] = measure("floor app GET /hello", floor.url + "/hello",
                                         server=floor)
            measure_partner_traffic(section, service, folder)
            before = database.scalar("SELECT count(*) FROM votes WHERE case_id = "
                                     "(SELECT id FROM cases WHERE slug = 'bench-vote')")
            fig["vote"] = measure("vote POST (new reader each)", service.url,
                                  post=("/dilemmas/bench-vote/vote", files["votes"], FORM),
                                  server=service)
            stored = database.scalar("SELECT count(*) FROM votes WHERE case_id = "
                                     "(SELECT id FROM cases WHERE slug = 'bench-vote')") - before
            answered = fig["vote"].requests + fig["vote"].warmup_requests
            section.notes.append(
                f"vote POST: {stored:,} votes stored for {answered:,} "
                "answers counted by wrk (warm-up included; requests in flight when wrk stops "
                "are stored but not counted)")
            fig["floor"] = measure("floor app insert POST", floor.url,
                                   post=("/insert", files["floor"], FORM), server=floor)
            if with_comments:
                measure_comments(section, service, files, folder)
    finally:
        database.drop()
    return section


# What a partner's front page costs us on every view (issue 14): the embed, new and
# revalidated, and the share card a link preview fetches; beside the floor's /hello.
EMBED_PATH = "/embed/bench-million?partner=bench"
CARD_PATH = "/dilemmas/bench-million/card.png"


def measure_partner_traffic(section: Section, service: Server, folder: Path) -> None:
    fig = section.figures
    for key, name, path in (("embed", f"embed, {VOTES:,} votes (anonymous)", EMBED_PATH),
                            ("card", "share card PNG (1200×630)", CARD_PATH)):
        fig[key] = measure(name, service.url + path, server=service)
        revalidations = revalidation_requests(service.url, path,
                                              folder / f"revalidate-{key}.tsv")
        if revalidations:
            fig[f"{key}_304"] = measure(f"{name}, revalidated (304)", service.url,
                                        post=(path, revalidations, "GET"), server=service)


def measure_comments(section: Section, service: Server, files: dict, folder: Path) -> None:
    fig = section.figures
    fig["page_c10"] = measure("case page, 10 comments", service.url + "/dilemmas/bench-c10",
                              server=service)
    fig["page_c5000"] = measure("case page, 5,000 comments",
                                service.url + "/dilemmas/bench-c5000", server=service)
    isso_config = isso_side.prepare(folder / "isso", site=service.url)
    isso = Server("isso.run:application", env={"ISSO_SETTINGS": str(isso_config)},
                  python_bin=isso_side.PYTHON, log_path=folder / "isso.log",
                  cwd=folder / "isso", health_path="/info")
    isso_posts = isso_side.post_requests(folder / "isso-requests.tsv")
    with isso:
        fig["comment"] = measure("comment POST", service.url,
                                 post=("/dilemmas/bench-comment/comments", files["comments"],
                                       FORM), server=service)
        fig["isso_post"] = measure("Isso comment POST", isso.url,
                                   post=(f"/new?uri={isso_side.THREAD_POST}", isso_posts,
                                         "application/json"), server=isso)
        fig["page_c3600"] = measure("case page, 3,600 comments",
                                    service.url + "/dilemmas/bench-c3600", server=service)
        fig["isso_get"] = measure("Isso thread GET, 50 of 3,600",
                                  isso.url + f"/?uri={isso_side.THREAD_3600}&limit=50",
                                  server=isso)


def measure_export(kind: str) -> dict | None:
    """`flask export votes` of 1,000,000 events, by the colleague's bench/export_memory.py."""
    script = ROOT / "bench" / "export_memory.py"
    if not script.exists():
        return None
    from bench import export_figure

    return export_figure.measure(script, POSTGRES_URL if kind == "postgresql" else None)


def _stop_on_sigterm(*_args) -> None:
    # Unwind through the `with` blocks, so the servers we started stop and schemas drop.
    raise SystemExit(143)


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk (make bench does this on Debian)")
    info = machine()
    print(f"Dilemmaboard bench on {info['cores']} cores ({info['cpu']}), "
          f"{SECONDS:.0f} s per figure after {WARMUP:.0f} s warm-up, {CONNECTIONS} in flight",
          flush=True)
    info["isso"] = isso_side.ensure_venv()
    with_comments = comments_ready()
    if not with_comments:
        print("  comment routes are not there yet: comment figures skipped", flush=True)
    sections = []
    for kind in DATABASES:
        if kind == "postgresql" and not postgres_reachable(POSTGRES_URL):
            print(f"PostgreSQL at {POSTGRES_URL} does not answer: skipped", flush=True)
            continue
        print(f"[{kind}]", flush=True)
        section = measure_http(kind, with_comments)
        section.sync = measure_sync(kind)
        section.export = measure_export(kind)
        sections.append(section)
    info["load_end"] = os.getloadavg()[0]
    table = render(info, sections, seconds=SECONDS, warmup=WARMUP,
                   connections=CONNECTIONS, votes=VOTES,
                   note=os.environ.get("BENCH_NOTE", ""))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(table, encoding="utf-8")
    print()
    print(table)


if __name__ == "__main__":
    main()
