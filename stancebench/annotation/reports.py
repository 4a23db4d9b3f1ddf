"""What `status` and `agreement` report for a corpus: read the statements and logs once, filter, summarise.

Labels on stale statements, on statements marked "not a statement", on unknown ids or (with a
target) on other targets do not count. Torn log lines come back as `.warnings`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stancebench.annotation import agreement, corrections
from stancebench.annotation.labels import LabelState, disputed_ids, live_labels, read_label_state
from stancebench.annotation.queues import overlap_ids, read_queues
from stancebench.corpus.dedup import copy_links
from stancebench.errors import StancebenchError
from stancebench.schema import Statement
from stancebench.store import read_statements

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["labelling_status", "Status", "corpus_status", "AgreementReport", "corpus_agreement"]


def _corrected_statements(project: Project, state: LabelState) -> list[Statement]:
    path = project.statements_path
    if not path.exists():
        raise StancebenchError(f"{path}: file not found; run 'stancebench extract' first")
    return corrections.apply_corrections(read_statements(path), state.logs)


def labelling_status(statements: Sequence[Statement], current: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """How far labelling has got: overall and per annotator (stale statements and syndicated copies are left out)."""
    copies = copy_links(statements)  # labelled through their canonical statement (annotation.labels)
    live_ids = {s.id for s in statements if not s.is_stale and s.id not in copies}
    live = live_labels(current, statements)
    counts = Counter(min(len(live.get(sid, {})), 3) for sid in live_ids)
    disputed = disputed_ids(live)
    annotators = sorted({name for labels in current.values() for name in labels})
    per_annotator = {}
    for name in annotators:
        mine = {sid: labels[name] for sid, labels in live.items() if name in labels}
        per_annotator[name] = {
            "labelled": len(mine),
            "remaining": len(live_ids) - len(mine),
            "disputed": len(set(mine) & disputed),
            "by_label": dict(sorted(Counter(mine.values()).items())),
        }
    return {
        "statements": len(live_ids),
        "stale_statements": len(statements) - len(live_ids) - len(copies),
        "syndicated_copies": len(copies),
        "labelled": len(live_ids) - counts[0],
        "unlabelled": counts[0],
        "with_1_label": counts[1],
        "with_2_labels": counts[2],
        "with_3_or_more_labels": counts[3],
        "disputed": len(disputed),
        "labels_on_unknown_or_stale_statements": sum(1 for sid in current if sid not in live_ids),
        "annotators": per_annotator,
    }


@dataclass
class Status:
    """`stancebench status`: progress per annotator and overall, speed, the overlap set's agreement, disputes."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return self.data

    def as_text(self) -> str:
        """The terminal report."""
        d = self.data
        lines = [
            f"statements: {d['statements']} (stale, left out: {d['stale_statements']})",
            f"labelled: {d['labelled']}  unlabelled: {d['unlabelled']}",
            f"with 1 label: {d['with_1_label']}  2 labels: {d['with_2_labels']}  3+ labels: {d['with_3_or_more_labels']}",
            f"disputed: {d['disputed']}",
        ]
        if d.get("syndicated_copies"):
            lines.append(f"syndicated copies, labelled through their canonical statement: {d['syndicated_copies']}")
        if d["labels_on_unknown_or_stale_statements"]:
            lines.append(f"labels on unknown or stale statements: {d['labels_on_unknown_or_stale_statements']}")
        if not d["annotators"]:
            lines.append("no labels yet")
        for name, mine in d["annotators"].items():
            by_label = ", ".join(f"{label} {count}" for label, count in mine["by_label"].items())
            scope = mine.get("queue", d["statements"])
            speed = f", {mine['labels_per_hour']:.0f} labels/hour" if mine.get("labels_per_hour") else ""
            lines.append(f"  {name}: labelled {mine['labelled']}/{scope}, remaining {mine['remaining']}, "
                         f"disputed {mine['disputed']}{speed} ({by_label})")
        if d.get("unassigned"):
            lines.append(f"unassigned statements: {d['unassigned']} (new since the last assign: "
                         "run stancebench assign --annotators ... again)")
        overlap = d.get("overlap")
        if overlap:
            alpha = overlap["krippendorff_alpha"]
            alpha_text = "n/a" if alpha is None else f"{alpha:.3f}"
            lines.append(f"overlap set: {overlap['statements']} statements, {overlap['labelled_twice']} labelled twice, "
                         f"observed agreement {_share(overlap['observed_agreement'])}, Krippendorff alpha {alpha_text}")
        fixes = {kind: n for kind, n in d["corrections"].items() if n}
        if fixes:
            lines.append("corrections: " + ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in fixes.items()))
        if d["disputed_items"]:
            lines.append("disputed items:")
            for sid, labels in d["disputed_items"].items():
                lines.append(f"  {sid}  " + ", ".join(f"{name}={label}" for name, label in labels.items()))
        return "\n".join(lines)


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _speed(state: LabelState) -> dict[str, float]:
    """annotator -> labels per hour, from the seconds each label event records."""
    out = {}
    for name, events in state.logs.items():
        timed = [e.seconds for e in events if e.seconds is not None and e.correction is None and not e.is_retraction]
        if timed and sum(timed) > 0:
            out[name] = round(len(timed) / (sum(timed) / 3600), 1)
    return out


def corpus_status(project: Project) -> Status:
    """Read the corpus and report how far labelling has got (queues, speed, overlap agreement, disputes)."""
    state = read_label_state(project)
    statements = _corrected_statements(project, state)
    data = labelling_status(statements, state.labels)
    live = live_labels(state.labels, statements)
    queues = read_queues(project)
    speed = _speed(state)
    for name in sorted(set(queues) | set(data["annotators"])):
        mine = data["annotators"].setdefault(name, {"labelled": 0, "remaining": 0, "disputed": 0, "by_label": {}})
        if name in queues:
            in_queue = set(queues[name])
            labelled = sum(1 for sid, labels in live.items() if name in labels and sid in in_queue)
            mine.update(queue=len(in_queue), remaining=len(in_queue) - labelled)
        mine["labels_per_hour"] = speed.get(name)
    data["annotators"] = dict(sorted(data["annotators"].items()))
    if queues:
        both = overlap_ids(queues)
        current = {sid: labels for sid, labels in live.items() if sid in both}
        summary = agreement.summarise(current)
        queued = {sid for ids in queues.values() for sid in ids}
        data["unassigned"] = sum(1 for s in statements if not s.is_stale and s.id not in queued and s.id not in state.canonical)
        data["overlap"] = {
            "statements": len(both),
            "labelled_twice": sum(1 for labels in current.values() if len(labels) >= 2),
            "observed_agreement": summary.observed.value,
            "krippendorff_alpha": summary.krippendorff_alpha.value,
        }
    data["corrections"] = corrections.correction_counts(state.logs)
    data["disputed_items"] = {sid: dict(sorted(live[sid].items())) for sid in sorted(disputed_ids(live))}
    return Status(data, list(state.warnings))


@dataclass
class AgreementReport:
    """`stancebench agreement`: the inter-annotator figures, plus annotators vs the suggesting model."""

    summary: agreement.AgreementSummary
    suggestions: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {**self.summary.to_dict(), "suggestions": self.suggestions}

    def as_table(self) -> str:
        """The terminal report."""
        text = self.summary.as_table()
        overall = self.suggestions["overall"]
        if not overall["with_suggestion"]:
            return text
        lines = ["", "Model suggestions (labels given with a suggestion on screen):"]
        for name, figures in (("all", overall), *self.suggestions["annotators"].items()):
            kappa = "n/a" if figures["cohen_kappa"] is None else f"{figures['cohen_kappa']:.3f}"
            lines.append(f"  {name}: followed {figures['followed']}/{figures['with_suggestion']} "
                         f"({figures['followed_share']:.0%}), Cohen kappa vs model {kappa}")
        return text + "\n" + "\n".join(lines)


def corpus_agreement(project: Project, target_id: str | None = None) -> AgreementReport:
    """Agreement on the live statements (of one target, if given) and how often annotators follow suggestions."""
    state = read_label_state(project)
    statements: list[Statement] | None = None
    if project.statements_path.exists():
        statements = _corrected_statements(project, state)
    if target_id is not None:
        if statements is None:
            raise StancebenchError(f"{project.statements_path}: file not found; --target needs the statements")
        known = sorted({s.target_id for s in statements})
        if target_id not in known:
            raise StancebenchError(f"unknown target id {target_id!r} (statements have: {', '.join(known) or 'none'})")
        statements = [s for s in statements if s.target_id == target_id]
    current = state.labels if statements is None else live_labels(state.labels, statements)
    events = state.events
    pairs = [
        (name, event.label, event.suggestion["label"])
        for sid in current
        for name, event in events.get(sid, {}).items()
        if event.suggestion and event.label is not None and isinstance(event.suggestion.get("label"), str)
    ]
    summary = agreement.summarise(current, statements)
    return AgreementReport(summary, agreement.suggestion_agreement(pairs), list(state.warnings))
