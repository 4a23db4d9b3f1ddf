"""The one home of label state: which label each annotator currently gives each statement.

Logs are append-only (see `stancebench.store`), so "current" always means: the latest event per
(annotator, statement), a retraction removing the pair. Agreement, adjudication, the annotate
queue, status and the release all ask this module.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
]


def label_log_path(project: Project, name: str) -> Path:
    """The label log of annotator `name`: annotations/labels/NAME.jsonl."""
    return project.labels_dir / f"{validate_annotator(name)}.jsonl"


def latest_labels(events: Iterable[LabelEvent]) -> dict[tuple[str, str], LabelEvent]:
    """Latest event per (annotator, statement); a retraction removes the pair."""
    # Logs are append-only, so file order is time order and merges never conflict.
    latest: dict[tuple[str, str], LabelEvent] = {}
    for event in events:
        if event.correction is not None:
            continue  # an extraction fix, not a label (stancebench.annotation.corrections)
        key = (event.annotator, event.statement_id)
        if event.is_retraction:
            latest.pop(key, None)
        else:
            latest.pop(key, None)  # re-insert so dict order follows the latest event
            latest[key] = event
    return latest


def current_events(logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, dict[str, LabelEvent]]:
    """statement id -> annotator -> that annotator's current event, sorted by statement id."""
    out: dict[str, dict[str, LabelEvent]] = {}
    for annotator in sorted(logs):
        for (_, statement_id), event in latest_labels(logs[annotator]).items():
            out.setdefault(statement_id, {})[annotator] = event
    return {sid: out[sid] for sid in sorted(out)}


def current_labels(logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, dict[str, str]]:
    """statement id -> annotator -> current label (latest event wins; retractions removed)."""
    return {
        sid: {name: event.label for name, event in events.items() if event.label is not None}
        for sid, events in current_events(logs).items()
    }


def current_notes(logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, dict[str, str]]:
    """statement id -> annotator -> the note on that annotator's current label (only where one exists)."""
    out: dict[str, dict[str, str]] = {}
    for sid, events in current_events(logs).items():
        notes = {name: event.note for name, event in events.items() if event.note}
        if notes:
            out[sid] = notes
    return out


def latest_decisions(events: Iterable[LabelEvent]) -> dict[str, LabelEvent]:
    """The adjudicators' current decision per statement (latest wins, whoever gave it; retraction removes)."""
    decisions: dict[str, LabelEvent] = {}
    for event in events:
        if event.correction is not None:
            continue
        if event.is_retraction:
            decisions.pop(event.statement_id, None)
        else:
            decisions[event.statement_id] = event
    return decisions


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

    logs: dict[str, list[LabelEvent]]
    decision_log: list[LabelEvent] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @functools.cached_property
    def events(self) -> dict[str, dict[str, LabelEvent]]:
        """statement id -> annotator -> current label event."""
        return current_events(self.logs)

    @functools.cached_property
    def labels(self) -> dict[str, dict[str, str]]:
        """statement id -> annotator -> current label."""
        return {sid: {n: e.label for n, e in by.items() if e.label is not None} for sid, by in self.events.items()}

    @property
    def notes(self) -> dict[str, dict[str, str]]:
        """statement id -> annotator -> note on the current label."""
        return current_notes(self.logs)

    @property
    def decisions(self) -> dict[str, LabelEvent]:
        """The adjudicators' current decision per statement."""
        return latest_decisions(self.decision_log)

    def labelled_by(self, annotator: str) -> set[str]:
        """Ids of the statements `annotator` currently labels."""
        return {sid for sid, by in self.labels.items() if annotator in by}

    def disputed(self) -> set[str]:
        """Ids of the statements whose current labels differ."""
        return disputed_ids(self.labels)


def read_label_state(project: Project) -> LabelState:
    """Every label log of the corpus and its adjudications (torn lines become `.warnings`)."""
    warnings: list[str] = []
    logs = read_label_logs(project.labels_dir, problems=warnings)
    path = project.adjudications_path
    decisions = read_label_log(path, problems=warnings) if path.exists() and path.stat().st_size else []
    return LabelState(logs, decisions, warnings)
