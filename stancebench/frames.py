"""The frame around each line of an append-only log, so that a torn or half-written record is
always recognised.

A framed line is still one JSON object (so `git diff` stays readable and plain JSON readers see
the event), with a first key only the writer produces:

    {"_frame": "1a2b3c4d:187", "annotator": "alice", ...}
    {"_frame": "9f8e7d6c:190:5e1c0d2a9b3f:2/2000", "annotator": "alice", ...}

`CRC:LENGTH` are the CRC-32 and byte length of the rest of the line; a batch (one import) adds
`BATCH:I/N`, and readers honour a batch only when all N of its lines are there. A line shorter
than its frame says is torn (a killed writer); one whose checksum does not match was changed
after it was written. Lines with no frame (logs written before framing) are read as before.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

__all__ = ["FRAME_KEY", "FRAME_PREFIX", "Batch", "Frame", "frame_line", "inspect_line", "unframed_lines"]

FRAME_KEY = "_frame"
#: How every framed line starts.
FRAME_PREFIX = b'{"_frame": "'
_PREFIX = FRAME_PREFIX
# A whole framed line, for `unframed_lines`: CRC, length (and batch), then the rest of the object.
_WHOLE_LINE = (r'^\{"_frame": "(?P<crc>[0-9a-f]{8}):(?P<meta>(?P<length>[1-9][0-9]{0,11})'
               r'(?::(?P<id>[0-9a-f]{8,32}):(?P<index>[1-9][0-9]{0,8})/(?P<count>[1-9][0-9]{0,8}))?)", (?P<rest>[^\n]*)\n$')
_HEADER = re.compile(rb'\{"_frame": "([0-9a-f]{8}):([0-9]{1,12})(?::([0-9a-f]{8,32}):([0-9]{1,9})/([0-9]{1,9}))?", ')


@dataclass(frozen=True, slots=True)
class Batch:
    """Line `index` (1-based) of `count` lines written as one batch `id`."""

    id: str
    index: int
    count: int


@dataclass(frozen=True, slots=True)
class Frame:
    """What a line's frame says about it: `kind` is plain, framed, torn or damaged."""

    kind: str
    batch: Batch | None = None
    problem: str = ""


def _checksum(meta: bytes, rest: bytes) -> int:
    return zlib.crc32(rest, zlib.crc32(meta + b"\n"))


def frame_line(body: str, batch: Batch | None = None) -> bytes:
    """`body` (a serialised JSON object, no newline) as a framed line (no newline)."""
    if not body.startswith("{") or body.startswith("{}"):
        raise ValueError("frame_line needs a non-empty JSON object")
    rest = body[1:].lstrip().encode("utf-8")
    meta = str(len(rest)).encode()
    if batch is not None:
        meta += f":{batch.id}:{batch.index}/{batch.count}".encode()
    return b'{"_frame": "%08x:%s", ' % (_checksum(meta, rest), meta) + rest


def inspect_line(raw: bytes) -> Frame:
    """Classify one line (without its newline) by its frame."""
    if not raw.startswith(_PREFIX):
        return Frame("torn") if raw and _PREFIX.startswith(raw) else Frame("plain")
    match = _HEADER.match(raw)
    if match is None:
        # Only the writer puts this prefix on a line; without a whole header the write was cut short.
        return Frame("torn")
    crc, length = int(match.group(1), 16), int(match.group(2))
    rest = raw[match.end():]
    batch = None
    meta = match.group(2)
    if match.group(3) is not None:
        batch = Batch(match.group(3).decode(), int(match.group(4)), int(match.group(5)))
        meta += b":%s:%s/%s" % (match.group(3), match.group(4), match.group(5))
    if len(rest) < length:
        return Frame("torn", batch)
    if len(rest) > length:
        return Frame("damaged", batch, f"line is {len(rest) - length} bytes longer than its frame says")
    if _checksum(meta, rest) != crc:
        return Frame("damaged", batch, "checksum mismatch: the line was changed after it was written")
    if batch is not None and not 1 <= batch.index <= batch.count:
        return Frame("damaged", batch, f"batch line {batch.index}/{batch.count} is out of range")
    return Frame("framed", batch)


def _batches_whole(parts) -> bool:  # noqa: ANN001 (a pyarrow StructArray; pyarrow is imported lazily)
    """Does every batched line sit in a run numbered 1..N of one batch id, as a reader honours it?"""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from stancebench.columns import to_numpy

    batch = parts.field("id")
    if not pc.any(pc.greater(pc.binary_length(batch), 0)).as_py():
        return True
    number = [to_numpy(pc.cast(pc.if_else(pc.equal(parts.field(f), b""), b"0", parts.field(f)).cast(pa.string()), pa.int64()))
              for f in ("index", "count")]
    index, count = number
    batched = index > 0
    same = np.zeros(len(index), dtype=bool)  # line i and line i + 1 are one batch's consecutive lines
    same[:-1] = (to_numpy(pc.equal(batch.slice(1), batch.slice(0, len(batch) - 1))) & batched[1:] & batched[:-1]
                 & (index[1:] == index[:-1] + 1) & (count[1:] == count[:-1]))
    before = np.concatenate([[False], same[:-1]])
    return bool(((index <= count) & ((index == count) | same) & ((index == 1) | before))[batched].all())


def unframed_lines(data: bytes) -> bytes | None:
    """A framed log's lines as plain JSON lines, checked column-wise, when the per-line reader would take
    every line as it is (each whole, framed, unchanged since written, every batch complete); else None.

    The bulk path of readers that only need the events (the release build); anything unusual is left
    to `inspect_line` and the per-line reader, which name the line.
    """
    import zlib

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from stancebench.columns import joined_bytes, literal, to_numpy

    if (not data.startswith(FRAME_PREFIX) or not data.endswith(b"\n") or len(data) >= 2**31
            or data.count(b"\n" + FRAME_PREFIX) != data.count(b"\n") - 1):
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    offsets = np.concatenate([[0], ends + 1]).astype(np.int32)
    lines = pa.Array.from_buffers(pa.binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    parts = pc.extract_regex(lines, _WHOLE_LINE)
    if parts.null_count or not _batches_whole(parts):
        return None
    rest = parts.field("rest")
    try:
        text = rest.cast(pa.string())  # not UTF-8: the per-line reader names the line
        length = pc.cast(parts.field("length").cast(pa.string()), pa.int64())
    except pa.ArrowInvalid:
        return None
    if not pc.all(pc.equal(pc.binary_length(rest), length)).as_py():
        return None  # torn, or longer than its frame says
    starts = offsets[:-1].astype(np.int64)
    hex_value = np.zeros(256, dtype=np.uint64)
    hex_value[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16, dtype=np.uint64)
    digits = raw[starts[:, None] + len(FRAME_PREFIX) + np.arange(8)]
    expected = (hex_value[digits] << (4 * np.arange(7, -1, -1, dtype=np.uint64))).sum(axis=1)
    meta_start = starts + len(FRAME_PREFIX) + 9
    rest_start = meta_start + to_numpy(pc.binary_length(parts.field("meta"))) + 3
    view, crc32 = memoryview(data), zlib.crc32
    # _checksum(meta, rest), line by line: crc32(rest, crc32(meta + newline)).
    got = [crc32(view[b:c], crc32(b"\n", crc32(view[a:b - 3])))
           for a, b, c in zip(meta_start.tolist(), rest_start.tolist(), ends.tolist(), strict=True)]
    if not np.array_equal(np.array(got, dtype=np.uint64), expected):
        return None  # changed after it was written
    return bytes(joined_bytes(pc.binary_join_element_wise(literal("{"), text, literal("\n"), literal(""))))
