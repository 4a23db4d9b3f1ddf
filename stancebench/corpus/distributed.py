"""Extraction past one process: a pure function per part (`sources.partition`: a file, a parquet row
group, a JSONL byte range, a chunk of CSV rows), run in this process, in a process pool (`--jobs`),
or on a Dask cluster (`--scheduler ADDRESS|local`), with a bounded number of parts in flight.
`extract_columns` / `merge_columns` are the same for a `datasets` map or a Spark `mapInPandas`.

Each part yields its statements, warnings, counts and the MinHash signatures of its articles.
On Dask, a worker writes its statements to a parquet shard in the corpus (so results do not
travel through the scheduler) and returns the rest; the client reads the shards back in part
order, so the merged statements are the same, byte for byte, as a single process's. On a cluster
the corpus folder must be on a filesystem every worker sees (the workers read the seeds there too).
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from stancebench.corpus.actors import load_actors
from stancebench.corpus.sources import FILTERED_KINDS, Part, SourceSettings, read_part
from stancebench.corpus.statements import ExtractWarning, extract_statements
from stancebench.corpus.topic import TopicFilter
from stancebench.errors import InputError, MissingExtraError, StancebenchError
from stancebench.schema import Statement
from stancebench.store import read_statements

__all__ = ["ROW_COLUMNS", "ExtractJob", "PartResult", "extract_columns", "extract_part", "extract_rows", "merge_columns",
           "repeated_id", "run_parts"]


@dataclass(frozen=True)
class ExtractJob:
    """What every part needs: the target, the corpus actor table, the source settings."""

    target_id: str
    actors_path: Path
    settings: SourceSettings = field(default_factory=SourceSettings)

    @classmethod
    def for_project(cls, project) -> ExtractJob:
        """The job `extract` runs in a corpus: its target, its actor table, its `[sources]` settings."""
        from stancebench.corpus.extract import CORPUS_ACTORS_NAME

        root = Path(project.root)
        settings = SourceSettings.from_config(getattr(project, "extra", None), project.target_id, root / "stancebench.toml")
        return cls(project.target_id, root / CORPUS_ACTORS_NAME, settings)

    @classmethod
    def for_corpus(cls, root: str | Path | None = None) -> ExtractJob:
        """`for_project` of the corpus at `root` (or the one found from the working folder, as commands find it)."""
        from stancebench.project import load_project

        return cls.for_project(load_project(root))


@dataclass
class PartResult:
    """One part's output; `statements` is None while they wait in a parquet shard."""

    index: int
    path: str
    article_ids: list[str] = field(default_factory=list)
    statements: list[Statement] | None = field(default_factory=list)
    warnings: list[ExtractWarning] = field(default_factory=list)
    bad_file: bool = False
    skipped_records: int = 0
    kept: int = 0
    dropped: int = 0
    signatures: np.ndarray | None = None
    shard: str | None = None
    filtered: bool = False  # did the topic filter apply (so `kept` counts its articles)?
    shard_rows: int = 0  # how many of the statements in `shard` are this part's (they follow the previous part's)

    def __getstate__(self) -> dict:
        # From a worker process: statements as tuples of their fields, half the bytes and time of pickled records.
        state = dict(self.__dict__)
        if self.statements:
            state["statements"] = [tuple(getattr(s, name) for name in _STATEMENT_FIELDS) for s in self.statements]
        return state

    def __setstate__(self, state: dict) -> None:
        if state.get("statements"):
            state["statements"] = [Statement(*values) for values in state["statements"]]
        self.__dict__.update(state)


_STATEMENT_FIELDS = tuple(f.name for f in fields(Statement))


def repeated_id(path: str, article_id: str) -> ExtractWarning:
    """The warning for a second article with the same id in one file."""
    return ExtractWarning(path, 0, f"article id {article_id!r} repeats in the file; skipped")


_ACTORS: dict[Path, object] = {}


def _actors(path: Path):
    # Loaded once per process (worker), not once per part.
    if path not in _ACTORS:
        _ACTORS[path] = load_actors(path)
    return _ACTORS[path]


def extract_part(part: Part, job: ExtractJob, index: int = 0) -> PartResult:
    """Read one part, filter by topic (dumps, crawls), extract statements with provenance, sign articles."""
    result = PartResult(index=index, path=str(part.path))
    _extract_items(read_part(part, job.settings), part.path.name, part.kind in FILTERED_KINDS, job, result)
    return result


def extract_rows(rows: Iterable[dict], source_file: str, job: ExtractJob, *, first_row: int = 1) -> PartResult:
    """The same for dump rows already in memory (a Spark `mapInPandas` batch, a `datasets` batch).

    `first_row` is the batch's first row number in the file, so ids without an `id` column stay stable.
    """
    from stancebench.corpus.articles import SourceText
    from stancebench.corpus.sources.dumps import find_columns, row_article

    def items():
        columns = None
        for number, row in enumerate(rows, start=first_row):
            columns = columns or find_columns(row.keys(), job.settings, Path(source_file))
            article = row_article(row, columns, Path(source_file), number)
            yield ExtractWarning(source_file, 0, f"row {number}: {article}; skipped") if isinstance(article, str) \
                else SourceText(article)

    result = PartResult(index=0, path=source_file)
    _extract_items(items(), Path(source_file).name, True, job, result)
    return result


#: What `extract_columns` returns for every input row (a `datasets` map or a Spark `mapInPandas` schema).
ROW_COLUMNS = ("article_id", "signature", "statements", "warnings", "dropped")


def extract_columns(rows: Iterable[dict] | Mapping[str, Sequence], indices: Sequence[int] | None = None, *,
                    source_file: str, job: ExtractJob) -> dict[str, list]:
    """One output row per input row (`ROW_COLUMNS`), for `datasets.Dataset.map(batched=True, with_indices=True)`.

    `rows` is a list of row dicts or a batch of columns; `indices` the rows' 0-based positions in the dump
    (ids of rows without an `id` column are `row<index+1>`, as `extract` gives them). `article_id` and
    `signature` are None when the row gave no article (`warnings` say why) or the topic filter `dropped` it;
    `statements` are JSON lines. `merge_columns` joins every batch's output on the driver.
    """
    if isinstance(rows, Mapping):
        rows = [dict(zip(rows, values, strict=True)) for values in zip(*rows.values(), strict=True)]
    numbers = [i + 1 for i in indices] if indices is not None else range(1, len(rows) + 1)
    out: dict[str, list] = {name: [] for name in ROW_COLUMNS}
    for number, row in zip(numbers, rows, strict=True):
        result = extract_rows([row], source_file, job, first_row=number)
        kept = bool(result.article_ids)
        out["article_id"].append(result.article_ids[0] if kept else None)
        out["signature"].append(result.signatures[0].tolist() if kept and result.signatures is not None else None)
        out["statements"].append([statement.to_json() for statement in result.statements or []])
        out["warnings"].append([str(warning) for warning in result.warnings])
        out["dropped"].append(bool(result.dropped))
    return out


def merge_columns(columns: Mapping[str, Sequence], settings: SourceSettings) -> tuple[list[Statement], list[str]]:
    """`extract_columns` output of every batch -> statements with syndicated copies linked, as `extract` orders them.

    Also the warnings, in row order, with one for each repeated article id (its statements are left out).
    """
    from stancebench.corpus.dedup import group_near_duplicates, link_copies

    seen: set[str] = set()
    ids, signatures, statements, warnings = [], [], [], []
    for article_id, signature, lines, notes in zip(columns["article_id"], columns["signature"], columns["statements"],
                                                    columns["warnings"], strict=True):
        warnings.extend(notes)
        if article_id is None:
            continue
        if article_id in seen:
            warnings.append(f"article id {article_id!r} repeats; skipped")
            continue
        seen.add(article_id)
        statements.extend(Statement.from_json(line) for line in lines)
        if signature is not None:
            ids.append(article_id)
            signatures.append(signature)
    if ids and settings.dedup_threshold > 0:
        groups = group_near_duplicates(ids, np.asarray(signatures, dtype=np.uint32), settings.dedup_threshold)
        statements = link_copies(statements, groups)
    return sorted(statements, key=lambda s: (s.article_id, s.start, s.id)), warnings


def _extract_items(items: Iterator, source_file: str, is_filtered: bool, job: ExtractJob, result: PartResult) -> None:
    from stancebench.corpus.dedup import article_signature

    table = _actors(job.actors_path)
    topic = TopicFilter(job.settings.topic_keywords if is_filtered else ())
    signatures: list[np.ndarray] = []
    statements: list[Statement] = []
    seen: set[str] = set()
    while True:
        try:
            item = next(items, None)
        except InputError as err:
            result.bad_file = True
            result.warnings.append(ExtractWarning(err.path, err.line, err.problem))
            break
        if item is None:
            break
        if isinstance(item, ExtractWarning):
            result.warnings.append(item)
            result.skipped_records += 1
            continue
        article = item.article
        if topic.is_active and not topic.matches(f"{article.title}\n{article.text}"):
            result.dropped += 1
            continue
        if article.id in seen:  # after the filter, as extract_corpus does across the parts of one file
            result.warnings.append(repeated_id(result.path, article.id))
            result.skipped_records += 1
            continue
        seen.add(article.id)
        result.kept += topic.is_active
        found = extract_statements(article, target_id=job.target_id, actors=table, warnings=result.warnings,
                                   first_line=item.first_line, source_file=source_file)
        statements.extend(found)
        result.article_ids.append(article.id)
        if job.settings.dedup_threshold > 0:
            signatures.append(article_signature(article.text))
    result.statements = statements
    result.filtered = topic.is_active
    if signatures:
        # one article (a saved page) is the common part: a view, not np.stack's checks and copy
        result.signatures = signatures[0][np.newaxis] if len(signatures) == 1 else np.stack(signatures)


def default_jobs() -> int:
    """The number of CPU cores this process may use (the default for `extract --jobs`)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


#: Below this many bytes of articles, worker processes cost more to start than they save.
_POOL_BYTES = 4_000_000


def _weight(part: Part) -> int:
    if part.span is not None:
        return part.span[1] - part.span[0]
    if part.chunk is not None:
        return len(part.chunk.lines or b"") + (part.chunk.table.nbytes if part.chunk.table is not None else 0)
    try:
        return part.path.stat().st_size
    except OSError:  # an unreadable file is reported when it is read
        return 0


def _is_small(parts: Iterator[Part]) -> tuple[bool, list[Part]]:
    # Reads ahead only until the parts are big enough for worker processes (or run out).
    ahead: list[Part] = []
    total = 0
    for part in parts:
        ahead.append(part)
        total += _weight(part)
        if total >= _POOL_BYTES and len(ahead) > 1:
            return False, ahead
    return True, ahead


#: Small parts (saved pages) travel to a worker in batches: one task per part would cost more than the page.
_BATCH_PARTS, _BATCH_BYTES = 64, 1 << 20


def _batches(parts: Iterable[Part]) -> Iterator[list[tuple[int, Part]]]:
    """(index, part) lists of up to _BATCH_PARTS parts or _BATCH_BYTES; a big part goes alone."""
    batch: list[tuple[int, Part]] = []
    size = 0
    for index, part in enumerate(parts):
        batch.append((index, part))
        size += _weight(part)
        if len(batch) >= _BATCH_PARTS or size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def extract_batch(batch: list[tuple[int, Part]], job: ExtractJob) -> list[PartResult]:
    """`extract_part` over one batch of (index, part): a worker's task."""
    return [extract_part(part, job, index) for index, part in batch]


def _in_order(submit, batches: Iterable[list[tuple[int, Part]]], window: int) -> Iterator[PartResult]:
    """Results in part order, with at most `window` batches in flight (parts may carry rows: memory stays flat)."""
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def run_parts(parts: Iterable[Part], job: ExtractJob, *, jobs: int = 1, scheduler: str | None = None,
              shard_root: Path | None = None) -> Iterator[PartResult]:
    """Part results in `parts` order: here, in `jobs` processes, or on the Dask `scheduler`."""
    parts = iter(parts)
    if scheduler:
        yield from _run_on_dask(parts, job, scheduler, shard_root or Path(tempfile.gettempdir()))
        return
    small, ahead = _is_small(parts) if jobs > 1 else (True, [])
    parts = itertools.chain(ahead, parts)
    if small:
        for index, part in enumerate(parts):
            yield extract_part(part, job, index)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from _in_order(lambda batch: pool.submit(extract_batch, batch, job), _batches(parts), 4 * jobs)


# ---- Dask ------------------------------------------------------------------------------------
def _extract_to_shard(batch: list[tuple[int, Part]], job: ExtractJob, shard_dir: str) -> list[PartResult]:
    from stancebench.store import write_statements_atomic

    results = extract_batch(batch, job)
    shard = Path(shard_dir) / f"part-{batch[0][0]:06d}.parquet"
    write_statements_atomic(shard, [s for result in results for s in result.statements or []])
    for result in results:
        result.shard_rows, result.statements, result.shard = len(result.statements or []), None, str(shard)
    return results


def _client(scheduler: str):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise MissingExtraError("extract --scheduler", "distributed") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")  # any free port
        return Client(cluster), cluster
    try:
        return Client(scheduler), None  # connect timeout: dask's distributed.comm.timeouts.connect
    except (OSError, TimeoutError) as err:
        raise StancebenchError(f"cannot reach the Dask scheduler at {scheduler} ({err})") from None


def _run_on_dask(parts: Iterator[Part], job: ExtractJob, scheduler: str, shard_root: Path) -> Iterator[PartResult]:
    client, cluster = _client(scheduler)
    shard_root.mkdir(parents=True, exist_ok=True)
    shard_dir = Path(tempfile.mkdtemp(prefix=".extract-shards-", dir=shard_root))
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(batch: list[tuple[int, Part]]):
            return client.submit(_extract_to_shard, batch, job, str(shard_dir), pure=False)

        shard, rows, offset = None, [], 0
        for result in _in_order(submit, _batches(parts), 4 * workers):  # in part order, whatever finishes first
            if result.shard != shard:
                shard, rows, offset = result.shard, read_statements(result.shard), 0
            result.statements = rows[offset : offset + result.shard_rows]
            offset += result.shard_rows
            yield result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(shard_dir, ignore_errors=True)
