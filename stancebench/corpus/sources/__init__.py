"""Where articles come from: one reader per kind of source file, chosen by the file name's ending.

A seeds folder may mix them. Each reader yields `SourceText`s (an Article plus where it starts)
and `ExtractWarning`s for records that gave no article (a page with no main text, a dump row with
no text, a WARC record that is not HTML); a file that cannot be read at all, or whose rest is lost
(a truncated gzip), raises InputError after the records read so far.

| kind | endings | module |
| --- | --- | --- |
| text | .txt .md | `stancebench.corpus.articles` (one article per file, optional front matter) |
| html | .html .htm | `html` (trafilatura main text and metadata) |
| dump | .jsonl .ndjson .csv (each optionally .gz) .parquet | `dumps` (one article per row, streamed) |
| warc | .warc .warc.gz | `warc` (HTML response records through the html reader) |

Article ids are stable across re-runs: the file name stem for one-article files; stem + row key
(the `id` column, else the row number) for dumps; stem + a hash of the WARC-Record-ID for crawls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
    "list_source_paths",
    "partition",
    "read_part",
    "source_kind",
    "source_stem",
]

#: File name endings per kind of source (longest first, so `.warc.gz` is not taken for `.gz`).
KINDS: dict[str, str] = {
    ".jsonl.gz": "dump", ".ndjson.gz": "dump", ".csv.gz": "dump", ".warc.gz": "warc",
    ".txt": "text", ".md": "text", ".html": "html", ".htm": "html",
    ".jsonl": "dump", ".ndjson": "dump", ".csv": "dump", ".parquet": "dump", ".warc": "warc",
}
#: Kinds whose articles go through the topic filter: bulk sources, not hand-picked files.
FILTERED_KINDS = frozenset({"dump", "warc"})

SourceItem = SourceText | ExtractWarning


def source_kind(path: str | Path) -> str | None:
    """The kind of source a file name says it is, or None."""
    name = Path(path).name.lower()
    return next((kind for ending, kind in KINDS.items() if name.endswith(ending)), None)


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
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and not p.is_dir() and source_kind(p))


@dataclass(frozen=True, slots=True)
class Part:
    """One unit of work: a file, or one row group of a parquet dump."""

    path: Path
    kind: str
    row_group: int | None = None

    @property
    def name(self) -> str:
        """`file` or `file#row-group`, for messages."""
        return self.path.name if self.row_group is None else f"{self.path.name}#{self.row_group}"


def partition(paths: list[Path]) -> list[Part]:
    """Parts in a fixed order: each file, and each row group of a parquet file."""
    parts: list[Part] = []
    for path in paths:
        kind = source_kind(path) or "text"
        groups = _row_groups(path) if path.name.lower().endswith(".parquet") else 0
        if groups > 1:
            parts.extend(Part(path, kind, index) for index in range(groups))
        else:
            parts.append(Part(path, kind))
    return parts


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

        yield from read_dump(part.path, settings, row_group=part.row_group)
    else:
        from stancebench.corpus.sources.warc import read_warc

        yield from read_warc(part.path)
