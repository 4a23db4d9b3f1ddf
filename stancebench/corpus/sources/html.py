"""Saved web pages -> Article: main text, title, date, outlet and URL with trafilatura.

trafilatura finds the date with htmldate (from the page's metadata, else its text and URL);
its paragraphs are separated here by a blank line, as in a .txt seed. A page with no main text
(under MIN_PAGE_TEXT characters) yields a warning, not an article.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from stancebench.corpus.articles import SourceText
from stancebench.corpus.statements import ExtractWarning
from stancebench.errors import InputError, MissingExtraError
from stancebench.schema import Article

__all__ = ["MIN_PAGE_TEXT", "page_article", "read_html_file"]

#: Less main text than this is not an article (an index page, a login wall, a video page).
MIN_PAGE_TEXT = 200


def _trafilatura():
    try:
        import trafilatura
    except ImportError:
        raise MissingExtraError("reading .html pages and WARC files", "sources") from None
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    return trafilatura


def page_article(html: bytes | str, article_id: str, *, path: str, record: str | None = None,
                 url: str | None = None) -> Article | None:
    """The page's main text and metadata as an Article, or None when it has no main text."""
    trafilatura = _trafilatura()
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False,
            date_extraction_params={"original_date": True, "extensive_search": True},
        )
    except (ValueError, TypeError, AttributeError):  # trafilatura's answer to some malformed documents
        doc = None
    lines = (getattr(doc, "text", None) or "").replace("\r\n", "\n").split("\n")
    # One paragraph per line in trafilatura's output; a blank line between them, as in a .txt seed.
    text = "\n\n".join(line.strip() for line in lines if line.strip())
    if doc is None or len(text) < MIN_PAGE_TEXT:
        return None
    page_url = getattr(doc, "url", None) or url
    outlet = getattr(doc, "sitename", None) or getattr(doc, "hostname", None)
    if not outlet and page_url:
        outlet = urlsplit(page_url).hostname
    title = (getattr(doc, "title", None) or "").strip() or text.split("\n", 1)[0].strip()
    return Article(
        id=article_id, title=title, text=text, outlet=outlet or None, date=getattr(doc, "date", None) or None,
        url=page_url or None, language=getattr(doc, "language", None) or "en", path=path, record=record,
    )


def read_html_file(path: Path) -> Iterator[SourceText | ExtractWarning]:
    """One saved page: its article, or a warning when it has no main text."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(path, 0, f"cannot read ({err.strerror})") from None
    if not raw.strip():
        raise InputError(path, 0, "empty file")
    article = page_article(raw, path.stem, path=str(path))
    if article is None:
        yield ExtractWarning(str(path), 0, "no main text found in the page; skipped")
    else:
        yield SourceText(article)
