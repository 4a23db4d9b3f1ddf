"""seeds/ -> statements.jsonl: extract every article and merge with what is stored.

The per-article work (quotes, cues, speakers) lives in `stancebench.corpus.statements`; this module
reads the seeds folder, merges a fresh extraction into the statements file (never dropping a
statement: what vanished is kept as stale) and writes it atomically. The names of
`stancebench.corpus.statements` and `stancebench.corpus.articles` that callers used to import from here are
re-exported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from stancebench import store
from stancebench.corpus.actors import load_actors
from stancebench.corpus.articles import read_article, read_articles
from stancebench.corpus.statements import (
    ExtractWarning,
    extract_statements,
    normalise_statement_text,
    statement_id,
)
from stancebench.errors import StancebenchError
from stancebench.id_index import write_id_index
from stancebench.progress import track
from stancebench.schema import Statement

__all__ = [
    "ExtractResult",
    "ExtractWarning",
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
    skipped_records: int = 0
    kept: int = 0
    dropped: int = 0
    copy_articles: int = 0
    copies: int = 0

    def summary(self) -> str:
        """One line for the CLI."""
        parts = [_count(self.articles, "article"), _count(self.extracted, "statement"), f"{self.new} new"]
        if self.updated:
            parts.append(f"{self.updated} updated")
        parts += [f"{self.unchanged} unchanged", f"{self.stale} stale"]
        if self.bad_files:
            parts.append(f"{_count(len(self.bad_files), 'bad file')} skipped")
        if self.skipped_records:
            parts.append(f"{_count(self.skipped_records, 'record')} without an article skipped")
        if self.kept or self.dropped:
            parts.append(f"topic filter kept {self.kept}, dropped {self.dropped}")
        if self.copy_articles:
            parts.append(f"{_count(self.copy_articles, 'syndicated copy', 'syndicated copies')} "
                         f"({_count(self.copies, 'statement')} linked to their canonical statement)")
        return ", ".join(parts)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


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


def extract_corpus(
    project, seeds: str | Path | None = None, output: str | Path | None = None, *, jobs: int = 1,
    scheduler: str | None = None,
) -> ExtractResult:
    """Extract every source in the seeds folder and merge into statements.jsonl (written atomically).

    A bad source file (empty, binary, not UTF-8, unreadable, a dump without a text column, a
    truncated gzip) is reported in `bad_files` and `warnings`; the articles read before the break
    are kept and its earlier statements are not marked stale. A record that gives no article (a
    page with no main text, a row with no text, a WARC record that is not HTML) is a warning and
    counted. A malformed existing statements file raises InputError before anything is written.
    `jobs` > 1 extracts in that many processes, `scheduler` on a Dask cluster; the output is the same.
    """
    from stancebench.corpus import dedup, sources
    from stancebench.corpus.distributed import ExtractJob, repeated_id, run_parts

    seeds = Path(seeds) if seeds is not None else project.seeds_dir
    output = Path(output) if output is not None else project.statements_path
    job = ExtractJob.for_project(project)
    settings = job.settings
    paths = sources.list_source_paths(seeds)
    parts = sources.partition(paths, settings)
    # The stored statements are read after the extraction, and only when the file is not the one this run would write
    # (a re-run of an unchanged corpus neither parses nor rewrites it).
    existing: list[Statement] | None = None
    result = ExtractResult(statements=[], output=output)
    extracted: list[Statement] = []
    bad_sources: set[str] = set()
    seen: dict[str, str] = {}
    ids: list[str] = []
    signatures: list = []
    results = run_parts(parts, job, jobs=jobs, scheduler=scheduler, shard_root=Path(project.root) / "annotations")
    file_errors: set[ExtractWarning] = set()  # a file-level problem (no text column) repeats in each of its parts
    for part in track(results, "Extracting statements", total=sources.count_parts(paths, settings)):  # on a terminal only
        if part.bad_file and part.warnings[-1] in file_errors:
            part.warnings.pop()
        elif part.bad_file:
            file_errors.add(part.warnings[-1])
        result.warnings.extend(part.warnings)
        result.skipped_records += part.skipped_records
        result.kept += part.kept
        result.dropped += part.dropped
        if part.bad_file and part.path not in bad_sources:
            bad_sources.add(part.path)
            result.bad_files.append(part.path)
        name = os.path.basename(part.path)  # part.path is str(Path): its name, without a Path object per part
        if seen.keys().isdisjoint(part.article_ids):  # the common case, every article new: no per-article checks
            seen.update(dict.fromkeys(part.article_ids, name))
            result.articles += len(part.article_ids)
            extracted.extend(part.statements or ())
            if part.signatures is not None:
                ids.extend(part.article_ids)
                signatures.append(part.signatures)
            continue
        fresh = set(part.article_ids) - seen.keys()
        for article_id in part.article_ids:
            if article_id in fresh:
                seen[article_id] = name
            elif seen[article_id] == name:  # in an earlier part of the same file
                result.warnings.append(repeated_id(part.path, article_id))
                result.skipped_records += 1
                result.kept -= part.filtered
            else:
                result.warnings.append(ExtractWarning(part.path, 0, f"same article id {article_id!r} as {seen[article_id]}"))
                if part.path not in result.bad_files:
                    result.bad_files.append(part.path)
        result.articles += len(fresh)
        extracted.extend(s for s in part.statements or [] if s.article_id in fresh)
        if part.signatures is not None:
            keep = [i for i, article_id in enumerate(part.article_ids) if article_id in fresh]
            ids.extend(part.article_ids[i] for i in keep)
            signatures.append(part.signatures[keep])
    if signatures:
        import numpy as np

        groups = dedup.group_near_duplicates(ids, np.concatenate(signatures), settings.dedup_threshold)
        extracted = dedup.link_copies(extracted, groups)
        result.copy_articles = len(groups) - len(set(groups.values()))
    result.copies = sum(1 for s in extracted if s.canonical_id)
    lines = None
    if not bad_sources and output.suffix == ".jsonl" and output.is_file():
        existing, lines = _unchanged(output, extracted)
    if existing is not None:  # the file holds exactly what this extraction gives: all unchanged
        merged, counts = existing, {"new": 0, "updated": 0, "unchanged": len(existing), "stale": 0}
    else:
        existing = _stored(output)
        skipped = _articles_of(existing, {Path(p).name for p in bad_sources},
                               {sources.source_stem(p) for p in bad_sources})
        merged, counts = merge_statements(existing, extracted, frozenset(skipped))
    result.statements = merged
    result.extracted = len(extracted)
    result.new, result.updated, result.unchanged, result.stale = (
        counts["new"], counts["updated"], counts["unchanged"], counts["stale"],
    )
    stale_jsonl = None
    if output == project.statements_path and output.suffix == ".jsonl" and len(merged) > settings.jsonl_max_statements:
        stale_jsonl, output = output, output.with_suffix(".parquet")  # past this size JSONL is no longer practical
        result.output = output
    try:
        if lines is None or stale_jsonl is not None:
            lines = store.write_statements_atomic(output, merged)
        if output == project.statements_path:
            write_id_index(output, merged, lines)  # so the next `label` or `annotate` need not rebuild it (a no-op if current)
        if stale_jsonl is not None:
            stale_jsonl.unlink(missing_ok=True)  # only after the parquet file is in place: one statements file at a time
    except OSError as err:
        raise StancebenchError(f"{output}: cannot write ({err.strerror})") from None
    return result


def _unchanged(output: Path, extracted: list[Statement]) -> tuple[list[Statement] | None, list[bytes] | None]:
    """(the statements, their JSONL lines) when `output` holds byte for byte what merging `extracted` into an empty
    file gives, and so what merging them into it gives (merging is idempotent); else (None, None)."""
    data = output.read_bytes()
    merged, _ = merge_statements([], extracted)
    if data.count(b"\n") != len(merged):  # another number of lines: something changed, no need to encode
        return None, None
    lines = [s.to_json().encode("utf-8") for s in merged]
    if len(data) != sum(map(len, lines)) + len(lines) or data != b"\n".join(lines) + b"\n" * bool(lines):
        return None, None
    return merged, lines


def _stored(output: Path) -> list[Statement]:
    # A malformed statements file raises InputError: before anything is written.
    return store.read_statements(output) if output.exists() else []


def _articles_of(statements: list[Statement], files: set[str], stems: set[str]) -> set[str]:
    # The articles of files that could not be (fully) read: their stored statements stay as they were.
    return {s.article_id for s in statements if s.source_file in files or (s.source_file is None and s.article_id in stems)}
