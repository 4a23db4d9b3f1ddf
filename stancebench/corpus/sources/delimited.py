"""CSV and TSV dumps: one streaming pyarrow reader cuts them into `Chunk`s of whole rows.

A quoted value may hold newlines, so a byte offset is not a row start: the dump is read once, in
this process, in blocks of `sources.part_bytes` (no threads, so the blocks are the same on every
run), and the chunks are shipped to the workers. The delimiter is found from the header line. A
row with the wrong number of fields is a warning in row order (pyarrow reads ahead, so a warning
goes with the chunk whose rows surround it); rows keep their numbers across skipped rows, so ids
do not move when one is fixed. A gzip file broken off keeps the rows before the break.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from pathlib import Path

from stancebench.corpus.sources.config import SourceSettings
from stancebench.corpus.sources.dumps import DAMAGED, Chunk, damage_reason, find_columns
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import InputError

__all__ = ["chunk_rows", "csv_chunks"]


def csv_chunks(path: Path, settings: SourceSettings) -> Iterator[Chunk]:
    """The rows of a CSV dump in chunks of one pyarrow block (`settings.part_bytes`), with the rows it skipped."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        header, delimiter = _csv_header(path)
        columns = find_columns(header, settings, path)
    except InputError as err:
        yield Chunk(1, error=(err.line, err.problem))
        return
    bad: list[tuple[int, ExtractWarning]] = []  # (record number, warning) of rows the parser skipped

    def invalid(row) -> str:
        # pyarrow counts the header as row 1; rows here are numbered from the first data row, as ids are.
        number = max(0, row.number - 1)
        where = f"row {number}: " if number else ""
        bad.append((number, ExtractWarning(str(path), 0, f"{where}{row.expected_columns} columns expected, "
                                           f"{row.actual_columns} found; skipped")))
        return "skip"

    # One block is one chunk: deterministic boundaries (no threads), a row must fit in a block.
    read = pacsv.ReadOptions(block_size=settings.part_bytes, use_threads=False)
    parse = pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, invalid_row_handler=invalid)
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in header}, include_columns=sorted(set(columns.values())))
    pairs = tuple(columns.items())
    source = _UntilBroken(gzip.open(path, "rb")) if path.name.lower().endswith(".gz") else path  # noqa: SIM115 - closed below
    record = 1  # the next row's number: skipped rows keep their numbers, so ids do not move when one is fixed
    try:
        for batch in _whole_rows(pacsv.open_csv(source, read_options=read, parse_options=parse,
                                                convert_options=convert), source):
            # The parser reads ahead: a skipped row goes with the chunk whose rows surround it.
            mine, end = _skipped_in(bad, record, batch.num_rows)
            yield Chunk(record, table=batch, columns=pairs, warnings=tuple(w for _, w in mine),
                        skipped=tuple(n for n, _ in mine))
            record = end
    except (pa.ArrowInvalid, *DAMAGED) as err:
        reason = damage_reason(err)
        if "straddl" in reason:
            reason = f"a row longer than sources.part_bytes ({settings.part_bytes}), or an unclosed quote"
        yield Chunk(record, columns=pairs, warnings=tuple(w for _, w in bad), skipped=tuple(n for n, _ in bad), error=(
            0, f"truncated or unreadable after row {record - 1} ({reason}); the rows before were read"))
        return
    finally:
        if isinstance(source, _UntilBroken):
            source.close()
    if bad:
        yield Chunk(record, columns=pairs, warnings=tuple(w for _, w in bad), skipped=tuple(n for n, _ in bad))


def _whole_rows(batches, source):
    """The batches; where the decompressed data broke off, without the last row (it may be cut short)."""
    held = None
    for batch in batches:
        if held is not None:
            yield held
        held = batch
    broken = source.broken if isinstance(source, _UntilBroken) else None
    if held is not None:
        yield held if broken is None else held.slice(0, max(0, held.num_rows - 1))
    if broken is not None:
        raise broken


class _UntilBroken(io.RawIOBase):
    """A decompressed stream that ends where the data breaks (remembering why): pyarrow keeps the rows before."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.broken: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.broken is not None:
            return 0
        try:
            data = self.stream.read1(len(buffer))
        except (EOFError, OSError, zlib.error) as err:
            self.broken = err
            return 0
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


def _skipped_in(bad: list[tuple[int, ExtractWarning]], record: int, rows: int) -> tuple[list, int]:
    """Take from `bad` the skipped rows among the next `rows` good ones from `record`; and the row after."""
    mine = [entry for entry in bad if entry[0] == 0]  # no number: reported where it was found
    pending = sorted(entry for entry in bad if entry[0])
    taken = 0
    for _ in range(rows):
        while taken < len(pending) and pending[taken][0] <= record:
            record += pending[taken][0] == record
            taken += 1
        record += 1
    mine += pending[:taken]
    bad[:] = pending[taken:]
    return mine, record


def chunk_rows(path: Path, chunk: Chunk) -> Iterator:
    """(row number, 0, row, columns) of a chunk, and its skipped rows' warnings in row order; then its error."""
    columns = dict(chunk.columns)
    skipped = dict(zip(chunk.skipped, chunk.warnings, strict=True))
    yield from (w for n, w in skipped.items() if n == 0)
    record = chunk.first_row
    for row in chunk.table.to_pylist() if chunk.table is not None else []:
        while record in skipped:
            yield skipped.pop(record)
            record += 1
        yield record, 0, row, columns
        record += 1
    yield from (w for n, w in sorted(skipped.items()) if n)
    if chunk.error is not None:
        raise InputError(path, *chunk.error)


def _csv_header(path: Path) -> tuple[list[str], str]:
    """The header row and the delimiter it uses (a comma unless a semicolon, tab or bar is more frequent)."""
    import csv

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            line = handle.readline().removeprefix("\ufeff")
    except DAMAGED as err:
        raise InputError(path, 1, f"unreadable ({damage_reason(err)})") from None
    delimiter = max((",", ";", "\t", "|"), key=line.count) if line.count(",") == 0 else ","
    if path.name.lower().endswith((".tsv", ".tsv.gz")):
        delimiter = "\t"
    header = next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    if not header:
        raise InputError(path, 1, "empty file (no header row)")
    return header, delimiter
