"""Corrections as data: an annotator's fixes to the extraction, kept in the same append-only log.

A correction is a LabelEvent with a `correction` object instead of a label:

    {"kind": "speaker", "speaker": "Antony Blinken", "speaker_role": ..., "speaker_affiliation": ...}
    {"kind": "not_statement"}
    {"kind": "span", "start": 120, "end": 188, "text": "..."}

Keyed by statement id, so a re-run of `extract` (same ids) keeps every statement corrected.
Per (annotator, statement, kind) the latest event wins and an undo (a retraction) removes it;
across annotators the latest timestamp wins. `apply_corrections` is what `build`, `adjudicate`
and the annotate screen read statements through.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stancebench.annotation.labels import label_log_path
from stancebench.errors import InputError, StancebenchError
from stancebench.logs import append_label
from stancebench.schema import CORRECTION_KINDS, EVENT_ACTS, LabelEvent, Statement

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = [
    "CORRECTION_KINDS",
    "SPAN_MODES",
    "make_correction",
    "latest_corrections",
    "apply_corrections",
    "correction_counts",
    "speaker_choices",
    "speaker_correction",
    "span_correction",
    "sentence_span",
    "correct_statement",
]

#: How `t` (and `correct --span`) moves a span: end back to the first sentence end inside it,
#: end on to the end of its sentence, start back to the start of its sentence.
SPAN_MODES: tuple[str, ...] = ("trim", "extend", "start")
_HAS_SOURCE = "speaker_source" in {f.name for f in dataclasses.fields(Statement)}


def make_correction(
    statement_id: str, annotator: str, correction: dict[str, Any], version: str, *, is_undo: bool = False,
    note: str | None = None,
) -> LabelEvent:
    """A correction event stamped now; `is_undo` withdraws the annotator's correction of that kind."""
    if correction.get("kind") not in EVENT_ACTS:
        raise StancebenchError(f"unknown correction kind {correction.get('kind')!r} "
                               f"(expected one of: {', '.join(CORRECTION_KINDS)})")
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    body = {"kind": correction["kind"]} if is_undo else dict(correction)
    event = LabelEvent(statement_id=statement_id, annotator=annotator, label=None, timestamp=stamp,
                       guidelines_version=version, note=note or None, is_retraction=is_undo, correction=body)
    try:  # never write an event the log reader would refuse
        LabelEvent.from_dict(event.to_dict())
    except InputError as err:
        raise StancebenchError(f"bad correction: {err.problem}") from None
    return event


def latest_corrections(logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, dict[str, LabelEvent]]:
    """statement id -> kind -> the correction in force (latest per annotator, latest timestamp across them)."""
    mine: dict[tuple[str, str, str], LabelEvent] = {}
    for annotator in sorted(logs):
        for event in logs[annotator]:
            if event.correction is None or event.correction["kind"] not in CORRECTION_KINDS:
                continue  # labels, and skips that only keep a note
            key = (event.annotator, event.statement_id, event.correction["kind"])
            if event.is_retraction:
                mine.pop(key, None)
            else:
                mine[key] = event
    out: dict[str, dict[str, LabelEvent]] = {}
    for (_, sid, kind), event in sorted(mine.items(), key=lambda item: item[1].timestamp):
        out.setdefault(sid, {})[kind] = event
    return out


def apply_corrections(
    statements: Sequence[Statement], logs: Mapping[str, Iterable[LabelEvent]] | Mapping[str, dict[str, LabelEvent]],
) -> list[Statement]:
    """Statements as corrected: new speaker or span, and non-statements marked stale (left out everywhere)."""
    corrections = _as_corrections(logs)
    if not corrections:
        return list(statements)
    out = []
    for statement in statements:
        fixes = corrections.get(statement.id)
        out.append(_corrected(statement, fixes) if fixes else statement)
    return out


def _as_corrections(logs: Mapping[str, Any]) -> dict[str, dict[str, LabelEvent]]:
    if all(isinstance(v, dict) for v in logs.values()):
        return dict(logs)  # already latest_corrections() output
    return latest_corrections(logs)


def _corrected(statement: Statement, fixes: Mapping[str, LabelEvent]) -> Statement:
    changes: dict[str, Any] = {}
    if "speaker" in fixes:
        fix = fixes["speaker"].correction
        changes.update(speaker=fix["speaker"], speaker_role=fix.get("speaker_role"),
                       speaker_affiliation=fix.get("speaker_affiliation"))
        if _HAS_SOURCE:
            changes["speaker_source"] = "corrected"
    if "span" in fixes:
        fix = fixes["span"].correction
        changes.update(start=fix["start"], end=fix["end"], text=fix["text"])
    if "not_statement" in fixes:
        changes["is_stale"] = True
    return dataclasses.replace(statement, **changes)


def correction_counts(logs: Mapping[str, Iterable[LabelEvent]]) -> dict[str, int]:
    """How many statements carry a correction of each kind (for the datasheet)."""
    counts: Counter[str] = Counter()
    for fixes in latest_corrections(logs).values():
        counts.update(fixes.keys())
    return {kind: counts.get(kind, 0) for kind in CORRECTION_KINDS}


def speaker_choices(project: Project, statement: Statement, statements: Iterable[Statement]) -> list[str]:
    """Names to offer for `e`: the article's other speakers first, then the actor table's people."""
    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.extract import CORPUS_ACTORS_NAME

    article = sorted({s.speaker for s in statements if s.article_id == statement.article_id} - {statement.speaker})
    table = load_actors(project.root / CORPUS_ACTORS_NAME)
    known = sorted(name for name in table.actors if name not in article and name != statement.speaker)
    return article + known


def speaker_correction(project: Project, name: str) -> dict[str, Any]:
    """A speaker correction, with role and affiliation from the actor table when it knows the name."""
    from stancebench.corpus.actors import load_actors
    from stancebench.corpus.extract import CORPUS_ACTORS_NAME

    name = " ".join(name.split())
    if not name:
        raise StancebenchError("the corrected speaker is empty")
    actor = load_actors(project.root / CORPUS_ACTORS_NAME).lookup(name)
    if actor is not None:
        return {"kind": "speaker", "speaker": actor.name, "speaker_role": actor.role,
                "speaker_affiliation": actor.affiliation}
    return {"kind": "speaker", "speaker": name, "speaker_role": None, "speaker_affiliation": None}


def sentence_span(text: str, start: int, end: int, mode: str) -> tuple[int, int]:
    """The span moved to a sentence boundary of `text` (see SPAN_MODES); unchanged if there is none.

    Sentences are the extractor's own (`corpus.quotes.split_sentences`), so "U.S." does not end one.
    """
    if mode not in SPAN_MODES:
        raise StancebenchError(f"unknown span mode {mode!r} (expected one of: {', '.join(SPAN_MODES)})")
    # Imported here: compiling the extractor's patterns would add ~20 ms to annotate's first screen.
    from stancebench.corpus.quotes import split_sentences

    sentences = split_sentences(text, 0, len(text), [])
    if mode == "trim":
        ends = [b for _, b in sentences if start < b < end]
        return (start, ends[0]) if ends else (start, end)
    if mode == "extend":
        ends = [b for _, b in sentences if b > end]
        return (start, ends[0]) if ends else (start, end)
    starts = [a for a, _ in sentences if a < start]
    return (starts[-1], end) if starts else (start, end)


def span_correction(project: Project, statement: Statement, how: str) -> dict[str, Any]:
    """A span correction from a mode (trim, extend, start) or explicit `START:END` offsets into the article."""
    from stancebench.annotation.labelling import find_article

    article = find_article(project, statement.article_id)
    if article is None:
        raise StancebenchError(f"article {statement.article_id!r} not found in {project.seeds_dir}; cannot move the span")
    text = article.text
    if how in SPAN_MODES:
        start, end = sentence_span(text, statement.start, statement.end, how)
    else:
        match = re.fullmatch(r"(\d+)[:-](\d+)", how.strip())
        if not match:
            raise StancebenchError(f"bad span {how!r} (expected {', '.join(SPAN_MODES)} or START:END)")
        start, end = int(match.group(1)), int(match.group(2))
    if not 0 <= start < end <= len(text):
        raise StancebenchError(f"span {start}:{end} is outside article {statement.article_id!r} (0:{len(text)})")
    if (start, end) == (statement.start, statement.end):
        raise StancebenchError(f"no sentence boundary to {how} to; the span is unchanged")
    return {"kind": "span", "start": start, "end": end, "text": text[start:end].strip()}


def correct_statement(
    project: Project, statement_id: str, annotator: str, *, speaker: str | None = None,
    not_statement: bool = False, span: str | None = None, undo: str | None = None, note: str | None = None,
) -> LabelEvent:
    """Validate and append one correction (or the undo of one kind) to the annotator's log."""
    from stancebench.annotation.labelling import guidelines_version, read_statement

    given = [x for x in (speaker is not None, not_statement, span is not None, undo is not None) if x]
    if len(given) != 1:
        raise StancebenchError("give exactly one of --speaker, --not-statement, --span, --undo")
    log_path = label_log_path(project, annotator)
    statement = read_statement(project, statement_id)
    version = guidelines_version(project.guidelines_path)
    if undo is not None:
        event = make_correction(statement.id, annotator, {"kind": undo}, version, is_undo=True)
    elif speaker is not None:
        event = make_correction(statement.id, annotator, speaker_correction(project, speaker), version, note=note)
    elif not_statement:
        event = make_correction(statement.id, annotator, {"kind": "not_statement"}, version, note=note)
    else:
        event = make_correction(statement.id, annotator, span_correction(project, statement, span), version, note=note)
    append_label(log_path, event)
    return event
