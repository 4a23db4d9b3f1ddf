"""The CLI's command modules, one per stage, and the few helpers every command shares.

Command modules import only click at module level; each command imports the library parts it
needs when it runs, so `stancebench --help` and `stancebench label` start fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["get_project", "find_corpus", "echo_warnings"]


# Commands that write into the corpus: refused on the fallback corpus (this package's checkout).
_WRITING = {"extract", "annotate", "label", "import-labels", "adjudicate", "build", "fsck"}


def get_project(ctx: click.Context | None = None) -> Project:
    """The corpus the command works on (honours the group's --root)."""
    from stancebench.project import load_project

    ctx = ctx or click.get_current_context()
    root = (ctx.find_root().obj or {}).get("root")
    project = load_project(root)
    is_read_only_run = ctx.params.get("check") or (ctx.info_name == "fsck" and not ctx.params.get("repair"))
    if ctx.info_name in _WRITING and not is_read_only_run:
        project.require_writable(ctx.info_name)
    return project


def find_corpus(ctx: click.Context | None = None) -> Project | None:
    """Like `get_project`, but None outside any corpus (no --root, no stancebench.toml, no source checkout)."""
    from stancebench.errors import StancebenchError
    from stancebench.project import find_root, load_project

    ctx = ctx or click.get_current_context()
    if (ctx.find_root().obj or {}).get("root") is not None:
        return get_project(ctx)
    try:
        root = find_root()
    except StancebenchError:  # only "no stancebench.toml found"; a broken config still fails below
        return None
    return load_project(root)


def echo_warnings(warnings: Iterable[str], limit: int = 20) -> None:
    """The one way warnings reach the user: `Warning: …` on stderr, at most `limit` of them."""
    warnings = list(warnings)
    for line in warnings[:limit]:
        click.echo(f"Warning: {line}", err=True)
    if len(warnings) > limit:
        click.echo(f"Warning: … and {len(warnings) - limit} more", err=True)
