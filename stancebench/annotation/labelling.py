"""Labels as acts: the codebook version, label events, single labels and bulk imports.

Every function here validates before it writes, and writes through the annotator's append-only
log (locked, fsynced). Light on purpose: `stancebench label` may not import datasets, torch,
scikit-learn or pandas.
"""

from __future__ import annotations

import mmap
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.annotation.labels import label_log_path, latest_labels
from stancebench.corpus.articles import read_article
from stancebench.errors import InputError, StancebenchError
from stancebench.logs import append_label, append_labels, read_label_log
from stancebench.schema import LABELS, Article, LabelEvent, Statement, parse_json_line
from stancebench.store import read_bytes, read_statements

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


# Statement.to_json writes keys sorted, so "id" and "is_stale" sit side by side on every line it wrote.
_ID_AND_STALE = re.compile(rb'"id": "([^"\\\n]*)", "is_stale": (true|false)')
# A syndicated copy names its canonical statement before its own id (keys are sorted).
_COPY_ID = re.compile(rb'"canonical_id": "[^"\\\n]+"[^\n]*?"id": "([^"\\\n]*)", "is_stale": ')


class StatementIndex:
    """statements.jsonl by bytes scans; a statement is parsed (and checked) only when asked for.

    `first_live` finds the first statement to show by scanning only as far as it must; the full id
    list comes from one scan of the whole file on first use. Files `extract` did not write
    (hand-edited, other key order, blank lines) fall back to reading every record.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data = b"" if path.suffix == ".parquet" else read_bytes(path)  # parquet: no lines to scan
        self._parsed: dict[str, Statement] = {}
        self._cursor = 0  # where the last lookup ended: screens move forward through the file
        self._lock = threading.Lock()
        self._ids: list[str] | None = None
        self._stale: set[str] = set()
        self._known: set[str] = set()
        self._copies: set[str] | None = None
        if not self._data:  # parquet (or empty): parsed once, as a file extract did not write
            self._parsed = {s.id: s for s in read_statements(path)}
            self._ids, self._known = list(self._parsed), set(self._parsed)
            self._stale = {s.id for s in self._parsed.values() if s.is_stale}

    def _scan(self) -> None:
        with self._lock:
            if self._ids is not None:
                return
            data = self._data
            pairs = _ID_AND_STALE.findall(data)
            lines = data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)
            # A blank or foreign line makes the counts differ; so does a record the pattern misses.
            ids = b"\n".join(sid for sid, _ in pairs).decode("utf-8", "replace").split("\n") if pairs else []
            known = set(ids)
            if len(pairs) == lines and len(known) == len(ids):
                self._stale = {sid for sid, (_, flag) in zip(ids, pairs, strict=True) if flag == b"true"}
            else:
                self._parsed = {s.id: s for s in read_statements(self.path)}
                ids, known = list(self._parsed), set(self._parsed)
                self._stale = {s.id for s in self._parsed.values() if s.is_stale}
                self._data = b""
            self._known, self._ids = known, ids

    @property
    def ids(self) -> list[str]:
        """Every statement id, in file order."""
        self._scan()
        return self._ids

    @property
    def stale(self) -> set[str]:
        """Ids of the statements no longer extracted from their article."""
        self._scan()
        return self._stale

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, statement_id: object) -> bool:
        self._scan()
        return statement_id in self._known

    def copies(self) -> set[str]:
        """Ids of syndicated copies: they are labelled through their canonical statement, never shown."""
        if self._copies is None:
            if self._data:
                self._copies = {sid.decode("utf-8", "replace") for sid in _COPY_ID.findall(self._data)}
            else:
                self._copies = {s.id for s in self._parsed.values() if s.canonical_id}
        return self._copies

    def live_ids(self) -> list[str]:
        """Ids of the statements to label (still extracted, not a syndicated copy), in file order."""
        hidden = self.stale | self.copies()
        return [sid for sid in self.ids if sid not in hidden] if hidden else list(self.ids)

    def quick_stale(self) -> set[str]:
        """The stale ids, found by searching for the (rare) stale flag only: no id scan."""
        data = self._data
        if not data or self._ids is not None:
            return set(self.stale)
        out, flag = set(), b'", "is_stale": true'
        pos = data.find(flag)
        while pos >= 0:
            out.add(data[data.rfind(b'"id": "', 0, pos) + 7 : pos].decode("utf-8", "replace"))
            pos = data.find(flag, pos + 1)
        return out

    def count_lines(self) -> int:
        """How many records the file holds, by counting lines (no id scan)."""
        data = self._data
        if not data or self._ids is not None:
            return len(self.ids)
        return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)

    def first_live(self, is_skipped: Callable[[str], bool]) -> str | None:
        """The first live id in file order that `is_skipped` does not reject, scanning no further than it."""
        if self._ids is not None or not self._data:
            return next((sid for sid in self.live_ids() if not is_skipped(sid)), None)
        for match in _ID_AND_STALE.finditer(self._data):
            if match.group(2) == b"false":
                sid = match.group(1).decode("utf-8", "replace")
                if not is_skipped(sid):
                    return sid
        return None

    def get(self, statement_id: str) -> Statement:
        """The statement with this id (parsed and validated now, naming file and line if bad)."""
        if statement_id in self._parsed:
            return self._parsed[statement_id]
        data = self._data
        needle = b'"id": "' + statement_id.encode("utf-8") + b'", "is_stale": '
        pos = data.find(needle, self._cursor) if data else -1
        if pos < 0 and data:
            pos = data.find(needle)
        if pos < 0:
            self._scan()  # a file extract did not write is read in full, properly
            if statement_id in self._parsed:
                return self._parsed[statement_id]
            raise StancebenchError(f"unknown statement id {statement_id!r} (not in {self.path})")
        start = data.rfind(b"\n", 0, pos) + 1
        end = data.find(b"\n", pos)
        end = end if end >= 0 else len(data)
        self._cursor = end
        try:
            statement = Statement.from_json(data[start:end].decode("utf-8"), self.path, 0)
        except (UnicodeDecodeError, InputError) as err:
            lineno = data.count(b"\n", 0, start) + 1  # counted only when there is an error to report
            problem = "not UTF-8 text" if isinstance(err, UnicodeDecodeError) else err.problem
            raise InputError(self.path, lineno, problem) from None
        if statement.id != statement_id:  # the scan was fooled: read it all, properly
            self._parsed = {s.id: s for s in read_statements(self.path)}
            return self._parsed[statement_id]
        self._parsed[statement_id] = statement
        return statement

    def of_article(self, article_id: str) -> list[Statement]:
        """The statements of one article (lines found by their leading article id, as extract writes them)."""
        data, found = self._data, []
        if data:
            needle = b'{"article_id": "' + article_id.encode("utf-8") + b'", '
            pos = data.find(needle)
            while pos >= 0:
                end = data.find(b"\n", pos)
                match = _ID_AND_STALE.search(data, pos, end if end >= 0 else len(data))
                if match is not None and (pos == 0 or data[pos - 1] == 0x0A):  # 0x0A: at a line start
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
        if len(self._parsed) < len(self.ids):
            self._parsed = {s.id: s for s in read_statements(self.path)}
        return [self._parsed[sid] for sid in self.ids]

    def resolve(self, statement_id: str) -> str:
        """The full id for an id or a unique prefix of one."""
        if statement_id in self:
            return statement_id
        matches = [sid for sid in self.ids if sid.startswith(statement_id)] if statement_id else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise StancebenchError(f"statement id prefix {statement_id!r} matches {len(matches)} statements; give more of it")
        raise StancebenchError(f"unknown statement id {statement_id!r} (not in {self.path})")


def open_statement_index(project: Project) -> StatementIndex:
    """The corpus's statements as a lazy index, with a hint when there are none yet."""
    path = project.statements_path
    if not path.exists():
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first")
    return StatementIndex(path)


def read_statement(project: Project, statement_id: str) -> Statement:
    """One statement by id or unique id prefix, found by a bytes scan of the mapped file (no full parse)."""
    path = project.statements_path
    if not path.exists():
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first")
    found = None
    if statement_id and '"' not in statement_id and "\\" not in statement_id and path.stat().st_size:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            found = _find_one(data, b'"id": "' + statement_id.encode("utf-8"), path)
    if found is not None and found.id.startswith(statement_id):
        return found
    # Not found, ambiguous or not written by extract: the full read says precisely what is wrong.
    return find_statement(read_statements(path), statement_id, str(path))


def _find_one(data: mmap.mmap, needle: bytes, path: Path) -> Statement | None:
    """The record whose id is `needle`'s, or the only one it prefixes; None when not exactly one."""
    exact = needle + b'"'
    pos = data.find(exact)
    target = exact if pos >= 0 else needle
    if pos < 0:
        pos = data.find(needle)
    if pos < 0 or data.find(target, pos + 1) >= 0:
        return None
    start = data.rfind(b"\n", 0, pos) + 1
    end = data.find(b"\n", pos)
    line = data[start : end if end >= 0 else len(data)]
    try:
        return Statement.from_json(line.decode("utf-8"), path, 0)
    except (UnicodeDecodeError, InputError):
        return None  # the full read names the line


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
