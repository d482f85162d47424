"""The peer: Isso (the `isso` package from PyPI) in its own virtualenv.

Installed into bench/.work/isso-venv (git-ignored), configured with SQLite and
the rate guard off, seeded through Isso's own database layer, and served by
the same gunicorn settings as the service.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.data import COMMENT_BODY, WORK

VENV = WORK / "isso-venv"
PYTHON = VENV / "bin" / "python"
ISSO_REQUIREMENT = "isso>=0.13"  # the PyPI release line tested here: 0.14.x
THREAD_3600 = "/bench-c3600"
THREAD_POST = "/bench-comment"

CONFIG = """[general]
dbpath = {dbpath}
host = {site}
max-age = 15m
notify = stdout
reply-notifications = false
gravatar = false
latest-enabled = false

[moderation]
enabled = false

[server]
listen = http://127.0.0.1:0
public-endpoint =

[guard]
; the rate guard off, as RATELIMIT_ENABLED=false turns ours off
enabled = false
require-author = false
require-email = false
"""

SEED = """
import sys
from isso import config
from isso.db import SQLite3

conf = config.load(config.default_file(), sys.argv[1])
store = SQLite3(conf.get("general", "dbpath"), conf)
uri, count, body = sys.argv[2], int(sys.argv[3]), sys.argv[4]
store.threads.new(uri, "Bench thread")
ids = []
for n in range(count):
    # The same shape as bench/comment_side.py: every fifth comment replies to the one 4 back.
    parent = ids[n - 4] if n % 5 == 4 else None
    added = store.comments.add(uri, {
        "text": body, "author": f"Læser {n}", "email": None, "website": None,
        "parent": parent, "mode": 1, "remote_addr": f"10.{n // 250 % 250}.{n % 250}.0",
        "notification": 0,
    })
    ids.append(added["id"])
"""


def ensure_venv() -> str:
    """Create the Isso virtualenv once; return the installed Isso version."""
    if not (VENV / "bin" / "gunicorn").exists() or not _version():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", ISSO_REQUIREMENT,
                        "gunicorn"], check=True)
    return _version()


def _version() -> str:
    if not PYTHON.exists():
        return ""
    done = subprocess.run([str(PYTHON), "-c", "import importlib.metadata as m; "
                           "print(m.version('isso'))"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def prepare(folder: Path, site: str, comments: int = 3600) -> Path:
    """A fresh Isso database with one thread of `comments` comments; return the config."""
    folder.mkdir(parents=True, exist_ok=True)
    dbpath = folder / "comments.db"
    dbpath.unlink(missing_ok=True)
    config = folder / "isso.cfg"
    config.write_text(CONFIG.format(dbpath=dbpath, site=site), encoding="utf-8")
    subprocess.run([str(PYTHON), "-c", SEED, str(config), THREAD_3600, str(comments),
                    COMMENT_BODY], check=True, cwd=folder)
    # The POST figure writes to its own thread, created here so no request has to.
    subprocess.run([str(PYTHON), "-c", SEED, str(config), THREAD_POST, "1", COMMENT_BODY],
                   check=True, cwd=folder)
    return config


def post_requests(path: Path, count: int = 200) -> Path:
    """The comment POST bodies Isso's own client sends (JSON, same text as ours)."""
    lines = []
    for n in range(count):
        body = json.dumps({"text": COMMENT_BODY, "author": f"Læser {n}", "email": "",
                           "website": "", "parent": None, "title": "Bench thread"},
                          ensure_ascii=False)
        lines.append("\t" + body)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

