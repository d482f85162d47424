"""Extensions, created without an app and bound in the factory."""
from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from dilemmaboard.config import limiter_storage_options
from dilemmaboard.web.privacy import ip_hash

# Predictable constraint names, so Alembic migrations are the same on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# expire_on_commit=False: a view may commit (a vote) and then render what it loaded.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Every limit counts per keyed hash of the client's address (never the address itself).
limiter = Limiter(key_func=ip_hash, default_limits=[])
babel = Babel()


def init_limiter(app) -> None:
    """Bind the limiter; with Redis, short timeouts so an outage fails open fast.

    RATELIMIT_SWALLOW_ERRORS (on by default) lets requests through when the
    storage does not answer; observability turns that into a logged warning.
    """
    options = limiter_storage_options(app.config.get("RATELIMIT_STORAGE_URI") or "")
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {
        **options, **(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}),
    }
    limiter.init_app(app)
