"""Harnesses both ways: stancebench's sample log and provenance, lm-eval's task and sample logs."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import stancebench
from stancebench.cli import cli
from stancebench.errors import InputError
from stancebench.evaluation import harness
from stancebench.models.prompts import PromptTemplate
from tests.support import REPO, ChatServer, KeywordModel, make_rows, perfect_predictions, write_jsonl

LABELS = ("support", "oppose", "hedge")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- the lm-eval task --------------------------------------------------------------------------------


def test_shipped_task_is_the_generated_one():
    assert harness.SHIPPED_TASK.read_text(encoding="utf-8") == harness.shipped_task_yaml()


def test_task_prompt_renders_as_the_default_template():
    jinja2 = pytest.importorskip("jinja2")
    import yaml

    task = yaml.safe_load(harness.shipped_task_yaml())
    doc_to_text = jinja2.Environment().from_string(task["doc_to_text"])
    rows = make_rows(4)
    rows[1]["context"] = None
    rows[2]["speaker_role"] = None
    rows[3].update(speaker_role=None, speaker_affiliation=None, speaker=None)
    for row in rows:
        assert doc_to_text.render(**row) == PromptTemplate().render(row)
    assert task["doc_to_choice"] == list(LABELS) and task["output_type"] == "multiple_choice"
    assert "Labels:\n- support: favours lifting" in task["description"]


def test_lm_eval_task_command_writes_absolute_paths(tmp_path, release):
    result = run("lm-eval-task", str(tmp_path / "task"), "--release", str(release))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "task" / "stancebench.yaml").read_text()
    assert f'test: "{release.resolve()}/default/test.parquet"' in text and "train:" in text


# --- reading lm-eval's --log_samples -------------------------------------------------------------------


def _lm_eval_line(row: dict, scores, doc_id: int = 0, **extra) -> dict:
    return {"doc_id": doc_id, "doc": row, "target": str(row["label"]), "arguments": {}, "resps": [],
            "filtered_resps": scores, "filter": "none", "acc": 1.0, **extra}


def test_lm_eval_samples_are_read_as_predictions(tmp_path, release, rows):
    lines = []
    for i, row in enumerate(rows[36:]):
        scores = [[str(-1.0 - (k != row["label"])), "False"] for k in range(3)]  # gold has the best loglik
        if i == 0:
            scores = [[-3.5, False], [-0.5, True], [-2.0, False]]  # numbers, as older lm-eval wrote: oppose
        lines.append(_lm_eval_line(row, scores, i))
    path = write_jsonl(tmp_path / "samples_stancebench_2026.jsonl", lines)
    assert harness.is_lm_eval_samples(path)
    assert not harness.is_lm_eval_samples(write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:])))
    predictions = harness.read_lm_eval_samples(path)
    assert predictions.codes[0] == 1 and len(predictions) == 24
    result = run("eval", "--predictions", str(path), "--release", str(release), "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["model"]["type"] == "lm_eval_samples" and report["coverage"]["coverage"] == 1.0
    wrong = 0 if rows[36]["label"] == 1 else 1
    assert report["headline"]["accuracy"]["value"] == pytest.approx(1 - wrong / 24)


def test_generated_lm_eval_samples_are_parsed(tmp_path, rows):
    lines = [_lm_eval_line(rows[0], ["Support."]), _lm_eval_line(rows[1], ["lol"], 1)]
    predictions = harness.read_lm_eval_samples(write_jsonl(tmp_path / "s.jsonl", lines))
    assert predictions.codes.tolist() == [0, 3]  # the second names no label: missing


@pytest.mark.parametrize(("lines", "problem"), [
    (['{"doc_id": 0, "doc": {"id": "a"}, "filtered_resps": [[-1, false], [-2, false], [-3, false]]}',
      '{"doc_id": 1, "doc": {"id": "a"}, "filtered_resps": [[-1, false], [-2, false], [-3, false]]}'],
     "s.jsonl:2: duplicate id 'a' (first on line 1)"),
    (['{"doc_id": 0, "doc": {"text": "x"}, "filtered_resps": ["support"]}'], "s.jsonl:1: lm-eval sample whose doc has no 'id'"),
    (['{"doc_id": 0, "doc": {"id": "a"}, "filtered_resps": [[-1, false], [-2, false]]}'],
     "s.jsonl:1: 2 choices scored, expected 3"),
    (['{"doc_id": 0, "doc": {"id": "a"}, "filtered_resps": ["support"]}', "{not json"], "s.jsonl:2: not valid JSON"),
])
def test_bad_lm_eval_samples_name_the_line(tmp_path, lines, problem):
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        harness.read_lm_eval_samples(path)
    assert str(err.value).startswith(f"{tmp_path}/{problem}")


@pytest.mark.slow
def test_lm_eval_dummy_model_end_to_end(tmp_path, release):
    if shutil.which("lm_eval") is None:
        pytest.skip("lm-evaluation-harness is not installed (pip install 'stancebench[harness]')")
    assert run("lm-eval-task", str(tmp_path / "task"), "--release", str(release)).exit_code == 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_HOME": str(tmp_path / "hf"), "HF_DATASETS_CACHE": str(tmp_path / "hf" / "datasets"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "TOKENIZERS_PARALLELISM": "false"}
    done = subprocess.run(["lm_eval", "--model", "dummy", "--tasks", "stancebench", "--include_path",
                           str(tmp_path / "task"), "--log_samples", "--output_path", str(tmp_path / "out"), "--seed", "1"],
                          capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (samples,) = (tmp_path / "out").rglob("samples_stancebench_*.jsonl")
    assert harness.is_lm_eval_samples(samples)
    result = run("eval", "--predictions", str(samples), "--release", str(release), "-o", str(tmp_path / "lm.json"))
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "lm.json").read_text())
    assert report["dataset"]["n_items"] == 24 and report["coverage"]["coverage"] == 1.0
    assert report["model"]["lm_eval"]["model"] == "dummy" and report["model"]["lm_eval"]["seed"] == 1
    lm_eval_acc = json.loads(next((tmp_path / "out").rglob("results_*.json")).read_text())["results"]["stancebench"]
    assert report["headline"]["accuracy"]["value"] == pytest.approx(lm_eval_acc["acc,none"])
    perfect = write_jsonl(tmp_path / "perfect.jsonl", perfect_predictions(make_rows(60)[36:]))
    assert run("eval", "--predictions", str(perfect), "--release", str(release), "-o", str(tmp_path / "p.json")).exit_code == 0
    compared = run("compare", str(tmp_path / "lm.json"), str(tmp_path / "p.json"))
    assert compared.exit_code == 0 and "McNemar" in compared.output


# --- stancebench's own sample log and provenance ---------------------------------------------------------


def test_endpoint_log_samples_and_unparsable_rate(tmp_path, release):
    server = ChatServer()
    server.garbage_for = {"s037", "s040"}
    template = tmp_path / "prompt.txt"
    template.write_text("Who: {speaker}\nContext: {context}\nStatement: {text}\n{label_definitions}\nAnswer {labels}:")
    try:
        result = run("eval", "--endpoint", server.url, "--model-name", "tiny", "--release", str(release),
                     "--cache-dir", str(tmp_path / "cache"), "--log-samples", str(tmp_path / "s.jsonl"),
                     "--prompt-template", str(template), "-o", str(tmp_path / "r.json"))
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["coverage"]["n_unparsable"] == 2 and report["coverage"]["unparsable_rate"] == pytest.approx(2 / 24)
    assert "Unparsable answers" in result.output
    assert report["model"]["prompt_template_sha256"] == "sha256:" + hashlib.sha256(template.read_bytes()).hexdigest()
    samples = [json.loads(line) for line in (tmp_path / "s.jsonl").read_text().splitlines()]
    assert len(samples) == 24
    first = samples[0]
    assert first["id"] == "s036" and first["prompt"][1]["content"].startswith("Who: ")
    assert "- oppose: favours keeping them" in first["prompt"][1]["content"]
    assert first["answer"] == "Label: Support." and first["label"] == "support" == first["pred"]
    garbage = next(s for s in samples if s["id"] == "s037")
    assert garbage["label"] is None and garbage["pred"] is None and garbage["answer"] == "I would rather not say."


def test_log_samples_needs_a_language_model(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:]))
    result = run("eval", "--predictions", str(preds), "--release", str(release), "--log-samples", str(tmp_path / "s"))
    assert result.exit_code == 2 and "--log-samples needs a language model" in result.output
    shots = run("eval", "--model", str(REPO / "baselines/majority.py"), "--release", str(release), "--shots", "2")
    assert shots.exit_code == 2 and "--shots needs a language model" in shots.output


def test_report_provenance(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:]))
    result = run("eval", "--predictions", str(preds), "--release", str(release), "-o", str(tmp_path / "r.json"))
    assert result.exit_code == 0
    provenance = json.loads((tmp_path / "r.json").read_text())["provenance"]
    assert provenance["python"] == ".".join(map(str, sys.version_info[:3]))
    assert provenance["libraries"]["numpy"] and "stancebench" in provenance["libraries"]
    assert provenance["inputs"]["predictions"]["sha256"] == "sha256:" + hashlib.sha256(preds.read_bytes()).hexdigest()
    assert isinstance(provenance["command"], str)


def test_provenance_records_the_corpus_commit_and_redacts_urls(tmp_path):
    from stancebench.evaluation.provenance import collect

    if shutil.which("git") is None:
        pytest.skip("no git")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "f.txt").write_text("x")
    git = ["git", "-C", str(corpus), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "f.txt"], ["commit", "-qm", "one"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    block = collect(corpus=corpus, argv=["/usr/bin/stancebench", "eval", "--endpoint", "http://u:secret@h/v1"])
    assert block["corpus_git"] == {"commit": head, "dirty": False}
    assert block["command"] == "stancebench eval --endpoint 'http://***@h/v1'"
    (corpus / "f.txt").write_text("y")
    assert collect(corpus=corpus)["corpus_git"]["dirty"] is True
    assert collect(corpus=tmp_path / "elsewhere")["corpus_git"] is None


def test_cv_reports_record_each_items_fold(tmp_path, release):
    report = stancebench.evaluate(model=KeywordModel(), release=release, cv=3)
    report.save(tmp_path / "cv.json")
    saved = json.loads((tmp_path / "cv.json").read_text())["predictions"]
    folds = [item["fold"] for item in saved]
    assert folds == [item["fold"] for item in report.to_dict()["predictions"]]
    assert sorted(set(folds)) == [0, 1, 2] and len(folds) == 60
    speakers = {}
    for item, fold in zip((item["id"] for item in saved), folds, strict=True):
        speakers.setdefault(next(r["speaker"] for r in make_rows(60) if r["id"] == item), set()).add(fold)
    assert all(len(f) == 1 for f in speakers.values())  # a speaker's items share one fold


def test_readme_mentions_the_harness_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for text in ("--hf-model", "lm-eval-task", "--log-samples", "lm_eval --model"):
        assert text in readme
