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

__all__ = ["FRAME_KEY", "Batch", "Frame", "frame_line", "inspect_line"]

FRAME_KEY = "_frame"
_PREFIX = b'{"_frame": "'
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
