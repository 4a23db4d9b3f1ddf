"""The shapes of role phrases, read on their own (without the rest of attribution)."""

from __future__ import annotations

import pytest

from stancebench.corpus.actors import WORD, load_actors
from stancebench.corpus.bodies import Bodies
from stancebench.corpus.speaker_phrases import described_name, role_only


def _role(phrase: str):
    return role_only(Bodies(load_actors(), phrase), list(WORD.finditer(phrase)), 0, phrase)


@pytest.mark.parametrize(
    ("phrase", "name", "kind", "role_only_", "end"),
    [
        ("the secretary of state", "secretary of state", "person", True, 22),
        ("a resident of Belgorod", "resident of Belgorod", "person", False, 22),
        ("Western diplomats in Moscow", "Western diplomats", "group", False, 17),  # the group, not the place
        ("a bipartisan group of senators", "bipartisan group of senators", "group", False, 30),
        ("the Ruritanian defence minister", "Ruritanian defence minister", "person", True, 31),
    ],
)
def test_role_phrases(phrase, name, kind, role_only_, end):
    found = _role(phrase)
    assert (found.name, found.kind, found.is_role_only, found.start, found.end) == (name, kind, role_only_, 0, end)


@pytest.mark.parametrize("phrase", ["minister", "a resident, Belgorod", "the war in Ukraine", "said on Monday"])
def test_no_role_phrase(phrase):
    assert _role(phrase) is None


def test_a_description_before_a_full_name_and_none_across_a_comma():
    phrase = "council spokesperson Alex Poe"
    words = list(WORD.finditer(phrase))
    role, name = described_name(words, words[2:], phrase)
    assert (role, [w.group() for w in name]) == ("council spokesperson", ["Alex", "Poe"])
    cut = "council spokesperson, Alex Poe"
    words = list(WORD.finditer(cut))
    assert described_name(words, words[2:], cut) is None


def test_a_single_space_between_words_is_never_a_break():
    # `role_phrase` and `at_end` do not search a one-space gap between two words for a break: none can be there.
    import random

    from stancebench.corpus.speaker_phrases import BREAKS_RUN

    rng = random.Random(2)
    for _ in range(2000):
        text = "".join(rng.choices(["a", " ", ",", ".", "-", "—", "“", "(", "\n", "x"], k=rng.randint(1, 12)))
        spaces = [k for k, c in enumerate(text) if c == " "]
        for k in spaces:
            assert BREAKS_RUN.search(text, k, k + 1) is None, (text, k)
