"""Settings: defaults plus the environment, read in one place (SPEC §9)."""
from __future__ import annotations

import os
from pathlib import Path

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def normalise_database_url(url: str) -> str:
    """Accept the URL spellings hosting platforms hand out and pick psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def limiter_storage_options(uri: str) -> dict:
    """Short Redis timeouts: when Redis is down the limits fail open quickly."""
    if uri.startswith(("redis://", "rediss://", "redis+")):
        return {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}
    return {}


def from_environment(instance_path: str) -> dict:
    """Build the config mapping from defaults and the process environment."""
    default_db = "sqlite:///" + str(Path(instance_path) / "dilemmaboard.sqlite3")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        "DILEMMAS_DIR": os.environ.get("DILEMMAS_DIR", "dilemmas"),
        "SITE_TIMEZONE": os.environ.get("SITE_TIMEZONE", "Europe/Copenhagen"),
        "DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "da"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        "COMMENTS_MODERATION": os.environ.get("COMMENTS_MODERATION", "post"),
        "COMMENTS_REQUIRE_VOTE": env_bool("COMMENTS_REQUIRE_VOTE", True),
        "PROFILE_QUESTION": env_bool("PROFILE_QUESTION", False),
    }


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
    # Failed logins, per account and per IP hash; wrong HTTP Basic credentials per IP hash.
    "LOGIN_LIMIT": "5 per minute;20 per hour",
    "LOGIN_IP_LIMIT": "10 per minute;50 per hour",
    "EXPORT_AUTH_LIMIT": "20 per minute;100 per hour",
    "COMMENTS_PER_PAGE": 50,
    # How long a shared cache (CDN, reverse proxy) may keep a response that carries
    # nothing of one reader: the archive, feeds, the API and the public exports.
    "SHARED_CACHE_SECONDS": 10,
}
