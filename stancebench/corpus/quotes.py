"""An article's layout: headline lines and paragraphs, quotation-mark pairs, sentences.

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
from typing import NamedTuple

__all__ = ["Unit", "Quote", "is_hard_wrapped", "layout_units", "paragraph_break", "scan_quotes", "split_sentences",
           "squash_quote"]

_BLOCK_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")
#: On web text every line break ends a paragraph.
_LINE_BREAK = re.compile(r"\n\s*")
_WRAP_SAMPLE = 80  # inner breaks looked at: enough to tell the layout, cheap on a long article
_LONGEST_HEADLINE = 300  # a longer line without a full stop is a paragraph that lost its punctuation
_WRAP_WIDTH = 100
_WRAP_SHORTEST = 40  # a wrapped line is at most this long (most wrap at 60-80 characters)
_LINE = re.compile(r"[^\n]+")
_MD_HEADING = re.compile(r"#{1,6}[ \t]+")
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"”’)\]]\s*$")
_DOUBLE_MARKS = "\"“”„«»"
#: What may stand before a single mark that opens a quote, besides a space (see `_SINGLE_OPEN`).
_SINGLE_BEFORE = "(:—–-"
_OPENERS = "\"“„«"
# The mark comes first and the look-behind after it, so `re` can skip ahead to the marks:
# an opening mark at the start of the text or after a space, bracket, colon or dash ...
_SINGLE_OPEN = re.compile(r"[‘'](?<![^\s(:—–-][‘'])(?=[^\W_])")
# ... and a closing mark after a non-space, before the end, a space or punctuation.
_SINGLE_CLOSE = re.compile(r"[’'](?<=[^\s][’'])(?=$|[\s.,;:!?)—–-])")
# In a quote left open: '…, Zelensky said at the summit.' -- the quote most likely ends at that comma.
_ATTRIBUTION_INSIDE = re.compile(
    r",(?=\s+(?:(?:[A-Z][\w.'’-]*|he|she|they)\s+){1,5}(?:said|says|added|warned|told|insisted|stressed)\b)"
)
_SPACE_BEFORE = " \t\n\u00a0([{—–-/:"
_SPACE_AFTER = " \t\n\u00a0.,;:!?)]}—–-…'’\"”"
_BOUNDARY = re.compile(
    r"[.!?…]+[\"”’)]*(?=[ \t\u00a0\n]+[\"“‘(]?[A-Z0-9])"  # ". Next" (a wrapped line may end a sentence)
    r"|(?<=[a-z]{2}[.!?])[\"”]?(?=[\"“]?[A-Z][a-z])"  # ".Next" (no space after the previous sentence)
)
_SENTENCE_MARKS = ".!?…"
_AFTER_MARK_STARTS = frozenset(".!?…\"”“ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Adm|Sgt|St|Jr|Sr|No|Inc|Corp|Co|vs|etc|Prof|Jan|Feb|Mar|Apr"
    r"|Aug|Sept?|Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)$"
)
_ABBREVIATIONS = tuple(str.split(
    "Mr Mrs Ms Dr Gen Sen Rep Gov Lt Col Maj Capt Adm Sgt St Jr Sr No Inc Corp Co vs etc Prof Jan Feb Mar Apr Aug Sep Sept "
    "Oct Nov Dec"))


def _abbreviation(head: str) -> re.Match[str] | None:
    """`_ABBREVIATION.search(head)`, the search only when `head` ends with a capital or an abbreviation."""
    if head[-1:] in _CAPITALS or head.endswith(_ABBREVIATIONS) or head.endswith("\n"):
        return _ABBREVIATION.search(head)
    return None


_CAPITALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SENTENCE_STARTERS = frozenset(str.split(
    "The He She It They We I But And In On At A An This That These Those As After Before When While However Still "
    "Yet So Earlier Later Previously Meanwhile Then Now Officials")
)
_BOILERPLATE_START = re.compile(
    r"(?:catch all the|download the|subscribe|sign up|read more|also read|follow us|click here|advertisement"
    r"|related:|watch:|listen:|share this|copyright|©|all rights reserved|(?:reporting|writing|editing) by\b|by [A-Z])",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"contributed (?:reporting )?to this (?:article|report|story)", re.IGNORECASE)
_CAPTION_START = re.compile(r"(?:photo|image|picture|file photo|caption|pictured)\b", re.IGNORECASE)
_CAPTION_CREDIT = re.compile(r"\b(?:photo|image|picture)(?: credit)?\s*[:/]", re.IGNORECASE)
_SKIP_START = re.compile(f"(?:{_BOILERPLATE_START.pattern})|(?:{_CAPTION_START.pattern})", re.IGNORECASE)
_CAPTION_END = re.compile(r"(?:\((?:AP|AFP|Reuters|Getty|EPA)[^)]*\)|/\s*(?:AP|AFP|Reuters|Getty Images|EPA))\s*$")


def _is_boilerplate_or_caption(body: str, has_credit_words: bool = True) -> bool:
    """Boilerplate, byline or caption; `has_credit_words=False` promises that `body.lower()` holds
    none of the words the byline and caption-credit checks need, so only its start and end are checked."""
    if _SKIP_START.match(body):
        return True
    if has_credit_words:
        lower = body.lower()
        if ("contributed" in lower and _BYLINE.search(body)) or (
                ("photo" in lower or "image" in lower or "picture" in lower) and ("/" in body or ":" in body)
                and _CAPTION_CREDIT.search(body)):
            return True
    return bool((body.endswith(")") or "/" in body[-30:]) and _CAPTION_END.search(body, max(0, len(body) - 80)))


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE_STAMP = re.compile(
    r"(?:(?:published|updated|posted|last updated)\s*:?\s*)?(?:[A-Z][a-z]+day,?\s+)?"
    rf"(?:\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
    r"(?:[,\s]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?)?\s*\Z",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")  # every date stamp has one: a fast first check
_CREDIT_WORDS = (b"contributed", b"photo", b"image", b"picture")


def _credit_word_spans(text: str) -> list[tuple[int, int]]:
    """Where `text.lower()` holds a byline or caption-credit word, as character spans of `text`, sorted.

    One pass over the UTF-8 bytes: `bytes.lower` is ASCII-only and fast, and no non-ASCII
    character lowers to a string holding these words (only U+0130 lowers to an 'i', and a
    combining dot follows it), so these are exactly the words `str.lower` would show. Byte
    offsets become character offsets by decoding only the bytes between one hit and the next.
    """
    raw = text.encode("utf-8", "surrogatepass").lower()
    is_ascii = len(raw) == len(text)
    hits = []
    for word in _CREDIT_WORDS:
        at = raw.find(word)
        while at != -1:
            hits.append((at, len(word)))
            at = raw.find(word, at + 1)
    hits.sort()
    spans = []
    byte, char = 0, 0
    for at, size in hits:
        if not is_ascii:  # every hit starts at an ASCII letter, so each slice holds whole characters
            char += len(raw[byte:at].decode("utf-8", "surrogatepass"))
            byte = at
        start = at if is_ascii else char
        spans.append((start, start + size))
    return spans


class Unit(NamedTuple):
    """A headline line or a paragraph: [start, end) in the article; kind is headline|prose|skip."""

    start: int
    end: int
    kind: str


@dataclass(slots=True)
class Quote:
    """A pair of quotation marks: content [start, end); `close` is just after the closing mark."""

    open: int
    start: int
    end: int
    close: int
    reopens: list[int] = field(default_factory=list)
    is_direct: bool = False


def is_hard_wrapped(text: str) -> bool:
    """True when lines break inside paragraphs (most lines that another line follows are short
    and do not end a sentence); on web text a line is a paragraph."""
    lines = wrapped = 0
    begin, find, size = 0, text.find, len(text)
    while (at := find("\n", begin)) != -1:
        next_begin = at + 1
        # A line with text on the next line too (a blank line after it ends a paragraph in any layout).
        if at > begin and next_begin < size and not text[next_begin].isspace() and not text[begin:at].isspace():
            ends_sentence = _ENDS_SENTENCE.search(text, max(begin, at - 8), at) is not None
            if ends_sentence or at - begin >= _WRAP_SHORTEST:  # a short line (headline, byline) tells nothing
                lines += 1
                if at - begin <= _WRAP_WIDTH and not ends_sentence:
                    wrapped += 1
                if lines >= _WRAP_SAMPLE:
                    break
        begin = next_begin
    return lines >= 2 and wrapped * 2 > lines


def paragraph_break(text: str) -> re.Pattern[str]:
    """What ends a paragraph in this article: a blank line in hard-wrapped text, any line break otherwise."""
    return _BLOCK_BREAK if is_hard_wrapped(text) else _LINE_BREAK


def layout_units(text: str, is_markdown: bool = False, breaks: re.Pattern[str] | None = None) -> list[Unit]:
    """Split the body into headline lines (before the first paragraph, or `#` lines) and paragraphs.

    A block of lines none of which ends like a sentence is a stack of headline lines; captions,
    bylines and boilerplate ("Catch all the Politics News…") are kind `skip`. `breaks` is what
    ends a paragraph (`paragraph_break(text)` when not given).
    """
    breaks = breaks or paragraph_break(text)
    credit_words = _credit_word_spans(text)
    if breaks is _LINE_BREAK and not is_markdown:
        return _line_units(text, credit_words)
    units: list[Unit] = []
    seen_prose = False
    pos = 0
    for brk in (*breaks.finditer(text), None):
        end = brk.start() if brk else len(text)
        if text.find("\n", pos, end) == -1:  # most blocks are one paragraph on one line
            lines = [(pos, end)] if pos < end and not (text[pos].isspace() and text[pos:end].isspace()) else []
        else:
            lines = [(pos + m.start(), pos + m.end()) for m in _LINE.finditer(text[pos:end]) if m.group().strip()]
        pos = brk.end() if brk else len(text)
        if not lines:
            continue
        headings = is_markdown and all(_MD_HEADING.match(text, a) for a, _ in lines)
        is_headline_stack = not seen_prose and not any(_ends_paragraph(text, a, b) for a, b in lines)
        if headings or is_headline_stack:
            for a, b in lines:
                heading = _MD_HEADING.match(text, a) if is_markdown else None
                units.append(_unit(text, heading.end() if heading else a, b, "headline", credit_words))
            continue
        seen_prose = True
        units.append(_unit(text, lines[0][0], lines[-1][1], "prose", credit_words))
    return units


def _ends_paragraph(text: str, a: int, b: int) -> bool:
    """Whether line [a, b) is too long for a headline or ends like a sentence."""
    return b - a > _LONGEST_HEADLINE or _ENDS_SENTENCE.search(text, max(a, b - 40), b) is not None


#: The first two characters, lower-cased, of any text `_SKIP_START` matches (but "©", which is not ASCII).
_SKIP_PREFIXES = frozenset(str.split("ca do su si re al fo cl ad wa li sh co wr ed by ph im pi fi"))


def _web_blocks(text: str) -> list[tuple[int, int]]:
    """On web text the blocks (what lies between two `_LINE_BREAK` matches), without the spaces at their ends
    (as `_unit` would trim them): the lines that are not blank, trimmed."""
    spans = []
    find, pos, size = text.find, 0, len(text)
    while pos < size:
        end = find("\n", pos)
        if end == -1:
            end = size
        if end > pos:
            if text[pos].isspace() or text[end - 1].isspace():
                line = text[pos:end]
                lead = len(line) - len(line.lstrip())
                if lead < len(line):
                    spans.append((pos + lead, end - (len(line) - len(line.rstrip()))))
            else:
                spans.append((pos, end))
        pos = end + 1
    return spans


def _line_units(text: str, credit_words: list[tuple[int, int]]) -> list[Unit]:
    """`layout_units` on web text (every line break ends a paragraph): one regex pass over the lines."""
    units: list[Unit] = []
    append = units.append
    blocks = iter(_web_blocks(text))
    for a, b in blocks:  # the headline lines, up to the first paragraph
        # The first block starts at the start of the text, spaces and all (its length decides if it is a headline).
        is_prose = _ends_paragraph(text, 0 if a and text.find("\n", 0, a) == -1 else a, b)
        append(_unit(text, a, b, "prose" if is_prose else "headline", credit_words))
        if is_prose:
            break
    credits = [a for a, b in credit_words]  # sorted; a span lies inside the unit it starts in (units hold no breaks)
    i, n = 0, len(credits)
    for a, b in blocks:
        while i < n and credits[i] < a:
            i += 1
        has_credit_words = i < n and credits[i] < b
        if b - a > 400 or b - a > 80 and not _may_be_skipped(text, a, b, has_credit_words):
            append(Unit(a, b, "prose"))
        else:
            append(_unit(text, a, b, "prose", credit_words if has_credit_words else []))
    return units


def _may_be_skipped(text: str, start: int, end: int, has_credit_words: bool) -> bool:
    """False when the unit [start, end) is surely no boilerplate or caption: a cheap first check."""
    head = text[start : start + 2]
    return (has_credit_words or not head.isascii() or head.lower() in _SKIP_PREFIXES or text[end - 1] == ")"
            or text.find("/", max(start, end - 30), end) != -1)


def _unit(text: str, start: int, end: int, kind: str, credit_words: list[tuple[int, int]] | None = None) -> Unit:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if 0 < end - start <= 400:  # captions, bylines and boilerplate are short
        has_credit_words = credit_words is None or _holds_span(credit_words, start, end)
        if _may_be_skipped(text, start, end, has_credit_words) \
                and _is_boilerplate_or_caption(text[start:end], has_credit_words):
            kind = "skip"
        elif end - start <= 80 and _DIGIT.search(text, start, end) and _DATE_STAMP.match(text, start, end):
            kind = "skip"  # 'May 28, 2024 14:05 CET' above the story is metadata, not a headline
    return Unit(start, end, kind)


def _holds_span(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether one of the sorted `spans` lies inside [start, end) (looking only at those starting there)."""
    i = bisect_left(spans, (start, 0))
    while i < len(spans) and spans[i][0] < end:
        if spans[i][1] <= end:
            return True
        i += 1
    return False


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped:
        return start, start
    left = start + chunk.index(stripped[0])
    return left, left + len(stripped)


def scan_quotes(
    text: str, units: list[Unit], warn: Callable[[int, str], None]
) -> tuple[list[Quote], list[tuple[int, int]]]:
    """All quotation-mark pairs, plus the text segments (paragraphs joined by continued quotes)."""
    quotes: list[Quote] = []
    segments: list[tuple[int, int]] = []
    carry: Quote | None = None
    # One pass over the whole text for double marks and for single marks that may open a quote; each unit
    # takes its slice (units are in text order, so the slices are found by moving on, not by searching).
    all_marks = _positions(text, _DOUBLE_MARKS)
    singles = _single_open_candidates(text)
    m = s = 0
    n_marks, n_singles = len(all_marks), len(singles)
    for index, unit in enumerate(units):
        if unit.kind == "skip":
            continue
        p0, p1 = unit.start, unit.end
        if carry is not None:
            carry.reopens.append(p0)
            segments[-1] = (segments[-1][0], p1)
        else:
            segments.append((p0, p1))
        while m < n_marks and all_marks[m] < p0:
            m += 1
        first = m
        while m < n_marks and all_marks[m] < p1:
            m += 1
        marks = all_marks[first:m]
        while s < n_singles and singles[s] < p0:
            s += 1
        if not marks and carry is None:
            if s < n_singles and singles[s] < p1:
                quotes.extend(_single_quotes(text, p0, p1))
            continue
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
                    begin = last_close  # the quote is taken to be the sentence the closing mark ends
                    for boundary in _boundaries(text, last_close, pos):
                        begin = boundary.end()
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
            if following is not None and following.kind == unit.kind == "prose" and text[following.start] in _OPENERS:
                carry = current  # a quote re-opened at the next paragraph continues there
                continue
            warn(current.open, "quotation mark opened here is never closed; the quote ends with its paragraph")
            inside = _ATTRIBUTION_INSIDE.search(text, current.start, p1)
            current.end = current.close = inside.end() if inside else _trim(text, current.start, p1)[1]
            quotes.append(current)
    return quotes, segments


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


def _single_open_candidates(text: str) -> list[int]:
    """Where a single mark may open a quote: every `_SINGLE_OPEN` match starts at one of these (a superset)."""
    return [at for at in _positions(text, "'‘") if at == 0 or text[at - 1] in _SINGLE_BEFORE or text[at - 1].isspace()]


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


def _boundaries(text: str, start: int, end: int) -> list[re.Match[str]]:
    """`list(_BOUNDARY.finditer(text, start, end))`, trying the pattern only at and after punctuation.

    A boundary starts at a sentence mark or just after one; `_BOUNDARY` itself starts with a
    look-behind, so `re` would try it at every position (~25 MB/s). The marks are found with
    `str.find` (most sentences hold one or two).
    """
    marks = _positions(text, _SENTENCE_MARKS, max(start - 1, 0), end)
    found: list[re.Match[str]] = []
    pos, i, n = start, 0, len(marks)
    match_at = _BOUNDARY.match
    while i < n:
        mark = marks[i]
        if mark >= pos - 1:
            for candidate in (mark, mark + 1):
                # After a mark, `_BOUNDARY` can only start at another mark, a double quotation mark or a capital.
                if pos <= candidate < end and (candidate == mark or text[candidate] in _AFTER_MARK_STARTS) \
                        and (match := match_at(text, candidate, end)) is not None:
                    found.append(match)
                    pos = max(match.end(), candidate + 1)  # an empty match is never followed by another at its place
                    break
            else:
                pos = mark + 2
            if pos <= mark + 1:
                continue  # the position after this mark is still to be tried
        i += 1
    return found


def split_sentences(text: str, start: int, end: int, quotes: list[Quote],
                    breaks: re.Pattern[str] = _BLOCK_BREAK) -> list[tuple[int, int]]:
    """Sentence spans in [start, end); never inside a quote, always at a paragraph break (`breaks`) outside one."""
    inside = [(q.open, q.close) for q in quotes if q.close > start and q.open < end]
    opens = [a for a, _ in inside]  # quotes do not overlap: sorted by opening, they are sorted by closing too

    def is_inside(cut: int) -> bool:
        i = bisect_left(opens, cut) - 1
        return i >= 0 and inside[i][1] > cut

    cuts: list[int] = []
    for match in _boundaries(text, start, end):
        cut = match.end()
        if inside and is_inside(cut):
            continue
        at = match.start()
        if text[at] == "." and (abbreviation := _abbreviation(text[max(start, at - 8) : at])) is not None:
            following = text[cut : min(end, cut + 40)].split(None, 1)
            word = following[0].strip("\"“‘(") if following else ""
            if not ("." in abbreviation.group() and word in _SENTENCE_STARTERS):
                continue
        cuts.append(cut)
    # Both layouts' paragraph breaks start with a line break: a paragraph without one has none.
    if (breaks is not _LINE_BREAK and breaks is not _BLOCK_BREAK) or text.find("\n", start, end) != -1:
        for brk in breaks.finditer(text, start, end):
            if not (inside and is_inside(brk.start())):
                cuts.append(brk.start())
    spans = []
    position = start
    for cut in sorted(set(cuts)):
        a, b = _trim(text, position, cut)
        if b > a:
            spans.append((a, b))
        position = cut
    a, b = _trim(text, position, end)
    if b > a:
        spans.append((a, b))
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
