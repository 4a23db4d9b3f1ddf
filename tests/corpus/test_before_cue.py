"""`stancebench.corpus.before_cue`'s fast checks find what the patterns they stand for find."""

from __future__ import annotations

import random
import re

from stancebench.corpus import before_cue

_MODAL_AS_WRITTEN = re.compile(r"\b(?:will|would|could|can|cannot|may|might|should|must|shall|did|does|do|to|n[o']t)\s+"
                               r"(?:(?:\w+ly|not|never|also|yet|still|then)\s+)*$", re.IGNORECASE)


def test_the_modal_trie_finds_what_the_list_of_modals_finds():
    pieces = ["would", "WOULD", "to", "not", "n't", "n’t", "cannot", "should", "did", "quickly", "LY", "never", "also",
              "then", "still", "yet", "Kyiv", "said", "x", "a" * 30, "-", "é", "ſhould", "ſtill", "wİll", "do", "does",
              "ſ", "K"]
    spaces = ["", " ", "  ", "\n", "\t", "\u2009", "\u00a0", "     "]
    rng = random.Random(21)
    found = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(0, 10)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        want = _MODAL_AS_WRITTEN.search(text, start, end)
        got = before_cue._MODAL_BEFORE.search(text, start, end)
        assert (want is None) == (got is None), (text, start, end)  # (a boolean to its callers)
        found += want is not None
    assert found > 1000
