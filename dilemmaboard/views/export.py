"""The export blueprint."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("export", __name__, url_prefix="/export")
