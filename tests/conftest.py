"""Shared fixtures: a throw-away corpus folder, so no test touches the real annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stancebench.schema import Statement

TARGET_ID = "lift-ukraine-strike-restrictions"

CONFIG = f"""[corpus]
name = "testcorpus"
target_id = "{TARGET_ID}"
target = "Lifting the restrictions on Ukraine's use of Western-supplied weapons against targets inside Russia"
labels = ["support", "oppose", "hedge", "off_target"]
release_dir = "release"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty corpus folder (config, seeds/, annotations/labels/) entered as the cwd."""
    root = tmp_path / "corpus"
    (root / "seeds").mkdir(parents=True)
    (root / "annotations" / "labels").mkdir(parents=True)
    (root / "stancebench.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def make_statement(sid: str, text: str = "We must lift the limits.", **overrides) -> Statement:
    """A valid Statement with sensible defaults."""
    fields = {
        "id": sid,
        "article_id": "a1",
        "speaker": "Jane Doe",
        "speaker_role": "Foreign Minister",
        "speaker_affiliation": "Ruritania",
        "text": text,
        "context": text,
        "start": 0,
        "end": len(text),
        "quote_type": "direct",
        "target_id": TARGET_ID,
        "cue": "said",
    }
    fields.update(overrides)
    return Statement(**fields)


def write_statements(project: Path, statements: list[Statement]) -> Path:
    """Write annotations/statements.jsonl in the corpus."""
    path = project / "annotations" / "statements.jsonl"
    path.write_text("".join(s.to_json() + "\n" for s in statements), encoding="utf-8")
    return path


def write_log(project: Path, annotator: str, *lines: str | dict) -> Path:
    """Append raw lines (strings as given, dicts as JSON) to an annotator's label log."""
    path = project / "annotations" / "labels" / f"{annotator}.jsonl"
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write((json.dumps(line) if isinstance(line, dict) else line) + "\n")
    return path


@pytest.fixture
def rows() -> list[dict]:
    """60 labelled rows in release format (tests/eval_support.py)."""
    from tests.eval_support import make_rows

    return make_rows(60)


@pytest.fixture
def release(tmp_path: Path, rows: list[dict]) -> Path:
    """A small release folder: 36 train rows, 24 test rows (modules may override it)."""
    from tests.eval_support import write_release

    return write_release(tmp_path / "release", {"train": rows[:36], "test": rows[36:]})
