"""The released dataset: its layout and features, and loading it back as a `datasets.DatasetDict`.

A release folder (built by `stancebench.release.build.build`) holds

    README.md                     dataset card (YAML header declares configs + features)
    release.json                  name, version, content hash, counts, inputs, agreement
    default/{train,test}.parquet  gold stance, one row per on-target statement
    annotations/annotated.parquet every annotator's label per statement, gold incl. off_target

so that `datasets.load_dataset(<release_dir>)` works with no loading code.
"""

from __future__ import annotations

import difflib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancebench.errors import StancebenchError
from stancebench.schema import STANCE_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa
    from datasets import Dataset, DatasetDict, Features

__all__ = [
    "ANNOTATIONS_SPLIT",
    "SPLITS",
    "STATEMENT_COLUMNS",
    "SKIP_REASONS",
    "features",
    "arrow_schema",
    "feature_yaml",
    "packaged_release_dir",
    "load_dataset",
    "cv_folds",
]

#: Benchmark splits of the `default` config; `test` is the canonical benchmark split.
SPLITS: tuple[str, ...] = ("train", "test")
#: The one split of the `annotations` config: every annotated statement.
ANNOTATIONS_SPLIT = "annotated"
CARD_FILE = "README.md"
RELEASE_FILE = "release.json"
#: Why a statement is not in the `default` config, in the order the build reports them.
SKIP_REASONS: dict[str, str] = {
    "off_target": "gold label is off_target (annotation only)",
    "disputed": "annotators disagree and no adjudication yet",
    "no_gold_yet": "labelled, but no gold record yet (run 'stancebench adjudicate')",
    "unlabelled": "no label yet",
    "stale": "stale (no longer found by extraction)",
    "copy": "a syndicated copy of another statement (listed in that statement's `copies`)",
}
#: The statement columns both configs share, in column order.
STATEMENT_COLUMNS = (
    "id", "text", "context", "target_id", "target", "speaker", "speaker_role", "speaker_affiliation",
    "quote_type", "article_id", "article_title", "outlet", "date", "url", "copies", "copy_article_ids",
)
#: Columns that are lists of strings (a row's syndicated copies, `stancebench.release.copies`); the rest are strings.
_STRING_LISTS = ("copies", "copy_article_ids")


def features(config: str = "default") -> Features:
    """The `datasets.Features` of a release config (`default` or `annotations`)."""
    from datasets import ClassLabel, Features, List, Value

    columns: dict[str, Any] = {
        name: List(Value("string")) if name in _STRING_LISTS else Value("string") for name in STATEMENT_COLUMNS
    }
    if config == "default":
        return Features({**columns, "label": ClassLabel(names=list(STANCE_LABELS))})
    if config == "annotations":
        annotation = {"annotator": Value("string"), "label": Value("string"), "note": Value("string")}
        return Features({
            **columns,
            "annotations": List(annotation),
            "gold_label": Value("string"),
            "gold_method": Value("string"),
            "adjudicator": Value("string"),
            "adjudicator_note": Value("string"),
            "split": Value("string"),
        })
    raise StancebenchError(f"unknown config {config!r} (expected default or annotations)")


# The same features written out, for the build: `datasets` costs ~0.7 s to import, and tests check
# that these equal `features(config).arrow_schema` and `features(config)._to_yaml_list()`.
_ANNOTATION_FIELDS = ("annotator", "label", "note")
_ANNOTATIONS_EXTRA = ("gold_label", "gold_method", "adjudicator", "adjudicator_note", "split")


def _columns(config: str) -> list[str]:
    if config == "default":
        return [*STATEMENT_COLUMNS, "label"]
    if config == "annotations":
        return [*STATEMENT_COLUMNS, "annotations", *_ANNOTATIONS_EXTRA]
    raise StancebenchError(f"unknown config {config!r} (expected default or annotations)")


def _feature_json(name: str) -> dict[str, Any]:
    string = {"dtype": "string", "_type": "Value"}
    if name == "label":
        return {"names": list(STANCE_LABELS), "_type": "ClassLabel"}
    if name == "annotations":
        return {"feature": {field: string for field in _ANNOTATION_FIELDS}, "_type": "List"}
    if name in _STRING_LISTS:
        return {"feature": string, "_type": "List"}
    return string


def arrow_schema(config: str = "default") -> pa.Schema:
    """The Arrow schema of a release config, metadata included, as `features(config).arrow_schema` gives it."""
    import pyarrow as pa

    item = pa.struct([(field, pa.string()) for field in _ANNOTATION_FIELDS])
    types = {"label": pa.int64(), "annotations": pa.list_(item), **{name: pa.list_(pa.string()) for name in _STRING_LISTS}}
    names = _columns(config)
    metadata = {"huggingface": json.dumps({"info": {"features": {name: _feature_json(name) for name in names}}})}
    return pa.schema([(name, types.get(name, pa.string())) for name in names], metadata=metadata)


def feature_yaml(config: str = "default") -> list[dict[str, Any]]:
    """The card's `features` list of a config, as `features(config)._to_yaml_list()` gives it."""
    out: list[dict[str, Any]] = []
    for name in _columns(config):
        if name == "label":
            out.append({"name": name, "dtype": {"class_label": {"names": {str(i): n for i, n in enumerate(STANCE_LABELS)}}}})
        elif name == "annotations":
            out.append({"name": name, "list": [{"name": field, "dtype": "string"} for field in _ANNOTATION_FIELDS]})
        elif name in _STRING_LISTS:
            out.append({"name": name, "list": "string"})
        else:
            out.append({"name": name, "dtype": "string"})
    return out


# ---------------------------------------------------------------- loading


def packaged_release_dir() -> Path:
    """The release bundled inside the installed package."""
    return Path(__file__).resolve().parent.parent / "data"


def load_dataset(config: str = "default", *, path: str | Path | None = None, **kwargs: Any) -> DatasetDict:
    """The release as a `datasets.DatasetDict` (default: the one bundled in the package); offline, no loading code.

    Extra keyword arguments go to `datasets.load_dataset` (e.g. `cache_dir`).
    """
    folder = Path(path) if path is not None else packaged_release_dir()
    if not (folder / CARD_FILE).is_file():
        raise StancebenchError(f"{folder}: no release here ({CARD_FILE} missing); build one with 'stancebench build'")
    configs = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if config not in configs:
        close = difflib.get_close_matches(config, configs, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (available: {', '.join(configs)})"
        raise StancebenchError(f"{folder}: no config {config!r}{hint}")
    import datasets

    return datasets.load_dataset(str(folder), config, **kwargs)


def cv_folds(k: int = 5, seed: int = 0, *, path: str | Path | None = None, **kwargs: Any) -> Iterator[tuple[Dataset, Dataset]]:
    """k (train, test) Dataset pairs over every gold item (train + test), grouped by speaker, stratified by label."""
    import numpy as np
    from datasets import concatenate_datasets

    from stancebench.release.splits import grouped_folds

    release = load_dataset("default", path=path, **kwargs)
    everything = concatenate_datasets([release[name] for name in SPLITS if name in release])
    # Order by id so the folds do not depend on the published train/test assignment.
    everything = everything.select(np.argsort(np.asarray(everything["id"]), kind="stable"))
    names = everything.features["label"].names
    labels = [names[code] for code in everything["label"]]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            folds = grouped_folds(labels, everything["speaker"], k=k, seed=seed)
    except ValueError as err:
        raise StancebenchError(f"cv_folds: {err}") from None
    for train, test in folds:
        yield everything.select(np.sort(train)), everything.select(np.sort(test))
