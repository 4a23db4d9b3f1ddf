"""Labelled tables on disk (JSONL, CSV, parquet) read into pyarrow, with `path:line` errors.

The fast path hands the bytes to pyarrow's readers; only when something is wrong do we walk
the file line by line to name the line. For parquet the "line" is the 1-based row number.
Labels are turned into uint8 codes (indices into `schema.STANCE_LABELS`) through the label's
dictionary, so a million rows cost a handful of distinct-value lookups, not a million.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench.errors import InputError, StancebenchError
from stancebench.schema import STANCE_LABELS, parse_json_line
from stancebench.store import check_json_depth, read_bytes

__all__ = [
    "FORMATS",
    "Table",
    "read_table",
    "parse_label_map",
    "label_codes",
    "check_unique_ids",
]

#: File suffix -> format name.
FORMATS: dict[str, str] = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
    ".csv": "csv", ".tsv": "tsv",
    ".parquet": "parquet", ".pq": "parquet",
}
_BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    """A table read from `path`; `line_of(row)` is the file line (or parquet row) of a row."""

    table: pa.Table
    path: Path
    line_of: Callable[[int], int]

    def __len__(self) -> int:
        return self.table.num_rows


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, 0, f"unknown file type '{path.suffix}' (expected .jsonl, .csv or .parquet)")
    return fmt


def _check_text(path: Path, data: bytes) -> bytes:
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, line, "not UTF-8 text") from None
    if not data.strip():
        raise InputError(path, 0, "empty file")
    return data


def _jsonl_lines(data: bytes) -> list[int]:
    # Line numbers of the non-blank lines: row i of the table is line _jsonl_lines(data)[i].
    return [i for i, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


def _read_jsonl_slow(path: Path, data: bytes) -> pa.Table:
    text = data.decode("utf-8")
    if text.lstrip().startswith("["):  # a JSON array of objects rather than JSON lines
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(path, err.lineno, f"not valid JSON ({err.msg})") from None
        if not all(isinstance(row, dict) for row in rows):
            raise InputError(path, 0, "expected a JSON array of objects")
    else:
        rows = [parse_json_line(line, path, n) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    for row in rows:
        if isinstance(row.get("id"), int) and not isinstance(row.get("id"), bool):
            row["id"] = str(row["id"])
    try:
        return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise InputError(path, 0, f"columns of mixed types ({str(err).splitlines()[0]})") from None
    except OverflowError:
        raise InputError(path, 0, "a number too large for a 64-bit column") from None


def _read_jsonl(path: Path, data: bytes) -> pa.Table:
    import pyarrow.json as pj

    if not data.lstrip().startswith(b"{"):
        # A JSON array, or a first line that is no object: pyarrow (26) crashes the process with a
        # segmentation fault when the first value is `null`, so such files take the line-by-line path.
        return _read_jsonl_slow(path, data)
    schema = pa.schema([("id", pa.string())])
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    try:
        return pj.read_json(io.BytesIO(data), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return _read_jsonl_slow(path, data)  # walks the lines to name the bad one


def _csv_header(path: Path, data: bytes, delimiter: str) -> list[str]:
    first = data.split(b"\n", 1)[0].split(b"\r", 1)[0].decode("utf-8")  # a lone CR ends a line too
    try:
        return [name.strip() for name in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error as err:
        raise InputError(path, 1, f"not valid CSV ({err})") from None


def _csv_record_lines(data: bytes, delimiter: str) -> list[tuple[int, int]]:
    # (first line, field count) of every data record; quoted fields may span lines.
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    out, start = [], 1
    try:
        for record in reader:
            if record:
                out.append((start, len(record)))
            start = reader.line_num + 1
    except csv.Error:  # e.g. a field over csv's size limit: name the lines up to it, the caller reports the rest
        pass
    return out[1:]


def _read_csv(path: Path, data: bytes, delimiter: str, string_columns: Sequence[str]) -> pa.Table:
    import pyarrow.csv as pcsv

    header = _csv_header(path, data, delimiter)
    types: dict[str, pa.DataType] = {name: pa.string() for name in string_columns if name in header}
    if "label" in header:
        types["label"] = pa.dictionary(pa.int32(), pa.string())
    try:
        return pcsv.read_csv(
            io.BytesIO(data),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        for line, count in _csv_record_lines(data, delimiter):
            if count != len(header):
                raise InputError(path, line, f"expected {len(header)} fields, found {count}") from None
        raise InputError(path, 0, f"not valid CSV ({str(err).splitlines()[0][:200]})") from None


def _read_parquet(path: Path) -> pa.Table:
    import pyarrow.parquet as pq

    if not path.exists():
        raise InputError(path, 0, "file not found")
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(path, 0, f"not a parquet file ({str(err).splitlines()[0]})") from None


def read_table(path: str | Path, *, required: Sequence[str] = ("id", "label"),
               string_columns: Sequence[str] = ("id",)) -> Table:
    """Read a JSONL, CSV/TSV or parquet file; checks encoding, emptiness and required columns."""
    path = Path(path)
    fmt = _format(path)
    if fmt == "parquet":
        table = _read_parquet(path)
        line_of: Callable[[int], int] = lambda row: row + 1  # noqa: E731
        header_line = 0
    else:
        data = check_json_depth(_check_text(path, read_bytes(path)), path)  # pyarrow crashes on deep nesting
        if fmt == "jsonl":
            table = _read_jsonl(path, data)
            lines: list[int] = []

            def line_of(row: int) -> int:
                if not lines:
                    lines.extend(_jsonl_lines(data))
                return lines[row] if row < len(lines) else row + 1

            header_line = 1
        else:
            delimiter = "\t" if fmt == "tsv" else ","
            table = _read_csv(path, data, delimiter, string_columns)
            records: list[int] = []

            def line_of(row: int) -> int:
                if not records:
                    records.extend(line for line, _ in _csv_record_lines(data, delimiter))
                return records[row] if row < len(records) else row + 2

            header_line = 1
    table = table.rename_columns([name.strip() for name in table.column_names])
    if table.num_rows == 0:
        raise InputError(path, 0, "empty file (no rows)")
    for name in required:
        if name not in table.column_names:
            found = ", ".join(table.column_names)
            raise InputError(path, header_line, f"missing column '{name}' (found: {found})")
    for name in string_columns:
        if name in table.column_names and not pa.types.is_string(table.schema.field(name).type):
            try:
                table = table.set_column(table.column_names.index(name), name, pc.cast(table[name], pa.string()))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InputError(path, 0, f"column '{name}' must hold text") from None
    if "id" in table.column_names:
        ids = table["id"]
        if ids.null_count:
            row = int(np.flatnonzero(ids.is_null().to_numpy(zero_copy_only=False))[0])
            raise InputError(path, line_of(row), "missing 'id'")
    return Table(table, path, line_of)


def parse_label_map(spec: str | Path | Mapping[str, str] | None) -> dict[str, str]:
    """`FAVOR=support,AGAINST=oppose` or a JSON file of {name: label} -> {lowercase name: label}."""
    if spec is None or spec == "":
        return {}
    if isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        text = str(spec)
        path = Path(text)
        if text.endswith(".json") or ("=" not in text and path.is_file()):
            try:
                loaded = json.loads(check_json_depth(path.read_bytes(), path))
            except FileNotFoundError:
                raise InputError(path, 0, "label map file not found") from None
            except (json.JSONDecodeError, UnicodeDecodeError) as err:
                raise InputError(path, getattr(err, "lineno", 0), "label map is not valid JSON") from None
            if not isinstance(loaded, dict):
                raise InputError(path, 0, "label map must be a JSON object of {name: label}")
            pairs = list(loaded.items())
        else:
            pairs = []
            for item in text.split(","):
                if not item.strip():
                    continue
                name, sep, label = item.partition("=")
                if not sep or not name.strip():
                    raise StancebenchError(f"--label-map: expected NAME=LABEL, got {item.strip()!r}")
                pairs.append((name, label))
    out: dict[str, str] = {}
    for name, label in pairs:
        target = str(label).strip().lower()
        if target not in STANCE_LABELS:
            expected = ", ".join(STANCE_LABELS)
            name = str(name).strip()
            raise StancebenchError(f"--label-map: {name!r} maps to unknown label {label!r} (expected one of: {expected})")
        out[str(name).strip().lower()] = target
    return out


def _lookup(label_map: Mapping[str, str]) -> dict[str, int]:
    lookup = {name: code for code, name in enumerate(STANCE_LABELS)}
    lookup.update({str(code): code for code in range(len(STANCE_LABELS))})
    lookup.update({name: STANCE_LABELS.index(label) for name, label in label_map.items()})
    return lookup


def _unknown(value: Any) -> str:
    return f"unknown label {value!r} (expected one of: {', '.join(STANCE_LABELS)}; map others with --label-map)"


def label_codes(table: Table, label_map: Mapping[str, str] | None = None, column: str = "label") -> np.ndarray:
    """uint8 codes of a label column (names, case-insensitive, through `label_map`, or ClassLabel ints)."""
    values = table.table[column].combine_chunks()
    if values.null_count:
        row = int(np.flatnonzero(values.is_null().to_numpy(zero_copy_only=False))[0])
        raise InputError(table.path, table.line_of(row), f"missing '{column}'")
    if pa.types.is_integer(values.type):
        codes = values.to_numpy()
        bad = np.flatnonzero((codes < 0) | (codes >= len(STANCE_LABELS)))
        if len(bad):
            raise InputError(table.path, table.line_of(int(bad[0])), _unknown(int(codes[bad[0]])))
        return codes.astype(np.uint8)
    if not pa.types.is_dictionary(values.type):
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            row = 0
            raise InputError(table.path, table.line_of(row), f"'{column}' must be a label name or a class number")
        values = values.dictionary_encode()
    lookup = _lookup(label_map or {})
    names = values.dictionary.to_pylist()
    indices = values.indices.to_numpy(zero_copy_only=False)
    used = np.bincount(indices, minlength=len(names)) > 0  # a filtered column keeps unused entries
    mapping = np.zeros(len(names), dtype=np.uint8)
    for index, name in enumerate(names):
        code = lookup.get(str(name).strip().lower())
        if code is None and used[index]:
            row = int(np.flatnonzero(indices == index)[0])
            raise InputError(table.path, table.line_of(row), _unknown(name))
        mapping[index] = code or 0
    return mapping[indices]


def check_unique_ids(table: Table, what: str = "id") -> None:
    """Raise InputError at the first repeated id, naming the line of its first occurrence."""
    ids = table.table["id"]
    if pc.count_distinct(ids).as_py() == len(ids):
        return
    indices = ids.combine_chunks().dictionary_encode().indices.to_numpy(zero_copy_only=False)
    _, first = np.unique(indices, return_index=True)
    repeats = np.flatnonzero(first[indices] != np.arange(len(indices)))
    row = int(repeats[0])
    earlier = int(first[indices[row]])
    value = ids[row].as_py()
    raise InputError(table.path, table.line_of(row), f"duplicate {what} {value!r} (first on line {table.line_of(earlier)})")
