"""The statements file's id index: statement id -> byte offset of its line, a cache inside annotations/.

`label` and the first screen of `annotate` look a statement up here and parse only its line, so
they cost about the same at 1,000 or 1,000,000 statements. `extract` writes the index beside the
statements it writes; a reader checks it against the statements file (size, mtime, ctime, inode,
device and a hash of the first and last 64 KiB) and rebuilds it, atomically, whenever any of them
differs. It lives in `annotations/.cache/`, which a `.gitignore` of its own keeps out of git; it is
never written outside the corpus, and a corpus where it cannot be written works without it.

Layout: one JSON header line (the checks, the record count, the stale and syndicated-copy ids),
then the ids joined by newlines, their offsets (int64) and one flag byte per record.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import os
import re
import stat
import sys
import weakref
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stancebench.errors import InputError, StancebenchError
from stancebench.files import MAX_FILE_BYTES, corpus_root_of, read_bytes, write_bytes_atomic
from stancebench.schema import Statement

__all__ = ["IdIndex", "index_path", "open_id_index", "write_id_index"]

_FORMAT = "stancebench-id-index/1"
_EDGE = 1 << 16  # bytes at each end of the statements file that the hash covers
_STALE, _COPY = 1, 2
_GITIGNORE = b"# stancebench's cache (rebuilt when needed; safe to delete)\n*\n"
# Statement.to_json sorts keys: id sits next to is_stale, and a syndicated copy's canonical_id comes before its id.
_ID_AND_STALE = re.compile(rb'"id": "([^"\\\n]*)", "is_stale": (true|false)')
_CANONICAL = re.compile(rb'"canonical_id": "[^"\\\n]+"')
_encode_str = json.encoder.encode_basestring  # a string as Statement.to_json writes it


def index_path(statements_path: str | Path) -> Path:
    """Where the index of a statements file is kept: `.cache/NAME.index` beside it."""
    statements_path = Path(statements_path)
    return statements_path.parent / ".cache" / f"{statements_path.name}.index"


@dataclass
class IdIndex:
    """The ids of one statements file, in file order, with the offset and flags of each line."""

    path: Path
    records: int
    stale: frozenset[str]
    copies: frozenset[str]
    _ids: bytes  # b"\n" + ids joined by b"\n" + b"\n"
    _offsets: array
    _flags: bytes
    _fd: int = -1  # the statements file as indexed (a snapshot even if extract replaces it meanwhile)
    _closer: weakref.finalize | None = None

    def ids(self) -> list[str]:
        """Every statement id, in file order."""
        return self._ids[1:-1].decode("utf-8").split("\n") if self.records else []

    def entries(self) -> Iterator[tuple[str, bool]]:
        """(id, is_stale) in file order, read only as far as the caller iterates."""
        data, start = self._ids, 1
        for number in range(self.records):
            end = data.index(b"\n", start)
            yield data[start:end].decode("utf-8"), bool(self._flags[number] & _STALE)
            start = end + 1

    def offset(self, statement_id: str) -> int | None:
        """Byte offset of the statement's line, or None when the file has no such id."""
        key = _key(statement_id)
        if key is None:
            return None
        pos = self._ids.find(b"\n" + key + b"\n")
        return None if pos < 0 else self._offsets[self._ids.count(b"\n", 0, pos)]

    def matching(self, prefix: str) -> list[str]:
        """The ids starting with `prefix`, in file order."""
        key = _key(prefix)
        if not key:
            return []
        needle, data, out = b"\n" + key, self._ids, []
        pos = data.find(needle)
        while pos >= 0 and pos < len(data) - 1:
            end = data.index(b"\n", pos + 1)
            out.append(data[pos + 1 : end].decode("utf-8"))
            pos = data.find(needle, end)
        return out

    def read_line(self, offset: int) -> bytes:
        """The statements file's line at `offset` (without its newline)."""
        chunk, parts = 1 << 13, []
        while True:
            data = os.pread(self._fd, chunk, offset)
            cut = data.find(b"\n")
            if cut >= 0 or len(data) < chunk:
                parts.append(data[:cut] if cut >= 0 else data)
                return b"".join(parts).rstrip(b"\r")
            parts.append(data)
            offset += len(data)
            chunk = min(chunk * 4, 1 << 22)

    def line_number(self, offset: int) -> int:
        """The 1-based line number at `offset` (counted only when there is an error to report)."""
        count, pos = 0, 0
        while pos < offset:
            block = os.pread(self._fd, min(1 << 22, offset - pos), pos)
            if not block:
                break
            count += block.count(b"\n")
            pos += len(block)
        return count + 1

    def rebuilt(self) -> IdIndex | None:
        """A fresh index of the same file, whatever the stored one says (for a lookup that went wrong)."""
        fd = self._fd
        fresh = _build(self.path, fd, _signature(fd, os.fstat(fd)), is_stored=True)
        if self._closer is not None:
            self._closer.detach()  # the descriptor moves to the fresh index (or is closed now)
            self._closer = None
        if fresh is None:
            os.close(fd)
        else:
            _own(fresh, fd)
        return fresh

    def is_line_start(self, offset: int) -> bool:
        """Does a line start at `offset`?"""
        return offset == 0 or os.pread(self._fd, 1, offset - 1) == b"\n"

    def read_all(self) -> bytes:
        """The whole statements file as indexed."""
        size = os.fstat(self._fd).st_size
        return os.pread(self._fd, size, 0) if size else b""


def _key(statement_id: str) -> bytes | None:
    """An id as the index stores it; None for one it cannot hold (a newline, a lone surrogate)."""
    try:
        key = statement_id.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return None if b"\n" in key or b"\r" in key else key


def _open(path: Path) -> tuple[int, os.stat_result]:
    # The checks of files.read_bytes, on a descriptor this index keeps.
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read ({err.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        os.close(fd)
        read_bytes(path)  # names the problem (a folder, a FIFO, over the size limit)
        raise InputError(path, 0, "is not a regular file; refusing to read it")
    return fd, info


def _signature(fd: int, info: os.stat_result) -> dict[str, object]:
    edges = os.pread(fd, _EDGE, 0) + os.pread(fd, _EDGE, max(info.st_size - _EDGE, 0))
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "ctime_ns": info.st_ctime_ns, "inode": info.st_ino,
            "device": info.st_dev, "edges": hashlib.blake2b(edges, digest_size=16).hexdigest()}


def _load(path: Path, signature: dict[str, object], fd: int) -> IdIndex | None:
    """The stored index if it is whole and describes this very file, else None."""
    try:
        data = read_bytes(index_path(path))
        cut = data.index(b"\n")
        header = json.loads(data[:cut])
        records, width = header["records"], header["ids_bytes"]
        if (header["format"], header["signature"], header["byteorder"]) != (_FORMAT, signature, sys.byteorder):
            return None
        body = memoryview(data)[cut + 1 :]
        if len(body) != width + 9 * records:
            return None
        offsets = array("q")
        offsets.frombytes(body[width : width + 8 * records])
        return IdIndex(path, records, frozenset(header["stale"]), frozenset(header["copies"]),
                       bytes(body[:width]), offsets, bytes(body[width + 8 * records :]), fd)
    except (OSError, StancebenchError, ValueError, KeyError, TypeError, RecursionError):
        return None  # missing, torn or from another version: rebuilt


def _scan(data: bytes) -> tuple[list[bytes], array, bytearray] | None:
    """Ids, offsets and flags by one regular-expression pass, for files `extract` wrote; None for others."""
    found = [(match.start(), match[1], match[2]) for match in _ID_AND_STALE.finditer(data)]
    lengths = [len(line) + 1 for line in data.split(b"\n")]
    if data.endswith(b"\n") or not data:
        lengths.pop()  # nothing after the last newline
    if len(found) != len(lengths):
        return None  # a blank or foreign line, or another key order: read properly
    positions, ids, stale = (list(column) for column in zip(*found, strict=True)) if found else ([], [], [])
    offsets = array("q", [0] if lengths else [])
    offsets.extend(itertools.accumulate(lengths[:-1]))
    ends = itertools.chain(offsets[1:], [len(data) + 1] if offsets else [])
    if len(set(ids)) != len(ids) or not all(a <= p < b for a, p, b in zip(offsets, positions, ends, strict=True)):
        return None  # a duplicate id, or two records' keys on one line
    flags = bytearray(_STALE if flag == b"true" else 0 for flag in stale)
    for match in _CANONICAL.finditer(data):  # syndicated copies: the record whose id follows on the same line
        number = bisect.bisect(positions, match.start())
        if number < len(ids) and data.find(b"\n", match.end(), positions[number]) < 0:
            flags[number] |= _COPY
    return ids, offsets, flags


def _parse(path: Path, data: bytes) -> tuple[list[bytes], array, bytearray] | None:
    """Ids, offsets and flags by parsing (and checking) every line; None if an id cannot be indexed."""
    ids, offsets, flags = [], array("q"), bytearray()
    seen: dict[str, int] = {}
    start, lineno = 0, 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        lineno += 1
        raw = data[start:end]
        if raw.strip():
            try:
                statement = Statement.from_json(raw.decode("utf-8"), path, lineno)
            except UnicodeDecodeError:
                raise InputError(path, lineno, "not UTF-8 text") from None
            if statement.id in seen:
                raise InputError(path, lineno, f"duplicate statement id {statement.id!r} (first on line {seen[statement.id]})")
            seen[statement.id] = lineno
            key = _key(statement.id)
            if not key:
                return None  # an id the index cannot hold: the file is read in full instead
            ids.append(key)
            offsets.append(start)
            flags.append((_STALE if statement.is_stale else 0) | (_COPY if statement.canonical_id else 0))
        start = end + 1
    return ids, offsets, flags


def _written(statements: Sequence[Statement], lines: Sequence[bytes],
             signature: dict[str, object]) -> tuple[list[bytes], array, bytearray] | None:
    """What `_scan` finds in the file the JSONL `lines` of `statements` make, from them instead of the file.

    None (read the file) when an id or flag is not as `_scan` reads it, or the file on disk is not those lines.
    """
    ids = [s.id for s in statements]
    stale = [s.is_stale for s in statements]
    if len(ids) != len(lines) or not all(type(i) is str for i in ids) or not all(type(f) is bool for f in stale):
        return None
    # _ID_AND_STALE matches an id written without escapes (a space is written as it is); else _parse decides.
    if "\\" in _encode_str(" ".join(ids)) or any(b"\n" in line for line in lines):
        return None
    try:
        keys = [i.encode("utf-8") for i in ids]
    except UnicodeEncodeError:  # a lone surrogate
        return None
    flags = bytearray(_STALE if flag else 0 for flag in stale)
    for number, statement in enumerate(statements):
        canonical = statement.canonical_id
        if canonical and type(canonical) is str and "\\" not in _encode_str(canonical):  # as _CANONICAL matches it
            flags[number] |= _COPY
    lengths = [len(line) + 1 for line in lines]
    if sum(lengths) != signature["size"] or _edges_of(lines, lengths) != signature["edges"]:
        return None  # the file changed since it was written
    offsets = array("q", [0] if lengths else [])
    offsets.extend(itertools.accumulate(lengths[:-1]))
    return keys, offsets, flags


def _edges_of(lines: Sequence[bytes], lengths: list[int]) -> str:
    """`_signature`'s hash of the first and last _EDGE bytes of the file the lines make."""
    def covering(numbers: Iterable[int]) -> bytes:
        picked, total = [], 0
        for number in numbers:
            if total >= _EDGE:
                break
            picked.append(number)
            total += lengths[number]
        return b"".join(lines[n] + b"\n" for n in sorted(picked))

    head, tail = covering(range(len(lines))), covering(range(len(lines) - 1, -1, -1))
    return hashlib.blake2b(head[:_EDGE] + tail[max(len(tail) - _EDGE, 0) :], digest_size=16).hexdigest()


def _build(path: Path, fd: int, signature: dict[str, object], is_stored: bool,
           found: tuple[list[bytes], array, bytearray] | None = None) -> IdIndex | None:
    if found is None:
        data = os.pread(fd, int(signature["size"]), 0) if signature["size"] else b""
        found = _scan(data)
        if found is not None:
            try:
                b"".join(found[0]).decode("utf-8")
            except UnicodeDecodeError:
                found = None
        found = found or _parse(path, data)
    if found is None:
        return None
    ids, offsets, flags = found
    block = b"\n" + b"\n".join(ids) + b"\n" if ids else b"\n"
    stale = sorted(i.decode("utf-8") for i, f in zip(ids, flags, strict=True) if f & _STALE)
    copies = sorted(i.decode("utf-8") for i, f in zip(ids, flags, strict=True) if f & _COPY)
    index = IdIndex(path, len(ids), frozenset(stale), frozenset(copies), block, offsets, bytes(flags), fd)
    if is_stored:
        header = {"format": _FORMAT, "signature": signature, "byteorder": sys.byteorder, "records": len(ids),
                  "ids_bytes": len(block), "stale": stale, "copies": copies}
        _store(path, [json.dumps(header).encode("utf-8") + b"\n", block, offsets.tobytes(), bytes(flags)])
    return index


def _store(path: Path, parts: list[bytes]) -> None:
    """Write the index atomically inside the corpus; a corpus where that fails works without it."""
    target = index_path(path)
    try:
        if corpus_root_of(target) is None:
            return  # a statements file outside any corpus: nothing is written beside it
        ignore = target.parent / ".gitignore"
        if not ignore.exists():
            write_bytes_atomic(ignore, _GITIGNORE)
        write_bytes_atomic(target, parts)
    except (OSError, StancebenchError):
        return


def open_id_index(path: str | Path) -> IdIndex | None:
    """The index of a JSONL statements file, rebuilt (and stored) when stale; None when the file cannot
    be indexed (parquet, ids holding newlines). A bad line found while rebuilding raises InputError."""
    path = Path(path)
    if path.suffix == ".parquet":
        return None
    fd, info = _open(path)
    try:
        signature = _signature(fd, info)
        index = _load(path, signature, fd) or _build(path, fd, signature, is_stored=True)
    except BaseException:
        os.close(fd)
        raise
    if index is None:
        os.close(fd)
        return None
    _own(index, fd)
    return index


def _own(index: IdIndex, fd: int) -> None:
    index._closer = weakref.finalize(index, os.close, fd)


def write_id_index(path: str | Path, statements: Sequence[Statement] | None = None,
                   lines: Sequence[bytes] | None = None) -> None:
    """(Re)write the index of a statements file `extract` has just written; a file it cannot index gets none.

    Given the `statements` and the JSONL `lines` just written (`store.write_statements_atomic`'s), the index is made from
    them (the file is checked against its size and edges, not scanned again).
    """
    path = Path(path)
    if path.suffix == ".parquet" or not path.is_file():
        return
    fd, info = _open(path)
    try:
        signature = _signature(fd, info)
        if _load(path, signature, fd) is None:
            found = _written(statements, lines, signature) if statements is not None and lines is not None else None
            _build(path, fd, signature, is_stored=True, found=found)
    except StancebenchError:
        pass  # a bad line: the next reader reports it
    finally:
        os.close(fd)
