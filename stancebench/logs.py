"""The per-annotator append-only label logs: locked, framed, fsynced, torn-record tolerant.

One JSONL log per annotator (`annotations/labels/NAME.jsonl`). Appends take a lock beside the log,
write whole framed lines with O_APPEND and fsync; readers recognise a record a crash cut short
(see `stancebench.frames`) and the next writer moves it to `NAME.jsonl.torn`.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from stancebench.errors import InputError, StancebenchError, StancebenchWarning, quoted
from stancebench.files import check_inside_corpus, fsync_folder, open_for_append, read_bytes, write_all
from stancebench.frames import FRAME_KEY, Batch, frame_line, inspect_line
from stancebench.schema import LABELS, LabelEvent, json_problem

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "TornLineWarning",
    "validate_annotator",
    "lock_path",
    "append_label",
    "append_labels",
    "read_label_log",
    "read_label_logs",
    "quarantine_path",
    "set_aside",
    "log_lock",
    "scan_label_log",
]


# --- label logs -------------------------------------------------------------------------------
#
# One append-only JSONL log per annotator. Every append takes a lock file beside the log, first
# moves a killed writer's incomplete tail (a torn line, part of a batch) aside to NAME.jsonl.torn,
# then writes framed lines (stancebench.frames) in one call and fsyncs. The lines of one call form
# a batch that readers honour only when all of them are there: all or nothing, even under SIGKILL.

_ANNOTATOR_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_WINDOWS_DEVICES = re.compile(r"(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9]|LPT[0-9])", re.IGNORECASE)
_SHOWN = 40


class TornLineWarning(StancebenchWarning):
    """A label log holds a record cut short by an interrupted write; it was skipped or set aside."""


def _shown(name: str) -> str:
    return repr(name) if len(name) <= _SHOWN else f"{name[:_SHOWN]!r}… ({len(name)} characters)"


def validate_annotator(name: str) -> str:
    """Return `name` if it is a safe annotator name (letters, digits, `-_.`), else raise."""
    rule = "use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit, with no path separators"
    if not isinstance(name, str) or not name:
        raise StancebenchError(f"annotator name is empty; {rule}")
    if ".." in name or name.endswith(".") or not _ANNOTATOR_NAME.fullmatch(name):
        raise StancebenchError(f"invalid annotator name {_shown(name)}; {rule}")
    if _WINDOWS_DEVICES.fullmatch(name.split(".")[0]):
        raise StancebenchError(f"annotator name {name!r} is a reserved device name on Windows; choose another")
    return name


def lock_path(log_path: str | Path) -> Path:
    """The lock file guarding appends to `log_path` (`.NAME.jsonl.lock` beside it)."""
    log_path = Path(log_path)
    return log_path.with_name(f".{log_path.name}.lock")


def quarantine_path(log_path: str | Path) -> Path:
    """Where torn bytes of `log_path` are set aside (`NAME.jsonl.torn`: visible, never read as a log)."""
    log_path = Path(log_path)
    return log_path.with_name(f"{log_path.name}.torn")


def _open_lock(path: Path) -> int:
    """The lock file's descriptor: created if missing, never through a symlink, a regular file only."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)  # the first append to a new labels folder
        fd = os.open(path, flags, 0o666)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise InputError(path, 0, "is a symbolic link; refusing to lock through it") from None
        raise InputError(path, 0, f"cannot lock ({err.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(path, 0, "is not a regular file; refusing to lock it")
    return fd


@contextmanager
def _flock(log_path: Path) -> Iterator[None]:
    # flock on a lock file beside the log: one open, one flock, one close (filelock costs ~40x that).
    fd = _open_lock(lock_path(log_path))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def log_lock(log_path: Path) -> AbstractContextManager[object]:
    """The lock every writer of `log_path` holds: an flock on `.NAME.jsonl.lock` (filelock without fcntl)."""
    check_inside_corpus(lock_path(log_path))
    if fcntl is None:  # pragma: no cover - Windows
        from filelock import FileLock  # lazy: only writers need it

        return FileLock(str(lock_path(log_path)))
    return _flock(Path(log_path))


def append_label(log_path: str | Path, event: LabelEvent) -> None:
    """Append one event to a label log, durably (locked, framed, O_APPEND, fsync)."""
    append_labels(log_path, [event])


def append_labels(log_path: str | Path, events: Iterable[LabelEvent]) -> None:
    """Append events in one locked write as one batch: readers see all of them, or none."""
    events = list(events)
    if not events:
        return
    log_path = check_inside_corpus(Path(log_path))
    if len(events) == 1:
        lines = [frame_line(events[0].to_json())]
    else:
        batch_id = uuid.uuid4().hex[:16]
        lines = [frame_line(e.to_json(), Batch(batch_id, i, len(events))) for i, e in enumerate(events, start=1)]
    payload = b"\n".join(lines) + b"\n"
    # The lock's folder is the log's, which check_inside_corpus has just checked.
    with (_flock(log_path) if fcntl is not None else log_lock(log_path)):
        fd = open_for_append(log_path, checked=True)
        try:
            moved = _set_aside_incomplete_tail(fd, log_path)
            size = os.fstat(fd).st_size
            try:
                write_all(fd, payload)
                os.fsync(fd)
            except BaseException:
                os.ftruncate(fd, size)  # none of the batch, rather than part of it
                raise
        finally:
            os.close(fd)
        if size == 0:  # a new (or empty) log: make its name durable too
            fsync_folder(log_path.parent)
    if moved:
        warnings.warn(moved, TornLineWarning, stacklevel=2)


def _line_start(fd: int, end: int) -> int:
    """Offset of the first byte of the line that ends at `end` (exclusive)."""
    pos, chunk = end, 1 << 12  # lines are short: read a little first, more only for a long line
    while pos > 0:
        step = min(chunk, pos)
        cut = os.pread(fd, step, pos - step).rfind(b"\n")
        if cut >= 0:
            return pos - step + cut + 1
        pos -= step
        chunk = min(chunk * 4, 1 << 16)
    return 0


def _incomplete_tail_start(fd: int, size: int) -> int:
    """Where a killed writer's leftovers start: a torn last line and the lines of its unfinished batch."""
    if size == 0:
        return 0
    start = end = size
    if os.pread(fd, 1, size - 1) != b"\n":
        start = end = _line_start(fd, size)
    if end == 0:
        return start
    first = _line_start(fd, end - 1)
    frame = inspect_line(os.pread(fd, end - 1 - first, first))
    batch = frame.batch
    if frame.kind != "framed" or batch is None or batch.index == batch.count:
        return start
    index = batch.index
    while index > 1 and first > 0:
        previous = _line_start(fd, first - 1)
        earlier = inspect_line(os.pread(fd, first - 1 - previous, previous)).batch
        if earlier is None or earlier.id != batch.id or earlier.index != index - 1:
            break
        first, index = previous, index - 1
    return first


def set_aside(log_path: Path, data: bytes) -> Path:
    """Append `data` to the log's quarantine file, durably."""
    side = quarantine_path(log_path)
    is_new = not os.path.lexists(side)
    fd = open_for_append(side)
    try:
        write_all(fd, data if data.endswith(b"\n") else data + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    if is_new:
        fsync_folder(side.parent)
    return side


def _set_aside_incomplete_tail(fd: int, log_path: Path) -> str:
    """Move a killed writer's leftovers to the quarantine file (caller holds the lock); the warning, if any."""
    size = os.fstat(fd).st_size
    start = _incomplete_tail_start(fd, size)
    if start == size:
        return ""
    tail = os.pread(fd, size - start, start)
    side = set_aside(log_path, tail)
    os.ftruncate(fd, start)
    os.fsync(fd)
    line = os.pread(fd, start, 0).count(b"\n") + 1
    return f"{log_path}:{line}: {len(tail)} bytes of an interrupted write moved to {side.name}"


# `LabelEvent.to_json` sorts keys, so every unframed line this module once wrote starts with this.
_EVENT_START = b'{"annotator": "'


def _looks_torn(raw: bytes, is_last_unterminated: bool) -> bool:
    """An unframed line an interrupted write cut short: the unterminated last line, or (once an
    old writer ended it with a newline) a cut-off start of one of our own event lines."""
    if is_last_unterminated:
        return True
    is_our_start = raw.startswith(_EVENT_START) or (len(raw) > 0 and _EVENT_START.startswith(raw))
    return is_our_start and not raw.rstrip().endswith(b"}")


def _event(raw: bytes, path: Path, lineno: int, annotator: str | None) -> LabelEvent:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(path, lineno, "not UTF-8 text") from None
    except (ValueError, RecursionError) as err:  # ValueError: also an integer past Python's 4,300 digits
        msg = json_problem(err)
        is_ours = raw.startswith(_EVENT_START)
        hint = "; if an interrupted write tore it, 'stancebench fsck --repair' sets it aside" if is_ours else ""
        raise InputError(path, lineno, f"not valid JSON ({msg}){hint}") from None
    if not isinstance(record, dict):
        raise InputError(path, lineno, "expected a JSON object")
    record.pop(FRAME_KEY, None)
    label = record.get("label")
    if label is not None and label not in LABELS:
        raise InputError(path, lineno, f"unknown label {quoted(label)} (expected one of: {', '.join(LABELS)})")
    if annotator is not None:
        record.setdefault("annotator", annotator)
        if record["annotator"] != annotator:
            raise InputError(path, lineno, f"event by {quoted(record['annotator'])} in the log of {quoted(annotator)}")
    return LabelEvent.from_dict(record, path, lineno)


def scan_label_log(
    data: bytes, path: str | Path, annotator: str | None, report: Callable[[str], None],
    set_aside: list[tuple[int, int]] | None = None,
) -> list[LabelEvent]:
    """The events in a log's bytes. Torn records and unfinished batches are reported and skipped.

    With `set_aside` (a list, as `stancebench fsck` passes), the byte spans of everything skipped
    are added to it, and damaged framed lines and torn unframed lines of old logs are skipped too
    instead of raising InputError.
    """
    path = Path(path)
    is_repairing = set_aside is not None
    events: list[LabelEvent] = []
    batch: list[LabelEvent] = []
    batch_info: list[Any] = []  # [Batch, first line, first byte, last byte]

    def skip(start: int, end: int, message: str) -> None:
        report(message)
        if set_aside is not None:
            set_aside.append((start, end))

    def drop_batch() -> None:
        if batch_info:
            info, first, start, end = batch_info
            skip(start, end, f"{path}:{first}: an interrupted batch skipped "
                             f"({len(batch)} of its {info.count} lines are there)")
            batch.clear()
            batch_info.clear()

    pos = lineno = 0
    while pos < len(data):
        cut = data.find(b"\n", pos)
        end = len(data) if cut == -1 else cut + 1
        raw, start, pos = data[pos : cut if cut != -1 else len(data)], pos, end
        lineno += 1
        if not raw.strip():
            continue
        frame = inspect_line(raw)
        if frame.kind == "torn" or cut == -1 or (frame.kind == "plain" and _looks_torn(raw, False)):
            drop_batch()
            skip(start, end, f"{path}:{lineno}: torn line (an interrupted write) skipped")
            continue
        if frame.kind == "damaged":
            if not is_repairing:
                raise InputError(path, lineno, f"{frame.problem}; 'stancebench fsck --repair' sets it aside")
            drop_batch()
            skip(start, end, f"{path}:{lineno}: damaged line ({frame.problem})")
            continue
        try:
            event = _event(raw, path, lineno, annotator)
        except InputError:
            if not (is_repairing and frame.kind == "plain" and raw.startswith(_EVENT_START)):
                raise
            drop_batch()  # an old writer's torn line that a later append ended with a newline
            skip(start, end, f"{path}:{lineno}: torn line (an interrupted write) skipped")
            continue
        info = frame.batch
        if batch_info and (info is None or info.id != batch_info[0].id or info.index != len(batch) + 1):
            drop_batch()
        if info is None:
            events.append(event)
            continue
        if not batch_info:
            if info.index != 1:
                skip(start, end, f"{path}:{lineno}: line {info.index} of an interrupted batch skipped")
                continue
            batch_info.extend([info, lineno, start, end])
        batch.append(event)
        batch_info[3] = end
        if info.index == info.count:
            events.extend(batch)
            batch.clear()
            batch_info.clear()
    drop_batch()
    return events


def read_label_log(
    path: str | Path, annotator: str | None = None, problems: list[str] | None = None
) -> list[LabelEvent]:
    """All events in a label log, in file order.

    A torn record (an interrupted write) or an unfinished batch is skipped with a warning naming
    file and line: appended to `problems` when a list is given, else issued as a TornLineWarning.
    Any other bad line raises InputError. When `annotator` is given, events must belong to it
    (missing names default to it).
    """
    path = Path(path)
    data = read_bytes(path)

    def report(message: str) -> None:
        if problems is not None:
            problems.append(message)
        else:
            warnings.warn(message, TornLineWarning, stacklevel=3)

    if not data.strip():
        report(f"{path}: empty label log (no events)")
        return []
    return scan_label_log(data, path, annotator, report)


def read_label_logs(
    folder: str | Path, problems: list[str] | None = None
) -> dict[str, list[LabelEvent]]:
    """Every annotator's events from a folder of NAME.jsonl logs (a missing folder has none)."""
    return {name: read_label_log(path, annotator=name, problems=problems) for name, path in annotator_files(folder)}


def annotator_files(folder: str | Path, suffix: str = ".jsonl", what: str = "log") -> list[tuple[str, Path]]:
    """(annotator, path) for each NAME{suffix} in `folder`, sorted; hidden files skipped, a bad name is an InputError."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob(f"*{suffix}")):
        if path.name.startswith("."):
            continue
        try:
            out.append((validate_annotator(path.stem), path))
        except StancebenchError as err:
            raise InputError(path, 0, f"{what} file name is not an annotator name ({err})") from None
    return out
