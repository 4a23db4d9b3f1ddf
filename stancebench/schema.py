"""Records that flow between the stages: Article, Statement, LabelEvent, Gold.

Each record parses itself in one place (`from_json(line, path, lineno)`), so every reader
runs the same checks and reports the file and line of a bad record.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from stancebench.errors import InputError, quoted
from stancebench.records import plain_statement_check, slot_setting_init, statement_line

__all__ = [
    "SCHEMA_VERSION",
    "LABELS",
    "STANCE_LABELS",
    "QUOTE_TYPES",
    "SPEAKER_SOURCES",
    "GOLD_METHODS",
    "CORRECTION_KINDS",
    "EVENT_ACTS",
    "Label",
    "Article",
    "Statement",
    "LabelEvent",
    "Gold",
    "parse_json_line",
    "json_problem",
    "gold_content_hash",
    "gold_columns_hash",
]

SCHEMA_VERSION = 1

Label = Literal["support", "oppose", "hedge", "off_target"]
#: Every label an annotator may give.
LABELS: tuple[str, ...] = ("support", "oppose", "hedge", "off_target")
#: The benchmark classes, in ClassLabel order (off_target is annotation only).
STANCE_LABELS: tuple[str, ...] = ("support", "oppose", "hedge")
QUOTE_TYPES: tuple[str, ...] = ("direct", "indirect")
#: How a statement's speaker was found: a name in its sentence, a pronoun, the previous statement's
#: speaker, a role resolved to a name given elsewhere, the actor table's closest spelling.
SPEAKER_SOURCES: tuple[str, ...] = ("named", "pronoun", "previous", "role", "table", "corrected")
#: How a gold label was reached.
GOLD_METHODS: tuple[str, ...] = ("single", "unanimous", "majority", "adjudicated")


def json_problem(err: ValueError | RecursionError) -> str:
    """What json.loads refused, in a few words (a syntax error, nesting too deep, a number too long)."""
    if isinstance(err, json.JSONDecodeError):
        return err.msg
    return "nested too deeply" if isinstance(err, RecursionError) else "a number of more than 4,300 digits"


_scan_json = json.JSONDecoder().scan_once  # json.loads' own scanner, without its wrappers (3 calls, 2 regex matches)


def parse_json_line(line: str, path: str | Path, lineno: int) -> dict[str, Any]:
    """Parse one JSONL line into a dict, or raise InputError naming file and line."""
    try:
        data, end = _scan_json(line, 0)
        if end == len(line) and type(data) is dict:
            return data
    except Exception:  # noqa: BLE001 - anything unusual (white space around it, bad JSON): json.loads says what
        pass
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as err:  # ValueError: also an integer past Python's 4,300 digits
        raise InputError(path, lineno, f"not valid JSON ({json_problem(err)})") from None
    if not isinstance(data, dict):
        raise InputError(path, lineno, "expected a JSON object")
    return data


@functools.cache
def _required(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING)


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    # Cached: dataclasses.fields() is slow enough to dominate reading 100,000 records.
    return frozenset(f.name for f in fields(cls))


def _take(cls: type, data: dict[str, Any], path: str | Path, lineno: int) -> dict[str, Any]:
    for name in _required(cls):
        if name not in data or data[name] is None:
            raise InputError(path, lineno, f"missing field '{name}'")
    names = _field_names(cls)
    return {k: v for k, v in data.items() if k in names}


def _need_str(value: Any, name: str, path: str | Path, lineno: int, empty_ok: bool = False) -> str:
    if not isinstance(value, str):
        raise InputError(path, lineno, f"field '{name}' must be a string")
    if not empty_ok and not value.strip():
        raise InputError(path, lineno, f"field '{name}' is empty")
    return value


def _need_int(value: Any, name: str, path: str | Path, lineno: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(path, lineno, f"field '{name}' must be a non-negative integer")
    return value


def _opt_str(value: Any, name: str, path: str | Path, lineno: int) -> str | None:
    if value is None:
        return None
    return _need_str(value, name, path, lineno, empty_ok=True)


def _need_label(value: Any, path: str | Path, lineno: int, allowed: tuple[str, ...] = LABELS) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(path, lineno, f"unknown label {quoted(value)} (expected one of: {', '.join(allowed)})")
    return value


@dataclass(frozen=True, slots=True)
class Article:
    """One source article; `text` is exactly the body that statement spans index into."""

    id: str
    title: str
    text: str
    outlet: str | None = None
    date: str | None = None
    url: str | None = None
    language: str = "en"
    path: str | None = None
    #: Where in `path` the article is: a dump's row key or a WARC record id (None for a one-article file).
    record: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Statement:
    """One attributed statement (PARC-style: source, cue, content)."""

    id: str
    article_id: str
    speaker: str
    text: str
    context: str
    start: int
    end: int
    quote_type: str
    target_id: str
    speaker_role: str | None = None
    speaker_affiliation: str | None = None
    cue: str | None = None
    is_stale: bool = False
    speaker_source: str | None = None  # one of SPEAKER_SOURCES; None in files written before it existed
    # Provenance: the source file (relative to the seeds folder), the row key or WARC record id, the URL.
    source_file: str | None = None
    source_record: str | None = None
    url: str | None = None
    # Syndicated copies: a copy points to its canonical statement; the canonical one lists its copies.
    canonical_id: str | None = None
    copies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (stable key order)."""
        # Every field is a str, int, bool or None (copies a tuple of str): no deep copy needed (asdict is 10x slower).
        return {name: getattr(self, name) for name in _STATEMENT_FIELDS}

    def to_json(self) -> str:
        """One JSONL line; optional provenance and copy fields are left out while unset."""
        try:
            return statement_line(self)
        except TypeError:  # a value of another type than the fields declare: json.dumps decides
            return _statement_json(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | Path = "<memory>", lineno: int = 0) -> Statement:
        """Validate a dict read from `path:lineno`."""
        if _is_plain_statement(data):  # the common case in few checks; anything else goes through every check, to name it
            return cls(**data) if "copies" not in data else cls(**{**data, "copies": tuple(data["copies"])})
        return cls._checked(data, path, lineno)

    @classmethod
    def _checked(cls, data: dict[str, Any], path: str | Path, lineno: int) -> Statement:
        """`from_dict` by checking each field in turn: the first problem raises InputError naming it."""
        data = _take(cls, data, path, lineno)
        for name in ("id", "article_id", "speaker", "text", "target_id"):
            _need_str(data[name], name, path, lineno)
        _need_str(data["context"], "context", path, lineno, empty_ok=True)
        for name in ("speaker_role", "speaker_affiliation", "cue"):
            _opt_str(data.get(name), name, path, lineno)
        start = _need_int(data["start"], "start", path, lineno)
        end = _need_int(data["end"], "end", path, lineno)
        if end < start:
            raise InputError(path, lineno, f"span end {end} is before start {start}")
        if data["quote_type"] not in QUOTE_TYPES:
            raise InputError(path, lineno, f"unknown quote_type {quoted(data['quote_type'])} (expected direct or indirect)")
        if not isinstance(data.get("is_stale", False), bool):
            raise InputError(path, lineno, "field 'is_stale' must be true or false")
        source = data.get("speaker_source")
        if source is not None and source not in SPEAKER_SOURCES:
            raise InputError(path, lineno,
                             f"unknown speaker_source {quoted(source)} (expected one of: {', '.join(SPEAKER_SOURCES)})")
        for name in ("source_file", "source_record", "url", "canonical_id"):
            _opt_str(data.get(name), name, path, lineno)
        copies = () if data.get("copies") is None else data["copies"]
        if not isinstance(copies, list | tuple) or not all(isinstance(c, str) and c for c in copies):
            raise InputError(path, lineno, "field 'copies' must be a list of statement ids")
        data["copies"] = tuple(copies)
        return cls(**data)

    @classmethod
    def from_json(cls, line: str, path: str | Path = "<memory>", lineno: int = 0) -> Statement:
        """Parse one JSONL line."""
        return cls.from_dict(parse_json_line(line, path, lineno), path, lineno)


_STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))
_STATEMENT_KEYS_SORTED = tuple(sorted(_STATEMENT_FIELDS))
#: Fields added after the first release: absent from a line while unset, so older files read and write back unchanged.
_STATEMENT_OMITTED_UNSET = frozenset({"source_file", "source_record", "url", "canonical_id", "copies"})
_is_plain_statement = plain_statement_check(_STATEMENT_FIELDS, QUOTE_TYPES, SPEAKER_SOURCES)


def _statement_json(statement: Statement) -> str:
    """`Statement.to_json` by json.dumps: the keys in sorted order, as sort_keys=True would put them."""
    return json.dumps(
        {name: value for name in _STATEMENT_KEYS_SORTED
         if (value := getattr(statement, name)) or name not in _STATEMENT_OMITTED_UNSET},
        ensure_ascii=False,
    )


@dataclass(frozen=True, slots=True)
class LabelEvent:
    """One annotator's act on one statement; a retraction (undo) has `label=None`."""

    statement_id: str
    annotator: str
    label: str | None
    timestamp: str
    guidelines_version: str
    note: str | None = None
    is_retraction: bool = False
    schema_version: int = SCHEMA_VERSION
    # Optional, written only when set: an extraction fix instead of a label (see
    # stancebench.annotation.corrections), the model suggestion shown with the item, seconds spent.
    correction: dict[str, Any] | None = None
    suggestion: dict[str, Any] | None = None
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON (the optional fields only when set)."""
        # Not asdict(): its recursive deep copy was a fifth of the cost of a label append.
        data = {name: getattr(self, name) for name in _EVENT_FIELDS}
        for name in _EVENT_OPTIONAL:
            if data[name] is None:
                del data[name]
            elif isinstance(data[name], dict):
                data[name] = dict(data[name])
        return data

    def to_json(self) -> str:
        """One JSONL line."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | Path = "<memory>", lineno: int = 0) -> LabelEvent:
        """Validate a dict read from `path:lineno`."""
        correction = data.get("correction")
        if data.get("is_retraction") is True or correction is not None:
            data = {**data, "label": data.get("label")}
        elif "label" not in data or data["label"] is None:
            raise InputError(path, lineno, "missing field 'label'")
        for name in ("statement_id", "annotator", "timestamp", "guidelines_version"):
            if name not in data:
                raise InputError(path, lineno, f"missing field '{name}'")
            _need_str(data[name], name, path, lineno)
        if not isinstance(data.get("is_retraction", False), bool):
            raise InputError(path, lineno, "field 'is_retraction' must be true or false")
        if data.get("is_retraction") or correction is not None:
            if data.get("label") is not None:
                _need_label(data["label"], path, lineno)
        else:
            _need_label(data["label"], path, lineno)
        _opt_str(data.get("note"), "note", path, lineno)
        for name in ("correction", "suggestion"):
            if data.get(name) is not None and not isinstance(data[name], dict):
                raise InputError(path, lineno, f"field '{name}' must be a JSON object")
        if correction is not None:
            _check_correction(correction, path, lineno, data.get("is_retraction") is True)
        seconds = data.get("seconds")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0):
            raise InputError(path, lineno, "field 'seconds' must be a non-negative number")
        version = data.get("schema_version", SCHEMA_VERSION)
        if isinstance(version, bool) or not isinstance(version, int) or version > SCHEMA_VERSION:
            raise InputError(path, lineno, f"unsupported schema_version {repr(version)[:40]}")
        names = _field_names(cls)
        return cls(**{k: v for k, v in data.items() if k in names})

    @classmethod
    def from_json(cls, line: str, path: str | Path = "<memory>", lineno: int = 0) -> LabelEvent:
        """Parse one JSONL line."""
        return cls.from_dict(parse_json_line(line, path, lineno), path, lineno)


_EVENT_FIELDS = tuple(f.name for f in fields(LabelEvent))
_EVENT_OPTIONAL = ("correction", "suggestion", "seconds")


for _record in (Article, Statement, LabelEvent):  # made per article, per statement, per label read
    _record.__init__ = slot_setting_init(_record)


#: What an annotator can correct about an extracted statement.
CORRECTION_KINDS: tuple[str, ...] = ("speaker", "not_statement", "span")
#: Acts that are not labels: the corrections, and a skip that keeps the annotator's note.
EVENT_ACTS: tuple[str, ...] = (*CORRECTION_KINDS, "skip")


def _check_correction(value: dict[str, Any], path: str | Path, lineno: int, is_undo: bool) -> None:
    kind = value.get("kind")
    if kind not in EVENT_ACTS:
        raise InputError(path, lineno, f"unknown correction kind {quoted(kind)} (expected one of: {', '.join(EVENT_ACTS)})")
    if is_undo:
        return
    if kind == "speaker":
        _need_str(value.get("speaker"), "correction.speaker", path, lineno)
    elif kind == "span":
        start = _need_int(value.get("start"), "correction.start", path, lineno)
        end = _need_int(value.get("end"), "correction.end", path, lineno)
        if end <= start:
            raise InputError(path, lineno, f"corrected span end {end} is not after start {start}")
        _need_str(value.get("text"), "correction.text", path, lineno)


@dataclass(frozen=True, slots=True)
class Gold:
    """The adjudicated label of one statement and how it was reached."""

    statement_id: str
    label: str
    method: str
    annotations: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    adjudicator: str | None = None
    target_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)

    def to_json(self) -> str:
        """One JSONL line."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any], path: str | Path = "<memory>", lineno: int = 0) -> Gold:
        """Validate a dict read from `path:lineno`."""
        data = _take(cls, data, path, lineno)
        _need_str(data["statement_id"], "statement_id", path, lineno)
        _need_label(data["label"], path, lineno)
        if data["method"] not in GOLD_METHODS:
            raise InputError(path, lineno,
                             f"unknown method {quoted(data['method'])} (expected one of: {', '.join(GOLD_METHODS)})")
        for name in ("annotations", "notes"):
            value = data.get(name, {})
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise InputError(path, lineno, f"field '{name}' must map annotator names to strings")
        for label in data.get("annotations", {}).values():
            _need_label(label, path, lineno)
        _opt_str(data.get("adjudicator"), "adjudicator", path, lineno)
        _opt_str(data.get("target_id"), "target_id", path, lineno)
        return cls(**data)

    @classmethod
    def from_json(cls, line: str, path: str | Path = "<memory>", lineno: int = 0) -> Gold:
        """Parse one JSONL line."""
        return cls.from_dict(parse_json_line(line, path, lineno), path, lineno)


def gold_content_hash(pairs: Iterable[tuple[str, str, str]]) -> str:
    """sha256 over the canonical gold: sorted (statement id, text, label) triples as JSON lines.

    The release card and every eval report carry it, so two reports are comparable only when
    they were scored against the same gold. Each line is `json.dumps([id, text, label],
    ensure_ascii=False) + "\\n"`; `gold_columns_hash` computes it (the one implementation).
    """
    import pyarrow as pa

    rows = list(pairs)
    ids, texts, labels = ([row[i] for row in rows] for i in range(3))
    return gold_columns_hash(pa.array(ids, type=pa.string()), pa.array(texts, type=pa.string()),
                             pa.array(labels, type=pa.string()))


def gold_columns_hash(ids: Any, texts: Any, labels: Any, *, order: Any = None) -> str:
    """`gold_content_hash` of (id, text, label) given as pyarrow string arrays (labels may be dictionary-encoded).

    `order`, if given, sorts `ids`, which the caller has checked are unique (saves a sort). Arrow
    sorts UTF-8 bytes, which is code-point order, the order Python sorts strings in; each row
    becomes its JSON line in Arrow and sha256 runs over the joined buffers, a slice of rows at a time.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from stancebench.columns import from_numpy, joined_bytes, needs_json_escape, to_numpy

    # Chunked as given: combining the chunks would copy the texts once more.
    ids, texts, labels = (c if isinstance(c, pa.ChunkedArray) else pa.chunked_array([c]) for c in (ids, texts, labels))
    if order is None:
        order = pc.sort_indices(ids)
        ordered = ids.take(order)
        if len(ids) > 1 and pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(ids) - 1))).as_py():
            # A repeated id: order the whole triples, as Python's sort of tuples would.
            names = labels.cast(pa.string()) if pa.types.is_dictionary(labels.type) else labels
            keys = [("id", "ascending"), ("text", "ascending"), ("label", "ascending")]
            order = pc.sort_indices(pa.table({"id": ids, "text": texts, "label": names}), sort_keys=keys)
    plain = not (ids.null_count or texts.null_count) and all(
        needs_json_escape(chunk) is None for column in (ids, texts) for chunk in column.chunks)
    order = to_numpy(order)
    in_order = np.array_equal(order, np.arange(len(ids)))  # already in id order: nothing to move
    digest = hashlib.sha256()
    step = 1 << 16  # lines are built and hashed a slice at a time, so they are never all in memory
    for start in range(0, len(ids), step):
        if in_order:
            part = [column.slice(start, step).combine_chunks() for column in (ids, texts, labels)]
        else:
            picked = from_numpy(order[start:start + step])
            part = [column.take(picked).combine_chunks() for column in (ids, texts, labels)]
        digest.update(joined_bytes(_hash_lines(*part, plain=plain)))
    return "sha256:" + digest.hexdigest()


def _hash_lines(ids: Any, texts: Any, labels: Any, *, plain: bool) -> Any:
    """`json.dumps([id, text, label], ensure_ascii=False) + "\\n"` of each row, as one large_string array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from stancebench.columns import json_strings, literal

    if plain:
        # The common case, in one pass: no character in an id or text needs escaping.
        parts = [literal('["', large=True), ids.cast(pa.large_string()), literal('", "', large=True),
                 texts.cast(pa.large_string()), literal('", ', large=True)]
    else:
        parts = [literal("[", large=True), json_strings(ids), literal(", ", large=True), json_strings(texts),
                 literal(", ", large=True)]
    return pc.binary_join_element_wise(*parts, json_strings(labels), literal("]\n", large=True), literal("", large=True))
