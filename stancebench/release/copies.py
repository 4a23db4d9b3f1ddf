"""Syndicated copies in the release: one row per canonical statement, its copies listed beside it.

`extract` links the statements of near-duplicate articles (`stancebench.corpus.dedup`): a copy
names its canonical statement in `canonical_id`. The release keeps the canonical row only, with
two parallel list columns: `copies` (the copies' statement ids, sorted) and `copy_article_ids`
(the article each copy comes from). Labels given to a copy count for its canonical statement; that
rule lives in `stancebench.annotation.labels` (`current_events` with the copy links), and this
module only hands it the events when some label event touches a copy.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from stancebench import logs as label_logs
from stancebench import store
from stancebench.annotation.labels import copy_conflicts, current_events
from stancebench.corpus.dedup import live_links
from stancebench.errors import InputError
from stancebench.project import Project

__all__ = ["COPY_COLUMNS", "copy_links", "fold_copy_labels", "copy_columns"]

#: The release columns that list a row's syndicated copies.
COPY_COLUMNS = ("copies", "copy_article_ids")
_STRING = pa.string()


def _line_of(project: Project, statement_id: str) -> int:
    """The line of statements.jsonl holding `statement_id` (error path only: one read of the file)."""
    path = project.statements_path
    if path.suffix != ".jsonl":
        return 0
    return next((lineno for lineno, data in store.read_jsonl(path) if data.get("id") == statement_id), 0)


def copy_links(project: Project, statements: pa.Table) -> dict[str, str]:
    """Copy id -> canonical id for the live copies of live statements; a link to no statement is an InputError."""
    canonical = statements.column("canonical_id")
    has_link = pc.is_valid(canonical)
    if not pc.any(has_link).as_py():
        return {}
    part = statements.filter(has_link)
    stale = set(statements.column("id").filter(statements.column("is_stale")).to_pylist())
    links = live_links(zip(part.column("id").to_pylist(), part.column("canonical_id").to_pylist(), strict=True), stale)
    heads = pa.array([links[copy] for copy in sorted(links)], _STRING)
    known = pc.is_in(heads, value_set=statements.column("id")).to_numpy(zero_copy_only=False)
    for copy, head, is_known in zip(sorted(links), heads.to_pylist(), known, strict=True):
        if not is_known:
            problem = f"canonical_id {head!r} of statement {copy!r} is not a statement in this file; re-run 'stancebench extract'"
        elif head in links:
            problem = f"canonical_id {head!r} of statement {copy!r} is itself a copy; re-run 'stancebench extract'"
        else:
            continue
        raise InputError(project.statements_path, _line_of(project, copy), problem)
    return links


def fold_copy_labels(project: Project, links: dict[str, str], current: pa.Table,
                     statement_ids: dict[str, pa.Array], warnings: list[str]) -> pa.Table:
    """The current labels with every copy's events counted for its canonical statement.

    Only the logs with an event on a copy are read again, through `annotation.labels` (the one
    rule); every other log's current labels from the fast path stand as they are.
    """
    copy_ids = pa.array(sorted(links), _STRING)
    touching = sorted(name for name, ids in statement_ids.items()
                      if links and len(ids) and pc.any(pc.is_in(ids, value_set=copy_ids)).as_py())
    if not touching:
        return current  # no event on a copy: folding changes nothing
    # Torn lines were reported by the first read of these logs.
    events = {name: label_logs.read_label_log(path, annotator=name, problems=[])
              for name, path in label_logs.annotator_files(project.labels_dir) if name in touching}
    warnings += [f"{project.labels_dir}: {line}" for line in copy_conflicts(events, links)]
    rows = [(sid, name, event.label, event.note)
            for sid, by in current_events(events, links).items() for name, event in by.items() if event.label is not None]
    names = ("statement_id", "annotator", "label", "note")
    folded = pa.table({name: pa.array([row[i] for row in rows], _STRING) for i, name in enumerate(names)})
    others = current.filter(pc.invert(pc.is_in(current.column("annotator"), value_set=pa.array(touching, _STRING))))
    return pa.concat_tables([others.select(list(names)).cast(folded.schema), folded])


def copy_columns(statements: pa.Table, links: dict[str, str], ids: pa.Array) -> dict[str, pa.Array]:
    """`copies` and `copy_article_ids` for the rows whose statement ids are `ids`: sorted by copy id, empty when none."""
    pairs = sorted((head, copy) for copy, head in links.items())
    heads = pa.array([head for head, _ in pairs], _STRING)
    copies = pa.array([copy for _, copy in pairs], _STRING)
    where = pc.index_in(copies, value_set=statements.column("id"))
    articles = statements.column("article_id").take(where).combine_chunks() if len(copies) else pa.array([], _STRING)
    owner = np.asarray(pc.fill_null(pc.index_in(heads, value_set=ids), -1).to_numpy(zero_copy_only=False), np.int64)
    keep = owner >= 0
    order = pa.array(np.flatnonzero(keep)[np.argsort(owner[keep], kind="stable")])  # pairs are sorted by copy within a head
    offsets = pa.array(np.concatenate([[0], np.cumsum(np.bincount(owner[keep], minlength=len(ids)))]).astype(np.int32))
    return {
        "copies": pa.ListArray.from_arrays(offsets, copies.take(order)),
        "copy_article_ids": pa.ListArray.from_arrays(offsets, articles.take(order)),
    }
