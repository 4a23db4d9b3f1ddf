"""Reading a corpus's inputs for a release as Arrow tables: statements, gold, label logs, articles.

Each JSONL file is handed to pyarrow's JSON reader and checked column by column. Only when that
fast path cannot vouch for a file (pyarrow refuses it, a check fails, or the file holds something
the column checks cannot see: an explicit `null` where a missing key is allowed, a key the reader
does not know, more or fewer objects than lines) does the file go through the per-line readers of
`stancebench.store` and `stancebench.schema`, which name the file and line of the first problem.
So both paths accept exactly the same files, and the slow one runs only on bad or unusual input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from stancebench import logs, store
from stancebench.annotation.adjudication import ADJUDICATOR_NOTE_KEY
from stancebench.annotation.corrections import apply_corrections, latest_corrections
from stancebench.annotation.labels import latest_labels
from stancebench.columns import from_numpy, literal, to_numpy
from stancebench.errors import InputError
from stancebench.frames import FRAME_PREFIX, unframed_lines
from stancebench.project import Project
from stancebench.release.articles import article_table
from stancebench.release.copies import copy_links, fold_copy_labels
from stancebench.schema import GOLD_METHODS, LABELS, QUOTE_TYPES, SCHEMA_VERSION, SPEAKER_SOURCES, Gold, LabelEvent

__all__ = ["Inputs", "LabelLogs", "read_inputs", "read_statements", "read_gold", "read_label_logs"]

_STRING = pa.string()
_STATEMENT_SCHEMA = pa.schema([
    ("id", _STRING), ("article_id", _STRING), ("speaker", _STRING), ("text", _STRING), ("context", _STRING),
    ("start", pa.int64()), ("end", pa.int64()), ("quote_type", _STRING), ("target_id", _STRING),
    ("speaker_role", _STRING), ("speaker_affiliation", _STRING), ("cue", _STRING), ("is_stale", pa.bool_()),
    # Added after the first release (stancebench.schema.Statement): attribution, provenance, syndicated copies.
    ("speaker_source", _STRING), ("source_file", _STRING), ("source_record", _STRING), ("url", _STRING),
    ("canonical_id", _STRING), ("copies", pa.list_(_STRING)),
])
_EVENT_SCHEMA = pa.schema([
    ("statement_id", _STRING), ("annotator", _STRING), ("label", _STRING), ("timestamp", _STRING),
    ("guidelines_version", _STRING), ("note", _STRING), ("is_retraction", pa.bool_()), ("schema_version", pa.int64()),
])
#: Keys a record may leave out (they get a default) but not set to `null`: pyarrow reads both as null.
_DEFAULTED = {
    "statements": ("is_stale",),
    "events": ("annotator", "is_retraction", "schema_version"),
}
#: In gold, the keys whose `null` is allowed: every other `null` (say, an annotator's label) is an error.
_GOLD_NULLABLE = ("adjudicator", "target_id")
_ENTRY_COLUMNS = ("row", "annotator", "label", "note")
# Python's str.strip() whitespace, which the per-line readers use to call a field empty.
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in map(chr, range(0x3001)) if c.isspace()) + "]*$"
_NULL_MEMBER = re.compile(rb":\s*null")
# The first UTF-8 byte of every character in _BLANK.
_BLANK_LEADS = np.zeros(256, dtype=bool)
_BLANK_LEADS[[chr(c).encode()[0] for c in range(0x3001) if chr(c).isspace()]] = True


@dataclass
class LabelLogs:
    """What the release needs from the label logs: current labels and per-log figures."""

    current: pa.Table  # statement_id, annotator, label, note: each annotator's current label (no retractions)
    events: dict[str, int]  # annotator -> events in the log
    guidelines_versions: list[str]
    statement_ids: dict[str, pa.Array]  # annotator -> statement id of every event, in file order
    corrections: bool = False  # might a log hold correction events (then statements are corrected)?


@dataclass
class Inputs:
    """A corpus's release inputs, as tables."""

    statements: pa.Table
    gold: pa.Table  # statement_id, label, method, adjudicator, target_id, adjudicator_note
    gold_entries: pa.Table  # row (of gold), annotator, label, note: gold's recorded annotations
    logs: LabelLogs
    articles: pa.Table  # id, title, outlet, date, url
    targets: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    copies: dict[str, str] = field(default_factory=dict)  # syndicated copy id -> canonical id (release.copies)


# ---------------------------------------------------------------- the fast path


def _nulls_only_in(data: bytes, keys: tuple[str, ...]) -> bool:
    """Is every JSON `null` in `data` the value of one of `keys` (written `"key": null`)?"""
    total = data.count(b"null")
    if not total:
        return True
    allowed = sum(data.count(b'"' + key.encode() + b'": null') for key in keys)
    return total == allowed or len(_NULL_MEMBER.findall(data)) == allowed


def _explicit_null(data: bytes, keys: tuple[str, ...], nullable: tuple[str, ...] = ()) -> bool:
    """Might one of `keys` be written as an explicit `null` in `data` (rather than be missing)?

    `nullable` are keys whose `null` is fine: when every `null` in `data` is one of theirs, the
    answer is no without a regular-expression pass over the whole file.
    """
    if b"null" not in data or _nulls_only_in(data, nullable):
        return False
    # A key spelled with \u escapes would hide from the pattern, so any such escape counts as a yes.
    pattern = rb'"(?:' + b"|".join(k.encode() for k in keys) + rb')"\s*:\s*null'
    return re.search(pattern, data) is not None or re.search(rb"\\u00[2-7]", data) is not None


def _line_count(data: bytes) -> int | None:
    """The number of lines when every line starts with `{` (no blank or indented lines, no CR that is not CRLF), else None."""
    if not data.startswith(b"{") or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None  # a `null` or a BOM first would also crash or fool pyarrow
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines, step = 0, 1 << 24  # in slices: the temporaries stay small, and numpy beats bytes.count here
    for start in range(0, len(raw), step):
        ends = np.flatnonzero(raw[start:start + step] == 10) + start + 1
        ends = ends[ends < len(raw)]
        if not (raw[ends] == ord("{")).all():
            return None
        newlines += len(ends)
    return newlines + 1  # the last line, whether or not a newline ends it


def _arrow_table(data: bytes, schema: pa.Schema) -> pa.Table | None:
    """`data` as a table when pyarrow reads it as exactly one object of known keys per line, else None."""
    lines = _line_count(data)
    if lines is None:
        return None
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")
    try:
        table = pj.read_json(pa.BufferReader(data), read_options=pj.ReadOptions(block_size=1 << 24), parse_options=options)
        table.validate(full=True)  # UTF-8 of every string: with every key known, that is every byte of text
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    # Left in chunks: every later step takes or filters rows, which yields one chunk without a second copy.
    return table if table.num_rows == lines else None


def _missing_or_null_ok(table: pa.Table, data: bytes, keys: tuple[str, ...]) -> bool:
    """False when a key whose missing value has a default (but whose `null` is an error) might be null."""
    if not any(table.column(k).null_count for k in keys):
        return True
    # Every other key of the table may be null as far as this check goes (required ones are checked later).
    return not _explicit_null(data, keys, tuple(name for name in table.column_names if name not in keys))


def _is_blank(column: pa.ChunkedArray) -> bool:
    """Is any value empty or whitespace only (as str.strip sees it)?"""
    for chunk in column.chunks:
        # Only an empty value or one whose first byte can start a whitespace character can be blank:
        # the regular expression runs on those few rows, not on every row.
        offsets = to_numpy(pa.Array.from_buffers(pa.int32(), len(chunk) + 1, [None, chunk.buffers()[1]], offset=chunk.offset))
        data = chunk.buffers()[2]
        starts, empty = offsets[:-1], offsets[1:] == offsets[:-1]
        first = np.frombuffer(data, dtype=np.uint8)[starts[~empty]] if data is not None and len(data) else np.zeros(0, np.uint8)
        candidate = empty.copy()
        candidate[~empty] = _BLANK_LEADS[first]
        if candidate.any() and pc.any(pc.match_substring_regex(chunk.filter(from_numpy(candidate)), _BLANK)).as_py():
            return True
    return False


def _all(mask: pa.ChunkedArray | pa.Array) -> bool:
    return bool(pc.all(pc.fill_null(mask, False)).as_py()) if len(mask) else True


def _no_nulls(table: pa.Table, names: tuple[str, ...]) -> bool:
    return all(table.column(name).null_count == 0 for name in names)


def _is_unique(column: pa.ChunkedArray) -> bool:
    return pc.count_distinct(column).as_py() == len(column)


def _read(path: Path, hint: str) -> bytes:
    try:
        return store.read_bytes(path)
    except InputError as err:
        raise _hint_missing(err, hint) from None


def _hint_missing(error: InputError, hint: str) -> InputError:
    if error.problem == "file not found":
        return InputError(error.path, error.line, f"file not found; {hint}")
    return error


def _columns(records: list[Any], names: tuple[str, ...], schema: pa.Schema) -> pa.Table:
    """Records from a per-line reader as a table (the slow path's result, in the fast path's shape)."""
    return pa.table({name: pa.array([getattr(r, name) for r in records], type=schema.field(name).type) for name in names})


# ---------------------------------------------------------------- statements


def _statements_are_valid(table: pa.Table) -> bool:
    required = ("id", "article_id", "speaker", "text", "context", "start", "end", "quote_type", "target_id")
    if not _no_nulls(table, required):
        return False
    if any(_is_blank(table.column(name)) for name in ("id", "article_id", "speaker", "text", "target_id")):
        return False
    start, end = table.column("start"), table.column("end")
    return (
        _all(pc.greater_equal(start, 0)) and _all(pc.greater_equal(end, start))
        and _all(pc.is_in(table.column("quote_type"), pa.array(QUOTE_TYPES))) and _is_unique(table.column("id"))
        and _all_or_null(pc.is_in(table.column("speaker_source"), pa.array(SPEAKER_SOURCES)), table.column("speaker_source"))
        and not _is_blank_any(pc.list_flatten(table.column("copies")))
    )


def _all_or_null(mask: pa.ChunkedArray, column: pa.ChunkedArray) -> bool:
    """Every non-null value passes `mask` (a null speaker_source is allowed: files written before it)."""
    return _all(pc.or_(mask, pc.is_null(column)))


def _is_blank_any(values: pa.Array | pa.ChunkedArray) -> bool:
    if not len(values):
        return False
    chunked = pa.chunked_array([values]) if isinstance(values, pa.Array) else values
    return values.null_count > 0 or _is_blank(chunked)


def read_statements(project: Project) -> pa.Table:
    """statements.jsonl as a table (`is_stale` filled); the first bad line raises InputError."""
    path = project.statements_path
    data = _read(path, "run 'stancebench extract' first")
    table = _arrow_table(data, _STATEMENT_SCHEMA)
    if table is not None and not _missing_or_null_ok(table, data, _DEFAULTED["statements"]):
        table = None
    del data
    if table is None or not _statements_are_valid(table):
        records = store.read_statements(path)
        table = _columns(records, tuple(_STATEMENT_SCHEMA.names), _STATEMENT_SCHEMA)
    stale = pc.fill_null(table.column("is_stale"), False)
    table = table.set_column(table.schema.get_field_index("is_stale"), "is_stale", stale)
    copies = table.column("copies")  # a missing `copies` is no copies, as Statement's default says
    no_copies = pa.scalar([], type=copies.type)
    return table.set_column(table.schema.get_field_index("copies"), "copies", pc.if_else(pc.is_null(copies), no_copies, copies))


# ---------------------------------------------------------------- gold


def _gold_schema(annotators: list[str]) -> pa.Schema:
    names = [pa.field(name, _STRING) for name in annotators]
    return pa.schema([
        pa.field("statement_id", _STRING), pa.field("label", _STRING), pa.field("method", _STRING),
        pa.field("annotations", pa.struct(names)),
        pa.field("notes", pa.struct([*names, pa.field(ADJUDICATOR_NOTE_KEY, _STRING)])),
        pa.field("adjudicator", _STRING), pa.field("target_id", _STRING),
    ])


def _gold_is_valid(table: pa.Table, project: Project, statements: pa.Table) -> bool:
    if not _no_nulls(table, ("statement_id", "label", "method")) or _is_blank(table.column("statement_id")):
        return False
    labels, methods = table.column("label"), table.column("method")
    if not (_all(pc.is_in(labels, pa.array(LABELS))) and _all(pc.is_in(methods, pa.array(GOLD_METHODS)))):
        return False
    annotations = table.column("annotations").combine_chunks()
    for i in range(annotations.type.num_fields):
        given = annotations.field(i)
        if not _all(pc.or_kleene(pc.is_null(given), pc.is_in(given, pa.array(LABELS)))):
            return False
    if not _all(pc.is_in(labels, pa.array(project.labels))):
        return False
    where = pc.index_in(table.column("statement_id"), value_set=statements.column("id"))
    if where.null_count or np.bincount(to_numpy(where), minlength=1).max() > 1:
        return False  # an unknown statement, or a statement's gold twice
    expected = statements.column("target_id").take(where)
    given = table.column("target_id")
    return _all(pc.or_kleene(pc.is_null(given), pc.equal(given, expected)))


def _read_gold_per_line(project: Project, statements: pa.Table) -> list[Gold]:
    """Gold record by record; an unknown statement, a label outside the corpus's labels or a duplicate is an error."""
    path = project.gold_path
    targets = dict(zip(statements.column("id").to_pylist(), statements.column("target_id").to_pylist(), strict=True))
    out: list[Gold] = []
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
            if sid not in targets:
                # Gold is derived (adjudicate rewrites it), so a dangling record means it is out of date: stop.
                problem = f"unknown statement {sid!r} (not in {project.statements_path.name}); re-run 'stancebench adjudicate'"
                raise InputError(path, lineno, problem)
            if gold.target_id is not None and gold.target_id != targets[sid]:
                problem = f"target {gold.target_id!r} differs from the statement's target {targets[sid]!r}"
                raise InputError(path, lineno, problem)
            lines[sid] = lineno
            out.append(gold)
    except InputError as err:
        raise _hint_missing(err, "run 'stancebench adjudicate' first") from None
    return out


def _gold_entries_from_struct(table: pa.Table) -> pa.Table:
    """One row per (gold record, annotator) of the recorded annotations, sorted by record then annotator."""
    annotations = table.column("annotations").combine_chunks()
    notes = table.column("notes").combine_chunks()
    names = [annotations.type.field(i).name for i in range(annotations.type.num_fields)]
    order = sorted(range(len(names)), key=names.__getitem__)
    n = len(table)
    if not names or not n:
        return pa.table({name: pa.array([], type=pa.int64() if name == "row" else _STRING) for name in _ENTRY_COLUMNS})
    present = np.column_stack([annotations.field(i).is_valid().to_numpy(zero_copy_only=False) for i in order])
    rows, slots = np.nonzero(present)  # row-major: by record, then annotator name
    flat = rows.astype(np.int64) + slots.astype(np.int64) * n  # index into the annotator-major concatenation
    labels = pa.concat_arrays([annotations.field(i) for i in order]).take(flat)
    note_fields = [notes.field(notes.type.get_field_index(names[i])) for i in order]
    note = pa.concat_arrays(note_fields).take(flat)
    return pa.table({
        "row": rows.astype(np.int64), "annotator": pa.array(sorted(names), _STRING).take(slots),
        "label": labels, "note": note,
    })


def _gold_from_records(records: list[Gold]) -> tuple[pa.Table, pa.Table]:
    entries = [
        (i, a, label, record.notes.get(a)) for i, record in enumerate(records) for a, label in sorted(record.annotations.items())
    ]
    table = pa.table({
        "statement_id": pa.array([g.statement_id for g in records], _STRING),
        "label": pa.array([g.label for g in records], _STRING),
        "method": pa.array([g.method for g in records], _STRING),
        "adjudicator": pa.array([g.adjudicator for g in records], _STRING),
        "target_id": pa.array([g.target_id for g in records], _STRING),
        "adjudicator_note": pa.array([g.notes.get(ADJUDICATOR_NOTE_KEY) for g in records], _STRING),
        "annotated": pa.array([bool(g.annotations) for g in records], pa.bool_()),
    })
    columns = list(zip(*entries, strict=True)) if entries else [[], [], [], []]
    types = (pa.int64(), _STRING, _STRING, _STRING)
    return table, pa.table({name: pa.array(list(col), t) for name, col, t in zip(_ENTRY_COLUMNS, columns, types, strict=True)})


def read_gold(project: Project, statements: pa.Table, annotators: list[str]) -> tuple[pa.Table, pa.Table]:
    """(gold records, their recorded annotations) as tables; `annotators` are the names the fast path expects."""
    data = _read(project.gold_path, "run 'stancebench adjudicate' first")
    table = None
    if not set(annotators) & set(_GOLD_NULLABLE):  # such a name would hide a nested null from the check
        table = _arrow_table(data, _gold_schema(annotators))
    if table is not None and not _nulls_only_in(data, _GOLD_NULLABLE):
        table = None  # an explicit null anywhere else: a missing `notes` is fine, a null one is an error
    del data
    if table is None or not _gold_is_valid(table, project, statements):
        return _gold_from_records(_read_gold_per_line(project, statements))
    notes = table.column("notes").combine_chunks()
    annotated = _any_present(table.column("annotations").combine_chunks())
    gold = pa.table({
        "statement_id": table.column("statement_id"), "label": table.column("label"), "method": table.column("method"),
        "adjudicator": table.column("adjudicator"), "target_id": table.column("target_id"),
        "adjudicator_note": notes.field(notes.type.get_field_index(ADJUDICATOR_NOTE_KEY)), "annotated": annotated,
    })
    return gold, _gold_entries_from_struct(table)


def _any_present(annotations: pa.StructArray) -> pa.Array:
    present = np.zeros(len(annotations), dtype=bool)
    for i in range(annotations.type.num_fields):
        present |= annotations.field(i).is_valid().to_numpy(zero_copy_only=False)
    return pa.array(present)


# ---------------------------------------------------------------- label logs


def _log_paths(folder: Path) -> list[tuple[str, Path]]:
    return logs.annotator_files(folder)


def _events_are_valid(table: pa.Table, annotator: str) -> pa.Table | None:
    """The log's events with defaults filled in, or None when a per-line check would fail."""
    if not _no_nulls(table, ("statement_id", "timestamp", "guidelines_version")):
        return None
    if any(_is_blank(table.column(name)) for name in ("statement_id", "timestamp", "guidelines_version")):
        return None
    who = pc.fill_null(table.column("annotator"), annotator)
    retraction = pc.fill_null(table.column("is_retraction"), False)
    label = table.column("label")
    version = pc.fill_null(table.column("schema_version"), SCHEMA_VERSION)
    if not (_all(pc.equal(who, annotator)) and _all(pc.or_kleene(retraction, pc.is_valid(label)))
            and _all(pc.or_kleene(pc.is_null(label), pc.is_in(label, pa.array(LABELS))))
            and _all(pc.less_equal(version, SCHEMA_VERSION))):
        return None
    return table.select(["statement_id", "label", "guidelines_version", "note"]).append_column("is_retraction", retraction)


def _read_log(path: Path, annotator: str, problems: list[str], found: dict[str, bool] | None = None,
              ) -> tuple[pa.Table, pa.Table]:
    """(every event, the current labels) of one log; torn lines are added to `problems`.

    `found["corrections"]` is set when the log might hold correction events.
    """
    data = store.read_bytes(path)
    if found is not None and b'"correction": ' in data:
        found["corrections"] = True
    if data.startswith(FRAME_PREFIX):  # what `label` and `annotate` write: checked, then read as plain lines
        data = unframed_lines(data) or b""
    table = _arrow_table(data, _EVENT_SCHEMA) if data and not data.isspace() else None
    if table is not None and not _missing_or_null_ok(table, data, _DEFAULTED["events"]):
        table = None
    del data
    events = _events_are_valid(table, annotator) if table is not None else None
    if events is not None:
        return events, _current(events, annotator)
    # Anything unusual (a framed or newer log, a bad line) goes through the one home of label state.
    records: list[LabelEvent] = logs.read_label_log(path, annotator=annotator, problems=problems)
    names = ("statement_id", "label", "guidelines_version", "note", "is_retraction")
    latest = list(latest_labels(records).values())
    current = _columns(latest, ("statement_id", "annotator", "label", "note"), _EVENT_SCHEMA)
    return _columns(records, names, _EVENT_SCHEMA), current


def _current(events: pa.Table, annotator: str) -> pa.Table:
    """The annotator's current labels: the latest event per statement, unless it is a retraction."""
    ids = events.column("statement_id").combine_chunks().dictionary_encode()
    codes = to_numpy(ids.indices)
    if len(ids.dictionary) == len(codes):
        last = np.arange(len(codes))  # no statement labelled twice: every event is the latest of its statement
    else:
        last = np.full(len(ids.dictionary), -1, dtype=np.int64)
        np.maximum.at(last, codes, np.arange(len(codes)))  # the latest event of each statement
        last.sort()
    keep = last[~to_numpy(events.column("is_retraction"))[last]]
    latest = events if len(keep) == len(events) else events.take(from_numpy(keep))
    return pa.table({
        "statement_id": latest.column("statement_id"), "annotator": pa.repeat(literal(annotator), len(latest)),
        "label": latest.column("label"), "note": latest.column("note"),
    })


def read_label_logs(project: Project, warnings: list[str]) -> LabelLogs:
    """Every annotator's log: current labels, event counts, guidelines versions; torn lines become warnings."""
    current, counts, versions, ids, found = [], {}, set(), {}, {"corrections": False}
    for annotator, path in _log_paths(project.labels_dir):
        events, now = _read_log(path, annotator, warnings, found)
        current.append(now)
        counts[annotator] = len(events)
        versions.update(pc.unique(events.column("guidelines_version")).to_pylist())
        ids[annotator] = events.column("statement_id")
    empty = pa.table({name: pa.array([], _STRING) for name in ("statement_id", "annotator", "label", "note")})
    table = pa.concat_tables(current) if current else empty
    return LabelLogs(current=table, events=counts, guidelines_versions=sorted(versions), statement_ids=ids,
                     corrections=found["corrections"])


# ---------------------------------------------------------------- articles, targets, all of it


def _unknown_label_warnings(project: Project, logs: LabelLogs, statements: pa.Table) -> list[str]:
    if not logs.statement_ids:
        return []
    # Every log's ids in one lookup, so the statement ids are hashed once, not once per annotator.
    every = pa.chunked_array([chunk for ids in logs.statement_ids.values() for chunk in ids.chunks], type=_STRING)
    unknown = to_numpy(pc.invert(pc.is_in(every, value_set=statements.column("id"))))
    out, start = [], 0
    for annotator, ids in logs.statement_ids.items():
        mine, start = unknown[start:start + len(ids)], start + len(ids)
        if mine.any():
            first = ids[int(np.argmax(mine))].as_py()
            # Logs are append-only human work, so a label for a vanished statement is kept on disk but not released.
            path = project.labels_dir / f"{annotator}.jsonl"
            out.append(f"{path}: {int(mine.sum())} label event(s) point to unknown statements (first: {first!r}); not released")
    return out


def read_inputs(project: Project) -> Inputs:
    """Read everything a release is built from; the first bad input raises InputError."""
    statements = read_statements(project)
    if not len(statements):
        raise InputError(project.statements_path, 0, "no statements; run 'stancebench extract' first")
    warnings: list[str] = []
    # The logs are read after gold in the error order users see, but gold's fast path wants their names.
    folder = project.labels_dir
    names = [p.stem for p in sorted(folder.glob("*.jsonl")) if not p.name.startswith(".")] if folder.is_dir() else []
    gold, entries = read_gold(project, statements, names)
    logs = read_label_logs(project, warnings)
    statements = _with_corrections(project, statements) if logs.corrections else statements
    warnings += _unknown_label_warnings(project, logs, statements)
    links = copy_links(project, statements)
    logs.current = fold_copy_labels(project, links, logs.current, logs.statement_ids, warnings)
    articles = article_table(project, statements, warnings)
    return Inputs(statements, gold, entries, logs, articles, project.targets, warnings, links)


def _with_corrections(project: Project, statements: pa.Table) -> pa.Table:
    """Statements as annotators corrected them: speaker or span changed, "not a statement" made stale."""
    fixes = latest_corrections(logs.read_label_logs(project.labels_dir, problems=[]))
    if not fixes:
        return statements
    records = apply_corrections(store.read_statements(project.statements_path), fixes)
    return _columns(records, tuple(_STATEMENT_SCHEMA.names), _STATEMENT_SCHEMA)
