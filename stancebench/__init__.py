"""stancebench: a stance benchmark on lifting the limits on Ukraine's strikes inside Russia.

The package is cut by stage, in the order the data moves: `corpus` (seeds -> statements),
`annotation` (statements -> labels -> gold), `release` (gold -> parquet + card), `models`
(what a model is, how to load one) and `evaluation` (release + model -> Report).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_dataset", "cv_folds", "evaluate", "run_baselines"]

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.evaluation.baselines import run_baselines
    from stancebench.evaluation.scoring import evaluate
    from stancebench.release.dataset import cv_folds, load_dataset

# Lazy: `import stancebench` must not import datasets/sklearn (CLI start-up time).
_PUBLIC = {
    "load_dataset": "stancebench.release.dataset",
    "cv_folds": "stancebench.release.dataset",
    "evaluate": "stancebench.evaluation.scoring",
    "run_baselines": "stancebench.evaluation.baselines",
}
_STAGES = frozenset({"corpus", "annotation", "release", "models", "evaluation"})
# Names that released dataset cards cite (`stancebench.dataset.cv_folds`, `stancebench.splits.grouped_split`).
_CITED = {"dataset": "stancebench.release.dataset", "splits": "stancebench.release.splits"}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    if name in _STAGES:
        return importlib.import_module(f"stancebench.{name}")
    if name in _CITED:
        return importlib.import_module(_CITED[name])
    raise AttributeError(f"module 'stancebench' has no attribute {name!r}")
