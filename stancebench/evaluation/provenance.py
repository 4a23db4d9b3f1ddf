"""What produced a report, as lm-evaluation-harness records it: versions, command, corpus commit, input hashes.

    >>> report.provenance = collect(inputs={"predictions": "preds.jsonl"}, corpus=".")

Library versions come from package metadata (nothing is imported); the command line has any
credentials in URLs redacted; the corpus commit is `git rev-parse HEAD` of the corpus folder,
when it is a git checkout (with `dirty` when tracked files have changed).
"""

from __future__ import annotations

import hashlib
import platform
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["LIBRARIES", "collect", "file_sha256", "command_line", "git_commit"]

#: Libraries whose versions a report records, when installed.
LIBRARIES: tuple[str, ...] = ("stancebench", "numpy", "pyarrow", "scikit-learn", "torch", "transformers",
                              "datasets", "lm_eval")


def file_sha256(path: str | Path) -> str | None:
    """sha256 of a file's bytes (streamed), or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return "sha256:" + digest.hexdigest()


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command as typed (`stancebench …`), URLs with credentials redacted."""
    from stancebench.models.transport import redact_url

    argv = list(sys.argv if argv is None else argv)
    if argv:
        argv[0] = Path(argv[0]).name
    return shlex.join(redact_url(a) if a.startswith(("http://", "https://")) else a for a in argv)


def git_commit(folder: str | Path) -> dict[str, Any] | None:
    """{commit, dirty} of the git checkout holding `folder`, or None (not a checkout, or no git)."""
    try:
        head = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=10, check=False)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None}


def _versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def collect(*, inputs: Mapping[str, str | Path | None] | None = None, corpus: str | Path | None = None,
            argv: Sequence[str] | None = None) -> dict[str, Any]:
    """The provenance block: python, libraries, command, corpus commit, and sha256 of each input file."""
    files = {}
    for role, path in (inputs or {}).items():
        if path is not None and Path(path).is_file():
            files[role] = {"path": str(path), "sha256": file_sha256(path)}
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "libraries": _versions(),
        "command": command_line(argv),
        "corpus_git": git_commit(corpus) if corpus is not None else None,
        "inputs": files,
    }
