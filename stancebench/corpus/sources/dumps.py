"""News dumps -> Articles: one article per row of a JSONL, CSV or parquet file, streamed in batches.

Columns are found by convention (`COLUMN_CONVENTIONS`: text/content/body, title/headline, ...)
or named in stancebench.toml's `[sources.columns]`. CSV and parquet are read with pyarrow in
record batches (parquet by row group, only the columns used); JSONL line by line with the
standard library, so a bad line is reported by its number and the rest still read. A row with
no text is a warning; a missing text column or a truncated file is an InputError naming the
file (after the rows read before the break).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stancebench.corpus.articles import SourceText
from stancebench.corpus.sources.config import COLUMN_CONVENTIONS, SourceSettings
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import InputError
from stancebench.schema import Article

__all__ = ["find_columns", "read_dump", "row_article"]


def find_columns(names: Iterable[str], settings: SourceSettings, path: Path) -> dict[str, str]:
    """Field -> column name for this file; no text column is an InputError."""
    names = list(names)
    by_lower = {n.lower(): n for n in names}
    found: dict[str, str] = {}
    for field_name, conventions in COLUMN_CONVENTIONS.items():
        wanted = settings.columns.get(field_name)
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
                         "name it with sources.columns.text in stancebench.toml)")
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def row_article(row: dict[str, Any], columns: dict[str, str], path: Path, row_number: int) -> Article | None:
    """One row as an Article (id: file stem + the id column, else `row<N>`), or None when it has no text."""
    from stancebench.corpus.sources import source_stem

    text = _text(row.get(columns["text"])).replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff").strip()
    if not text:
        return None
    key = _text(row.get(columns["id"])).strip() if "id" in columns else ""
    record = key or f"row{row_number}"
    url = _text(row.get(columns["url"])).strip() if "url" in columns else ""
    outlet = _text(row.get(columns["outlet"])).strip() if "outlet" in columns else ""
    if not outlet and url:
        outlet = urlsplit(url).hostname or ""
    title = _text(row.get(columns["title"])).strip() if "title" in columns else ""
    return Article(
        id=f"{source_stem(path)}-{record}", title=title or text.split("\n", 1)[0].strip(), text=text,
        outlet=outlet or None, date=_text(row.get(columns["date"])).strip() or None if "date" in columns else None,
        url=url or None, path=str(path), record=record,
    )


def read_dump(path: Path, settings: SourceSettings, *, row_group: int | None = None) -> Iterator[SourceText | ExtractWarning]:
    """The rows of one dump file (or one parquet row group) as articles, with a warning per row without text."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        rows = _parquet_rows(path, settings, row_group)
    elif name.endswith((".csv", ".csv.gz")):
        rows = _csv_rows(path, settings)
    else:
        rows = _jsonl_rows(path, settings)
    for item in rows:
        if isinstance(item, ExtractWarning):
            yield item
            continue
        row_number, line, row, columns = item
        article = row_article(row, columns, path, row_number)
        if article is None:
            yield ExtractWarning(str(path), line, f"row {row_number}: no text; skipped" if not line else "no text; skipped")
        else:
            yield SourceText(article)


_DAMAGED = (EOFError, OSError, zlib.error, UnicodeDecodeError)


def _jsonl_rows(path: Path, settings: SourceSettings):
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    columns: dict[str, str] | None = None
    lineno = 0
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for lineno, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as err:
                    yield ExtractWarning(str(path), lineno, f"not valid JSON ({err.msg}); row skipped")
                    continue
                if not isinstance(row, dict):
                    yield ExtractWarning(str(path), lineno, "expected a JSON object; row skipped")
                    continue
                if columns is None:
                    columns = find_columns(row.keys(), settings, path)
                yield lineno, lineno, row, columns
    except _DAMAGED as err:
        raise InputError(path, lineno, f"truncated or unreadable after line {lineno} ({_reason(err)}); "
                         "the rows before were read") from None


def _reason(err: BaseException) -> str:
    if isinstance(err, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(err).split("\n")[0][:80] or type(err).__name__


def _csv_rows(path: Path, settings: SourceSettings):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    header = _csv_header(path)
    columns = find_columns(header, settings, path)
    bad: list[ExtractWarning] = []

    def invalid(row) -> str:
        # pyarrow counts the header as row 1; rows here are numbered from the first data row, as ids are.
        where = f"row {row.number - 1}: " if row.number else ""
        bad.append(ExtractWarning(str(path), 0, f"{where}{row.expected_columns} columns expected, "
                                  f"{row.actual_columns} found; skipped"))
        return "skip"

    read = pacsv.ReadOptions(block_size=1 << 22, use_threads=False)
    parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=invalid)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in header}, include_columns=list(set(columns.values())))
    row_number = 0
    try:
        reader = pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert)
        for batch in reader:
            yield from bad
            bad.clear()
            for row in batch.to_pylist():
                row_number += 1
                yield row_number, 0, row, columns
        yield from bad
    except (pa.ArrowInvalid, *_DAMAGED) as err:
        yield from bad
        raise InputError(path, 0, f"truncated or unreadable after row {row_number} ({_reason(err)}); "
                         "the rows before were read") from None


def _csv_header(path: Path) -> list[str]:
    import csv
    import io

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            header = next(csv.reader(io.StringIO(handle.readline().removeprefix("\ufeff"))), [])
    except _DAMAGED as err:
        raise InputError(path, 1, f"unreadable ({_reason(err)})") from None
    if not header:
        raise InputError(path, 1, "empty file (no header row)")
    return header


def _parquet_rows(path: Path, settings: SourceSettings, row_group: int | None):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as err:
        raise InputError(path, 0, f"not a readable parquet file ({_reason(err)})") from None
    columns = find_columns(parquet.schema_arrow.names, settings, path)
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
            raise InputError(path, 0, f"row group {group} unreadable after row {row_number} ({_reason(err)})") from None
