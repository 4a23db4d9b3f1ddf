"""Speaker-grouped, label-stratified splits and cross-validation folds.

Statements by one speaker share vocabulary and stance, so a speaker in both train and test
would leak; every split here keeps each speaker's statements on one side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["grouped_folds", "grouped_split"]


def grouped_folds(
    labels: Sequence[str], groups: Sequence[str], k: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """k (train indices, test indices) pairs; no group in both; stratified by label as far as groups allow."""
    from sklearn.model_selection import StratifiedGroupKFold

    n_groups = len(set(groups))
    if k < 2:
        raise ValueError(f"k must be at least 2, got {k}")
    if n_groups < k:
        raise ValueError(f"cannot make {k} folds from {n_groups} speakers")
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    y = np.asarray(labels)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, np.asarray(groups))]


def grouped_split(
    labels: Sequence[str], groups: Sequence[str], test_fraction: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """One (train indices, test indices) split with about `test_fraction` of the rows in test."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    k = max(2, round(1 / test_fraction))
    k = min(k, len(set(groups)))
    if k < 2:
        raise ValueError("need statements from at least 2 speakers to split")
    train, test = grouped_folds(labels, groups, k=k, seed=seed)[0]
    return np.sort(train), np.sort(test)
