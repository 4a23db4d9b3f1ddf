"""The sentence driver's and the statement id's shortcuts give what the rules they stand for give (randomised)."""

from __future__ import annotations

import random
import sys
import unicodedata

from stancebench.corpus.statement_text import _CURLY, normalise_statement_text


def _by_the_rules(text: str) -> str:
    """What a statement id hashes, spelt out: NFKC, then every mark plain, single spaces, casefold."""
    text = unicodedata.normalize("NFKC", text)
    for marks, plain in (("“”„«»″", '"'), ("‘’‚‹›′`", "'")):
        for mark in marks:
            text = text.replace(mark, plain)
    return " ".join(text.split()).casefold()


def test_curly_marks_compose_with_nothing():
    # What making them plain before NFKC rests on: each curly mark and each plain one is a starter NFKC keeps, and no
    # character's canonical decomposition (what composition composes back) holds one.
    marks = {*(mark for mark, _ in _CURLY), "'", '"'}
    for mark in marks:
        assert unicodedata.combining(mark) == 0 and unicodedata.normalize("NFKC", mark) == mark
    for code in range(sys.maxunicode + 1):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            assert not marks & {chr(int(part, 16)) for part in decomposition.split()}, hex(code)


def test_statement_text_normalises_by_the_rules():
    # Curly and other marks, composable letters and combining marks (e + U+0301 is é), Hangul jamo that compose,
    # compatibility characters whose NFKC holds a mark ('″' is two '′', fullwidth '＂' and '｀'), spaces of all kinds.
    pieces = ["a", "E", "e", "We", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u200b", "’", "‘", "“", "”", "„", "«", "»",
              "″", "′", "`", "'", '"', "\u0301", "\u0308", "\u0327", "é", "ﬁ", "½", "ǅ", "İ", "Σ", "ß", "\u1100", "\u1161",
              "\u11a8", "가", "＂", "｀", "‴", "—", "Ω", "\u212b", "Å"]
    rng = random.Random(18)
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert normalise_statement_text(text) == _by_the_rules(text), repr(text)
