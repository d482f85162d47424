"""The application factory: reads like a table of contents."""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from dilemmaboard import config, database
from dilemmaboard.cases.cli import dilemmas_cli
from dilemmaboard.comments import views as comments
from dilemmaboard.desk import access
from dilemmaboard.desk import views as desk
from dilemmaboard.desk.cli import editors_cli, tallies_cli
from dilemmaboard.extensions import csrf, db, init_limiter, login_manager, migrate
from dilemmaboard.partners.cli import partners_cli
from dilemmaboard.research import views as research
from dilemmaboard.research.cli import export_command
from dilemmaboard.voting.cli import demo_cli
from dilemmaboard.web import (
    api,
    caching,
    embed,
    errors,
    feeds,
    i18n,
    observability,
    privacy,
    reader,
    security,
    sharing,
    site_files,
    urls,
)

# templates/, static/, translations/, migrations/ and instance/ sit beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping | None = None) -> Flask:
    """Create and configure the Dilemmaboard app; `test_config` overrides any setting."""
    app = Flask(__name__, root_path=str(PROJECT_ROOT),
                instance_path=str(PROJECT_ROOT / "instance"), instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(load_settings(app, test_config))
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def load_settings(app: Flask, overrides: Mapping | None) -> dict:
    """The checked settings (dilemmaboard/config.py); a bad one ends the process (exit 2)."""
    try:
        return config.load(app.instance_path, overrides, debug=app.debug)
    except config.ConfigError as exc:
        sys.stderr.write(f"Dilemmaboard refuses to start: {exc}\n")
        raise SystemExit(2) from None


def register_extensions(app: Flask) -> None:
    # First, so its timer starts before any other hook and its log line sees the final status.
    observability.init_app(app)
    database.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True,
                     directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    access.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    privacy.init_app(app)
    security.init_app(app)
    caching.init_app(app)
    urls.init_app(app)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["id"] = urls.IdConverter  # row ids in routes: <id:comment_id>
    for module in (reader, comments, feeds, site_files, api, research, desk, embed, sharing):
        app.register_blueprint(module.bp)
    app.register_blueprint(research.data_bp)


def register_errorhandlers(app: Flask) -> None:
    errors.init_app(app)


def register_commands(app: Flask) -> None:
    for group in (dilemmas_cli, tallies_cli, demo_cli, editors_cli, partners_cli,
                  export_command):
        app.cli.add_command(group)
