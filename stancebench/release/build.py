"""Building the Hugging Face release: parquet files, dataset card and datasheet figures from gold labels.

`build(project)` reads the seeds, statements, label logs and gold of a corpus and writes

    <release_dir>/README.md                     dataset card (YAML header declares configs + features)
    <release_dir>/release.json                  name, version, content hash, counts, inputs, agreement
    <release_dir>/default/{train,test}.parquet  gold stance, one row per on-target statement
    <release_dir>/annotations/annotated.parquet every annotator's label per statement, gold incl. off_target

(layout: `stancebench.release.dataset`). The release is written
into a temporary folder beside the target and renamed into place only when everything succeeded;
the build owns the release folder, so anything else in it is replaced.

Decisions a curator should know:

- `default` holds statements whose gold label is support/oppose/hedge. Left out, and counted by
  reason in release.json's `skipped`: off_target gold, disputed without adjudication, labelled but
  no gold yet, unlabelled, stale (see SKIP_REASONS).
- Gold for a statement not in statements.jsonl is an error (`gold.jsonl:LINE: unknown statement`):
  gold is derived, so it is out of date; re-run `stancebench adjudicate`. Label events for unknown
  statements are a warning: the logs are append-only human work, kept on disk but not released.
- The split is grouped by speaker, so with fewer than two speakers everything goes to `test`,
  there is no `train` split, and the build warns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancebench import __version__
from stancebench.annotation.corrections import apply_corrections
from stancebench.errors import InputError
from stancebench.project import Project
from stancebench.release.dataset import ANNOTATIONS_SPLIT, CARD_FILE, RELEASE_FILE, SKIP_REASONS, SPLITS, features
from stancebench.schema import LABELS, STANCE_LABELS, Gold, LabelEvent, Statement, gold_content_hash

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

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

#: Key of the adjudicator's own note in `Gold.notes` (as in stancebench.annotation.agreement; '@' is no annotator name).
_ADJUDICATOR_NOTE_KEY = "@adjudicator"


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


# ---------------------------------------------------------------- reading inputs


def _hint_missing(error: InputError, hint: str) -> InputError:
    if error.problem == "file not found":
        return InputError(error.path, error.line, f"file not found; {hint}")
    return error


def _read_statements(project: Project) -> list[Statement]:
    from stancebench import store

    try:
        return store.read_statements(project.statements_path)
    except InputError as err:
        raise _hint_missing(err, "run 'stancebench extract' first") from None


def _read_gold(project: Project, statements: dict[str, Statement]) -> dict[str, Gold]:
    """Gold by statement id; an unknown statement, a label outside the corpus's labels or a duplicate is an error."""
    from stancebench import store

    path = project.gold_path
    out: dict[str, Gold] = {}
    lines: dict[str, int] = {}
    try:
        for lineno, data in store.read_jsonl(path):
            gold = Gold.from_dict(data, path, lineno)
            sid = gold.statement_id
            if sid in lines:
                raise InputError(path, lineno, f"duplicate gold for {sid!r} (first on line {lines[sid]})")
            if gold.label not in project.labels:
                allowed = ", ".join(project.labels)
                raise InputError(path, lineno, f"label {gold.label!r} is not in this corpus's labels ({allowed})")
            statement = statements.get(sid)
            if statement is None:
                # Gold is derived (adjudicate rewrites it), so a dangling record means it is out of date: stop.
                problem = f"unknown statement {sid!r} (not in {project.statements_path.name}); re-run 'stancebench adjudicate'"
                raise InputError(path, lineno, problem)
            if gold.target_id is not None and gold.target_id != statement.target_id:
                problem = f"target {gold.target_id!r} differs from the statement's target {statement.target_id!r}"
                raise InputError(path, lineno, problem)
            lines[sid] = lineno
            out[sid] = gold
    except InputError as err:
        raise _hint_missing(err, "run 'stancebench adjudicate' first") from None
    return out


def _read_label_logs(project: Project, warn: list[str]) -> dict[str, list[LabelEvent]]:
    """Every annotator's label events, by annotator (file order); no logs folder means no logs."""
    from stancebench import store

    reader = getattr(store, "read_label_logs", None)
    if reader is not None:
        problems: list[str] = []
        logs = dict(reader(project.labels_dir, problems=problems))
        warn.extend(problems)  # torn last lines from a killed annotator session: skipped, reported
        return logs
    logs = {}  # fallback for a store without label-log functions
    if project.labels_dir.is_dir():
        for path in sorted(project.labels_dir.glob("*.jsonl")):
            logs[path.stem] = [LabelEvent.from_dict(data, path, lineno) for lineno, data in store.read_jsonl(path)]
    return logs


def _current_events(logs: dict[str, list[LabelEvent]]) -> dict[str, dict[str, LabelEvent]]:
    """statement id -> annotator -> current event (latest wins; a retraction removes the pair)."""
    from stancebench.annotation.labels import current_events

    return current_events(logs)


def _agreement(current: dict[str, dict[str, str]], known: list[str]) -> dict[str, Any]:
    """Agreement figures from `stancebench.annotation.agreement`, or a status saying why there are none.

    `current` holds the label logs' current labels; `known` every annotator named in logs or gold.
    """
    annotators = sorted({name for labels in current.values() for name in labels})
    if len(annotators) < 2:
        if len(known) >= 2:
            return {"status": "not computed: the label logs hold fewer than two annotators", "annotators": known}
        what = "one annotator" if known else "no annotators"
        return {"status": f"not yet measured: {what}", "annotators": known}
    try:
        from stancebench.annotation import agreement
    except ImportError:
        return {"status": "not computed: stancebench.annotation.agreement is not available", "annotators": annotators}
    summary = agreement.summarise(current).to_dict()
    # The disputed items themselves are in the annotations config; here only their number.
    summary["disagreements"] = len(summary.get("disagreements", []))
    return {"status": "measured", **summary, "annotators": annotators}


def _read_articles(project: Project) -> dict[str, Any]:
    """Articles by id (title/outlet/date/url); empty when the seeds folder or the reader is missing."""
    if not project.seeds_dir.is_dir():
        return {}
    try:
        from stancebench.corpus.articles import read_articles
    except ImportError:
        try:
            from stancebench.corpus.extract import read_articles
        except ImportError:
            return {}
    return {article.id: article for article in read_articles(project.seeds_dir)}


def _target_descriptions(project: Project) -> dict[str, str]:
    """Target id -> description: the corpus's target, plus any `[targets]` table in stancebench.toml."""
    targets = {project.target_id: project.target}
    extra = project.extra.get("targets", {}) if isinstance(project.extra, dict) else {}
    if isinstance(extra, dict):
        targets.update({str(k): str(v) for k, v in extra.items() if isinstance(v, str)})
    return targets


def _release_setting(project: Project, key: str, default: str) -> str:
    section = project.extra.get("release", {}) if isinstance(project.extra, dict) else {}
    value = section.get(key, default) if isinstance(section, dict) else default
    return value if isinstance(value, str) and value.strip() else default


# ---------------------------------------------------------------- computing the release


def _statement_row(statement: Statement, articles: dict[str, Any], targets: dict[str, str]) -> dict[str, Any]:
    article = articles.get(statement.article_id)
    return {
        "id": statement.id,
        "text": statement.text,
        "context": statement.context,
        "target_id": statement.target_id,
        "target": targets.get(statement.target_id, statement.target_id),
        "speaker": statement.speaker,
        "speaker_role": statement.speaker_role,
        "speaker_affiliation": statement.speaker_affiliation,
        "quote_type": statement.quote_type,
        "article_id": statement.article_id,
        "article_title": getattr(article, "title", None),
        "outlet": getattr(article, "outlet", None),
        "date": getattr(article, "date", None),
        "url": getattr(article, "url", None),
    }


def _table(rows: list[dict[str, Any]], config: str) -> pa.Table:
    import pyarrow as pa

    # Column-wise arrays typed by the Features' own arrow schema (fast path: no Dataset.from_list).
    schema = features(config).arrow_schema
    columns = [pa.array([row[name] for row in rows], type=schema.field(name).type) for name in schema.names]
    return pa.Table.from_arrays(columns, schema=schema)


def _split(rows: list[dict[str, Any]], warn: list[str]) -> dict[str, list[int]]:
    """Row indices per split: grouped by speaker, stratified by label, seeded."""
    from stancebench.release.splits import grouped_split

    speakers = [row["speaker"] for row in rows]
    if len(set(speakers)) < 2:
        warn.append(
            f"only {len(set(speakers))} speaker among the on-target statements: "
            "everything goes to 'test' and there is no 'train' split"
        )
        return {"train": [], "test": list(range(len(rows)))}
    train, test = grouped_split([row["label"] for row in rows], speakers, test_fraction=TEST_FRACTION, seed=SPLIT_SEED)
    return {"train": train.tolist(), "test": test.tolist()}


def _label_counts(labels: list[str], names: tuple[str, ...]) -> dict[str, int]:
    counts = Counter(labels)
    return {**{name: counts.get(name, 0) for name in names}, "total": len(labels)}


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def _bias(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Two shortcuts a model could learn: how concentrated the speakers are, how far affiliation predicts stance."""
    speakers = Counter(row["speaker"] for row in rows)
    by_affiliation: dict[str, Counter[str]] = {}
    for row in rows:
        by_affiliation.setdefault(row["speaker_affiliation"] or "", Counter())[row["label"]] += 1
    majority = sum(counts.most_common(1)[0][1] for counts in by_affiliation.values())
    return {
        "top3_speaker_share": round(sum(n for _, n in speakers.most_common(3)) / len(rows), 4),
        "affiliation_majority_agreement": round(majority / len(rows), 4),
        "majority_label_share": round(Counter(row["label"] for row in rows).most_common(1)[0][1] / len(rows), 4),
    }


def compute_release(project: Project) -> Release:
    """Read a corpus's inputs and compute the release in memory (nothing is written)."""
    from stancebench.release import card

    statements = _read_statements(project)
    if not statements:
        raise InputError(project.statements_path, 0, "no statements; run 'stancebench extract' first")
    by_id = {s.id: s for s in statements}
    gold = _read_gold(project, by_id)
    warn: list[str] = []
    logs = _read_label_logs(project, warn)
    statements = apply_corrections(statements, logs)  # corrected speaker/span; "not a statement" -> stale
    by_id = {s.id: s for s in statements}
    current = {sid: by for sid, by in _current_events(logs).items() if sid in by_id}
    articles = _read_articles(project)
    targets = _target_descriptions(project)

    unknown = {annotator: [e.statement_id for e in events if e.statement_id not in by_id] for annotator, events in logs.items()}
    for annotator, ids in unknown.items():
        if ids:
            # Logs are append-only human work, so a label for a vanished statement is kept on disk but not released.
            path = project.labels_dir / f"{annotator}.jsonl"
            warn.append(f"{path}: {len(ids)} label event(s) point to unknown statements (first: {ids[0]!r}); not released")
    missing_articles = sorted({s.article_id for s in statements if s.article_id not in articles})
    if missing_articles and articles:
        warn.append(
            f"{len(missing_articles)} article id(s) not found in {project.seeds_dir} (first: {missing_articles[0]!r}); "
            "title/outlet/date left empty"
        )
    elif missing_articles:
        warn.append(f"no articles read from {project.seeds_dir}; title/outlet/date left empty")

    ordered = sorted(statements, key=lambda s: (s.article_id, s.start, s.end, s.id))
    skipped: Counter[str] = Counter()
    default_rows: list[dict[str, Any]] = []
    annotation_rows: list[dict[str, Any]] = []
    from stancebench.progress import track

    for statement in track(ordered, f"building rows for {len(ordered):,} statements"):
        record = gold.get(statement.id)
        labels = current.get(statement.id, {})
        if statement.is_stale:
            skipped["stale"] += 1
            continue
        if record is None:
            distinct = {event.label for event in labels.values()}
            skipped["disputed" if len(distinct) > 1 else "no_gold_yet" if distinct else "unlabelled"] += 1
        elif record.label == "off_target":
            skipped["off_target"] += 1
        row = _statement_row(statement, articles, targets)
        if record is not None and record.label in STANCE_LABELS:
            default_rows.append({**row, "label": record.label})
        if record is None and not labels:
            continue
        if record is not None and record.annotations:
            given = [
                {"annotator": a, "label": lab, "note": record.notes.get(a) or None}
                for a, lab in sorted(record.annotations.items())
            ]
        else:
            given = [{"annotator": a, "label": e.label, "note": e.note or None} for a, e in sorted(labels.items())]
        annotation_rows.append({
            **row,
            "annotations": given,
            "gold_label": record.label if record else None,
            "gold_method": record.method if record else None,
            "adjudicator": record.adjudicator if record else None,
            "adjudicator_note": (record.notes.get(_ADJUDICATOR_NOTE_KEY) or None) if record else None,
            "split": None,
        })
    outdated = [
        sid for sid, record in gold.items()
        if record.annotations and {a: e.label for a, e in current.get(sid, {}).items()} != record.annotations
    ]
    if outdated and logs:
        warn.append(
            f"{project.gold_path}: {len(outdated)} gold record(s) predate the current labels (first: {outdated[0]!r}); "
            "re-run 'stancebench adjudicate'"
        )
    if not default_rows:
        problem = "no on-target gold statements to release (every gold label is off_target, stale or missing)"
        raise InputError(project.gold_path, 0, problem)

    split_of_row = _split(default_rows, warn)
    split_by_id = {default_rows[i]["id"]: name for name, indices in split_of_row.items() for i in indices}
    for row in annotation_rows:
        row["split"] = split_by_id.get(row["id"])
    stance_code = {name: code for code, name in enumerate(STANCE_LABELS)}
    tables: dict[str, dict[str, pa.Table]] = {"default": {}, "annotations": {}}
    counts: dict[str, dict[str, int]] = {}
    speakers: dict[str, int] = {}
    for name in SPLITS:
        rows = [default_rows[i] for i in split_of_row[name]]
        counts[name] = _label_counts([row["label"] for row in rows], STANCE_LABELS)
        speakers[name] = len({row["speaker"] for row in rows})
        if rows:  # an empty parquet file does not load, so an empty split is left out of the release
            tables["default"][name] = _table([{**row, "label": stance_code[row["label"]]} for row in rows], "default")
    counts["total"] = _label_counts([row["label"] for row in default_rows], STANCE_LABELS)
    tables["annotations"][ANNOTATIONS_SPLIT] = _table(annotation_rows, "annotations")

    annotators = sorted({name for by in current.values() for name in by} | {a for g in gold.values() for a in g.annotations})
    live_labels = {
        sid: {name: e.label for name, e in by.items() if e.label is not None}
        for sid, by in current.items() if not by_id[sid].is_stale
    }
    agreement = _agreement(live_labels, annotators)
    content_hash = gold_content_hash((row["id"], row["text"], row["label"]) for row in default_rows)
    gold_labels = [g.label for sid, g in gold.items() if not by_id[sid].is_stale]
    dates = sorted({row["date"] for row in default_rows if row["date"]})
    info: dict[str, Any] = {
        "name": project.name,
        "version": _release_setting(project, "version", DATASET_VERSION),
        "package_version": __version__,
        "content_hash": content_hash,
        "license": _release_setting(project, "license", DEFAULT_LICENSE),
        "homepage": _release_setting(project, "homepage", "") or None,
        "year": _release_setting(project, "year", "") or None,
        "labels": list(STANCE_LABELS),
        "targets": [
            {"id": tid, "description": targets.get(tid, tid), "statements": sum(row["target_id"] == tid for row in default_rows)}
            for tid in sorted({row["target_id"] for row in default_rows})
        ],
        "target_ids": sorted({row["target_id"] for row in default_rows}),
        "configs": {
            config: {split: f"{config}/{split}.parquet" for split in splits} for config, splits in tables.items()
        },
        "counts": counts,
        "annotations_counts": {
            ANNOTATIONS_SPLIT: {
                **_label_counts([row["gold_label"] for row in annotation_rows if row["gold_label"]], LABELS),
                "no_gold": sum(row["gold_label"] is None for row in annotation_rows),
                "rows": len(annotation_rows),
            }
        },
        "skipped": {reason: skipped[reason] for reason in SKIP_REASONS if skipped[reason]},
        "split": {
            # The name released cards cite; `stancebench.splits` resolves to stancebench.release.splits.
            "method": "speaker-grouped, label-stratified greedy split (stancebench.splits.grouped_split)",
            "group": "speaker",
            "test_fraction": TEST_FRACTION,
            "seed": SPLIT_SEED,
            "speakers": speakers,
        },
        "inputs": {
            "articles": len(articles),
            "articles_used": len({row["article_id"] for row in default_rows}),
            "outlets": sorted({row["outlet"] for row in default_rows if row["outlet"]}),
            "dates": [dates[0], dates[-1]] if dates else [],
            "statements": len(statements),
            "stale_statements": sum(s.is_stale for s in statements),
            "gold": len(gold_labels),
            "gold_labels": _label_counts(gold_labels, LABELS),
            "gold_methods": dict(sorted(Counter(g.method for g in gold.values()).items())),
            "annotators": annotators,
            "label_events": {annotator: len(events) for annotator, events in sorted(logs.items())},
            "guidelines_versions": sorted({e.guidelines_version for events in logs.values() for e in events}),
            "speakers": len({row["speaker"] for row in default_rows}),
        },
        "bias": _bias(default_rows),
        "agreement": agreement,
    }
    example = next(iter(tables["default"].get("test", tables["default"].get("train")).slice(0, 1).to_pylist()))
    feature_yaml = {config: features(config)._to_yaml_list() for config in tables}
    split_bytes = {f"{config}/{split}": table.nbytes for config, splits in tables.items() for split, table in splits.items()}
    text = card.render_card(
        info, example=example, feature_yaml=feature_yaml, size_category=_size_category(len(default_rows)), split_bytes=split_bytes
    )
    return Release(tables=tables, info=info, card=text, datasheet_section=card.render_datasheet_section(info), warnings=warn)


# ---------------------------------------------------------------- writing


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    # Fixed options and no timestamps anywhere, so two builds of the same inputs are byte-identical.
    pq.write_table(
        table, path, compression="zstd", compression_level=3, use_dictionary=True,
        write_statistics=True, store_schema=True, row_group_size=1_000_000, write_page_index=False,
    )


def write_release(release: Release, folder: str | Path) -> None:
    """Write a computed release's files into `folder` (which must not exist yet)."""
    import json

    folder = Path(folder)
    folder.mkdir(parents=True)
    for config, splits in release.tables.items():
        (folder / config).mkdir()
        for split, table in splits.items():
            _write_parquet(table, folder / config / f"{split}.parquet")
    (folder / CARD_FILE).write_text(release.card, encoding="utf-8", newline="\n")
    text = json.dumps(release.info, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (folder / RELEASE_FILE).write_text(text, encoding="utf-8", newline="\n")


def _swap_into_place(new: Path, target: Path) -> None:
    """Replace `target` by `new` with renames only; the old release is restored if the swap fails."""
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _datasheet_path(project: Project) -> Path:
    return project.root / DATASHEET_FILE


def build(project: Project, *, out_dir: str | Path | None = None) -> BuildResult:
    """Build the release into `out_dir` (default: the corpus's release folder) atomically; update DATASHEET.md."""
    from stancebench import store
    from stancebench.release import card

    release = compute_release(project)
    target = Path(out_dir) if out_dir is not None else project.release_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        write_release(release, staging / "release")
        _swap_into_place(staging / "release", target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    datasheet = _datasheet_path(project)
    updated = False
    if out_dir is None and datasheet.is_file():
        text = datasheet.read_text(encoding="utf-8")
        new_text = card.replace_generated_section(text, release.datasheet_section)
        if new_text is None:
            release.warnings.append(f"{datasheet}: no generated-section markers; not updated")
        elif new_text != text:
            store.write_text_atomic(datasheet, new_text)
            updated = True
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
    from stancebench.release.card import agreement_cell

    lines.append(f"Agreement: {agreement_cell(info['agreement'])}")
    return "\n".join(lines)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same_parquet(a: Path, b: Path) -> bool:
    import pyarrow.parquet as pq

    # Compared by content, not bytes: the writer's version string and compressor output may differ
    # between pyarrow releases even when the data is the same.
    try:
        return pq.read_table(a).equals(pq.read_table(b), check_metadata=True)
    except Exception:
        return False


def check_release(project: Project) -> list[str]:
    """Differences between the committed release (and DATASHEET.md's generated section) and a fresh build."""
    from stancebench.release import card

    release = compute_release(project)
    target = project.release_dir
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix=".stancebench-check-") as tmp:
        fresh = Path(tmp) / "release"
        write_release(release, fresh)
        expected = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
        actual = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) if target.is_dir() else []
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
