"""Quotation-mark pairs and sentences in an article's paragraphs (the layout itself: `stancebench.corpus.layout`).

Everything here works on character offsets into `Article.text` and uses compiled regular
expressions over whole paragraphs, never per-character Python loops.

Quotation marks: straight and curly double marks pair up in any mix (“…" and "…”), a curly
opening mark followed by a space closes a quote (“…“ typed wrongly), a closing mark with no
opening one ends a quote taken to start at its sentence, a quote left open
at the end of a paragraph continues when the next paragraph re-opens it and is otherwise closed
there with a warning, so one malformed quote never swallows the rest of the article. Single
marks (‘…’ or '…') count as quotation marks only in a paragraph without double marks (inside
double quotes they are part of the quoted text; elsewhere most are apostrophes).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field

from stancebench.corpus.layout import (  # re-exported: callers import them from here
    _BLOCK_BREAK,
    _LINE_BREAK,
    Unit,
    is_hard_wrapped,
    layout_units,
    paragraph_break,
)

__all__ = ["MARK_CHARACTERS", "OTHER_SENTENCE_MARKS", "Unit", "Quote", "is_hard_wrapped", "layout_units",
           "paragraph_break", "quote_marks", "scan_quotes", "split_sentences", "squash_quote"]

_DOUBLE_MARKS = "\"“”„«»"
#: The characters `quote_marks` looks for: the double marks, and the single marks that may open a quote.
MARK_CHARACTERS = (_DOUBLE_MARKS, "'‘")
#: What may stand before a single mark that opens a quote, besides a space (see `_SINGLE_OPEN`).
_SINGLE_BEFORE = "(:—–-"
_OPENERS = "\"“„«"
# The mark comes first and the look-behind after it, so `re` can skip ahead to the marks:
# an opening mark at the start of the text or after a space, bracket, colon or dash ...
_SINGLE_OPEN = re.compile(r"[‘'](?<![^\s(:—–-][‘'])(?=[^\W_])")
# ... and a closing mark after a non-space, before the end, a space or punctuation.
_SINGLE_CLOSE = re.compile(r"[’'](?<=[^\s][’'])(?=$|[\s.,;:!?)—–-])")
# A single closing mark (after the single one that opened a quote a lone double mark closes).
_SINGLE_CLOSE_AFTER = re.compile(r"’(?=$|[\s.,;:!?)—–-])")
# In a quote left open: '…, Zelensky said at the summit.' -- the quote most likely ends at that comma.
_ATTRIBUTION_INSIDE = re.compile(
    r",(?=\s+(?:(?:[A-Z][\w.'’-]*|he|she|they)\s+){1,5}(?:said|says|added|warned|told|insisted|stressed)\b)"
)
_SPACE_BEFORE = " \t\n\u00a0([{—–-/:"
_SPACE_AFTER = " \t\n\u00a0.,;:!?)]}—–-…'’\"”"
_BOUNDARY = re.compile(
    r"[.!?…]+[\"”’')]*(?=[ \t\u00a0\n]+[\"“‘'(]?[A-Z0-9])"  # ". Next" (a wrapped line may end a sentence)
    r"|(?<=[a-z]{2}[.!?])[\"”]?(?=[\"“]?[A-Z][a-z])"  # ".Next" (no space after the previous sentence)
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Adm|Sgt|St|Jr|Sr|No|Inc|Corp|Co|vs|etc|Prof|Jan|Feb|Mar|Apr"
    r"|Aug|Sept?|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)$"
)
_ABBREVIATIONS = tuple(str.split(
    "Mr Mrs Ms Dr Gen Sen Rep Gov Lt Col Maj Capt Adm Sgt St Jr Sr No Inc Corp Co vs etc Prof Jan Feb Mar Apr Aug Sep Sept "
    "Oct Nov Dec"))


#: The last two letters of each abbreviation: a set look-up rules out most words before `endswith` tries all 37.
_ABBREVIATION_ENDS = frozenset(word[-2:] for word in _ABBREVIATIONS)


def _abbreviation(text: str, start: int, end: int) -> re.Match[str] | None:
    """`_ABBREVIATION.search(text[start:end])`, the search only when that ends with a capital or an abbreviation."""
    if end > start and (text[end - 1] in _CAPITALS or text[end - 1] == "\n" or (
            end - start >= 2 and text[end - 2 : end] in _ABBREVIATION_ENDS and text.endswith(_ABBREVIATIONS, start, end))):
        return _ABBREVIATION.search(text[start:end])
    return None


_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SENTENCE_STARTERS = frozenset(str.split(
    "The He She It They We I But And In On At A An This That These Those As After Before When While However Still "
    "Yet So Earlier Later Previously Meanwhile Then Now Officials")
)
@dataclass(slots=True)
class Quote:
    """A pair of quotation marks: content [start, end); `close` is just after the closing mark."""

    open: int
    start: int
    end: int
    close: int
    reopens: list[int] = field(default_factory=list)
    is_direct: bool = False


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return start, start
    left = start + chunk.index(stripped[0])
    return left, left + len(stripped)


def quote_marks(text: str, found: tuple[list[int], list[int]] | None = None) -> tuple[list[int], list[int]]:
    """Where the double quotation marks are, and where a single mark may open a quote: sorted offsets.

    A unit holding neither holds no quote (what `scan_quotes` finds in it, when given them). `found`: where the
    characters of each of `MARK_CHARACTERS` occur (sorted), if the caller has them.
    """
    doubles, singles = found if found is not None else [_positions(text, chars) for chars in MARK_CHARACTERS]
    # (the superset of where `_SINGLE_OPEN` can match: after a space, bracket, colon or dash, or at the start)
    return doubles, [at for at in singles if at == 0 or text[at - 1] in _SINGLE_BEFORE or text[at - 1].isspace()]


def scan_quotes(
    text: str, units: list[Unit], warn: Callable[[int, str], None],
    marks: tuple[list[int], list[int]] | None = None,
) -> tuple[list[Quote], list[tuple[int, int]]]:
    """All quotation-mark pairs, plus the text segments (paragraphs joined by continued quotes).

    `units` may be a selection of the article's units (`layout_units(..., holding=...)`) as long as it
    keeps every unit that holds a quotation mark; `marks` is `quote_marks(text)` if the caller has it.
    """
    quotes: list[Quote] = []
    segments: list[tuple[int, int]] = []
    carry: Quote | None = None
    # One pass over the whole text for double marks and for single marks that may open a quote; each unit
    # takes its slice (units are in text order, so the slices are found by moving on, not by searching).
    all_marks, singles = marks or quote_marks(text)
    m = s = 0
    n_marks, n_singles = len(all_marks), len(singles)
    for index, (p0, p1, kind) in enumerate(units):
        if kind == "skip":
            continue
        while m < n_marks and all_marks[m] < p0:
            m += 1
        if carry is None:
            segments.append((p0, p1))
            if m == n_marks or all_marks[m] >= p1:  # no double marks: most paragraphs
                while s < n_singles and singles[s] < p0:
                    s += 1
                if s < n_singles and singles[s] < p1:
                    quotes.extend(_single_quotes(text, p0, p1))
                continue
        else:
            carry.reopens.append(p0)
            segments[-1] = (segments[-1][0], p1)
        first = m
        while m < n_marks and all_marks[m] < p1:
            m += 1
        marks = all_marks[first:m]
        current, carry = carry, None
        last_close = p0
        for pos in marks:
            if current is not None and current.reopens and pos == current.reopens[-1]:
                continue
            mark = text[pos]
            before = text[pos - 1] if pos > p0 else " "
            after = text[pos + 1] if pos + 1 < p1 else " "
            opens_like = before in _SPACE_BEFORE and after not in _SPACE_AFTER
            closes_like = before not in _SPACE_BEFORE and (after in _SPACE_AFTER or pos + 1 == p1)
            if current is None:
                if not opens_like and (closes_like or mark in "”»"):
                    single = _last_single_open(text, last_close, pos)  # 'said: ‘Anyone who …."' (marks mixed)
                    if single != -1 and _SINGLE_CLOSE_AFTER.search(text, single + 1, pos) is None:
                        warn(single, "quotation marks do not match (a single one opens, a double one closes)")
                        quotes.append(Quote(single, single + 1, pos, pos + 1))
                        last_close = pos + 1
                        continue
                    begin = last_close  # the quote is taken to be the sentence the closing mark ends
                    for boundary in _boundaries(text, last_close, pos):
                        begin = boundary[1]
                    start, end = _trim(text, begin, pos)
                    if end > start:
                        warn(start, "closing quotation mark without an opening one; the quote is taken to start here")
                        quotes.append(Quote(start, start, end, pos + 1))
                    last_close = pos + 1
                else:
                    current = Quote(pos, pos + 1, pos + 1, pos + 1)
            elif opens_like and not closes_like and mark not in "”»":
                warn(current.open, "quotation mark opened here is not closed before the next one opens")
                current.end = _trim(text, current.start, pos)[1]
                current.close = current.end
                quotes.append(current)
                current = Quote(pos, pos + 1, pos + 1, pos + 1)
            else:
                current.end, current.close = pos, pos + 1
                quotes.append(current)
                last_close = pos + 1
                current = None
        if current is not None:
            following = units[index + 1] if index + 1 < len(units) else None
            # (In a selection of units the next one given is the next in the text if only spaces lie between.)
            if following is not None and following.kind == kind == "prose" and text[following.start] in _OPENERS \
                    and (following.start == p1 or text[p1 : following.start].isspace()):
                carry = current  # a quote re-opened at the next paragraph continues there
                continue
            warn(current.open, "quotation mark opened here is never closed; the quote ends with its paragraph")
            inside = _ATTRIBUTION_INSIDE.search(text, current.start, p1)
            current.end = current.close = inside.end() if inside else _trim(text, current.start, p1)[1]
            quotes.append(current)
    return quotes, segments


def _last_single_open(text: str, start: int, end: int) -> int:
    """Where the last ‘ in [start, end) that opens a quote (after a space, bracket, colon or dash, before a word) is,
    or -1 (a look back from `end`: linear, however many marks the paragraph holds)."""
    at = text.rfind("‘", start, end)
    while at != -1:
        if (at == 0 or text[at - 1].isspace() or text[at - 1] in _SINGLE_BEFORE) and at + 1 < end \
                and (text[at + 1].isalnum()):
            return at
        at = text.rfind("‘", start, at)
    return -1


def _positions(text: str, chars: str, start: int = 0, end: int | None = None) -> list[int]:
    """Where any of `chars` occurs in `text[start:end]`, sorted (`str.find` per character: ~5x a character-class regex)."""
    found: list[int] = []
    find = text.find
    end = len(text) if end is None else end
    for char in chars:
        at = find(char, start, end)
        while at != -1:
            found.append(at)
            at = find(char, at + 1, end)
    if len(chars) > 1:
        found.sort()
    return found


def _single_quotes(text: str, p0: int, p1: int) -> list[Quote]:
    found: list[Quote] = []
    openings = list(_SINGLE_OPEN.finditer(text, p0, p1))
    if not openings:
        return found
    # A closing mark after an "s" and before a lower-case word is a plural possessive ("allies' weapons").
    closes = [c for m in _SINGLE_CLOSE.finditer(text, p0, p1)
              if not (text[(c := m.start()) - 1] == "s" and c + 1 < p1 and text[c + 1] == " "
                      and text[c + 2 : c + 3].islower())]
    position = p0
    for opening in openings:
        if opening.start() < position:
            continue
        i = bisect_left(closes, opening.start() + 2)
        if i == len(closes):
            break  # no closing mark after this opening, nor after any later one
        close = closes[i]
        found.append(Quote(opening.start(), opening.start() + 1, close, close + 1))
        position = close + 1
    return found


#: `_BOUNDARY` led by the sentence mark (a ".Next" boundary starts just after it, at group `glued`): a pattern
#: that starts with one character set lets `re` skip ahead to the marks (~4x a search for `_BOUNDARY` itself).
_BOUNDARY_AT_MARK = re.compile(
    r"[.!?…](?:[.!?…]*[\"”’')]*(?=[ \t\u00a0\n]+[\"“‘'(]?[A-Z0-9])"  # (straight ' too: 'We will,' he said)
    r"|(?<=[a-z]{2}[.!?])(?P<glued>[\"”]?)(?=[\"“]?[A-Z][a-z]))"
)


#: `_BOUNDARY_AT_MARK` for a text without '!', '?' or '…': led by the full stop alone, a literal that `re` skips ahead
#: to ~1.5x faster than to a set of characters.
_BOUNDARY_AT_DOT = re.compile(_BOUNDARY_AT_MARK.pattern.replace("[.!?…](?:", r"\.(?:", 1))
#: The sentence marks but the full stop.
OTHER_SENTENCE_MARKS = "!?…"


def _boundaries(text: str, start: int, end: int, dots_only: bool = False) -> list[tuple[int, int]]:
    """The spans of `_BOUNDARY.finditer(text, start, end)`, found by a search that skips ahead to the marks.

    Every `_BOUNDARY` match starts at a sentence mark or just after one, so `_BOUNDARY_AT_MARK`
    finds the same matches from their marks; only a match just after a mark before `start` is
    tried by itself. `dots_only`: text[start:end] holds none of `OTHER_SENTENCE_MARKS`.
    """
    found: list[tuple[int, int]] = []
    pos = start
    if 0 < start < end and text[start - 1] in ".!?" and (match := _BOUNDARY.match(text, start, end)) is not None:
        found.append(match.span())
        pos = match.end()
    at_mark = _BOUNDARY_AT_DOT if dots_only else _BOUNDARY_AT_MARK
    for match in at_mark.finditer(text, pos, end):  # (`glued` is the last group only when it took part)
        found.append(match.span() if match.lastgroup is None else (match.start("glued"), match.end()))
    return found


def split_sentences(text: str, start: int, end: int, quotes: list[Quote],
                    breaks: re.Pattern[str] = _BLOCK_BREAK, dots_only: bool = False) -> list[tuple[int, int]]:
    """Sentence spans in [start, end); never inside a quote, always at a paragraph break (`breaks`) outside one.

    `dots_only`: text[start:end] holds none of `OTHER_SENTENCE_MARKS` (the caller knows; it makes the search faster).
    """
    cuts: list[int] = []
    # `_boundaries` inlined (a sentence is split per paragraph that may hold a statement): its matches, whose
    # ends are the cuts; a ".Next" match (group `glued`) starts after its mark, so no abbreviation ends there.
    pos = start
    matches = []
    if 0 < start < end and text[start - 1] in ".!?" and (match := _BOUNDARY.match(text, start, end)) is not None:
        matches.append(match)
        pos = match.end()
    matches.extend((_BOUNDARY_AT_DOT if dots_only else _BOUNDARY_AT_MARK).finditer(text, pos, end))
    if matches:
        # Quotes do not overlap, so sorted by opening they are sorted by closing too, and the cuts come in
        # order: one pointer moves on past the quotes closed before each cut.
        inside = [(q.open, q.close) for q in quotes if q.close > start and q.open < end] if quotes else []
        i, n = 0, len(inside)
        for match in matches:
            cut = match.end()
            while i < n and inside[i][1] <= cut:
                i += 1
            if i < n and inside[i][0] < cut:
                continue
            at = match.start()
            if text[at] == "." and match.lastgroup is None \
                    and (abbreviation := _abbreviation(text, max(start, at - 8), at)) is not None:
                following = text[cut : min(end, cut + 40)].split(None, 1)
                word = following[0].strip("\"“‘(") if following else ""
                if not ("." in abbreviation.group() and word in _SENTENCE_STARTERS):
                    continue
            cuts.append(cut)
    # Both layouts' paragraph breaks start with a line break: a paragraph without one has none.
    if (breaks is not _LINE_BREAK and breaks is not _BLOCK_BREAK) or text.find("\n", start, end) != -1:
        inside = [(q.open, q.close) for q in quotes if q.close > start and q.open < end]
        opens = [a for a, _ in inside]
        for brk in breaks.finditer(text, start, end):
            i = bisect_left(opens, brk.start()) - 1
            if not (i >= 0 and inside[i][1] > brk.start()):
                cuts.append(brk.start())
        cuts = sorted(set(cuts))
    spans = []
    position = start
    for cut in (*cuts, end):  # each piece without the spaces at its ends: most have one space before, none after
        left, right = position, cut
        if left < right and text[left].isspace():
            left += 1
            if left < right and text[left].isspace():  # a run of them: `lstrip` in C
                left = right - len(text[left:right].lstrip())
        if right > left and text[right - 1].isspace():
            right = left + len(text[left:right].rstrip())
        if left < right:
            spans.append((left, right))
        position = cut
    return spans


def squash_quote(text: str, quote: Quote, start: int, end: int) -> str:
    """The quoted text in [start, end) without re-opening marks, paragraph breaks as one space."""
    if not quote.reopens:
        return text[start:end]
    pieces = []
    position = start
    for reopen in quote.reopens:
        pieces.append(text[position:reopen].strip())
        position = reopen + 1
    pieces.append(text[position:end].strip())
    return " ".join(p for p in pieces if p)
