"""What a case file can be refused with: located problems (`path:line: message`)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class CaseError(Exception):
    """A case file broke a rule; `problems` says where and how."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    @classmethod
    def at(cls, path: str, line: int | None, message: str) -> CaseError:
        """The one problem that stops reading the file."""
        return cls([Problem(path, line, message)])
