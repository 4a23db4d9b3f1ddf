"""Syndicated copies: near-duplicate articles grouped by MinHash LSH, their statements linked.

The same wire story arrives from several sites with different headlines and furniture. Each
article gets a MinHash signature over word 5-shingles; LSH banding finds candidate pairs in time
linear in the number of articles (articles whose signatures agree on a whole band, found by
sorting band keys, never by comparing all pairs), and a candidate is kept when the signatures
agree on at least `threshold` of their positions (estimated Jaccard similarity). Groups are the
connected components; the canonical article of a group is its smallest article id, so the
grouping does not depend on the order articles were read in.

Signatures and grouping live in `stancebench.corpus.minhash` (numpy; re-exported here).

Within a group, statements with the same normalised text are one statement: the canonical one
(from the canonical-most article that has it) lists its `copies`, each copy has `canonical_id`.
Other stages call `copy_links` / `read_copy_links` (label a group once, count it once, release one
row). A link counts only while both ends are live: a stale copy is no copy, and a copy whose
canonical statement went stale stands on its own (its labels are not moved onto a statement that
no longer counts).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from stancebench.corpus.minhash import NUM_PERM, SHINGLE_WORDS, article_signature, group_near_duplicates
from stancebench.corpus.statements import normalise_statement_text
from stancebench.schema import Statement
from stancebench.store import read_bytes, read_statements

__all__ = [
    "NUM_PERM",
    "SHINGLE_WORDS",
    "article_signature",
    "canonical_ids",
    "canonical_statements",
    "copy_links",
    "group_near_duplicates",
    "link_copies",
    "live_links",
    "read_copy_links",
]

def link_copies(statements: Iterable[Statement], groups: dict[str, str]) -> list[Statement]:
    """Statements with `canonical_id` / `copies` set from article groups; order kept, ids unchanged."""
    statements = list(statements)
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, statement in enumerate(statements):
        group = groups.get(statement.article_id)
        if group is not None and not statement.is_stale:
            by_key[(group, normalise_statement_text(statement.text))].append(index)
    out = [replace(s, canonical_id=None, copies=()) if s.canonical_id or s.copies else s for s in statements]
    for indexes in by_key.values():
        if len(indexes) < 2:
            continue
        ordered = sorted(indexes, key=lambda i: (statements[i].article_id, statements[i].start, statements[i].id))
        head = statements[ordered[0]]
        copies = tuple(sorted(statements[i].id for i in ordered[1:]))
        out[ordered[0]] = replace(head, canonical_id=None, copies=copies)
        for i in ordered[1:]:
            out[i] = replace(statements[i], canonical_id=head.id, copies=())
    return out


def live_links(pairs: Iterable[tuple[str, str]], stale: set[str] | frozenset[str]) -> dict[str, str]:
    """Copy id -> canonical id from (copy, canonical) pairs, keeping only links whose ends are both live."""
    return {copy: head for copy, head in pairs if copy not in stale and head not in stale and copy != head}


def copy_links(statements: Iterable[Statement]) -> dict[str, str]:
    """Copy id -> canonical id, for the live syndicated copies of live statements (the one rule for all stages)."""
    statements = list(statements)
    stale = {s.id for s in statements if s.is_stale}
    return live_links(((s.id, s.canonical_id) for s in statements if s.canonical_id), stale)


def canonical_ids(statements: Iterable[Statement]) -> dict[str, str]:
    """Statement id -> the id of its canonical statement (itself unless it is a live syndicated copy)."""
    statements = list(statements)
    links = copy_links(statements)
    return {s.id: links.get(s.id, s.id) for s in statements}


def canonical_statements(statements: Iterable[Statement]) -> list[Statement]:
    """The statements that are not copies of another (what annotators see and the release keeps)."""
    statements = list(statements)
    links = copy_links(statements)
    return [s for s in statements if s.id not in links]


# Statement.to_json writes keys sorted: "canonical_id" comes before "id", and "is_stale" right after "id".
_LINK_KEY = b'"canonical_id": "'
_ID_KEY = re.compile(rb'"id": "([^"\\\n]*)", "is_stale": (true|false)')
_STALE_FLAG = b'", "is_stale": true'


def _scan_links(data: bytes) -> list[tuple[str, str, bool]] | None:
    """(copy id, canonical id, copy is stale) per line with a link, or None when a line is not as extract writes it."""
    out = []
    pos = data.find(_LINK_KEY)
    while pos >= 0:
        start = pos + len(_LINK_KEY)
        close = data.find(b'"', start)
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        found = _ID_KEY.search(data, close, end)
        head = data[start:close]
        if found is None or not start < close < end or b"\\" in head:
            return None
        out.append((found.group(1).decode("utf-8", "replace"), head.decode("utf-8", "replace"), found.group(2) == b"true"))
        pos = data.find(_LINK_KEY, end)
    return out


def read_copy_links(path: str | Path) -> dict[str, str]:
    """`copy_links` of a statements file, by a bytes scan when extract wrote it (no statement is parsed)."""
    path = Path(path)
    if not path.is_file():
        return {}
    if path.suffix == ".parquet":
        return copy_links(read_statements(path))
    data = read_bytes(path)
    if _LINK_KEY not in data:
        return {}  # the common case: no syndicated copies at all
    found = _scan_links(data)
    if found is None or len(found) != data.count(b'"canonical_id": '):  # a file extract did not write: read it properly
        return copy_links(read_statements(path))
    stale = {copy for copy, _, is_stale in found if is_stale}
    heads = {head for _, head, _ in found}
    pos = data.find(_STALE_FLAG)
    while pos >= 0:  # stale statements are rare: look only at those
        sid = data[data.rfind(b'"id": "', 0, pos) + 7 : pos].decode("utf-8", "replace")
        if sid in heads:
            stale.add(sid)
        pos = data.find(_STALE_FLAG, pos + 1)
    return live_links(((copy, head) for copy, head, _ in found), stale)
