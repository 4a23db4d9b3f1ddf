"""Spans of a sentence: the parts outside some spans, and run-on sentences cut to a bounded length."""

from __future__ import annotations

import bisect

from stancebench.corpus.quotes import Quote

__all__ = ["LONGEST_SENTENCE", "bounded", "outside"]

LONGEST_SENTENCE = 3000


def outside(start: int, end: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside `spans` (sorted, not overlapping)."""
    parts = []
    for a, b in sorted(spans):
        if b <= start or a >= end:
            continue
        if a > start:
            parts.append((start, a))
        start = max(start, b)
    if start < end:
        parts.append((start, end))
    return parts


def bounded(text: str, sentences: list[tuple[int, int]], quotes: list[Quote]) -> list[tuple[int, int]]:
    """The sentences, a run-on one (a page without punctuation) cut at spaces outside quotes.

    Real sentences are far shorter than `LONGEST_SENTENCE`; the cut keeps the work per
    sentence bounded, so extraction stays linear in the length of the article.
    """
    if all(b - a <= LONGEST_SENTENCE for a, b in sentences):
        return sentences
    opens = [q.open for q in quotes]
    out = []
    for a, b in sentences:
        while b - a > LONGEST_SENTENCE:
            cut = text.rfind(" ", a + LONGEST_SENTENCE // 2, a + LONGEST_SENTENCE)
            i = bisect.bisect_right(opens, cut) - 1
            if i >= 0 and quotes[i].close > cut:  # never inside a quote: cut before or after it
                cut = quotes[i].open if quotes[i].open > a else quotes[i].close
            if cut <= a:
                cut = a + LONGEST_SENTENCE
            out.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            out.append((a, b))
    return out
