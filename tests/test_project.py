"""A corpus is found like git finds a repository; `init` creates one."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancebench.errors import InputError, StancebenchError
from stancebench.project import find_root, init_corpus, load_project, repository_root


def test_nearest_parent_with_config_is_the_corpus(project: Path):
    nested = project / "seeds" / "deep"
    nested.mkdir()
    assert find_root(nested) == project
    loaded = load_project()
    assert loaded.root == project
    assert loaded.target_id == "lift-ukraine-strike-restrictions"
    assert loaded.statements_path == project / "annotations" / "statements.jsonl"
    assert loaded.release_dir == project / "release"


def test_outside_any_corpus_falls_back_to_this_repository(tmp_path: Path):
    assert repository_root() is not None  # the tests run from a checkout
    assert find_root(tmp_path) == repository_root()
    assert load_project(repository_root()).release_dir == repository_root() / "stancebench" / "data"


def test_explicit_root_without_config_is_refused(tmp_path: Path):
    with pytest.raises(StancebenchError, match="no stancebench.toml here"):
        load_project(tmp_path)


def test_malformed_config_names_file_and_line(project: Path):
    (project / "stancebench.toml").write_text("[corpus]\ntarget_id = \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"stancebench\.toml:2: not valid TOML"):
        load_project(project)


def test_config_with_unknown_label_is_refused(project: Path):
    (project / "stancebench.toml").write_text('[corpus]\nlabels = ["support", "meh"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown label 'meh'"):
        load_project(project)


def test_init_creates_a_corpus_that_loads(tmp_path: Path):
    created = init_corpus(tmp_path / "new", "ban-x", 'Banning "X" everywhere')
    assert created.target == 'Banning "X" everywhere'
    assert (tmp_path / "new" / "seeds").is_dir()
    assert (tmp_path / "new" / "annotations" / "labels").is_dir()
    guidelines = (tmp_path / "new" / "annotations" / "GUIDELINES.md").read_text(encoding="utf-8")
    assert 'Banning "X" everywhere' in guidelines and "Version: " in guidelines
    assert load_project(tmp_path / "new").target_id == "ban-x"


def test_init_refuses_to_overwrite_and_bad_target_ids(tmp_path: Path):
    init_corpus(tmp_path / "c", "t", "Target")
    with pytest.raises(StancebenchError, match="a corpus already exists here"):
        init_corpus(tmp_path / "c", "t", "Target")
    with pytest.raises(StancebenchError, match="target id 'Bad Id'"):
        init_corpus(tmp_path / "d", "Bad Id", "Target")
