"""The one kind of refusal a domain function raises.

A domain function that will not do what it was asked raises `Refused` with a
`kind` (why, in the domain's words) and a message for a person. It knows
nothing of HTTP: the web layer maps each kind to a status in one place
(`web/errors.py`), and the command line prints the message.
"""
from __future__ import annotations

KINDS = ("invalid", "forbidden", "not_found", "conflict")


class Refused(Exception):
    """A request the domain will not carry out."""

    def __init__(self, kind: str, message: str):
        if kind not in KINDS:
            raise ValueError(f"unknown refusal kind: {kind!r}")
        super().__init__(message)
        self.kind = kind
        self.message = message
