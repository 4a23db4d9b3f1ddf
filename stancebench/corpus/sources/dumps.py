"""News dumps -> Articles: one article per row of a JSONL, CSV or parquet file, streamed in batches.

Columns are found by convention (`COLUMN_CONVENTIONS`: text/content/body, title/headline, ...)
or named in stancebench.toml's `[sources.columns]`. A big dump is split into parts of about
`sources.part_bytes`, the same whatever the number of workers, so every run gives the same result:

- parquet: one part per row group (read with pyarrow, only the columns used);
- JSONL: byte ranges that start at a line start (a JSON line holds no raw newline), their first
  line numbers counted once by `jsonl_spans`; a worker seeks to its range and reads it itself;
- JSONL.gz (not seekable) and CSV (a quoted value may hold newlines, so a byte offset is not a row
  start): one streaming reader in the client (`delimited` for CSV) cuts `Chunk`s of rows that are
  shipped to the workers.

A bad line or row (not JSON, not UTF-8, no text, text that is not a string, a CSV row with the
wrong number of fields) is a warning naming it; a missing text column or a truncated file is an
InputError naming the file (after the rows read before the break).
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import json
import numbers
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebench.corpus.articles import SourceText
from stancebench.corpus.sources.config import COLUMN_CONVENTIONS, SourceSettings
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import InputError
from stancebench.schema import Article

__all__ = ["CSV_ENDINGS", "Chunk", "dump_chunks", "find_columns", "jsonl_spans", "read_dump", "row_article"]


#: Delimited text dumps (the delimiter is found from the header line: comma, semicolon, tab or bar).
CSV_ENDINGS = (".csv", ".csv.gz", ".tsv", ".tsv.gz")


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows a client-side reader cut for a worker: JSONL lines (of a .gz file) or a CSV record batch."""

    first_row: int
    lines: bytes | None = None
    table: Any = None  # a pyarrow.RecordBatch with the used columns
    columns: tuple[tuple[str, str], ...] = ()
    warnings: tuple[ExtractWarning, ...] = ()
    skipped: tuple[int, ...] = ()  # the row number of each warning (CSV rows the parser skipped)
    #: (line, problem) of what ended the file after these rows: raised as InputError by the reader.
    error: tuple[int, str] | None = None


def find_columns(names: Iterable[str], settings: SourceSettings, path: Path) -> dict[str, str]:
    """Field -> column name for this file; no text column is an InputError."""
    names = list(names)
    by_lower = {n.lower(): n for n in names}
    found: dict[str, str] = {}
    overrides = settings.columns_for(path.name)
    for field_name, conventions in COLUMN_CONVENTIONS.items():
        wanted = overrides.get(field_name)
        if wanted is not None:
            if wanted not in names:
                raise InputError(path, 0, f"no column {wanted!r} (sources.columns.{field_name} in stancebench.toml); "
                                 f"columns: {', '.join(names[:12])}")
            found[field_name] = wanted
            continue
        match = next((by_lower[c] for c in conventions if c in by_lower), None)
        if match is not None:
            found[field_name] = match
    if "text" not in found:
        raise InputError(path, 0, f"no text column (looked for {', '.join(COLUMN_CONVENTIONS['text'])}; "
                         f"name it with sources.columns.text in stancebench.toml); columns: {', '.join(names[:12])}")
    return found


def _text(value: Any) -> str | None:
    """A cell as text; None when it is not text (a list, an object, a boolean)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # numpy's numbers too (a pandas batch)
        return "" if value != value else str(value)  # NaN: pandas' missing value
    return None


def _type_name(value: Any) -> str:
    names = {list: "a list", dict: "an object", bool: "a boolean", bytes: "bytes that are not UTF-8",
             int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


@functools.lru_cache(maxsize=256)
def _stem(path: Path) -> str:
    from stancebench.corpus.sources import source_stem

    return source_stem(path)  # once per file, not once per row (a third of the reading time)


#: The host of an absolute URL (urlsplit(url).hostname, in a fifth of the time).
_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)")


def _host(url: str) -> str:
    match = _HOST.match(url)
    return match.group(1).strip("[]").lower() if match else ""


def row_article(row: dict[str, Any], columns: dict[str, str], path: Path, row_number: int) -> Article | str:
    """One row as an Article (id: file stem + the id column, else `row<N>`), or why it is not one."""
    raw = row.get(columns["text"])
    missing = raw is None or isinstance(raw, float) and raw != raw  # None, or pandas' NaN
    text = _text(raw) if missing or isinstance(raw, str | bytes) else None  # a number is no article
    if text is None:
        return f"text column {columns['text']!r} holds {_type_name(raw)}, not text"
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff").strip()
    if not text:
        return "no text"
    cell = {name: (_text(row.get(column)) or "").strip() for name, column in columns.items() if name != "text"}
    record = cell.get("id") or f"row{row_number}"
    url = cell.get("url", "")
    outlet = cell.get("outlet") or (_host(url) if url else "")
    return Article(
        id=f"{_stem(path)}-{record}", title=cell.get("title") or text.split("\n", 1)[0].strip(), text=text,
        outlet=outlet or None, date=cell.get("date") or None, url=url or None, path=str(path), record=record,
    )


def read_dump(path: Path, settings: SourceSettings, *, row_group: int | None = None,
              span: tuple[int, int, int] | None = None, chunk: Chunk | None = None) -> Iterator[SourceText | ExtractWarning]:
    """The rows of one dump file (or one part of it) as articles, with a warning per row that is not one."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        rows = _parquet_rows(path, settings, row_group)
    elif name.endswith(CSV_ENDINGS):
        from stancebench.corpus.sources.delimited import chunk_rows

        chunks = [chunk] if chunk is not None else dump_chunks(path, settings)
        rows = (item for one in chunks for item in chunk_rows(path, one))
    else:
        rows = _jsonl_rows(path, settings, span, chunk)
    for item in rows:
        if isinstance(item, ExtractWarning):
            yield item
            continue
        row_number, line, row, columns = item
        article = row_article(row, columns, path, row_number)
        if isinstance(article, str):
            yield ExtractWarning(str(path), line, f"row {row_number}: {article}; skipped" if not line else f"{article}; skipped")
        else:
            yield SourceText(article)


#: What reading a damaged (truncated, mis-encoded) file raises.
DAMAGED = (EOFError, OSError, zlib.error, UnicodeDecodeError)


def damage_reason(err: BaseException) -> str:
    """What broke a file, in a few words."""
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(err).split("\n")[0][:120] or type(err).__name__


# ---- JSONL --------------------------------------------------------------------------------------
def jsonl_spans(path: Path, part_bytes: int) -> list[tuple[int, int, int]]:
    """(start, end, first line number) byte ranges of about `part_bytes`, each starting at a line start."""
    size = path.stat().st_size
    spans: list[tuple[int, int, int]] = []
    start, start_line, target = 0, 1, part_bytes
    offset, line = 0, 1  # where the current block starts, and its first line's number
    with path.open("rb") as handle:
        while block := handle.read(1 << 23):
            at = 0
            while target < offset + len(block):
                newline = block.find(b"\n", max(at, target - offset))
                if newline < 0:
                    break
                line += block.count(b"\n", at, newline + 1)
                at = newline + 1
                if offset + at < size:
                    spans.append((start, offset + at, start_line))
                    start, start_line = offset + at, line
                target = offset + at + part_bytes
            line += block.count(b"\n", at)
            offset += len(block)
    spans.append((start, size, start_line))
    return spans


def _decode(line: bytes, first: bool) -> str:
    return line.decode("utf-8-sig" if first else "utf-8")


def _jsonl_columns(path: Path, settings: SourceSettings) -> dict[str, str] | None:
    """The columns of the file's first JSON object: every part of one file reads the same columns."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    row = json.loads(_decode(line, number == 1))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
                if isinstance(row, dict):
                    return find_columns(row.keys(), settings, path)
    except (EOFError, OSError, zlib.error):  # the part that holds the break reports it
        pass
    return None


def _jsonl_lines(path: Path, span: tuple[int, int, int] | None, chunk: Chunk | None) -> Iterator[tuple[int, bytes]]:
    if chunk is not None:
        yield from enumerate(io.BytesIO(chunk.lines or b""), start=chunk.first_row)
        if chunk.error is not None:
            raise InputError(path, *chunk.error)
        return
    start, end, first_line = span or (0, -1, 1)
    lineno = first_line - 1
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            handle.seek(start)
            left = end - start if end >= 0 else None
            for lineno, line in enumerate(handle, start=first_line):
                yield lineno, line
                if left is not None:
                    left -= len(line)
                    if left <= 0:
                        break
    except (EOFError, OSError, zlib.error) as err:
        raise InputError(path, lineno, f"truncated or unreadable after line {lineno} ({damage_reason(err)}); "
                         "the rows before were read") from None


def _jsonl_rows(path: Path, settings: SourceSettings, span: tuple[int, int, int] | None, chunk: Chunk | None):
    first = chunk.first_row if chunk is not None else span[2] if span else 1
    columns = _jsonl_columns(path, settings) if first > 1 else None
    for lineno, line in _jsonl_lines(path, span, chunk):
        if not line.strip():
            continue
        try:
            row = json.loads(_decode(line, lineno == 1))
        except UnicodeDecodeError:
            yield ExtractWarning(str(path), lineno, "not UTF-8 text; row skipped")
            continue
        except json.JSONDecodeError as err:
            yield ExtractWarning(str(path), lineno, f"not valid JSON ({err.msg}); row skipped")
            continue
        if not isinstance(row, dict):
            yield ExtractWarning(str(path), lineno, "expected a JSON object; row skipped")
            continue
        if columns is None:
            columns = find_columns(row.keys(), settings, path)
        yield lineno, lineno, row, columns


def dump_chunks(path: Path, settings: SourceSettings) -> Iterator[Chunk]:
    """The rows of a CSV or JSONL.gz dump in chunks of about `settings.part_bytes`, read in this process."""
    if path.name.lower().endswith(CSV_ENDINGS):
        from stancebench.corpus.sources.delimited import csv_chunks

        yield from csv_chunks(path, settings)
    else:
        yield from _gzip_jsonl_chunks(path, settings.part_bytes)


def _gzip_jsonl_chunks(path: Path, part_bytes: int) -> Iterator[Chunk]:
    # A gzip stream cannot be entered in the middle: this client reads it and ships lines.
    lines: list[bytes] = []
    size, first, lineno = 0, 1, 0
    try:
        with gzip.open(path, "rb") as handle:
            for lineno, line in enumerate(handle, start=1):
                lines.append(line)
                size += len(line)
                if size >= part_bytes:
                    yield Chunk(first, lines=b"".join(lines))
                    lines, size, first = [], 0, lineno + 1
    except (EOFError, OSError, zlib.error) as err:
        yield Chunk(first, lines=b"".join(lines), error=(lineno, f"truncated or unreadable after line {lineno} "
                                                          f"({damage_reason(err)}); the rows before were read"))
        return
    if lines or first == 1:
        yield Chunk(first, lines=b"".join(lines))


# ---- parquet ------------------------------------------------------------------------------------
def _parquet_rows(path: Path, settings: SourceSettings, row_group: int | None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, 0, f"not a readable parquet file ({damage_reason(err)})") from None
    columns = find_columns(parquet.schema_arrow.names, settings, path)
    kind = parquet.schema_arrow.field(columns["text"]).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
            or pa.types.is_large_binary(kind) or pa.types.is_dictionary(kind) and pa.types.is_string(kind.value_type)):
        raise InputError(path, 0, f"text column {columns['text']!r} is {kind}, not text "
                         "(name another with sources.columns.text in stancebench.toml)")
    groups = range(parquet.metadata.num_row_groups) if row_group is None else [row_group]
    meta = parquet.metadata
    for group in groups:
        row_number = sum(meta.row_group(g).num_rows for g in range(group))  # global row numbers: stable per part
        try:
            for batch in parquet.iter_batches(batch_size=settings.batch_rows, row_groups=[group],
                                              columns=sorted(set(columns.values()))):
                for row in batch.to_pylist():
                    row_number += 1
                    yield row_number, 0, row, columns
        except (pa.ArrowException, OSError) as err:
            raise InputError(path, 0, f"row group {group} unreadable after row {row_number} ({damage_reason(err)})") from None
