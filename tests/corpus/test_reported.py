"""Fast paths in reported speech find what the patterns they stand for find."""

from __future__ import annotations

import random

from stancebench.corpus import reported


def _strip_aux_by_search(text: str, window: int) -> str:
    if not text.rstrip().endswith(reported._AUX_LAST_WORDS):
        return text
    match = reported._AUX.search(text, max(0, len(text) - window))
    return text[: match.start()] if match else text


def test_strip_aux_finds_what_a_search_of_the_whole_window_finds():
    pieces = ["has", "also", "had", "Blinken", "re-do", "do", "on", "Monday", "last", "week", "this", ",", " ", "  ", "\n",
              ",,", "x", "\u2009", "been", "is", "Has", "ALSO", "said", "on\nMonday", "thisweek", "a" * 50, "'s", "-", "_do",
              "é", "İs"]
    rng = random.Random(8)
    for _ in range(30000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", ", ", ",", " ,"]) for _ in range(rng.randint(0, 14)))
        for window in (120, 50):
            assert reported.strip_aux(text, window) == _strip_aux_by_search(text, window), (text, window)


def test_strip_aux_examples():
    assert reported.strip_aux("As Russia has been making gains in the northeast, Kyiv has repeatedly ") == (
        "As Russia has been making gains in the northeast, Kyiv")
    assert reported.strip_aux("Blinken, on Monday, had also ") == "Blinken"
    assert reported.strip_aux("the re-do ") == "the re-"  # ('do' after a hyphen is a word of its own)
    assert reported.strip_aux("Kyiv said ") == "Kyiv said "

