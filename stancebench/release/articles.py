"""The release's article metadata (title, outlet, date, url) for every kind of source in seeds/.

One-article text files (.txt, .md) are read as before, every one of them. Articles from saved
pages, dumps and WARC files are looked up only where a statement points: each source file named in
a statement's provenance (`source_file`) is read again through its own reader
(`stancebench.corpus.sources.read_part`, the one that extract used), keeping the articles with
statements and stopping once all of them are found. A source file that is gone or cannot be read
(any more) leaves those articles with the URL from the statements' provenance, and a warning.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from stancebench.corpus import sources
from stancebench.corpus.articles import SourceText, read_articles
from stancebench.errors import StancebenchError
from stancebench.project import Project

__all__ = ["ARTICLE_COLUMNS", "article_table", "source_articles"]

ARTICLE_COLUMNS = ("id", "title", "outlet", "date", "url")
_STRING = pa.string()


def _wanted(statements: pa.Table) -> dict[str, dict[str, str | None]]:
    """Source file -> article id -> a provenance URL, for the articles that come from a non-text source."""
    files = statements.column("source_file")
    is_text = pc.is_in(files, value_set=pa.array(_text_names(files), _STRING))
    is_other = pc.and_(pc.is_valid(files), pc.invert(is_text))  # no source_file: a text seed written before provenance
    part = statements.select(["source_file", "article_id", "url"]).filter(is_other)
    out: dict[str, dict[str, str | None]] = {}
    for name, article_id, url in zip(*(part.column(c).to_pylist() for c in part.column_names), strict=True):
        urls = out.setdefault(name, {})
        if urls.get(article_id) is None:
            urls[article_id] = url
    return out


def _text_names(files: pa.ChunkedArray) -> list[str]:
    return [name for name in pc.unique(files.drop_null()).to_pylist() if sources.source_kind(name) in (None, "text")]


def source_articles(project: Project, statements: pa.Table, warnings: list[str]) -> list[tuple[str, ...]]:
    """(id, title, outlet, date, url) of the articles with statements from saved pages, dumps and WARC files."""
    wanted = _wanted(statements)
    if not wanted:
        return []
    settings = sources.SourceSettings.from_config(project.extra, project.target_id, project.root / "stancebench.toml")
    rows: list[tuple[str, ...]] = []
    for name in sorted(wanted):
        urls = wanted[name]
        before = len(warnings)
        found = _read_file(project.seeds_dir / name, set(urls), settings, warnings)
        for article_id in sorted(urls):
            meta = found.get(article_id)
            if meta is None:
                rows.append((article_id, None, None, None, urls[article_id]))
            else:
                rows.append((article_id, meta.title, meta.outlet, meta.date, meta.url or urls[article_id]))
        missing = len(set(urls) - set(found))
        if missing and len(warnings) == before:  # the file read to its end without them: it changed since extract
            warnings.append(f"{project.seeds_dir / name}: {missing} article(s) with statements no longer found in it; "
                            "title/outlet/date left empty")
    return rows


def _read_file(path: Path, ids: set[str], settings: sources.SourceSettings, warnings: list[str]) -> dict:
    """article id -> Article for the `ids` found in one source file (what it holds up to a problem)."""
    if not path.is_file():
        warnings.append(f"{path}: source file not found; title/outlet/date of its {len(ids)} article(s) left empty")
        return {}
    found = {}
    try:
        for part in sources.partition([path]):
            for item in sources.read_part(part, settings):
                if isinstance(item, SourceText) and item.article.id in ids:
                    found[item.article.id] = item.article
                    if len(found) == len(ids):
                        return found
    except StancebenchError as err:  # InputError, or a missing extra (trafilatura) named as such
        warnings.append(f"{err}; title/outlet/date of the articles after it left empty")
    return found


def article_table(project: Project, statements: pa.Table, warnings: list[str]) -> pa.Table:
    """Articles by id (title/outlet/date/url) from every kind of source; empty when there is no seeds folder."""
    texts = read_articles(project.seeds_dir) if project.seeds_dir.is_dir() else []
    rows = [tuple(getattr(a, name) for name in ARTICLE_COLUMNS) for a in texts]
    seen = {row[0] for row in rows}
    rows += [row for row in source_articles(project, statements, warnings) if row[0] not in seen]
    return pa.table({name: pa.array([row[i] for row in rows], _STRING) for i, name in enumerate(ARTICLE_COLUMNS)})
