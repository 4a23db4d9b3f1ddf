"""JSONL files on disk: reading records with file:line errors, and atomic whole-file writes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from stancebench.errors import InputError
from stancebench.schema import Gold, Statement, parse_json_line

__all__ = [
    "read_jsonl",
    "read_statements",
    "read_gold",
    "write_jsonl_atomic",
    "write_text_atomic",
]


def _read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(path, 0, "file not found")
    if path.is_dir():
        raise InputError(path, 0, "is a folder, expected a file")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(path, line, "not UTF-8 text") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read ({err.strerror})") from None


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; bad JSON raises InputError."""
    path = Path(path)
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        if line.strip():
            yield lineno, parse_json_line(line, path, lineno)


def read_statements(path: str | Path, *, include_stale: bool = True) -> list[Statement]:
    """All statements in a statements.jsonl file; duplicate ids are an error."""
    seen: dict[str, int] = {}
    out: list[Statement] = []
    for lineno, data in read_jsonl(path):
        statement = Statement.from_dict(data, path, lineno)
        if statement.id in seen:
            raise InputError(path, lineno, f"duplicate statement id {statement.id!r} (first on line {seen[statement.id]})")
        seen[statement.id] = lineno
        if include_stale or not statement.is_stale:
            out.append(statement)
    return out


def read_gold(path: str | Path) -> list[Gold]:
    """All gold records in a gold.jsonl file; duplicate statement ids are an error."""
    seen: dict[str, int] = {}
    out: list[Gold] = []
    for lineno, data in read_jsonl(path):
        gold = Gold.from_dict(data, path, lineno)
        if gold.statement_id in seen:
            raise InputError(path, lineno, f"duplicate gold for {gold.statement_id!r} (first on line {seen[gold.statement_id]})")
        seen[gold.statement_id] = lineno
        out.append(gold)
    return out


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write a whole file through a temporary file and a rename, so failure never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl_atomic(path: str | Path, lines: Iterable[str]) -> None:
    """Write JSONL lines (already serialised) atomically."""
    write_text_atomic(path, "".join(line + "\n" for line in lines))
