"""Building the Hugging Face release: parquet files, dataset card and datasheet figures from gold labels.

`build(project)` reads the seeds, statements, label logs and gold of a corpus and writes

    <release_dir>/README.md                     dataset card (YAML header declares configs + features)
    <release_dir>/release.json                  name, version, content hash, counts, inputs, agreement
    <release_dir>/default/{train,test}.parquet  gold stance, one row per on-target statement
    <release_dir>/annotations/annotated.parquet every annotator's label per statement, gold incl. off_target

(layout: `stancebench.release.dataset`). The stages are modules of their own: reading the inputs
(`release.inputs`), the rows and the split (`release.rows`), the figures (`release.figures`), the
card (`release.card`) and putting the folder in place (`release.swap`: under a lock, with an
atomic exchange, so a reader always finds a complete release). The build owns the release folder,
so anything else in it is replaced; it refuses a `release_dir` outside the corpus's own folder.

Decisions a curator should know:

- `default` holds statements whose gold label is support/oppose/hedge. Left out, and counted by
  reason in release.json's `skipped`: off_target gold, disputed without adjudication, labelled but
  no gold yet, unlabelled, stale, syndicated copy (see SKIP_REASONS; a copy is listed in its
  canonical statement's `copies` column, and labels given to it count for that statement).
- Gold for a statement not in statements.jsonl is an error (`gold.jsonl:LINE: unknown statement`):
  gold is derived, so it is out of date; re-run `stancebench adjudicate`. Label events for unknown
  statements are a warning: the logs are append-only human work, kept on disk but not released.
- The split is grouped by speaker, so with fewer than two speakers everything goes to `test`,
  there is no `train` split, and the build warns.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stancebench import __version__, store
from stancebench.annotation.agreement import agreement_from_codes
from stancebench.errors import InputError, StancebenchError
from stancebench.project import Project, release_dir_problem
from stancebench.release import card, figures, swap
from stancebench.release.dataset import (
    ANNOTATIONS_SPLIT,
    CARD_FILE,
    RELEASE_FILE,
    SKIP_REASONS,
    SPLITS,
    feature_yaml,
)
from stancebench.release.inputs import Inputs, read_inputs
from stancebench.release.rows import Rows, codes, compute_rows, config_tables, split_rows
from stancebench.schema import LABELS, STANCE_LABELS, gold_columns_hash

__all__ = [
    "DATASET_VERSION",
    "TEST_FRACTION",
    "SPLIT_SEED",
    "SKIP_REASONS",
    "Release",
    "BuildResult",
    "compute_release",
    "write_release",
    "build",
    "check_release",
    "describe",
]

#: The dataset's own version (the package version is recorded beside it). Override per corpus with
#: `[release] version = "..."` in stancebench.toml.
DATASET_VERSION = "0.1.0"
TEST_FRACTION = 0.3
SPLIT_SEED = 0
DEFAULT_LICENSE = "cc-by-4.0"
DATASHEET_FILE = "DATASHEET.md"


@dataclass
class Release:
    """A computed release, in memory: tables per config and split, release.json, card text."""

    tables: dict[str, dict[str, pa.Table]]
    info: dict[str, Any]
    card: str
    datasheet_section: str
    warnings: list[str] = field(default_factory=list)

    def files(self) -> dict[str, str]:
        """Relative path of every parquet file -> (config, split) key, in card order."""
        return {f"{config}/{split}.parquet": f"{config}:{split}" for config, splits in self.tables.items() for split in splits}


@dataclass(frozen=True)
class BuildResult:
    """What `build` did: where it wrote, release.json, warnings, whether DATASHEET.md was updated."""

    release_dir: Path
    info: dict[str, Any]
    warnings: list[str]
    datasheet_updated: bool


# ---------------------------------------------------------------- release.json


def _release_setting(project: Project, key: str, default: str) -> str:
    section = project.extra.get("release", {}) if isinstance(project.extra, dict) else {}
    value = section.get(key, default) if isinstance(section, dict) else default
    return value if isinstance(value, str) and value.strip() else default


def _distinct_sorted(column: pa.ChunkedArray) -> list[str]:
    """Sorted distinct non-empty values."""
    return sorted(value for value in pc.unique(column).to_pylist() if value)


def _agreement(rows: Rows) -> dict[str, Any]:
    """Agreement over the current labels of live statements, or a status saying why there is none."""
    state, known = rows.labels, rows.annotators
    live = ~rows.statements.column("is_stale").to_numpy()[state.row] if len(state.row) else np.zeros(0, bool)
    labels_by = np.bincount(state.annotator[live], minlength=len(state.annotators))
    present = sorted(state.annotators[i] for i in np.flatnonzero(labels_by))
    if len(present) < 2:
        if len(known) >= 2:
            return {"status": "not computed: the label logs hold fewer than two annotators", "annotators": known}
        what = "one annotator" if known else "no annotators"
        return {"status": f"not yet measured: {what}", "annotators": known}
    # Items numbered in statement-id order, the order summarise adds them up in.
    by_id = pc.sort_indices(rows.statements.column("id")).to_numpy()
    id_rank = np.empty(len(by_id), dtype=np.int64)
    id_rank[by_id] = np.arange(len(by_id))  # the inverse permutation, without a second sort
    summary = agreement_from_codes(id_rank[state.row[live]], state.annotator[live], state.label[live], state.annotators)
    # The disputed items themselves are in the annotations config; here only their number.
    return {"status": "measured", **summary, "annotators": present}


def _counts(rows: Rows, splits: dict[str, np.ndarray]) -> dict[str, Any]:
    counts, speakers = {}, {}
    offsets = {"train": 0, "test": len(splits["train"])}  # rows.default is train then test (see _default_view)
    needed = rows.default.select(["label", "speaker"])  # taking every column would copy the texts again
    for name in SPLITS:
        part = needed.take(pa.array(splits[name] + offsets[name]))
        counts[name] = figures.label_counts(part.column("label"), STANCE_LABELS)
        speakers[name] = pc.count_distinct(part.column("speaker")).as_py() if len(part) else 0
    counts["total"] = figures.label_counts(rows.default.column("label"), STANCE_LABELS)
    gold_label = rows.annotations.column("gold_label")
    annotated = {
        **figures.label_counts(gold_label.drop_null(), LABELS),
        "no_gold": gold_label.null_count,
        "rows": len(rows.annotations),
    }
    return {"counts": counts, "annotations_counts": {ANNOTATIONS_SPLIT: annotated}, "speakers": speakers}


def _inputs_section(inputs: Inputs, rows: Rows) -> dict[str, Any]:
    default, gold = rows.default, inputs.gold
    statements = inputs.statements
    stale_ids = statements.column("id").filter(statements.column("is_stale"))
    not_released = pa.concat_arrays([stale_ids.combine_chunks(), pa.array(sorted(inputs.copies), pa.string())])
    live_gold = gold.column("label").filter(pc.invert(pc.is_in(gold.column("statement_id"), value_set=not_released)))
    dates = _distinct_sorted(default.column("date"))
    methods = pc.value_counts(gold.column("method")) if len(gold) else None
    return {
        "articles": len(inputs.articles),
        "articles_used": pc.count_distinct(default.column("article_id")).as_py(),
        "outlets": _distinct_sorted(default.column("outlet")),
        "dates": [dates[0], dates[-1]] if dates else [],
        "statements": len(statements),
        "stale_statements": len(stale_ids),
        "copies": len(inputs.copies),  # syndicated copies, each listed in its canonical statement's row
        "gold": len(live_gold),
        "gold_labels": figures.label_counts(live_gold, LABELS),
        "gold_methods": dict(sorted(zip(methods.field("values").to_pylist(), methods.field("counts").to_pylist(), strict=True)))
        if methods else {},
        "annotators": rows.annotators,
        "label_events": dict(sorted(inputs.logs.events.items())),
        "guidelines_versions": inputs.logs.guidelines_versions,
        "speakers": pc.count_distinct(default.column("speaker")).as_py(),
    }


def release_info(project: Project, inputs: Inputs, rows: Rows, splits: dict[str, np.ndarray],
                 tables: dict[str, dict[str, pa.Table]]) -> dict[str, Any]:
    """The release.json dict: what the release is, what it holds, where it came from."""
    default = rows.default
    counted = _counts(rows, splits)
    target_ids = _distinct_sorted(default.column("target_id"))
    return {
        "name": project.name,
        "version": _release_setting(project, "version", DATASET_VERSION),
        "package_version": __version__,
        "content_hash": gold_columns_hash(default.column("id"), default.column("text"), default.column("label")),
        "license": _release_setting(project, "license", DEFAULT_LICENSE),
        "homepage": _release_setting(project, "homepage", "") or None,
        "year": _release_setting(project, "year", "") or None,
        "labels": list(STANCE_LABELS),
        "targets": [
            {"id": tid, "description": inputs.targets.get(tid, tid), "statements": _count_of(default.column("target_id"), tid)}
            for tid in target_ids
        ],
        "target_ids": target_ids,
        "configs": {config: {split: f"{config}/{split}.parquet" for split in parts} for config, parts in tables.items()},
        "counts": counted["counts"],
        "annotations_counts": counted["annotations_counts"],
        "skipped": {reason: rows.skipped[reason] for reason in SKIP_REASONS if rows.skipped[reason]},
        "split": {
            # The name released cards cite; `stancebench.splits` resolves to stancebench.release.splits.
            "method": "speaker-grouped, label-stratified greedy split (stancebench.splits.grouped_split)",
            "group": "speaker",
            "test_fraction": TEST_FRACTION,
            "seed": SPLIT_SEED,
            "speakers": counted["speakers"],
        },
        "inputs": _inputs_section(inputs, rows),
        "bias": figures.bias(default, codes(default.column("label"), STANCE_LABELS)),
        "agreement": _agreement(rows),
    }


def _count_of(column: pa.ChunkedArray, value: str) -> int:
    return pc.sum(pc.equal(column, value)).as_py() or 0


# ---------------------------------------------------------------- computing the release


def _warn_missing_articles(inputs: Inputs, project: Project) -> None:
    ids = inputs.statements.column("article_id")
    missing = sorted(pc.unique(ids.filter(pc.invert(pc.is_in(ids, value_set=inputs.articles.column("id"))))).to_pylist())
    if missing and len(inputs.articles):
        inputs.warnings.append(
            f"{len(missing)} article id(s) not found in {project.seeds_dir} (first: {missing[0]!r}); "
            "title/outlet/date left empty"
        )
    elif missing:
        inputs.warnings.append(f"no articles read from {project.seeds_dir}; title/outlet/date left empty")


def _default_view(tables: dict[str, dict[str, pa.Table]]) -> pa.Table:
    """The default config's rows (train, then test) with `label` as a string: every figure is order-free."""
    view = pa.concat_tables([tables["default"][name] for name in SPLITS if name in tables["default"]])
    names = pa.array(list(STANCE_LABELS), pa.string()).take(view.column("label"))
    return view.set_column(view.schema.get_field_index("label"), "label", names)


def compute_release(project: Project) -> Release:
    """Read a corpus's inputs and compute the release in memory (nothing is written)."""
    inputs = read_inputs(project)
    _warn_missing_articles(inputs, project)
    rows = compute_rows(inputs)
    inputs.statements = inputs.statements.select(["id", "is_stale"])  # frees the text columns: the rows hold theirs
    # The rows hold the labels now too: what only compute_rows and the warnings needed goes before the peak.
    inputs.gold_entries, inputs.logs.current = inputs.gold_entries.slice(0, 0), inputs.logs.current.slice(0, 0)
    inputs.logs.statement_ids = {}
    pa.default_memory_pool().release_unused()  # and gives their pages back, so later peaks do not stack on them
    warnings = inputs.warnings
    if rows.outdated and inputs.logs.events:
        warnings.append(
            f"{project.gold_path}: {len(rows.outdated)} gold record(s) predate the current labels "
            f"(first: {rows.outdated[0]!r}); re-run 'stancebench adjudicate'"
        )
    if not len(rows.default):
        problem = "no on-target gold statements to release (every gold label is off_target, stale or missing)"
        raise InputError(project.gold_path, 0, problem)
    splits = split_rows(rows.default, TEST_FRACTION, SPLIT_SEED, warnings)
    tables = config_tables(rows, splits)
    rows.default = _default_view(tables)  # the split's own rows, so the default rows are held once
    splits = {"train": np.arange(len(splits["train"])), "test": np.arange(len(splits["test"]))}
    info = release_info(project, inputs, rows, splits, tables)
    example = tables["default"].get("test", tables["default"].get("train")).slice(0, 1).to_pylist()[0]
    text = card.render_card(
        info, example=example, feature_yaml={config: feature_yaml(config) for config in tables},
        size_category=figures.size_category(len(rows.default)),
        split_bytes={f"{config}/{split}": table.nbytes for config, parts in tables.items() for split, table in parts.items()},
    )
    return Release(tables=tables, info=info, card=text, datasheet_section=card.render_datasheet_section(info), warnings=warnings)


# ---------------------------------------------------------------- writing


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Fixed options and no timestamps anywhere, so two builds of the same inputs are byte-identical.
    pq.write_table(
        table, path, compression="zstd", compression_level=3, use_dictionary=True,
        write_statistics=True, store_schema=True, row_group_size=1_000_000, write_page_index=False,
    )
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_release(release: Release, folder: str | Path) -> None:
    """Write a computed release's files into `folder` (new or empty), fsyncing every file and folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for config, splits in release.tables.items():
        (folder / config).mkdir()
        for split, table in splits.items():
            _write_parquet(table, folder / config / f"{split}.parquet")
        swap.fsync_folder(folder / config)
    swap.write_file_durably(folder / CARD_FILE, release.card.encode("utf-8"))
    text = json.dumps(release.info, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    swap.write_file_durably(folder / RELEASE_FILE, text.encode("utf-8"))
    swap.fsync_folder(folder)


def _datasheet_path(project: Project) -> Path:
    return project.root / DATASHEET_FILE


def _check_target(project: Project, target: Path) -> None:
    """Refuse a release folder that is not the corpus's own, before any work (a build replaces it whole)."""
    problem = release_dir_problem(project.root, project.release_dir_name)
    if problem is not None:
        raise StancebenchError(f"refusing to build: release_dir {project.release_dir_name!r} {problem}")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise StancebenchError(f"refusing to build: {target} is not a folder (a symlink or a file)")
    if target.is_dir() and any(target.iterdir()) and not (target / RELEASE_FILE).is_file():
        raise StancebenchError(f"refusing to build: {target} holds files but no {RELEASE_FILE}, so it is no release to replace")


def _update_datasheet(project: Project, release: Release) -> bool:
    datasheet = _datasheet_path(project)
    if not datasheet.is_file():
        return False
    text = datasheet.read_text(encoding="utf-8")
    new_text = card.replace_generated_section(text, release.datasheet_section)
    if new_text is None:
        release.warnings.append(f"{datasheet}: no generated-section markers; not updated")
        return False
    if new_text == text:
        return False
    store.write_text_atomic(datasheet, new_text)
    return True


def build(project: Project, *, out_dir: str | Path | None = None) -> BuildResult:
    """Build the release into `out_dir` (default: the corpus's release folder) atomically; update DATASHEET.md."""
    target = Path(out_dir) if out_dir is not None else project.release_dir
    if out_dir is None:
        _check_target(project, target)
    release = compute_release(project)
    with swap.release_lock(target):
        swap.clean_debris(target)
        staging = swap.staging_folder(target)
        try:
            write_release(release, staging)
            swap.swap_into_place(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        updated = _update_datasheet(project, release) if out_dir is None else False
    return BuildResult(release_dir=target, info=release.info, warnings=release.warnings, datasheet_updated=updated)


def describe(info: dict[str, Any], release_dir: str | Path) -> str:
    """What a build wrote, for the terminal: counts per split and label, statements left out and why."""
    labels = list(STANCE_LABELS)
    lines = [
        f"Built {info['name']} {info['version']} in {release_dir}",
        f"content hash {info['content_hash']}; targets: {', '.join(info['target_ids'])}",
        "",
        f"{'split':<10}" + "".join(f"{label:>9}" for label in labels) + f"{'total':>9}{'speakers':>10}",
    ]
    for split in (*SPLITS, "total"):
        if split in info["counts"]:
            row = info["counts"][split]
            speakers = info["split"]["speakers"][split] if split != "total" else info["inputs"]["speakers"]
            lines.append(f"{split:<10}" + "".join(f"{row[label]:>9}" for label in labels) + f"{row['total']:>9}{speakers:>10}")
    annotated = info["annotations_counts"][ANNOTATIONS_SPLIT]
    lines += [
        "",
        f"annotations/{ANNOTATIONS_SPLIT}: {annotated['rows']} statements "
        f"({annotated['off_target']} off_target, {annotated['no_gold']} without gold)",
    ]
    if info["skipped"]:
        lines.append("Left out of default:")
        lines += [f"  {count:>6}  {SKIP_REASONS[reason]}" for reason, count in info["skipped"].items()]
    else:
        lines.append("Left out of default: none")
    lines.append(f"Agreement: {card.agreement_cell(info['agreement'])}")
    return "\n".join(lines)


# ---------------------------------------------------------------- --check


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_parquet(a: Path, b: Path) -> bool:
    # Compared by content, not bytes: the writer's version string and compressor output may differ
    # between pyarrow releases even when the data is the same.
    try:
        return pq.read_table(a).equals(pq.read_table(b), check_metadata=True)
    except Exception:
        return False


def _file_names(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def check_release(project: Project) -> list[str]:
    """Differences between the committed release (and DATASHEET.md's generated section) and a fresh build."""
    release = compute_release(project)
    target = project.release_dir
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix=".stancebench-check-") as tmp:
        fresh = Path(tmp) / "release"
        write_release(release, fresh)
        expected, actual = _file_names(fresh), _file_names(target)
        for name in sorted(set(expected) | set(actual)):
            if name not in actual:
                problems.append(f"{target / name}: missing")
            elif name not in expected:
                problems.append(f"{target / name}: not produced by a fresh build")
            elif name.endswith(".parquet"):
                if not _same_parquet(fresh / name, target / name):
                    problems.append(f"{target / name}: differs from a fresh build")
            elif _digest(fresh / name) != _digest(target / name):
                problems.append(f"{target / name}: differs from a fresh build")
    datasheet = _datasheet_path(project)
    if datasheet.is_file():
        text = datasheet.read_text(encoding="utf-8")
        if card.replace_generated_section(text, release.datasheet_section) not in (None, text):
            problems.append(f"{datasheet}: generated section differs from a fresh build")
    return problems
