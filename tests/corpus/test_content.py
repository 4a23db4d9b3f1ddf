"""Fast paths in `stancebench.corpus.content` find what the patterns they stand for find."""

from __future__ import annotations

import random

from stancebench.corpus import content


def _start_after_trying_the_aside_first(after: str, kind: str | None, word: str) -> int | None:
    aside = content._ASIDE.match(after)
    return aside.end() if aside is not None else content.start_after(after, kind, word)


def test_start_after_finds_every_aside_its_match_finds():
    pieces = [" ", "  ", "\n", "\u2009", ",", ", ", "however", "though", "in turn", "that", "the", "plan", "x", "é", ";"]
    rng = random.Random(14)
    asides = 0
    for _ in range(30000):
        after = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        asides += content._ASIDE.match(after) is not None
        for kind, word in ((None, "said"), ("needs", "warned")):
            assert content.start_after(after, kind, word) == _start_after_trying_the_aside_first(after, kind, word), after
    assert asides > 50


def test_a_colon_after_white_space_starts_the_content_after_it():
    # (`start_after` reads the colon from the first word `split` gives: it must strip the white space `lstrip` does)
    pieces = [" ", "\n", "\t", "\u2009", "\u00a0", "\x1c", "\u3000", ":", "x", "said", "é", ","]
    rng = random.Random(15)
    colons = 0
    for _ in range(20000):
        after = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        if after.lstrip().startswith(":") and content._that_match(after) is None:
            colons += 1
            assert content.start_after(after, None, "said") == after.index(":") + 1, repr(after)
        elif not after.lstrip().startswith((":", ",")) and ":" in after and content._that_match(after) is None:
            assert content.start_after(after, "needs", "said") is None, repr(after)
    assert colons > 500


def test_a_that_right_after_the_cue_starts_the_content_where_its_match_ends():
    # (`start_after` takes ' that ' at the start without `_THAT_GAP`: what it returns is that match's end, as before)
    pieces = [" ", "  ", "\n", "\u2009", "\u00a0", "that", "thatch", ",", "x", "é", ":", "the", "to", "."]
    rng = random.Random(16)
    for _ in range(20000):
        after = " that " + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        for kind, word in ((None, "said"), ("needs", "added"), ("object", "urged"), ("free", "pledged")):
            assert content.start_after(after, kind, word) == content._THAT_GAP.match(after).end(), repr(after)


def test_a_question_after_the_content_is_found_from_its_first_comma():
    # (`content_after` searches `_WHEN_ASKED` from the first comma of the content, or not at all without one)
    pieces = [",", ", ", " ", "\n", "when", "asked", "pressed", "about", "whether", "after being", "x", "é", "questioned",
              ", when asked about", ", asked whether", ",\u2009pressed on", ", questioned by", ",asked if"]
    rng = random.Random(17)
    found = 0
    for _ in range(20000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        want = content._WHEN_ASKED.search(text, start, end)
        comma = text.find(",", start, end)
        got = content._WHEN_ASKED.search(text, comma, end) if comma != -1 else None
        assert (want and want.span()) == (got and got.span()), (text, start, end)
        found += want is not None
        full = "said " + text
        span = content.content_after(full, 4, 5 + end, "free", "said")
        if span is not None:  # the rule: the content ends before the first question the search from its start finds
            asked = content._WHEN_ASKED.search(full, span[0], 5 + end)
            assert span[1] == content.trim_end(full, span[0], asked.start() if asked else 5 + end), (full, end)
    assert found > 2000


def test_that_match_reads_off_what_the_that_gap_match_finds():
    pieces = [" ", "  ", "\n", "\u2009", ",", ", ", ",,", "that", "thatch", "xthat", "_that", "That", "é", "the plan",
              "said", ".", "“", "a" * 25, "\u00a0", "thať", "thatť", "٣that"]
    rng = random.Random(18)
    matched = 0
    for _ in range(40000):
        after = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        want = content._THAT_GAP.match(after)
        assert content._that_match(after) == (want and (want.group("gap"), want.end())), repr(after)
        matched += want is not None
    assert matched > 1000
