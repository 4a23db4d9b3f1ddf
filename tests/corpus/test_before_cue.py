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


_PASSIVE_AS_WRITTEN = re.compile(r"\b(?:was|were|is|are|been|be|being|it|to)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_PROGRESSIVE_AS_WRITTEN = re.compile(r"\b(?:has|have|had|is|are|was|were|been|be)\s+(?:\w+ly\s+)?(?:been\s+)?$")


def test_the_passive_and_progressive_tries_find_what_the_lists_find():
    pieces = ["was", "WAS", "were", "is", "are", "been", "be", "being", "it", "to", "has", "have", "had", "Has", "quickly",
              "LY", "x", "Kyiv", "-", "é", "ſ", "İs", "beings", "tow"]
    spaces = ["", " ", "  ", "\n", "\u2009", "\u00a0"]
    rng = random.Random(22)
    found = 0
    for _ in range(30000):
        text = "".join(rng.choice(pieces) + rng.choice(spaces) for _ in range(rng.randint(0, 8)))
        start = rng.randint(0, len(text))
        for written, trie in ((_PASSIVE_AS_WRITTEN, before_cue._PASSIVE), (_PROGRESSIVE_AS_WRITTEN, before_cue._PROGRESSIVE)):
            want = written.search(text, start)
            assert (want is None) == (trie.search(text, start) is None), (text, start)  # (a boolean to `_ends_like`)
            found += want is not None
    assert found > 3000
