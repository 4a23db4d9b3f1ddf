"""Opening a session: which statements an annotator (or adjudicator) sees, in which order.

The queue follows `annotations/queues/<annotator>.txt` when `assign` wrote one, else every live
statement; then the filters (`--review`, `--disputed`, `--max-labels`, `--only-flagged`) and the
order (`document`, seeded `random`, or `uncertainty` with a suggesting model). Statements are
parsed only when shown, so the first screen costs the same at 100 or 100,000 statements.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from stancebench.annotation import corrections
from stancebench.annotation.labelling import article_titles, guidelines_version, open_statement_index
from stancebench.annotation.labels import LabelState, label_log_path, latest_labels, read_label_state
from stancebench.annotation.queues import read_queues
from stancebench.annotation.session import AnnotationSession
from stancebench.annotation.suggestions import ORDERS, Suggester, load_suggester, uncertainty_order
from stancebench.errors import StancebenchError
from stancebench.store import validate_annotator

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["GUESSED_SOURCES_EXCLUDED", "open_annotation_session", "open_adjudication_session"]

#: speaker_source values that are not a guess (the speaker is named with the statement, or an annotator fixed it).
GUESSED_SOURCES_EXCLUDED = frozenset({"named", "name", "named_in_sentence", "explicit", "corrected"})
_ORDER_ALIASES = {"corpus": "document", "shuffle": "random"}


def _read_guidelines(project: Project) -> str:
    path = project.guidelines_path
    try:
        return path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError):
        return ""


def _is_flagged(statement: object) -> bool:
    source = getattr(statement, "speaker_source", None)
    return source is not None and source not in GUESSED_SOURCES_EXCLUDED


def _training(state: LabelState, annotator: str) -> dict[str, str]:
    """What a suggesting model learns from: the annotator's own labels, else another annotator's."""
    out: dict[str, str] = {}
    for sid, labels in state.labels.items():
        label = labels.get(annotator) or next(iter(labels.values()), None)
        if label is not None:
            out[sid] = label
    return out


def open_annotation_session(
    project: Project,
    annotator: str,
    *,
    order: str = "document",
    seed: int = 0,
    max_labels: int | None = None,
    is_disputed_only: bool = False,
    is_review: bool = False,
    is_flagged_only: bool = False,
    suggest: str | Suggester | None = None,
    refit_every: int | None = None,
    ask: Callable[[str], str] = input,
) -> AnnotationSession:
    """A session over the statements `annotator` has not labelled yet (or, with `is_review`, has)."""
    validate_annotator(annotator)
    order = _ORDER_ALIASES.get(order, order)
    if order not in ORDERS:
        raise StancebenchError(f"unknown order {order!r} (expected one of: {', '.join(ORDERS)})")
    if order == "uncertainty" and suggest is None:
        raise StancebenchError("--order uncertainty needs a model: --suggest MODEL")
    if refit_every is not None and suggest is None:
        raise StancebenchError("--refit-every needs a model: --suggest MODEL")
    suggester = load_suggester(suggest, project.target) if isinstance(suggest, str) else suggest
    version = guidelines_version(project.guidelines_path)
    index = open_statement_index(project)
    state = read_label_state(project)
    warnings = list(state.warnings)
    fixes = corrections.latest_corrections(state.logs)
    queues = read_queues(project)
    if annotator not in queues and queues:
        warnings.append(f"no queue for {annotator!r} in annotations/queues (stancebench assign); showing every statement")
    current = state.labels
    mine = {sid: labels[annotator] for sid, labels in current.items() if annotator in labels}
    history = [(sid, "label") for (_, sid) in latest_labels(state.logs.get(annotator, []))]

    def is_out(sid: str) -> bool:
        return "not_statement" in fixes.get(sid, {})

    def full_queue() -> tuple[list[str], int, set[str]]:
        live = [sid for sid in index.live_ids() if not is_out(sid)] if fixes else index.live_ids()
        if annotator in queues:  # the annotator's queue from `assign`, else every live statement
            alive = set(live)
            scope = [sid for sid in queues[annotator] if sid in alive]
        else:
            scope = live
        if is_review:
            in_scope = set(scope)
            queue = [sid for sid, _ in history if sid in in_scope]
        else:
            queue = [sid for sid in scope if sid not in mine]
        if max_labels is not None:
            queue = [sid for sid in queue if len(current.get(sid, {})) < max_labels]
        if is_disputed_only:
            disputed = state.disputed()
            queue = [sid for sid in queue if sid in disputed]
        if is_flagged_only:
            if queue and not hasattr(index.get(queue[0]), "speaker_source"):
                warnings.append("statements carry no speaker_source (re-run 'stancebench extract'); nothing is flagged")
            queue = [sid for sid in queue if _is_flagged(index.get(sid))]
        if order == "random":
            random.Random(seed).shuffle(queue)
        elif order == "uncertainty":
            queue = uncertainty_order(queue, suggester.suggest_many([index.get(sid) for sid in queue]))
        return queue, len(scope), {sid for sid in scope if sid in mine}

    session = AnnotationSession(
        statements=index, annotator=annotator, log_path=label_log_path(project, annotator),
        version=version, done=set(mine), total=0, history=history, allowed=project.labels, ask=ask,
        guidelines_text=_read_guidelines(project), title_of=article_titles(project), fixes=fixes, own=mine,
        target=project.target, targets=project.targets, project=project, suggester=suggester,
        refit_every=refit_every, order=order, training=_training(state, annotator) if suggester else {},
        warnings=warnings,
    )
    is_plain = (order == "document" and suggester is None and not (is_review or is_disputed_only or is_flagged_only)
                and max_labels is None and annotator not in queues)
    if is_plain:
        # The first screen without the whole queue: scan only up to the first unlabelled statement,
        # count the rest by lines; the exact queue is built while the annotator reads.
        stale = index.quick_stale()
        session.first = index.first_live(lambda sid: sid in mine or is_out(sid))
        session.total = index.count_lines() - len(stale) - sum(1 for sid in fixes if is_out(sid) and sid not in stale)
        session.done = {sid for sid in mine if sid not in stale and not is_out(sid)}
        session.pending = full_queue
    else:
        session.queue, session.total, session.done = full_queue()
    if suggester is not None and suggester.can_fit:
        session.start_refit()  # in the background: the first screen does not wait for it
    return session


def open_adjudication_session(
    project: Project, adjudicator: str, *, ask: Callable[[str], str] = input
) -> AnnotationSession:
    """A session over disputed statements without a decision; decisions go to adjudications.jsonl."""
    validate_annotator(adjudicator)
    version = guidelines_version(project.guidelines_path)
    index = open_statement_index(project)
    state = read_label_state(project)
    fixes = corrections.latest_corrections(state.logs)
    live = {sid for sid in index.live_ids() if "not_statement" not in fixes.get(sid, {})}
    contested = state.disputed()
    disputed = [sid for sid in index.ids if sid in live and sid in contested]
    decided = state.decisions
    done = {sid for sid in disputed if sid in decided}
    session = AnnotationSession(
        statements=index, annotator=adjudicator,
        log_path=project.adjudications_path, version=version, done=done, total=len(disputed),
        history=[(sid, "label") for sid, event in decided.items() if event.annotator == adjudicator],
        allowed=project.labels, ask=ask, guidelines_text=_read_guidelines(project),
        title_of=article_titles(project), others=state.events, fixes=fixes, target=project.target,
        targets=project.targets, project=project, mode="adjudicate", warnings=list(state.warnings),
    )
    session.queue = [sid for sid in disputed if sid not in done]
    return session
