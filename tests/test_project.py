"""A corpus is found like git finds a repository; `init` creates one."""

from __future__ import annotations

import os
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
    (project / "stancebench.toml").write_text(_TARGET + 'labels = ["support", "meh"]\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"stancebench\.toml:4: corpus\.labels: unknown label 'meh'"):
        load_project(project)


_TARGET = '[corpus]\ntarget_id = "t"\ntarget = "T"\n'


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[corpus]\nname = 'x'\n", r"stancebench\.toml:1: no corpus\.target_id: a corpus names its target"),
        ('[corpus]\ntarget_id = "t"\n', r"stancebench\.toml:1: no corpus\.target: a corpus names its target"),
        ("# nothing\n", r"stancebench\.toml: no corpus\.target_id"),
        (_TARGET + 'labels = ["support", "oppose", "support"]\n', r"toml:4: corpus\.labels: 'support' is listed twice"),
        (_TARGET + "\n[release]\nversion = 1\n", r"stancebench\.toml:6: release\.version must be a string \(got int\)"),
        (_TARGET + "\n[release]\nlicense = true\n", r"stancebench\.toml:6: release\.license must be a string \(got bool\)"),
        ('release = 3\n' + _TARGET, r"stancebench\.toml: \[release\] must be a table"),
        ('[corpus]\ntarget_id = "Bad Id!"\ntarget = "T"\n', r"toml:2: corpus\.target_id 'Bad Id!' must be lower-case"),
        ('[corpus]\ntarget_id = "../x"\ntarget = "T"\n', r"stancebench\.toml:2: corpus\.target_id '\.\./x' must be"),
        (_TARGET + '[targets]\n"Other Target" = "O"\n', r"stancebench\.toml:5: target id 'Other Target' must be"),
        (_TARGET + '[targets]\nother = 2\n', r"stancebench\.toml:5: targets\.other must be a string"),
    ],
)
def test_bad_configs_are_refused_naming_file_and_line(project: Path, config: str, message: str):
    (project / "stancebench.toml").write_text(config, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_project(project)


def test_target_id_is_checked_on_every_load_not_only_by_init(project: Path):
    config = project / "stancebench.toml"
    config.write_text(config.read_text().replace("lift-ukraine-strike-restrictions", "UPPER case"), encoding="utf-8")
    with pytest.raises(InputError, match="target_id 'UPPER case' must be"):
        load_project()


def test_config_that_is_not_a_regular_file_is_refused(project: Path):
    config = project / "stancebench.toml"
    config.unlink()
    os.mkfifo(config)
    with pytest.raises(StancebenchError):  # find_root skips it (not a file); --root names it
        load_project(project)


def test_fallback_corpus_is_marked_and_refuses_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    fallback = load_project()
    assert fallback.root == repository_root() and fallback.is_fallback
    with pytest.raises(StancebenchError, match=r"so 'label' would write into this package's own checkout"):
        fallback.require_writable("label")
    assert not load_project(repository_root()).is_fallback  # --root says so explicitly


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
