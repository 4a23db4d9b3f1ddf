"""Baseline: always predict the most frequent training label.

Like every file in baselines/, it implements the model interface that
`stancebench eval --model` loads: `fit(examples, labels)` and `predict(examples)`,
where each example is a dataset row (a dict with text, context, speaker, ...).

    stancebench eval --model baselines/majority.py
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

STANCE_LABELS = ("support", "oppose", "hedge")


class MajorityBaseline:
    """Predicts the most frequent training label; ties go to the earlier class in label order."""

    def __init__(self, default: str = "hedge") -> None:
        self.default = default

    def fit(self, examples: Sequence[dict], labels: Sequence[str]) -> MajorityBaseline:
        """Remember the most frequent label."""
        counts = Counter(labels)
        order = {label: i for i, label in enumerate(STANCE_LABELS)}
        if counts:
            self.label_ = min(counts, key=lambda label: (-counts[label], order.get(label, len(order)), label))
        else:
            self.label_ = self.default
        return self

    def predict(self, examples: Sequence[dict]) -> list[str]:
        """The same label for every example (the default before `fit`)."""
        return [getattr(self, "label_", self.default)] * len(examples)

    def get_params(self) -> dict:
        """Parameters, for the eval report."""
        return {"default": self.default}


def model() -> MajorityBaseline:
    """Factory that `stancebench eval --model baselines/majority.py` calls."""
    return MajorityBaseline()
