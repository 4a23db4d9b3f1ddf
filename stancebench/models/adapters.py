"""Where predictions come from: a predictions file, a Python model, or a local Hugging Face model.

The model interface every baseline implements, and the one a researcher implements:

    class MyModel:
        def fit(self, examples, labels): ...        # optional; called with the train split
        def predict(self, examples) -> list[str]: ...
        required_columns = ("text", "speaker_affiliation")  # optional; eval refuses gold without them

`examples` is a list of plain dicts (id, text, context, target, speaker, speaker_role,
speaker_affiliation, quote_type, and article_id etc. when the gold has them); labels are
names, case-insensitive, mapped through `--label-map`; `None` means "no prediction" (counted
as missing). The OpenAI-compatible chat endpoint lives in `stancebench.models.chat`.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa

from stancebench import codebook
from stancebench.errors import MissingExtraError, StancebenchError, quoted
from stancebench.evaluation.predictions import Table, check_unique_ids, label_codes, parse_label_map, read_table
from stancebench.schema import STANCE_LABELS

__all__ = [
    "StanceModel",
    "Predictions",
    "read_predictions",
    "predictions_from_mapping",
    "load_python_model",
    "describe_model",
    "model_codes",
    "HFClassifier",
    "MODEL_LOADERS",
    "DEFAULT_HYPOTHESIS",
    "HYPOTHESIS_PHRASES",
]


@runtime_checkable
class StanceModel(Protocol):
    """Anything with `predict(examples) -> list[str]`; `fit(examples, labels)` is optional."""

    def predict(self, examples: Sequence[dict[str, Any]]) -> Sequence[str | None]: ...


@dataclass
class Predictions:
    """Predicted label codes (uint8 indices into STANCE_LABELS) keyed by item id."""

    ids: pa.Array
    codes: np.ndarray
    source: str
    table: Table | None = None  # the file read, for naming lines; None for in-memory predictions

    def __len__(self) -> int:
        return len(self.codes)


def read_predictions(path: str | Path, label_map: Mapping[str, str] | str | None = None, *,
                     check_ids: bool = True) -> Predictions:
    """Read a JSONL, CSV or parquet file with `id` and `label` columns (other columns are ignored).

    A repeated id is an error naming its line; `check_ids=False` leaves that check to the caller
    (`evaluate` does it during the join, hashing the ids once instead of twice).
    """
    loaded = read_table(path, required=("id", "label"), string_columns=("id",))
    if check_ids:
        check_unique_ids(loaded)
    codes = label_codes(loaded, _as_label_map(label_map))
    return Predictions(loaded.table["id"].combine_chunks(), codes, str(path), loaded)


def predictions_from_mapping(mapping: Mapping[str, Any], label_map: Mapping[str, str] | str | None = None,
                             source: str = "predictions") -> Predictions:
    """Predictions from a dict id -> label name (None means no prediction)."""
    if not mapping:
        raise StancebenchError(f"{source}: no predictions")
    ids = [str(k) for k in mapping]
    codes = _label_codes(list(mapping.values()), ids, source, _as_label_map(label_map))
    return Predictions(pa.array(ids, type=pa.string()), codes, source)


def _as_label_map(label_map: Mapping[str, str] | str | None) -> dict[str, str]:
    return parse_label_map(label_map)


# --- Python models ---------------------------------------------------------------------------


def import_python_file(path: Path, module_name: str) -> Any:
    """Import a .py file as `module_name`, with its folder importable (for its own helpers).

    Exceptions raised by the file's code propagate unchanged; callers turn them into one line.
    """
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise StancebenchError(f"{path} cannot be imported (is it a .py file?)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    finally:
        sys.path.remove(folder)
    return module


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise StancebenchError(f"model file {path} not found")
    try:
        return import_python_file(path, f"_stancebench_model_{abs(hash(str(path.resolve())))}")
    except StancebenchError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure in user code becomes one line
        raise StancebenchError(f"model file {path} raised on import: {_one_line(err)}") from None


def _one_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _split_spec(spec: str) -> tuple[str, str]:
    head, sep, tail = spec.rpartition(":")
    if sep and tail.isidentifier() and head and not head.endswith(("/", "\\")) and len(head) > 1:
        return head, tail
    return spec, "model"


def load_python_model(spec: str) -> tuple[StanceModel, dict[str, Any]]:
    """Load `path/to/file.py[:NAME]` or `package.module:NAME` (NAME defaults to `model`).

    If the attribute has no `predict` but is callable (a class or a factory), it is called with
    no arguments. Returns the model and its report descriptor.
    """
    target, name = _split_spec(spec)
    if target.endswith(".py") or os.sep in target or "/" in target:
        module = _import_file(Path(target))
        where = target
    else:
        try:
            module = importlib.import_module(target)
        except Exception as err:  # noqa: BLE001
            raise StancebenchError(f"cannot import model module '{target}': {_one_line(err)}") from None
        where = target
    if not hasattr(module, name):
        public = [n for n in vars(module) if not n.startswith("_")]
        close = difflib.get_close_matches(name, public, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise StancebenchError(f"{where} has no attribute '{name}'{hint}")
    obj = getattr(module, name)
    if inspect.isclass(obj) or (not hasattr(obj, "predict") and callable(obj)):
        try:
            obj = obj()
        except Exception as err:  # noqa: BLE001
            raise StancebenchError(f"model {where}:{name} raised when called: {_one_line(err)}") from None
    if not callable(getattr(obj, "predict", None)):
        raise StancebenchError(f"{where}:{name} is not a model (it has no predict(examples) method)")
    descriptor = describe_model(obj)
    descriptor.update({"type": "python", "spec": spec, "name": name})
    if target.endswith(".py"):
        descriptor["path"] = str(Path(target))
    return obj, descriptor


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        if isinstance(value, Mapping):
            return {str(k): _json_safe(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [_json_safe(v) for v in value]
        return repr(value)


def describe_model(model: Any) -> dict[str, Any]:
    """A JSON-safe descriptor: class, name, `describe()` or `get_params(deep=False)` when available."""
    cls = type(model)
    out: dict[str, Any] = {"type": "python", "class": f"{cls.__module__}.{cls.__qualname__}"}
    name = getattr(model, "name", None)
    if isinstance(name, str):
        out["name"] = name
    describe = getattr(model, "describe", None)
    if callable(describe):
        try:
            out.update(_json_safe(dict(describe())))
            return out
        except Exception:  # noqa: BLE001 - a descriptor is best-effort
            pass
    get_params = getattr(model, "get_params", None)
    if callable(get_params):
        try:
            params = get_params(deep=False) if "deep" in inspect.signature(get_params).parameters else get_params()
            out["params"] = _json_safe(params)
        except Exception:  # noqa: BLE001
            pass
    return out


def model_codes(labels: Sequence[Any], ids: Sequence[str], model_name: str,
                label_map: Mapping[str, str] | None = None) -> np.ndarray:
    """Map a model's returned labels to codes (3 = missing for None); unknown labels name the item."""
    if not isinstance(labels, Sequence) and not isinstance(labels, np.ndarray):
        try:
            labels = list(labels)
        except TypeError:
            kind = type(labels).__name__
            raise StancebenchError(f"model {model_name}: predict returned a {kind}, expected a list of labels") from None
    if len(labels) != len(ids):
        raise StancebenchError(f"model {model_name}: predict returned {len(labels)} labels for {len(ids)} items")
    return _label_codes(labels, ids, f"model {model_name}", label_map or {})


def _label_codes(labels: Sequence[Any], ids: Sequence[str], where: str, label_map: Mapping[str, str]) -> np.ndarray:
    from stancebench.evaluation.metrics import MISSING

    lookup = {name: code for code, name in enumerate(STANCE_LABELS)}
    lookup.update({name: STANCE_LABELS.index(label) for name, label in (label_map or {}).items()})
    codes = np.empty(len(ids), dtype=np.uint8)
    for index, (label, item) in enumerate(zip(labels, ids, strict=True)):
        if label is None:
            codes[index] = MISSING
            continue
        if isinstance(label, (int, np.integer)) and not isinstance(label, bool) and 0 <= label < len(STANCE_LABELS):
            codes[index] = int(label)
            continue
        code = lookup.get(str(label).strip().lower()) if isinstance(label, (str, np.str_)) else None
        if code is None:
            raise StancebenchError(
                f"{where}: item {quoted(item)}: unknown label {quoted(label)} "
                f"(expected one of: {', '.join(STANCE_LABELS)}; map others with --label-map)"
            )
        codes[index] = code
    return codes


# --- Hugging Face models -----------------------------------------------------------------------

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
            raise StancebenchError(f"--hf-model {path}: cannot load ({_one_line(err)})") from None
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


def _load_hf(spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    # A causal LM (config architectures ...ForCausalLM) is scored the lm-eval way (models.causal_lm).
    from stancebench.models.causal_lm import CausalLM, is_causal_lm

    kind = CausalLM if is_causal_lm(spec) else HFClassifier
    accepted = inspect.signature(kind.__init__).parameters
    model = kind(spec, **{k: v for k, v in options.items() if k in accepted})
    return model, model.describe()


def _load_chat(spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    from stancebench.models.chat import ChatModel

    model = ChatModel(spec, **options)
    return model, model.describe()


#: How each kind of model is loaded from its command-line spec; none of them touches the network on load.
MODEL_LOADERS: dict[str, Callable[..., tuple[StanceModel, dict[str, Any]]]] = {
    "python": lambda spec, **_: load_python_model(spec),
    "hf": _load_hf,
    "chat": _load_chat,
}
