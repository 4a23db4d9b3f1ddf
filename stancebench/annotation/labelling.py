"""Labels as acts: the codebook version, label events, single labels and bulk imports.

Every function here validates before it writes, and writes through the annotator's append-only
log (locked, fsynced). Light on purpose: `stancebench label` may not import datasets, torch,
scikit-learn or pandas.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.annotation.labels import label_log_path, latest_labels
from stancebench.corpus.articles import read_article
from stancebench.errors import InputError, StancebenchError
from stancebench.id_index import open_id_index
from stancebench.logs import append_label, append_labels, read_label_log
from stancebench.schema import LABELS, Article, LabelEvent, Statement, parse_json_line
from stancebench.store import read_statements

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = [
    "UNVERSIONED",
    "guidelines_version",
    "make_event",
    "load_statements",
    "StatementIndex",
    "open_statement_index",
    "read_statement",
    "find_article",
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


class StatementIndex:
    """statements.jsonl through its id index (`stancebench.id_index`): a statement is parsed (and
    checked) only when asked for, so the first screen costs the same at 100 or 100,000 statements.

    A file that cannot be indexed (parquet, ids holding newlines) is read in full instead.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._index = open_id_index(self.path)
        self._parsed: dict[str, Statement] = {}
        self._ids: list[str] | None = None
        self._data: bytes | None = None
        self._lock = threading.Lock()
        self._is_fresh = False  # rebuilt from the file in this process
        if self._index is None:
            self._parsed = {s.id: s for s in read_statements(self.path)}
            self._ids = list(self._parsed)

    @property
    def ids(self) -> list[str]:
        """Every statement id, in file order."""
        with self._lock:  # the queue is built in a background thread
            if self._ids is None:
                self._ids = self._index.ids()
            return self._ids

    @property
    def stale(self) -> set[str]:
        """Ids of the statements no longer extracted from their article."""
        if self._index is None:
            return {s.id for s in self._parsed.values() if s.is_stale}
        return set(self._index.stale)

    def __len__(self) -> int:
        return len(self.ids) if self._index is None else self._index.records

    def __contains__(self, statement_id: object) -> bool:
        if not isinstance(statement_id, str):
            return False
        if self._index is None:
            return statement_id in self._parsed
        return self._index.offset(statement_id) is not None

    def copies(self) -> set[str]:
        """Ids of syndicated copies: they are labelled through their canonical statement, never shown."""
        if self._index is None:
            return {s.id for s in self._parsed.values() if s.canonical_id}
        return set(self._index.copies)

    def live_ids(self) -> list[str]:
        """Ids of the statements to label (still extracted, not a syndicated copy), in file order."""
        hidden = self.stale | self.copies()
        return [sid for sid in self.ids if sid not in hidden] if hidden else list(self.ids)

    def quick_stale(self) -> set[str]:
        """The stale ids (from the index header: no id scan)."""
        return self.stale

    def count_lines(self) -> int:
        """How many records the file holds (from the index header)."""
        return len(self)

    def first_live(self, is_skipped: Callable[[str], bool]) -> str | None:
        """The first live id in file order that `is_skipped` does not reject, reading no further than it."""
        if self._index is None:
            return next((sid for sid in self.live_ids() if not is_skipped(sid)), None)
        copies = self._index.copies
        return next((sid for sid, is_stale in self._index.entries()
                     if not is_stale and sid not in copies and not is_skipped(sid)), None)

    def get(self, statement_id: str) -> Statement:
        """The statement with this id (parsed and validated now, naming file and line if bad)."""
        found = self._parsed.get(statement_id)
        if found is not None:
            return found
        index = self._index
        offset = index.offset(statement_id) if index is not None else None
        if offset is None:
            if self._refresh():  # an index that missed an edit it could not see: look again
                return self.get(statement_id)
            raise StancebenchError(f"unknown statement id {statement_id!r} (not in {self.path})")
        raw = index.read_line(offset)
        try:
            statement = Statement.from_json(raw.decode("utf-8"), self.path, 0)
        except (UnicodeDecodeError, InputError) as err:
            if self._refresh():
                return self.get(statement_id)
            problem = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else err.problem
            raise InputError(self.path, index.line_number(offset), problem) from None
        if statement.id != statement_id or not index.is_line_start(offset):
            if self._refresh():
                return self.get(statement_id)
            self._parsed = {s.id: s for s in read_statements(self.path)}  # the scan was fooled: read properly
            self._index, self._ids = None, list(self._parsed)
            return self.get(statement_id)
        self._parsed[statement_id] = statement
        return statement

    def _refresh(self) -> bool:
        """Rebuild the index from the file itself, once; False if that was done already."""
        if self._index is None or self._is_fresh:
            return False
        self._is_fresh = True
        with self._lock:
            self._index, self._ids = self._index.rebuilt(), None
        if self._index is None:
            self._parsed = {s.id: s for s in read_statements(self.path)}
            self._ids = list(self._parsed)
        return True

    def of_article(self, article_id: str) -> list[Statement]:
        """The statements of one article (lines found by their leading article id, as extract writes them)."""
        if self._index is not None:
            if self._data is None:
                self._data = self._index.read_all()  # only a speaker correction asks: read once
            data, found = self._data, []
            needle = b'{"article_id": "' + article_id.encode("utf-8") + b'", '
            pos = data.find(needle)
            while pos >= 0:
                if pos == 0 or data[pos - 1] == 0x0A:  # 0x0A: at a line start, not inside a string
                    end = data.find(b"\n", pos)
                    match = _ID.search(data, pos, end if end >= 0 else len(data))
                    if match is not None and match.group(1).decode("utf-8", "replace") in self:
                        found.append(self.get(match.group(1).decode("utf-8", "replace")))
                pos = data.find(needle, pos + 1)
            if found:
                return found
        return [s for s in self.all() if s.article_id == article_id]

    def many(self, statement_ids: Sequence[str]) -> dict[str, Statement]:
        """Several statements by id: looked up one by one when few, else by one full read."""
        if len([sid for sid in statement_ids if sid not in self._parsed]) > 64:
            self.all()
        return {sid: self.get(sid) for sid in statement_ids}

    def all(self) -> list[Statement]:
        """Every statement, in file order (one full read, then cached)."""
        if len(self._parsed) < len(self):
            self._parsed = {s.id: s for s in read_statements(self.path)}
        return [self._parsed[sid] for sid in self.ids if sid in self._parsed]

    def resolve(self, statement_id: str) -> str:
        """The full id for an id or a unique prefix of one."""
        if statement_id in self:
            return statement_id
        if self._index is not None:
            matches = self._index.matching(statement_id)
            if not matches and self._refresh():
                return self.resolve(statement_id)
        else:
            matches = [sid for sid in self.ids if sid.startswith(statement_id)] if statement_id else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise StancebenchError(f"statement id prefix {statement_id!r} matches {len(matches)} statements; give more of it")
        raise StancebenchError(f"unknown statement id {statement_id!r} (not in {self.path})")


# Statement.to_json sorts keys, so "id" comes right before "is_stale" on every line it wrote.
_ID = re.compile(rb'"id": "([^"\\\n]*)", "is_stale": ')


def open_statement_index(project: Project) -> StatementIndex:
    """The corpus's statements as a lazy index, with a hint when there are none yet."""
    path = project.statements_path
    if not path.exists():
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first")
    return StatementIndex(path)


def read_statement(project: Project, statement_id: str) -> Statement:
    """One statement by id or unique id prefix, found through the id index (only its line is parsed)."""
    index = open_statement_index(project)
    return index.get(index.resolve(statement_id))


def find_article(project: Project, article_id: str) -> Article | None:
    """The seeds article with this id (file stem), or None when there is no readable one."""
    folder = project.seeds_dir
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        if path.stem == article_id or path.name == article_id:
            try:
                return read_article(path)
            except StancebenchError:
                return None  # extract reports unreadable articles
    return None


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
    statement = read_statement(project, statement_id)
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
    article = find_article(project, article_id)
    return article.title if article is not None and article.title.strip() else None
