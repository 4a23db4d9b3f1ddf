"""An article's layout: headline lines and paragraphs, and which of them are captions or boilerplate.

Layout is decided per article (`paragraph_break`): a blank line ends a paragraph in hard-wrapped
text (lines of ~60-80 characters, most not ending a sentence), any line break on web text. A
block of lines none of which ends like a sentence, before the first paragraph, is a stack of
headline lines; captions, bylines, boilerplate and date stamps are kind `skip`. Everything works
on character offsets into `Article.text`; web text takes a one-pass path (`_line_units`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import chain
from typing import NamedTuple

__all__ = ["Unit", "is_hard_wrapped", "layout_units", "paragraph_break"]

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


def _is_boilerplate_or_caption(body: str, may_be_credit: bool = True) -> bool:
    """Boilerplate, byline or caption; `may_be_credit=False` promises that `body` holds no ':' or '/' and
    no 'contributed' (in any case), which the byline and caption-credit checks need, so only its start
    and end are checked."""
    if _SKIP_START.match(body):
        return True
    if may_be_credit:
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


def _credit_evidence(text: str) -> list[int]:
    """Where a byline or caption credit may be, sorted: every ':' and '/', and every 'contributed' (in any case).

    A unit holding none of these positions is no byline and has no caption credit (see
    `_is_boilerplate_or_caption`). 'contributed' is looked for in the UTF-8 bytes lowered:
    `bytes.lower` is ASCII-only and fast, and no non-ASCII character lowers to a string that
    helps spell it (U+0130 lowers to an 'i' and a combining dot), so these are the places where
    `str.lower` would show it. Byte offsets become character offsets by decoding only the bytes
    between one hit and the next.
    """
    found = []
    find = text.find
    for char in ":/":
        at = find(char)
        while at != -1:
            found.append(at)
            at = find(char, at + 1)
    raw = text.encode("utf-8", "surrogatepass").lower()
    at = raw.find(b"contributed")
    if at != -1:
        is_ascii = len(raw) == len(text)
        byte = char = 0
        while at != -1:
            if not is_ascii:  # a hit starts at an ASCII letter, so each slice holds whole characters
                char += len(raw[byte:at].decode("utf-8", "surrogatepass"))
                byte = at
            found.append(at if is_ascii else char)
            at = raw.find(b"contributed", at + 1)
    found.sort()
    return found


class Unit(NamedTuple):
    """A headline line or a paragraph: [start, end) in the article; kind is headline|prose|skip."""

    start: int
    end: int
    kind: str


#: `Unit((start, end, kind))` in C: `Unit(...)` runs the `__new__` NamedTuple writes in Python (~1.2K instructions more).
_unit_of = partial(tuple.__new__, Unit)


#: A line break after a line that is not empty, before text: the breaks `is_hard_wrapped` looks at (a literal
#: first character, so `re` skips ahead; a page with blank lines between its paragraphs has none).
_INNER_BREAK = re.compile(r"\n(?<=[^\n]\n)(?=\S)")


def is_hard_wrapped(text: str) -> bool:
    """True when lines break inside paragraphs (most lines that another line follows are short
    and do not end a sentence); on web text a line is a paragraph."""
    lines = wrapped = 0
    for brk in _INNER_BREAK.finditer(text):
        # A line with text on the next line too (a blank line after it ends a paragraph in any layout).
        at = brk.start()
        begin = text.rfind("\n", 0, at) + 1
        if text[begin].isspace() and text[begin:at].isspace():  # (the line is not empty; most start with a letter)
            continue
        ends_sentence = _ENDS_SENTENCE.search(text, max(begin, at - 8), at) is not None
        if ends_sentence or at - begin >= _WRAP_SHORTEST:  # a short line (headline, byline) tells nothing
            lines += 1
            if at - begin <= _WRAP_WIDTH and not ends_sentence:
                wrapped += 1
            if lines >= _WRAP_SAMPLE:
                break
    return lines >= 2 and wrapped * 2 > lines


def paragraph_break(text: str) -> re.Pattern[str]:
    """What ends a paragraph in this article: a blank line in hard-wrapped text, any line break otherwise."""
    return _BLOCK_BREAK if is_hard_wrapped(text) else _LINE_BREAK


def layout_units(text: str, is_markdown: bool = False, breaks: re.Pattern[str] | None = None,
                 holding: Sequence[int] | None = None) -> list[Unit]:
    """Split the body into headline lines (before the first paragraph, or `#` lines) and paragraphs.

    A block of lines none of which ends like a sentence is a stack of headline lines; captions,
    bylines and boilerplate ("Catch all the Politics News…") are kind `skip`. `breaks` is what
    ends a paragraph (`paragraph_break(text)` when not given). With `holding` (sorted offsets),
    only the headline lines and the units holding one of them (start <= offset < end) are given,
    in order; on web text the other lines are never looked at.
    """
    breaks = breaks or paragraph_break(text)
    if breaks is _LINE_BREAK and not is_markdown:
        return _line_units(text, _credit_evidence(text)) if holding is None else _held_line_units(text, holding)
    units = _block_units(text, is_markdown, breaks, _credit_evidence(text))
    if holding is None:
        return units
    return [u for u in units if u.kind == "headline" or _holds(holding, u.start, u.end)]


def _block_units(text: str, is_markdown: bool, breaks: re.Pattern[str], evidence: list[int]) -> list[Unit]:
    """`layout_units` by the general loop over the blocks `breaks` separates."""
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
                units.append(_unit(text, heading.end() if heading else a, b, "headline", evidence))
            continue
        seen_prose = True
        units.append(_unit(text, lines[0][0], lines[-1][1], "prose", evidence))
    return units


def _ends_paragraph(text: str, a: int, b: int) -> bool:
    """Whether line [a, b) is too long for a headline or ends like a sentence."""
    return b - a > _LONGEST_HEADLINE or _ENDS_SENTENCE.search(text, max(a, b - 40), b) is not None


#: The first two characters, lower-cased, of any text `_SKIP_START` matches (but "©", which is not ASCII).
_SKIP_PREFIXES = frozenset(str.split("ca do su si re al fo cl ad wa li sh co wr ed by ph im pi fi"))
#: The same in every mix of case: the two ASCII characters a text starts with are in here if their lower case is there.
_SKIP_HEADS = frozenset(head for two in _SKIP_PREFIXES
                        for head in (two, two.upper(), two[0].upper() + two[1], two[0] + two[1].upper()))
#: The only characters beyond ASCII that `_SKIP_START` can match: "©", and those that `re` matches to an
#: ASCII letter when ignoring case (İ ı ſ and the Kelvin sign). A text starting with other ones (“, é) is none.
_SKIP_NON_ASCII = frozenset("\u00a9\u0130\u0131\u017f\u212a")


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


def _line_units(text: str, evidence: list[int]) -> list[Unit]:
    """`layout_units` on web text (every line break ends a paragraph): one pass over the lines."""
    units: list[Unit] = []
    append = units.append
    blocks: Iterator[tuple[int, int]] = iter(_web_blocks(text))
    for a, b in blocks:  # the headline lines, up to the first paragraph
        # The first block starts at the start of the text, spaces and all (its length decides if it is a headline).
        if _ends_paragraph(text, 0 if a and text.find("\n", 0, a) == -1 else a, b):
            blocks = chain(((a, b),), blocks)
            break
        append(_unit(text, a, b, "headline", evidence))
    # `_unit` inlined for the paragraphs: one with a plain start and end and no evidence of a credit (not even
    # a '/') is no boilerplate or caption, and only a short one may be a date stamp. Blocks hold no breaks,
    # so the evidence is taken in order by moving a pointer on.
    i, n = 0, len(evidence)
    for a, b in blocks:
        size = b - a
        if size > 400:
            append(_unit_of((a, b, "prose")))
            continue
        while i < n and evidence[i] < a:
            i += 1
        if (i < n and evidence[i] < b) or text[b - 1] == ")" or (head := text[a : a + 2]) in _SKIP_HEADS \
                or not (head.isascii() or _SKIP_NON_ASCII.isdisjoint(head)):
            append(_unit(text, a, b, "prose", evidence))
        elif size <= 80 and _DIGIT.search(text, a, b) and _DATE_STAMP.match(text, a, b):
            append(_unit_of((a, b, "skip")))
        else:
            append(_unit_of((a, b, "prose")))
    return units


def _next_web_block(text: str, pos: int) -> tuple[int, int, int] | None:
    """The first line at or after `pos` that is not blank, trimmed as `_web_blocks` trims it, and where it ends."""
    find, size = text.find, len(text)
    while pos < size:
        end = find("\n", pos)
        if end == -1:
            end = size
        if end > pos:
            if not (text[pos].isspace() or text[end - 1].isspace()):
                return pos, end, end
            line = text[pos:end]
            lead = len(line) - len(line.lstrip())
            if lead < len(line):
                return pos + lead, end - (len(line) - len(line.rstrip())), end
        pos = end + 1
    return None


def _held_line_units(text: str, holding: Sequence[int]) -> list[Unit]:
    """`layout_units(text, holding=holding)` on web text: the headline lines, then only the lines holding an offset.

    A line is found from an offset it holds by searching for the line breaks around it, so a stretch of
    lines that hold none costs nothing.
    """
    units: list[Unit] = []
    append = units.append
    block = _next_web_block(text, 0)
    while block is not None:  # the headline lines, up to the first paragraph (as in `_line_units`)
        a, b, end = block
        if _ends_paragraph(text, 0 if a and text.find("\n", 0, a) == -1 else a, b):
            break
        unit = _unit(text, a, b, "headline")
        if unit.kind == "headline" or _holds(holding, a, b):
            append(unit)
        block = _next_web_block(text, end + 1)
    if block is None:
        return units
    size, n = len(text), len(holding)
    i = bisect_left(holding, block[0])
    while i < n:
        at = holding[i]
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        if end == -1:
            end = size
        a, b = start, end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a <= at < b or _holds(holding, a, b):
            append(_unit_of((a, b, "prose")) if b - a > 400 else _short_prose(text, a, b))
        i = bisect_left(holding, end + 1, i)  # the line's other offsets are done
    return units


def _short_prose(text: str, a: int, b: int) -> Unit:
    """`_unit(text, a, b, "prose", evidence)` for a trimmed line of at most 400 characters, the evidence of a
    credit (see `_credit_evidence`) looked for in the line alone; `_line_units` inlines the same checks."""
    line = text[a:b]  # (`in` on the line: `str.find` with bounds parses its arguments the slow way)
    credit = ":" in line or "/" in line or _spells_contributed(line)
    head = text[a : a + 2]
    if credit or text[b - 1] == ")" or head in _SKIP_HEADS or not (head.isascii() or _SKIP_NON_ASCII.isdisjoint(head)):
        return _unit(text, a, b, "prose", None if credit else [])  # (None: check it all; []: no credit here)
    if b - a <= 80 and _DIGIT.search(text, a, b) and _DATE_STAMP.match(text, a, b):
        return _unit_of((a, b, "skip"))
    return _unit_of((a, b, "prose"))


def _spells_contributed(line: str) -> bool:
    """`"contributed" in line.lower()`: only ASCII letters lower to its letters (U+0130 lowers to an 'i' and a
    combining dot, which no letter of it follows; the Kelvin sign to a 'k' it lacks), so the line's ASCII bytes
    lowered, every other character a '?', show it, without the Unicode case tables (~25% fewer instructions)."""
    return b"contributed" in line.encode("ascii", "replace").lower()


def _may_be_skipped(text: str, start: int, end: int, may_be_credit: bool) -> bool:
    """False when the unit [start, end) is surely no boilerplate or caption: a cheap first check."""
    head = text[start : start + 2]
    return (may_be_credit or head in _SKIP_HEADS or (not head.isascii() and not _SKIP_NON_ASCII.isdisjoint(head))
            or text[end - 1] == ")" or text.find("/", max(start, end - 30), end) != -1)


def _unit(text: str, start: int, end: int, kind: str, evidence: list[int] | None = None) -> Unit:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if 0 < end - start <= 400:  # captions, bylines and boilerplate are short
        may_be_credit = evidence is None or _holds(evidence, start, end)
        if _may_be_skipped(text, start, end, may_be_credit) \
                and _is_boilerplate_or_caption(text[start:end], may_be_credit):
            kind = "skip"
        elif end - start <= 80 and _DIGIT.search(text, start, end) and _DATE_STAMP.match(text, start, end):
            kind = "skip"  # 'May 28, 2024 14:05 CET' above the story is metadata, not a headline
    return _unit_of((start, end, kind))


def _holds(positions: list[int], start: int, end: int) -> bool:
    """Whether one of the sorted `positions` lies in [start, end)."""
    i = bisect_left(positions, start)
    return i < len(positions) and positions[i] < end
