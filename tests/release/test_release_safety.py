"""`build` never writes or deletes outside the corpus's own release folder, and a release is always there.

The swap is checked four ways: a fault injected at every rename and fsync, two builds at once,
a reader polling while builds run, and builds killed with SIGKILL at random moments.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from stancebench.errors import StancebenchError
from stancebench.project import Project, load_project
from stancebench.release import build as release
from stancebench.release import swap
from tests.support import CONFIG, REPO, gold, make_corpus, write_gold

FILES = ["README.md", "annotations/annotated.parquet", "default/test.parquet", "default/train.parquet", "release.json"]


def _tree(folder: Path) -> dict[str, bytes | str]:
    """Every path under `folder` (symlinks as their target, files as their bytes)."""
    out: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            out[name] = path.read_bytes()
        else:
            out[name] = "dir"
    return out


def _is_complete(folder: Path) -> bool:
    """Is `folder` a whole release: every file there, release.json parsed, every parquet file readable?"""
    try:
        info = json.loads((folder / "release.json").read_text(encoding="utf-8"))
        names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        for config, splits in info["configs"].items():
            for split in splits:
                pq.read_metadata(folder / config / f"{split}.parquet")
        return names == FILES and (folder / "README.md").read_text(encoding="utf-8").startswith("---\n")
    except (OSError, ValueError, KeyError):
        return False


def _set_release_dir(project: Path, value: str) -> None:
    config = project / "stancebench.toml"
    config.write_text(CONFIG.replace('release_dir = "release"', f"release_dir = {json.dumps(value)}"), encoding="utf-8")


# ---------------------------------------------------------------- release_dir must stay the corpus's own


@pytest.mark.parametrize("value", [
    "annotations", "annotations/labels", ".", "./", "seeds", "stancebench.toml", ".git", "release/../annotations",
    "../outside", "../../x", "/tmp/stancebench-absolute-release",
])
def test_a_release_dir_outside_the_release_folder_is_refused_and_nothing_is_touched(project, value):
    make_corpus(project)
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("not yours")
    _set_release_dir(project, value)
    before = _tree(project.parent)
    with pytest.raises(StancebenchError) as caught:
        release.build(load_project())
    message = str(caught.value)
    assert "release_dir" in message and "\n" not in message
    assert _tree(project.parent) == before
    assert not Path("/tmp/stancebench-absolute-release").exists()


def test_a_release_dir_whose_symlink_points_out_of_the_corpus_is_refused(project):
    make_corpus(project)
    outside = project.parent / "elsewhere"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    (project / "release").symlink_to(outside)
    before = _tree(project.parent)
    with pytest.raises(StancebenchError, match="outside the corpus"):
        release.build(load_project())
    assert _tree(project.parent) == before


@pytest.mark.parametrize("inside", ["annotations", "seeds"])
def test_a_symlink_to_annotations_or_seeds_is_refused(project, inside):
    make_corpus(project)
    (project / "release").symlink_to(project / inside)
    before = _tree(project.parent)
    with pytest.raises(StancebenchError, match=f"must not be {inside}/"):
        release.build(load_project())
    assert _tree(project.parent) == before


def test_a_symlink_checked_at_build_time_too(project):
    # The config was fine when loaded; the link appears afterwards (or the Project was made by hand).
    make_corpus(project)
    corpus = load_project()
    (project / "release").symlink_to(project / "annotations")
    before = _tree(project.parent)
    with pytest.raises(StancebenchError, match="refusing to build"):
        release.build(corpus)
    with pytest.raises(StancebenchError, match="refusing to build"):
        release.build(Project(root=project, release_dir_name="../outside"))
    assert _tree(project.parent) == before


def test_a_folder_that_is_no_release_is_not_replaced(project):
    make_corpus(project)
    (project / "notes").mkdir()
    (project / "notes" / "todo.md").write_text("mine")
    _set_release_dir(project, "notes")
    before = _tree(project.parent)
    with pytest.raises(StancebenchError, match="holds files but no release.json"):
        release.build(load_project())
    assert _tree(project.parent) == before


def test_a_nested_release_dir_inside_the_corpus_is_fine(project):
    make_corpus(project)
    _set_release_dir(project, "pkg/data")
    result = release.build(load_project())
    assert result.release_dir == project / "pkg" / "data" and _is_complete(project / "pkg" / "data")


# ---------------------------------------------------------------- the swap


def test_a_rebuild_leaves_no_debris(project):
    make_corpus(project)
    for _ in range(2):
        release.build(load_project())
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]


def test_debris_of_a_killed_build_is_cleaned_and_a_stranded_release_put_back(project):
    make_corpus(project)
    release.build(load_project())
    # What a fallback swap killed between its renames leaves: no release, the old one beside it.
    os.rename(project / "release", project / ".release.old-abc123")
    (project / ".release.new-def456").mkdir()
    (project / ".release.new-def456" / "README.md").write_text("half")
    swap.clean_debris(project / "release")
    assert _is_complete(project / "release")
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]


def _counting(function, calls: list[str], name: str, fail_at: int):
    def wrapper(*args, **kwargs):
        calls.append(name)
        if len(calls) == fail_at:
            raise OSError(f"injected failure at call {fail_at} ({name})")
        return function(*args, **kwargs)
    return wrapper


@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two-renames"])
def test_a_failure_at_every_rename_and_fsync_keeps_a_complete_release(project, monkeypatch, exchange):
    make_corpus(project)
    release.build(load_project())
    if not exchange:
        monkeypatch.setattr(swap, "_exchange", lambda a, b: False)
    points = {"rename": (swap.os, "rename"), "fsync": (swap.os, "fsync"), "exchange": (swap, "_exchange")}
    total = None
    step = 1
    while total is None or step <= total:
        calls: list[str] = []
        with monkeypatch.context() as patch:
            for name, (owner, attribute) in points.items():
                patch.setattr(owner, attribute, _counting(getattr(owner, attribute), calls, name, step))
            write_gold(project, *(gold(f"s{i:03d}", "hedge" if step % 2 else "support") for i in range(24)))
            try:
                release.build(load_project())
                total = len(calls)
            except OSError:
                pass
        assert _is_complete(project / "release"), f"no complete release after a failure at call {step}"
        release.build(load_project())  # the next build cleans up and succeeds
        assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]
        step += 1
    assert total >= 3  # fsyncs of the new files and folders, and the swap itself


# ---------------------------------------------------------------- other processes

_BUILDER = """
import sys
from stancebench.project import load_project
from stancebench.release import build as release
for _ in range(int(sys.argv[2])):
    release.build(load_project(sys.argv[1]))
    print("built", flush=True)
"""


def _spawn(project: Path, builds: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", _BUILDER, str(project), str(builds)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _big_corpus(project: Path) -> None:
    make_corpus(project, speakers=40, per_speaker=100)  # 4,000 statements: a build takes a moment


@pytest.mark.slow
def test_two_concurrent_builds_both_succeed(project):
    _big_corpus(project)
    first, second = _spawn(project, 3), _spawn(project, 3)
    for child in (first, second):
        out, err = child.communicate(timeout=300)
        assert child.returncode == 0, err
        assert out.count("built") == 3
    assert _is_complete(project / "release")
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]


@pytest.mark.slow
def test_a_reader_polling_during_builds_always_finds_a_complete_release(project):
    _big_corpus(project)
    release.build(load_project())
    builder = _spawn(project, 5)
    polls, incomplete = 0, 0
    while polls < 300 and builder.poll() is None:
        polls += 1
        incomplete += not _is_complete(project / "release")
        time.sleep(0.005)
    out, err = builder.communicate(timeout=300)
    assert builder.returncode == 0, err
    assert polls >= 20 and incomplete == 0, f"{incomplete} of {polls} polls found no complete release"


@pytest.mark.slow
def test_builds_killed_at_random_moments_leave_a_loadable_release(project):
    _big_corpus(project)
    release.build(load_project())
    rng = random.Random(0)
    # Kill times scale with how long the three builds take on this machine, so the kills keep landing
    # inside a build however fast (or loaded) the machine is.
    started = time.monotonic()
    _spawn(project, 3).communicate(timeout=300)
    span = time.monotonic() - started
    rounds, killed = 20, 0
    for round_ in range(rounds):
        write_gold(project, *(gold(f"s{i:03d}", ("support", "oppose", "hedge")[(i + round_) % 3]) for i in range(4000)))
        child = _spawn(project, 3)
        time.sleep(rng.uniform(0.1, 0.9) * span)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        child.communicate(timeout=300)
        assert _is_complete(project / "release"), f"round {round_}: no complete release after the kill"
    release.build(load_project())
    assert sorted(p.name for p in project.iterdir()) == ["annotations", "release", "seeds", "stancebench.toml"]
    print(f"kill test: {rounds} rounds, {killed} builds killed, 0 without a complete release")
    assert killed >= rounds // 2
