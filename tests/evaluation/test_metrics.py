"""Metrics against scikit-learn and against a confusion matrix worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from stancebench.evaluation import metrics

LABELS = [0, 1, 2]

# gold in 0..2, predictions in 0..3 (3 = missing); short lists hit the zero-division cases often.
pairs = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
        st.lists(st.integers(0, 3), min_size=n, max_size=n),
    )
)


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_scores_agree_with_sklearn(pair):
    gold, pred = (np.array(x) for x in pair)
    cm = metrics.confusion_matrix(gold, pred)
    got = metrics.scores(cm)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=LABELS, zero_division=0
    )
    assert got["accuracy"] == pytest.approx(accuracy_score(gold, pred))
    assert got["macro_f1"] == pytest.approx(f1_score(gold, pred, labels=LABELS, average="macro", zero_division=0))
    assert got["f_avg"] == pytest.approx(f1_score(gold, pred, labels=[0, 1], average="macro", zero_division=0))
    np.testing.assert_allclose(got["precision"], precision)
    np.testing.assert_allclose(got["recall"], recall)
    np.testing.assert_allclose(got["f1"], f1)
    np.testing.assert_array_equal(got["support"], support)
    np.testing.assert_array_equal(cm, sk_confusion_matrix(gold, pred, labels=[0, 1, 2, 3])[:3])
    assert got["coverage"] == pytest.approx(np.mean(pred != 3))


@settings(max_examples=50, deadline=None)
@given(pairs)
def test_bootstrap_stack_scores_match_single_matrix_scores(pair):
    gold, pred = (np.array(x) for x in pair)
    stack = metrics.bootstrap_confusions(metrics.confusion_matrix(gold, pred), resamples=7, seed=1)
    assert stack.shape == (7, 3, 4)
    assert (stack.sum(axis=(1, 2)) == len(gold)).all()
    batched = metrics.scores(stack)
    for i in range(7):
        single = metrics.scores(stack[i])
        for name in ("accuracy", "macro_f1", "f_avg"):
            assert batched[name][i] == pytest.approx(single[name])


def test_hand_computed_confusion_matrix():
    # gold:  S S S O O H H H H ; pred: S O - O O H S H -   (- = missing)
    gold = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    pred = np.array([0, 1, 3, 1, 1, 2, 0, 2, 3])
    cm = metrics.confusion_matrix(gold, pred)
    assert cm.tolist() == [[1, 1, 0, 1], [0, 2, 0, 0], [1, 0, 2, 1]]
    got = metrics.scores(cm)
    # support: P = 1/2, R = 1/3, F1 = 2/5; oppose: P = 2/3, R = 1, F1 = 4/5; hedge: P = 1, R = 1/2, F1 = 2/3
    assert got["precision"].tolist() == pytest.approx([1 / 2, 2 / 3, 1])
    assert got["recall"].tolist() == pytest.approx([1 / 3, 1, 1 / 2])
    assert got["f1"].tolist() == pytest.approx([2 / 5, 4 / 5, 2 / 3])
    assert got["accuracy"] == pytest.approx(5 / 9)
    assert got["macro_f1"] == pytest.approx((2 / 5 + 4 / 5 + 2 / 3) / 3)
    assert got["f_avg"] == pytest.approx((2 / 5 + 4 / 5) / 2)
    assert got["coverage"] == pytest.approx(7 / 9)
    assert got["support"].tolist() == [3, 2, 4]


def test_zero_division_is_zero_like_sklearn():
    # No item is gold or predicted 'hedge': its P, R and F1 are 0 and it still counts in macro-F1.
    got = metrics.scores(metrics.confusion_matrix(np.array([0, 1]), np.array([0, 1])))
    assert got["f1"].tolist() == [1, 1, 0]
    assert got["macro_f1"] == pytest.approx(2 / 3)
    empty = metrics.scores(np.zeros((3, 4)))
    assert empty["accuracy"] == 0 and empty["macro_f1"] == 0


def test_bootstrap_interval_brackets_the_estimate_and_is_seeded():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 500)
    pred = np.where(rng.random(500) < 0.7, gold, rng.integers(0, 4, 500))
    cm = metrics.confusion_matrix(gold, pred)
    first = metrics.scores(metrics.bootstrap_confusions(cm, 1000, seed=3))["macro_f1"]
    again = metrics.scores(metrics.bootstrap_confusions(cm, 1000, seed=3))["macro_f1"]
    np.testing.assert_array_equal(first, again)
    low, high = metrics.percentile_interval(first)
    assert low < metrics.scores(cm)["macro_f1"] < high
    assert 0.02 < high - low < 0.2


def test_multinomial_bootstrap_matches_row_resampling_in_distribution():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 3, 300)
    pred = np.where(rng.random(300) < 0.6, gold, rng.integers(0, 3, 300))
    fast = metrics.scores(metrics.bootstrap_confusions(metrics.confusion_matrix(gold, pred), 2000, seed=2))["macro_f1"]
    slow = []
    for _ in range(400):
        rows = rng.integers(0, 300, 300)
        slow.append(f1_score(gold[rows], pred[rows], labels=LABELS, average="macro", zero_division=0))
    assert np.std(fast) == pytest.approx(np.std(slow), rel=0.2)
    assert np.mean(fast) == pytest.approx(np.mean(slow), abs=0.01)


def test_cluster_bootstrap_keeps_row_totals_in_whole_clusters():
    gold = np.array([0, 1, 2, 0, 1, 2])
    pred = np.array([0, 1, 2, 1, 1, 3])
    clusters = np.array(["a", "a", "a", "b", "b", "c"])
    stack = metrics.cluster_bootstrap_confusions(gold, pred, clusters, resamples=200, seed=0)
    assert stack.shape == (200, 3, 4)
    sizes = set(stack.sum(axis=(1, 2)).tolist())
    assert sizes <= {3 * a + 2 * b + c for a in range(4) for b in range(4) for c in range(4) if a + b + c == 3}


def test_paired_bootstrap_identical_models_have_no_difference():
    gold = np.array([0, 1, 2, 0, 1, 2, 0])
    pred = np.array([0, 1, 1, 0, 2, 2, 3])
    result = metrics.paired_bootstrap(metrics.paired_cells(gold, pred, pred), resamples=200)
    for name in metrics.METRICS:
        assert result[name]["difference"] == 0
        assert result[name]["ci_low"] == result[name]["ci_high"] == 0
        assert result[name]["p_value"] == 1


def test_paired_bootstrap_detects_a_clearly_better_model():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 1000)
    good = np.where(rng.random(1000) < 0.9, gold, (gold + 1) % 3)
    bad = np.where(rng.random(1000) < 0.5, gold, (gold + 1) % 3)
    result = metrics.paired_bootstrap(metrics.paired_cells(gold, bad, good), resamples=1000, seed=0)
    assert result["accuracy"]["difference"] > 0.3
    assert result["accuracy"]["ci_low"] > 0
    assert result["accuracy"]["p_value"] < 0.01
    assert metrics.mcnemar_exact(bad == gold, good == gold)["p_value"] < 1e-6


def test_paired_cluster_bootstrap_keeps_articles_whole_and_is_wider():
    rng = np.random.default_rng(1)
    gold = rng.integers(0, 3, 600)
    clusters = np.repeat(np.arange(30), 20)
    # B is better on half the articles and worse on the other half: correlated within articles
    better = np.isin(clusters, np.arange(15))
    a = np.where(rng.random(600) < 0.6, gold, (gold + 1) % 3)
    b = np.where(better, gold, (gold + 2) % 3)
    items = metrics.paired_bootstrap(metrics.paired_cells(gold, a, b), resamples=500, seed=0)
    by_article = metrics.paired_cluster_bootstrap(gold, a, b, clusters, resamples=500, seed=0)
    assert by_article["accuracy"]["difference"] == items["accuracy"]["difference"]  # same point estimate
    width = lambda r: r["accuracy"]["ci_high"] - r["accuracy"]["ci_low"]  # noqa: E731
    assert width(by_article) > 1.5 * width(items)
    same = metrics.paired_cluster_bootstrap(gold, a, a, clusters, resamples=100, seed=0)
    assert same["macro_f1"]["difference"] == 0 and same["macro_f1"]["p_value"] == 1


def test_mcnemar_exact_matches_statsmodels_on_a_small_table():
    from statsmodels.stats.contingency_tables import mcnemar

    a = np.array([1, 1, 1, 0, 0, 1, 0, 1], dtype=bool)
    b = np.array([1, 0, 0, 1, 0, 0, 0, 1], dtype=bool)
    got = metrics.mcnemar_exact(a, b)
    assert (got["only_a_correct"], got["only_b_correct"]) == (3, 1)
    assert got["p_value"] == pytest.approx(mcnemar([[2, 3], [1, 2]], exact=True).pvalue)
