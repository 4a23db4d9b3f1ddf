"""What a model is: the interface every baseline and every researcher's model implements.

    class MyModel:
        def fit(self, examples, labels): ...        # optional; called with the train split
        def predict(self, examples) -> list[str]: ...
        def describe(self) -> dict: ...             # optional; merged into the report's `model` block
        required_columns = ("text", "speaker_affiliation")  # optional; eval refuses gold without them

`examples` is a list of plain dicts (id, text, context, target, speaker, speaker_role,
speaker_affiliation, quote_type, and article_id etc. when the gold has them); labels are
names, case-insensitive, mapped through `--label-map`; `None` means "no prediction" (counted
as missing). How each kind of model is loaded lives in `stancebench.models.loading`; the local
Hugging Face model in `stancebench.models.hf`, the OpenAI-compatible chat endpoint in
`stancebench.models.chat`.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["StanceModel", "describe_model"]


@runtime_checkable
class StanceModel(Protocol):
    """Anything with `predict(examples) -> list[str]`; `fit(examples, labels)` and `describe() -> dict` are optional."""

    def predict(self, examples: Sequence[dict[str, Any]]) -> Sequence[str | None]: ...


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
