"""The gold items a model is scored on: a split of the release, or a researcher's labelled file.

A release folder holds `release.json` ({"name", "version", "content_hash", ...}) and
`default/<split>.parquet` with an int `label` column (ClassLabel index into
`schema.STANCE_LABELS`). A `--gold` file is any JSONL, CSV or parquet file with at least
`id`, `text` and `label` (a name or a class number), optionally a `split` column.

Every gold set carries the content hash of exactly the rows it holds
(`schema.gold_columns_hash` over (id, text, label name), the release's own hash function), so a report over the bundled test
split and one over the same rows given as a file agree, and `compare` can refuse reports
scored against different gold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench.columns import from_numpy, is_valid, literal, strings, to_numpy
from stancebench.errors import InputError, StancebenchError, quoted
from stancebench.evaluation.predictions import Table, check_unique_ids, label_codes, read_table
from stancebench.release.dataset import packaged_release_dir
from stancebench.schema import STANCE_LABELS, gold_columns_hash

__all__ = ["EvalItems", "load_gold"]

#: Columns handed to a model (everything but the label), when the gold has them.
#: Only these reach `predict()`: a file's other columns (possibly derived from the label) never do.
EXAMPLE_COLUMNS: tuple[str, ...] = (
    "id", "text", "context", "target_id", "target", "speaker", "speaker_role", "speaker_affiliation", "quote_type",
    "article_id", "article_title", "outlet", "date", "url",
)
_STRING_COLUMNS = tuple(c for c in EXAMPLE_COLUMNS if c != "date") + ("split",)
_LABEL_NAMES = strings(STANCE_LABELS)


@dataclass
class EvalItems:
    """The items a model is scored on: rows (`table`, without the label), their uint8 label codes and where they came from."""

    table: pa.Table
    labels: np.ndarray
    name: str
    split: str | None
    source: str
    content_hash: str
    version: str | None = None
    release_content_hash: str | None = None
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def ids(self) -> pa.Array:
        """The item ids, as a pyarrow string array."""
        return self.table["id"].combine_chunks()

    def column(self, name: str) -> list[Any] | None:
        """A column as a Python list, or None when the gold has no such column."""
        return self.table[name].to_pylist() if name in self.table.column_names else None

    def examples(self, rows: np.ndarray | None = None) -> list[dict[str, Any]]:
        """The rows as plain dicts of the `EXAMPLE_COLUMNS` the gold has: what a model's `predict` receives."""
        names = [c for c in EXAMPLE_COLUMNS if c in self.table.column_names]
        table = self.table.select(names)
        if rows is not None:
            table = table.take(from_numpy(np.asarray(rows, dtype=np.int64)))
        return table.to_pylist()

    def sample(self, n: int, seed: int = 0) -> EvalItems:
        """A seeded subset of `n` rows in their original order (`--limit`), with its own content hash."""
        if n >= len(self):
            return self
        rows = np.sort(np.random.default_rng(seed).choice(len(self), size=n, replace=False))
        table = self.table.take(from_numpy(rows.astype(np.int64)))
        labels = self.labels[rows]
        digest = gold_columns_hash(table["id"].combine_chunks(), table["text"].combine_chunks(),
                                   pa.DictionaryArray.from_arrays(pa.array(labels), _LABEL_NAMES))
        note = f"--limit {n}: scored a sample of {n} of the {len(self)} items (seed {seed})"
        return replace(self, table=table, labels=labels, content_hash=digest, warnings=[*self.warnings, note])

    def describe(self) -> dict[str, Any]:
        """The dataset block of a report."""
        return {
            "name": self.name,
            "version": self.version,
            "split": self.split,
            "n_items": len(self),
            "content_hash": self.content_hash,
            "release_content_hash": self.release_content_hash,
            "source": self.source,
        }


def _sorted_unique(loaded: Table) -> pa.Array:
    # The order that sorts the ids, checking they are unique on the way: a repeat sits next to its
    # twin once sorted (cheaper than hashing a million ids), and the content hash reuses the order.
    ids = loaded.table["id"].combine_chunks()
    order = pc.sort_indices(ids)
    if len(ids) > 1:
        ordered = ids.take(order)
        if pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))).as_py():
            check_unique_ids(loaded)  # names the line
    return order


def _from_table(loaded: Table, *, name: str, split: str | None, source: str, version: str | None = None,
                release_hash: str | None = None, warnings: list[str] | None = None) -> EvalItems:
    order = _sorted_unique(loaded)
    table = loaded.table
    if table["text"].null_count:
        row = int(np.flatnonzero(~is_valid(table["text"]))[0])
        raise InputError(loaded.path, loaded.line_of(row), "missing 'text'")
    labels = label_codes(loaded)
    label_names = pa.DictionaryArray.from_arrays(from_numpy(labels), _LABEL_NAMES)
    return EvalItems(
        table=table.drop_columns(["label"]),
        labels=labels,
        name=name,
        split=split,
        source=source,
        content_hash=gold_columns_hash(table["id"], table["text"], label_names, order=order),
        version=version,
        release_content_hash=release_hash,
        warnings=warnings or [],
    )


def _drop_off_target(loaded: Table) -> tuple[Table, list[str]]:
    # off_target statements are annotation only; a researcher's file may still hold them.
    column = loaded.table["label"].combine_chunks()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = column.dictionary_encode()  # label_codes reads it through the dictionary, so encode once here
        loaded = Table(loaded.table.set_column(loaded.table.column_names.index("label"), "label", column),
                       loaded.path, loaded.line_of)
    if not pa.types.is_dictionary(column.type):
        return loaded, []
    off = [i for i, name in enumerate(column.dictionary.to_pylist()) if str(name).strip().lower() == "off_target"]
    if not off:
        return loaded, []
    is_off = np.isin(to_numpy(column.indices), off) & is_valid(column)
    kept = np.flatnonzero(~is_off)
    line_of = loaded.line_of
    return Table(loaded.table.take(from_numpy(kept)), loaded.path, lambda row: line_of(int(kept[row]))), [
        f"{loaded.path}: left out {int(is_off.sum())} off_target item(s) (not a benchmark class)"
    ]


def _load_gold_file(path: str | Path, split: str | None) -> EvalItems:
    loaded = read_table(path, required=("id", "text", "label"), string_columns=_STRING_COLUMNS)
    loaded, warnings = _drop_off_target(loaded)
    used_split: str | None = None
    if split not in (None, "test") and "split" not in loaded.table.column_names:
        # A file without a split column is one test set: asking for another split is a mistake.
        raise InputError(loaded.path, 0, f"--split {split}: the file has no 'split' column (every row is scored "
                                         "with the default --split test or --split all)")
    extra = [c for c in loaded.table.column_names if c not in (*EXAMPLE_COLUMNS, "label", "split")]
    if extra:
        warnings.append(f"{loaded.path}: column(s) {', '.join(quoted(c) for c in extra[:5])}"
                        f"{', …' if len(extra) > 5 else ''} are not handed to the model (only {', '.join(EXAMPLE_COLUMNS)})")
    if split is not None and "split" in loaded.table.column_names:
        splits = loaded.table["split"]
        mask = to_numpy(pc.equal(splits, literal(split))) & is_valid(splits)
        if not mask.any():
            present = sorted(x for x in pc.unique(loaded.table["split"]).to_pylist() if x is not None)
            raise InputError(loaded.path, 0, f"no rows with split '{split}' (splits: {', '.join(present)})")
        kept = np.flatnonzero(mask)
        line_of = loaded.line_of
        loaded = Table(loaded.table.take(from_numpy(kept)), loaded.path, lambda row: line_of(int(kept[row])))
        used_split = split
    path = Path(path)
    return _from_table(loaded, name=path.stem, split=used_split, source=str(path), warnings=warnings)


def _release_info(folder: Path) -> dict[str, Any]:
    if not folder.is_dir():
        raise StancebenchError(
            f"release folder {folder} not found: build it with 'stancebench build', or pass --release DIR or --gold FILE"
        )
    info_path = folder / "release.json"
    if not info_path.is_file():
        raise InputError(info_path, 0, "file not found (not a stancebench release folder?)")
    try:
        info = json.loads(info_path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as err:  # also bad UTF-8 and integers past 4,300 digits
        raise InputError(info_path, getattr(err, "lineno", 0), "not valid JSON") from None
    if not isinstance(info, dict):
        raise InputError(info_path, 0, "expected a JSON object")
    return info


def _split_files(folder: Path) -> dict[str, Path]:
    config = folder / "default"
    return {p.stem: p for p in sorted(config.glob("*.parquet"))} if config.is_dir() else {}


def _load_release(folder: str | Path, split: str | None) -> EvalItems:
    folder = Path(folder)
    info = _release_info(folder)
    files = _split_files(folder)
    if not files:
        raise InputError(folder / "default", 0, "no split files (expected default/train.parquet, default/test.parquet)")
    if split is None:
        chosen = list(files.values())
    elif split in files:
        chosen = [files[split]]
    else:
        raise StancebenchError(f"release {folder} has no split '{split}' (splits: {', '.join(files)})")
    tables = [read_table(p, required=("id", "text", "label"), string_columns=_STRING_COLUMNS) for p in chosen]
    for loaded in tables:
        label_codes(loaded)  # names the file and row of a bad label before concatenating
    if len(tables) == 1:
        loaded = tables[0]
    else:
        combined = pa.concat_tables([t.table for t in tables], promote_options="permissive")
        loaded = Table(combined, folder, lambda row: row + 1)
    return _from_table(
        loaded,
        name=str(info.get("name") or folder.name),
        split=split,
        source=str(folder),
        version=None if info.get("version") is None else str(info["version"]),
        release_hash=info.get("content_hash"),
    )


def load_gold(split: str | None = "test", *, gold_file: str | Path | None = None,
              release: str | Path | None = None) -> EvalItems:
    """The items to score: `gold_file` (a labelled file) if given, else `split` of `release` (default: bundled).

    `split=None` takes every row (train and test): what `--cv` folds over.
    """
    if gold_file is not None:
        return _load_gold_file(gold_file, split)
    return _load_release(release if release is not None else packaged_release_dir(), split)
