"""Score a model or a predictions file on gold items: `evaluate(...) -> Report`.

    >>> import stancebench
    >>> report = stancebench.evaluate(predictions="preds.jsonl")  # bundled release, test split
    >>> report.headline["macro_f1"]                               # Estimate(value, ci_low, ci_high)
    >>> report = stancebench.evaluate(model=MyModel(), cv=5)      # grouped 5-fold CV over all items
    >>> report.save("report.json"); print(report.as_table())

A model is any object with `predict(examples) -> list[str]` (see `stancebench.models.adapters`); if it
also has `fit(examples, labels)`, it is fitted on the train split first (on each fold's
training part with `cv`). Missing predictions count as wrong and are reported as coverage;
predictions for ids not in the gold are reported and ignored.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import stancebench
from stancebench.columns import from_numpy, literal, to_numpy
from stancebench.errors import StancebenchError, first_line, quoted
from stancebench.evaluation import metrics
from stancebench.evaluation.gold import EvalItems, load_gold
from stancebench.evaluation.predictions import (
    Predictions,
    check_unique_ids,
    model_codes,
    parse_label_map,
    predictions_from_mapping,
    read_predictions,
    read_table,
)
from stancebench.evaluation.report import Estimate, Report, now
from stancebench.models.adapters import describe_model
from stancebench.models.loading import load_model
from stancebench.progress import track
from stancebench.release.splits import grouped_folds
from stancebench.schema import STANCE_LABELS

__all__ = ["evaluate", "score", "BREAKDOWNS", "BOOTSTRAPS"]

#: Columns the report breaks results down by, when the gold has them.
BREAKDOWNS: tuple[str, ...] = ("quote_type", "speaker_affiliation", "target_id")
#: Bootstrap units: items (multinomial over confusion cells), items within gold class, or whole articles.
BOOTSTRAPS: tuple[str, ...] = ("items", "stratified", "article")


def _align(gold: EvalItems, predictions: Predictions) -> tuple[np.ndarray, dict[str, Any]]:
    # One hash pass over gold and predicted ids together gives every id a small integer code;
    # the join, the duplicate check and the unknown-id count are then numpy indexing.
    n_gold = len(gold)
    encoded = pa.concat_arrays([gold.ids, predictions.ids.cast(pa.string())]).dictionary_encode()
    codes = to_numpy(encoded.indices)
    n_ids = len(encoded.dictionary)
    gold_codes, pred_codes = codes[:n_gold], codes[n_gold:]
    counts = np.bincount(pred_codes, minlength=n_ids)
    if (counts > 1).any():
        if predictions.table is not None:
            check_unique_ids(predictions.table)  # names the line
        repeated = encoded.dictionary[int(np.flatnonzero(counts > 1)[0])].as_py()
        raise StancebenchError(f"{predictions.source}: duplicate id {quoted(repeated)}")
    row_of = np.full(n_ids, -1, dtype=np.int64)
    row_of[pred_codes] = np.arange(len(pred_codes))
    rows = row_of[gold_codes]
    pred = np.where(rows >= 0, predictions.codes[np.maximum(rows, 0)], metrics.MISSING).astype(np.uint8)
    in_gold = np.zeros(n_ids, dtype=bool)
    in_gold[gold_codes] = True
    unknown = np.flatnonzero(~in_gold[pred_codes])
    sample = predictions.ids.take(from_numpy(unknown[:10])).to_pylist() if len(unknown) else []
    return pred, {"n_unknown_ids": len(unknown), "unknown_ids": sample}


def _articles(gold: EvalItems) -> pa.Array | None:
    if "article_id" not in gold.table.column_names:
        return None
    articles = gold.table["article_id"].combine_chunks()
    return None if articles.null_count else articles.cast(pa.string())


def _fresh(model: Any) -> Any:
    # A new unfitted copy per fold when the model is a scikit-learn estimator; else refit in place.
    if callable(getattr(model, "get_params", None)):
        try:
            from sklearn.base import clone

            return clone(model)
        except Exception:  # noqa: BLE001 - not a clonable estimator
            return model
    return model


def _fit(model: Any, examples: list[dict[str, Any]], labels: list[str], name: str) -> None:
    try:
        model.fit(examples, labels)
    except StancebenchError:
        raise
    except Exception as err:  # noqa: BLE001 - user code
        raise StancebenchError(f"model {name} raised in fit: {first_line(err)}") from None


#: Items per predict() call when scoring a model, so a progress bar can follow; a model may set its own
#: `predict_batch_size` (None: all items in one call, e.g. a chat endpoint that shows its own bar).
PREDICT_BATCH_SIZE = 256


def _predict(model: Any, examples: list[dict[str, Any]], name: str, label_map: Mapping[str, str]) -> np.ndarray:
    size = getattr(model, "predict_batch_size", PREDICT_BATCH_SIZE) or len(examples)
    if len(examples) <= size:
        return _predict_batch(model, examples, name, label_map)
    batches = [examples[start:start + size] for start in range(0, len(examples), size)]
    described = f"predicting {len(examples):,} items ({size} a call)"
    return np.concatenate([_predict_batch(model, batch, name, label_map) for batch in track(batches, described)])


def _predict_batch(model: Any, examples: list[dict[str, Any]], name: str, label_map: Mapping[str, str]) -> np.ndarray:
    ids = [str(e.get("id")) for e in examples]
    try:
        labels = model.predict(examples)
    except StancebenchError:
        raise
    except Exception as err:  # noqa: BLE001 - user code
        # Find the item it fails on, so the message can name it.
        for example in examples:
            try:
                model.predict([example])
            except Exception as item_err:  # noqa: BLE001
                raise StancebenchError(
                    f"model {name} raised on item {example.get('id')!r}: {first_line(item_err)}"
                ) from None
        raise StancebenchError(f"model {name} raised in predict: {first_line(err)}") from None
    return model_codes(labels, ids, name, label_map)


def _present_macro_f1(cm: np.ndarray, f1: np.ndarray) -> np.ndarray:
    # Within a group, macro-F1 averages the classes present in its gold or predictions
    # (scikit-learn's default labels): a one-class group is not capped at 1/3. For a stack of
    # resampled matrices, presence is decided per resample, as scikit-learn would on that sample.
    present = (cm.sum(axis=-1) > 0) | (cm[..., : metrics.N_CLASSES].sum(axis=-2) > 0)
    return (f1 * present).sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def _breakdowns(gold: EvalItems, pred: np.ndarray, resamples: int = 1000, seed: int = 0) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name in BREAKDOWNS:
        if name not in gold.table.column_names:
            continue
        column = gold.table[name].combine_chunks().cast(pa.string()).fill_null(literal("(none)")).dictionary_encode()
        values = column.dictionary.to_pylist()
        if name == "target_id" and len(values) < 2:
            continue  # a one-target corpus: the breakdown would repeat the headline
        cms = metrics.grouped_confusion_matrices(gold.labels, pred, to_numpy(column.indices),
                                                 len(values))
        groups = []
        for i, value in enumerate(values):
            # Point and interval per group, from multinomial resamples of the group's own cells.
            found = metrics.scores(cms[i])
            stack = metrics.bootstrap_confusions(cms[i], resamples, seed + i)
            draws = metrics.scores(stack)
            accuracy_low, accuracy_high = metrics.percentile_interval(draws["accuracy"])
            macro_low, macro_high = metrics.percentile_interval(_present_macro_f1(stack, draws["f1"]))
            groups.append({
                "value": value, "n": int(cms[i].sum()),
                "accuracy": float(found["accuracy"]), "accuracy_ci": [float(accuracy_low), float(accuracy_high)],
                "macro_f1": float(_present_macro_f1(cms[i], found["f1"])),
                "macro_f1_ci": [float(macro_low), float(macro_high)],
            })
        out[name] = sorted(groups, key=lambda g: (-g["n"], str(g["value"])))
    return out


def _bootstrap_stack(gold: EvalItems, pred: np.ndarray, cm: np.ndarray, bootstrap: str, resamples: int, seed: int,
                     warnings: list[str]) -> tuple[np.ndarray, str, list[str]]:
    # The resampled confusion matrices, how they were drawn, and a warning when too few articles.
    if bootstrap not in BOOTSTRAPS:
        raise StancebenchError(f"unknown bootstrap {bootstrap!r} (expected one of: {', '.join(BOOTSTRAPS)})")
    if bootstrap == "stratified":
        return metrics.stratified_draws(cm, resamples, seed), metrics.STRATIFIED_SCHEME, warnings
    if bootstrap == "article":
        articles = gold.column("article_id")
        if articles is None:
            raise StancebenchError("--bootstrap article needs an 'article_id' column in the gold")
        clusters = np.array(articles, dtype=object).astype(str)
        too_few = metrics.check_clusters(clusters)
        if not too_few:
            scheme = f"articles ({len(np.unique(clusters))} clusters; resamples holding every gold class)"
            return metrics.cluster_bootstrap_confusions(gold.labels, pred, clusters, resamples, seed), scheme, warnings
        warnings.append(too_few)
    return metrics.bootstrap_confusions(cm, resamples, seed), metrics.ITEM_SCHEME, warnings


def score(gold: EvalItems, pred: np.ndarray, *, resamples: int = 1000, seed: int = 0, bootstrap: str = "items",
          model: Mapping[str, Any] | None = None, options: Mapping[str, Any] | None = None,
          extra_coverage: Mapping[str, Any] | None = None, timings: dict[str, float] | None = None,
          warnings: list[str] | None = None) -> Report:
    """Build a Report from gold and predicted codes (3 = missing): metrics, intervals, breakdowns."""
    timings = dict(timings or {})
    start = time.perf_counter()
    cm = metrics.confusion_matrix(gold.labels, pred)
    point = metrics.scores(cm)
    timings["metrics"] = time.perf_counter() - start
    start = time.perf_counter()
    stack, scheme, warnings = _bootstrap_stack(gold, pred, cm, bootstrap, resamples, seed, list(warnings or []))
    keep = metrics.holds_gold_classes(stack, cm)  # a resample that lost a gold class would score it 0
    boot = metrics.scores(stack)
    options = {**(options or {}), "bootstrap_scheme": scheme, "resamples_kept": int(keep.sum())}
    low, high = {}, {}
    for name in (*metrics.METRICS, "precision", "recall", "f1"):
        low[name], high[name] = metrics.percentile_interval(boot[name], keep=keep)
    timings["bootstrap"] = time.perf_counter() - start
    headline = {name: Estimate(float(point[name]), float(low[name]), float(high[name])) for name in metrics.METRICS}
    per_class = {
        label: {
            **{name: Estimate(float(point[name][k]), float(low[name][k]), float(high[name][k]))
               for name in ("precision", "recall", "f1")},
            "support": int(point["support"][k]),
        }
        for k, label in enumerate(STANCE_LABELS)
    }
    n_missing = int(cm[:, metrics.MISSING].sum())
    coverage = {"n_items": len(gold), "n_predicted": len(gold) - n_missing, "n_missing": n_missing,
                "coverage": float(point["coverage"]), "n_unknown_ids": 0, "unknown_ids": []}
    coverage.update(extra_coverage or {})
    start = time.perf_counter()
    breakdowns = _breakdowns(gold, pred, resamples, seed)
    timings["breakdowns"] = time.perf_counter() - start
    article_array = _articles(gold)
    articles = None if article_array is None else article_array.to_pylist()
    return Report(
        dataset=gold.describe(), model=dict(model or {}), options=dict(options or {}), headline=headline,
        per_class=per_class, confusion=cm, coverage=coverage, breakdowns=breakdowns,
        ids=gold.ids.to_pylist(), gold=gold.labels, pred=pred, timings=timings, articles=articles,
        id_array=gold.ids, article_array=article_array,
        warnings=[*gold.warnings, *(warnings or [])], stancebench_version=stancebench.__version__, created=now(),
    )


def _train_set(train: str | Path | None, gold_file: str | Path | None, release: str | Path | None) -> EvalItems | None:
    # --train FILE: its train rows if it has a split column, else every row; --train release: the
    # release's train split; default: the gold file's own train rows, else the release's train split.
    if train is not None and str(train) != "release":
        has_split = "split" in read_table(train, required=("id",)).table.column_names
        return load_gold("train" if has_split else None, gold_file=train)
    if gold_file is not None and train is None and "split" in read_table(gold_file, required=("id",)).table.column_names:
        try:
            return load_gold("train", gold_file=gold_file)
        except StancebenchError:
            pass  # no train rows in the file: fall back to the release
    try:
        return load_gold("train", release=release)
    except StancebenchError:
        if train is not None:
            raise
        return None


def _check_columns(model: Any, name: str, items: EvalItems) -> None:
    # A model names the example columns it reads (`required_columns`); a file without one would
    # silently change the model (an affiliation feature that is always "unknown").
    for column in tuple(getattr(model, "required_columns", ()) or ()):
        if column not in items.table.column_names or items.table[column].null_count == len(items):
            raise StancebenchError(f"model {name} reads the column '{column}', which {items.source} does not have")


def _no_overlap(source: str, unknown: list[Any], items: EvalItems, split: str | None) -> str:
    ours = ", ".join(quoted(i) for i in unknown[:2])
    theirs = ", ".join(quoted(i) for i in items.ids.slice(0, 2).to_pylist())
    return (f"{source}: no prediction id matches the gold {split or 'set'} ({len(items)} items): predictions have "
            f"{ours}, gold has {theirs}")


def _unknown_ids_warning(read: Predictions, extra: Mapping[str, Any], items: EvalItems, split: str | None) -> list[str]:
    if len(read) and extra["n_unknown_ids"] == len(read):  # nothing to score: an error, not all-zero figures
        raise StancebenchError(_no_overlap(read.source, extra["unknown_ids"], items, split))
    if not extra["n_unknown_ids"]:
        return []
    shown = ", ".join(quoted(i) for i in extra["unknown_ids"][:3])
    more = ", …" if extra["n_unknown_ids"] > 3 else ""
    return [f"{read.source}: {extra['n_unknown_ids']} prediction(s) for ids not in the gold {split or 'set'} "
            f"were ignored ({shown}{more})"]


def _read(predictions: Any, label_map: Mapping[str, str]) -> tuple[Predictions, dict[str, Any]]:
    if isinstance(predictions, (str, Path)):
        return read_predictions(predictions, label_map, check_ids=False), {"type": "predictions", "path": str(predictions)}
    if isinstance(predictions, Predictions):
        return predictions, {"type": "predictions", "path": predictions.source}
    if isinstance(predictions, Mapping):
        return predictions_from_mapping(predictions, label_map), {"type": "predictions", "path": "<dict>"}
    raise StancebenchError(f"predictions= takes a predictions file or a dict id -> label, not a {type(predictions).__name__}")


def _model(model: Any) -> tuple[Any, dict[str, Any]]:
    if isinstance(model, (str, Path)):
        return load_model("python", str(model))
    if callable(getattr(model, "predict", None)):
        return model, describe_model(model)
    raise StancebenchError(f"model= takes an object with predict(examples) or a model spec, not a {type(model).__name__}")


def _check_options(predictions: Any, model: Any, cv: int | None, resamples: int, bootstrap: str,
                   limit: int | None = None) -> None:
    if (predictions is None) == (model is None):
        raise StancebenchError("evaluate: give exactly one of predictions=... (a file or dict) or model=...")
    if resamples < 1:
        raise StancebenchError(f"resamples must be at least 1, got {resamples}")
    if limit is not None and limit < 1:
        raise StancebenchError(f"--limit must be at least 1, got {limit}")
    if cv is not None and cv < 2:
        raise StancebenchError(f"--cv must be at least 2, got {cv}")
    if cv and predictions is not None:
        raise StancebenchError("--cv needs a model with fit(); a predictions file cannot be cross-validated")
    if bootstrap not in BOOTSTRAPS:
        raise StancebenchError(f"unknown bootstrap {bootstrap!r} (expected one of: {', '.join(BOOTSTRAPS)})")


def evaluate(
    *,
    predictions: str | Path | Mapping[str, Any] | Predictions | None = None,
    model: Any = None,
    split: str | None = "test",
    gold_file: str | Path | None = None,
    release: str | Path | None = None,
    cv: int | None = None,
    resamples: int = 1000,
    seed: int = 0,
    label_map: Mapping[str, str] | str | None = None,
    bootstrap: str = "items",
    fit: bool = True,
    model_descriptor: Mapping[str, Any] | None = None,
    train: str | Path | None = None,
    limit: int | None = None,
) -> Report:
    """Score predictions or a model on gold items and return a Report with 95% bootstrap intervals.

    Give exactly one of `predictions` (a JSONL/CSV/parquet file with id, label, only ever read;
    or a dict id -> label) and `model` (an object with `predict`, optionally `fit`; or a spec
    `path/model.py[:NAME]` / `package.module:NAME`). `split` picks the gold split (None or
    "all" = every row); `gold_file` is a labelled file (id, text, label) scored instead of the release; `release` a
    release folder (default: the bundled one). `cv=K` runs speaker-grouped K-fold
    cross-validation over all gold items (models with `fit` only). `label_map` maps other
    label names to support/oppose/hedge (dict, "A=support,B=oppose" or a JSON file path).
    `bootstrap="article"` resamples whole articles instead of items. `fit=False` skips fitting.
    `train` is what a model with `fit` is fitted on: "release" (the release's train split) or a
    labelled file; by default the gold file's own `train` rows, else the release's train split.
    `limit=N` scores a seeded sample of N gold items (quick runs).
    """
    _check_options(predictions, model, cv, resamples, bootstrap, limit)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    label_map = parse_label_map(label_map)
    split = None if split == "all" else split
    if predictions is not None:  # read first: a bad file is named before any gold is loaded
        read, descriptor = _read(predictions, label_map)
        timings["read_predictions"] = time.perf_counter() - started
    start = time.perf_counter()
    items = load_gold(None if cv else split, gold_file=gold_file, release=release)
    items = items.sample(limit, seed) if limit is not None else items
    timings["load_gold"] = time.perf_counter() - start
    options: dict[str, Any] = {"split": "all" if cv or split is None else split, "cv": cv, "seed": seed,
                               "resamples": resamples, "bootstrap": bootstrap, "label_map": label_map or None,
                               **({"train": str(train)} if train is not None else {}),
                               **({"limit": limit} if limit is not None else {})}
    extra: dict[str, Any] = {}
    warnings: list[str] = []
    if predictions is not None:
        start = time.perf_counter()
        pred, extra = _align(items, read)
        timings["join"] = time.perf_counter() - start
        warnings += _unknown_ids_warning(read, extra, items, split)
    else:
        model, descriptor = _model(model)
        descriptor = {**descriptor, **(model_descriptor or {})}
        name = str(descriptor.get("spec") or descriptor.get("path") or descriptor.get("class") or type(model).__name__)
        start = time.perf_counter()
        record: dict[str, Any] = {}
        pred = _run_model(model, name, items, label_map, cv=cv, seed=seed, fit=fit, gold_file=gold_file,
                          release=release, warnings=warnings, train=train, record=record)
        timings["predict"] = time.perf_counter() - start
        warnings.extend(getattr(model, "warnings_", []) or [])
        extra.update(getattr(model, "coverage_", None) or {})  # e.g. a language model's unparsable answers
    descriptor = {**descriptor, **(model_descriptor or {})}
    report = score(items, pred, resamples=resamples, seed=seed, bootstrap=bootstrap, model=descriptor,
                   options=options, extra_coverage=extra, timings=timings, warnings=warnings)
    report.timings["total"] = time.perf_counter() - started
    report.folds = record.get("folds") if predictions is None else None
    return report


def _run_model(model: Any, name: str, items: EvalItems, label_map: Mapping[str, str], *, cv: int | None, seed: int,
               fit: bool, gold_file: str | Path | None, release: str | Path | None, warnings: list[str],
               train: str | Path | None = None, record: dict[str, Any] | None = None) -> np.ndarray:
    has_fit = fit and callable(getattr(model, "fit", None))
    examples = items.examples()
    _check_columns(model, name, items)
    if cv:
        if not has_fit:
            raise StancebenchError(f"--cv needs a model with fit(); model {name} has none")
        speakers = items.column("speaker")
        if speakers is None:
            raise StancebenchError("--cv groups folds by speaker, but the gold has no 'speaker' column")
        names = [STANCE_LABELS[c] for c in items.labels]
        try:
            folds = grouped_folds(names, [str(s) for s in speakers], k=cv, seed=seed)
        except ValueError as err:
            raise StancebenchError(f"--cv {cv}: {err}") from None
        pred = np.full(len(items), metrics.MISSING, dtype=np.uint8)
        fold_of = np.zeros(len(items), dtype=np.int64)
        for number, (_, test) in enumerate(folds):
            fold_of[test] = number
        if record is not None:
            record["folds"] = fold_of.tolist()
        for train_rows, test in folds:
            fold_model = _fresh(model)
            _fit(fold_model, [examples[i] for i in train_rows], [names[i] for i in train_rows], name)
            pred[test] = _predict(fold_model, [examples[i] for i in test], name, label_map)
        return pred
    if has_fit:
        train_set = _train_set(train, gold_file, release)
        if train_set is None:
            raise StancebenchError(f"model {name} has fit() but there are no training rows (the gold file has no "
                                   "'train' rows and there is no release): pass --train FILE, or --no-fit")
        _check_columns(model, name, train_set)
        overlap = to_numpy(pc.is_in(items.ids, value_set=train_set.ids))
        if overlap.any():
            warnings.append(f"{int(overlap.sum())} of the {len(items)} scored items are also training rows "
                            f"({train_set.source}): the scores are not held-out")
        _fit(model, train_set.examples(), [STANCE_LABELS[c] for c in train_set.labels], name)
    return _predict(model, examples, name, label_map)
