"""`stancebench eval` and `stancebench compare`, driven the way a user types them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from stancebench.cli import cli
from tests.support import DATA as DATA_DIR
from tests.support import ChatServer, perfect_predictions, tiny_hf_model, write_jsonl, write_release

DATA = DATA_DIR / "eval"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_eval_predictions_writes_report_and_plot(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "preds.jsonl", perfect_predictions(rows[36:]))
    result = run("eval", "--predictions", str(preds), "--release", str(release),
                 "--output", str(tmp_path / "r.json"), "--plot", str(tmp_path / "r.png"))
    assert result.exit_code == 0, result.output
    assert "Macro-F1" in result.output and "1.000" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["headline"]["macro_f1"] == {"value": 1.0, "ci_low": 1.0, "ci_high": 1.0}
    assert report["model"] == {"type": "predictions", "path": str(preds)}
    assert (tmp_path / "r.png").stat().st_size > 1000


def test_eval_model_file_with_cv(tmp_path, release):
    model = tmp_path / "my_model.py"
    model.write_text("from tests.support import KeywordModel\nmodel = KeywordModel\n", encoding="utf-8")
    result = run("eval", "--model", str(model), "--release", str(release), "--cv", "3", "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["options"]["cv"] == 3 and report["dataset"]["n_items"] == 60
    assert report["model"]["spec"] == str(model)


def _corpus_release(project: Path, rows: list[dict]) -> dict:
    # A corpus release unlike the bundled one: its own name, 20 test items, its own hash.
    write_release(project / "release", {"train": rows[:40], "test": rows[40:]}, name="my-corpus", version="2.0")
    return json.loads((project / "release" / "release.json").read_text(encoding="utf-8"))


def test_eval_uses_the_corpus_release_with_root(project, rows, tmp_path, monkeypatch):
    info = _corpus_release(project, rows)
    preds = write_jsonl(project / "p.jsonl", perfect_predictions(rows[40:]))
    monkeypatch.chdir(tmp_path)  # outside the corpus: only --root points at it
    result = run("--root", str(project), "eval", "--predictions", str(preds), "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    dataset = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["dataset"]
    assert dataset["source"] == str(project / "release") and dataset["name"] == "my-corpus"
    assert dataset["n_items"] == 20 and dataset["release_content_hash"] == info["content_hash"]


def test_eval_inside_a_corpus_uses_its_release(project, rows, monkeypatch):
    info = _corpus_release(project, rows)
    (project / "sub").mkdir()
    write_jsonl(project / "sub" / "p.jsonl", perfect_predictions(rows[40:]))
    monkeypatch.chdir(project / "sub")  # found from the cwd, like `build` finds it
    result = run("eval", "--predictions", "p.jsonl", "-o", "r.json")
    assert result.exit_code == 0, result.output
    dataset = json.loads((project / "sub" / "r.json").read_text(encoding="utf-8"))["dataset"]
    assert dataset["name"] == "my-corpus" and dataset["release_content_hash"] == info["content_hash"]
    assert dataset["n_items"] == 20


def test_eval_needs_exactly_one_source(release):
    result = run("eval", "--release", str(release))
    assert result.exit_code == 2
    assert "give exactly one of --predictions, --model, --hf-model, --endpoint" in result.output


@pytest.mark.parametrize("spec", ["evil.py", "evil.py:model", "json:loads", "os:getcwd", "preds"])
def test_predictions_are_only_ever_read_never_run(tmp_path, monkeypatch, release, spec):
    marker = tmp_path / "ran"
    (tmp_path / "evil.py").write_text(f"open({str(marker)!r}, 'w').close()\nmodel = None\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run("eval", "--predictions", spec, "--release", str(release))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {spec}: unknown file type ") and result.output.count("\n") == 1
    assert "a model goes to --model" in result.output
    assert not marker.exists()


@pytest.mark.parametrize(
    ("option", "where", "problem"),
    [
        ("-o", "/proc/x.json", "cannot write a file in /proc"),
        ("-o", "{tmp}/missing/r.json", "folder {tmp}/missing does not exist"),
        ("--plot", "/nonexistent/dir/x.png", "folder /nonexistent/dir does not exist"),
        ("--plot", "{tmp}/model.py/x.png", "folder {tmp}/model.py is not a folder"),
    ],
)
def test_output_paths_are_checked_before_any_work(tmp_path, release, option, where, problem):
    marker = tmp_path / "loaded"
    model = tmp_path / "model.py"
    model.write_text(f"open({str(marker)!r}, 'w').close()\nfrom tests.support import KeywordModel\nmodel = KeywordModel\n",
                     encoding="utf-8")
    where, problem = where.replace("{tmp}", str(tmp_path)), problem.replace("{tmp}", str(tmp_path))
    result = run("eval", "--model", str(model), "--release", str(release), option, where)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {where}: {problem}")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert not marker.exists()  # the model was never loaded
    assert not Path("/nonexistent").exists()


def test_compare_output_is_checked_first(tmp_path, release, rows):
    good = _report(tmp_path, release, "good", perfect_predictions(rows[36:]))
    result = run("compare", str(good), str(good), "-o", str(tmp_path / "no" / "cmp.json"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'no' / 'cmp.json'}: folder {tmp_path / 'no'} does not exist\n"
    assert not (tmp_path / "no").exists()


# --- each bad input gets its own one-line message ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.jsonl", "empty.jsonl: empty file"),
        ("missing_label.csv", "missing_label.csv:1: missing column 'label' (found: id, pred)"),
        ("missing_id.jsonl", "missing_id.jsonl:1: missing 'id'"),
        ("duplicate_id.jsonl", "duplicate_id.jsonl:3: duplicate id 's036' (first on line 1)"),
        ("unknown_label.jsonl", "unknown_label.jsonl:3: unknown label 'maybe'"),
        ("latin1.csv", "latin1.csv:3: not UTF-8 text"),
    ],
)
def test_bad_predictions_file(release, name, message):
    result = run("eval", "--predictions", str(DATA / name), "--release", str(release))
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def test_model_file_that_raises(tmp_path, release):
    model = tmp_path / "flaky.py"
    model.write_text(
        "class Model:\n"
        "    def predict(self, examples):\n"
        "        for e in examples:\n"
        "            if e['id'] == 's040':\n"
        "                raise ValueError('cannot parse this one')\n"
        "        return ['support'] * len(examples)\n",
        encoding="utf-8",
    )
    result = run("eval", "--model", f"{model}:Model", "--release", str(release))
    assert result.exit_code == 1
    assert f"Error: model {model}:Model raised on item 's040': ValueError: cannot parse this one\n" == result.output


def test_model_returning_the_wrong_number_of_labels(tmp_path, release):
    model = tmp_path / "short.py"
    model.write_text("class Model:\n    def predict(self, examples):\n        return ['support']\n"
                     "model = Model\n", encoding="utf-8")
    result = run("eval", "--model", str(model), "--release", str(release), "--no-fit")
    assert result.exit_code == 1
    assert result.output == f"Error: model {model}: predict returned 1 labels for 24 items\n"


def test_model_returning_an_unknown_label(tmp_path, release):
    model = tmp_path / "odd.py"
    model.write_text("class Model:\n    def predict(self, examples):\n        return ['neutral'] * len(examples)\n"
                     "model = Model\n", encoding="utf-8")
    result = run("eval", "--model", str(model), "--release", str(release))
    assert result.exit_code == 1
    assert f"model {model}: item 's036': unknown label 'neutral'" in result.output


def test_missing_release_folder(tmp_path, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows))
    result = run("eval", "--predictions", str(preds), "--release", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.output == (f"Error: release folder {tmp_path / 'missing'} not found: build it with 'stancebench build', "
                             "or pass --release DIR or --gold FILE\n")


def test_endpoint_down(tmp_path, release):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("eval", "--endpoint", f"http://127.0.0.1:{port}/v1", "--model-name", "tiny", "--release", str(release),
                 "--cache-dir", str(tmp_path / "cache"), "--max-retries", "0")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach endpoint http://127.0.0.1:{port}/v1/chat/completions: ")
    assert result.output.count("\n") == 1


def test_endpoint_garbage(tmp_path, release):
    server = ChatServer()
    try:
        server.script = [(200, b"not json at all", {})] * 30
        result = run("eval", "--endpoint", server.url, "--model-name", "tiny", "--release", str(release),
                     "--cache-dir", str(tmp_path / "cache"), "--concurrency", "1")
    finally:
        server.close()
    assert result.exit_code == 1
    assert "that is not a chat completion (15 bytes)" in result.output
    assert result.output.count("\n") == 1


def test_endpoint_end_to_end_with_cache_and_garbage_answers(tmp_path, release):
    server = ChatServer()
    server.garbage_for = {"s037"}
    args = ["eval", "--endpoint", server.url, "--model-name", "tiny", "--release", str(release),
            "--cache-dir", str(tmp_path / "cache"), "-o", str(tmp_path / "r.json")]
    try:
        first = CliRunner().invoke(cli, args)
        requests = server.requests
        second = CliRunner().invoke(cli, args)
    finally:
        server.close()
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0 and second.output.count("Macro-F1") == 1
    assert requests == 24 and server.requests == 24  # the re-run was served from the cache
    assert "Warning: endpoint answer for item 's037' names no label" in first.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["coverage"]["n_missing"] == 1
    assert report["model"]["type"] == "chat" and report["model"]["model_name"] == "tiny"


def test_hf_model_with_label_map(tmp_path, release):
    folder = tiny_hf_model(tmp_path / "clf", {0: "FAVOR", 1: "AGAINST", 2: "NONE"}, bias=[50.0, 0.0, 0.0])
    result = run("eval", "--hf-model", str(folder), "--release", str(release))
    assert result.exit_code == 1
    assert "unknown label 'FAVOR'" in result.output and "map others with --label-map" in result.output
    result = run("eval", "--hf-model", str(folder), "--release", str(release),
                 "--label-map", "FAVOR=support,AGAINST=oppose,NONE=hedge", "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["model"]["type"] == "hf" and report["per_class"]["support"]["recall"]["value"] == 1.0
    assert report["model"]["use_context"] is False
    result = run("eval", "--hf-model", str(folder), "--release", str(release), "--use-context",
                 "--label-map", "FAVOR=support,AGAINST=oppose,NONE=hedge", "-o", str(tmp_path / "r2.json"))
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "r2.json").read_text())["model"]["use_context"] is True


# --- compare ----------------------------------------------------------------------------------


def _report(tmp_path: Path, release: Path, name: str, preds: list[dict]) -> Path:
    path = write_jsonl(tmp_path / f"{name}.jsonl", preds)
    out = tmp_path / f"{name}.json"
    result = run("eval", "--predictions", str(path), "--release", str(release), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_compare_two_reports(tmp_path, release, rows):
    good = _report(tmp_path, release, "good", perfect_predictions(rows[36:]))
    weak = _report(tmp_path, release, "weak", [{"id": r["id"], "label": "support"} for r in rows[36:]])
    result = run("compare", str(weak), str(good), "-o", str(tmp_path / "cmp.json"))
    assert result.exit_code == 0, result.output
    assert "McNemar exact test" in result.output and "Macro-F1" in result.output
    data = json.loads((tmp_path / "cmp.json").read_text())
    assert data["n_common"] == 24
    assert data["metrics"]["accuracy"]["difference"] == pytest.approx(16 / 24)
    assert data["metrics"]["accuracy"]["ci_low"] > 0 and data["metrics"]["accuracy"]["p_value"] < 0.01
    assert data["mcnemar"]["only_b_correct"] == 16 and data["mcnemar"]["p_value"] < 0.001


def test_compare_by_article_reads_article_ids_from_the_reports(tmp_path, release, rows):
    good = _report(tmp_path, release, "good", perfect_predictions(rows[36:]))
    weak = _report(tmp_path, release, "weak", [{"id": r["id"], "label": "support"} for r in rows[36:]])
    items = json.loads(good.read_text())["predictions"]
    assert {item["article_id"] for item in items} == {r["article_id"] for r in rows[36:]}
    result = run("compare", str(weak), str(good), "--bootstrap", "article", "-o", str(tmp_path / "cmp.json"))
    assert result.exit_code == 0, result.output
    assert "Warning: --bootstrap article: only 6 article(s) in the gold" in result.output  # 24 items, 6 articles
    data = json.loads((tmp_path / "cmp.json").read_text())
    assert data["options"]["bootstrap"] == "article"
    assert data["metrics"]["accuracy"]["difference"] == pytest.approx(16 / 24)


def test_compare_refuses_different_gold(tmp_path, release, rows):
    test_report = _report(tmp_path, release, "test", perfect_predictions(rows[36:]))
    out = tmp_path / "train.json"
    preds = write_jsonl(tmp_path / "train.jsonl", perfect_predictions(rows[:36]))
    assert run("eval", "--predictions", str(preds), "--release", str(release), "--split", "train", "-o", str(out)).exit_code == 0
    result = run("compare", str(test_report), str(out))
    assert result.exit_code == 1
    assert f"Error: {test_report} and {out} were scored on different gold (sha256:" in result.output
    assert result.output.count("\n") == 1


def test_compare_malformed_report(tmp_path, release, rows):
    good = _report(tmp_path, release, "good", perfect_predictions(rows[36:]))
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1, "headline": ', encoding="utf-8")
    result = run("compare", str(good), str(broken))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {broken}:1: not valid JSON")
    other = tmp_path / "other.json"
    other.write_text('{"schema_version": 1}', encoding="utf-8")
    result = run("compare", str(good), str(other))
    assert result.output == f"Error: {other}: not a stancebench report (missing 'predictions')\n"


# --- start-up --------------------------------------------------------------------------------


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom stancebench.cli import cli\n"
        "assert CliRunner().invoke(cli, ['eval', '--help']).exit_code == 0\n"
        "assert CliRunner().invoke(cli, ['compare', '--help']).exit_code == 0\n"
        "heavy = [m for m in ('numpy', 'pandas', 'sklearn', 'pyarrow', 'torch', 'rich') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_empty_system_prompt_file_is_refused(tmp_path, release):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("  \n", encoding="utf-8")
    result = run("eval", "--endpoint", "http://127.0.0.1:9/v1", "--model-name", "m", "--system-prompt", str(prompt),
                 "--release", str(release))
    assert result.exit_code == 1
    assert f"Error: {prompt}: empty system prompt" in result.output


def test_predictions_for_unknown_ids_are_reported_and_ignored(tmp_path, release, rows):
    preds = perfect_predictions(rows[36:]) + [{"id": "not-a-statement", "label": "support"}]
    path = write_jsonl(tmp_path / "preds.jsonl", preds)
    result = run("eval", "--predictions", str(path), "--release", str(release), "--output", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    assert "1 prediction(s) for ids not in the gold test were ignored ('not-a-statement')" in result.output
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["coverage"]["n_unknown_ids"] == 1 and report["coverage"]["coverage"] == 1.0
