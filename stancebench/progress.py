"""Progress bars for steps that can take more than a second: on stderr, and only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

__all__ = ["is_interactive", "track"]

T = TypeVar("T")
# rich shows one live display at a time, so a bar started inside another (a model's own bar inside
# eval's) is a plain pass-through rather than an error.
_depth = 0


def is_interactive() -> bool:
    """True when stderr is a terminal (progress bars would be seen, not logged)."""
    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def track(items: Iterable[T], description: str, total: int | None = None, *, enabled: bool | None = None) -> Iterator[T]:
    """Yield from `items` with a rich progress bar on stderr; a plain pass-through when not a terminal."""
    global _depth
    if enabled is None:
        enabled = is_interactive()
    if not enabled or _depth:
        yield from items
        return
    from rich.console import Console
    from rich.progress import track as rich_track

    _depth += 1
    try:
        # transient: the bar disappears when done, so the command's own output stays clean
        yield from rich_track(items, description=description, total=total, console=Console(stderr=True), transient=True)
    finally:
        _depth -= 1
