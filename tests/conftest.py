"""Shared fixtures: a throw-away corpus folder, so no test touches the real annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import CONFIG


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty corpus folder (config, seeds/, annotations/labels/) entered as the cwd."""
    root = tmp_path / "corpus"
    (root / "seeds").mkdir(parents=True)
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    return root








@pytest.fixture
def rows() -> list[dict]:
    """60 labelled rows in release format (tests/support.py)."""
    from tests.support import make_rows

    return make_rows(60)


@pytest.fixture
def release(tmp_path: Path, rows: list[dict]) -> Path:
    """A small release folder: 36 train rows, 24 test rows (modules may override it)."""
    from tests.support import write_release

    return write_release(tmp_path / "release", {"train": rows[:36], "test": rows[36:]})
