"""`stancebench.evaluation.scoring`: gold sets, joins, coverage, models, cross-validation, reports."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

import stancebench
from stancebench.errors import StancebenchError
from stancebench.evaluation.comparison import compare
from stancebench.evaluation.gold import load_gold
from stancebench.evaluation.report import Report, load_report
from stancebench.release.dataset import packaged_release_dir
from stancebench.schema import STANCE_LABELS, gold_columns_hash, gold_content_hash
from tests.support import KeywordModel, perfect_predictions, write_jsonl


def test_perfect_predictions_score_one_with_degenerate_intervals(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "preds.jsonl", perfect_predictions(rows[36:]))
    report = stancebench.evaluate(predictions=str(preds), release=release)
    for name in ("accuracy", "macro_f1", "f_avg"):
        assert report.headline[name] == (1.0, 1.0, 1.0)
    assert report.coverage["coverage"] == 1.0
    assert report.dataset["split"] == "test" and report.dataset["n_items"] == 24
    assert report.dataset["version"] == "0.1.0"


def test_missing_predictions_count_as_wrong_and_unknown_ids_are_ignored(tmp_path, release, rows):
    preds = perfect_predictions(rows[36:])
    dropped = preds.pop(0)
    preds.append({"id": "not-in-gold", "label": "support"})
    report = stancebench.evaluate(predictions=str(write_jsonl(tmp_path / "p.jsonl", preds)), release=release)
    assert report.coverage["n_missing"] == 1 and report.coverage["n_predicted"] == 23
    assert report.coverage["n_unknown_ids"] == 1 and report.coverage["unknown_ids"] == ["not-in-gold"]
    assert report.headline["accuracy"].value == pytest.approx(23 / 24)
    gold_row = STANCE_LABELS.index(dropped["label"])
    assert report.confusion[gold_row, 3] == 1
    item = next(p for p in report.to_dict()["predictions"] if p["id"] == dropped["id"])
    article = next(r["article_id"] for r in rows if r["id"] == dropped["id"])
    assert item == {"id": dropped["id"], "gold": dropped["label"], "pred": None, "article_id": article}


def test_metrics_match_sklearn_through_the_whole_path(tmp_path, release, rows):
    rng = np.random.default_rng(0)
    test = rows[36:]
    labels = [STANCE_LABELS[int(x)] for x in rng.integers(0, 3, len(test))]
    path = tmp_path / "p.csv"
    path.write_text("id,label\n" + "".join(f"{r['id']},{lab.upper()}\n" for r, lab in zip(test, labels, strict=True)))
    report = stancebench.evaluate(predictions=str(path), release=release)
    gold = [STANCE_LABELS[r["label"]] for r in test]
    expected = f1_score(gold, labels, labels=list(STANCE_LABELS), average="macro", zero_division=0)
    assert report.headline["macro_f1"].value == pytest.approx(expected)
    low, high = report.headline["macro_f1"].ci_low, report.headline["macro_f1"].ci_high
    assert low <= report.headline["macro_f1"].value <= high


def test_dict_of_predictions_and_label_map(release, rows):
    mapping = {r["id"]: ["FAVOR", "AGAINST", "NONE"][r["label"]] for r in rows[36:]}
    report = stancebench.evaluate(predictions=mapping, release=release, label_map="FAVOR=support,AGAINST=oppose,NONE=hedge")
    assert report.headline["accuracy"].value == 1.0
    assert report.options["label_map"] == {"favor": "support", "against": "oppose", "none": "hedge"}


def test_model_is_fitted_on_train_and_described(release):
    model = KeywordModel(default="hedge")
    report = stancebench.evaluate(model=model, release=release)
    assert model.seen_ == 36
    assert report.model["params"] == {"default": "hedge"}
    assert report.model["class"].endswith("KeywordModel")
    assert report.headline["accuracy"].value == 1.0


def test_cross_validation_scores_every_item_out_of_fold(release):
    report = stancebench.evaluate(model=KeywordModel(), release=release, cv=3)
    assert report.dataset["n_items"] == 60 and report.options["cv"] == 3 and report.dataset["split"] is None
    assert report.coverage["coverage"] == 1.0


def test_cv_needs_a_model_that_fits(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows))
    with pytest.raises(StancebenchError, match="--cv needs a model with fit"):
        stancebench.evaluate(predictions=str(preds), release=release, cv=3)


def test_gold_file_with_split_column_agrees_with_release(tmp_path, release, rows):
    records = [{**r, "label": STANCE_LABELS[r["label"]], "split": "train" if i < 36 else "test"}
               for i, r in enumerate(rows)]
    gold = write_jsonl(tmp_path / "extended.jsonl", records)
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:]))
    from_release = stancebench.evaluate(predictions=str(preds), release=release)
    from_file = stancebench.evaluate(predictions=str(preds), gold_file=gold)
    assert from_file.dataset["content_hash"] == from_release.dataset["content_hash"]
    assert from_file.dataset["n_items"] == 24
    # so the two reports can be compared
    assert compare(from_release, from_file, resamples=50).metrics["accuracy"]["difference"] == 0


def test_gold_file_in_csv_with_int_labels_and_off_target_rows(tmp_path, rows):
    path = tmp_path / "gold.csv"
    lines = ["id,text,label,speaker"] + [f"{r['id']},\"{r['text']}\",{r['label']},{r['speaker']}" for r in rows[:9]]
    lines.append('x1,"About the aid package.",off_target,Someone')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    gold = load_gold(gold_file=path)
    assert len(gold) == 9 and gold.split is None
    assert gold.warnings == [f"{path}: left out 1 off_target item(s) (not a benchmark class)"]


def _hash_oracle(triples) -> str:
    # The definition, written out in plain Python: sorted triples as JSON lines.
    digest = hashlib.sha256()
    for triple in sorted(triples):
        digest.update(json.dumps(list(triple), ensure_ascii=False).encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()


def test_gold_hash_is_the_release_hash_and_matches_its_definition(tmp_path, release, rows):
    test = load_gold("test", release=release)
    assert test.content_hash == _hash_oracle((r["id"], r["text"], STANCE_LABELS[r["label"]]) for r in rows[36:])
    assert load_gold(None, release=release).content_hash == test.release_content_hash  # write_release hashes all rows
    bundled = load_gold(None)
    info = json.loads((packaged_release_dir() / "release.json").read_text(encoding="utf-8"))
    assert bundled.content_hash == info["content_hash"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.text(max_size=20), st.sampled_from(STANCE_LABELS)),
                max_size=20))
def test_gold_hash_matches_its_definition_on_any_text(triples):
    assert gold_content_hash(triples) == _hash_oracle(triples)  # repeated ids included
    unique = list({i: (i, t, label) for i, t, label in triples}.values())
    ids, texts = (pa.array([row[k] for row in unique], type=pa.string()) for k in (0, 1))
    codes = pa.array([STANCE_LABELS.index(row[2]) for row in unique], type=pa.int8())
    labels = pa.DictionaryArray.from_arrays(codes, pa.array(STANCE_LABELS))
    assert gold_columns_hash(ids, texts, labels) == _hash_oracle(unique)


def test_breakdowns_by_quote_type_and_affiliation(tmp_path, release, rows):
    preds = perfect_predictions(rows[36:])
    preds[0]["label"] = "hedge" if preds[0]["label"] != "hedge" else "support"
    report = stancebench.evaluate(predictions=str(write_jsonl(tmp_path / "p.jsonl", preds)), release=release)
    by_type = {g["value"]: g for g in report.breakdowns["quote_type"]}
    assert by_type["direct"]["n"] == 12 and by_type["direct"]["accuracy"] == pytest.approx(11 / 12)
    assert by_type["indirect"]["accuracy"] == 1.0
    assert sum(g["n"] for g in report.breakdowns["speaker_affiliation"]) == 24
    # each group carries its own bootstrap interval: a perfect group cannot vary, an imperfect one can
    assert by_type["indirect"]["accuracy_ci"] == [1.0, 1.0]
    assert by_type["indirect"]["macro_f1_ci"] == [1.0, 1.0]  # a class absent from a resample is not scored 0
    low, high = by_type["direct"]["accuracy_ci"]
    assert low < 11 / 12 <= high <= 1.0 and low >= 0.5
    assert by_type["direct"]["macro_f1_ci"][0] <= by_type["direct"]["macro_f1"] <= by_type["direct"]["macro_f1_ci"][1]


def test_article_cluster_bootstrap_is_wider_or_equal_in_spirit(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": r["id"], "label": "support"} for r in rows[36:]])
    items = stancebench.evaluate(predictions=str(preds), release=release)
    articles = stancebench.evaluate(predictions=str(preds), release=release, bootstrap="article")
    assert articles.options["bootstrap"] == "article"
    assert articles.headline["accuracy"].value == items.headline["accuracy"].value


def test_report_round_trips_through_json(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:])[:20])
    report = stancebench.evaluate(predictions=str(preds), release=release, resamples=200, seed=3)
    report.save(tmp_path / "report.json")
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["schema_version"] == 1 and data["stancebench_version"] == stancebench.__version__
    assert data["options"]["resamples"] == 200 and data["options"]["seed"] == 3
    assert data["confusion_matrix"]["columns"] == ["support", "oppose", "hedge", "missing"]
    assert set(data["timings"]) >= {"load_gold", "read_predictions", "join", "metrics", "bootstrap", "total"}
    again = load_report(tmp_path / "report.json")
    assert again.headline == report.headline and again.ids == report.ids
    assert isinstance(again, Report)
    text = report.as_table()
    assert "Macro-F1" in text and "missing" in text


def test_plot_writes_a_png(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:]))
    stancebench.evaluate(predictions=str(preds), release=release).plot(tmp_path / "cm.png")
    assert (tmp_path / "cm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_stays_callable_after_the_module_is_imported(release, rows):
    import stancebench.evaluation.scoring as module  # noqa: F401 - sets the package attribute to the module

    report = stancebench.evaluate(predictions={r["id"]: "support" for r in rows[36:]}, release=release)
    assert report.coverage["coverage"] == 1.0


def test_missing_release_and_split(tmp_path, release):
    with pytest.raises(StancebenchError, match=r"release folder .*nowhere not found: build it with 'stancebench build'"):
        load_gold(release=tmp_path / "nowhere")
    with pytest.raises(StancebenchError, match=r"has no split 'dev' \(splits: test, train\)"):
        load_gold("dev", release=release)


def test_gold_with_duplicate_ids_is_refused(tmp_path, rows):
    path = tmp_path / "gold.parquet"
    table = pa.Table.from_pylist([rows[0], rows[1], rows[0]])
    pq.write_table(table, path)
    with pytest.raises(StancebenchError, match=r"gold\.parquet:3: duplicate id 's000' \(first on line 1\)"):
        load_gold(gold_file=path)


def test_evaluate_takes_predictions_or_a_model_explicitly(tmp_path, release, rows):
    marker = tmp_path / "ran"
    script = tmp_path / "preds.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    with pytest.raises(StancebenchError, match=r"preds\.py: unknown file type '\.py' for predictions"):
        stancebench.evaluate(predictions=str(script), release=release)
    with pytest.raises(StancebenchError, match=r"json:loads: unknown file type \(no suffix\)"):
        stancebench.evaluate(predictions="json:loads", release=release)
    assert not marker.exists()
    with pytest.raises(StancebenchError, match=r"give exactly one of predictions=\.\.\. \(a file or dict\) or model="):
        stancebench.evaluate(release=release)
    with pytest.raises(StancebenchError, match="give exactly one of"):
        stancebench.evaluate(predictions={"s036": "support"}, model=KeywordModel(), release=release)
    with pytest.raises(StancebenchError, match="model= takes an object with predict"):
        stancebench.evaluate(model=3, release=release)
    with pytest.raises(TypeError):
        stancebench.evaluate(str(script), release=release)  # no positional argument to sniff
    model = tmp_path / "model.py"
    model.write_text("from tests.support import KeywordModel\nmodel = KeywordModel\n", encoding="utf-8")
    report = stancebench.evaluate(model=str(model), release=release)
    assert report.model["spec"] == str(model) and report.model["type"] == "python"


def test_saved_report_is_json_with_one_prediction_a_line(tmp_path, rows):
    odd = [dict(r, id=f'{r["id"]}"\\\n\u00e9') for r in rows]  # ids that JSON must escape
    gold = write_jsonl(tmp_path / "gold.jsonl", [dict(r, label=STANCE_LABELS[r["label"]]) for r in odd])
    preds = {r["id"]: STANCE_LABELS[r["label"]] for r in odd[1:]}
    report = stancebench.evaluate(predictions=preds, gold_file=gold, split="all")
    report.save(tmp_path / "r.json")
    text = (tmp_path / "r.json").read_text(encoding="utf-8")
    assert json.loads(text) == json.loads(json.dumps(report.to_dict()))
    lines = text.splitlines()
    start = lines.index(' "predictions": [')
    assert len(lines) - start - 3 == len(odd) and lines[start + 1].startswith('{"id": ')
    assert load_report(tmp_path / "r.json").ids == report.ids


def test_a_predictions_file_on_the_bundled_release_never_imports_pandas(tmp_path):
    code = ("import json, sys\nfrom stancebench.evaluation.gold import load_gold\n"
            "from stancebench.evaluation.scoring import evaluate\n"
            f"path = {str(tmp_path / 'p.jsonl')!r}\n"
            "ids = load_gold('test').ids.to_pylist()\n"
            "open(path, 'w').writelines(json.dumps({'id': i, 'label': 'hedge'}) + '\\n' for i in ids)\n"
            f"evaluate(predictions=path).save({str(tmp_path / 'r.json')!r})\n"
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "False"
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["coverage"]["coverage"] == 1.0
