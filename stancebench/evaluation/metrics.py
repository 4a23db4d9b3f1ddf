"""Accuracy, macro-F1, F_avg and per-class scores from confusion matrices, with bootstrap intervals.

Everything here works on confusion matrices, vectorised over any leading axes: a single
matrix has shape (3, 4), a bootstrap stack (resamples, 3, 4). Rows are the gold classes in
`schema.STANCE_LABELS` order; columns are the predicted classes plus a fourth "missing" column
for items the model gave no label, so a missing prediction counts against recall (and
accuracy) but not against any class's precision. This is exactly scikit-learn's behaviour
when the missing items are given a label outside `labels=[0, 1, 2]`.

Zero division follows scikit-learn's `zero_division=0`: a precision, recall or F1 whose
denominator is 0 is 0 (F1 = 2·tp / (2·tp + fp + fn), so a class absent from both gold and
predictions scores 0 and still counts in the macro average, as with `labels=[0, 1, 2]`).

Bootstrap intervals draw resampled confusion matrices directly: resampling N rows with
replacement gives cell counts ~ Multinomial(N, cm / N), so drawing the 12 cells is exact for
every metric that is a function of the confusion matrix (all of them here) and costs
microseconds instead of a loop over N rows.

A resample that loses a gold class the data has is set aside (`holds_gold_classes`): on it the
class's F1 would be 0 by zero division, so a perfect predictor's macro-F1 interval was
[0.667, 1.000] on a test split with one `oppose` item. Keeping only resamples that hold every
gold class conditions the bootstrap on the classes being there, which is what the metric
assumes; the class proportions still vary, so a constant predictor's accuracy still gets an
interval. `stratified_draws` (`--bootstrap stratified`) instead fixes each class's count,
resampling within gold class: narrower, and zero-width for a predictor that ignores its input.

The cluster (article) bootstrap needs enough clusters to say anything: with fewer than
`MIN_CLUSTERS` the resamples barely differ from the data (one article: every resample is the
data, a zero-width interval and p = 0.002 for any difference), so `check_clusters` refuses and
callers fall back to the item bootstrap with a one-line warning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "N_CLASSES",
    "MISSING",
    "METRICS",
    "confusion_matrix",
    "grouped_confusion_matrices",
    "scores",
    "MIN_CLUSTERS",
    "ITEM_SCHEME",
    "STRATIFIED_SCHEME",
    "holds_gold_classes",
    "bootstrap_confusions",
    "stratified_draws",
    "check_clusters",
    "cluster_bootstrap_confusions",
    "percentile_interval",
    "paired_cells",
    "paired_bootstrap",
    "paired_cluster_bootstrap",
    "mcnemar_exact",
]

#: Number of benchmark classes (support, oppose, hedge).
N_CLASSES = 3
#: Prediction code for "no prediction"; the confusion matrix's fourth column.
MISSING = N_CLASSES
#: The headline metrics, in report order.
METRICS: tuple[str, ...] = ("accuracy", "macro_f1", "f_avg")
_SUPPORT, _OPPOSE = 0, 1
#: Fewest clusters (articles) a cluster bootstrap is run on; below it the item bootstrap is used instead.
MIN_CLUSTERS = 10
#: How the item bootstraps resample, as recorded in reports.
ITEM_SCHEME = "items (resamples holding every gold class)"
STRATIFIED_SCHEME = "items, stratified by gold class"


def confusion_matrix(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """(3, 4) counts: rows gold codes 0..2, columns predicted codes 0..2 and 3 = missing."""
    gold = np.asarray(gold, dtype=np.int64)
    pred = np.asarray(pred, dtype=np.int64)
    width = N_CLASSES + 1
    return np.bincount(gold * width + pred, minlength=N_CLASSES * width).reshape(N_CLASSES, width)


def grouped_confusion_matrices(gold: np.ndarray, pred: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """(n_groups, 3, 4): one confusion matrix per group code, in one `bincount`."""
    width = N_CLASSES + 1
    cells = N_CLASSES * width
    index = np.asarray(groups, dtype=np.int64) * cells + np.asarray(gold, dtype=np.int64) * width + pred
    return np.bincount(index, minlength=n_groups * cells).reshape(n_groups, N_CLASSES, width)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    # zero_division=0, as scikit-learn: 0/0 and x/0 are 0.
    out = np.zeros(np.broadcast(numerator, denominator).shape, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def scores(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Every metric from confusion matrices of shape (..., 3, 3) or (..., 3, 4).

    Returns arrays over the leading axes: `accuracy`, `macro_f1`, `f_avg` (mean F1 of
    support and oppose, SemEval-2016 Task 6), `coverage`, and per class (last axis 3)
    `precision`, `recall`, `f1`, `support`.
    """
    cm = np.asarray(cm, dtype=np.float64)
    square = cm[..., :N_CLASSES, :N_CLASSES]
    tp = np.diagonal(square, axis1=-2, axis2=-1)
    gold_total = cm.sum(axis=-1)  # includes the missing column: missing counts against recall
    pred_total = square.sum(axis=-2)
    total = gold_total.sum(axis=-1)
    fp = pred_total - tp
    fn = gold_total - tp
    precision = _divide(tp, pred_total)
    recall = _divide(tp, gold_total)
    f1 = _divide(2 * tp, 2 * tp + fp + fn)
    predicted = square.sum(axis=(-2, -1))
    return {
        "accuracy": _divide(tp.sum(axis=-1), total),
        "macro_f1": f1.mean(axis=-1),
        "f_avg": (f1[..., _SUPPORT] + f1[..., _OPPOSE]) / 2,
        "coverage": _divide(predicted, total),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "support": gold_total,
    }


def stratified_draws(cells: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """(resamples, *cells.shape) resamples of `cells` (gold class first), each gold row redrawn with its own size.

    Row k (all cells with gold class k, e.g. 4 for a confusion matrix, 16 for paired cells) is
    Multinomial(n_k, row / n_k): resampling the items of each gold class with replacement.
    """
    cells = np.asarray(cells, dtype=np.int64)
    rows = cells.reshape(cells.shape[0], -1)
    sizes = rows.sum(axis=1)
    # An empty row draws 0 items from any distribution; give it a valid one.
    pvals = np.where(sizes[:, None] > 0, rows / np.maximum(sizes, 1)[:, None], 1 / rows.shape[1])
    draws = np.random.default_rng(seed).multinomial(sizes, pvals, size=(resamples, len(sizes)))
    return draws.reshape(resamples, *cells.shape)


def bootstrap_confusions(cm: np.ndarray, resamples: int = 1000, seed: int = 0) -> np.ndarray:
    """(resamples, *cm.shape) confusion matrices of N-row resamples (multinomial over the cells)."""
    cm = np.asarray(cm, dtype=np.int64)
    total = int(cm.sum())
    rng = np.random.default_rng(seed)
    if total == 0:
        return np.zeros((resamples, *cm.shape), dtype=np.int64)
    draws = rng.multinomial(total, cm.ravel() / total, size=resamples)
    return draws.reshape(resamples, *cm.shape)


def holds_gold_classes(stack: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """(resamples,) bool: does each resample hold every gold class (first axis after the resamples) the data holds?

    All True when no resample does (a degenerate draw), so an interval is always computed.
    """
    stack, cells = np.asarray(stack), np.asarray(cells)
    present = cells.reshape(cells.shape[0], -1).sum(axis=1) > 0
    drawn = stack.reshape(len(stack), cells.shape[0], -1).sum(axis=2) > 0
    keep = (drawn | ~present).all(axis=1)
    return keep if keep.any() else np.ones(len(stack), dtype=bool)


def check_clusters(clusters: np.ndarray, unit: str = "article") -> str | None:
    """None when there are enough clusters for a cluster bootstrap, else the one-line reason there are not."""
    n_clusters = len(np.unique(np.asarray(clusters)))
    if n_clusters >= MIN_CLUSTERS:
        return None
    return (f"--bootstrap {unit}: only {n_clusters} {unit}(s) in the gold, fewer than the {MIN_CLUSTERS} a cluster "
            f"bootstrap needs for a meaningful interval; resampled {ITEM_SCHEME} instead")


def cluster_bootstrap_confusions(
    gold: np.ndarray, pred: np.ndarray, clusters: np.ndarray, resamples: int = 1000, seed: int = 0
) -> np.ndarray:
    """(resamples, 3, 4) confusion matrices from resampling whole clusters (e.g. articles).

    Items from one article share context and speakers, so they are not independent; drawing
    articles with replacement gives wider, more honest intervals. Each resample's matrix is
    the per-cluster matrices weighted by how often each cluster was drawn (a multinomial).
    """
    codes, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    n_clusters = len(codes)
    per_cluster = grouped_confusion_matrices(gold, pred, inverse, n_clusters).reshape(n_clusters, -1)
    rng = np.random.default_rng(seed)
    if n_clusters == 0:
        return np.zeros((resamples, N_CLASSES, N_CLASSES + 1), dtype=np.int64)
    weights = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=resamples)
    return (weights @ per_cluster).reshape(resamples, N_CLASSES, N_CLASSES + 1)


def percentile_interval(values: np.ndarray, level: float = 0.95, keep: np.ndarray | None = None,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval over the first axis, over the resamples `keep` marks: (low, high)."""
    alpha = (1 - level) / 2
    values = np.asarray(values, dtype=np.float64)
    if keep is not None:
        values = values[keep]
    low, high = np.quantile(values, [alpha, 1 - alpha], axis=0)
    return low, high


def paired_cells(gold: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray) -> np.ndarray:
    """(3, 4, 4) counts of (gold, prediction A, prediction B) over the same items."""
    width = N_CLASSES + 1
    index = (np.asarray(gold, dtype=np.int64) * width + pred_a) * width + pred_b
    return np.bincount(index, minlength=N_CLASSES * width * width).reshape(N_CLASSES, width, width)


def paired_bootstrap(
    cells: np.ndarray, resamples: int = 1000, seed: int = 0, metrics: Sequence[str] = METRICS, stratified: bool = False,
) -> dict[str, dict[str, float]]:
    """Difference B − A per metric, with a 95% percentile interval and a two-sided p-value.

    `cells` are (gold, A, B) counts from `paired_cells`; resampling items (within gold class when
    `stratified`) keeps each item's two predictions together, so the interval accounts for the
    models' correlation; resamples that lose a gold class are set aside. The
    p-value is the bootstrap sign test 2·min(P(d ≤ 0), P(d ≥ 0)) with the usual +1
    correction, capped at 1; identical models get p = 1.
    """
    cells = np.asarray(cells, dtype=np.int64)
    draws = stratified_draws(cells, resamples, seed) if stratified else bootstrap_confusions(cells, resamples, seed)
    return _paired_summary(cells, draws, metrics)


def paired_cluster_bootstrap(
    gold: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, clusters: np.ndarray,
    resamples: int = 1000, seed: int = 0, metrics: Sequence[str] = METRICS,
) -> dict[str, dict[str, float]]:
    """As `paired_bootstrap`, resampling whole clusters (articles) with both predictions kept together."""
    _, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    n_clusters = int(inverse.max()) + 1 if len(inverse) else 0
    width = N_CLASSES + 1
    index = ((np.asarray(gold, dtype=np.int64) * width + pred_a) * width + pred_b) + inverse * (N_CLASSES * width * width)
    per_cluster = np.bincount(index, minlength=n_clusters * N_CLASSES * width * width).reshape(n_clusters, -1)
    weights = np.random.default_rng(seed).multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=resamples)
    draws = (weights @ per_cluster).reshape(resamples, N_CLASSES, width, width)
    return _paired_summary(per_cluster.sum(axis=0).reshape(N_CLASSES, width, width), draws, metrics)


def _paired_summary(cells: np.ndarray, draws: np.ndarray, metrics: Sequence[str]) -> dict[str, dict[str, float]]:
    draws = draws[holds_gold_classes(draws, cells)]
    resamples = len(draws)
    cm_a, cm_b = cells.sum(axis=2), cells.sum(axis=1)
    point_a, point_b = scores(cm_a), scores(cm_b)
    boot_a, boot_b = scores(draws.sum(axis=3)), scores(draws.sum(axis=2))
    out: dict[str, dict[str, float]] = {}
    for name in metrics:
        diff = boot_b[name] - boot_a[name]
        low, high = percentile_interval(diff)
        at_most = (1 + np.count_nonzero(diff <= 0)) / (resamples + 1)
        at_least = (1 + np.count_nonzero(diff >= 0)) / (resamples + 1)
        out[name] = {
            "a": float(point_a[name]),
            "b": float(point_b[name]),
            "difference": float(point_b[name] - point_a[name]),
            "ci_low": float(low),
            "ci_high": float(high),
            "p_value": float(min(1.0, 2 * min(at_most, at_least))),
        }
    return out


def mcnemar_exact(correct_a: np.ndarray, correct_b: np.ndarray) -> dict[str, float]:
    """McNemar's exact test on per-item correctness (statsmodels): discordant counts and p-value."""
    from statsmodels.stats.contingency_tables import mcnemar

    correct_a = np.asarray(correct_a, dtype=bool)
    correct_b = np.asarray(correct_b, dtype=bool)
    only_a = int(np.count_nonzero(correct_a & ~correct_b))
    only_b = int(np.count_nonzero(~correct_a & correct_b))
    both = int(np.count_nonzero(correct_a & correct_b))
    neither = int(np.count_nonzero(~correct_a & ~correct_b))
    table = [[both, only_a], [only_b, neither]]
    p_value = 1.0 if only_a + only_b == 0 else float(mcnemar(table, exact=True).pvalue)
    return {"both_correct": both, "only_a_correct": only_a, "only_b_correct": only_b, "neither_correct": neither,
            "p_value": p_value}
