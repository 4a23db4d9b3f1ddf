"""The project's exceptions: every message is one line written for a user."""

from __future__ import annotations

from pathlib import Path

__all__ = ["StancebenchError", "InputError", "MissingExtraError", "StancebenchWarning"]


class StancebenchError(Exception):
    """Base class; the CLI turns it into `Error: <message>` and exit code 1."""


class InputError(StancebenchError):
    """Bad input at a known place: `path:line: problem` (line 0 means the whole file)."""

    def __init__(self, path: str | Path, line: int, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = problem
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {problem}")


class MissingExtraError(StancebenchError):
    """An optional dependency is not installed."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} needs: pip install 'stancebench[{extra}]'")


class StancebenchWarning(UserWarning):
    """Something the user should know that did not stop the command; the CLI prints `Warning: <message>`."""
