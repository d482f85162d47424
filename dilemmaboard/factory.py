"""The application factory: reads like a table of contents."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask

from dilemmaboard import config

# templates/, static/, translations/, migrations/ and instance/ sit beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the Dilemmaboard app."""
    app = Flask(__name__, root_path=str(PROJECT_ROOT),
                instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.DEFAULTS)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
        if "DATABASE_URL" in test_config:
            app.config["SQLALCHEMY_DATABASE_URI"] = config.normalise_database_url(
                test_config["DATABASE_URL"]
            )
    require_secret_key(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def require_secret_key(app: Flask) -> None:
    """Refuse to start without SECRET_KEY, except in debug and testing."""
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing or os.environ.get("FLASK_DEBUG") == "1":
        app.config["SECRET_KEY"] = "dev-only-not-secret"
        return
    sys.stderr.write(
        "Dilemmaboard refuses to start: set the SECRET_KEY environment variable "
        "(for example: export SECRET_KEY=$(python3 -c 'import secrets; "
        "print(secrets.token_hex(32))')).\n"
    )
    raise SystemExit(2)


def register_extensions(app: Flask) -> None:
    from dilemmaboard import database
    from dilemmaboard.desk import accounts
    from dilemmaboard.extensions import csrf, db, init_limiter, login_manager, migrate
    from dilemmaboard.web import caching, i18n, observability, privacy, security

    # First, so its timer starts before any other hook and its log line sees the final status.
    observability.init_app(app)
    database.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True,
                     directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    accounts.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    privacy.init_app(app)
    security.init_app(app)
    caching.init_app(app)


def register_blueprints(app: Flask) -> None:
    from dilemmaboard.comments import views as comments
    from dilemmaboard.desk import views as desk
    from dilemmaboard.research import views as research
    from dilemmaboard.web import api, feeds, reader

    for module in (reader, comments, feeds, api, research, desk):
        app.register_blueprint(module.bp)


def register_errorhandlers(app: Flask) -> None:
    from dilemmaboard.web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from dilemmaboard.cases.cli import dilemmas_cli
    from dilemmaboard.desk.cli import editors_cli, tallies_cli
    from dilemmaboard.research.cli import export_command
    from dilemmaboard.voting.cli import demo_cli

    for group in (dilemmas_cli, tallies_cli, demo_cli, editors_cli, export_command):
        app.cli.add_command(group)
