"""Intervals that never mislead: stratified item bootstrap, too few clusters, no matching ids, capped quotes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

import stancebench
from stancebench.cli import cli
from stancebench.errors import StancebenchError, quoted
from stancebench.evaluation import metrics
from stancebench.evaluation.comparison import compare
from stancebench.evaluation.gold import load_gold
from tests.support import make_rows, perfect_predictions, write_jsonl, write_release

LABELS = ("support", "oppose", "hedge")


def _one_article_release(tmp_path, n: int):
    rows = make_rows(n)
    for row in rows:
        row["article_id"] = "a0"
    return rows, write_release(tmp_path / "release", {"train": make_rows(6, offset=500), "test": rows})


def test_perfect_predictor_gets_the_interval_1_1_on_the_bundled_release():
    # The bundled test split: 6 items (2 support, 1 oppose, 3 hedge). Resamples that lost the one
    # oppose item scored its F1 as 0: the interval was [0.667, 1.000]. They are now set aside.
    gold = load_gold("test")
    preds = dict(zip(gold.ids.to_pylist(), (LABELS[c] for c in gold.labels), strict=True))
    report = stancebench.evaluate(predictions=preds)
    for name in metrics.METRICS:
        assert report.headline[name] == (1.0, 1.0, 1.0)
    assert report.options["bootstrap_scheme"] == "items (resamples holding every gold class)"
    assert 500 < report.options["resamples_kept"] < 1000  # (5/6)^6 = 33% of resamples lose the oppose item
    stratified = stancebench.evaluate(predictions=preds, bootstrap="stratified")
    assert stratified.headline["macro_f1"] == (1.0, 1.0, 1.0)
    assert stratified.options["bootstrap_scheme"] == "items, stratified by gold class"


def test_a_constant_predictor_still_gets_an_interval(tmp_path, release, rows):
    # Its accuracy is the share of one class, which varies from sample to sample: not a zero-width interval.
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": r["id"], "label": "support"} for r in rows[36:]])
    report = stancebench.evaluate(predictions=str(preds), release=release)
    accuracy = report.headline["accuracy"]
    assert accuracy.value == pytest.approx(1 / 3) and accuracy.ci_low < accuracy.value < accuracy.ci_high
    stratified = stancebench.evaluate(predictions=str(preds), release=release, bootstrap="stratified")
    assert stratified.headline["accuracy"].ci_low == stratified.headline["accuracy"].ci_high  # why it is not the default


def test_resamples_losing_a_gold_class_are_set_aside():
    cm = np.array([[5, 1, 0, 1], [0, 1, 0, 0], [2, 0, 9, 0]])
    stack = metrics.bootstrap_confusions(cm, resamples=2000, seed=4)
    keep = metrics.holds_gold_classes(stack, cm)
    assert (stack[keep].sum(axis=2) > 0).all() and not (stack[~keep].sum(axis=2) > 0).all(axis=1).any()
    no_hedge = cm.copy()
    no_hedge[2] = 0
    draws = metrics.bootstrap_confusions(no_hedge, 50)
    # a class the data lacks is not asked of a resample
    assert (metrics.holds_gold_classes(draws, no_hedge) == (draws[:, :2].sum(axis=2) > 0).all(axis=1)).all()


def test_stratified_draws_keep_every_gold_row_size():
    cm = np.array([[5, 1, 0, 1], [0, 1, 0, 0], [2, 0, 9, 0]])
    stack = metrics.stratified_draws(cm, resamples=500, seed=4)
    assert stack.shape == (500, 3, 4)
    assert (stack.sum(axis=2) == cm.sum(axis=1)).all()
    assert (stack[:, 1, 1] == 1).all()  # a one-item row cannot change
    assert (stack[:, 0, 2] == 0).all()  # a cell with no items stays empty
    assert len({tuple(m.ravel()) for m in stack}) > 20  # the other rows do vary
    empty = metrics.stratified_draws(np.zeros((3, 4), dtype=int), resamples=3, seed=0)
    assert not empty.any()


def test_stratified_interval_still_brackets_an_imperfect_model():
    rng = np.random.default_rng(5)
    gold = rng.integers(0, 3, 400)
    pred = np.where(rng.random(400) < 0.7, gold, rng.integers(0, 3, 400))
    cm = metrics.confusion_matrix(gold, pred)
    low, high = metrics.percentile_interval(metrics.scores(metrics.bootstrap_confusions(cm, 1000, 0))["macro_f1"])
    assert low < metrics.scores(cm)["macro_f1"] < high
    assert 0.04 < high - low < 0.2


def test_one_article_cluster_bootstrap_warns_and_falls_back(tmp_path):
    rows, release = _one_article_release(tmp_path, 40)
    preds = perfect_predictions(rows)
    preds[0]["label"] = "hedge"
    path = write_jsonl(tmp_path / "p.jsonl", preds)
    report = stancebench.evaluate(predictions=str(path), release=release, bootstrap="article")
    assert ("--bootstrap article: only 1 article(s) in the gold, fewer than the 10 a cluster bootstrap needs for a "
            "meaningful interval; resampled items (resamples holding every gold class) instead") in report.warnings
    assert report.options["bootstrap"] == "article"
    assert report.options["bootstrap_scheme"] == "items (resamples holding every gold class)"
    low, high = report.headline["accuracy"].ci_low, report.headline["accuracy"].ci_high
    assert low < high  # no zero-width interval


def test_ten_articles_is_enough_for_a_cluster_bootstrap(tmp_path):
    rows = make_rows(40)  # article_id a0..a9: four items each
    release = write_release(tmp_path / "release", {"test": rows})
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": r["id"], "label": "support"} for r in rows])
    report = stancebench.evaluate(predictions=str(preds), release=release, bootstrap="article")
    assert report.options["bootstrap_scheme"] == "articles (10 clusters; resamples holding every gold class)"
    assert not any("--bootstrap article" in w for w in report.warnings)
    assert metrics.check_clusters(np.arange(9)) is not None and metrics.check_clusters(np.arange(10)) is None


def test_compare_by_article_on_one_article_no_longer_claims_p_0_002(tmp_path):
    # The case: a 0.025 accuracy difference on one article. Each resample of the one
    # article was the data itself, so every difference was +0.025 and p = 2/1001 = 0.002.
    rows, release = _one_article_release(tmp_path, 40)
    reports = []
    for name, wrong in (("a", 1), ("b", 0)):
        preds = perfect_predictions(rows)
        for pred in preds[:wrong]:
            pred["label"] = "hedge" if pred["label"] != "hedge" else "support"
        report = stancebench.evaluate(predictions=str(write_jsonl(tmp_path / f"{name}.jsonl", preds)), release=release)
        report.save(tmp_path / f"{name}.json")
        reports.append(tmp_path / f"{name}.json")
    by_article = compare(*reports, bootstrap="article")
    by_items = compare(*reports)
    assert by_article.metrics["accuracy"]["difference"] == pytest.approx(0.025)
    assert by_article.metrics["accuracy"]["p_value"] == by_items.metrics["accuracy"]["p_value"] > 0.5
    assert by_article.warnings == [
        "--bootstrap article: only 1 article(s) in the gold, fewer than the 10 a cluster bootstrap needs for a "
        "meaningful interval; resampled items (resamples holding every gold class) instead"
    ]
    result = CliRunner().invoke(cli, ["compare", str(reports[0]), str(reports[1]), "--bootstrap", "article"])
    assert result.exit_code == 0
    assert "Warning: --bootstrap article: only 1 article(s) in the gold" in result.output
    assert "paired bootstrap over items (resamples holding every gold class)" in " ".join(result.output.split())


def test_no_prediction_id_matching_the_gold_is_an_error(tmp_path, release):
    preds = write_jsonl(tmp_path / "p.jsonl", [{"id": f"x{i}", "label": "support"} for i in range(5)])
    with pytest.raises(StancebenchError) as err:
        stancebench.evaluate(predictions=str(preds), release=release)
    assert str(err.value) == (f"{preds}: no prediction id matches the gold test (24 items): predictions have 'x0', "
                              "'x1', gold has 's036', 's037'")
    result = CliRunner().invoke(cli, ["eval", "--predictions", str(preds), "--release", str(release)])
    assert result.exit_code == 1 and result.output.count("\n") == 1


def test_a_huge_unknown_id_is_not_echoed_whole(tmp_path, release, rows):
    huge = "z" * 5_000_000
    preds = perfect_predictions(rows[36:]) + [{"id": huge, "label": "support"}]
    report = stancebench.evaluate(predictions=str(write_jsonl(tmp_path / "p.jsonl", preds)), release=release)
    (warning,) = [w for w in report.warnings if "not in the gold" in w]
    assert len(warning) < 300 and "'" + "z" * 60 + "'…" in warning
    huge_matches = write_jsonl(tmp_path / "only_huge.jsonl", [{"id": huge, "label": "support"}])
    with pytest.raises(StancebenchError) as err:
        stancebench.evaluate(predictions=str(huge_matches), release=release)
    assert len(str(err.value)) < 300


def test_a_huge_unknown_label_is_not_echoed_whole(tmp_path, release, rows):
    preds = perfect_predictions(rows[36:])
    preds[3]["label"] = "q" * 1_000_000
    with pytest.raises(StancebenchError) as err:
        stancebench.evaluate(predictions=str(write_jsonl(tmp_path / "p.jsonl", preds)), release=release)
    assert len(str(err.value)) < 300 and "unknown label" in str(err.value)


def test_quoted_caps_and_keeps_short_values():
    assert quoted("abc") == "'abc'"
    assert quoted("x" * 61) == "'" + "x" * 60 + "'…"
    assert quoted(12) == "'12'"


def test_report_json_records_the_scheme(tmp_path, release, rows):
    preds = write_jsonl(tmp_path / "p.jsonl", perfect_predictions(rows[36:]))
    stancebench.evaluate(predictions=str(preds), release=release).save(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["options"]["bootstrap_scheme"] == (
        "items (resamples holding every gold class)")


def test_compare_by_article_with_enough_articles(tmp_path):
    rows = make_rows(48)  # a0..a11
    release = write_release(tmp_path / "release", {"test": rows})
    paths = []
    for name, preds in (("weak", [{"id": r["id"], "label": "support"} for r in rows]), ("good", perfect_predictions(rows))):
        stancebench.evaluate(predictions=str(write_jsonl(tmp_path / f"{name}.jsonl", preds)), release=release).save(
            tmp_path / f"{name}.json")
        paths.append(str(tmp_path / f"{name}.json"))
    result = CliRunner().invoke(cli, ["compare", *paths, "--bootstrap", "article", "-o", str(tmp_path / "c.json")])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert "paired bootstrap over articles (12 clusters;" in " ".join(result.output.split())
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["options"]["bootstrap_scheme"].startswith("articles (12 clusters") and data["warnings"] == []
