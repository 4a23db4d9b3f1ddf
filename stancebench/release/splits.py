"""Speaker-grouped, label-stratified splits and cross-validation folds.

Statements by one speaker share vocabulary and stance, so a speaker in both train and test
would leak; every split here keeps each speaker's statements on one side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["grouped_folds", "grouped_split", "grouped_split_codes"]


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
    """One (train indices, test indices) split with about `test_fraction` of the rows in test.

    Greedy and label-aware: groups are taken largest first (ties in a seeded random order), and a
    group goes to test when that brings test's per-label counts closer to `test_fraction` of the
    totals. No group may fill more than half of the wanted test size, so that test never rests on
    one dominant speaker (such a group stays in train). Unlike k-fold splitters it works on any
    corpus with two or more groups, however few members a label has.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if len(labels) != len(groups):
        raise ValueError(f"{len(labels)} labels but {len(groups)} groups")
    names, group_of_row = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    if len(names) < 2:
        raise ValueError("need statements from at least 2 speakers to split")
    _, label_of_row = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    return grouped_split_codes(label_of_row, group_of_row, test_fraction=test_fraction, seed=seed)


def grouped_split_codes(
    label_of_row: np.ndarray, group_of_row: np.ndarray, test_fraction: float = 0.3, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`grouped_split` on integer codes: groups and labels numbered 0.. in sorted-name order."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    n_groups = int(group_of_row.max()) + 1
    if n_groups < 2:
        raise ValueError("need statements from at least 2 speakers to split")
    counts = np.zeros((n_groups, int(label_of_row.max()) + 1), dtype=np.int64)
    np.add.at(counts, (group_of_row, label_of_row), 1)
    wanted = counts.sum(axis=0) * test_fraction
    order = np.random.default_rng(seed).permutation(n_groups)
    order = order[np.argsort(-counts[order].sum(axis=1), kind="stable")]
    in_test = np.zeros(n_groups, dtype=bool)
    have = np.zeros(counts.shape[1])
    largest = max(1.0, wanted.sum() / 2)
    for group in order:
        if counts[group].sum() > largest:
            continue
        if np.abs(have + counts[group] - wanted).sum() < np.abs(have - wanted).sum():
            in_test[group] = True
            have = have + counts[group]
    if not in_test.any():
        in_test[order[-1]] = True  # the smallest group, so that test is never empty
    elif in_test.all():
        in_test[order[-1]] = False
    is_test_row = in_test[group_of_row]
    return np.flatnonzero(~is_test_row), np.flatnonzero(is_test_row)
