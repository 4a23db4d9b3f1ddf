"""The sentence driver's and the statement id's shortcuts give what the rules they stand for give (randomised)."""

from __future__ import annotations

import random
import sys
import unicodedata

from stancebench.corpus.statement_text import _CURLY, normalise_statement_text
from tests.support import normalised_by_the_rules


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


def test_statement_text_normalisesnormalised_by_the_rules():
    # Curly and other marks, composable letters and combining marks (e + U+0301 is é), Hangul jamo that compose,
    # compatibility characters whose NFKC holds a mark ('″' is two '′', fullwidth '＂' and '｀'), spaces of all kinds.
    pieces = ["a", "E", "e", "We", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u200b", "’", "‘", "“", "”", "„", "«", "»",
              "″", "′", "`", "'", '"', "\u0301", "\u0308", "\u0327", "é", "ﬁ", "½", "ǅ", "İ", "Σ", "ß", "\u1100", "\u1161",
              "\u11a8", "가", "＂", "｀", "‴", "—", "Ω", "\u212b", "Å"]
    rng = random.Random(18)
    for _ in range(40000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert normalise_statement_text(text) == normalised_by_the_rules(text), repr(text)


def _random_text(rng: random.Random, pieces: list[str], seps: list[str]) -> str:
    return "".join(rng.choice(pieces) + rng.choice(seps) for _ in range(rng.randint(1, 14)))


def test_first_cue_after_a_quote_is_what_a_search_of_the_window_finds(monkeypatch):
    import re

    from stancebench.corpus import cues as c
    from stancebench.corpus import statements
    from stancebench.corpus.scanned_cues import STOPS, first_cue_after
    from stancebench.corpus.scanning import scan_and_locate

    # Every stop is neither a word character nor white space (what a cue's match takes in).
    assert not any(re.match(r"[\w\s]", stop) for stop in STOPS)
    # Cue words of every kind (an object verb's look-ahead reads over full stops), words a cue is made of or cut off
    # ('made it clearer', 'renewed calls for'), names, and what may stand before a word: separators the article's
    # scan leads with, other spaces, marks, hyphens, dashes, an underscore, a digit, a letter.
    pieces = ["said", "says", "told", "added", "saying", "according to", "According to", "pressed", "urged", "asked",
              "called", "so-called", "made it clear", "made it clearer", "renewed calls for", "renewed calls forth",
              "repeated his calls for", "request to", "calls for", "pushed", "encouraged", "to", "not", "allies",
              "Kyiv", "Kyiv.", "U.S.", "Kirby", "Dmytro Kuleba", "he", "the official", "who spoke", "é", "_said",
              "x_", "3said", "sa", "id", "“", "”", "\"", "’", "'", "‘", ",", ".", ";", ":", "—", "–", "-", "(", ")",
              "…", "!", "?", "é said", "ésaid"]
    seps = ["", " ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", ", ", "—", "-", "”", "."]
    rng = random.Random(1818)
    searched = compared = by_scan = none_by_scan = 0
    search = c.CUE_SCANNER.search

    def counted(*args: object) -> object:
        nonlocal searched
        searched += 1
        return search(*args)
    for _ in range(3000):
        text = _random_text(rng, pieces, seps)
        (cues, _), _ = scan_and_locate(text, statements._SCANNERS, statements.SEPARATORS, statements._LITERALS)
        starts = [m.start() for m in cues]
        closes = [i + 1 for i, ch in enumerate(text) if ch in STOPS]  # (after a mark, mostly; anywhere, too)
        for close in {*rng.sample(closes, min(5, len(closes))), rng.randint(0, len(text))}:
            ends = [i + 1 for i in range(close, min(len(text), close + 160)) if text[i] in STOPS]
            for end in {*rng.sample(ends, min(3, len(ends))), min(len(text), close + rng.randint(0, 40))}:
                window = text[close:end]
                lead = len(window) - len(window.lstrip(" \t\n\u00a0,—–-"))  # (as `_after_quote` strips)
                want = search(window, lead)
                before = searched
                with monkeypatch.context() as patch:
                    patch.setattr(c.CUE_SCANNER, "search", counted)
                    got, offset = first_cue_after(text, window, close, lead, cues, starts)
                compared += 1
                by_scan += offset != 0
                none_by_scan += got is None and searched == before and lead < len(window)
                if want is None:
                    assert got is None, (text, close, end)
                else:
                    assert got is not None, (text, close, end)
                    assert (got.start() - offset, got.end() - offset, got.lastgroup, got.group()) == \
                        (want.start(), want.end(), want.lastgroup, want.group()), (text, close, end)
    # (the shortcut is what is tested: cues and their absence taken from the scan, each thousands of times)
    assert by_scan > 2000 and none_by_scan > 2000, (compared, searched, by_scan, none_by_scan)
