"""Gold by adjudication: unanimous or majority labels stand, an adjudicator decides the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stancebench.annotation import corrections
from stancebench.annotation.labelling import load_statements
from stancebench.annotation.labels import read_label_state
from stancebench.schema import GOLD_METHODS, Gold, LabelEvent, Statement
from stancebench.store import write_jsonl_atomic

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["ADJUDICATOR_NOTE_KEY", "adjudicate", "Adjudication", "adjudicate_corpus"]

#: Key of the adjudicator's own note in `Gold.notes` ('@' cannot occur in an annotator name).
ADJUDICATOR_NOTE_KEY = "@adjudicator"


def adjudicate(
    statements: Iterable[Statement],
    current: Mapping[str, Mapping[str, str]],
    decisions: Mapping[str, LabelEvent],
    target_id: str,
    notes: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[Gold], list[str]]:
    """Gold labels and the ids of disputed statements still waiting for an adjudicator.

    Per statement: an adjudicator's decision wins (`adjudicated`); otherwise one annotator gives
    `single`, all agreeing `unanimous`, a strict majority `majority`; anything else is unresolved.
    Stale statements get no gold. Gold is sorted by statement id.
    """
    notes = notes or {}
    gold: list[Gold] = []
    unresolved: list[str] = []
    for statement in sorted((s for s in statements if not s.is_stale), key=lambda s: s.id):
        labels = dict(sorted(current.get(statement.id, {}).items()))
        decision = decisions.get(statement.id)
        if not labels and decision is None:
            continue
        item_notes = dict(sorted(notes.get(statement.id, {}).items()))
        adjudicator = None
        if decision is not None and decision.label is not None:
            label, method, adjudicator = decision.label, "adjudicated", decision.annotator
            if decision.note:
                item_notes[ADJUDICATOR_NOTE_KEY] = decision.note
        elif len(labels) == 1:
            label, method = next(iter(labels.values())), "single"
        else:
            (top, count), *_ = Counter(labels.values()).most_common(1)
            if count == len(labels):
                label, method = top, "unanimous"
            elif count * 2 > len(labels):
                label, method = top, "majority"
            else:
                unresolved.append(statement.id)
                continue
        gold.append(
            Gold(
                statement_id=statement.id,
                label=label,
                method=method,
                annotations=labels,
                notes=item_notes,
                adjudicator=adjudicator,
                target_id=statement.target_id or target_id,
            )
        )
    return gold, unresolved


@dataclass
class Adjudication:
    """What `adjudicate_corpus` wrote: the gold, the disputes still open, and any warnings."""

    gold: list[Gold]
    unresolved: list[str]
    path: str
    warnings: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        """The terminal summary."""
        counts = Counter(g.method for g in self.gold)
        summary = ", ".join(f"{method} {counts[method]}" for method in GOLD_METHODS)
        lines = [f"wrote {len(self.gold)} gold label(s) to {self.path} ({summary})"]
        if self.unresolved:
            lines.append(f"{len(self.unresolved)} disputed statement(s) without a decision "
                         f"(stancebench adjudicate --interactive --adjudicator NAME):")
            lines += [f"  {sid}" for sid in self.unresolved]
        return "\n".join(lines)


def adjudicate_corpus(project: Project) -> Adjudication:
    """Derive gold from the corpus's logs and decisions into annotations/gold.jsonl (atomically).

    Statements an annotator marked "not a statement" get no gold.
    """
    state = read_label_state(project)
    statements = corrections.apply_corrections(load_statements(project), state.logs)
    gold, unresolved = adjudicate(statements, state.labels, state.decisions, project.target_id, notes=state.notes)
    write_jsonl_atomic(project.gold_path, [g.to_json() for g in gold])
    return Adjudication(gold, unresolved, str(project.gold_path), list(state.warnings))
