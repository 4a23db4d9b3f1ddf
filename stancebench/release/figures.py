"""The figures a release reports about itself (release.json): counts, bias shortcuts, agreement, content hash.

Agreement here is `stancebench.annotation.agreement.summarise` computed from count matrices with
numpy, so that a build never imports scikit-learn or statsmodels (1.5 s) and a million items take
milliseconds; the tests check it against `summarise` (sklearn, statsmodels, krippendorff).
"""

from __future__ import annotations

import hashlib
import json
from itertools import combinations
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["label_counts", "size_category", "bias", "content_hash", "agreement_from_codes"]

_HASH_CHUNK = 100_000


def label_counts(labels: pa.ChunkedArray | pa.Array, names: tuple[str, ...]) -> dict[str, int]:
    """Count of each of `names` among `labels`, plus `total` (the number of labels)."""
    counted = pc.value_counts(labels) if len(labels) else None
    found = dict(zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True)) if counted else {}
    return {**{name: found.get(name, 0) for name in names}, "total": len(labels)}


def size_category(n: int) -> str:
    """The Hugging Face `size_categories` bucket of `n` rows."""
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _counts_of(codes: np.ndarray) -> np.ndarray:
    return np.bincount(codes) if len(codes) else np.zeros(1, dtype=np.int64)


def _dictionary_codes(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    encoded = (column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column).dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def bias(default: pa.Table, label_code: np.ndarray) -> dict[str, float]:
    """Two shortcuts a model could learn: how concentrated the speakers are, how far affiliation predicts stance."""
    n = len(default)
    speakers = np.sort(_counts_of(_dictionary_codes(default.column("speaker"))))[::-1]
    affiliation = _dictionary_codes(pc.fill_null(default.column("speaker_affiliation"), ""))
    per_group = np.bincount(affiliation * 3 + label_code, minlength=(affiliation.max() + 1) * 3).reshape(-1, 3)
    return {
        "top3_speaker_share": round(int(speakers[:3].sum()) / n, 4),
        "affiliation_majority_agreement": round(int(per_group.max(axis=1).sum()) / n, 4),
        "majority_label_share": round(int(np.bincount(label_code).max()) / n, 4),
    }


def content_hash(ids: pa.ChunkedArray, texts: pa.ChunkedArray, labels: pa.ChunkedArray) -> str:
    """`schema.gold_content_hash` of the (id, text, label) triples, without a Python call per row.

    Ids are unique, so sorting by id sorts the triples (Arrow compares UTF-8 bytes, which orders
    strings as Python does). One `json.dumps` per chunk writes `["id", "text", "label"]` items
    joined by `, `; the text between two items, `"], ["`, cannot occur inside a JSON string (its
    quotes are escaped), so replacing it by a newline gives exactly the hash's JSON lines.
    """
    order = pc.sort_indices(ids)
    columns = [column.take(order) for column in (ids, texts, labels)]
    digest = hashlib.sha256()
    for start in range(0, len(order), _HASH_CHUNK):
        part = [column.slice(start, _HASH_CHUNK).to_pylist() for column in columns]
        items = json.dumps(list(zip(*part, strict=True)), ensure_ascii=False)[1:-1].replace('"], ["', '"]\n["')
        digest.update(items.encode("utf-8") + b"\n")
    return "sha256:" + digest.hexdigest()


# ---------------------------------------------------------------- agreement from count matrices


def _statistic(value: float | None, items: int, reason: str | None = None) -> dict[str, Any]:
    return {"value": value, "items": items, "reason": reason}


def _finite(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _observed(per_item: np.ndarray) -> dict[str, Any]:
    """Mean over items with two or more labels of the share of agreeing annotator pairs."""
    m = per_item.sum(axis=1)
    pairable = per_item[m >= 2]
    if not len(pairable):
        return _statistic(None, 0, "no statement has labels from two annotators")
    m = m[m >= 2]
    shares = (pairable * (pairable - 1)).sum(axis=1) / (m * (m - 1))
    return _statistic(sum(shares.tolist()) / len(shares), len(shares))  # Python's sum, as summarise adds them


def _cohen(a: np.ndarray, b: np.ndarray, n_categories: int) -> dict[str, Any]:
    if not len(a):
        return _statistic(None, 0, "no statement labelled by both")
    if len(np.union1d(a, b)) < 2:
        return _statistic(None, len(a), "undefined when both use one and the same label throughout")
    # scikit-learn's cohen_kappa_score, step for step, on the confusion matrix.
    confusion = np.bincount(a * n_categories + b, minlength=n_categories**2).reshape(n_categories, n_categories)
    expected = np.outer(confusion.sum(axis=0), confusion.sum(axis=1)) / confusion.sum(axis=0).sum()
    weights = 1 - np.eye(n_categories, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _finite(1 - np.sum(weights * confusion) / np.sum(weights * expected))
    return _statistic(value, len(a), None if value is not None else "undefined (chance agreement is 1)")


def _fleiss(per_item: np.ndarray, annotators: int) -> dict[str, Any]:
    full = per_item[per_item.sum(axis=1) == annotators].astype(float)
    if not len(full):
        return _statistic(None, 0, f"no statement labelled by all {annotators} annotators")
    if np.count_nonzero(full.sum(axis=0)) < 2:
        return _statistic(None, len(full), "undefined when every label is the same")
    p_category = full.sum(axis=0) / full.sum()
    p_item = ((full * full).sum(axis=1) - annotators) / (annotators * (annotators - 1.0))
    expected = (p_category * p_category).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _finite((p_item.mean() - expected) / (1 - expected))
    return _statistic(value, len(full), None if value is not None else "undefined (chance agreement is 1)")


def _krippendorff(per_item: np.ndarray) -> dict[str, Any]:
    m = per_item.sum(axis=1)
    pairable = per_item[m >= 2].astype(float)
    if not len(pairable):
        return _statistic(None, 0, "no statement has labels from two annotators")
    if np.count_nonzero(pairable.sum(axis=0)) < 2:
        return _statistic(None, len(pairable), "undefined when every label is the same")
    # krippendorff.alpha's coincidence matrix, cell by cell, summed over the units in their order.
    n_values = pairable.shape[1]
    divisor = m[m >= 2] - 1.0
    coincidences = np.empty((n_values, n_values))
    for c in range(n_values):
        for k in range(n_values):
            product = pairable[:, c] * pairable[:, k] - (pairable[:, c] if c == k else 0)
            coincidences[c, k] = np.cumsum(product / divisor)[-1]
    n_v = coincidences.sum(axis=0)
    expected = (np.outer(n_v, n_v) - np.diagflat(n_v)) / (n_v.sum() - 1)
    distance = 1 - np.eye(n_values)  # nominal
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _finite(1 - (coincidences * distance).sum() / (expected * distance).sum())
    return _statistic(value, len(pairable))


def agreement_from_codes(item: np.ndarray, annotator: np.ndarray, label: np.ndarray, names: list[str]) -> dict[str, Any]:
    """`summarise(current).to_dict()` for current labels given as codes, with the disagreements counted.

    `item` numbers the statements, `annotator` indexes `names` (sorted), `label` indexes LABELS;
    one entry per (statement, annotator). Needs two or more annotators among the entries.
    """
    present = np.unique(annotator)
    rank = np.full(len(names), -1, dtype=np.int64)
    rank[present] = np.arange(len(present))
    annotators = [names[i] for i in present]
    used = np.unique(label)  # categories in LABELS order, as summarise orders them
    category = np.searchsorted(used, label)
    items, item_index = np.unique(item, return_inverse=True)
    k, n_categories = len(annotators), len(used)
    per_item = np.bincount(item_index * n_categories + category, minlength=len(items) * n_categories).reshape(-1, n_categories)
    grid = np.full((len(items), k), -1, dtype=np.int64)
    grid[item_index, rank[annotator]] = category
    pairs = []
    for first, second in combinations(range(k), 2):
        both = (grid[:, first] >= 0) & (grid[:, second] >= 0)
        a, b = grid[both, first], grid[both, second]
        observed = _statistic(float((a == b).mean()), len(a)) if len(a) else _statistic(None, 0, "no statement labelled by both")
        cohen = _cohen(a, b, n_categories)
        pairs.append({
            "annotators": [annotators[first], annotators[second]], "items": observed["items"],
            "observed_agreement": observed["value"], "cohen_kappa": cohen["value"],
            "reason": cohen["reason"] or observed["reason"],
        })
    return {
        "annotators": annotators,
        "labelled_items": len(items),
        "reason": None,
        "observed_agreement": _observed(per_item),
        "fleiss_kappa": _fleiss(per_item, k),
        "krippendorff_alpha": _krippendorff(per_item),
        "pairs": pairs,
        "disagreements": int((np.count_nonzero(per_item, axis=1) > 1).sum()),
    }
