"""Model suggestions for the annotate screen: a label and its confidence, shown, never pre-filled.

`--suggest MODEL` takes what `eval` takes: a Python model (`path.py[:NAME]`, `module:NAME`), a
local Hugging Face model folder, or an OpenAI-compatible endpoint (`http://host/v1#MODEL_NAME`).
Models with `fit` are refitted on the corpus's labels so far, every N labels, in a background
thread: the screen keeps the old model's suggestions until the new one is ready.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebench.errors import StancebenchError
from stancebench.schema import STANCE_LABELS, Statement

__all__ = ["Suggestion", "Suggester", "load_suggester", "statement_example", "uncertainty_order", "ORDERS"]

#: How `annotate --order` sorts the queue.
ORDERS: tuple[str, ...] = ("document", "random", "uncertainty")


@dataclass(frozen=True)
class Suggestion:
    """A model's label for one statement, with its confidence when the model gives probabilities."""

    label: str
    confidence: float | None
    model: str

    def to_dict(self) -> dict[str, Any]:
        """What a label event records about the suggestion shown."""
        out: dict[str, Any] = {"label": self.label, "model": self.model}
        if self.confidence is not None:
            out["confidence"] = round(self.confidence, 4)
        return out

    def as_text(self) -> str:
        """`support (confidence 0.72, by tfidf_logreg)`."""
        confidence = "n/a" if self.confidence is None else f"{self.confidence:.2f}"
        return f"{self.label} (confidence {confidence}, by {self.model})"


def statement_example(statement: Statement, target: str = "") -> dict[str, Any]:
    """The example dict a model's predict() gets, as eval builds it from a release row."""
    return {
        "id": statement.id, "text": statement.text, "context": statement.context, "target": target,
        "target_id": statement.target_id, "speaker": statement.speaker, "speaker_role": statement.speaker_role,
        "speaker_affiliation": statement.speaker_affiliation, "quote_type": statement.quote_type,
        "article_id": statement.article_id,
    }


def _load_model(spec: str) -> tuple[Any, dict[str, Any]]:
    # The one call into the model loaders (eval's registry); the kind is read off the spec.
    from stancebench.models.loading import load_model

    if spec.startswith(("http://", "https://")):
        endpoint, _, name = spec.partition("#")
        if not name:
            raise StancebenchError(f"--suggest {spec!r}: name the model after '#', e.g. http://localhost:8000/v1#MODEL")
        return load_model("chat", endpoint, model_name=name)
    return load_model("hf" if Path(spec).is_dir() else "python", spec)


def _name(descriptor: Mapping[str, Any], spec: str) -> str:
    name = descriptor.get("name") if descriptor.get("name") not in (None, "model") else None
    return str(name or Path(spec.split("#")[0].split(":")[0]).stem or spec)


@dataclass
class Suggester:
    """Suggestions from one model, cached per statement; `refit` swaps in a refitted copy when ready."""

    model: Any
    name: str
    target: str = ""
    warnings: list[str] = field(default_factory=list)
    version: int = 0
    _cache: dict[str, Suggestion | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    @property
    def can_fit(self) -> bool:
        """Does the model learn from labels (has a fit method)?"""
        return callable(getattr(self.model, "fit", None))

    @property
    def is_refitting(self) -> bool:
        """Is a refit running in the background?"""
        return self._thread is not None and self._thread.is_alive()

    def suggest(self, statement: Statement) -> Suggestion | None:
        """The model's suggestion for one statement (None when the model cannot give one yet)."""
        if statement.id not in self._cache:
            self._cache.update(self._predict(self.model, [statement]))
        return self._cache.get(statement.id)

    def suggest_many(self, statements: Sequence[Statement]) -> dict[str, Suggestion | None]:
        """Suggestions for many statements in one predict call (cached)."""
        missing = [s for s in statements if s.id not in self._cache]
        if missing:
            self._cache.update(self._predict(self.model, missing))
        return {s.id: self._cache.get(s.id) for s in statements}

    def _predict(self, model: Any, statements: Sequence[Statement]) -> dict[str, Suggestion | None]:
        examples = [statement_example(s, self.target) for s in statements]
        try:
            labels = list(model.predict(examples))
            confidences = _confidences(model, examples, labels)
        except Exception as err:  # noqa: BLE001 - a model that cannot predict yet (unfitted) shows nothing
            message = f"model {self.name} gave no suggestion: {str(err).splitlines()[0] if str(err) else type(err).__name__}"
            if message not in self.warnings:
                self.warnings.append(message)
            return dict.fromkeys((s.id for s in statements), None)
        return {
            s.id: Suggestion(str(label), conf, self.name) if label is not None else None
            for s, label, conf in zip(statements, labels, confidences, strict=True)
        }

    def refit(self, gather: Callable[[], tuple[list[Statement], list[str], list[Statement]]],
              on_done: Callable[[], None] | None = None) -> bool:
        """Fit a copy in a background thread, then swap it in; False if one is running or the model cannot fit.

        `gather()` runs in that thread too and returns (statements, labels, upcoming statements to
        predict for), so reading the statements never blocks the screen either.
        """
        if not self.can_fit or self.is_refitting:
            return False

        def work() -> None:
            try:
                examples, labels, upcoming = gather()
                pairs = [(s, label) for s, label in zip(examples, labels, strict=True) if label in STANCE_LABELS]
                if len({label for _, label in pairs}) < 2:
                    return  # nothing a classifier can learn from yet
                fresh = copy.deepcopy(self.model)
                fresh.fit([statement_example(s, self.target) for s, _ in pairs], [label for _, label in pairs])
                ready = self._predict(fresh, list(upcoming)) if upcoming else {}
            except Exception as err:  # noqa: BLE001 - a failed refit keeps the old model
                self.warnings.append(f"refitting {self.name} failed: {err}")
                return
            with self._lock:
                self.model, self._cache, self.version = fresh, dict(ready), self.version + 1
            if on_done is not None:
                on_done()

        self._thread = threading.Thread(target=work, name="stancebench-refit", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running refit has finished (tests, and the end of a session)."""
        if self._thread is not None:
            self._thread.join(timeout)


def _confidences(model: Any, examples: list[dict[str, Any]], labels: Sequence[Any]) -> list[float | None]:
    """The probability of each predicted label, from predict_proba and classes_ when the model has them."""
    proba = getattr(model, "predict_proba", None)
    classes = getattr(model, "classes_", None)
    if not callable(proba) or classes is None:
        return [None] * len(labels)
    rows = proba(examples)
    index = {str(c): i for i, c in enumerate(classes)}
    return [float(row[index[str(label)]]) if str(label) in index else None for row, label in zip(rows, labels, strict=True)]


def load_suggester(spec: str, target: str = "") -> Suggester:
    """A Suggester for `--suggest SPEC` (loads the model now: a bad spec fails before the first screen)."""
    if not spec:
        raise StancebenchError("--suggest needs a model: path.py[:NAME], a Hugging Face folder or http://host/v1#MODEL")
    model, descriptor = _load_model(spec)
    return Suggester(model, _name(descriptor or {}, spec), target)


def uncertainty_order(ids: Iterable[str], suggestions: Mapping[str, Suggestion | None]) -> list[str]:
    """Least confident first; items without a confidence after those with one, in their given order."""
    ids = list(ids)
    position = {sid: i for i, sid in enumerate(ids)}

    def key(sid: str) -> tuple[int, float, int]:
        found = suggestions.get(sid)
        if found is None or found.confidence is None:
            return (1, 0.0, position[sid])
        return (0, found.confidence, position[sid])

    return sorted(ids, key=key)
