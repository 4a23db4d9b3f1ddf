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
        if after.lstrip().startswith(":") and content._that_gap(after) is None:
            colons += 1
            assert content.start_after(after, None, "said") == after.index(":") + 1, repr(after)
        elif not after.lstrip().startswith((":", ",")) and ":" in after and content._that_gap(after) is None:
            assert content.start_after(after, "needs", "said") is None, repr(after)
    assert colons > 500
