"""The one home of label state: which label each annotator currently gives each statement.

Logs are append-only (see `stancebench.store`), so "current" always means: the latest event per
(annotator, statement), a retraction removing the pair. Agreement, adjudication, the annotate
queue, status and the release all ask this module.

Syndicated copies (`stancebench.corpus.dedup`) are one statement: every event on a copy is read as
an event on its canonical statement (`canonical_events`), so a label given to any member of a group
counts for the group, and the rule above applies to the group as a whole. In particular, when one
annotator labelled two copies differently (say, before `extract` linked them), the later event wins,
exactly as a relabel does, and a retraction on any copy removes the annotator's label of the group.
Such a conflict is reported (`copy_conflicts`), never silently resolved. Corrections (extraction
fixes) are about one copy's text and are not moved.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.logs import read_label_log, read_label_logs, validate_annotator
from stancebench.schema import LabelEvent, Statement

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = [
    "label_log_path",
    "latest_labels",
    "current_events",
    "current_labels",
    "current_notes",
    "latest_decisions",
    "is_disputed",
    "disputed_ids",
    "live_labels",
    "LabelState",
    "read_label_state",
    "canonical_events",
    "copy_conflicts",
]


def label_log_path(project: Project, name: str) -> Path:
    """The label log of annotator `name`: annotations/labels/NAME.jsonl."""
    return project.labels_dir / f"{validate_annotator(name)}.jsonl"


def canonical_events(events: Iterable[LabelEvent], canonical: Mapping[str, str] | None) -> Iterator[LabelEvent]:
    """`events` with a syndicated copy's statement id replaced by its canonical statement's (copy id -> canonical)."""
    return iter(_folded(events, canonical))


def _folded(events: Iterable[LabelEvent], canonical: Mapping[str, str] | None) -> Iterable[LabelEvent]:
    if not canonical:
        return events
    events = events if isinstance(events, list) else list(events)
    if not _touches(events, canonical):
        return events  # the common case (annotate never shows a copy): nothing to move
    return [
        event if (head := canonical.get(event.statement_id)) is None or event.correction is not None
        else replace(event, statement_id=head)
        for event in events
    ]


def _touches(events: list[LabelEvent], canonical: Mapping[str, str]) -> bool:
    return any(event.statement_id in canonical for event in events)


def latest_labels(
    events: Iterable[LabelEvent], canonical: Mapping[str, str] | None = None
) -> dict[tuple[str, str], LabelEvent]:
    """Latest event per (annotator, statement); a retraction removes the pair; copies count as `canonical` says."""
    # Logs are append-only, so file order is time order and merges never conflict.
    latest: dict[tuple[str, str], LabelEvent] = {}
    for event in _folded(events, canonical):
        if event.correction is not None:
            continue  # an extraction fix, not a label (stancebench.annotation.corrections)
        key = (event.annotator, event.statement_id)
        if event.is_retraction:
            latest.pop(key, None)
        else:
            latest.pop(key, None)  # re-insert so dict order follows the latest event
            latest[key] = event
    return latest


def current_events(
    logs: Mapping[str, Iterable[LabelEvent]], canonical: Mapping[str, str] | None = None
) -> dict[str, dict[str, LabelEvent]]:
    """statement id -> annotator -> that annotator's current event, sorted by statement id (copies folded)."""
    out: dict[str, dict[str, LabelEvent]] = {}
    for annotator in sorted(logs):
        for (_, statement_id), event in latest_labels(logs[annotator], canonical).items():
            out.setdefault(statement_id, {})[annotator] = event
    return {sid: out[sid] for sid in sorted(out)}


def current_labels(
    logs: Mapping[str, Iterable[LabelEvent]], canonical: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """statement id -> annotator -> current label (latest event wins; retractions removed)."""
    return {
        sid: {name: event.label for name, event in events.items() if event.label is not None}
        for sid, events in current_events(logs, canonical).items()
    }


def current_notes(
    logs: Mapping[str, Iterable[LabelEvent]], canonical: Mapping[str, str] | None = None
) -> dict[str, dict[str, str]]:
    """statement id -> annotator -> the note on that annotator's current label (only where one exists)."""
    out: dict[str, dict[str, str]] = {}
    for sid, events in current_events(logs, canonical).items():
        notes = {name: event.note for name, event in events.items() if event.note}
        if notes:
            out[sid] = notes
    return out


def latest_decisions(events: Iterable[LabelEvent], canonical: Mapping[str, str] | None = None) -> dict[str, LabelEvent]:
    """The adjudicators' current decision per statement (latest wins, whoever gave it; retraction removes)."""
    decisions: dict[str, LabelEvent] = {}
    for event in _folded(events, canonical):
        if event.correction is not None:
            continue
        if event.is_retraction:
            decisions.pop(event.statement_id, None)
        else:
            decisions[event.statement_id] = event
    return decisions


def copy_conflicts(logs: Mapping[str, Iterable[LabelEvent]], canonical: Mapping[str, str]) -> list[str]:
    """One line per (annotator, group of copies) whose own latest labels on the group's members differ."""
    if not canonical:
        return []
    out = []
    for annotator in sorted(logs):
        events = list(logs[annotator])
        if not _touches(events, canonical):
            continue  # no event on a copy: no group can have two labels from this annotator
        groups: dict[str, dict[str, str]] = {}
        for (_, sid), event in latest_labels(events).items():  # per copy, as written
            groups.setdefault(canonical.get(sid, sid), {})[sid] = event.label
        conflicting = {head: given for head, given in groups.items() if len(set(given.values())) > 1}
        if not conflicting:
            continue
        now = latest_labels(events, canonical)  # per group: what counts
        for head in sorted(conflicting):
            counted = now.get((annotator, head))
            result = f"{counted.label!r}, counts for all of them" if counted else "a retraction, leaves none"
            labels = ", ".join(f"{label!r} on {sid}" for sid, label in sorted(conflicting[head].items()))
            out.append(f"{annotator} labelled syndicated copies of statement {head} differently ({labels}); "
                       f"the latest, {result}")
    return out


def is_disputed(labels: Mapping[str, str]) -> bool:
    """Do the annotators of one statement disagree?"""
    return len(set(labels.values())) > 1


def disputed_ids(current: Mapping[str, Mapping[str, str]]) -> set[str]:
    """Ids of the statements whose current labels differ."""
    return {sid for sid, labels in current.items() if is_disputed(labels)}


def live_labels(
    current: Mapping[str, Mapping[str, str]], statements: Iterable[Statement]
) -> dict[str, dict[str, str]]:
    """`current` without labels on stale or unknown statements (they do not count anywhere)."""
    live = {s.id for s in statements if not s.is_stale}
    return {sid: dict(labels) for sid, labels in current.items() if sid in live}


@dataclass
class LabelState:
    """A corpus's label logs and adjudications, read once; every 'which labels are current' answer."""

    logs: dict[str, list[LabelEvent]]  # as written: events on copies keep the copy's id
    decision_log: list[LabelEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Syndicated copy id -> canonical statement id (`stancebench.corpus.dedup.copy_links`).
    canonical: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def events(self) -> dict[str, dict[str, LabelEvent]]:
        """statement id -> annotator -> current label event (a copy's events count for its canonical statement)."""
        return current_events(self.logs, self.canonical)

    @functools.cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """statement id -> annotator -> current label."""
        return {sid: {n: e.label for n, e in by.items() if e.label is not None} for sid, by in self.events.items()}

    @property
    def notes(self) -> dict[str, dict[str, str]]:
        """statement id -> annotator -> note on the current label."""
        return {sid: notes for sid, by in self.events.items() if (notes := {n: e.note for n, e in by.items() if e.note})}

    @property
    def decisions(self) -> dict[str, LabelEvent]:
        """The adjudicators' current decision per statement."""
        return latest_decisions(self.decision_log, self.canonical)

    def history(self, annotator: str) -> list[str]:
        """Ids `annotator` currently labels, in the order of their latest events (copies folded)."""
        return [sid for (_, sid) in latest_labels(self.logs.get(annotator, []), self.canonical)]

    def labelled_by(self, annotator: str) -> set[str]:
        """Ids of the statements `annotator` currently labels."""
        return {sid for sid, by in self.labels.items() if annotator in by}

    def disputed(self) -> set[str]:
        """Ids of the statements whose current labels differ."""
        return disputed_ids(self.labels)


def _without_non_statements(links: dict[str, str], logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, str]:
    """`links` less those with an end an annotator marked "not a statement" (it is stale once corrections apply)."""
    if not links:
        return links
    from stancebench.annotation.corrections import latest_corrections  # it imports this module

    gone = {sid for sid, kinds in latest_corrections(logs).items() if "not_statement" in kinds}
    return {copy: head for copy, head in links.items() if copy not in gone and head not in gone} if gone else links


def read_label_state(project: Project, canonical: Mapping[str, str] | None = None) -> LabelState:
    """Every label log of the corpus and its adjudications (torn lines and copy conflicts become `.warnings`).

    `canonical` maps syndicated copies to their canonical statements; by default it is read from the
    corpus's statements file (a bytes scan, nothing parsed, when there are no copies).
    """
    from stancebench.corpus.dedup import read_copy_links

    warnings: list[str] = []
    logs = read_label_logs(project.labels_dir, problems=warnings)
    path = project.adjudications_path
    decisions = read_label_log(path, problems=warnings) if path.exists() and path.stat().st_size else []
    links = dict(canonical) if canonical is not None else read_copy_links(project.statements_path)
    links = _without_non_statements(links, logs)
    warnings += copy_conflicts(logs, links)
    return LabelState(logs, decisions, warnings, links)
