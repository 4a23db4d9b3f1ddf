"""JSONL files on disk: reading records with file:line errors, atomic whole-file writes, and
the atomic writers every command uses (the label logs are in stancebench.logs).

Every reader goes through `stancebench.files` (regular files only, size-bounded) and every
writer refuses to write through a symlink or a folder that leads out of the corpus.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from stancebench.errors import InputError, quoted
from stancebench.files import (
    check_inside_corpus,
    check_json_depth,
    check_regular_file,
    read_bytes,
    write_bytes_atomic,
)
from stancebench.schema import Gold, Statement, parse_json_line

__all__ = [
    "read_jsonl",
    "read_statements",
    "statements_parquet_bytes",
    "write_statements_atomic",
    "read_gold",
    "write_jsonl_atomic",
    "write_text_atomic",
    "write_bytes_atomic",
    "check_output_file",
    "check_output_dir",
    "read_bytes",
    "check_regular_file",
    "check_json_depth",
    "check_inside_corpus",
]



def _read_text(path: Path) -> str:
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, data[: err.start].count(b"\n") + 1, "not UTF-8 text") from None


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; bad JSON raises InputError."""
    path = Path(path)
    # Lines end at "\n" (or "\r\n") only: str.splitlines would also break at U+2028, U+0085 and
    # friends, which are valid raw inside JSON strings (extract writes them as they are).
    for lineno, line in enumerate(_read_text(path).split("\n"), start=1):
        if line and not line.isspace():  # line.strip() would copy every line
            yield lineno, parse_json_line(line, path, lineno)


def _read_unique(path: str | Path, parse: Callable[..., Any], key: Callable[[Any], str], what: str) -> list[Any]:
    # Records parse themselves; a repeated key names both lines.
    seen: dict[str, int] = {}
    out = []
    for lineno, data in read_jsonl(path):
        record = parse(data, path, lineno)
        name = key(record)
        if name in seen:
            raise InputError(path, lineno, f"duplicate {what} {quoted(name)} (first on line {seen[name]})")
        seen[name] = lineno
        out.append(record)
    return out


def read_statements(path: str | Path, *, include_stale: bool = True) -> list[Statement]:
    """All statements in a statements.jsonl (or .parquet) file; duplicate ids are an error."""
    if Path(path).suffix == ".parquet":
        statements = _read_statements_parquet(Path(path))
    else:
        statements = _read_unique(path, Statement.from_dict, lambda s: s.id, "statement id")
    return statements if include_stale else [s for s in statements if not s.is_stale]


def _statement_schema():
    import pyarrow as pa

    special = {"start": pa.int64(), "end": pa.int64(), "is_stale": pa.bool_(), "copies": pa.list_(pa.string())}
    return pa.schema([(f.name, special.get(f.name, pa.string())) for f in fields(Statement)])


def _read_statements_parquet(path: Path) -> list[Statement]:
    # Past `sources.jsonl_max_statements`, extract writes parquet; rows are checked as JSONL lines are (row = line).
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not path.exists():
        raise InputError(path, 0, "file not found")
    try:
        rows = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, 0, f"not a readable parquet file ({str(err)[:80]})") from None
    seen: dict[str, int] = {}
    out = []
    for number, row in enumerate(rows, start=1):
        statement = Statement.from_dict(row, path, number)
        if statement.id in seen:
            raise InputError(path, number, f"duplicate statement id {quoted(statement.id)} (first on row {seen[statement.id]})")
        seen[statement.id] = number
        out.append(statement)
    return out


def statements_parquet_bytes(statements: Iterable[Statement]) -> bytes:
    """Statements as a parquet file's bytes (the columns of Statement, in its field order)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _statement_schema()
    statements = list(statements)
    columns = {name: [getattr(s, name) for s in statements] for name in schema.names}
    columns["copies"] = [list(c) for c in columns["copies"]]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), sink)
    return sink.getvalue().to_pybytes()


def write_statements_atomic(path: str | Path, statements: Iterable[Statement]) -> list[bytes] | None:
    """Write statements atomically as JSONL, or as parquet when `path` ends in .parquet.

    Returns the JSONL lines written (UTF-8, without their newlines) for an id index to be made from; None for parquet.
    """
    if Path(path).suffix == ".parquet":
        write_bytes_atomic(path, statements_parquet_bytes(statements))
        return None
    lines = [s.to_json().encode("utf-8") for s in statements]
    write_bytes_atomic(path, [b"\n".join(lines), b"\n"] if lines else b"")  # as write_jsonl_atomic writes them
    return lines


def read_gold(path: str | Path) -> list[Gold]:
    """All gold records in a gold.jsonl file; duplicate statement ids are an error."""
    return _read_unique(path, Gold.from_dict, lambda g: g.statement_id, "gold for")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically (see write_bytes_atomic)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_jsonl_atomic(path: str | Path, lines: Iterable[str]) -> None:
    """Write JSONL lines (already serialised) atomically."""
    write_text_atomic(path, "\n".join(itertools.chain(lines, [""])))  # each line then "\n", in one join


def _probe(folder: Path, shown: Path) -> None:
    # The only sure test that a file can be created here (permissions, read-only mounts, /proc).
    try:
        handle, tmp = tempfile.mkstemp(prefix=".stancebench-probe.", dir=folder)
    except OSError as err:
        raise InputError(shown, 0, f"cannot write a file in {folder} ({err.strerror})") from None
    os.close(handle)
    os.unlink(tmp)


def check_output_file(path: str | Path) -> None:
    """Fail in one line, before any work, when `path` cannot be written (its folder is never created)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(path, 0, "is a folder, expected a file name")
    folder = path.parent
    if not folder.is_dir():
        problem = "does not exist" if not folder.exists() else "is not a folder"
        raise InputError(path, 0, f"folder {folder} {problem}")
    _probe(folder, path)


def check_output_dir(path: str | Path) -> None:
    """Fail in one line, before any work, when files cannot be written in folder `path` (only `path` itself may be created)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(path, 0, "exists and is not a folder")
    if path.is_dir():
        _probe(path, path)
        return
    check_output_file(path)
