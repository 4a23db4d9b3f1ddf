"""The words speaker phrases are made of (titles, nationalities, role nouns, words that are no names),
and the `Speaker` record a phrase resolves to.

`stancebench.corpus.speakers` reads speaker phrases with these; they are kept apart so that the
vocabulary can be read (and extended) in one place.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from stancebench.corpus.actors import norm_word

__all__ = [
    "Speaker",
    "COLLECTIVES",
    "HEAD_SYNONYMS",
    "INSTITUTION_HEADS",
    "NATIONALITIES",
    "NOT_DESCRIPTORS",
    "OTHER_NATIONALITIES",
    "PLACE_WORDS",
    "POST_ENDS",
    "QUANTITIES",
    "ROLE_MODIFIERS",
    "ROLE_NOUNS",
    "STOP_CAPS",
    "OBJECT_PRONOUNS",
    "POSSESSIVE_PRONOUNS",
    "TITLE_WORDS",
    "affiliation_of",
    "is_name_word",
    "is_nationality",
    "new_speaker",
    "role_head",
    "role_matches",
    "surname_key",
]


class Speaker(NamedTuple):
    """A resolved speaker and where its phrase sits in the article (a named tuple: ~5x faster to make than a
    frozen dataclass, and one is made for every name mention)."""

    name: str
    role: str | None
    affiliation: str | None
    kind: str
    start: int
    end: int
    is_role_only: bool = False
    #: How it was found: named (in the sentence), pronoun, previous (statement), role (resolved), table (spelling).
    source: str = "named"

    def found_at(self, start: int, end: int, source: str) -> Speaker:
        """This speaker, as a phrase at `start`:`end` found another way names it (`_replace`, but ~2x faster)."""
        return new_speaker((self.name, self.role, self.affiliation, self.kind, start, end, self.is_role_only, source))


#: A `Speaker` from all eight fields, in order, in one tuple: without the named tuple's `__new__` (a Python function),
#: ~40% fewer instructions, for the places that make one for every mention.
new_speaker = functools.partial(tuple.__new__, Speaker)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: The subject pronoun for an object one ('according to him') and for a possessive one ('his answer', 'its request').
OBJECT_PRONOUNS = {"him": "he", "her": "she", "them": "they"}
POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "their": "they", "its": "it"}
TITLE_WORDS = _wordset(
    """president prime minister foreign defence defense secretary general chancellor spokesman spokeswoman
    spokesperson ambassador senator sen rep representative governor gov envoy adviser advisor national security
    council state deputy vice chief head commander admiral gen lt col maj press office ministry mr mrs ms dr
    lord sir king queen leader speaker chairman chairwoman director of the for interior finance former top senior
    department presidential kremlin pentagon nato eu u.s. us u.k. uk un american russian ukrainian british french
    german polish chinese european european's mayor commissioner premier professor prof judge prosecutor colonel
    captain lieutenant sergeant congressman congresswoman councillor councilor mp mep"""
)
NATIONALITIES = {
    "russian": "Russia", "kremlin": "Russia", "russia's": "Russia", "moscow's": "Russia",
    "ukrainian": "Ukraine", "ukraine's": "Ukraine", "kyiv's": "Ukraine",
    "u.s.": "United States", "us": "United States", "american": "United States", "pentagon": "United States",
    "british": "United Kingdom", "u.k.": "United Kingdom", "uk": "United Kingdom",
    "french": "France", "german": "Germany", "polish": "Poland", "chinese": "China",
    "nato": "NATO", "eu": "European Union", "european": "Europe",
}
ROLE_NOUNS = _wordset(
    """spokesman spokeswoman spokesperson minister secretary president chancellor ambassador adviser advisor envoy
    official officials diplomat diplomats lawmaker lawmakers leader leaders commander chief general ministry
    government lawmakers senators senator governments allies spokespeople mayor governor analysts sources
    residents strategists observers critics experts commentators campaigners activists economists"""
)
#: People a report quotes without naming ('a resident of Belgorod', 'a witness'): a source when indefinite.
UNNAMED_PEOPLE = _wordset(
    """resident witness source analyst expert soldier volunteer member aide negotiator officer lawyer researcher
    professor doctor teacher student pensioner farmer worker villager survivor"""
)
#: Head nouns of bodies that speak as one ('the Defence Ministry', 'the Kremlin press service', 'the regional
#: military administration', "Ukraine's General Staff"): the source is the body itself, not a person behind it.
INSTITUTION_HEADS = _wordset(
    """ministry office service administration staff department government council committee agency command
    headquarters embassy mission cabinet presidency secretariat directorate bureau commission parliament army
    navy military police court"""
)
ROLE_NOUNS = ROLE_NOUNS | UNNAMED_PEOPLE | INSTITUTION_HEADS
ROLE_MODIFIERS = _wordset(
    """the a an senior top foreign defence defense deputy former ministry press military presidential security
    national chief prime state government administration interior finance council department office several two
    three other some many western european regional local city district general armed emergency border
    intelligence justice health energy economy economic"""
)
#: Last words of a post named with 'of' ('the secretary of state', 'the minister of foreign affairs').
POST_ENDS = _wordset("state defence defense staff affairs justice interior finance")
#: Words between a person and where they are from ('a resident of Belgorod', 'an official in Kyiv').
PLACE_WORDS = frozenset({"of", "from", "in"})
#: Numbers and quantities that are no part of a group's name ('two officials' are officials).
QUANTITIES = frozenset({"two", "three", "four", "five", "several", "some", "many", "other", "few"})
#: Nouns for a group of sources ('a bipartisan group of senators').
COLLECTIVES = frozenset({"group", "coalition", "delegation", "panel", "number", "majority", "handful", "team"})
STOP_CAPS = _wordset(
    """the a an on in at but and as previously earlier later it this that these those he she they we i if when
    while after before then so yet also however meanwhile still now today yesterday monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december since during following according his her their its our my your there here what why both
    either neither"""
)
#: Role words that name the same post as another ('the Kremlin leader' is a president; 'the Pentagon chief' a secretary).
HEAD_SYNONYMS = {
    "leader": ("leader", "president", "minister", "chancellor"),
    "chief": ("chief", "secretary", "general", "head", "minister", "commander"),
    "head": ("head", "chief", "secretary", "general", "minister"),
    "premier": ("premier", "minister"),
}
#: Words that do not describe a speaker ("said resident Kim Moe" does; "when Kim Moe" does not).
NOT_DESCRIPTORS = _wordset(
    """when while after before as if that which who whom whose because since and or but with without about by from
    at in on to for of said says told added asked is was are were has had have will would"""
)
OTHER_NATIONALITIES = frozenset(str.split("dutch french czech greek swiss israeli iraqi thai"))


def affiliation_of(words: list[str]) -> str | None:
    """The country or body the first telling word names: 'Russian' -> Russia, "Poland's" -> Poland."""
    for word in words:
        norm = norm_word(word)
        if norm in NATIONALITIES:
            return NATIONALITIES[norm]
        if norm.endswith("'s") and word[0].isupper():
            return word[:-2]
    return None


def is_nationality(word: str) -> bool:
    """'Latvian', 'Dutch', 'Danish', 'Chinese': an adjective of nationality before a title and a name."""
    norm = norm_word(word)
    return norm in NATIONALITIES or norm.endswith(("ian", "ish", "ese", "ean")) or norm in OTHER_NATIONALITIES



def is_name_word(word: str) -> bool:
    """A capitalised word that can be part of a name ('Kuleba'; not 'The', 'Monday', 'Kyiv's')."""
    return word[0].isupper() and word[1:2].islower() and norm_word(word) not in STOP_CAPS and not word.endswith(("'s", "’s"))


@functools.lru_cache(maxsize=16384)
def surname_key(name: str) -> str:
    """'Antony Blinken' -> 'blinken' (the same names come again and again)."""
    return norm_word(name.split()[-1])


@functools.lru_cache(maxsize=16384)
def role_head(role: str) -> str:
    """The word naming the post: 'Defence Minister' -> minister, 'Secretary of Defense' -> secretary (the same roles
    come again and again)."""
    words = [norm_word(w) for w in role.split()]
    return words[words.index("of") - 1] if "of" in words[1:] else words[-1]


@functools.lru_cache(maxsize=16384)
def _key_words(role_key: str) -> tuple[frozenset[str], frozenset[str]]:
    """A role key's words but articles, each without a final 's; and those of them that name no nationality."""
    words = frozenset(w[:-2] if w.endswith("'s") else w for w in role_key.split() if w not in ("the", "a", "an"))
    return words, words.difference(NATIONALITIES)


@functools.lru_cache(maxsize=16384)
def _role_words(role: str) -> frozenset[str]:
    return frozenset(norm_word(w) for w in role.split())


def role_matches(role_key: str, role: str, affiliation: str | None = None, their_affiliation: str | None = None) -> bool:
    """'the ruritanian defence minister' ~ 'Defence Minister' (same head noun or a synonym, one word set in the
    other, no clash of affiliation); 'the kremlin leader' ~ a Russian 'President'."""
    if affiliation and their_affiliation and affiliation != their_affiliation:
        return False
    a, own = _key_words(role_key)  # (cached: a role is matched against every mention near it, again and again)
    b = _role_words(role)
    if not a or not b:
        return False
    head_a = role_head(role_key)  # 'the secretary of state' is a secretary
    head_b = role_head(role)
    if head_a != head_b:
        return head_b in HEAD_SYNONYMS.get(head_a, ()) and (affiliation is not None or len(a) == 1)
    return own <= b or b <= own
