"""A file holding one JSON array of objects, streamed as JSON lines in bounded memory.

`[{...}, {...}]` (what `json.dump(list_of_dicts, f)` writes) is read in segments that end just
after a comma between two items. numpy finds each segment's structure without decoding it
(strings, with their escaped quotes; brackets and the nesting depth; the commas between items),
checks it (UTF-8, depth, exactly one object between two commas, nothing else between items) and
hands it on with one item per line, so pyarrow's JSON reader parses it as fast as a JSON-lines
file and no Python object is built per item. Hand-written because neither the standard library
nor pyarrow streams a top-level array, and ijson would build a dict per item (slower than the
`json.loads` it replaces). Each item's first line is kept (`item_lines`) for `path:line` errors.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from stancebench.errors import InputError, first_line
from stancebench.files import JSON_DEPTH_LIMIT, open_regular_file
from stancebench.schema import parse_json_line

__all__ = ["JsonArrayLines", "starts_with_array", "read_json_array", "pyarrow_json", "first_row_schema",
           "table_from_rows", "SEGMENT_BYTES"]

#: Bytes scanned at a time (a segment grows past this only to hold one larger item).
SEGMENT_BYTES = 2 << 20
_BOM = b"\xef\xbb\xbf"
_OPEN, _CLOSE, _COMMA, _QUOTE, _NEWLINE, _RETURN, _BACKSLASH = 1, 2, 3, 4, 5, 6, 7
_TABLE = bytearray(256)
for _byte, _kind in ((b"[", _OPEN), (b"{", _OPEN), (b"]", _CLOSE), (b"}", _CLOSE), (b",", _COMMA),
                     (b'"', _QUOTE), (b"\n", _NEWLINE), (b"\r", _RETURN), (b"\\", _BACKSLASH)):
    _TABLE[_byte[0]] = _kind
_CLASSES = bytes(_TABLE)
_DELTA = np.array([0, 1, -1, 0], dtype=np.int8)
_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[list(b" \t\r\n")] = True
# Events at the array's own level: L '[' that opens it, O '{' that opens an item, C its '}', S ',', R the final ']'.
_L, _O, _C, _S, _R, _BAD = 1, 2, 3, 4, 5, 6
_EXPECT = np.array([_O, _C, _S], dtype=np.uint8)
_NAMES = {_L: "'['", _O: "an object", _C: "'}'", _S: "','", _R: "']'", _BAD: "a value that is not an object"}


def starts_with_array(path: str | Path) -> bool:
    """Is the first non-blank character of the file `[` (after any byte-order mark)?"""
    with open_regular_file(path) as handle:
        head = handle.read(1 << 16)
        while head and not head.lstrip(b" \t\r\n\xef\xbb\xbf"):
            head = handle.read(1 << 16)
    text = head[len(_BOM):] if head.startswith(_BOM) else head
    return text.lstrip(b" \t\r\n")[:1] == b"["


class _Segment:
    """The structure of one buffer: where its brackets and commas outside strings are, and at what depth."""

    def __init__(self, data: bytes, depth: int) -> None:
        self.arr = np.frombuffer(data, dtype=np.uint8)
        classes = np.frombuffer(data.translate(_CLASSES), dtype=np.uint8)  # translate: a byte lookup at C speed
        pos = np.flatnonzero(classes)
        kinds = classes[pos]
        backslashes = pos[kinds == _BACKSLASH]
        if len(backslashes):
            escaped = _escaped_quotes(self.arr, backslashes)
            kinds[np.searchsorted(pos, escaped)] = 0  # an escaped quote is text
        is_quote = kinds == _QUOTE
        # Quotes up to each position: odd means inside a string.
        inside = (np.cumsum(is_quote, dtype=np.int32) & 1).astype(bool)
        self.quotes = pos[is_quote]
        self.open_string = len(self.quotes) % 2 == 1
        newline = kinds == _NEWLINE
        blanks = newline | (kinds == _RETURN)
        self.blanks = pos[blanks & ~inside]
        self.newlines = pos[newline]
        self.newline_in_string = pos[blanks & inside]
        structural = (kinds <= _COMMA) & (kinds > 0) & ~inside
        self.pos, self.kinds = pos[structural], kinds[structural]
        self.delta = _DELTA[self.kinds]
        self.depth = depth + np.cumsum(self.delta, dtype=np.int32)  # after each byte: a comma's is the level it sits at

    def last_quote(self) -> int:
        """Where the last unescaped quote is (for an unterminated string)."""
        return int(self.quotes[-1])

    def top_commas(self) -> np.ndarray:
        return self.pos[(self.kinds == _COMMA) & (self.depth == 1)]

    def events(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions, symbols) of the array's own level: its brackets, the items' brackets, the commas between."""
        before = self.depth - self.delta
        opens = (self.delta == 1) & (before <= 1)
        closes = (self.delta == -1) & (self.depth <= 1)
        commas = (self.kinds == _COMMA) & (self.depth <= 1)
        mask = opens | closes | commas
        pos, before, after = self.pos[mask], before[mask], self.depth[mask]
        is_brace = self.arr[pos] >= ord("{")  # "{" and "}" (123, 125), not "[" or "]" (91, 93)
        symbols = np.full(len(pos), _BAD, dtype=np.uint8)
        symbols[(before == 0) & (after == 1)] = _L
        symbols[(before == 1) & (after == 2) & is_brace] = _O
        symbols[(before == 2) & (after == 1) & ~is_brace] = _BAD  # an item that opened with '[' closes with ']'
        symbols[(before == 2) & (after == 1) & is_brace] = _C
        symbols[(before == 1) & (after == 1)] = _S
        symbols[(before == 1) & (after == 0)] = _R
        return pos, symbols


def _escaped_quotes(arr: np.ndarray, backslashes: np.ndarray) -> np.ndarray:
    """Positions of the quotes right after an odd run of backslashes."""
    breaks = np.flatnonzero(np.diff(backslashes) != 1)
    ends = np.append(backslashes[breaks], backslashes[-1])
    starts = np.insert(backslashes[breaks + 1], 0, backslashes[0])
    after = ends + 1
    inside = after < len(arr)
    odd = ((ends - starts) % 2 == 0) & inside
    after = after[odd]
    return after[arr[after] == ord('"')]


class JsonArrayLines:
    """A read-only binary stream of the array's items as JSON lines (what pyarrow's reader takes).

    `read()` raises InputError at the first problem (naming the line); pyarrow may wrap it, so
    callers re-raise `error` when set. `item_lines()` is the file line of each item read so far.
    """

    closed = False

    def __init__(self, path: str | Path, limit: int = JSON_DEPTH_LIMIT, segment_bytes: int | None = None) -> None:
        self.path = Path(path)
        self.limit, self.segment_bytes = limit, segment_bytes or SEGMENT_BYTES
        self.error: InputError | None = None
        self._handle = open_regular_file(self.path)
        self._chunks = self._lines()
        self._out, self._at = b"", 0
        self._lines_of: list[np.ndarray] = []

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._handle.close()
        self.closed = True

    def __enter__(self) -> JsonArrayLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes of JSON lines (all that is left for -1); b"" at the end."""
        parts: list[bytes] = []
        wanted = size if size >= 0 else 1 << 62
        try:
            while wanted > 0:
                if self._at >= len(self._out):
                    chunk = next(self._chunks, None)
                    if chunk is None:
                        break
                    self._out, self._at = chunk, 0
                piece = self._out[self._at:self._at + wanted]
                self._at += len(piece)
                wanted -= len(piece)
                parts.append(piece)
        except InputError as err:
            self.error = err
            raise
        return b"".join(parts)

    def item_lines(self) -> np.ndarray:
        """The file line on which each item read so far opens."""
        return np.concatenate(self._lines_of) if self._lines_of else np.zeros(0, dtype=np.int64)

    def first_item(self) -> bytes:
        """The first item's JSON text (b"" for an empty array), read from this stream."""
        line = b""
        while b"\n" not in line and (chunk := self.read(1 << 16)):
            line += chunk
        return line.split(b"\n", 1)[0]

    def _fail(self, line: int, problem: str) -> InputError:
        return InputError(self.path, line, problem)

    def _lines(self) -> Iterator[bytearray]:
        buffer = self._handle.read(self.segment_bytes)
        if buffer.startswith(_BOM):
            buffer = buffer[len(_BOM):]
        line, depth, first, at_eof, want = 1, 0, True, False, self.segment_bytes
        while not at_eof:
            while len(buffer) < want and not at_eof:
                more = self._handle.read(self.segment_bytes)
                at_eof = not more
                buffer += more
            if first and at_eof and not buffer.strip(b" \t\r\n"):
                raise self._fail(0, "empty file")
            segment = _Segment(buffer, depth)
            self._check_depth(segment, line)
            if at_eof:
                cut = len(buffer)
            else:
                commas = segment.top_commas()
                if not len(commas):  # one item larger than a segment: read on
                    want = 2 * len(buffer)
                    continue
                cut = int(commas[-1]) + 1
            yield self._emit(buffer, cut, segment, line, first, at_eof)
            line += int(np.searchsorted(segment.newlines, cut))
            buffer, depth, first, want = buffer[cut:], 1, False, self.segment_bytes

    def _check_depth(self, segment: _Segment, line: int) -> None:
        if len(segment.depth) and int(segment.depth.max()) > self.limit:
            at = int(segment.pos[int(np.argmax(segment.depth > self.limit))])
            where = line + int(np.searchsorted(segment.newlines, at))
            raise self._fail(where, f"JSON nested more than {self.limit} levels deep; refusing to parse it")

    def _line_at(self, segment: _Segment, line: int, at: int) -> int:
        return line + int(np.searchsorted(segment.newlines, at))

    def _emit(self, buffer: bytes, cut: int, segment: _Segment, line: int, first: bool, last: bool) -> bytearray:
        data = buffer[:cut]
        if not data.isascii():
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise self._fail(line + data.count(b"\n", 0, err.start), "not UTF-8 text") from None
        inside = segment.newline_in_string
        if len(inside) and inside[0] < cut:
            raise self._fail(self._line_at(segment, line, int(inside[0])),
                             "not valid JSON (a line break inside a string)")
        if last and segment.open_string:
            raise self._fail(self._line_at(segment, line, segment.last_quote()), "not valid JSON (unterminated string)")
        pos, symbols = segment.events()
        keep = pos < cut
        pos, symbols = pos[keep], symbols[keep]
        self._check_gaps(segment, line, pos, symbols, cut)  # first: a stray value reads "expected ... objects"
        self._check_order(segment, line, pos, symbols, first, last, cut)
        out = bytearray(data)
        if last:
            out.append(ord("\n"))
        view = np.frombuffer(out, dtype=np.uint8)
        view[segment.blanks[segment.blanks < cut]] = ord(" ")  # line breaks between tokens: the item stays one line
        view[pos[symbols == _S]] = ord("\n")
        view[pos[(symbols == _L) | (symbols == _R)]] = ord(" ")
        starts = pos[symbols == _O]
        self._lines_of.append(line + np.searchsorted(segment.newlines, starts).astype(np.int64))
        return out

    def _check_order(self, segment: _Segment, line: int, pos: np.ndarray, symbols: np.ndarray,
                     first: bool, last: bool, cut: int) -> None:
        """'[' then items and commas alternating then ']' (the array's own level only)."""
        body = symbols
        if first:
            if not len(body) or body[0] != _L:
                at = int(pos[0]) if len(pos) else 0
                raise self._fail(self._line_at(segment, line, at), "expected a JSON array of objects")
            body, pos = body[1:], pos[1:]
        if last:
            if not len(body) or body[-1] != _R:
                raise self._fail(self._line_at(segment, line, cut), "not valid JSON (the array is not closed)")
            body, pos = body[:-1], pos[:-1]
        wrong = np.flatnonzero(body != _EXPECT[np.arange(len(body)) % 3])
        complete = (len(body) % 3 == 0) if not last else (len(body) % 3 == 2 or (first and not len(body)))
        if len(wrong) or not complete:
            index = int(wrong[0]) if len(wrong) else len(body)
            at = int(pos[index]) if index < len(pos) else cut
            found = _NAMES.get(int(body[index]), "the end") if index < len(body) else "']'"
            want = _NAMES[int(_EXPECT[index % 3])]
            problem = ("expected a JSON array of objects" if found == _NAMES[_BAD]
                       else f"not valid JSON (expected {want}, found {found})")
            raise self._fail(self._line_at(segment, line, at), problem)

    def _check_gaps(self, segment: _Segment, line: int, pos: np.ndarray, symbols: np.ndarray, cut: int) -> None:
        """Only blanks between the array's own brackets, the items and the commas."""
        # Gaps that must be blank: before '[', and after '[', '}', ',' and ']' up to the next event.
        opens = np.insert(pos[symbols != _O] + 1, 0, 0)
        ends = np.insert(np.append(pos[1:], cut)[symbols != _O], 0, pos[0] if len(pos) else cut)
        lengths = ends - opens
        arr = segment.arr
        for step in range(int(min(lengths.max(initial=0), 16))):
            rows = np.flatnonzero(lengths > step)
            bad = ~_IS_SPACE[arr[opens[rows] + step]]
            if bad.any():
                at = int(opens[rows[np.argmax(bad)]] + step)
                raise self._fail(self._line_at(segment, line, at), "expected a JSON array of objects")
        for row in np.flatnonzero(lengths > 16):
            start, end = int(opens[row]), int(ends[row])
            gap = np.flatnonzero(~_IS_SPACE[arr[start:end]])
            if len(gap):
                at = start + int(gap[0])
                raise self._fail(self._line_at(segment, line, at), "expected a JSON array of objects")


def first_row_schema(line: bytes) -> pa.Schema:
    """`id` as text plus the types of the first row's other plain values (str, bool, int, float)."""
    # Declared types make pyarrow's JSON reader about twice as fast as inferring them; a later row
    # that disagrees fails the fast read, and a read with fewer declared types runs instead.
    fields = [("id", pa.string())]
    try:
        first = json.loads(line)
    except ValueError:
        return pa.schema(fields)
    kinds = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), float: pa.float64()}
    if isinstance(first, dict):
        fields += [(key, kinds[type(value)]) for key, value in first.items() if key != "id" and type(value) in kinds]
    return pa.schema(fields)


def table_from_rows(rows: Iterable[dict[str, Any]], path: str | Path, batch: int = 65536) -> pa.Table:
    """Rows parsed in Python as one table, built a batch at a time (integer ids become text)."""
    tables = []
    rows = iter(rows)
    try:
        while chunk := list(itertools.islice(rows, batch)):
            for row in chunk:
                if isinstance(row.get("id"), int) and not isinstance(row.get("id"), bool):
                    row["id"] = str(row["id"])
            tables.append(pa.Table.from_pylist(chunk))
        return pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise InputError(path, 0, f"columns of mixed types ({first_line(err, with_type=False)})") from None
    except OverflowError:
        raise InputError(path, 0, "a number too large for a 64-bit column") from None


def _parsed_items(stream: JsonArrayLines) -> Iterator[dict[str, Any]]:
    done = 0
    for chunk in stream._chunks:
        lines = stream.item_lines()
        for text in chunk.split(b"\n"):
            if text.strip():
                yield parse_json_line(text.decode("utf-8"), stream.path, int(lines[done]))
                done += 1


def pyarrow_json(open_stream: Callable[[], Any], first: bytes) -> pa.Table | None:
    """The table pyarrow reads from a stream of JSON lines (types declared from `first` tried first); None if it cannot."""
    import pyarrow.json as pj

    # Streamed reads keep one block of rows in flight (a whole-file read_json holds every block: twice
    # the memory); they fail on a type or a field first seen after the first block, and the next read runs.
    for schema in (first_row_schema(first), pa.schema([("id", pa.string())]), None):
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
        with open_stream() as stream:
            try:
                if schema is not None:
                    reader = pj.open_json(stream, parse_options=options)
                    return pa.Table.from_batches(list(reader), schema=reader.schema)
                table = pj.read_json(stream, parse_options=options)  # types inferred from every row
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                continue
        if "id" in table.column_names and pa.types.is_floating(table.schema.field("id").type):
            return None  # e.g. an id 2**63 read as 9.2e18: Python's parser keeps it exact
        return table
    return None


def read_json_array(path: str | Path) -> tuple[pa.Table, np.ndarray]:
    """The items of a JSON-array file as a table, and the file line of each row."""
    path = Path(path)
    with JsonArrayLines(path) as probe:
        first = probe.first_item()
    streams: list[JsonArrayLines] = []

    def open_stream() -> JsonArrayLines:
        streams.append(JsonArrayLines(path))
        return streams[-1]

    table = pyarrow_json(open_stream, first)
    if table is not None:
        return table, streams[-1].item_lines()
    with JsonArrayLines(path) as stream:  # every item through json.loads, naming the line of a bad one
        return table_from_rows(_parsed_items(stream), path), stream.item_lines()
