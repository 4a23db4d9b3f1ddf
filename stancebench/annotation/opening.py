"""Opening a session: which statements an annotator (or adjudicator) sees, in which order.

The queue follows `annotations/queues/<annotator>.txt` when `assign` wrote one, else every live
statement; then the filters (`--review`, `--disputed`, `--max-labels`, `--only-flagged`) and the
order (`document`, seeded `random`, or `uncertainty` with a suggesting model). Statements are
parsed only when shown, so the first screen costs the same at 100 or 100,000 statements.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stancebench.annotation import corrections
from stancebench.annotation.labelling import StatementIndex, article_titles, guidelines_version, open_statement_index
from stancebench.annotation.labels import LabelState, label_log_path, read_label_state
from stancebench.annotation.queues import read_queues
from stancebench.annotation.session import AnnotationSession
from stancebench.annotation.suggestions import ORDERS, Suggester, load_suggester, uncertainty_order
from stancebench.errors import StancebenchError
from stancebench.logs import validate_annotator
from stancebench.schema import LabelEvent

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


@dataclass(frozen=True)
class _Options:
    is_review: bool
    max_labels: int | None
    is_disputed_only: bool
    is_flagged_only: bool
    order: str
    seed: int
    suggester: Suggester | None

    @property
    def is_plain(self) -> bool:
        """Document order with no filter and no model: the first screen needs no full queue."""
        return (self.order == "document" and self.suggester is None and self.max_labels is None
                and not (self.is_review or self.is_disputed_only or self.is_flagged_only))


def _full_queue(
    index: StatementIndex, state: LabelState, queued: list[str] | None, fixes: dict[str, dict[str, LabelEvent]],
    mine: dict[str, str], history: list[tuple[str, str]], options: _Options, warnings: list[str],
) -> tuple[list[str], int, set[str]]:
    """(queue, statements in scope, labelled ones in scope): the queue file or every live statement, then filters and order."""
    live = [sid for sid in index.live_ids() if "not_statement" not in fixes.get(sid, {})] if fixes else index.live_ids()
    if queued is not None:  # the annotator's queue from `assign`
        alive = set(live)
        live = [sid for sid in queued if sid in alive]
    if options.is_review:
        in_scope = set(live)
        queue = [sid for sid, _ in history if sid in in_scope]
    else:
        queue = [sid for sid in live if sid not in mine]
    if options.max_labels is not None:
        queue = [sid for sid in queue if len(state.labels.get(sid, {})) < options.max_labels]
    if options.is_disputed_only:
        disputed = state.disputed()
        queue = [sid for sid in queue if sid in disputed]
    if options.is_flagged_only:
        if queue and not hasattr(index.get(queue[0]), "speaker_source"):
            warnings.append("statements carry no speaker_source (re-run 'stancebench extract'); nothing is flagged")
        queue = [sid for sid in queue if _is_flagged(index.get(sid))]
    if options.order == "random":
        random.Random(options.seed).shuffle(queue)
    elif options.order == "uncertainty":
        queue = uncertainty_order(queue, options.suggester.suggest_many([index.get(sid) for sid in queue]))
    return queue, len(live), {sid for sid in live if sid in mine}


def _first_screen_only(
    session: AnnotationSession, index: StatementIndex, queued: list[str] | None,
    fixes: dict[str, dict[str, LabelEvent]], mine: dict[str, str],
) -> bool:
    """Set the first statement, total and done without the full id scan; False when that cannot be done."""
    stale = index.quick_stale()
    out = {sid for sid, kinds in fixes.items() if "not_statement" in kinds and sid not in stale}
    out |= index.copies() - stale  # syndicated copies are labelled through their canonical statement
    if queued is None:
        session.first = index.first_live(lambda sid: sid in mine or sid in out)
        session.total = index.count_lines() - len(stale) - len(out)
        session.done = {sid for sid in mine if sid not in stale and sid not in out}
        return True
    scope = [sid for sid in queued if sid not in stale and sid not in out]
    session.first = next((sid for sid in scope if sid not in mine), None)
    try:
        if session.first is not None:
            index.get(session.first)  # a queued id must exist; if not, the full path reports it
    except StancebenchError:
        session.first = None
        return False
    session.total, session.done = len(scope), {sid for sid in scope if sid in mine}
    return True


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
    mine = {sid: labels[annotator] for sid, labels in state.labels.items() if annotator in labels}
    history = [(sid, "label") for sid in state.history(annotator)]
    options = _Options(is_review, max_labels, is_disputed_only, is_flagged_only, order, seed, suggester)
    build = functools.partial(_full_queue, index, state, queues.get(annotator), fixes, mine, history, options, warnings)
    session = AnnotationSession(
        statements=index, annotator=annotator, log_path=label_log_path(project, annotator),
        version=version, done=set(mine), total=0, history=history, allowed=project.labels, ask=ask,
        guidelines_text=_read_guidelines(project), title_of=article_titles(project), fixes=fixes, own=mine,
        target=project.target, targets=project.targets, project=project, suggester=suggester,
        refit_every=refit_every, order=order, training=_training(state, annotator) if suggester else {},
        warnings=warnings,
    )
    if options.is_plain and _first_screen_only(session, index, queues.get(annotator), fixes, mine):
        session.pending = build  # the exact queue is built while the annotator reads the first screen
    else:
        session.queue, session.total, session.done = build()
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
