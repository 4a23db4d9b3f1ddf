"""seeds/ -> statements.jsonl: extract every article and merge with what is stored.

The per-article work (quotes, cues, speakers) lives in `stancebench.corpus.statements`; this module
reads the seeds folder, merges a fresh extraction into the statements file (never dropping a
statement: what vanished is kept as stale) and writes it atomically. The names of
`stancebench.corpus.statements` and `stancebench.corpus.articles` that callers used to import from here are
re-exported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from stancebench import store
from stancebench.corpus.actors import load_actors
from stancebench.corpus.articles import SourceText, list_article_paths, read_article, read_articles, read_source
from stancebench.corpus.statements import (
    ExtractWarning,
    extract_statements,
    normalise_statement_text,
    statement_id,
)
from stancebench.errors import InputError, StancebenchError
from stancebench.progress import track
from stancebench.schema import Statement

__all__ = [
    "ExtractResult",
    "ExtractWarning",
    "default_jobs",
    "extract_corpus",
    "extract_statements",
    "load_actors",
    "merge_statements",
    "normalise_statement_text",
    "read_article",
    "read_articles",
    "statement_id",
]

CORPUS_ACTORS_NAME = "actors.tsv"


@dataclass
class ExtractResult:
    """What `extract_corpus` did: the merged statements and the counts for the summary line."""

    statements: list[Statement]
    articles: int = 0
    extracted: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    warnings: list[ExtractWarning] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    output: Path | None = None

    def summary(self) -> str:
        """One line for the CLI."""
        parts = [_count(self.articles, "article"), _count(self.extracted, "statement"), f"{self.new} new"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        parts += [f"{self.unchanged} unchanged", f"{self.stale} stale"]
        if self.bad_files:
            parts.append(f"{_count(len(self.bad_files), 'bad file')} skipped")
        return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def merge_statements(existing: list[Statement], extracted: list[Statement],
                     skipped_articles: frozenset[str] = frozenset()) -> tuple[list[Statement], dict[str, int]]:
    """Merge a fresh extraction into the stored statements: never drop, flag what vanished as stale.

    Statements of `skipped_articles` (files that could not be read this time) are kept as they were.
    """
    fresh = {s.id: s for s in extracted}
    counts = {"new": 0, "updated": 0, "unchanged": 0, "stale": 0}
    merged: dict[str, Statement] = {}
    for old in existing:
        if old.id in fresh:
            new = fresh[old.id]
            counts["unchanged" if not old.is_stale and new == old else "updated"] += 1
            merged[old.id] = new
        elif old.article_id in skipped_articles:
            merged[old.id] = old
        else:
            merged[old.id] = old if old.is_stale else replace(old, is_stale=True)
            counts["stale"] += 1
    for sid, new in fresh.items():
        if sid not in merged:
            merged[sid] = new
            counts["new"] += 1
    return sorted(merged.values(), key=lambda s: (s.article_id, s.start, s.id)), counts


# The actor table of a worker process (loaded once per process by _start_worker).
_WORKER_ACTORS = None


def _start_worker(actors_path: Path) -> None:
    global _WORKER_ACTORS
    _WORKER_ACTORS = load_actors(actors_path)


def _extract_file(path: Path, target_id: str, table=None) -> tuple[str | None, list[Statement], list[ExtractWarning]]:
    """(article id, statements, warnings) for one file; the id is None when the file is unreadable."""
    warnings: list[ExtractWarning] = []
    try:
        source: SourceText = read_source(path)
    except InputError as err:
        return None, [], [ExtractWarning(err.path, err.line, err.problem)]
    statements = extract_statements(
        source.article, target_id=target_id, actors=table if table is not None else _WORKER_ACTORS,
        warnings=warnings, first_line=source.first_line,
    )
    return source.article.id, statements, warnings


def default_jobs() -> int:
    """The number of CPU cores this process may use (the default for `extract --jobs`)."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Below this many bytes of articles, worker processes cost more to start than they save.
_POOL_BYTES = 4_000_000


def _extract_files(paths: list[Path], target_id: str, actors_path: Path, jobs: int):
    """Per-file results in `paths` order, in this process or in `jobs` worker processes."""
    if jobs <= 1 or len(paths) < 2 or _total_size(paths) < _POOL_BYTES:
        table = load_actors(actors_path)
        for path in paths:
            yield _extract_file(path, target_id, table)
        return
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    chunk = max(1, min(256, len(paths) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(actors_path,)) as pool:
        yield from pool.map(partial(_extract_file, target_id=target_id), paths, chunksize=chunk)


def _total_size(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):  # an unreadable file is reported when it is read
            total += path.stat().st_size
        if total >= _POOL_BYTES:
            break
    return total


def extract_corpus(
    project, seeds: str | Path | None = None, output: str | Path | None = None, *, jobs: int = 1
) -> ExtractResult:
    """Extract every article in the seeds folder and merge into statements.jsonl (written atomically).

    A bad article file (empty, binary, not UTF-8, unreadable) is reported in `bad_files` and
    `warnings` and skipped; its earlier statements are kept unchanged. A malformed existing
    statements file raises InputError before anything is written. `jobs` > 1 extracts in that
    many processes; the output is the same.
    """
    seeds = Path(seeds) if seeds is not None else project.seeds_dir
    output = Path(output) if output is not None else project.statements_path
    paths = list_article_paths(seeds)
    existing = store.read_statements(output) if output.exists() else []
    result = ExtractResult(statements=[], output=output)
    extracted: list[Statement] = []
    skipped: set[str] = set()
    seen: dict[str, Path] = {}
    results = _extract_files(paths, project.target_id, Path(project.root) / CORPUS_ACTORS_NAME, jobs)
    for path, (article_id, statements, warnings) in track(
        zip(paths, results, strict=True), "Extracting statements", total=len(paths)  # a bar on a terminal only
    ):
        if article_id is None:
            result.bad_files.append(str(path))
            result.warnings.extend(warnings)
            skipped.add(path.stem)
            continue
        if article_id in seen:
            result.bad_files.append(str(path))
            result.warnings.append(ExtractWarning(str(path), 0, f"same article id {article_id!r} as {seen[article_id].name}"))
            continue
        seen[article_id] = path
        result.articles += 1
        result.warnings.extend(warnings)
        extracted.extend(statements)
    merged, counts = merge_statements(existing, extracted, frozenset(skipped))
    result.statements = merged
    result.extracted = len(extracted)
    result.new, result.updated, result.unchanged, result.stale = (
        counts["new"], counts["updated"], counts["unchanged"], counts["stale"],
    )
    try:
        store.write_jsonl_atomic(output, (s.to_json() for s in merged))
    except OSError as err:
        raise StancebenchError(f"{output}: cannot write ({err.strerror})") from None
    return result
