"""`stancebench init`, and every corpus command finding its corpus like git finds a repository."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.project import repository_root
from tests.support import REPO

ARTICLE = """Ministers meet on strikes

Foreign Minister Jane Doe said: "We must lift the limits on strikes now."
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def test_init_creates_config_seeds_annotations_and_codebook(tmp_path: Path):
    result = run("init", str(tmp_path / "c"), "--target-id", "ban-x", "--target", "Banning X everywhere")
    assert result.exit_code == 0, result.output
    assert "Created corpus 'c'" in result.output
    config = tomllib.loads((tmp_path / "c" / "stancebench.toml").read_text(encoding="utf-8"))
    assert config["corpus"] == {
        "name": "c", "target_id": "ban-x", "target": "Banning X everywhere",
        "labels": ["support", "oppose", "hedge", "off_target"], "release_dir": "release",
    }
    assert (tmp_path / "c" / "seeds").is_dir()
    assert (tmp_path / "c" / "annotations" / "labels").is_dir()
    codebook = (tmp_path / "c" / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert "Banning X everywhere" in codebook and "`ban-x`" in codebook and "Version: 0.1" in codebook


def test_init_with_a_label_subset(tmp_path: Path):
    result = run("init", str(tmp_path / "c"), "--target-id", "t", "--target", "T", "--labels", "support, oppose")
    assert result.exit_code == 0, result.output
    config = tomllib.loads((tmp_path / "c" / "stancebench.toml").read_text(encoding="utf-8"))
    assert config["corpus"]["labels"] == ["support", "oppose"]


def test_init_refuses_an_unknown_label(tmp_path: Path):
    result = run("init", str(tmp_path / "c"), "--target-id", "t", "--target", "T", "--labels", "support,maybe")
    assert result.exit_code == 2
    assert "expected a subset of support, oppose, hedge, off_target" in result.output
    assert not (tmp_path / "c").exists()


def test_init_refuses_to_overwrite_a_corpus(tmp_path: Path):
    assert run("init", str(tmp_path / "c"), "--target-id", "t", "--target", "T").exit_code == 0
    result = run("init", str(tmp_path / "c"), "--target-id", "u", "--target", "U")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'c' / 'stancebench.toml'}: a corpus already exists here"
    assert "target_id = \"t\"" in (tmp_path / "c" / "stancebench.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("target_id", "target", "message"),
    [
        ("Bad Id", "T", "Error: target id 'Bad Id' must be lower-case letters"),
        ("ok", "   ", "Error: target description must be one non-empty line"),
        ("ok", "two\nlines", "Error: target description must be one non-empty line"),
    ],
)
def test_init_refuses_bad_targets(tmp_path: Path, target_id: str, target: str, message: str):
    result = run("init", str(tmp_path / "c"), "--target-id", target_id, "--target", target)
    assert result.exit_code == 1
    assert result.output.startswith(message)
    assert "Traceback" not in result.output


def test_init_needs_target_id_and_target(tmp_path: Path):
    result = run("init", str(tmp_path / "c"))
    assert result.exit_code == 2
    assert "Missing option '--target-id'" in result.output


def test_init_on_a_file_is_refused(tmp_path: Path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = run("init", str(tmp_path / "f"), "--target-id", "t", "--target", "T")
    assert result.exit_code == 2  # click's Path(file_okay=False) refuses it before we run
    assert "is a file" in result.output


# --- every corpus command works on the corpus it finds ------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus with one article, extracted, labelled once by 'ann'."""
    root = tmp_path / "corpus"
    assert run("init", str(root), "--target-id", "ban-x", "--target", "Banning X").exit_code == 0
    (root / "seeds" / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    result = run("--root", str(root), "extract")
    assert result.exit_code == 0, result.output
    return root


def _statement_ids(root: Path) -> list[str]:
    lines = (root / "annotations" / "statements.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines]


def test_extract_with_root_writes_into_that_corpus_with_its_target(corpus: Path):
    lines = (corpus / "annotations" / "statements.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["target_id"] == "ban-x"


def test_commands_from_a_subfolder_find_the_corpus(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    nested = corpus / "seeds" / "deeper"
    nested.mkdir()
    monkeypatch.chdir(nested)
    sid = _statement_ids(corpus)[0]
    assert run("label", sid[:6], "support", "--annotator", "ann").exit_code == 0
    assert (corpus / "annotations" / "labels" / "ann.jsonl").is_file()
    status = run("status", "--json")
    assert status.exit_code == 0, status.output
    assert json.loads(status.output)["annotators"]["ann"]["labelled"] == 1
    adjudicate = run("adjudicate")
    assert adjudicate.exit_code == 0, adjudicate.output
    assert f"wrote 1 gold label(s) to {corpus / 'annotations' / 'gold.jsonl'}" in adjudicate.output
    assert run("extract").exit_code == 0
    assert "statements: 1 (stale, left out: 0)" in run("status").output
    build = run("build")
    assert build.exit_code == 0, build.output
    assert (corpus / "release" / "default" / "test.parquet").is_file()
    assert "targets: ban-x" in build.output


def test_every_corpus_command_honours_root(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # outside any corpus: without --root this would be the repository's corpus
    root = ["--root", str(corpus)]
    sid = _statement_ids(corpus)[0]
    (elsewhere / "labels.csv").write_text(f"statement_id,label\n{sid},support\n", encoding="utf-8")
    steps = [
        (["extract"], "1 statement"),
        (["label", sid, "support", "--annotator", "ann"], f"ann: {sid} = support"),
        (["import-labels", "labels.csv", "--annotator", "bob"], "imported 1 label(s) for bob"),
        (["status"], "labelled: 1  unlabelled: 0"),
        (["agreement"], "Annotators: ann, bob; statements labelled: 1"),
        (["adjudicate"], "wrote 1 gold label(s)"),
        (["build"], f"in {corpus / 'release'}"),
        (["build", "--check"], "up to date"),
        (["eval", "--predictions", "preds.jsonl", "-o", "r.json"], "Accuracy"),
    ]
    (elsewhere / "preds.jsonl").write_text(json.dumps({"id": sid, "label": "support"}) + "\n", encoding="utf-8")
    for args, expected in steps:
        result = run(*root, *args)
        assert result.exit_code == 0, (args, result.output)
        assert expected in result.output, (args, result.output)
    annotate = run(*root, "annotate", "--annotator", "carol", input="o\n")
    assert annotate.exit_code == 0, annotate.output
    assert (corpus / "annotations" / "labels" / "carol.jsonl").is_file()
    report = json.loads((elsewhere / "r.json").read_text(encoding="utf-8"))
    assert report["dataset"]["source"] == str(corpus / "release")  # --root: that corpus's release
    assert report["headline"]["accuracy"]["value"] == 1.0
    assert not (elsewhere / "annotations").exists()
    repo = repository_root()
    assert repo is not None and not (repo / "annotations" / "labels" / "carol.jsonl").exists()


def test_root_without_a_corpus_is_one_line_error(tmp_path: Path):
    result = run("--root", str(tmp_path), "status")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path.resolve()}: no stancebench.toml here; create one with 'stancebench init {tmp_path}'\n"
    )


def test_eval_inside_a_corpus_uses_its_release_not_the_bundled_one(corpus: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(corpus)
    from stancebench.release.dataset import packaged_release_dir

    result = run("eval", "--model", str(REPO / "baselines" / "majority.py"), "-o", "r.json")
    assert result.exit_code == 1  # this corpus has no release yet, and the bundled one is not silently used
    assert result.output.startswith(f"Error: release folder {corpus.resolve() / 'release'} not found: build it")
    result = run("eval", "--model", str(REPO / "baselines" / "majority.py"), "--release", str(packaged_release_dir()),
                 "-o", "r.json")
    assert result.exit_code == 0, result.output
    report = json.loads((corpus / "r.json").read_text(encoding="utf-8"))
    assert Path(report["dataset"]["source"]) == packaged_release_dir()
