"""Entry point for `flask --app app`: the factory lives in the package."""
from dilemmaboard.factory import create_app  # noqa: F401
