"""Start a WSGI app under gunicorn on a free loopback port, wait until it answers, stop it.

Every side of every figure (the service, the floor app, Isso) starts through
here with the project's own gunicorn.conf.py, so they share the same gunicorn
settings: 2 sync workers unless WEB_CONCURRENCY says otherwise (the worker class is
set to sync here: the figures measure the apps, and Isso's virtualenv has no gevent).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn process tree serving `target` (module:callable) on 127.0.0.1."""

    def __init__(self, target: str, *, env: dict, python_bin: Path, log_path: Path,
                 health_path: str = "/", cwd: Path = ROOT, workers: int = 2):
        self.target = target
        self.port = free_port()
        self.health_path = health_path
        self.log_path = log_path
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port),
                    "WEB_CONCURRENCY": str(workers), "LOG_LEVEL": "warning"}
        self.gunicorn = python_bin.parent / "gunicorn"
        self.cwd = cwd
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(self.gunicorn), "-c", str(GUNICORN_CONF), "--worker-class", "sync",
             self.target],
            cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target} exited at start; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + self.health_path, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers, which is all we wait for
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.target} did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """SIGTERM the gunicorn master we started (it stops its own workers)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the master), for the profiler."""
        if self.process is None:
            return []
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,
                             text=True, check=False).stdout
        return [int(pid) for pid in out.split()]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the master and its live workers."""
        pids = [self.process.pid, *self.worker_pids()] if self.process else []
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")
