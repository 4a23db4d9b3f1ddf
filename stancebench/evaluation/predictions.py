"""Predictions and labelled tables on disk (JSONL, CSV, parquet) read into pyarrow, with `path:line` errors.

The fast path hands the bytes to pyarrow's readers; only when something is wrong do we walk
the file line by line to name the line. For parquet the "line" is the 1-based row number.
A JSON array of objects (`[{...}, ...]` in a .json/.jsonl file) is streamed by
`evaluation.json_array` in bounded memory; its "line" is the line each item opens on.
Labels are turned into uint8 codes (indices into `schema.STANCE_LABELS`) through the label's
dictionary, so a million rows cost a handful of distinct-value lookups, not a million.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench.columns import from_numpy, is_valid, read_parquet, strings, to_numpy
from stancebench.errors import InputError, StancebenchError, first_line, quoted
from stancebench.evaluation.json_array import pyarrow_json, read_json_array, starts_with_array, table_from_rows
from stancebench.evaluation.metrics import MISSING
from stancebench.schema import STANCE_LABELS, parse_json_line
from stancebench.store import check_json_depth, read_bytes

__all__ = [
    "FORMATS",
    "Table",
    "read_table",
    "parse_label_map",
    "codes_of",
    "label_codes",
    "item_codes",
    "check_unique_ids",
    "Predictions",
    "read_predictions",
    "predictions_from_mapping",
    "model_codes",
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


_NOT_BLANK = re.compile(rb"\S")


def _check_text(path: Path, data: bytes) -> bytes:
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    # ASCII is UTF-8: a check without decoding (and copying) the whole file; only other text is decoded.
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            raise InputError(path, line, "not UTF-8 text") from None
    if _NOT_BLANK.search(data) is None:
        raise InputError(path, 0, "empty file")
    return data


def _jsonl_lines(data: bytes) -> list[int]:
    # Line numbers of the non-blank lines: row i of the table is line _jsonl_lines(data)[i].
    return [i for i, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


def _read_jsonl_slow(path: Path, data: bytes) -> pa.Table:
    lines = enumerate(data.decode("utf-8").split("\n"), start=1)
    return table_from_rows((parse_json_line(line, path, n) for n, line in lines if line.strip()), path)


def _read_jsonl(path: Path, data: bytes) -> pa.Table:
    start = _NOT_BLANK.search(data)
    if start is None or data[start.start():start.start() + 1] != b"{":
        # A first line that is no object: pyarrow (26) crashes the process with a segmentation
        # fault when the first value is `null`, so such files take the line-by-line path.
        return _read_jsonl_slow(path, data)
    end = data.find(b"\n", start.start())
    table = pyarrow_json(lambda: io.BytesIO(data), data[start.start():end if end >= 0 else len(data)])
    return table if table is not None else _read_jsonl_slow(path, data)  # walks the lines to name the bad one


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
        raise InputError(path, 0, f"not valid CSV ({first_line(err, with_type=False)[:200]})") from None


def _read_parquet(path: Path) -> pa.Table:
    if not path.exists():
        raise InputError(path, 0, "file not found")
    try:
        return read_parquet(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(path, 0, f"not a parquet file ({first_line(err, with_type=False)})") from None


def read_table(path: str | Path, *, required: Sequence[str] = ("id", "label"),
               string_columns: Sequence[str] = ("id",)) -> Table:
    """Read a JSONL, CSV/TSV or parquet file; checks encoding, emptiness and required columns."""
    path = Path(path)
    fmt = _format(path)
    if fmt == "parquet":
        table = _read_parquet(path)
        line_of: Callable[[int], int] = lambda row: row + 1  # noqa: E731
        header_line = 0
    elif fmt == "jsonl" and starts_with_array(path):  # streamed: a 600 MB array once took 6.9 GB
        table, item_lines = read_json_array(path)
        line_of = lambda row: int(item_lines[row]) if row < len(item_lines) else row + 1  # noqa: E731
        header_line = 1
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
            found = ", ".join(table.column_names[:20]) + (", …" if table.num_columns > 20 else "")
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
            row = int(np.flatnonzero(~is_valid(ids))[0])
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
            try:  # read_bytes: a FIFO or /dev/zero named map.json is refused, not read forever
                loaded = json.loads(check_json_depth(read_bytes(path), path))
            except ValueError as err:  # bad JSON or UTF-8, or an integer past Python's 4,300 digits
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
                    raise StancebenchError(f"--label-map: expected NAME=LABEL, got {quoted(item.strip())}")
                pairs.append((name, label))
    out: dict[str, str] = {}
    for name, label in pairs:
        target = str(label).strip().lower()
        if target not in STANCE_LABELS:
            expected = ", ".join(STANCE_LABELS)
            name = str(name).strip()
            raise StancebenchError(f"--label-map: {quoted(name)} maps to unknown label {quoted(label)} "
                                   f"(expected one of: {expected})")
        out[str(name).strip().lower()] = target
    return out


def _lookup(label_map: Mapping[str, str]) -> dict[str, int]:
    lookup = {name: code for code, name in enumerate(STANCE_LABELS)}
    lookup.update({str(code): code for code in range(len(STANCE_LABELS))})
    lookup.update({name: STANCE_LABELS.index(label) for name, label in label_map.items()})
    return lookup


def _unknown(value: Any) -> str:
    return f"unknown label {quoted(value)} (expected one of: {', '.join(STANCE_LABELS)}; map others with --label-map)"


def codes_of(values: pa.Array, label_map: Mapping[str, str] | None, fail: Callable[[int, str], Exception], *,
             missing: str | None = None, column: str = "label") -> np.ndarray:
    """uint8 codes of label values: names (case-insensitive, through `label_map`) or class numbers.

    The one label -> code path (files, dicts and models' answers). A null is MISSING when
    `missing` is None, else `fail(row, missing)`; `fail(row, problem)` builds the exception that
    names the row's place (a file line, an item id).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.null_count and missing is not None:
        raise fail(int(np.flatnonzero(~is_valid(values))[0]), missing)
    if pa.types.is_integer(values.type):
        valid = is_valid(values)
        numbers = to_numpy(values)
        bad = np.flatnonzero(valid & ((numbers < 0) | (numbers >= len(STANCE_LABELS))))
        if len(bad):
            raise fail(int(bad[0]), _unknown(int(numbers[bad[0]])))
        codes = numbers.astype(np.uint8)
        codes[~valid] = MISSING
        return codes
    if pa.types.is_null(values.type):
        return np.full(len(values), MISSING, dtype=np.uint8)
    if not pa.types.is_dictionary(values.type):
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            raise fail(0, f"'{column}' must be a label name or a class number")
        values = values.dictionary_encode()
    lookup = _lookup(label_map or {})
    names = values.dictionary.to_pylist()
    indices = np.where(is_valid(values), to_numpy(values.indices), len(names))
    used = np.bincount(indices, minlength=len(names) + 1) > 0  # a filtered column keeps unused entries
    mapping = np.zeros(len(names) + 1, dtype=np.uint8)
    mapping[len(names)] = MISSING
    for index, name in enumerate(names):
        code = lookup.get(str(name).strip().lower())
        if code is None and used[index]:
            raise fail(int(np.flatnonzero(indices == index)[0]), _unknown(name))
        mapping[index] = code or 0
    return mapping[indices]


def label_codes(table: Table, label_map: Mapping[str, str] | None = None, column: str = "label") -> np.ndarray:
    """uint8 codes of a file's label column; a missing or unknown label names its line."""
    def fail(row: int, problem: str) -> InputError:
        return InputError(table.path, table.line_of(row), problem)

    return codes_of(table.table[column], label_map, fail, missing=f"missing '{column}'", column=column)


def _label_array(labels: Sequence[Any]) -> pa.Array:
    # A model's or a dict's labels: names, class numbers or None, as one Arrow array for codes_of.
    values = labels.tolist() if isinstance(labels, np.ndarray) else list(labels)
    if all(v is None or isinstance(v, str) for v in values):
        return strings(values)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values):
        return from_numpy(np.array(values, dtype=np.int64))
    out: list[str | None] = []
    for value in values:
        if value is None or isinstance(value, str):
            out.append(value)
        elif isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            out.append(str(int(value)))
        else:
            out.append(repr(value))
    return strings(out)


def item_codes(labels: Sequence[Any], ids: Sequence[str], where: str,
               label_map: Mapping[str, str] | None = None) -> np.ndarray:
    """Codes of labels given per item (a dict's values, a model's answers); None is MISSING."""
    def fail(row: int, problem: str) -> StancebenchError:
        return StancebenchError(f"{where}: item {quoted(ids[row])}: {problem}")

    return codes_of(_label_array(labels), label_map, fail)


def check_unique_ids(table: Table, what: str = "id") -> None:
    """Raise InputError at the first repeated id, naming the line of its first occurrence."""
    ids = table.table["id"]
    if pc.count_distinct(ids).as_py() == len(ids):
        return
    indices = to_numpy(ids.combine_chunks().dictionary_encode().indices)
    _, first = np.unique(indices, return_index=True)
    repeats = np.flatnonzero(first[indices] != np.arange(len(indices)))
    row = int(repeats[0])
    earlier = int(first[indices[row]])
    value = ids[row].as_py()
    raise InputError(table.path, table.line_of(row), f"duplicate {what} {quoted(value)} (first on line {table.line_of(earlier)})")
# --- predictions ------------------------------------------------------------------------------


@dataclass
class Predictions:
    """Predicted label codes (uint8 indices into STANCE_LABELS, MISSING for none) keyed by item id."""

    ids: pa.Array
    codes: np.ndarray
    source: str
    table: Table | None = None  # the file read, for naming lines; None for in-memory predictions

    def __len__(self) -> int:
        return len(self.codes)


def read_predictions(path: str | Path, label_map: Mapping[str, str] | str | None = None, *,
                     check_ids: bool = True) -> Predictions:
    """Read a JSONL, CSV or parquet file with `id` and `label` columns (other columns are ignored).

    The file is only ever read: any other kind of path (a .py file, `module:attr`) is refused.
    A repeated id is an error naming its line; `check_ids=False` leaves that check to the caller
    (`evaluate` does it during the join, hashing the ids once instead of twice).
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        kind = f"'{path.suffix}'" if path.suffix else "(no suffix)"
        raise InputError(path, 0, f"unknown file type {kind} for predictions (expected .jsonl, .csv or .parquet; "
                                  "a model goes to --model)")
    loaded = read_table(path, required=("id", "label"), string_columns=("id",))
    if check_ids:
        check_unique_ids(loaded)
    codes = label_codes(loaded, parse_label_map(label_map))
    return Predictions(loaded.table["id"].combine_chunks(), codes, str(path), loaded)


def predictions_from_mapping(mapping: Mapping[str, Any], label_map: Mapping[str, str] | str | None = None,
                             source: str = "predictions") -> Predictions:
    """Predictions from a dict id -> label name (None means no prediction)."""
    if not mapping:
        raise StancebenchError(f"{source}: no predictions")
    ids = [str(k) for k in mapping]
    codes = item_codes(list(mapping.values()), ids, source, parse_label_map(label_map))
    return Predictions(strings(ids), codes, source)


def model_codes(labels: Sequence[Any], ids: Sequence[str], model_name: str,
                label_map: Mapping[str, str] | None = None) -> np.ndarray:
    """Codes of a model's returned labels (MISSING for None); a wrong count or unknown label names the item."""
    if not isinstance(labels, (Sequence, np.ndarray)):
        try:
            labels = list(labels)
        except TypeError:
            kind = type(labels).__name__
            raise StancebenchError(f"model {model_name}: predict returned a {kind}, expected a list of labels") from None
    if len(labels) != len(ids):
        raise StancebenchError(f"model {model_name}: predict returned {len(labels)} labels for {len(ids)} items")
    return item_codes(labels, ids, f"model {model_name}", label_map)
