"""The project's exceptions: every message is one line written for a user."""

from __future__ import annotations

from pathlib import Path

__all__ = ["StancebenchError", "InputError", "MissingExtraError", "first_line", "quoted", "QUOTE_LIMIT", "StancebenchWarning"]

#: Most characters of a user's value a message quotes (a 60 MB id is not echoed whole).
QUOTE_LIMIT = 60


class StancebenchError(Exception):
    """Base class; the CLI turns it into `Error: <message>` and exit code 1."""


class InputError(StancebenchError):
    """Bad input at a known place: `path:line: problem` (line 0 means the whole file)."""

    def __init__(self, path: str | Path, line: int, problem: str) -> None:
        self.path = str(path)
        self.line = line
        self.problem = _one_line(problem)
        where = f"{_one_line(str(path))}:{line}" if line else _one_line(str(path))
        super().__init__(f"{where}: {self.problem}")


def _one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: a message stays one line, whatever a
    file's column names or a path hold."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class MissingExtraError(StancebenchError):
    """An optional dependency is not installed."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} needs: pip install 'stancebench[{extra}]'")


def first_line(err: BaseException, *, with_type: bool = True) -> str:
    """`TypeName: first line of the message` (or the line alone): any exception, e.g. from user code, as one line."""
    lines = str(err).strip().splitlines()
    if not lines:
        return type(err).__name__
    return f"{type(err).__name__}: {lines[0]}" if with_type else lines[0]


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`repr(value)` for a message, cut to `limit` characters with "…" when longer, on one line."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)


class StancebenchWarning(UserWarning):
    """Something the user should know that did not stop the command; the CLI prints `Warning: <message>`."""
