"""seeds/*.txt|.md -> Article: decoding, front matter, line endings, bad-file checks.

`Article.text` is the body after any front matter, decoded from UTF-8 without its BOM and
with CRLF/CR line endings turned into LF. Statement spans (`start`, `end`) index into exactly
this string, so `article.text[s.start:s.end]` is the statement's source text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stancebench.errors import InputError, StancebenchError
from stancebench.schema import Article
from stancebench.store import read_bytes

__all__ = ["ARTICLE_SUFFIXES", "SourceText", "read_article", "read_articles", "read_source", "list_article_paths"]

#: File name endings that count as articles in a seeds folder.
ARTICLE_SUFFIXES = (".txt", ".md")
FRONT_MATTER_KEYS = ("title", "outlet", "date", "url", "language")

_NEWLINES = re.compile(r"\r\n?")
_FRONT_LINE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)")
_MD_HEADING = re.compile(r"#{1,6}\s+")


@dataclass(frozen=True, slots=True)
class SourceText:
    """An article plus where its body starts in the file (for `file:line` warnings)."""

    article: Article
    first_line: int = 1

    def line_of(self, offset: int) -> int:
        """The 1-based line in the file of a character offset into `article.text`."""
        return self.first_line + self.article.text.count("\n", 0, offset)


def _decode(path: Path, raw: bytes) -> str:
    if not raw or raw.isspace():  # isspace: no stripped copy of every file
        raise InputError(path, 0, "empty file")
    if b"\x00" in raw[:8192]:
        raise InputError(path, 0, "binary file, expected UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(path, line, f"not UTF-8 text (byte 0x{raw[err.start]:02x})") from None
    text = text.removeprefix("\ufeff")
    return _NEWLINES.sub("\n", text) if "\r" in text else text


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, str], str, int]:
    """(metadata, body, first body line); the block is `---` lines around `key: value` lines."""
    if not text.startswith("---\n"):
        return {}, text, 1
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4 : end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    if end == -1:
        raise InputError(path, 1, "front matter opened with '---' is never closed")
    meta: dict[str, str] = {}
    for lineno, line in enumerate(text[4:end].split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FRONT_LINE.fullmatch(line.strip())
        if match is None:
            raise InputError(path, lineno, f"front matter line is not 'key: value': {line.strip()[:40]!r}")
        value = match.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        meta[match.group(1).lower()] = value
    body_start = end + 5
    first_line = text.count("\n", 0, body_start) + 1
    return meta, text[body_start:], first_line


def _first_line(body: str) -> str:
    """The first line with more than white space (the body has one), without splitting the whole body."""
    start = 0
    while True:
        end = body.find("\n", start)
        if end == -1:
            return body[start:]
        if not body[start:end].isspace() and end > start:
            return body[start:end]
        start = end + 1


def read_source(path: str | Path) -> SourceText:
    """Read one article file, keeping where its body starts; bad files raise InputError."""
    path = path if isinstance(path, Path) else Path(path)  # called per file: no copy of a Path
    try:
        raw = read_bytes(path)  # regular files only, size-bounded (a seed linked to /dev/zero)
    except FileNotFoundError:
        raise InputError(path, 0, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, 0, "is a folder, expected a file") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read ({err.strerror})") from None
    meta, body, first_line = _split_front_matter(path, _decode(path, raw))
    if not body or body.isspace():
        raise InputError(path, 0, "empty article (no text after the front matter)")
    title = meta.get("title", "").strip()
    if not title:
        first = _first_line(body)
        title = _MD_HEADING.sub("", first.strip(), count=1) if path.suffix == ".md" else first.strip()
    article = Article(
        id=path.stem,
        title=title,
        text=body,
        outlet=meta.get("outlet") or None,
        date=meta.get("date") or None,
        url=meta.get("url") or None,
        language=meta.get("language") or "en",
        path=str(path),
    )
    return SourceText(article, first_line)


def read_article(path: str | Path) -> Article:
    """Read one .txt/.md article (optional front matter); the id is the file name stem."""
    return read_source(path).article


def list_article_paths(folder: str | Path) -> list[Path]:
    """The article files in a seeds folder, sorted by name; a missing folder is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        problem = "is a file, expected a folder" if folder.exists() else "seeds folder not found"
        raise StancebenchError(f"{folder}: {problem}")
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".") and not p.is_dir()
    )


def read_articles(folder: str | Path) -> list[Article]:
    """Every article in a seeds folder, sorted by file name; the first bad file raises InputError."""
    return [read_article(path) for path in list_article_paths(folder)]
