"""Fixtures for the annotation tests: a corpus extracted from the real seed, and a CLI runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stancebench.cli import cli
from tests.support import REPO

SEED = REPO / "seeds" / "000_8c75088e5995e160.txt"


@pytest.fixture
def stancebench() -> Callable[..., Result]:
    """`stancebench(*args, input=...)`: the CLI as a user types it (stdin a pipe)."""

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input)

    return run


@pytest.fixture
def seeded(project: Path, stancebench) -> Path:
    """A corpus with the seed article extracted (23 statements) and a versioned codebook."""
    shutil.copy(SEED, project / "seeds" / SEED.name)
    (project / "annotations" / "GUIDELINES.md").write_text("# Codebook\n\nVersion: 1.0\n", encoding="utf-8")
    result = stancebench("extract")
    assert result.exit_code == 0, result.output
    return project
