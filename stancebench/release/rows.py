"""The release's rows, column by column: which statements go where, and the tables of both configs.

Statements are ordered by (article, start, end, id). A statement is in `default` when it is live
and its gold label is a stance; in `annotations` when it is live and has gold or a current label.
A syndicated copy is in neither: its canonical statement's row lists it (`release.copies`).
Everything here works on whole columns (Arrow and numpy), so a million statements cost a few
seconds, not a row loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench.release.copies import COPY_COLUMNS, copy_columns
from stancebench.release.dataset import SPLITS, STATEMENT_COLUMNS, arrow_schema
from stancebench.release.inputs import Inputs
from stancebench.release.splits import grouped_split_codes
from stancebench.schema import LABELS, STANCE_LABELS

__all__ = ["Rows", "LabelState", "compute_rows", "split_rows", "config_tables", "codes"]

_STRING = pa.string()


def codes(values: pa.ChunkedArray | pa.Array, names: tuple[str, ...] | list[str] | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Index of each value in `names` (-1 for null or not found), as int64."""
    value_set = pa.array(list(names), _STRING) if isinstance(names, (tuple, list)) else names
    found = pc.index_in(values, value_set=value_set)
    return np.asarray(pc.fill_null(found, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass
class LabelState:
    """The current labels of the release's statements, as codes (rows of the ordered statements)."""

    row: np.ndarray  # statement row of each current label
    annotator: np.ndarray  # index into `annotators`
    label: np.ndarray  # index into LABELS
    note: pa.Array
    annotators: list[str]
    per_row: np.ndarray  # (statements, 4): how many current labels of each kind


@dataclass
class Rows:
    """Both configs' rows before the split, plus what the release reports about them."""

    statements: pa.Table  # ordered
    default: pa.Table  # id, speaker, `label` (string) of the default-config rows, in order
    annotations: pa.Table  # annotations-config columns except `split`
    labels: LabelState
    skipped: dict[str, int]
    outdated: list[str]  # gold records older than the current labels (ids, gold file order)
    annotators: list[str]  # named in the logs' current labels or in gold
    # Row of `annotations` of each default row (a default row is live with gold, so it is one): the
    # split's tables take their texts from there, so they are copied once, not twice.
    default_at: np.ndarray


def _label_state(statements: pa.Table, current: pa.Table) -> LabelState:
    row = codes(current.column("statement_id"), statements.column("id")) if len(current) else np.zeros(0, np.int64)
    known = row >= 0
    current = current.filter(pa.array(known))
    names = sorted(pc.unique(current.column("annotator")).to_pylist()) if len(current) else []
    annotator, label, row = codes(current.column("annotator"), names), codes(current.column("label"), LABELS), row[known]
    order = np.lexsort((annotator, row))  # by statement, then annotator name
    per_row = np.bincount(row * 4 + label, minlength=len(statements) * 4).reshape(len(statements), 4)
    return LabelState(row[order], annotator[order], label[order], current.column("note").take(pa.array(order)), names, per_row)


def _statement_columns(inputs: Inputs, picked: pa.Array) -> dict[str, pa.Array]:
    """The columns both configs share, for the statements at `picked`: their own fields, target text, article."""
    # Taken straight from the input table, so the large text columns are copied once, into the config.
    own = [name for name in STATEMENT_COLUMNS if name in inputs.statements.column_names and name not in COPY_COLUMNS]
    statements = inputs.statements.select(own).take(picked)
    articles = inputs.articles
    where = pc.index_in(statements.column("article_id"), value_set=articles.column("id"))
    target_ids = statements.column("target_id")
    known = sorted(inputs.targets)
    which = pc.index_in(target_ids, value_set=pa.array(known, _STRING))
    described = pa.array([inputs.targets[t] for t in known], _STRING).take(which)
    out = {name: statements.column(name) for name in STATEMENT_COLUMNS if name in statements.column_names}
    out.update(copy_columns(inputs.statements, inputs.copies, statements.column("id").combine_chunks()))
    out["target"] = pc.fill_null(described, target_ids)  # a target without a description is shown by its id
    for name, source in (("article_title", "title"), ("outlet", "outlet"), ("date", "date"), ("url", "url")):
        out[name] = articles.column(source).take(where)
    return {name: _plain(out[name]) for name in STATEMENT_COLUMNS}


def _plain(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """One chunk, and no validity buffer when nothing is null (as `pa.array` builds it from Python)."""
    if isinstance(column, pa.ChunkedArray):  # combine_chunks would copy even a single chunk
        array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    else:
        array = column
    if array.null_count or array.buffers()[0] is None or pa.types.is_struct(array.type):
        return array
    if pa.types.is_list(array.type):  # rebuilt from offsets and values: a list keeps its child array
        return pa.ListArray.from_arrays(array.offsets, array.values, type=array.type)
    if not pa.types.is_nested(array.type):
        array = pa.Array.from_buffers(array.type, len(array), [None, *array.buffers()[1:]], offset=array.offset)
    return array


def _entries(rows: np.ndarray, inputs: Inputs, state: LabelState, gold_row: np.ndarray, annotated: np.ndarray) -> pa.Array:
    """The `annotations` list column of statement `rows`: gold's recorded annotations, else the current labels."""
    position = np.full(len(gold_row), -1, dtype=np.int64)  # statement -> its annotations row
    position[rows] = np.arange(len(rows))
    statement_of_gold = np.full(len(inputs.gold), -1, dtype=np.int64)
    statement_of_gold[gold_row[gold_row >= 0]] = np.flatnonzero(gold_row >= 0)
    from_gold = inputs.gold_entries
    g_owner = statement_of_gold[from_gold.column("row").to_numpy()] if len(from_gold) else np.zeros(0, np.int64)
    keep_gold = (g_owner >= 0) & (position[g_owner] >= 0)
    keep_current = ~annotated[state.row] & (position[state.row] >= 0)
    parts = {
        "annotator": (from_gold.column("annotator"), pa.array(state.annotators, _STRING).take(pa.array(state.annotator))),
        "label": (from_gold.column("label"), pa.array(list(LABELS), _STRING).take(pa.array(state.label))),
        "note": (from_gold.column("note"), state.note),
    }
    owner = position[np.concatenate([g_owner[keep_gold], state.row[keep_current]])]
    order = pa.array(np.argsort(owner, kind="stable"))  # each source is already sorted by annotator within a row
    columns = []
    for gold_part, current_part in parts.values():
        joined = pa.concat_arrays([
            _plain(gold_part).filter(pa.array(keep_gold)), _plain(current_part).filter(pa.array(keep_current)),
        ])
        columns.append(joined.take(order))
    columns[2] = pc.if_else(pc.equal(columns[2], ""), pa.scalar(None, _STRING), columns[2])  # an empty note is no note
    offsets = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(rows)))]).astype(np.int32)
    struct = pa.StructArray.from_arrays([_plain(c) for c in columns], names=list(parts))
    return pa.ListArray.from_arrays(pa.array(offsets), struct)


def _outdated(inputs: Inputs, state: LabelState, gold_row: np.ndarray) -> list[str]:
    """Gold records with recorded annotations that differ from the current labels, in gold file order."""
    gold, entries = inputs.gold, inputs.gold_entries
    if not len(entries):
        return []
    names = sorted(set(state.annotators) | set(pc.unique(entries.column("annotator")).to_pylist()))
    rank = {name: i for i, name in enumerate(names)}
    statement_row = np.full(len(gold), -1, dtype=np.int64)  # gold record -> statement row (the inverse of gold_row)
    statement_row[gold_row[gold_row >= 0]] = np.flatnonzero(gold_row >= 0)
    g_row = statement_row[entries.column("row").to_numpy()]
    g_key = (g_row * len(names) + codes(entries.column("annotator"), names)) * 4 + codes(entries.column("label"), LABELS)
    c_ann = np.array([rank[state.annotators[i]] for i in range(len(state.annotators))], dtype=np.int64)
    c_key = (state.row * len(names) + (c_ann[state.annotator] if len(c_ann) else state.annotator)) * 4 + state.label
    in_scope = np.zeros(len(gold_row) + 1, dtype=bool)  # statement rows with recorded annotations (last slot: none)
    in_scope[g_row] = True
    in_scope = in_scope[state.row]
    bad = np.zeros(len(gold_row) + 1, dtype=bool)
    bad[g_row[~np.isin(g_key, c_key)]] = True
    bad[state.row[in_scope][~np.isin(c_key[in_scope], g_key)]] = True
    annotated = gold.column("annotated").to_numpy(zero_copy_only=False)
    is_outdated = annotated & bad[statement_row]
    return gold.column("statement_id").filter(pa.array(is_outdated)).to_pylist()


def compute_rows(inputs: Inputs) -> Rows:
    """Sort the statements, decide each one's place, and build both configs' rows (split not yet applied)."""
    order = pc.sort_indices(inputs.statements, [(k, "ascending") for k in ("article_id", "start", "end", "id")])
    statements = inputs.statements.select(["id", "is_stale"]).take(order)
    order = order.to_numpy()
    state = _label_state(statements, inputs.logs.current)
    gold = inputs.gold
    where = pc.index_in(statements.column("id"), value_set=gold.column("statement_id"))
    gold_row = np.asarray(pc.fill_null(where, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    has_gold = gold_row >= 0
    gold_label = np.append(codes(gold.column("label"), LABELS), -1)[gold_row]  # -1: no gold
    stale = statements.column("is_stale").to_numpy()
    is_copy = pc.is_in(statements.column("id"), value_set=pa.array(sorted(inputs.copies), _STRING)).to_numpy(zero_copy_only=False)
    released = ~stale & ~is_copy  # a copy's labels and gold count for its canonical statement
    distinct = (state.per_row > 0).sum(axis=1)
    live_no_gold = released & ~has_gold
    skipped = {
        "off_target": int((released & (gold_label == LABELS.index("off_target"))).sum()),
        "disputed": int((live_no_gold & (distinct > 1)).sum()),
        "no_gold_yet": int((live_no_gold & (distinct == 1)).sum()),
        "unlabelled": int((live_no_gold & (distinct == 0)).sum()),
        "stale": int(stale.sum()),
        "copy": int(is_copy.sum()),
    }
    in_default = np.flatnonzero(released & (gold_label >= 0) & (gold_label < len(STANCE_LABELS)))
    in_annotations = np.flatnonzero(released & (has_gold | (state.per_row.sum(axis=1) > 0)))
    annotated = np.zeros(len(statements), dtype=bool)
    annotated[has_gold] = gold.column("annotated").to_numpy(zero_copy_only=False)[gold_row[has_gold]]
    rows_gold = pa.array(gold_row[in_annotations]).cast(pa.int64())
    gold_of = pc.if_else(pc.less(rows_gold, 0), pa.scalar(None, pa.int64()), rows_gold)
    adjudicator_note = gold.column("adjudicator_note").take(gold_of)
    annotations = pa.table({
        **_statement_columns(inputs, pa.array(order[in_annotations])),
        "annotations": _entries(in_annotations, inputs, state, gold_row, annotated),
        "gold_label": _plain(gold.column("label").take(gold_of)),
        "gold_method": _plain(gold.column("method").take(gold_of)),
        "adjudicator": _plain(gold.column("adjudicator").take(gold_of)),
        "adjudicator_note": _plain(pc.if_else(pc.equal(adjudicator_note, ""), pa.scalar(None, _STRING), adjudicator_note)),
    })
    default_at = np.searchsorted(in_annotations, in_default)
    default = annotations.select(["id", "speaker"]).take(pa.array(default_at))
    default = default.append_column("label", pa.array(list(STANCE_LABELS), _STRING).take(pa.array(gold_label[in_default])))
    gold_names = set(pc.unique(inputs.gold_entries.column("annotator")).to_pylist())
    current_names = {state.annotators[i] for i in np.unique(state.annotator)}
    return Rows(statements, default, annotations, state, skipped, _outdated(inputs, state, gold_row),
                sorted(current_names | gold_names), default_at)


def split_rows(default: pa.Table, test_fraction: float, seed: int, warnings: list[str]) -> dict[str, np.ndarray]:
    """Row indices of `default` per split: grouped by speaker, stratified by label, seeded."""
    speakers = default.column("speaker").combine_chunks().dictionary_encode()
    if len(speakers.dictionary) < 2:
        warnings.append(
            f"only {len(speakers.dictionary)} speaker among the on-target statements: "
            "everything goes to 'test' and there is no 'train' split"
        )
        return {"train": np.zeros(0, np.int64), "test": np.arange(len(default))}
    # Codes in sorted-name order, as numpy.unique would number them (the split depends on it).
    group = _sorted_codes(speakers)
    label = _sorted_codes(default.column("label").combine_chunks().dictionary_encode())
    train, test = grouped_split_codes(label, group, test_fraction=test_fraction, seed=seed)
    return {"train": train, "test": test}


def _sorted_codes(encoded: pa.DictionaryArray) -> np.ndarray:
    names = encoded.dictionary.to_pylist()
    rank = np.empty(len(names), dtype=np.int64)
    rank[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    return rank[encoded.indices.to_numpy(zero_copy_only=False)]


def config_tables(rows: Rows, splits: dict[str, np.ndarray]) -> dict[str, dict[str, pa.Table]]:
    """The parquet tables per config and split; an empty split is left out (an empty parquet file does not load)."""
    default_schema, annotations_schema = arrow_schema("default"), arrow_schema("annotations")
    label = pa.array(codes(rows.default.column("label"), STANCE_LABELS))
    tables: dict[str, dict[str, pa.Table]] = {"default": {}, "annotations": {}}
    texts = rows.annotations.select(list(STATEMENT_COLUMNS))
    for name in SPLITS:
        if len(splits[name]):
            part = texts.take(pa.array(rows.default_at[splits[name]])).append_column("label", label.take(pa.array(splits[name])))
            tables["default"][name] = pa.Table.from_arrays([_plain(c) for c in part.columns], schema=default_schema)
    code = np.full(len(rows.annotations), -1, dtype=np.int64)  # -1: not in default
    for number, name in enumerate(SPLITS):
        code[rows.default_at[splits[name]]] = number
    split = pa.array(list(SPLITS), _STRING).take(pa.array(code, mask=code < 0))
    annotations = rows.annotations.append_column("split", _plain(split))
    tables["annotations"]["annotated"] = pa.Table.from_arrays([_plain(c) for c in annotations.columns], schema=annotations_schema)
    return tables
