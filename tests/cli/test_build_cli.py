"""`stancebench build` and `stancebench build --check`, driven the way a user types them."""

from __future__ import annotations

from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import gold, make_corpus, write_gold


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_build_prints_counts_and_what_it_left_out(project):
    make_corpus(project)
    result = run("build")
    assert result.exit_code == 0, result.output
    assert f"Built testcorpus 0.1.0 in {project / 'release'}" in result.output
    assert "split       support   oppose    hedge    total  speakers" in result.output
    assert "total             8        8        8       24         8" in result.output
    assert "       2  gold label is off_target (annotation only)" in result.output
    assert "Agreement: not yet measured: one annotator" in result.output
    assert (project / "release" / "default" / "test.parquet").is_file()


def test_check_passes_on_a_fresh_release_and_fails_on_a_stale_one(project):
    ids = make_corpus(project)
    assert run("build").exit_code == 0
    result = run("build", "--check")
    assert result.exit_code == 0 and "up to date" in result.output
    write_gold(project, *(gold(sid, "hedge") for sid in ids))
    result = run("build", "--check")
    assert result.exit_code == 1
    assert f"{project / 'release' / 'release.json'}: differs from a fresh build" in result.output
    assert "is out of date; run 'stancebench build'" in result.output


def test_bad_gold_label_is_one_line_with_file_and_line(project):
    make_corpus(project)
    write_gold(project, gold("s000", "support"), '{"statement_id": "s001", "label": "maybe", "method": "single"}')
    result = run("build")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert "gold.jsonl:2: unknown label 'maybe'" in result.output
    assert not (project / "release").exists()


def test_missing_gold_says_what_to_run(project):
    make_corpus(project)
    (project / "annotations" / "gold.jsonl").unlink()
    result = run("build")
    assert result.exit_code == 1
    assert "gold.jsonl: file not found; run 'stancebench adjudicate' first" in result.output


def test_build_has_help():
    result = run("build", "--help")
    assert result.exit_code == 0 and "--check" in result.output
