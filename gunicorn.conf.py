"""gunicorn settings from the environment: PORT, WEB_CONCURRENCY, HOST (SPEC §9)."""
import os
import sys

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# One process by default: it serves many connections at once (below), and with the
# default limiter storage (memory://) only one process counts the limits exactly. More
# processes need RATELIMIT_STORAGE_URI=redis://… (the app refuses to start otherwise).
workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
# gevent: each connection is a greenlet, so a client that sends its request slowly holds
# one greenlet, never the process (a sync worker is held until it times out). psycopg 3
# sees gevent's patched `select` and waits cooperatively; SQLite calls are short.
worker_class = "gevent"
worker_connections = 1000
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# The app logs one line per request itself (with a request id); gunicorn's
# access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Load the app in each worker after fork, so no database connection is shared.
preload_app = False
# Proxy headers are the app's business (TRUSTED_PROXIES -> ProxyFix): gunicorn
# must not let any local client switch the scheme to https with a header.
secure_scheme_headers = {}
# The workers' heartbeat files: in memory where there is /dev/shm (containers
# often have a slow or read-only disk /tmp).
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"


def post_fork(server, worker):
    """Tell the app how many processes serve (also when `-w` overrode WEB_CONCURRENCY), so
    it can refuse per-process limit counts (dilemmaboard/config.py)."""
    os.environ["WEB_CONCURRENCY"] = str(server.cfg.workers)


def on_starting(server):
    """In the master, before any worker loads the app: refuse a worker count the limits
    cannot be kept with (as each worker would, one line, exit 2, instead of gunicorn
    starting failing workers forever), and build the translation catalogues once
    (`make install` already did, unless a deployment skipped make)."""
    from pathlib import Path

    try:
        from dilemmaboard import config
        from dilemmaboard.web.i18n import compile_catalogues
    except ImportError:  # another app served with these settings (bench/: the peers)
        return
    try:
        config.check_limit_storage(config.from_environment(
            {**os.environ, "WEB_CONCURRENCY": str(server.cfg.workers)}))
    except config.ConfigError as exc:
        sys.stderr.write(f"Dilemmaboard refuses to start: {exc}\n")
        sys.exit(2)
    compile_catalogues(Path(__file__).resolve().parent / "translations")
