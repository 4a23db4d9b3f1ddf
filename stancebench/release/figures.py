"""The figures a release reports about itself (release.json): counts, bias shortcuts, agreement, content hash.

Agreement here is `stancebench.annotation.agreement.summarise` computed from count matrices with
numpy, so that a build never imports scikit-learn or statsmodels (1.5 s) and a million items take
milliseconds; the tests check it against `summarise` (sklearn, statsmodels, krippendorff).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["label_counts", "size_category", "bias"]

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
