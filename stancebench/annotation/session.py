"""The annotation loop, as a library: one statement at a time, one key a label, nothing ever lost.

`AnnotationSession.handle_key(key)` is the whole loop logic, so the CLI only reads keys and
prints screens, and tests drive the session directly. Every label and correction is appended to
the annotator's log (locked, fsynced) the moment it is given. The same session, pointed at
`annotations/adjudications.jsonl`, is the adjudicator's loop over disputed statements
(`stancebench.annotation.opening` builds both).

This module must stay light: the first screen of `stancebench annotate` may not import
datasets, torch, scikit-learn or pandas.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancebench.annotation import corrections, screen
from stancebench.annotation.labelling import make_event
from stancebench.errors import StancebenchError
from stancebench.logs import append_label
from stancebench.schema import LABELS, STANCE_LABELS, LabelEvent, Statement

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.annotation.suggestions import Suggester, Suggestion
    from stancebench.project import Project

__all__ = ["KEYS", "HELP", "Outcome", "AnnotationSession"]

#: Key -> label.
KEYS: dict[str, str] = {"s": "support", "o": "oppose", "h": "hedge", "x": "off_target"}
HELP = screen.HELP
_SPAN_KEYS = {"t": "trim", "e": "extend", "s": "start"}
#: How many upcoming statements a refit predicts for (and `--order uncertainty` re-sorts).
_REORDER_WINDOW = 2000


@dataclass
class Outcome:
    """What the CLI should show after a key: a one-line message, maybe a page of text, maybe the end."""

    message: str = ""
    page: str | None = None
    is_finished: bool = False
    label: str | None = None
    is_help: bool = False


@dataclass
class AnnotationSession:
    """One annotator working through a queue of statement ids; see `handle_key`."""

    statements: Any  # a labelling.StatementIndex: get(id), resolve(prefix), live_ids()
    annotator: str
    log_path: Path
    version: str
    done: set[str]
    total: int
    history: list[tuple[str, str]] = field(default_factory=list)  # (statement id, "label" or correction kind)
    allowed: tuple[str, ...] = LABELS
    ask: Callable[[str], str] = input
    guidelines_text: str = ""
    title_of: Callable[[str], str] = str
    others: Mapping[str, Mapping[str, LabelEvent]] = field(default_factory=dict)
    fixes: dict[str, dict[str, LabelEvent]] = field(default_factory=dict)
    own: dict[str, str] = field(default_factory=dict)  # statement id -> this annotator's current label
    target: str = ""
    targets: Mapping[str, str] = field(default_factory=dict)  # target id -> description, for multi-target corpora
    mode: str = "annotate"
    project: Project | None = None
    suggester: Suggester | None = None
    refit_every: int | None = None
    order: str = "document"
    training: dict[str, str] = field(default_factory=dict)  # statement id -> label the model may learn from
    warnings: list[str] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    position: int = 0
    pending_notes: dict[str, str] = field(default_factory=dict)
    labelled_now: int = 0
    undone_now: int = 0
    corrected_now: int = 0
    _queue: list[str] = field(default_factory=list)
    _shown: dict[str, tuple[float, Suggestion | None]] = field(default_factory=dict)
    _seen_version: int = 0
    # The first screen before the whole queue is known: its statement id, and the thread computing the rest.
    first: str | None = None
    pending: Callable[[], tuple[list[str], int, set[str]]] | None = None
    _builder: threading.Thread | None = None
    _built: tuple[list[str], int, set[str]] | None = None

    def prepare(self) -> None:
        """Start computing the full queue in the background; call it once the first screen is shown.

        (The scan holds the GIL, so starting it before the screen is printed would delay the screen.)
        """
        if self.pending is not None and self._builder is None:
            def build() -> None:
                try:
                    self._built = self.pending()
                except Exception:  # noqa: BLE001 - _ready builds again in the main thread, where the error is reported
                    self._built = None

            self._builder = threading.Thread(target=build, name="stancebench-queue", daemon=True)
            self._builder.start()

    def _ready(self) -> None:
        """Wait for the full queue (once), keeping the statement already shown first."""
        if self.pending is None:
            return
        self.prepare()
        self._builder.join()
        if self._built is None:  # the builder raised: build here, so the error reaches the user
            self._built = self.pending()
        queue, self.total, self.done = self._built
        if self.first is not None and (not queue or queue[0] != self.first):
            queue = [self.first, *(sid for sid in queue if sid != self.first)]
        self._queue, self.pending = queue, None

    @property
    def queue(self) -> list[str]:
        """The statement ids of this session, in order (waits for the background build once)."""
        self._ready()
        return self._queue

    @queue.setter
    def queue(self, ids: list[str]) -> None:
        self._queue = ids

    # --- what is on screen ----------------------------------------------------------------------

    def statement(self, statement_id: str) -> Statement:
        """A statement as corrected so far."""
        found = self.statements.get(statement_id)
        fixes = self.fixes.get(statement_id)
        return corrections.apply_corrections([found], {statement_id: fixes})[0] if fixes else found

    @property
    def current(self) -> Statement | None:
        """The statement on screen, or None when the queue is used up."""
        if self.pending is not None:
            return self.statement(self.first) if self.first is not None else None
        return self.statement(self.queue[self.position]) if self.position < len(self.queue) else None

    @property
    def is_finished(self) -> bool:
        """Has the session run out of statements?"""
        if self.pending is not None:
            return self.first is None
        return self.position >= len(self.queue)

    @property
    def progress(self) -> str:
        """`12/40`: statements in scope this annotator has labelled, of all of them."""
        return f"{len(self.done)}/{self.total}"

    # --- keys -------------------------------------------------------------------------------------

    def handle_key(self, key: str) -> Outcome:
        """Act on one key press: label, note, skip, back, jump, correct, undo, guidelines, help or quit."""
        self._ready()
        key = (key or "").strip()[:1].lower()
        if key == "q":
            return Outcome(self._goodbye(), is_finished=True)
        if key == "?":
            return Outcome(page=HELP, is_help=True)
        if key == "g":
            return Outcome(page=self.guidelines_text or "(no GUIDELINES.md in this corpus)")
        if key == "u":
            return self._undo()
        if key == "b":
            return self._back()
        if key == "j":
            return self._jump(self.ask("Jump to statement id: ").strip())
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
            return Outcome("note kept; it is saved with your next label of this statement (or when you skip it)")
        if key == "k":
            return self._skip(statement)
        if key in ("e", "m", "t") and self.mode == "annotate":
            return self._correct(statement, key)
        return Outcome(f"unknown key {key!r}; press ? for help" if key else "press ? for help")

    def _stamp(self, statement_id: str) -> tuple[float | None, dict[str, Any] | None]:
        shown = self._shown.pop(statement_id, None)
        if shown is None:
            return None, None
        seconds = round(max(self.clock() - shown[0], 0.0), 1)
        return seconds, (shown[1].to_dict() if shown[1] is not None else None)

    def _label(self, statement: Statement, label: str) -> Outcome:
        note = self.pending_notes.pop(statement.id, None)
        seconds, suggestion = self._stamp(statement.id)
        event = make_event(statement.id, self.annotator, label, self.version, note)
        if seconds is not None or suggestion is not None:
            event = replace(event, seconds=seconds, suggestion=suggestion)
        append_label(self.log_path, event)
        self.done.add(statement.id)
        self.own[statement.id] = label
        self.training[statement.id] = label
        self.history.append((statement.id, "label"))
        self.labelled_now += 1
        self.position += 1
        self._maybe_refit()
        return self._after(f"{statement.id}: {label}" + (" (with note)" if note else ""), label=label)

    def _skip(self, statement: Statement) -> Outcome:
        note = self.pending_notes.pop(statement.id, None)
        self._shown.pop(statement.id, None)
        if note:
            event = corrections.make_correction(statement.id, self.annotator, {"kind": "skip"}, self.version, note=note)
            append_label(self.log_path, event)
        self.position += 1
        return self._after("skipped, note saved" if note else "skipped")

    def _back(self) -> Outcome:
        if self.position > 0:
            self.position -= 1
            return Outcome(f"back to {self.queue[self.position]}")
        earlier = [sid for sid, kind in reversed(self.history) if kind == "label" and sid not in self.queue]
        if not earlier:
            return Outcome("nothing before this statement")
        self.queue.insert(0, earlier[0])
        return Outcome(f"back to {earlier[0]}")

    def _jump(self, wanted: str) -> Outcome:
        if not wanted:
            return Outcome("no id given")
        try:
            sid = self.statements.resolve(wanted)
        except StancebenchError as err:
            return Outcome(str(err))
        if sid in self.statements.stale or "not_statement" in self.fixes.get(sid, {}):
            return Outcome(f"statement {sid!r} is not in the queue (stale or marked not a statement)")
        if sid in self.queue[self.position:]:
            self.queue.remove(sid)
        self.queue.insert(min(self.position, len(self.queue)), sid)
        return Outcome(f"jumped to {sid}")

    def _correct(self, statement: Statement, key: str) -> Outcome:
        if self.project is None:
            return Outcome("corrections need the corpus (open the session with open_annotation_session)")
        try:
            if key == "m":
                body = {"kind": "not_statement"}
            elif key == "e":
                body = self._ask_speaker(statement)
            else:
                mode = _SPAN_KEYS.get(self.ask("Span: [t]rim end to the first sentence end, [e]xtend end to "
                                               "the sentence end, [s]tart at the sentence start: ").strip()[:1].lower())
                body = corrections.span_correction(self.project, statement, mode) if mode else None
        except StancebenchError as err:
            return Outcome(str(err))
        if body is None:
            return Outcome("no change")
        event = corrections.make_correction(statement.id, self.annotator, body, self.version)
        append_label(self.log_path, event)
        self.fixes.setdefault(statement.id, {})[body["kind"]] = event
        self.history.append((statement.id, body["kind"]))
        self.corrected_now += 1
        if body["kind"] == "not_statement":
            self.position += 1
            return self._after(f"{statement.id}: marked not a statement")
        what = f"speaker is now {body['speaker']}" if body["kind"] == "speaker" else "span moved"
        return Outcome(f"{statement.id}: {what}")

    def _ask_speaker(self, statement: Statement) -> dict[str, Any] | None:
        choices = corrections.speaker_choices(self.project, statement, self._article_statements(statement))
        shown = choices[:9]
        listing = "".join(f"  {i} {name}\n" for i, name in enumerate(shown, start=1))
        answer = self.ask(f"{listing}Speaker (number, or type a name; empty to cancel): ").strip()
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(shown):
            answer = shown[int(answer) - 1]
        return corrections.speaker_correction(self.project, answer)

    def _article_statements(self, statement: Statement) -> list[Statement]:
        return self.statements.of_article(statement.article_id)

    def _undo(self) -> Outcome:
        if not self.history:
            return Outcome("nothing to undo")
        sid, kind = self.history.pop()
        if kind == "label":
            append_label(self.log_path, make_event(sid, self.annotator, None, self.version))
            self.done.discard(sid)
            self.own.pop(sid, None)
            self.training.pop(sid, None)
            message = f"undone: your label of {sid} is withdrawn"
        else:
            append_label(self.log_path, corrections.make_correction(sid, self.annotator, {"kind": kind}, self.version,
                                                                    is_undo=True))
            self.fixes.get(sid, {}).pop(kind, None)
            message = f"undone: your {kind.replace('_', ' ')} correction of {sid} is withdrawn"
        self.undone_now += 1
        if self.current is None or self.current.id != sid:
            self.queue.insert(self.position, sid)
        return Outcome(message)

    def _after(self, message: str, label: str | None = None) -> Outcome:
        if self.is_finished:
            return Outcome(f"{message}\n{self._goodbye()}", is_finished=True, label=label)
        return Outcome(message, label=label)

    def _goodbye(self) -> str:
        left = len({sid for sid in self.queue if sid not in self.done and "not_statement" not in self.fixes.get(sid, {})})
        what = "decision" if self.mode == "adjudicate" else "label"
        extras = [f"{self.undone_now} undone" if self.undone_now else "",
                  screen.plural(self.corrected_now, "correction") if self.corrected_now else ""]
        extra = "".join(f", {x}" for x in extras if x)
        tail = f"; {left} statement(s) left for next time" if left else "; nothing left in this queue"
        return f"{screen.plural(self.labelled_now, what)} saved this session{extra} ({self.progress} done){tail}"

    # --- suggestions ------------------------------------------------------------------------------

    def _maybe_refit(self) -> None:
        if self.suggester is None or not self.refit_every or self.labelled_now % self.refit_every:
            return
        self.start_refit()

    def start_refit(self) -> bool:
        """Refit the suggesting model on the labels so far, in the background; False when it cannot."""
        if self.suggester is None or len(set(self.training.values()) & set(STANCE_LABELS)) < 2:
            return False  # nothing a classifier can learn from yet
        training = dict(self.training)  # snapshots: the thread must not see the session change under it
        upcoming = self.queue[self.position:self.position + _REORDER_WINDOW]
        fixes = {sid: dict(kinds) for sid, kinds in self.fixes.items()}

        def gather() -> tuple[list[Statement], list[str], list[Statement]]:
            known = [sid for sid in training if sid in self.statements]  # labels on removed statements: not learnt
            found = self.statements.many([*known, *upcoming])
            fixed = corrections.apply_corrections([found[sid] for sid in [*known, *upcoming]], fixes)
            return fixed[:len(known)], [training[sid] for sid in known], fixed[len(known):]

        return self.suggester.refit(gather)

    def _reorder_if_refitted(self) -> None:
        if self.suggester is None or self.suggester.version == self._seen_version:
            return
        self._seen_version = self.suggester.version
        if self.order == "uncertainty" and self.position + 1 < len(self.queue):
            from stancebench.annotation.suggestions import uncertainty_order

            # Only the window the refit predicted for: re-predicting the whole rest would block the screen.
            window = self.queue[self.position + 1:self.position + 1 + _REORDER_WINDOW]
            found = self.suggester.suggest_many([self.statement(sid) for sid in window])
            self.queue[self.position + 1:self.position + 1 + len(window)] = uncertainty_order(window, found)

    # --- the screen -------------------------------------------------------------------------------

    def render(self, color: bool = False, columns: int | None = None) -> str:
        """The screen for the current statement (plain text; ANSI styling when `color`), wrapped to `columns`."""
        if self.pending is not None and self.first is None:
            self._ready()
        self._reorder_if_refitted()
        statement = self.current
        if statement is None:
            return self._goodbye()
        style, columns = screen.styler(color), columns or screen.width()
        suggestion = self.suggester.suggest(statement) if self.suggester is not None else None
        if statement.id not in self._shown:
            self._shown[statement.id] = (self.clock(), suggestion)
        who = statement.speaker
        extras = ", ".join(x for x in (statement.speaker_role, statement.speaker_affiliation) if x)
        if extras:
            who += f" ({extras})"
        fixed = sorted(self.fixes.get(statement.id, {}))
        verb = "decided" if self.mode == "adjudicate" else "labelled by " + self.annotator
        lines = [
            style(f"[{self.progress} {verb}]  statement {statement.id}", bold=True),
            screen.wrap("Article", self.title_of(statement.article_id), columns),
            screen.wrap("Speaker", who + (f"  [corrected: {', '.join(fixed)}]" if fixed else ""), columns),
            style(screen.wrap(f"Statement ({statement.quote_type})", statement.text, columns), bold=True),
        ]
        if suggestion is not None:
            lines.append(screen.wrap("Suggestion", suggestion.as_text(), columns))
        elif self.suggester is not None:
            lines.append("Suggestion: none yet" + (" (model refitting)" if self.suggester.is_refitting else ""))
        lines.append(screen.wrap("Context", screen.highlight(statement.context or statement.text, statement.text), columns))
        if self.target or self.targets:
            # A corpus may hold several targets: show the statement's own (its id when undescribed).
            target = self.targets.get(statement.target_id) or (statement.target_id if self.targets else self.target)
            lines.append(screen.wrap("Target", target, columns))
        if statement.id in self.own:
            lines.append(f"Your label: {self.own[statement.id]}")
        if self.mode == "adjudicate":
            for name, event in sorted(self.others.get(statement.id, {}).items()):
                note = f"  (note: {event.note})" if event.note else ""
                lines.append(screen.wrap(f"  {name}", f"{event.label}{note}", columns))
        if statement.id in self.pending_notes:
            lines.append(screen.wrap("Note (saved with your label or skip)", self.pending_notes[statement.id], columns))
        lines.append(screen.LEGEND)
        return "\n".join(lines)
