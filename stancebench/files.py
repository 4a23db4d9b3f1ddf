"""Files on disk, with bounds: regular files only, sizes and JSON depths checked before parsing,
and no write that a symlink or a special file inside a corpus could send elsewhere.

`stancebench.store` builds the JSONL readers and writers on these; other stages call the checks
(`check_regular_file`, `check_json_depth`) before handing bytes to a parser with no limits of
its own (pyarrow's JSON reader crashes the process on deep nesting).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from stancebench.errors import InputError

__all__ = [
    "MAX_FILE_BYTES",
    "JSON_DEPTH_LIMIT",
    "check_regular_file",
    "read_bytes",
    "open_regular_file",
    "check_json_depth",
    "corpus_root_of",
    "check_inside_corpus",
    "open_for_append",
    "write_bytes_atomic",
    "fsync_folder",
    "write_all",
]

#: No reader loads a file larger than this (2 GiB) into memory.
MAX_FILE_BYTES = 2 << 30
#: Deeper JSON nesting than this is refused before any parser sees it.
JSON_DEPTH_LIMIT = 200
_CONFIG_NAME = "stancebench.toml"  # project.CONFIG_NAME; project imports store, not the reverse


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _refused(path: str | Path, problem: str) -> InputError:
    return InputError(Path(path), 0, problem)  # the path as Path shows it (normalised), whatever was passed


def check_regular_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> os.stat_result:
    """The file's stat if it is a regular file of at most `max_bytes`, else an InputError (never opens it)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refused(path, "file not found") from None
    except OSError as err:
        raise _refused(path, f"cannot read ({err.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refused(path, "is a folder, expected a file")
    if not stat.S_ISREG(info.st_mode):
        raise _refused(path, f"is {_kind(info.st_mode)}, not a regular file; refusing to read it")
    if info.st_size > max_bytes:
        raise _refused(path, f"is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit")
    return info


# O_NONBLOCK: if a FIFO was swapped in after the check, opening it does not hang.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_checked(path: str | Path, max_bytes: int) -> tuple[int, int]:
    """(file descriptor, size) of a regular file, checked before and after opening."""
    check_regular_file(path, max_bytes)
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as err:
        raise _refused(path, f"cannot read ({err.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _refused(path, "is not a regular file; refusing to read it")
    return fd, info.st_size


def open_regular_file(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> BinaryIO:
    """A regular file opened for reading in binary (a FIFO or device swapped in after the check is refused)."""
    return os.fdopen(_open_checked(path, max_bytes)[0], "rb")


def read_bytes(path: str | Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes; a missing file, a folder, a FIFO, a device or an oversized file is an InputError."""
    # Called once per article file: raw os calls, no Path or buffered file object until an error is shown.
    fd, size = _open_checked(path, max_bytes)
    try:
        chunks, total = [], 0
        # The whole file in one read as a rule; a file that grows while read is read on to its end.
        while chunk := os.read(fd, size + 1 if not chunks else 1 << 20):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise _refused(path, f"is over the {max_bytes:,}-byte limit")
    except OSError as err:
        raise _refused(path, f"cannot read ({err.strerror})") from None
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# A string (skipped whole, so brackets inside it do not count), an opening or a closing bracket.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|([\[{])|([\]}])')


def _is_deeper(text: bytes, limit: int) -> bool:
    """Does JSON text nest deeper than `limit`? One pass, constant memory, stops at the first excess."""
    depth = 0
    for match in _TOKEN.finditer(text):
        if match.lastindex == 1:
            depth += 1
            if depth > limit:
                return True
        elif match.lastindex == 2:
            depth -= 1
    return False


def check_json_depth(data: bytes, path: str | Path, limit: int = JSON_DEPTH_LIMIT) -> bytes:
    """`data` unchanged if no JSON value in it nests deeper than `limit`, else InputError naming the line.

    Cheap on big JSON-lines files: only lines holding more than `limit` brackets are scanned.
    """
    if data.count(b"{") + data.count(b"[") <= limit:
        return data
    is_one_document = re.match(rb"\s*\[", data) is not None or data.count(b"\n") < 2
    spans = [(0, len(data))] if is_one_document else _bracket_heavy_lines(data, limit)
    for start, end in spans:
        if _is_deeper(memoryview(data)[start:end], limit):
            line = data.count(b"\n", 0, start) + 1 if start else 1
            raise InputError(path, line, f"JSON nested more than {limit} levels deep; refusing to parse it")
    return data


def _bracket_heavy_lines(data: bytes, limit: int) -> list[tuple[int, int]]:
    """(start, end) of each line holding more than `limit` opening brackets."""
    import numpy as np

    breaks = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    ends = np.append(breaks, len(data))
    starts = np.concatenate(([0], breaks + 1))
    long_lines = np.flatnonzero(ends - starts > limit)  # a short line cannot hold `limit` brackets
    spans = zip(starts[long_lines].tolist(), ends[long_lines].tolist(), strict=True)
    return [(s, e) for s, e in spans if data.count(b"{", s, e) + data.count(b"[", s, e) > limit]


# --- writes that stay inside the corpus ------------------------------------------------------------


def _corpus_root(absolute: str) -> str | None:
    # os.path on strings, not pathlib: every label append runs this walk.
    folder = os.path.dirname(absolute)
    while True:
        if os.path.isfile(os.path.join(folder, _CONFIG_NAME)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_no_symlink_below(root: str, folder: str) -> bool:
    """Is every folder from `root` (exclusive) down to `folder` (inclusive) a real folder, not a symlink?"""
    while folder != root:
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return False
        except OSError:
            return False  # missing: realpath decides
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    return True


def corpus_root_of(path: str | Path) -> Path | None:
    """The nearest folder at or above `path` (read as written, symlinks not followed) holding the corpus config."""
    root = _corpus_root(os.path.abspath(path))
    return Path(root) if root is not None else None


def check_inside_corpus(path: str | Path) -> Path:
    """`path` if writing it stays inside the corpus it lies in: no symlinked folder may lead out of it."""
    path = Path(path)
    absolute = os.path.abspath(path)
    root = _corpus_root(absolute)
    if root is None:
        return path  # a file the user named outside any corpus (e.g. --output) is theirs to choose
    parent = os.path.dirname(absolute)
    if _has_no_symlink_below(root, parent):
        return path  # the common case, in a few lstat calls instead of two realpath walks
    real_root = os.path.realpath(root)
    real_parent = os.path.realpath(parent)
    if real_parent != real_root and not real_parent.startswith(real_root.rstrip(os.sep) + os.sep):
        raise InputError(path, 0, f"resolves to {real_parent}, outside the corpus {root}; refusing to write there")
    return path


def open_for_append(path: str | Path, *, checked: bool = False) -> int:
    """A file descriptor for appending to a regular file inside its corpus, never through a symlink.

    `checked`: the caller has just run `check_inside_corpus` on `path` (label appends skip a second walk).
    """
    path = Path(path) if checked else check_inside_corpus(path)
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o666)  # the umask decides the mode
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(path, 0, "is a symbolic link; refusing to write through it") from None
        raise InputError(path, 0, f"cannot write ({err.strerror})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InputError(path, 0, f"is {_kind(mode)}, not a regular file; refusing to write to it")
    return fd


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def fsync_folder(folder: str | Path) -> None:
    """Make a folder's entries (a new file, a rename) durable."""
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


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # pragma: no cover - not Linux: read it the racy way
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | Path, data: bytes | Iterable[bytes | memoryview]) -> None:
    """Write a whole file (bytes, or parts written in turn) through a temporary file, fsync and a
    rename: the old or the new file, never half.

    The new file keeps the old one's permissions (else 0666 less the umask), and the rename is
    made durable by syncing the folder.
    """
    path = check_inside_corpus(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old = os.lstat(path)
        mode = stat.S_IMODE(old.st_mode) if stat.S_ISREG(old.st_mode) else 0o666 & ~_umask()
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                out.write(part)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
