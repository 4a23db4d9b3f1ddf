"""A local Hugging Face sequence classifier, or an NLI model used zero-shot: `HFClassifier`.

Loading never reaches a hub: every load is `local_files_only` and the process is told it is offline.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from stancebench import codebook
from stancebench.errors import MissingExtraError, StancebenchError, first_line

__all__ = ["HFClassifier", "DEFAULT_HYPOTHESIS", "HYPOTHESIS_PHRASES"]

#: Zero-shot NLI: one hypothesis per label, `{}` filled with the label's phrase.
#: `{target}` is filled with each statement's own target (its `target` field), so one template serves every corpus.
DEFAULT_HYPOTHESIS = "The speaker {} {target}."
HYPOTHESIS_PHRASES: dict[str, str] = {
    "support": "supports",
    "oppose": "opposes",
    "hedge": "avoids taking a position on",
}


def _import_transformers() -> tuple[Any, Any]:
    # Never reach the hub: every load is local_files_only, and the process is told it is offline.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        import transformers
    except ImportError:
        raise MissingExtraError("eval --hf-model", "hf") from None
    return torch, transformers


class HFClassifier:
    """A local Hugging Face sequence classifier, or an NLI model used zero-shot.

    A model whose `config.id2label` contains "entailment" is used as NLI: each statement is the
    premise and `hypothesis.format(HYPOTHESIS_PHRASES[label])` the hypothesis for each label
    (`{target}` in the template becomes the statement's own target);
    the label with the highest entailment score wins. Otherwise the model's own labels are
    returned (map them with `label_map` / `--label-map` when they are not support/oppose/hedge).
    """

    def __init__(self, path: str | Path, *, hypothesis: str | None = None, phrases: Mapping[str, str] | None = None,
                 batch_size: int = 16, max_length: int = 256, trust_remote_code: bool = False,
                 use_context: bool = False) -> None:
        self.path = str(path)
        self.hypothesis = hypothesis
        self.phrases = dict(phrases or HYPOTHESIS_PHRASES)
        self.batch_size = batch_size
        self.max_length = max_length
        self.trust_remote_code = trust_remote_code
        self.use_context = use_context
        folder = Path(path)
        if not folder.is_dir() or not (folder / "config.json").is_file():
            raise StancebenchError(f"--hf-model {path}: not a local model folder (no config.json); models are never downloaded")
        if self.hypothesis is not None and "{}" not in self.hypothesis:
            raise StancebenchError("--hypothesis must contain '{}' where the label phrase goes")
        torch, transformers = _import_transformers()
        self._torch = torch
        transformers.utils.logging.disable_progress_bar()
        try:
            self.tokenizer_ = transformers.AutoTokenizer.from_pretrained(
                self.path, local_files_only=True, trust_remote_code=trust_remote_code
            )
            self.model_ = transformers.AutoModelForSequenceClassification.from_pretrained(
                self.path, local_files_only=True, trust_remote_code=trust_remote_code
            )
        except Exception as err:  # noqa: BLE001 - transformers raises many kinds
            raise StancebenchError(f"--hf-model {path}: cannot load ({first_line(err)})") from None
        self.model_.eval()
        self.id2label_ = {int(k): str(v) for k, v in self.model_.config.id2label.items()}
        lowered = {k: v.lower() for k, v in self.id2label_.items()}
        self.entailment_ = next((k for k, v in lowered.items() if v.startswith("entail")), None)
        self.is_nli = self.entailment_ is not None
        if self.is_nli and self.hypothesis is None:
            self.hypothesis = DEFAULT_HYPOTHESIS

    def describe(self) -> dict[str, Any]:
        """Report descriptor."""
        out: dict[str, Any] = {"type": "hf", "path": self.path, "mode": "nli" if self.is_nli else "classifier",
                               "id2label": {str(k): v for k, v in self.id2label_.items()}, "use_context": self.use_context}
        if self.is_nli:
            out.update({"hypothesis": self.hypothesis, "phrases": self.phrases})
        return out

    def _premise(self, example: Mapping[str, Any]) -> str:
        text = str(example.get("text") or "")
        context = example.get("context")
        return f"{context}\n{text}" if self.use_context and context and context != text else text

    def _hypothesis(self, example: Mapping[str, Any], label: str) -> str:
        target = str(example.get("target") or codebook.TARGET[0].lower() + codebook.TARGET[1:])
        target = target[:1].lower() + target[1:]
        return self.hypothesis.replace("{target}", target).format(self.phrases[label])  # type: ignore[union-attr]

    def _logits(self, first: list[str], second: list[str] | None) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.no_grad():
            for start in range(0, len(first), self.batch_size):
                batch = self.tokenizer_(
                    first[start:start + self.batch_size],
                    second[start:start + self.batch_size] if second is not None else None,
                    padding=True, truncation=True, max_length=self.max_length, return_tensors="pt",
                )
                out.append(self.model_(**batch).logits.float().numpy())
        return np.concatenate(out) if out else np.zeros((0, len(self.id2label_)))

    def predict(self, examples: Sequence[Mapping[str, Any]]) -> list[str]:
        """One label per example."""
        premises = [self._premise(e) for e in examples]
        if not self.is_nli:
            logits = self._logits(premises, None)
            return [self.id2label_[int(i)] for i in logits.argmax(axis=1)]
        labels = list(self.phrases)
        first = [p for p in premises for _ in labels]
        second = [self._hypothesis(e, label) for e in examples for label in labels]
        entail = self._logits(first, second)[:, self.entailment_].reshape(len(premises), len(labels))
        return [labels[int(i)] for i in entail.argmax(axis=1)]
