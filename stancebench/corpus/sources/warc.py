"""WARC / WARC.gz crawls -> Articles: HTML response (and resource) records through the html reader (warcio, streamed).

Provenance: the WARC-Record-ID (the article id is the file stem + a hash of it) and the target
URI. A response that is not an HTML page, an error status or a page with no main text is a
warning naming the record; request, metadata and warcinfo records are not pages and are passed
over. A truncated or corrupt file is an InputError after the records read before the break.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path

from stancebench.corpus.articles import SourceText
from stancebench.corpus.sources.html import page_article
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import InputError, MissingExtraError

__all__ = ["read_warc", "record_article_id"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
#: Records that hold a page: an HTTP response, or a resource (a page archived without HTTP, e.g. by warcit).
_PAGE_TYPES = ("response", "resource")


def record_article_id(path: Path, record_id: str) -> str:
    """Stable article id of a WARC record: file stem + 16 hex digits of sha256(record id)."""
    from stancebench.corpus.sources import source_stem

    return f"{source_stem(path)}-{hashlib.sha256(record_id.encode('utf-8')).hexdigest()[:16]}"


def read_warc(path: Path) -> Iterator[SourceText | ExtractWarning]:
    """The HTML pages of one WARC file as articles, with a warning per response record that is not one."""
    try:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed
    except ImportError:
        raise MissingExtraError("reading WARC files", "sources") from None
    count = 0
    last = "the start"
    try:
        with path.open("rb") as raw:
            # Decompressed here rather than by warcio, which stops quietly at a truncated gzip member.
            stream = _Watched(gzip.GzipFile(fileobj=raw) if path.name.lower().endswith(".gz") else raw)
            for record in ArchiveIterator(stream):
                if record.format != "warc":
                    raise ValueError(f"not a WARC record ({record.format})")
                if record.rec_type not in _PAGE_TYPES:
                    continue
                record_id = record.rec_headers.get_header("WARC-Record-ID") or f"#{count + 1}"
                uri = record.rec_headers.get_header("WARC-Target-URI")
                item = _response_item(path, record, record_id, uri)
                if stream.broken is not None:  # the reader reads ahead: was this record itself cut short?
                    record.raw_stream.read()
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        raise stream.broken
                count += 1
                last = f"record {count} {record_id}"
                yield item
            if stream.broken is not None:
                raise stream.broken
    except (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError) as err:
        reason = str(err).split("\n")[0][:80] or type(err).__name__
        raise InputError(path, 0, f"truncated or corrupt after {last} ({reason}); the records before were read") from None


class _Watched:
    """A stream that remembers a read error: warcio takes any EOFError for the end of the file."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.broken: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            # read1: what one step decompresses, so the data before a break is not lost with it
            return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)
        except (EOFError, OSError, zlib.error) as err:
            self.broken = err
            return b""


def _response_item(path: Path, record, record_id: str, uri: str | None) -> SourceText | ExtractWarning:
    where = f"record {record_id}" + (f" ({uri})" if uri else "")
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    headers = http if http is not None else record.rec_headers  # a resource record has no HTTP headers
    content_type = (headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if status is not None and not str(status).startswith("2"):
        return ExtractWarning(str(path), 0, f"{where}: HTTP status {status}, not a page; skipped")
    if content_type not in _HTML_TYPES:
        return ExtractWarning(str(path), 0, f"{where}: not HTML ({content_type or 'no content type'}); skipped")
    body = record.content_stream().read()
    article = page_article(body, record_article_id(path, record_id), path=str(path), record=record_id, url=uri)
    if article is None:
        return ExtractWarning(str(path), 0, f"{where}: no main text found in the page; skipped")
    return SourceText(article)
