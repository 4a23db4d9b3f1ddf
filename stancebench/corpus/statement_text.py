"""A statement's text: what its id hashes (`normalise_statement_text`, `statement_id`) and `screen_safe`.

`screen_safe` blanks terminal control characters in an article's text before extraction, so no
statement, context or warning carries an escape sequence to an annotator's terminal.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

__all__ = ["CONTROL_CHARACTERS", "normalise_statement_text", "screen_safe", "statement_id"]

_QUOTE_CHARS = (*((mark, '"') for mark in "“”„«»″"), *((mark, "'") for mark in "‘’‚‹›′`"))
#: The marks news text holds, most often first (not '″', which NFKC makes two '′').
_CURLY = (("’", "'"), ("“", '"'), ("”", '"'), ("‘", "'"))
#: Terminal escape sequences (CSI, OSC) whole, then any other C0/C1 control but tab and line break.
#: The controls as UTF-8 bytes, for a first check (~3x a search for the character class): C0 and DEL bytes,
#: and the C1 characters' two bytes.
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")  # a literal first byte: `re` skips ahead to it
_CONTROL = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
#: Every character `screen_safe` blanks or starts an escape sequence with (C0 but tab and line break, DEL, C1).
CONTROL_CHARACTERS = tuple(map(chr, (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))))


def normalise_statement_text(text: str) -> str:
    """NFKC, one kind of quotation mark, single spaces, casefolded: what a statement id hashes."""
    if not text.isascii():
        # Curly marks are starters NFKC keeps and composes with nothing: made plain first, they leave most non-ASCII
        # statements ASCII, which NFKC need not look at (a text still not ASCII is normalised as it is now).
        for mark, plain in _CURLY:
            if mark in text:
                text = text.replace(mark, plain)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
            for mark, plain in _QUOTE_CHARS:
                if mark in text:  # most texts have one or two kinds of mark: faster than str.translate
                    text = text.replace(mark, plain)
            return _single_spaced(text).casefold()
    # NFKC leaves ASCII as it is; of the marks, only the backtick is ASCII (and of ASCII, `casefold` is `lower`)
    return _single_spaced(text.replace("`", "'") if "`" in text else text).casefold()


def _single_spaced(text: str) -> str:
    """`" ".join(text.split())`, without splitting a text that is so already (most are)."""
    # Every character `split` splits at but the space is unprintable, so a printable text without two spaces in
    # a row or at its ends has nothing to change (`isprintable` is one pass in C, ~5x faster than split and join).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def statement_id(article_id: str, text: str) -> str:
    """Stable id: first 16 hex digits of sha256(article id, normalised text)."""
    key = f"{article_id}\x1f{normalise_statement_text(text)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def screen_safe(text: str) -> str:
    """`text` with terminal control characters (ESC, other C0 and C1 codes but tab and line break) as spaces.

    Same length, so statement spans still index into the article's text.
    """
    raw = text.encode("utf-8", "surrogatepass")  # C encoders, fast; `translate` deletes the control bytes
    if len(raw.translate(None, _CONTROL_BYTES)) == len(raw) and (text.isascii() or _C1_UTF8.search(raw) is None):
        return text
    return _CONTROL.sub(lambda m: " " * len(m.group()), text)
