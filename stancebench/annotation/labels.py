"""The one home of label state: which label each annotator currently gives each statement.

Logs are append-only (see `stancebench.store`), so "current" always means: the latest event per
(annotator, statement), a retraction removing the pair. Agreement, adjudication, the annotate
queue, status and the release all ask this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stancebench.schema import LabelEvent, Statement
from stancebench.store import validate_annotator

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
    "labelling_status",
]


def label_log_path(project: Project, name: str) -> Path:
    """The label log of annotator `name`: annotations/labels/NAME.jsonl."""
    return project.labels_dir / f"{validate_annotator(name)}.jsonl"


def latest_labels(events: Iterable[LabelEvent]) -> dict[tuple[str, str], LabelEvent]:
    """Latest event per (annotator, statement); a retraction removes the pair."""
    # Logs are append-only, so file order is time order and merges never conflict.
    latest: dict[tuple[str, str], LabelEvent] = {}
    for event in events:
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


def labelling_status(statements: Sequence[Statement], current: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """How far labelling has got: overall and per annotator (stale statements are left out)."""
    live = [s for s in statements if not s.is_stale]
    live_ids = {s.id for s in live}
    counts = Counter(min(len(current.get(s.id, {})), 3) for s in live)
    disputed = {sid for sid, labels in current.items() if sid in live_ids and is_disputed(labels)}
    orphaned = sorted(sid for sid in current if sid not in live_ids)
    annotators = sorted({name for labels in current.values() for name in labels})
    per_annotator = {}
    for name in annotators:
        mine = {sid: labels[name] for sid, labels in current.items() if name in labels and sid in live_ids}
        per_annotator[name] = {
            "labelled": len(mine),
            "remaining": len(live) - len(mine),
            "disputed": len(set(mine) & disputed),
            "by_label": dict(sorted(Counter(mine.values()).items())),
        }
    return {
        "statements": len(live),
        "stale_statements": len(statements) - len(live),
        "labelled": len(live) - counts[0],
        "unlabelled": counts[0],
        "with_1_label": counts[1],
        "with_2_labels": counts[2],
        "with_3_or_more_labels": counts[3],
        "disputed": len(disputed),
        "labels_on_unknown_or_stale_statements": len(orphaned),
        "annotators": per_annotator,
    }
