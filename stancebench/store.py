"""JSONL files on disk: reading records with file:line errors, atomic whole-file writes, and
the per-annotator append-only label logs (locked, fsynced, torn-line tolerant)."""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

from stancebench.errors import InputError, StancebenchError
from stancebench.schema import LABELS, Gold, LabelEvent, Statement, parse_json_line

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
    "TornLineWarning",
    "validate_annotator",
    "lock_path",
    "append_label",
    "append_labels",
    "read_label_log",
    "read_label_logs",
]


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes; a missing file, a folder or an unreadable file is an InputError."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, 0, "file not found")
    if path.is_dir():
        raise InputError(path, 0, "is a folder, expected a file")
    try:
        return path.read_bytes()
    except OSError as err:
        raise InputError(path, 0, f"cannot read ({err.strerror})") from None


def _read_text(path: Path) -> str:
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(path, data[: err.start].count(b"\n") + 1, "not UTF-8 text") from None


def read_jsonl(path: str | Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; bad JSON raises InputError."""
    path = Path(path)
    for lineno, line in enumerate(_read_text(path).splitlines(), start=1):
        if line.strip():
            yield lineno, parse_json_line(line, path, lineno)


def _read_unique(path: str | Path, parse: Callable[..., Any], key: Callable[[Any], str], what: str) -> list[Any]:
    # Records parse themselves; a repeated key names both lines.
    seen: dict[str, int] = {}
    out = []
    for lineno, data in read_jsonl(path):
        record = parse(data, path, lineno)
        if key(record) in seen:
            raise InputError(path, lineno, f"duplicate {what} {key(record)!r} (first on line {seen[key(record)]})")
        seen[key(record)] = lineno
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
            raise InputError(path, number, f"duplicate statement id {statement.id!r} (first on row {seen[statement.id]})")
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


def write_statements_atomic(path: str | Path, statements: Iterable[Statement]) -> None:
    """Write statements atomically as JSONL, or as parquet when `path` ends in .parquet."""
    if Path(path).suffix == ".parquet":
        write_bytes_atomic(path, statements_parquet_bytes(statements))
    else:
        write_jsonl_atomic(path, (s.to_json() for s in statements))


def read_gold(path: str | Path) -> list[Gold]:
    """All gold records in a gold.jsonl file; duplicate statement ids are an error."""
    return _read_unique(path, Gold.from_dict, lambda g: g.statement_id, "gold for")


def write_bytes_atomic(path: str | Path, data: bytes | Iterable[bytes | memoryview]) -> None:
    """Write a whole file (bytes, or parts written in turn) through a temporary file and a rename,
    so failure never leaves half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                out.write(part)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically (see write_bytes_atomic)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_jsonl_atomic(path: str | Path, lines: Iterable[str]) -> None:
    """Write JSONL lines (already serialised) atomically."""
    write_text_atomic(path, "".join(line + "\n" for line in lines))


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


# --- label logs -------------------------------------------------------------------------------
#
# One append-only JSONL log per annotator. Every append takes a lock file beside the log, opens
# the log with O_APPEND, writes whole lines in one call and fsyncs, so two processes labelling at
# once lose nothing and a killed process can leave at most one torn (unterminated) last line.

_ANNOTATOR_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class TornLineWarning(UserWarning):
    """A label log holds a line cut short by an interrupted write; the line was skipped."""


def validate_annotator(name: str) -> str:
    """Return `name` if it is a safe annotator name (letters, digits, `-_.`), else raise."""
    rule = "use 1-64 letters, digits, '-', '_' or '.', with no path separators and no '..'"
    if not isinstance(name, str) or not name:
        raise StancebenchError(f"annotator name is empty; {rule}")
    if "/" in name or "\\" in name or ".." in name or name.startswith(".") or not _ANNOTATOR_NAME.fullmatch(name):
        raise StancebenchError(f"invalid annotator name {name!r}; {rule}")
    return name


def lock_path(log_path: str | Path) -> Path:
    """The lock file guarding appends to `log_path` (`.NAME.jsonl.lock` beside it)."""
    log_path = Path(log_path)
    return log_path.with_name(f".{log_path.name}.lock")


def append_label(log_path: str | Path, event: LabelEvent) -> None:
    """Append one event to a label log, durably (locked, O_APPEND, fsync)."""
    append_labels(log_path, [event])


def append_labels(log_path: str | Path, events: Iterable[LabelEvent]) -> None:
    """Append events in one locked write: all of them reach the log, or none do."""
    from filelock import FileLock  # lazy: only writers need it

    log_path = Path(log_path)
    payload = "".join(event.to_json() + "\n" for event in events).encode("utf-8")
    if not payload:
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(lock_path(log_path))):
        is_new = not log_path.exists()
        fd = os.open(log_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                # A torn last line from a killed writer: end it so this event starts a line of its own.
                payload = b"\n" + payload
            try:
                _write_all(fd, payload)
                os.fsync(fd)
            except BaseException:
                os.ftruncate(fd, size)  # none of the batch, rather than part of it
                raise
        finally:
            os.close(fd)
        if is_new:
            _fsync_folder(log_path.parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# `LabelEvent.to_json` sorts keys, so every line this module writes starts with this.
_EVENT_START = b'{"annotator": "'


def _looks_torn(raw: bytes, is_last_unterminated: bool) -> bool:
    """A line an interrupted write cut short: the unterminated last line, or (once a later
    append has ended it with a newline) a cut-off start of one of our own event lines."""
    if is_last_unterminated:
        return True
    is_our_start = raw.startswith(_EVENT_START) or (len(raw) > 0 and _EVENT_START.startswith(raw))
    return is_our_start and not raw.rstrip().endswith(b"}")


def read_label_log(
    path: str | Path, annotator: str | None = None, problems: list[str] | None = None
) -> list[LabelEvent]:
    """All events in a label log, in file order.

    A torn line (an interrupted write) is skipped with a warning naming file and line: appended to
    `problems` when a list is given, else issued as a TornLineWarning. Any other bad line raises
    InputError. When `annotator` is given, events must belong to it (missing names default to it).
    """
    path = Path(path)
    data = read_bytes(path)

    def report(message: str) -> None:
        if problems is not None:
            problems.append(message)
        else:
            warnings.warn(message, TornLineWarning, stacklevel=3)

    if not data.strip():
        report(f"{path}: empty label log (no events)")
        return []
    raw_lines = data.split(b"\n")
    is_terminated = raw_lines[-1] == b""
    if is_terminated:
        raw_lines.pop()
    events: list[LabelEvent] = []
    for lineno, raw in enumerate(raw_lines, start=1):
        if not raw.strip():
            continue
        is_last_unterminated = not is_terminated and lineno == len(raw_lines)
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
            if _looks_torn(raw, is_last_unterminated):
                report(f"{path}:{lineno}: torn line (an interrupted write) skipped")
                continue
            if isinstance(err, UnicodeDecodeError):
                raise InputError(path, lineno, "not UTF-8 text") from None
            msg = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
            raise InputError(path, lineno, f"not valid JSON ({msg})") from None
        if not isinstance(record, dict):
            raise InputError(path, lineno, "expected a JSON object")
        label = record.get("label")
        if label is not None and label not in LABELS:
            raise InputError(path, lineno, f"unknown label {label!r} (expected one of: {', '.join(LABELS)})")
        if annotator is not None:
            record.setdefault("annotator", annotator)
            if record["annotator"] != annotator:
                raise InputError(path, lineno, f"event by {record['annotator']!r} in the log of {annotator!r}")
        events.append(LabelEvent.from_dict(record, path, lineno))
    return events


def read_label_logs(
    folder: str | Path, problems: list[str] | None = None
) -> dict[str, list[LabelEvent]]:
    """Every annotator's events from a folder of NAME.jsonl logs (a missing folder has none)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    logs: dict[str, list[LabelEvent]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        if path.name.startswith("."):
            continue
        try:
            name = validate_annotator(path.stem)
        except StancebenchError as err:
            raise InputError(path, 0, f"log file name is not an annotator name ({err})") from None
        logs[name] = read_label_log(path, annotator=name, problems=problems)
    return logs
