"""Settings: every default, what the environment may change, and the checks (SPEC §9).

`load` is the one way in: the defaults, then the environment, then the
factory's overrides (tests). It derives SQLALCHEMY_DATABASE_URI from
DATABASE_URL and refuses a value the service cannot run with by raising
`ConfigError`, whose message is one line (the factory prints it and exits 2).
No Flask here, so scripts (bench/) read the same settings.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
MODERATION_MODES = ("post", "pre")
DEV_SECRET_KEY = "dev-only-not-secret"
# Host names a machine calls itself: trusted beside SITE_URL's host in debug and
# testing, and whenever SITE_URL itself is a loopback address (`make run`).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


class ConfigError(ValueError):
    """A setting the service cannot start with; the message is one line."""


def _text(name: str, raw: str) -> str:
    return raw


def _flag(name: str, raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _count(name: str, raw: str) -> int:
    if not (raw.strip().isascii() and raw.strip().isdigit()):
        raise ConfigError(f"{name} must be a whole number (0 or more), not {raw!r}")
    return int(raw)


# What the environment may set: name -> (default, how the variable's text is read).
# A variable that is unset or blank leaves the default. All of them are documented
# in the README's Deploy section (tests/test_production_config.py checks).
ENVIRONMENT: dict[str, tuple[object, Callable[[str, str], object]]] = {
    "SECRET_KEY": (None, _text),
    "DATABASE_URL": (None, _text),  # -> SQLALCHEMY_DATABASE_URI (database_uri)
    "DILEMMAS_DIR": ("dilemmas", _text),
    "SITE_TIMEZONE": ("Europe/Copenhagen", _text),
    "DEFAULT_LOCALE": ("da", _text),
    "RATELIMIT_STORAGE_URI": ("memory://", _text),
    "RATELIMIT_ENABLED": (True, _flag),
    "TRUSTED_PROXIES": (0, _count),
    # gunicorn's processes (gunicorn.conf.py reads it too, and tells each worker the real count).
    "WEB_CONCURRENCY": (1, _count),
    "COMMENTS_MODERATION": ("post", _text),
    "COMMENTS_REQUIRE_VOTE": (True, _flag),
    "PROFILE_QUESTION": (False, _flag),
    # The site's own origin: every absolute URL is built from it, never from the
    # Host header (web/urls.py), and Flask's TRUSTED_HOSTS is derived from it.
    "SITE_URL": ("http://127.0.0.1:5000", _text),
    # Published research snapshots (zip files); default instance/snapshots.
    "SNAPSHOT_DIR": (None, _text),
    # Who publishes the research data: named in the snapshots' citation and package.
    "DATA_PUBLISHER": ("Dilemmaboard", _text),
}

# The settings the environment does not change.
DEFAULTS = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 50,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": ["da", "en"],
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "VOTER_COOKIE": "db_voter",
    "VOTES_PER_IP_LIMIT": "300 per hour;60 per minute",
    "COMMENT_LIMIT": "5 per minute;30 per hour",
    # Edits, deletes and reports, per IP hash and per reader.
    "COMMENT_ACTION_LIMIT": "20 per minute;200 per hour",
    "COMMENT_EDIT_WINDOW": 15 * 60,
    # Wrong passwords, per account and per IP hash: one budget for the login form and
    # HTTP Basic auth on every route.
    "LOGIN_LIMIT": "5 per minute;20 per hour",
    "LOGIN_IP_LIMIT": "10 per minute;50 per hour",
    "COMMENTS_PER_PAGE": 50,
    # How long a shared cache (CDN, reverse proxy) may keep a response that carries
    # nothing of one reader: the archive, feeds, the API and the public exports.
    "SHARED_CACHE_SECONDS": 10,
}


def load(instance_path: str | os.PathLike, overrides: Mapping | None = None, *,
         environ: Mapping[str, str] = os.environ, debug: bool = False) -> dict:
    """The app's settings: DEFAULTS, then `environ`, then `overrides`; checked.

    `debug` (Flask's debug mode) lets the app start without a SECRET_KEY, as
    TESTING does. Raises ConfigError.
    """
    settings = {**copy.deepcopy(DEFAULTS), **from_environment(environ), **(overrides or {})}
    settings["SQLALCHEMY_DATABASE_URI"] = database_uri(settings, instance_path)
    settings["SECRET_KEY"] = secret_key(settings, debug=debug)
    settings["SITE_URL"] = site_url(settings["SITE_URL"])
    if "TRUSTED_HOSTS" not in settings:
        settings["TRUSTED_HOSTS"] = trusted_hosts(settings, debug=debug)
    settings["SNAPSHOT_DIR"] = str(Path(settings.get("SNAPSHOT_DIR")
                                        or Path(instance_path) / "snapshots").absolute())
    check(settings)
    return settings


def from_environment(environ: Mapping[str, str]) -> dict:
    """Every ENVIRONMENT setting: its variable's value when set, else its default."""
    settings = {}
    for name, (default, read) in ENVIRONMENT.items():
        raw = environ.get(name, "")
        settings[name] = read(name, raw) if raw.strip() else default
    return settings


def database_uri(settings: Mapping, instance_path: str | os.PathLike) -> str:
    """SQLALCHEMY_DATABASE_URI as given, else DATABASE_URL, else a SQLite file in instance/."""
    url = (settings.get("SQLALCHEMY_DATABASE_URI") or settings.get("DATABASE_URL")
           or "sqlite:///" + str(Path(instance_path) / "dilemmaboard.sqlite3"))
    return normalise_database_url(url)


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings hosting platforms hand out and pick psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def secret_key(settings: Mapping, *, debug: bool) -> str:
    """The SECRET_KEY; a fixed one only in debug and testing, where nothing real is signed."""
    if settings.get("SECRET_KEY"):
        return settings["SECRET_KEY"]
    if debug or settings.get("DEBUG") or settings.get("TESTING"):
        return DEV_SECRET_KEY
    raise ConfigError(
        "set the SECRET_KEY environment variable: the key is expected in the environment, "
        "or in a .env file in the folder you run `flask --app app` from (`make run` keeps "
        "this checkout's key in instance/secret_key and writes it to .env). Keep using the "
        "key the site already has (sessions and edit links are signed with it); only a new "
        "site needs a new one: export SECRET_KEY="
        "$(python3 -c 'import secrets; print(secrets.token_hex(32))')."
    )


def site_url(raw: str) -> str:
    """SITE_URL as `scheme://host[:port]` (lower case, no trailing slash); ConfigError otherwise."""
    problem = ("SITE_URL must be the site's own origin, http(s)://host[:port] with no "
               f"path, query or user name, not {raw!r}")
    try:
        parts = urlsplit(str(raw).strip())
        port = parts.port  # ValueError when not a number in 0-65535
    except ValueError:
        raise ConfigError(problem) from None
    if (parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or parts.username is not None or parts.password is not None
            or parts.path not in ("", "/") or parts.query or parts.fragment
            or str(raw).strip().endswith(("?", "#")) or port == 0
            or not parts.netloc.isascii() or any(c.isspace() for c in parts.netloc)):
        raise ConfigError(problem)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def site_host(url: str) -> str:
    """The host name of a checked SITE_URL (IPv6 addresses in brackets, as in a Host header)."""
    host = urlsplit(url).hostname or ""
    return f"[{host}]" if ":" in host else host


def trusted_hosts(settings: Mapping, *, debug: bool) -> list[str]:
    """Flask's TRUSTED_HOSTS: SITE_URL's host, plus the loopback names where they are harmless."""
    host = site_host(settings["SITE_URL"])
    local = debug or settings.get("DEBUG") or settings.get("TESTING") or host in LOOPBACK_HOSTS
    return [host, *(name for name in LOOPBACK_HOSTS if local and name != host)]


def check(settings: Mapping) -> None:
    """Refuse a value the service cannot run with (ConfigError)."""
    moderation = settings["COMMENTS_MODERATION"]
    if moderation not in MODERATION_MODES:
        raise ConfigError(f"COMMENTS_MODERATION must be 'post' or 'pre', not {moderation!r}")
    hops = settings["TRUSTED_PROXIES"]
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be a whole number (0 or more), not {hops!r}")
    check_limit_storage(settings)
    zone = settings["SITE_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"SITE_TIMEZONE must be a time zone such as 'Europe/Copenhagen', "
                          f"not {zone!r}") from None
    snapshots = Path(settings["SNAPSHOT_DIR"])
    if snapshots.exists() and not snapshots.is_dir():
        raise ConfigError(f"SNAPSHOT_DIR must be a folder (or not exist yet), not the file "
                          f"{str(snapshots)!r}")
    publisher = settings["DATA_PUBLISHER"]
    if not isinstance(publisher, str) or not publisher.strip() or len(publisher) > 200:
        raise ConfigError(f"DATA_PUBLISHER must be a name of 1-200 characters, "
                          f"not {publisher!r}")
    languages = settings["LANGUAGES"]
    if settings["DEFAULT_LOCALE"] not in languages:
        raise ConfigError(f"DEFAULT_LOCALE must be one of {', '.join(languages)}, "
                          f"not {settings['DEFAULT_LOCALE']!r}")


def check_limit_storage(settings: Mapping) -> None:
    """Several processes must share the limits' counts: memory:// would multiply each limit."""
    processes = settings["WEB_CONCURRENCY"]
    if not isinstance(processes, int) or isinstance(processes, bool) or processes < 1:
        raise ConfigError(f"WEB_CONCURRENCY must be a whole number (1 or more), "
                          f"not {processes!r}")
    storage = settings["RATELIMIT_STORAGE_URI"] or "memory://"
    if processes > 1 and settings["RATELIMIT_ENABLED"] and storage.startswith("memory://"):
        raise ConfigError(
            f"WEB_CONCURRENCY={processes} processes would each keep their own rate limit "
            f"counts (RATELIMIT_STORAGE_URI={storage}), multiplying every limit: set "
            "RATELIMIT_STORAGE_URI=redis://host:6379/0 (shared by every process), "
            "or serve with WEB_CONCURRENCY=1")


def limiter_storage_options(uri: str) -> dict:
    """Short Redis timeouts: when Redis is down the limits fail open quickly."""
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
    return {}
