"""annotations/statements.parquet (written past `sources.jsonl_max_statements`): every stage reads it as it
reads statements.jsonl, so the same labels give the same status, agreement, gold and release."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import DATA


def run(*args: str, input: str | None = None, expect: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), input=input)
    assert result.exit_code == expect, f"stancebench {' '.join(args)} -> {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    return result.output


def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int | None) -> tuple[Path, list[str]]:
    """One corpus through every stage that reads the statements; the outputs of each step."""
    tmp_path = tmp_path / ("parquet" if limit else "jsonl")
    tmp_path.mkdir()
    name = "corpus"
    monkeypatch.chdir(tmp_path)
    run("init", name, "--target-id", "lift-x", "--target", "Lifting the restrictions on X")
    corpus = tmp_path / name
    if limit is not None:
        with (corpus / "stancebench.toml").open("a", encoding="utf-8") as config:
            config.write(f"\n[sources]\njsonl_max_statements = {limit}\n")
    for article in sorted((DATA / "e2e").glob("*.*")):
        shutil.copy(article, corpus / "seeds" / article.name)
    monkeypatch.chdir(corpus)
    outputs = [run("extract")]
    statements = corpus / "annotations" / ("statements.parquet" if limit is not None else "statements.jsonl")
    assert statements.exists() and len(list((corpus / "annotations").glob("statements.*"))) == 1
    from stancebench.store import read_statements

    ids = [s.id for s in read_statements(statements)]
    outputs.append(run("annotate", "--annotator", "alice", input="s\no\nh\ns\no\nh\n"))
    outputs.append(run("label", ids[0], "oppose", "--annotator", "bob"))
    labels = ["oppose", "hedge", "support", "oppose", "off_target"]
    rows = "statement_id,label\n" + "".join(f"{sid},{label}\n" for sid, label in zip(ids[1:], labels, strict=True))
    (tmp_path / f"{name}-bob.csv").write_text(rows, encoding="utf-8")
    outputs.append(run("import-labels", str(tmp_path / f"{name}-bob.csv"), "--annotator", "bob"))
    outputs.append(run("correct", ids[1], "--annotator", "alice", "--speaker", "Someone Else"))
    outputs += [run("status", "--json"), run("agreement", "--json"), run("adjudicate"), run("build")]
    outputs += [run("build", "--check"), run("fsck")]
    outputs.append(run("extract"))  # re-extraction merges into the parquet file
    return corpus, [out.replace(str(corpus), "CORPUS") for out in outputs]


def test_every_stage_reads_statements_parquet_as_it_reads_jsonl(tmp_path, monkeypatch):
    jsonl, expected = session(tmp_path, monkeypatch, None)
    parquet, got = session(tmp_path, monkeypatch, 1)
    for step, (a, b) in enumerate(zip(expected, got, strict=True)):
        assert a == b, f"step {step}"
    assert json.loads(got[5])["statements"] == 6
    released = sorted(p.relative_to(jsonl / "release") for p in (jsonl / "release").rglob("*") if p.is_file())
    assert released == sorted(p.relative_to(parquet / "release") for p in (parquet / "release").rglob("*") if p.is_file())
    for name in released:
        assert (jsonl / "release" / name).read_bytes() == (parquet / "release" / name).read_bytes(), name
