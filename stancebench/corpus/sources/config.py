"""The `[sources]` table of stancebench.toml: dump column names, the topic filter, near-duplicate grouping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stancebench import codebook
from stancebench.errors import InputError

__all__ = ["COLUMN_CONVENTIONS", "SourceSettings"]

#: Dump columns found by convention: the first name present (case-insensitive) wins.
COLUMN_CONVENTIONS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "maintext", "article"),
    "title": ("title", "headline"),
    "url": ("url", "link", "uri"),
    "date": ("date", "published", "published_at", "date_publish", "publish_date"),
    "outlet": ("outlet", "source", "domain", "site", "publisher"),
    "id": ("id", "article_id", "uuid", "guid"),
}


@dataclass(frozen=True)
class SourceSettings:
    """How sources are read: column overrides, topic keywords, dedup threshold, output format switch."""

    columns: dict[str, str] = field(default_factory=dict)
    #: Overrides for the dumps whose file name matches a pattern (`[sources.columns."gdelt-*.csv"]`).
    file_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Keyword groups; an article is kept when every group has a match. Empty: keep every article.
    topic_keywords: tuple[tuple[str, ...], ...] = ()
    #: MinHash Jaccard threshold for syndicated copies; 0 turns grouping off.
    dedup_threshold: float = 0.7
    #: Past this many statements, extract writes annotations/statements.parquet instead of JSONL.
    jsonl_max_statements: int = 1_000_000
    batch_rows: int = 4096
    #: A big dump is cut into parts of about this many bytes (the same for any number of workers).
    part_bytes: int = 16 << 20

    @classmethod
    def from_config(cls, config: dict[str, Any] | None, target_id: str, path: str | Path = "stancebench.toml") -> SourceSettings:
        """Read `[sources]` from a parsed config; the bundled target's keywords are the default."""
        table = (config or {}).get("sources", {})
        if not isinstance(table, dict):
            raise InputError(path, 0, "[sources] must be a table")
        columns = table.get("columns", {})
        if not isinstance(columns, dict):
            raise InputError(path, 0, "sources.columns must map field names to column names")
        per_file = {k: v for k, v in columns.items() if isinstance(v, dict)}  # [sources.columns."gdelt-*.csv"]
        columns = {k: v for k, v in columns.items() if k not in per_file}
        for where, mapping in [("sources.columns", columns)] + [(f"sources.columns.{k!r}", v) for k, v in per_file.items()]:
            _check_columns(mapping, where, path)
        default = codebook.TARGET_KEYWORDS if codebook.is_bundled_target(target_id) else ()
        keywords = _keyword_groups(table.get("topic_keywords", default), path)
        threshold = table.get("dedup_threshold", cls.dedup_threshold)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            raise InputError(path, 0, "sources.dedup_threshold must be a number from 0 (off) to 1")
        limit = table.get("jsonl_max_statements", cls.jsonl_max_statements)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError(path, 0, "sources.jsonl_max_statements must be a positive integer")
        part_bytes = table.get("part_bytes", cls.part_bytes)
        if isinstance(part_bytes, bool) or not isinstance(part_bytes, int) or not 1024 <= part_bytes < 1 << 31:
            raise InputError(path, 0, "sources.part_bytes must be an integer from 1024 to 2147483647")
        return cls(columns=dict(columns), topic_keywords=keywords, dedup_threshold=float(threshold),
                   jsonl_max_statements=limit, part_bytes=part_bytes, file_columns=per_file)

    def columns_for(self, file_name: str) -> dict[str, str]:
        """The column overrides for one dump: every dump's, then those of each file pattern it matches."""
        from fnmatch import fnmatchcase

        found = dict(self.columns)
        for pattern, mapping in self.file_columns.items():
            if fnmatchcase(file_name, pattern):
                found.update(mapping)
        return found


def _check_columns(mapping: dict, where: str, path: str | Path) -> None:
    if not all(isinstance(v, str) and v for v in mapping.values()):
        raise InputError(path, 0, f"{where} must map field names to column names (or a file name to such a table)")
    unknown = sorted(set(mapping) - set(COLUMN_CONVENTIONS))
    if unknown:
        expected = ", ".join(COLUMN_CONVENTIONS)
        raise InputError(path, 0, f"{where}: unknown field {unknown[0]!r} (expected one of: {expected})")


def _keyword_groups(value: Any, path: str | Path) -> tuple[tuple[str, ...], ...]:
    if value is False or (isinstance(value, list | tuple) and not value):
        return ()
    if isinstance(value, list | tuple) and all(isinstance(x, str) for x in value):
        value = [value]  # a flat list is one group
    if not isinstance(value, list | tuple) or not all(
        isinstance(g, list | tuple) and g and all(isinstance(x, str) and x.strip() for x in g) for g in value
    ):
        raise InputError(path, 0, "sources.topic_keywords must be a list of words, or a list of lists of words")
    return tuple(tuple(x.strip() for x in group) for group in value)
