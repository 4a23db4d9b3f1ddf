"""How a model is loaded: `load_model(kind, spec, **options) -> (model, descriptor)`, one registry for every command.

    >>> model, descriptor = load_model("python", "baselines/tfidf_logreg.py:with_affiliation")
    >>> model, descriptor = load_model("hf", "models/my-nli", hypothesis="The speaker {} {target}.")
    >>> model, descriptor = load_model("chat", "http://localhost:8000/v1", model_name="llama")

A Python model spec is `path/to/file.py[:NAME]` or `package.module:NAME` (NAME defaults to
`model`); `parse_model_spec` is the one place that splits it. No loader touches the network.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from stancebench.errors import StancebenchError, first_line
from stancebench.models.adapters import StanceModel, describe_model
from stancebench.models.chat import ChatModel
from stancebench.models.hf import HFClassifier

__all__ = [
    "MODEL_LOADERS",
    "MissingModuleError",
    "load_model",
    "load_python_model",
    "parse_model_spec",
    "import_python_file",
    "import_model_module",
]

#: The attribute a Python model spec names when it names none.
DEFAULT_ATTRIBUTE = "model"


class MissingModuleError(StancebenchError):
    """A model's code imports a module that is not installed (`baselines` skips such a model)."""

    def __init__(self, message: str, err: ImportError) -> None:
        super().__init__(message)
        self.module_name = err.name
        self.detail = first_line(err, with_type=False)


def parse_model_spec(spec: str) -> tuple[str, str]:
    """`file.py:NAME` / `package.module:NAME` -> (file or module, NAME); no `:NAME` -> (spec, "model")."""
    head, sep, tail = spec.rpartition(":")
    # `C:model` or `dir/:x` is a path, not a path plus an attribute.
    if sep and tail.isidentifier() and len(head) > 1 and not head.endswith(("/", "\\")):
        return head, tail
    return spec, DEFAULT_ATTRIBUTE


def import_python_file(path: Path, module_name: str) -> ModuleType:
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


# A file imported once per process (and per version of the file): a baseline run loads each model
# once per protocol, and module-level caches (e.g. a loaded encoder) should survive that.
_FILES: dict[tuple[str, int, int], ModuleType] = {}


def _is_file_spec(target: str) -> bool:
    return target.endswith(".py") or os.sep in target or "/" in target


def import_model_module(target: str) -> ModuleType:
    """The module a model spec's first part names: a .py file (imported once) or an importable module."""
    try:
        if not _is_file_spec(target):
            return importlib.import_module(target)
        path = Path(target)
        if not path.is_file():
            raise StancebenchError(f"model file {path} not found")
        resolved = path.resolve()
        stat = resolved.stat()
        key = (str(resolved), stat.st_mtime_ns, stat.st_size)
        if key not in _FILES:
            _FILES[key] = import_python_file(path, f"_stancebench_model_{abs(hash(key))}")
        return _FILES[key]
    except StancebenchError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure in user code becomes one line
        where = f"model file {target} raised on import" if _is_file_spec(target) else f"cannot import model module '{target}'"
        message = f"{where}: {first_line(err)}"
        if isinstance(err, ImportError):
            raise MissingModuleError(message, err) from None
        raise StancebenchError(message) from None


def _model_from(module: ModuleType, where: str, name: str) -> StanceModel:
    if not hasattr(module, name):
        public = [n for n in vars(module) if not n.startswith("_")]
        close = difflib.get_close_matches(name, public, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise StancebenchError(f"{where} has no attribute '{name}'{hint}")
    obj = getattr(module, name)
    if inspect.isclass(obj) or (not hasattr(obj, "predict") and callable(obj)):
        try:
            obj = obj()
        except Exception as err:  # noqa: BLE001 - user code
            message = f"model {where}:{name} raised when called: {first_line(err)}"
            if isinstance(err, ImportError):
                raise MissingModuleError(message, err) from None
            raise StancebenchError(message) from None
    if not callable(getattr(obj, "predict", None)):
        raise StancebenchError(f"{where}:{name} is not a model (it has no predict(examples) method)")
    return obj


def load_python_model(spec: str) -> tuple[StanceModel, dict[str, Any]]:
    """Load `path/to/file.py[:NAME]` or `package.module:NAME` (NAME defaults to `model`).

    If the attribute has no `predict` but is callable (a class or a factory), it is called with
    no arguments. Returns the model and its report descriptor.
    """
    target, name = parse_model_spec(spec)
    model = _model_from(import_model_module(target), target, name)
    descriptor = describe_model(model)
    descriptor.update({"type": "python", "spec": spec, "name": name})
    if target.endswith(".py"):
        descriptor["path"] = str(Path(target))
    return model, descriptor


def _load_python(spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    if options:
        raise StancebenchError(f"a Python model takes no loading options (got: {', '.join(sorted(options))})")
    return load_python_model(spec)


def _load_hf(spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    # A causal LM (config architectures ...ForCausalLM) is scored the lm-eval way (models.causal_lm);
    # each kind takes the options it knows.
    from stancebench.models.causal_lm import CausalLM, is_causal_lm

    kind = CausalLM if is_causal_lm(spec) else HFClassifier
    accepted = inspect.signature(kind.__init__).parameters
    model = kind(spec, **{k: v for k, v in options.items() if k in accepted})
    return model, model.describe()


def _load_chat(spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    model = ChatModel(spec, **options)
    return model, model.describe()


#: Kind of model -> loader(spec, **options) -> (model, report descriptor); none touches the network on load.
MODEL_LOADERS: dict[str, Callable[..., tuple[StanceModel, dict[str, Any]]]] = {
    "python": _load_python,
    "hf": _load_hf,
    "chat": _load_chat,
}


def load_model(kind: str, spec: str, **options: Any) -> tuple[StanceModel, dict[str, Any]]:
    """Load a model of a registered kind (`python`, `hf`, `chat`) from its spec; an unknown kind gets a hint."""
    loader = MODEL_LOADERS.get(kind)
    if loader is None:
        close = difflib.get_close_matches(kind, list(MODEL_LOADERS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise StancebenchError(f"unknown kind of model '{kind}'{hint} (kinds: {', '.join(MODEL_LOADERS)})")
    return loader(spec, **options)
