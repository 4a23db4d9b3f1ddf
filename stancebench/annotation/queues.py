"""Team queues: who labels what. `annotations/queues/<annotator>.txt` holds one statement id a line.

`assign` gives each live statement to one annotator and a seeded share (`overlap`) to two,
keeping the queues balanced. It is incremental: statements already in a queue stay where they
are, so a later `extract` only hands out its new statements. Queue files are written atomically.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stancebench.errors import InputError, StancebenchError
from stancebench.logs import annotator_files, validate_annotator
from stancebench.store import read_bytes, write_text_atomic

if TYPE_CHECKING:  # pragma: no cover
    from stancebench.project import Project

__all__ = ["Assignment", "queues_dir", "queue_path", "read_queue", "read_queues", "assign", "overlap_ids"]


def queues_dir(project: Project) -> Path:
    """annotations/queues/ of the corpus."""
    return project.annotations_dir / "queues"


def queue_path(project: Project, annotator: str) -> Path:
    """The queue file of one annotator."""
    return queues_dir(project) / f"{validate_annotator(annotator)}.txt"


def read_queue(path: Path) -> list[str]:
    """Statement ids in a queue file, in order; a repeated id names its line."""
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(path, 0, "not UTF-8 text") from None
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        sid = line.strip()
        if not sid:
            continue
        if sid in seen:
            raise InputError(path, lineno, f"statement {sid!r} is already queued on line {seen[sid]}")
        seen[sid] = lineno
    return list(seen)


def read_queues(project: Project) -> dict[str, list[str]]:
    """annotator -> queued ids, for every queue file of the corpus (none when there is no queues folder)."""
    return {name: read_queue(path) for name, path in annotator_files(queues_dir(project), ".txt", "queue")}


def overlap_ids(queues: dict[str, list[str]]) -> set[str]:
    """Ids queued for two or more annotators (the agreement set)."""
    seen: set[str] = set()
    twice: set[str] = set()
    for ids in queues.values():
        for sid in ids:
            (twice if sid in seen else seen).add(sid)
    return twice


@dataclass
class Assignment:
    """What `assign` did: new ids per annotator, how many went to two, and the queue sizes now."""

    added: dict[str, int]
    doubled: int
    sizes: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        """One line per annotator."""
        total = sum(self.added.values())
        lines = [f"assigned {total} queue entr{'y' if total == 1 else 'ies'} ({self.doubled} statement(s) to two annotators)"]
        lines += [f"  {name}: +{self.added[name]} (queue {self.sizes[name]})" for name in sorted(self.sizes)]
        return "\n".join(lines)


def assign(project: Project, annotators: Sequence[str], overlap: float = 0.2, seed: int = 0) -> Assignment:
    """Queue every not-yet-queued live statement for one annotator, a seeded `overlap` share for two."""
    from stancebench.annotation.labelling import open_statement_index

    names = [validate_annotator(name.strip()) for name in annotators if name.strip()]
    if len(set(names)) != len(names) or not names:
        raise StancebenchError("--annotators needs one or more distinct names, e.g. a,b,c")
    if not 0.0 <= overlap <= 1.0:
        raise StancebenchError(f"--overlap must be between 0 and 1, not {overlap}")
    if overlap > 0 and len(names) < 2:
        raise StancebenchError("an overlap needs at least two annotators (or give --overlap 0)")
    queues = read_queues(project)
    queued = {sid for ids in queues.values() for sid in ids}
    new = [sid for sid in open_statement_index(project).live_ids() if sid not in queued]
    rng = random.Random(seed)
    doubled = set(rng.sample(new, round(overlap * len(new)))) if new and len(names) > 1 else set()
    load = {name: len(queues.get(name, [])) for name in names}
    added = dict.fromkeys(names, 0)
    for sid in new:
        for _ in range(2 if sid in doubled else 1):
            # Least loaded first; ties by a seeded shuffle, so no annotator always gets the extra item.
            free = [n for n in names if sid not in queues.get(n, [])[-2:]]
            order = sorted(free, key=lambda n: (load[n], rng.random()))
            name = order[0]
            queues.setdefault(name, []).append(sid)
            load[name] += 1
            added[name] += 1
    for name in names:
        if added[name] or not queue_path(project, name).exists():
            write_text_atomic(queue_path(project, name), "".join(f"{sid}\n" for sid in queues.get(name, [])))
    sizes = {name: len(ids) for name, ids in queues.items()}
    return Assignment(added, len(doubled), sizes)
