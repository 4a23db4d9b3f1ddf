"""stancebench: a stance benchmark on lifting the limits on Ukraine's strikes inside Russia."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["__version__", "load_dataset", "evaluate"]

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.dataset import load_dataset
    from stancebench.evaluate import evaluate


# Submodules reachable as attributes without an explicit import (`stancebench.dataset.cv_folds`).
_SUBMODULES = frozenset({"dataset", "metrics", "agreement", "leaderboard", "corpus", "store", "schema", "splits", "report"})


def __getattr__(name: str) -> Any:
    # Lazy: `import stancebench` must not import datasets/sklearn (CLI start-up time).
    if name == "load_dataset":
        from stancebench.dataset import load_dataset

        return load_dataset
    if name == "evaluate":
        from stancebench.evaluate import evaluate

        return evaluate
    if name in _SUBMODULES:
        import importlib

        return importlib.import_module(f"stancebench.{name}")
    raise AttributeError(f"module 'stancebench' has no attribute {name!r}")
