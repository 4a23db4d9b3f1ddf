"""The vocabulary of speaker phrases: role heads and role matching, against their plain definitions."""

from __future__ import annotations

import random

from stancebench.corpus.actors import norm_word
from stancebench.corpus.speaker_words import HEAD_SYNONYMS, NATIONALITIES, Speaker, role_head, role_matches


def _role_head(role: str) -> str:
    words = [norm_word(w) for w in role.split()]
    return words[words.index("of") - 1] if "of" in words[1:] else words[-1]


def _role_matches(role_key, role, affiliation=None, their_affiliation=None) -> bool:
    """`role_matches` as first written (sets built on every call), for the cached one to agree with."""
    if affiliation and their_affiliation and affiliation != their_affiliation:
        return False
    a = {w for w in role_key.split() if w not in ("the", "a", "an")}
    b = {norm_word(w) for w in role.split()}
    a = {w[:-2] if w.endswith("'s") else w for w in a}
    if not a or not b:
        return False
    head_a, head_b = _role_head(role_key), _role_head(role)
    if head_a != head_b:
        return head_b in HEAD_SYNONYMS.get(head_a, ()) and (affiliation is not None or len(a) == 1)
    a -= set(NATIONALITIES)
    return a <= b or b <= a


def test_cached_role_matching_agrees_with_its_definition():
    rng = random.Random(3)
    words = ["the", "a", "an", "of", "state", "defence", "Defence", "minister", "Minister", "russian", "Russian",
             "kremlin", "leader", "president", "President", "chief", "secretary", "Secretary", "general", "head",
             "pentagon", "ruritania's", "Poland's", "foreign", "premier", "u.s.", "Gen.", "the’s", "a's", "x"]
    affiliations = [None, None, "Russia", "Poland", "United States"]
    checked = 0
    for _ in range(4000):
        key = " ".join(norm_word(w) for w in rng.choices(words, k=rng.randint(1, 5)))
        role = " ".join(rng.choices(words, k=rng.randint(1, 4)))
        mine, theirs = rng.choice(affiliations), rng.choice(affiliations)
        assert role_head(role) == _role_head(role)
        assert role_matches(key, role, mine, theirs) == _role_matches(key, role, mine, theirs), (key, role, mine, theirs)
        checked += role_matches(key, role, mine, theirs)
    assert checked > 50  # (matches as well as misses were compared)


def test_found_at_is_replace():
    speaker = Speaker("Antony Blinken", "Secretary of State", "United States", "person", 3, 17, True, "table")
    assert speaker.found_at(40, 42, "pronoun") == speaker._replace(start=40, end=42, source="pronoun")
