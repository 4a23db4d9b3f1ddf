"""The annotation loop, as a library: one statement at a time, one key a label, nothing ever lost.

`AnnotationSession.handle_key(key)` is the whole loop logic, so the CLI only reads keys and
prints screens, and tests drive the session directly. Every label is appended to the
annotator's log (locked, fsynced) the moment it is given. The same session, pointed at
`annotations/adjudications.jsonl`, is the adjudicator's loop over disputed statements.

This module must stay light: the first screen of `stancebench annotate` may not import
datasets, torch, scikit-learn or pandas.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.annotation.labelling import article_titles, guidelines_version, load_statements, make_event
from stancebench.annotation.labels import (
    current_events,
    current_labels,
    is_disputed,
    label_log_path,
    latest_decisions,
    latest_labels,
)
from stancebench.errors import StancebenchError
from stancebench.schema import LABELS, LabelEvent, Statement
from stancebench.store import append_label, read_label_log, read_label_logs, validate_annotator

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = [
    "KEYS",
    "HELP",
    "Outcome",
    "AnnotationSession",
    "open_annotation_session",
    "open_adjudication_session",
]

#: Key -> label.
KEYS: dict[str, str] = {"s": "support", "o": "oppose", "h": "hedge", "x": "off_target"}
HELP = """Keys:
  s  support      o  oppose      h  hedge      x  off_target
  n  add a note (attached to your next label of this statement)
  u  undo your last label (and go back to that statement)
  k  skip this statement for now
  g  show the guidelines
  q  quit (every label is already saved)
  ?  this help"""


@dataclass
class Outcome:
    """What the CLI should show after a key: a one-line message, maybe a page of text, maybe the end."""

    message: str = ""
    page: str | None = None
    is_finished: bool = False
    label: str | None = None


@dataclass
class AnnotationSession:
    """One annotator working through a queue of statements; see `handle_key`."""

    queue: list[Statement]
    annotator: str
    log_path: Path
    version: str
    done: set[str]
    total: int
    history: list[str] = field(default_factory=list)
    allowed: tuple[str, ...] = LABELS
    ask: Callable[[str], str] = input
    guidelines_text: str = ""
    title_of: Callable[[str], str] = str
    others: Mapping[str, Mapping[str, LabelEvent]] = field(default_factory=dict)
    statements_by_id: dict[str, Statement] = field(default_factory=dict)
    target: str = ""
    targets: Mapping[str, str] = field(default_factory=dict)  # target id -> description, for multi-target corpora
    mode: str = "annotate"
    position: int = 0
    pending_notes: dict[str, str] = field(default_factory=dict)
    labelled_now: int = 0
    undone_now: int = 0

    def __post_init__(self) -> None:
        for statement in self.queue:
            self.statements_by_id.setdefault(statement.id, statement)

    @property
    def current(self) -> Statement | None:
        """The statement on screen, or None when the queue is used up."""
        return self.queue[self.position] if self.position < len(self.queue) else None

    @property
    def is_finished(self) -> bool:
        """Has the session run out of statements?"""
        return self.current is None

    @property
    def progress(self) -> str:
        """`12/40`: statements in scope this annotator has labelled, of all of them."""
        return f"{len(self.done)}/{self.total}"

    def handle_key(self, key: str) -> Outcome:
        """Act on one key press: label, note, undo, skip, guidelines, help or quit."""
        key = (key or "").strip()[:1].lower()
        if key == "q":
            return Outcome(self._goodbye(), is_finished=True)
        if key == "?":
            return Outcome(page=HELP)
        if key == "g":
            return Outcome(page=self.guidelines_text or "(no GUIDELINES.md in this corpus)")
        if key == "u":
            return self._undo()
        statement = self.current
        if statement is None:
            return Outcome(self._goodbye(), is_finished=True)
        if key in KEYS:
            label = KEYS[key]
            if label not in self.allowed:
                return Outcome(f"label {label!r} is not used in this corpus (allowed: {', '.join(self.allowed)})")
            return self._label(statement, label)
        if key == "n":
            text = self.ask("Note: ").strip()
            if not text:
                self.pending_notes.pop(statement.id, None)
                return Outcome("no note")
            self.pending_notes[statement.id] = text
            return Outcome("note kept; it is saved with your next label of this statement")
        if key == "k":
            self.position += 1
            return self._after("skipped")
        return Outcome(f"unknown key {key!r}; press ? for help" if key else "press ? for help")

    def _label(self, statement: Statement, label: str) -> Outcome:
        note = self.pending_notes.pop(statement.id, None)
        append_label(self.log_path, make_event(statement.id, self.annotator, label, self.version, note))
        self.done.add(statement.id)
        self.history.append(statement.id)
        self.labelled_now += 1
        self.position += 1
        return self._after(f"{statement.id}: {label}" + (" (with note)" if note else ""), label=label)

    def _undo(self) -> Outcome:
        if not self.history:
            return Outcome("nothing to undo")
        sid = self.history.pop()
        append_label(self.log_path, make_event(sid, self.annotator, None, self.version))
        self.undone_now += 1
        self.done.discard(sid)
        statement = self.statements_by_id.get(sid)
        if statement is not None and (self.current is None or self.current.id != sid):
            self.queue.insert(self.position, statement)
        return Outcome(f"undone: your label of {sid} is withdrawn")

    def _after(self, message: str, label: str | None = None) -> Outcome:
        if self.current is None:
            return Outcome(f"{message}. {self._goodbye()}", is_finished=True, label=label)
        return Outcome(message, label=label)

    def _goodbye(self) -> str:
        left = sum(1 for s in self.queue if s.id not in self.done)
        what = "decisions" if self.mode == "adjudicate" else "labels"
        tail = f"; {left} statement(s) left for next time" if left else "; nothing left in this queue"
        undone = f", {self.undone_now} undone" if self.undone_now else ""
        return f"{self.labelled_now} {what} saved this session{undone} ({self.progress} done){tail}"

    def render(self, color: bool = False) -> str:
        """The screen for the current statement (plain text; ANSI styling when `color`)."""
        statement = self.current
        if statement is None:
            return self._goodbye()
        style = _styler(color)
        who = statement.speaker
        extras = ", ".join(x for x in (statement.speaker_role, statement.speaker_affiliation) if x)
        if extras:
            who += f" ({extras})"
        verb = "decided" if self.mode == "adjudicate" else "labelled by " + self.annotator
        head = f"[{self.progress} {verb}]  statement {statement.id}"
        lines = [
            style(head, bold=True),
            f"Article: {self.title_of(statement.article_id)}",
            f"Speaker: {who}",
            f"Statement ({statement.quote_type}): {style(statement.text, bold=True)}",
            "Context: " + _highlight(statement.context or statement.text, statement.text, style, color),
        ]
        if self.target or self.targets:
            # A corpus may hold several targets: show the statement's own (its id when undescribed).
            target = self.targets.get(statement.target_id) or (statement.target_id if self.targets else self.target)
            lines.append(f"Target: {target}")
        if self.mode == "adjudicate":
            for name, event in sorted(self.others.get(statement.id, {}).items()):
                note = f"  (note: {event.note})" if event.note else ""
                lines.append(f"  {name}: {event.label}{note}")
        if statement.id in self.pending_notes:
            lines.append(f"Note (unsaved until you label): {self.pending_notes[statement.id]}")
        lines.append("[s]upport [o]ppose [h]edge off-target[x]  [n]ote [u]ndo s[k]ip [g]uidelines [q]uit [?]")
        return "\n".join(lines)


def _styler(color: bool) -> Callable[..., str]:
    if not color:
        return lambda text, **_: text
    import click

    return lambda text, **kwargs: click.style(text, **kwargs)


def _highlight(context: str, text: str, style: Callable[..., str], color: bool) -> str:
    context = " ".join(context.split())
    needle = " ".join(text.split())
    start = context.find(needle)
    if start < 0:
        start = context.lower().find(needle.lower())
    if start < 0 or not needle:
        return context
    end = start + len(needle)
    marked = style(context[start:end], bold=True, underline=True) if color else f"»{context[start:end]}«"
    return context[:start] + marked + context[end:]


def _history(events: Sequence[LabelEvent]) -> list[str]:
    """Statement ids with a current label, oldest first (undo pops from the end)."""
    return [sid for (_, sid) in latest_labels(events)]


def _read_guidelines(project: Project) -> str:
    path = project.guidelines_path
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        return ""


def open_annotation_session(
    project: Project,
    annotator: str,
    *,
    order: str = "corpus",
    seed: int = 0,
    max_labels: int | None = None,
    is_disputed_only: bool = False,
    ask: Callable[[str], str] = input,
    problems: list[str] | None = None,
) -> AnnotationSession:
    """A session over the statements `annotator` has not labelled yet (stale ones left out)."""
    validate_annotator(annotator)
    if order not in ("corpus", "shuffle"):
        raise StancebenchError(f"unknown order {order!r} (expected corpus or shuffle)")
    version = guidelines_version(project.guidelines_path)
    statements = [s for s in load_statements(project) if not s.is_stale and not s.canonical_id]  # copies: via canonical
    logs = read_label_logs(project.labels_dir, problems=problems)
    current = current_labels(logs)
    mine = logs.get(annotator, [])
    done = {s.id for s in statements if annotator in current.get(s.id, {})}
    queue = [s for s in statements if s.id not in done]
    if max_labels is not None:
        queue = [s for s in queue if len(current.get(s.id, {})) < max_labels]
    if is_disputed_only:
        queue = [s for s in queue if is_disputed(current.get(s.id, {}))]
    if order == "shuffle":
        random.Random(seed).shuffle(queue)
    return AnnotationSession(
        queue=queue,
        annotator=annotator,
        log_path=label_log_path(project, annotator),
        version=version,
        done=done,
        total=len(statements),
        history=_history(mine),
        allowed=project.labels,
        ask=ask,
        guidelines_text=_read_guidelines(project),
        title_of=article_titles(project),
        statements_by_id={s.id: s for s in statements},
        target=project.target,
        targets=project.targets,
    )


def open_adjudication_session(
    project: Project,
    adjudicator: str,
    *,
    ask: Callable[[str], str] = input,
    problems: list[str] | None = None,
) -> AnnotationSession:
    """A session over disputed statements without a decision; decisions go to adjudications.jsonl."""
    validate_annotator(adjudicator)
    version = guidelines_version(project.guidelines_path)
    statements = [s for s in load_statements(project) if not s.is_stale]
    events = current_events(read_label_logs(project.labels_dir, problems=problems))
    path = project.adjudications_path
    decision_log = read_label_log(path, problems=problems) if path.exists() and path.stat().st_size else []
    decided = latest_decisions(decision_log)
    disputed = [s for s in statements if is_disputed({name: e.label for name, e in events.get(s.id, {}).items()})]
    done = {s.id for s in disputed if s.id in decided}
    return AnnotationSession(
        queue=[s for s in disputed if s.id not in done],
        annotator=adjudicator,
        log_path=path,
        version=version,
        done=done,
        total=len(disputed),
        history=[sid for sid, event in decided.items() if event.annotator == adjudicator],
        allowed=project.labels,
        ask=ask,
        guidelines_text=_read_guidelines(project),
        title_of=article_titles(project),
        others=events,
        statements_by_id={s.id: s for s in statements},
        target=project.target,
        targets=project.targets,
        mode="adjudicate",
    )
