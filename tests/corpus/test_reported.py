"""Fast paths in reported speech find what the patterns they stand for find."""

from __future__ import annotations

import random

from stancebench.corpus import before_cue, reported


def _strip_aux_by_search(text: str, window: int) -> str:
    if not text.rstrip().endswith(before_cue._AUX_LAST_WORDS):
        return text
    match = before_cue._AUX.search(text, max(0, len(text) - window))
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



def test_the_as_gate_passes_wherever_an_as_put_match_starts():
    from stancebench.corpus import cues

    pieces = ["as", "As", "has", "was", "Kirby", "said", "put it", " ", ", ", "the minister", "reported", "_as", "Alas",
              "\n", "\u2009", "é", "éas", "٣as", "(as", "“As", "as,"]
    rng = random.Random(10)
    passed = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(rng.randint(0, 10)))
        s0 = rng.randint(0, len(text) // 3)
        s1 = rng.randint(s0, len(text))
        put = cues.as_put_match(text, s0, s1)
        first = reported._first_as(text, s0, s1)
        if put is not None:
            passed += 1
            assert first != -1, (text, s0, s1)
        if first != -1:  # (`find` looks for the match from there)
            from_first = cues.as_put_match(text, first, s1)
            assert (put and (put.span(), put.group("speaker"))) == (
                from_first and (from_first.span(), from_first.group("speaker"))), (text, s0, s1)
    assert passed > 100  # (the pieces make matches often enough to test the gate)
    assert reported._first_as("It was what Kirby has said, Texas was", 0, 38) == -1
    assert reported._first_as("(as Kirby put it)", 0, 17) == 1
    assert reported._first_as("As has as Kirby put it", 0, 22) == 0
    assert reported._first_as("Alas, as As Kirby put it", 0, 24) == 6


def test_ends_like_finds_what_a_search_of_the_last_40_characters_finds():
    pieces = ["was", "WAS", "been", "has", "is", "it", "to", "Kyiv", "quickly", "LY", "being", "be", " ", "  ", "\n", "\t",
              "\x1c", "\u2009", "\u00a0", "x", "a" * 30, "-", "é", "İs", "K", "ſ", "said"]
    rng = random.Random(11)
    for _ in range(30000):
        left = "".join(rng.choice(pieces) + rng.choice(["", " ", "  "]) for _ in range(rng.randint(0, 12)))
        for pattern, ends in ((reported._PASSIVE, reported._PASSIVE_WORDS),
                              (reported._PROGRESSIVE, reported._PROGRESSIVE_WORDS)):
            want = pattern.search(left, max(0, len(left) - 40)) is not None
            assert reported._ends_like(pattern, ends, left) == want, left


def test_coordinated_finds_what_a_search_of_the_whole_window_finds():
    pieces = ["and", "but", "while", "yet", "band", "Andrew", "also", "he", "has", ",", ", ", " ", "\n", "\u2009", "said",
              "x", "é", "_and", "-and", "’s", "(but"]
    rng = random.Random(13)
    found = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", "  "]) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text) // 2)
        end = rng.randint(start, len(text))
        want = reported._COORDINATED.search(text, start, end)
        got = reported._coordinated(text, start, end)
        assert (want and want.span()) == (got and got.span()), (text, start, end)
        found += want is not None
    assert found > 1000


def test_a_stated_by_sentence_starts_with_th_or_it():
    # (`find` looks for 'This was stated by X' only in a sentence that starts so)
    from stancebench.corpus import cues

    pieces = ["This", "That", "It", "These words", "The statement", "was", "were", "has been", "stated", "said", "by",
              " ", "  ", "\n", "x", "Thus", "Its", "it"]
    rng = random.Random(12)
    found = 0
    for _ in range(20000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 2)))
        text += rng.choice([" ", "  ", "\n", ""]).join(rng.choice(group) for group in (
            ("This", "That", "It", "These words", "The statement", "Thus", "it"), ("was", "were", "has been", "is"),
            ("stated", "said", "noted", "told"), ("by", "to"))) + " Blinken."
        s0 = rng.randint(0, 3)
        if cues.STATED_BY.match(text, s0, len(text)) is not None:
            found += 1
            assert text.startswith(reported._STATED_BY_STARTS, s0), text
    assert found > 100
