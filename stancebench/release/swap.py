"""Putting a built release in place: one build at a time, a complete release always there for a reader.

The release folder stays a real folder (so `datasets.load_dataset(<checkout>/stancebench/data)` and
the installed wheel's package data need nothing special). A build

1. takes a lock on the folder's parent (an flock on the folder itself, so no lock file is left in
   the corpus; a `.NAME.lock` filelock where there is no fcntl), so concurrent builds queue up;
2. removes debris a killed build left beside it (`.NAME.new-*`, `.NAME.old-*`), and puts an old
   release back if a killed fallback swap left none in place;
3. writes every file into a staging folder `.NAME.new-*` beside the target, fsyncing files and folders;
4. swaps it in: `renameat2(RENAME_EXCHANGE)` exchanges the two folders in one atomic step where the
   kernel and file system support it (Linux), so the target name always names a complete release;
   elsewhere two renames (target -> `.NAME.old-*`, staging -> target), whose short gap step 2 repairs
   after a crash;
5. fsyncs the parent folder and deletes the old release.

A kill at any point leaves either the old or the new release at the target, plus debris that the
next build removes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["fsync_folder", "write_file_durably", "release_lock", "clean_debris", "staging_folder", "swap_into_place"]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def fsync_folder(folder: Path) -> None:
    """fsync a folder, so that the names created or renamed in it survive a power loss."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file_durably(path: Path, data: bytes) -> None:
    """Write a new file and fsync it (its folder is fsynced once all its files are written)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def _prefix(target: Path, kind: str) -> str:
    return f".{target.name}.{kind}-"


@contextmanager
def release_lock(target: Path) -> Iterator[None]:
    """Hold the build lock of the release folder `target` until the block ends (builds queue up)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover - Windows
        with FileLock(str(target.parent / f".{target.name}.lock")):
            yield
        return
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def clean_debris(target: Path) -> list[Path]:
    """Remove what killed builds left beside `target` (call under the lock); the paths removed.

    When the target is missing but an old release is stranded beside it (a fallback swap killed
    between its two renames), the old release is put back first.
    """
    parent = target.parent
    if not parent.is_dir():
        return []
    old = sorted(p for p in parent.iterdir() if p.name.startswith(_prefix(target, "old")) and p.is_dir())
    if old and not os.path.lexists(target):
        os.rename(old[-1], target)
        fsync_folder(parent)
        old = old[:-1]
    removed = []
    for path in sorted(p for p in parent.iterdir() if p.name.startswith(_prefix(target, "new"))) + old:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def staging_folder(target: Path) -> Path:
    """A new, empty folder beside `target` to build the next release in."""
    return Path(tempfile.mkdtemp(prefix=_prefix(target, "new"), dir=target.parent))


def _load_renameat2() -> Callable[[bytes, bytes, int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int

    def exchange(a: bytes, b: bytes, flags: int) -> int:
        return function(_AT_FDCWD, a, _AT_FDCWD, b, flags)

    return exchange


_renameat2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the platform or file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(os.fsencode(a), os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap_into_place(new: Path, target: Path) -> None:
    """Replace the folder `target` by the folder `new` (beside it); afterwards `new` no longer exists."""
    parent = target.parent
    if not os.path.lexists(target):
        os.rename(new, target)
        fsync_folder(parent)
        return
    if _exchange(new, target):
        fsync_folder(parent)
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old release
        return
    old = Path(tempfile.mkdtemp(prefix=_prefix(target, "old"), dir=parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    fsync_folder(parent)
    shutil.rmtree(old, ignore_errors=True)
