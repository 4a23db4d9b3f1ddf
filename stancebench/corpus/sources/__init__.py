"""Where articles come from: one reader per kind of source file, chosen by the file name's ending.

A seeds folder may mix them. Each reader yields `SourceText`s (an Article plus where it starts)
and `ExtractWarning`s for records that gave no article (a page with no main text, a dump row with
no text, a WARC record that is not HTML); a file that cannot be read at all, or whose rest is lost
(a truncated gzip), raises InputError after the records read so far.

| kind | endings | module |
| --- | --- | --- |
| text | .txt .md | `stancebench.corpus.articles` (one article per file, optional front matter) |
| html | .html .htm | `html` (trafilatura main text and metadata) |
| dump | .jsonl .ndjson .csv .tsv (each optionally .gz) .parquet | `dumps` (one article per row, streamed; CSV in `delimited`) |
| warc | .warc .warc.gz | `warc` (HTML response records through the html reader) |

Article ids are stable across re-runs: the file name stem for one-article files; stem + row key
(the `id` column, else the row number) for dumps; stem + a hash of the WARC-Record-ID for crawls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stancebench.corpus.articles import SourceText, read_source
from stancebench.corpus.sources.config import SourceSettings
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import StancebenchError

__all__ = [
    "KINDS",
    "FILTERED_KINDS",
    "Part",
    "SourceItem",
    "SourceSettings",
    "count_parts",
    "list_source_paths",
    "partition",
    "read_part",
    "source_kind",
    "source_stem",
]

#: File name endings per kind of source (longest first, so `.warc.gz` is not taken for `.gz`).
KINDS: dict[str, str] = {
    ".jsonl.gz": "dump", ".ndjson.gz": "dump", ".csv.gz": "dump", ".tsv.gz": "dump", ".warc.gz": "warc",
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html",
    ".jsonl": "dump", ".ndjson": "dump", ".csv": "dump", ".tsv": "dump", ".parquet": "dump",
    ".warc": "warc",
}
#: Kinds whose articles go through the topic filter: bulk sources, not hand-picked files.
FILTERED_KINDS = frozenset({"dump", "warc"})

SourceItem = SourceText | ExtractWarning


def source_kind(path: str | Path) -> str | None:
    """The kind of source a file name says it is, or None."""
    name = os.path.basename(os.fspath(path)).lower()  # called per file: no Path object
    # Every ending is the name's last one or two dot-suffixes: two dict look-ups instead of trying each ending.
    dot = name.rfind(".")
    if dot >= 0 and name.endswith(".gz") and (outer := name.rfind(".", 0, dot)) >= 0 and name[outer:] in KINDS:
        return KINDS[name[outer:]]
    return KINDS.get(name[dot:]) if dot >= 0 else None


def source_stem(path: str | Path) -> str:
    """The file name without its source ending (`news.jsonl.gz` -> `news`): the start of its article ids."""
    name = Path(path).name
    ending = next((e for e in KINDS if name.lower().endswith(e)), "")
    return name[: len(name) - len(ending)] if ending else Path(path).stem


def list_source_paths(folder: str | Path) -> list[Path]:
    """The source files in a seeds folder, sorted by name; a missing folder is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        problem = "is a file, expected a folder" if folder.exists() else "seeds folder not found"
        raise StancebenchError(f"{folder}: {problem}")
    with os.scandir(folder) as entries:  # the entries' types come with the listing: no stat per file
        names = [e.name for e in entries if not e.name.startswith(".") and source_kind(e.name) and not e.is_dir()]
    return [folder / name for name in sorted(names)]


@dataclass(frozen=True, slots=True)
class Part:
    """One unit of work: a file, one parquet row group, a JSONL byte range, or a chunk of rows read here."""

    path: Path
    kind: str
    row_group: int | None = None
    #: (start byte, end byte, first line number) of a part of a big JSONL file.
    span: tuple[int, int, int] | None = None
    #: Rows of a CSV or JSONL.gz dump this process read for a worker (`dumps.Chunk`).
    chunk: Any = None

    @property
    def name(self) -> str:
        """`file`, `file#row-group` or `file:first-line`, for messages."""
        if self.row_group is not None:
            return f"{self.path.name}#{self.row_group}"
        first = self.span[2] if self.span else self.chunk.first_row if self.chunk else None
        return self.path.name if first is None else f"{self.path.name}:{first}"


def partition(paths: list[Path], settings: SourceSettings | None = None) -> Iterator[Part]:
    """Parts in a fixed order, the same whatever runs them: so every run gives the same statements.

    A file is one part, except a parquet dump (one part per row group), a JSONL dump bigger than
    `settings.part_bytes` (byte ranges starting at line starts), and a CSV or JSONL.gz dump (read
    here by one streaming reader, in chunks of about `part_bytes`, shipped to the workers).
    """
    from stancebench.corpus.sources import dumps

    settings = settings or SourceSettings()
    for path in paths:
        kind = source_kind(path) or "text"
        name = path.name.lower()
        if kind != "dump":
            yield Part(path, kind)
        elif name.endswith(".parquet"):
            groups = _row_groups(path)
            yield from (Part(path, kind, row_group=index) for index in range(groups)) if groups > 1 else [Part(path, kind)]
        elif name.endswith((*dumps.CSV_ENDINGS, ".jsonl.gz", ".ndjson.gz")):
            yield from (Part(path, kind, chunk=chunk) for chunk in dumps.dump_chunks(path, settings))
        elif _size(path) > settings.part_bytes:
            try:
                spans = dumps.jsonl_spans(path, settings.part_bytes)
            except OSError:  # reported when the part is read
                spans = [None]
            yield from (Part(path, kind, span=span) for span in spans)
        else:
            yield Part(path, kind)


def count_parts(paths: list[Path], settings: SourceSettings | None = None) -> int:
    """About how many parts `partition` makes (exact but for CSV and gzip dumps): a progress bar's total."""
    part_bytes = (settings or SourceSettings()).part_bytes
    total = 0
    for path in paths:
        name = path.name.lower()
        if source_kind(path) != "dump":
            total += 1
        elif name.endswith(".parquet"):
            total += max(1, _row_groups(path))
        else:  # a gzip file holds about four times its size in text
            total += max(1, -(-_size(path) * (4 if name.endswith(".gz") else 1) // part_bytes))
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reported when the part is read
        return 0


def _row_groups(path: Path) -> int:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_row_groups
    except Exception:  # noqa: BLE001 - a bad parquet file is reported when the part is read
        return 0


def read_part(part: Part, settings: SourceSettings) -> Iterator[SourceItem]:
    """The articles (and warnings) of one part; a file-level problem raises InputError."""
    if part.kind == "text":
        yield read_source(part.path)
    elif part.kind == "html":
        from stancebench.corpus.sources.html import read_html_file

        yield from read_html_file(part.path)
    elif part.kind == "dump":
        from stancebench.corpus.sources.dumps import read_dump

        yield from read_dump(part.path, settings, row_group=part.row_group, span=part.span, chunk=part.chunk)
    else:
        from stancebench.corpus.sources.warc import read_warc

        yield from read_warc(part.path)
