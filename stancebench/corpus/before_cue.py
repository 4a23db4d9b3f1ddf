"""What the words just before a cue say about it: a passive or a progressive ('was warned', 'has been urging'),
a modal ('would respond') or auxiliaries and adverbs between a source and its cue ('Blinken has also').

`stancebench.corpus.reported` asks these of the text before each cue. Each check is the search of a pattern
anchored at the end, done only when the last word can end a match (most words before a cue cannot).
"""

from __future__ import annotations

import re

from stancebench.corpus.scanning import word_trie

__all__ = ["strip_aux"]

# (the words as tries: ignoring case, `re` tries ~2 of them at a place, not 9)
_PASSIVE = re.compile(rf"\b(?:{word_trie(str.split('was were is are been be being it to'))})\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PROGRESSIVE = re.compile(
    rf"\b(?:{word_trie(str.split('has have had is are was were been be'))})\s+(?:\w+ly\s+)?(?:been\s+)?$")
#: How the last word before a cue ends when `_PASSIVE` / `_PROGRESSIVE` may match there: one of their words, or 'ly'.
_PASSIVE_WORDS = ("was", "were", "is", "are", "been", "be", "being", "it", "to", "ly")
_PROGRESSIVE_WORDS = ("has", "have", "had", "is", "are", "was", "were", "been", "be", "ly")
_AUX_WORDS = str.split(
    """has have had also repeatedly previously publicly again reportedly then later earlier already once recently
    separately privately would will did does do could may might openly explicitly initially first further been is
    are was were"""
)
_WEEKDAYS = str.split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_AUX = re.compile(
    rf"(?:\s*,?\s*\b(?:{word_trie(_AUX_WORDS)}|on\s+(?:{'|'.join(_WEEKDAYS)})|last\s+week|this\s+week)\b)+\s*$"
)
#: The words an `_AUX` match can end with: a phrase ending otherwise needs no regex search.
_AUX_LAST_WORDS = (*_AUX_WORDS, *_WEEKDAYS, "week")
#: `_AUX_LAST_WORDS` by their last two letters (every one has two or more).
_AUX_BY_END = {end: tuple(w for w in _AUX_LAST_WORDS if w.endswith(end)) for end in {w[-2:] for w in _AUX_LAST_WORDS}}
#: The words an `_AUX` match is made of.
_AUX_PIECES = frozenset((*_AUX_WORDS, *_WEEKDAYS, "on", "last", "this", "week"))
#: A modal before a base form: 'would respond', 'did not deny', 'to clarify'.
_MODAL_WORDS = str.split("will would could can cannot may might should must shall did does do to not n't")
_MODAL_BEFORE = re.compile(  # (the words as a trie: ignoring case, `re` tries ~3 of them at a place, not 15)
    rf"\b(?:{word_trie(_MODAL_WORDS)})\s+(?:(?:\w+ly|not|never|also|yet|still|then)\s+)*$", re.IGNORECASE)


def strip_aux(text: str, window: int = 120) -> str:
    """`_AUX.sub('', text)`: auxiliaries and adverbs at the end ('Blinken has also'), searching only the tail."""
    body = text.rstrip()
    if not body.endswith(_AUX_BY_END.get(body[-2:], ())):  # (the few words with its last two letters: ~3x faster)
        return text
    start = max(0, len(text) - window)
    # An `_AUX` match is made of `_AUX_PIECES`, white space and commas, so none starts before the last word (between
    # white space) that is not: over a long window the search starts there, ~4x faster.
    rest = text[start:].rstrip() if len(text) - start > 40 else ""
    while rest:
        parts = rest.rsplit(None, 1)
        word = parts[-1]
        if word not in _AUX_PIECES and ("," not in word or not _AUX_PIECES.issuperset(word.replace(",", " ").split())):
            start += len(rest) - len(word)
            break
        rest = parts[0] if len(parts) == 2 else ""
    match = _AUX.search(text, start)
    return text[: match.start()] if match else text


def _ends_like(pattern: re.Pattern[str], ends: tuple[str, ...], left: str) -> bool:
    """`pattern.search(left, len(left) - 40)` for `_PASSIVE` and `_PROGRESSIVE` (one of their words, an adverb,
    'been', spaces, the end), ~5x faster: the search only when the last word ends like one of `ends` (their
    words, 'ly')."""
    if not left[-1:].isspace():
        return False
    tail = left[-40:]
    body = tail.rstrip()
    # A match ends with one of the words (at most 5 letters) or an adverb's 'ly', then white space: only the last 5
    # letters tell. (`re`'s IGNORECASE also folds a few non-ASCII letters: those take the search of the whole tail.)
    end = body[-5:]
    if not end.isascii():
        return pattern.search(left, len(left) - 40) is not None  # (`re` takes a negative start as 0)
    end = end.lower()
    if not end.endswith(ends):
        return False
    # A match starts with one of the words: at the end, or just before the adverb that ends the text (a search from
    # there tries ~5 places, not 40: with IGNORECASE, ~300 instructions a place). A match that ends with 'been' has
    # one starting at that 'been'.
    head = body
    if end[-2:] == "ly":
        head = body.rsplit(None, 1)[0]
        if (before := head[-5:]).isascii() and not before.lower().endswith(ends):
            return False  # (the word before the adverb is none of the words: 'has publicly')
    start, at = len(left) - len(tail), len(left) - len(tail) + len(head) - 5
    return pattern.search(left, at if at > start else start) is not None

