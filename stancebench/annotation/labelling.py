"""Labels as acts: the codebook version, label events, single labels and bulk imports.

Every function here validates before it writes, and writes through the annotator's append-only
log (locked, fsynced). Light on purpose: `stancebench label` may not import datasets, torch,
scikit-learn or pandas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.annotation.labels import label_log_path, latest_labels
from stancebench.corpus.articles import read_article
from stancebench.errors import InputError, StancebenchError
from stancebench.schema import LABELS, LabelEvent, Statement, parse_json_line
from stancebench.store import append_label, append_labels, read_label_log, read_statements

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = [
    "UNVERSIONED",
    "guidelines_version",
    "make_event",
    "load_statements",
    "find_statement",
    "check_label",
    "label_statement",
    "read_label_rows",
    "import_labels",
    "article_titles",
]

#: Recorded when a corpus has no GUIDELINES.md at all.
UNVERSIONED = "unversioned"
_VERSION_LINE = re.compile(r"^[\s>*_#-]*version[*_]*\s*:[*_\s]*([0-9A-Za-z][0-9A-Za-z.+_-]*)", re.IGNORECASE)
_VERSION_SEARCH_LINES = 30


def guidelines_version(path: str | Path) -> str:
    """The codebook's version, from a `Version: X` line near the top; `unversioned` if there is no file."""
    path = Path(path)
    if not path.exists():
        return UNVERSIONED
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(path, 0, "not UTF-8 text") from None
    for line in lines[:_VERSION_SEARCH_LINES]:
        match = _VERSION_LINE.match(line)
        if match:
            return match.group(1)
    raise InputError(path, 0, f"no 'Version: X' line in the first {_VERSION_SEARCH_LINES} lines")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_event(
    statement_id: str, annotator: str, label: str | None, version: str, note: str | None = None
) -> LabelEvent:
    """A label event stamped now (a retraction when `label` is None)."""
    return LabelEvent(
        statement_id=statement_id,
        annotator=annotator,
        label=label,
        timestamp=_now(),
        guidelines_version=version,
        note=note or None,
        is_retraction=label is None,
    )


def load_statements(project: Project) -> list[Statement]:
    """The corpus's statements, with a hint when there are none yet."""
    path = project.statements_path
    if not path.exists():
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first")
    return read_statements(path)


def find_statement(statements: Sequence[Statement], statement_id: str, where: str = "statements.jsonl") -> Statement:
    """The statement with this id, or the only one whose id starts with it."""
    by_id = {s.id: s for s in statements}
    if statement_id in by_id:
        return by_id[statement_id]
    matches = [s for s in statements if s.id.startswith(statement_id)] if statement_id else []
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise StancebenchError(f"statement id prefix {statement_id!r} matches {len(matches)} statements; give more of it")
    raise StancebenchError(f"unknown statement id {statement_id!r} (not in {where})")


def check_label(label: str, allowed: Sequence[str] = LABELS) -> str:
    """`label` if the corpus allows it, else a one-line error with a 'did you mean' hint."""
    if label in allowed:
        return label
    import difflib

    close = difflib.get_close_matches(label, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise StancebenchError(f"unknown label {label!r} (expected one of: {', '.join(allowed)}){hint}")


def label_statement(
    project: Project, statement_id: str, label: str, annotator: str, note: str | None = None
) -> LabelEvent:
    """Validate and append one label to the annotator's log; returns the event written."""
    log_path = label_log_path(project, annotator)
    check_label(label, project.labels)
    statement = find_statement(load_statements(project), statement_id, str(project.statements_path))
    if statement.is_stale:
        raise StancebenchError(f"statement {statement.id!r} is stale (no longer extracted from its article)")
    event = make_event(statement.id, annotator, label, guidelines_version(project.guidelines_path), note)
    append_label(log_path, event)
    return event


_IMPORT_FIELDS = ("statement_id", "label", "note", "annotator")


def read_label_rows(path: str | Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs from a CSV (with a header) or JSONL file of labels."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, 0, "file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, 0, "not UTF-8 text") from None
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise InputError(path, 0, "no labels in the file")
    rows: list[tuple[int, dict[str, str]]] = []
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson") or first.startswith("{"):
        for lineno, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                rows.append((lineno, parse_json_line(line, path, lineno)))
        return rows
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in ("statement_id", "label") if name not in header]
    if missing:
        raise InputError(path, 1, f"missing column {missing[0]!r} (the header needs statement_id and label)")
    reader.fieldnames = header
    try:
        for row in reader:
            lineno = reader.line_num
            if None in row:
                raise InputError(path, lineno, f"{len(header) + len(row[None])} cells, but the header has {len(header)}")
            if any((value or "").strip() for value in row.values()):
                rows.append((lineno, {k: v for k, v in row.items() if v is not None and v != ""}))
    except csv.Error as err:  # e.g. a field over csv's size limit
        raise InputError(path, reader.line_num, f"not valid CSV ({err})") from None
    return rows


def _is_current(current: LabelEvent | None, event: LabelEvent) -> bool:
    return current is not None and (current.label, current.note) == (event.label, event.note)


def import_labels(project: Project, path: str | Path, annotator: str) -> int:
    """Validate every row of a label file, then append them as one batch (all or none, even if killed).

    Rows the annotator's log already holds as the current label (same label and note) are left
    out, so a re-run adds nothing; returns the number of labels appended.
    """
    log_path = label_log_path(project, annotator)
    rows = read_label_rows(path)
    statements = load_statements(project)
    by_id = {s.id: s for s in statements}
    version = guidelines_version(project.guidelines_path)
    seen: dict[str, int] = {}
    events = []
    for lineno, row in rows:
        sid, label, note = row.get("statement_id"), row.get("label"), row.get("note")
        for name, value in (("statement_id", sid), ("label", label)):
            if not isinstance(value, str) or not value.strip():
                raise InputError(path, lineno, f"missing {name}")
        sid, label = sid.strip(), label.strip()
        if note is not None and not isinstance(note, str):
            raise InputError(path, lineno, "note must be text")
        named = row.get("annotator")
        if named not in (None, "", annotator):
            raise InputError(path, lineno, f"row is by annotator {named!r}, not {annotator!r}")
        if label not in project.labels:
            raise InputError(path, lineno, f"unknown label {label!r} (expected one of: {', '.join(project.labels)})")
        if sid not in by_id:
            raise InputError(path, lineno, f"unknown statement id {sid!r} (not in {project.statements_path.name})")
        if by_id[sid].is_stale:
            raise InputError(path, lineno, f"statement {sid!r} is stale (no longer extracted from its article)")
        if sid in seen:
            raise InputError(path, lineno, f"statement {sid!r} already labelled on line {seen[sid]}")
        seen[sid] = lineno
        events.append(make_event(sid, annotator, label, version, (note or "").strip() or None))
    current = latest_labels(read_label_log(log_path, annotator)) if log_path.exists() else {}
    events = [e for e in events if not _is_current(current.get((annotator, e.statement_id)), e)]
    append_labels(log_path, events)
    return len(events)


def article_titles(project: Project) -> Callable[[str], str]:
    """article id -> title, read from seeds/ on first use; falls back to the id itself."""
    cache: dict[str, str] = {}

    def title(article_id: str) -> str:
        if article_id not in cache:
            cache[article_id] = _read_title(project, article_id) or article_id
        return cache[article_id]

    return title


def _read_title(project: Project, article_id: str) -> str | None:
    folder = project.seeds_dir
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.stem == article_id or path.name == article_id:
            try:
                title = read_article(path).title
            except StancebenchError:
                return None  # extract reports unreadable articles; the screen just shows the id
            return title if title.strip() else None
    return None
