"""The shapes of speaker phrases around a role, or beside a name.

A role phrase names no one ('the Kremlin's spokesman', 'Polish officials', 'a bipartisan group of
senators': `role_phrase`), a post with 'of' ('the secretary of state': `post_of`), or an unnamed
person and where they are from ('a resident of Belgorod', 'Western diplomats in Moscow':
`unnamed_from_place`); `role_only` tries the three. Beside a name: a few lower-case words that describe
it ('council spokesperson Alex Poe': `described_name`) and a second source joined by 'and' ('Scholz and
Macron': `with_partner`). `stancebench.corpus.speakers` reads a phrase with these and resolves what they find.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stancebench.corpus.actors import norm_word
from stancebench.corpus.bodies import Bodies
from stancebench.corpus.speaker_words import (
    COLLECTIVES,
    INSTITUTION_HEADS,
    NATIONALITIES,
    NOT_DESCRIPTORS,
    PLACE_WORDS,
    QUANTITIES,
    ROLE_MODIFIERS,
    ROLE_NOUNS,
    TITLE_WORDS,
    Speaker,
    affiliation_of,
    new_speaker,
)

__all__ = ["BEFORE_PLACE", "BREAKS_RUN", "PLACE_NOUNS", "described_name", "post_of", "role_only", "role_phrase",
           "unnamed_from_place", "with_partner"]

#: What ends a run of words that make one phrase: a comma, a colon, a bracket, a quotation mark, a full stop, a dash
#: ("KHARKIV — Ihor Terekhov").
BREAKS_RUN = re.compile(r"[,;:()\"“”—–]|\.\s|\s-\s")
#: Around a place's name after 'in'/'from': 'in the Kharkiv region', 'in eastern Ukraine'.
PLACE_NOUNS = frozenset(str.split("region area oblast province district city border"))
BEFORE_PLACE = frozenset(str.split("the eastern western northern southern central occupied"))


def role_only(bodies: Bodies, words: list[re.Match[str]], offset: int, tail: str = "") -> Speaker | None:
    """'the Kremlin's spokesman', 'the Ruritanian defence minister', 'Polish officials', 'the secretary of
    state', 'a resident of Belgorod' (`tail`: the text `words` were found in, so that the phrase stops at a
    comma)."""
    return (role_phrase(bodies, words, offset, tail) or post_of(bodies, words, offset, tail)
            or unnamed_from_place(bodies, words, offset, tail))


def role_phrase(bodies: Bodies, words: list[re.Match[str]], offset: int, tail: str) -> Speaker | None:
    """A role noun and the words before it that describe it."""
    if norm_word(words[-1].group()) not in ROLE_NOUNS:
        return None
    i = len(words) - 1
    while i > 0 and len(words) - i < 6:
        gap, next_start = words[i - 1].end(), words[i].start()
        # (A single space between the words, as most have, is no break: no need to search it.)
        if tail and (next_start - gap != 1 or tail[gap] != " ") and BREAKS_RUN.search(tail, gap, next_start):
            break
        prev = words[i - 1].group()
        norm = norm_word(prev)
        if norm in ROLE_MODIFIERS or prev[0].isupper():
            i -= 1
            if norm in ("the", "a", "an"):
                break
        elif norm == "and" and i > 1 and words[i - 2].group()[0].isupper() and words[i].group()[0].isupper():
            i -= 1  # 'French and German leaders'
        else:
            break
    if i >= 2 and norm_word(words[i - 1].group()) == "of" and norm_word(words[i - 2].group()) in COLLECTIVES:
        i -= 2  # 'a bipartisan group of senators'
        k = i
        while k > 0 and i - k < 2 and words[k - 1].group()[0].islower() \
                and norm_word(words[k - 1].group()) not in NOT_DESCRIPTORS | {"a", "an", "the"}:
            k -= 1
        i = k - 1 if k > 0 and norm_word(words[k - 1].group()) in ("a", "an", "the") else k
    texts = [w.group() for w in words[i:]]
    if len(texts) == 1 and not norm_word(texts[0]).endswith("s"):
        return None  # 'minister' alone is no source; 'officials' or 'senators' is
    is_definite = norm_word(texts[0]) == "the" or (
        norm_word(texts[0]) not in ("a", "an") and not texts[-1].endswith("s") and len(texts) > 1)
    core = texts[1:] if norm_word(texts[0]) in ("the", "a", "an") else texts
    while len(core) > 1 and norm_word(core[0]) in QUANTITIES:
        core = core[1:]  # 'two officials', 'several diplomats' are officials, diplomats
    name = " ".join(core)
    if norm_word(core[-1]) in INSTITUTION_HEADS:
        body = bodies.make(core, offset + words[i].start(), offset + words[-1].end())
        # 'the ministry', 'the press service': the body named earlier; 'the Kremlin press service' names itself.
        return body._replace(is_role_only=is_definite and not any(w[0].isupper() for w in core))
    speaker = new_speaker((
        name, " ".join(w for w in core if norm_word(w) not in NATIONALITIES and not w.endswith(("'s", "’s"))) or None,
        affiliation_of(core), "group" if core[-1].endswith("s") else "person",
        offset + words[i].start(), offset + words[-1].end(), is_definite, "named",
    ))
    return speaker


def post_of(bodies: Bodies, words: list[re.Match[str]], offset: int, tail: str) -> Speaker | None:
    """'the secretary of state', 'the chief of staff', 'the minister of foreign affairs': a post named with 'of'."""
    n = len(words)
    of = next((k for k in range(n - 2, max(0, n - 5), -1) if norm_word(words[k].group()) == "of"), None)
    if of is None or norm_word(words[of - 1].group()) not in ROLE_NOUNS:
        return None
    after = [w.group() for w in words[of + 1 :]]
    if any(w[0].isupper() and norm_word(w) not in TITLE_WORDS for w in after):
        return None  # 'a resident of Belgorod': a place, not a post
    if tail and BREAKS_RUN.search(tail, words[of - 1].end(), words[-1].start()):
        return None
    base = role_phrase(bodies, words[:of], offset, tail)
    if base is None or base.kind != "person":
        return None
    name = " ".join([base.name, *(w.group() for w in words[of:])])
    return base._replace(name=name, role=name, end=offset + words[-1].end())


def unnamed_from_place(bodies: Bodies, words: list[re.Match[str]], offset: int, tail: str) -> Speaker | None:
    """'a resident of Belgorod', 'an official in Kyiv': an unnamed person and where they are from."""
    place_end = len(words)
    if place_end > 2 and words[-1].group().lower() in PLACE_NOUNS:  # 'in the Kharkiv region'
        place_end -= 1
    j = place_end - 1
    while j > 0 and words[j].group()[0].isupper() and place_end - j <= 3:
        j -= 1
    if j < place_end - 1 and j > 1 and words[j].group().lower() in BEFORE_PLACE:  # 'the', 'eastern'
        j -= 1
    if j == place_end - 1 or j < 1 or norm_word(words[j].group()) not in PLACE_WORDS:
        return None
    if tail and BREAKS_RUN.search(tail, words[j - 1].end(), words[-1].start()):
        return None
    base = role_phrase(bodies, words[:j], offset, tail)
    first = next((k for k in range(j - 1, max(-1, j - 5), -1) if norm_word(words[k].group()) in ("a", "an", "one")),
                 None)
    if base is not None and first is None and base.kind == "group":
        return base  # 'Western diplomats in Moscow' are 'Western diplomats'
    if first is None:
        return None
    if base is None or base.is_role_only or base.kind == "institution":
        return None  # 'the governor of Kharkiv' stays a role to resolve; bodies are named as they are
    place = " ".join(w.group() for w in words[j + 1 :])
    actor = bodies.table.lookup(" ".join(w.group() for w in words[j + 1 : place_end] if w.group()[0].isupper()))
    affiliation = base.affiliation or (actor.affiliation if actor is not None else None)
    return base._replace(name=f"{base.name} {words[j].group()} {place}", affiliation=affiliation,
                         end=offset + words[-1].end())


def described_name(words: list[re.Match[str]], run: list[re.Match[str]], tail: str
                   ) -> tuple[str, list[re.Match[str]]] | None:
    """'council spokesperson Alex Poe', 'resident Kim Moe', 'the Green politician Agnieszka Brugger': a few
    words describing a full name (the capitalised words at the end)."""
    first = len(words)
    while first > 0 and words[first - 1].group()[0].isupper():
        first -= 1
    name = words[first:]
    if len(name) < 2 or first > 3 or BREAKS_RUN.search(tail, words[0].start(), name[-1].end()):
        return None
    role = [w.group() for w in words[:first] if norm_word(w.group()) not in ("the", "a", "an")]
    if not role or any(norm_word(w) in NOT_DESCRIPTORS for w in role):
        return None
    return " ".join(role), name


def with_partner(at_end: Callable[[str, int], Speaker | None], speaker: Speaker, text: str, offset: int,
                 and_at: int) -> Speaker:
    """'Britain and France', 'Scholz and Macron': two named sources joined by 'and' speak together (`at_end`: the
    resolver's, for the source before 'and')."""
    left_text = text[:and_at].rstrip()
    if not left_text or not left_text[-1].isalpha() or not left_text.split()[-1][0].isupper():
        return speaker
    left = at_end(left_text, offset)
    if left is None or left.is_role_only or left.kind == "group" or left.end != offset + len(left_text):
        return speaker
    affiliation = left.affiliation if left.affiliation == speaker.affiliation else None
    return Speaker(f"{left.name} and {speaker.name}", None, affiliation, "group", left.start, speaker.end)
