"""Inter-annotator agreement (Cohen, Fleiss, Krippendorff), labelling status, and gold by adjudication.

Everything here works on the *current* labels: the latest event per (annotator, statement) from
the append-only logs, retractions removed. scikit-learn, statsmodels and krippendorff are imported
inside the functions that need them, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from stancebench.annotation.labels import is_disputed
from stancebench.schema import LABELS, Statement

__all__ = [
    "Statistic", "PairAgreement", "Disagreement", "AgreementSummary", "summarise", "suggestion_agreement", "agreement_from_codes",
]

_SNIPPET = 80


@dataclass(frozen=True)
class Statistic:
    """One agreement coefficient, the number of items it rests on, and why it is missing if it is."""

    value: float | None
    items: int
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"value": self.value, "items": self.items, "reason": self.reason}

    def formatted(self) -> str:
        """`0.734 (n=40)`, or `n/a (n=0: reason)`."""
        if self.value is None:
            return f"n/a (n={self.items}: {self.reason})"
        return f"{self.value:.3f} (n={self.items})"


@dataclass(frozen=True)
class PairAgreement:
    """Agreement of two annotators on the items both labelled."""

    annotators: tuple[str, str]
    observed: Statistic
    cohen_kappa: Statistic

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "annotators": list(self.annotators),
            "items": self.observed.items,
            "observed_agreement": self.observed.value,
            "cohen_kappa": self.cohen_kappa.value,
            "reason": self.cohen_kappa.reason or self.observed.reason,
        }


@dataclass(frozen=True)
class Disagreement:
    """A statement on which the current labels differ."""

    statement_id: str
    text: str
    labels: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"statement_id": self.statement_id, "text": self.text, "labels": dict(self.labels)}


@dataclass(frozen=True)
class AgreementSummary:
    """Every agreement figure for one set of current labels."""

    annotators: tuple[str, ...]
    labelled_items: int
    observed: Statistic
    fleiss_kappa: Statistic
    krippendorff_alpha: Statistic
    pairs: tuple[PairAgreement, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    reason: str | None = None
    categories: tuple[str, ...] = field(default=LABELS)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (nulls with a reason where a figure cannot be computed)."""
        return {
            "annotators": list(self.annotators),
            "labelled_items": self.labelled_items,
            "reason": self.reason,
            "observed_agreement": self.observed.to_dict(),
            "fleiss_kappa": self.fleiss_kappa.to_dict(),
            "krippendorff_alpha": self.krippendorff_alpha.to_dict(),
            "pairs": [pair.to_dict() for pair in self.pairs],
            "disagreements": [item.to_dict() for item in self.disagreements],
        }

    def as_table(self) -> str:
        """A plain-text report for the terminal."""
        lines = [f"Annotators: {', '.join(self.annotators) or '(none)'}; statements labelled: {self.labelled_items}"]
        if self.reason:
            lines.append(self.reason)
            return "\n".join(lines)
        lines += [
            "",
            f"{'measure':<34}{'value':>8}{'items':>8}",
            f"{'observed agreement':<34}{_cell(self.observed)}",
            f"{'Fleiss kappa':<34}{_cell(self.fleiss_kappa)}",
            f"{'Krippendorff alpha (nominal)':<34}{_cell(self.krippendorff_alpha)}",
        ]
        for pair in self.pairs:
            name = f"{pair.annotators[0]} / {pair.annotators[1]}"
            lines.append(f"{'Cohen kappa ' + name:<34}{_cell(pair.cohen_kappa)}")
            lines.append(f"{'  observed ' + name:<34}{_cell(pair.observed)}")
        notes = [
            f"  {label}: {stat.reason}"
            for label, stat in (
                ("Fleiss kappa", self.fleiss_kappa),
                ("Krippendorff alpha", self.krippendorff_alpha),
                *((f"Cohen kappa {p.annotators[0]} / {p.annotators[1]}", p.cohen_kappa) for p in self.pairs),
            )
            if stat.value is None and stat.reason
        ]
        if notes:
            lines += ["", "n/a because:", *notes]
        lines += ["", f"Disagreements: {len(self.disagreements)}"]
        for item in self.disagreements:
            labels = ", ".join(f"{name}={label}" for name, label in sorted(item.labels.items()))
            lines.append(f"  {item.statement_id}  {labels}  {item.text}")
        return "\n".join(lines)


def _cell(stat: Statistic) -> str:
    value = "n/a" if stat.value is None else f"{stat.value:.3f}"
    return f"{value:>8}{stat.items:>8}"


# --- agreement -----------------------------------------------------------------------------------


def _categories(current: Mapping[str, Mapping[str, str]]) -> tuple[str, ...]:
    used = {label for labels in current.values() for label in labels.values()}
    return tuple(label for label in LABELS if label in used) + tuple(sorted(used - set(LABELS)))


def _finite(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def _observed(units: Iterable[Sequence[str]]) -> Statistic:
    """Mean over items of the share of agreeing annotator pairs (items with two or more labels)."""
    shares = []
    for labels in units:
        m = len(labels)
        if m < 2:
            continue
        agreeing = sum(c * (c - 1) for c in Counter(labels).values())
        shares.append(agreeing / (m * (m - 1)))
    if not shares:
        return Statistic(None, 0, "no statement has labels from two annotators")
    return Statistic(sum(shares) / len(shares), len(shares))


def _cohen(a: Sequence[str], b: Sequence[str], categories: Sequence[str]) -> Statistic:
    if not a:
        return Statistic(None, 0, "no statement labelled by both")
    if len(set(a) | set(b)) < 2:
        return Statistic(None, len(a), "undefined when both use one and the same label throughout")
    import warnings

    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = cohen_kappa_score(a, b, labels=list(categories))
    value = _finite(value)
    return Statistic(value, len(a), None if value is not None else "undefined (chance agreement is 1)")


def _fleiss(current: Mapping[str, Mapping[str, str]], annotators: Sequence[str], categories: Sequence[str]) -> Statistic:
    full = [labels for labels in current.values() if len(labels) == len(annotators)]
    if not full:
        return Statistic(None, 0, f"no statement labelled by all {len(annotators)} annotators")
    index = {label: i for i, label in enumerate(categories)}
    table = [[0] * len(categories) for _ in full]
    for row, labels in zip(table, full, strict=True):
        for label in labels.values():
            row[index[label]] += 1
    if len({label for labels in full for label in labels.values()}) < 2:
        return Statistic(None, len(full), "undefined when every label is the same")
    import numpy as np
    from statsmodels.stats.inter_rater import fleiss_kappa

    with np.errstate(divide="ignore", invalid="ignore"):
        value = _finite(fleiss_kappa(np.asarray(table), method="fleiss"))
    return Statistic(value, len(full), None if value is not None else "undefined (chance agreement is 1)")


def _krippendorff(
    current: Mapping[str, Mapping[str, str]], annotators: Sequence[str], categories: Sequence[str]
) -> Statistic:
    pairable = [labels for labels in current.values() if len(labels) >= 2]
    if not pairable:
        return Statistic(None, 0, "no statement has labels from two annotators")
    if len({label for labels in pairable for label in labels.values()}) < 2:
        return Statistic(None, len(pairable), "undefined when every label is the same")
    import krippendorff
    import numpy as np

    index = {label: i for i, label in enumerate(categories)}
    data = np.full((len(annotators), len(pairable)), np.nan)
    for unit, labels in enumerate(pairable):
        for row, name in enumerate(annotators):
            if name in labels:
                data[row, unit] = index[labels[name]]
    value = krippendorff.alpha(
        reliability_data=data, value_domain=list(range(len(categories))), level_of_measurement="nominal"
    )
    return Statistic(_finite(value), len(pairable))


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 1] + "…"


def summarise(
    current: Mapping[str, Mapping[str, str]], statements: Iterable[Statement] | None = None
) -> AgreementSummary:
    """Observed agreement, Cohen's kappa per pair, Fleiss' kappa, Krippendorff's alpha and the disagreements.

    `current` maps statement id -> annotator -> label (see `current_labels`). Labels may be any
    strings; the four stance labels come first in category order. `statements` only supplies text
    snippets for the list of disagreements.
    """
    current = {sid: dict(labels) for sid, labels in current.items() if labels}
    annotators = tuple(sorted({name for labels in current.values() for name in labels}))
    categories = _categories(current)
    texts = {s.id: s.text for s in statements} if statements is not None else {}
    disagreements = tuple(
        Disagreement(sid, _snippet(texts.get(sid, "")), dict(sorted(labels.items())))
        for sid, labels in sorted(current.items())
        if is_disputed(labels)
    )
    if len(annotators) < 2:
        reason = "agreement needs at least two annotators"
        found = f"; found {len(annotators)}" + (f" ({annotators[0]})" if annotators else "")
        missing = Statistic(None, 0, reason)
        return AgreementSummary(
            annotators, len(current), missing, missing, missing, (), disagreements, reason + found, categories
        )
    pairs = []
    for first, second in combinations(annotators, 2):
        both = [labels for labels in current.values() if first in labels and second in labels]
        a = [labels[first] for labels in both]
        b = [labels[second] for labels in both]
        observed = _observed(list(zip(a, b, strict=True)))
        if not both:
            observed = Statistic(None, 0, "no statement labelled by both")
        pairs.append(PairAgreement((first, second), observed, _cohen(a, b, categories)))
    return AgreementSummary(
        annotators=annotators,
        labelled_items=len(current),
        observed=_observed([list(labels.values()) for labels in current.values()]),
        fleiss_kappa=_fleiss(current, annotators, categories),
        krippendorff_alpha=_krippendorff(current, annotators, categories),
        pairs=tuple(pairs),
        disagreements=disagreements,
        categories=categories,
    )




def suggestion_agreement(pairs: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """Annotator vs model, from (annotator, label given, label suggested) triples of labels given with a suggestion shown.

    Per annotator and overall: how many labels had a suggestion, how often the annotator followed
    it (the observed agreement with the model) and Cohen's kappa between annotator and model.
    """
    by_annotator: dict[str, list[tuple[str, str]]] = {}
    for annotator, label, suggested in pairs:
        by_annotator.setdefault(annotator, []).append((label, suggested))

    def figures(items: list[tuple[str, str]]) -> dict[str, Any]:
        given = [label for label, _ in items]
        suggested = [label for _, label in items]
        categories = tuple(label for label in LABELS if label in set(given) | set(suggested))
        followed = sum(a == b for a, b in items)
        kappa = _cohen(given, suggested, categories or LABELS)
        return {"with_suggestion": len(items), "followed": followed,
                "followed_share": round(followed / len(items), 4) if items else None,
                "cohen_kappa": None if kappa.value is None else round(kappa.value, 4), "reason": kappa.reason}

    everyone = [item for items in by_annotator.values() for item in items]
    return {"overall": figures(everyone), "annotators": {n: figures(by_annotator[n]) for n in sorted(by_annotator)}}


# --- the same figures from count matrices (numpy; what `build` uses at any size) -------------------------
# Step for step what scikit-learn, statsmodels and krippendorff compute above; a test checks they agree bit for bit.


def _matrix_statistic(value: float | None, items: int, reason: str | None = None) -> dict[str, Any]:
    return {"value": value, "items": items, "reason": reason}


def _matrix_finite(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _matrix_observed(per_item: np.ndarray) -> dict[str, Any]:
    """Mean over items with two or more labels of the share of agreeing annotator pairs."""
    m = per_item.sum(axis=1)
    pairable = per_item[m >= 2]
    if not len(pairable):
        return _matrix_statistic(None, 0, "no statement has labels from two annotators")
    m = m[m >= 2]
    shares = (pairable * (pairable - 1)).sum(axis=1) / (m * (m - 1))
    return _matrix_statistic(sum(shares.tolist()) / len(shares), len(shares))  # Python's sum, as summarise adds them


def _matrix_cohen(a: np.ndarray, b: np.ndarray, n_categories: int) -> dict[str, Any]:
    if not len(a):
        return _matrix_statistic(None, 0, "no statement labelled by both")
    if len(np.union1d(a, b)) < 2:
        return _matrix_statistic(None, len(a), "undefined when both use one and the same label throughout")
    # scikit-learn's cohen_kappa_score, step for step, on the confusion matrix.
    confusion = np.bincount(a * n_categories + b, minlength=n_categories**2).reshape(n_categories, n_categories)
    expected = np.outer(confusion.sum(axis=0), confusion.sum(axis=1)) / confusion.sum(axis=0).sum()
    weights = 1 - np.eye(n_categories, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _matrix_finite(1 - np.sum(weights * confusion) / np.sum(weights * expected))
    return _matrix_statistic(value, len(a), None if value is not None else "undefined (chance agreement is 1)")


def _matrix_fleiss(per_item: np.ndarray, annotators: int) -> dict[str, Any]:
    full = per_item[per_item.sum(axis=1) == annotators].astype(float)
    if not len(full):
        return _matrix_statistic(None, 0, f"no statement labelled by all {annotators} annotators")
    if np.count_nonzero(full.sum(axis=0)) < 2:
        return _matrix_statistic(None, len(full), "undefined when every label is the same")
    p_category = full.sum(axis=0) / full.sum()
    p_item = ((full * full).sum(axis=1) - annotators) / (annotators * (annotators - 1.0))
    expected = (p_category * p_category).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = _matrix_finite((p_item.mean() - expected) / (1 - expected))
    return _matrix_statistic(value, len(full), None if value is not None else "undefined (chance agreement is 1)")


def _matrix_krippendorff(per_item: np.ndarray) -> dict[str, Any]:
    m = per_item.sum(axis=1)
    pairable = per_item[m >= 2].astype(float)
    if not len(pairable):
        return _matrix_statistic(None, 0, "no statement has labels from two annotators")
    if np.count_nonzero(pairable.sum(axis=0)) < 2:
        return _matrix_statistic(None, len(pairable), "undefined when every label is the same")
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
        value = _matrix_finite(1 - (coincidences * distance).sum() / (expected * distance).sum())
    return _matrix_statistic(value, len(pairable))


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
        if len(a):
            observed = _matrix_statistic(float((a == b).mean()), len(a))
        else:
            observed = _matrix_statistic(None, 0, "no statement labelled by both")
        cohen = _matrix_cohen(a, b, n_categories)
        pairs.append({
            "annotators": [annotators[first], annotators[second]], "items": observed["items"],
            "observed_agreement": observed["value"], "cohen_kappa": cohen["value"],
            "reason": cohen["reason"] or observed["reason"],
        })
    return {
        "annotators": annotators,
        "labelled_items": len(items),
        "reason": None,
        "observed_agreement": _matrix_observed(per_item),
        "fleiss_kappa": _matrix_fleiss(per_item, k),
        "krippendorff_alpha": _matrix_krippendorff(per_item),
        "pairs": pairs,
        "disagreements": int((np.count_nonzero(per_item, axis=1) > 1).sum()),
    }
