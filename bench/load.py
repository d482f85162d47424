"""Drive one figure with wrk: a warm-up, then the measured run; parse the JSON it prints."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "wrk" / "bench.lua"
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = 1  # one wrk thread keeps the load tool's share of the two cores small


@dataclass
class Figure:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors + timeouts + 4xx/5xx answers
    warmup_requests: int = 0
    cpu_ms: float | None = None  # the server's CPU time per answered request


    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_version() -> str:
    if not shutil.which("wrk"):
        return ""
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).splitlines()[0]
    return first.split(" Copyright")[0].strip()


def _wrk(url: str, seconds: float, post: tuple[str, Path, str] | None) -> dict:
    cmd = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(seconds, 1):.0f}s",
           "--timeout", "10s", "-s", str(LUA), url]
    if post:
        path, requests_file, content_type = post
        cmd += ["--", path, str(requests_file), content_type]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    return json.loads(lines[-1])


def measure(name: str, url: str, *, post: tuple[str, Path, str] | None = None,
            server=None) -> Figure:
    """Warm up for WARMUP seconds, then measure for SECONDS at CONNECTIONS in flight.

    With `server` (a bench.server.Server) also report the server's CPU time per
    request, which other work on a shared machine disturbs far less than throughput.
    """
    warm = _wrk(url, WARMUP, post) if WARMUP > 0 else {"requests": 0}
    cpu_before = server.cpu_seconds() if server else None
    raw = _wrk(url, SECONDS, post)
    cpu_ms = None
    if server and raw["requests"]:
        cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / raw["requests"]
    figure = Figure(
        name=name, requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
        errors=raw["socket_errors"] + raw["bad_status"] + raw["timeouts"],
        warmup_requests=warm["requests"], cpu_ms=cpu_ms,
    )
    cpu = f"  CPU {cpu_ms:5.2f} ms/req" if cpu_ms is not None else ""
    print(f"  {name:<40} {figure.rps:8.0f} req/s  p50 {figure.p50_ms:7.1f} ms  "
          f"p99 {figure.p99_ms:7.1f} ms  errors {figure.errors}{cpu}", flush=True)
    return figure
