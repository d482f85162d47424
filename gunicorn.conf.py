"""gunicorn settings from the environment: PORT, WEB_CONCURRENCY, HOST (SPEC §9)."""
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# Several processes even on SQLite (WAL + busy timeout make that safe); at most 4 by default.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(4, multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
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


def on_starting(server):
    """Build the translation catalogues once, in the master, before any worker loads the app
    (`make install` already did, unless a deployment skipped make)."""
    from pathlib import Path

    try:
        from dilemmaboard.web.i18n import compile_catalogues
    except ImportError:  # another app served with these settings (bench/: the peers)
        return
    compile_catalogues(Path(__file__).resolve().parent / "translations")
