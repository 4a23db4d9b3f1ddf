"""Bodies that speak as one: 'the Defence Ministry', 'the Kremlin press service', 'the regional
military administration', "Ukraine's General Staff".

The source of such a statement is the body itself, not a person behind it. Named again by its
head noun ('the ministry said', 'the press service said') it is the nearest body the article named
before with that noun and those words; `Bodies` finds the article's named bodies (capitalised
names, and the actor table's institutions) in one pass, the first time one is needed.
"""

from __future__ import annotations

import bisect
import re

from stancebench.corpus.actors import Actor, ActorTable, norm_word
from stancebench.corpus.speaker_words import (
    INSTITUTION_HEADS,
    STOP_CAPS,
    TITLE_WORDS,
    Speaker,
    affiliation_of,
    is_nationality,
    new_speaker,
)

__all__ = ["Bodies"]

#: A capitalised body ('the Russian Defence Ministry', 'the General Staff'), for 'the ministry said' later on.
_NAMED_BODY = re.compile(
    r"(?<![\w'’])(?:[A-Z](?:[\w'’-]|\.(?=\w))*\s+(?:(?:of|for)\s+(?:the\s+)?)?){0,4}"
    r"(?:Ministry|Office|Service|Administration|Staff|Department|Council|Committee|Agency|Command|Headquarters"
    r"|Embassy|Mission|Cabinet|Presidency|Secretariat|Directorate|Bureau|Commission|Parliament|Army|Navy)\b"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'’.-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’.-]*){0,4})?"  # 'of the Armed Forces'
    # 'the Kremlin press service', "Kharkiv's regional administration": a capitalised owner, a lower-case head.
    r"|(?<![\w'’])(?:[A-Z](?:[\w'’-]|\.(?=\w))*\s+){1,3}(?:[a-z]+\s+){0,2}"
    r"(?:ministry|office|service|administration|staff|department|council|committee|agency|command|embassy)\b"
)
#: Table institutions whose aliases end in a head noun ("russia's foreign ministry"), as one pattern per table.
_BODY_ALIASES: dict[int, tuple[ActorTable, re.Pattern[str]]] = {}


def _body_alias_pattern(table: ActorTable) -> re.Pattern[str]:
    cached = _BODY_ALIASES.get(id(table))
    if cached is None or cached[0] is not table:
        aliases = sorted({alias for alias, actor in table.by_alias.items()
                          if actor.kind == "institution" and alias.split()[-1] in INSTITUTION_HEADS}, key=len, reverse=True)
        body = "|".join(re.escape(a).replace(r"\ ", r"\s+").replace("'", "['’]") for a in aliases) or r"(?!x)x"
        cached = (table, re.compile(rf"(?<![\w'’])(?:{body})\b", re.IGNORECASE))
        _BODY_ALIASES[id(table)] = cached
    return cached[1]


def _from_actor(actor: Actor, start: int, end: int) -> Speaker:
    return new_speaker((actor.name, actor.role, actor.affiliation, actor.kind, start, end, False, "named"))


class Bodies:
    """The institutions of one article (`make` one from its words, `resolve` a head noun to one named before)."""

    def __init__(self, table: ActorTable, text: str) -> None:
        self.table = table
        self.text = text
        self._found: list[Speaker] | None = None

    def make(self, texts: list[str], start: int, end: int) -> Speaker:
        """An institution from its words ('Defence Ministry', "Kharkiv's regional military administration")."""
        actor = self.table.lookup(" ".join(texts))
        if actor is not None and actor.kind == "institution":
            return _from_actor(actor, start, end)
        if any(w.endswith(("'s", "’s")) for w in texts[1:]):  # "Prime Minister Rishi Sunak's office": his office
            while len(texts) > 2 and norm_word(texts[0]) in TITLE_WORDS and not texts[0].endswith(("'s", "’s")):
                start = self.text.find(texts[1], start + len(texts[0]))
                texts = texts[1:]
        # The role is the body's own words: after an owner ("Sunak's office"), before 'of' ('General Staff of ...').
        own = texts[max((k + 1 for k, w in enumerate(texts) if w.endswith(("'s", "’s"))), default=0):]
        own = own[: own.index("of")] if "of" in own[1:] else own
        role = " ".join(norm_word(w) for w in own if not is_nationality(w))
        return new_speaker((" ".join(texts), role or None, self.owner_affiliation(texts), "institution", start, end, False,
                            "named"))

    def owner_affiliation(self, texts: list[str]) -> str | None:
        """'Russian' -> Russia; "Zelensky's" -> the affiliation the table gives him, else the owner's name."""
        for word in texts:
            if word.endswith(("'s", "’s")) and word[0].isupper():
                actor = self.table.lookup(word[:-2])
                if actor is not None:
                    return actor.affiliation or actor.name
        found = affiliation_of(texts)
        if found is None and "of" in texts:  # 'the General Staff of the Armed Forces of Ukraine'
            actor = self.table.lookup(texts[-1])
            found = actor.affiliation if actor is not None and actor.kind == "institution" else None
        return found

    def named(self) -> list[Speaker]:
        """Capitalised institutions in the article, in text order (one pass, the first time one is needed)."""
        if self._found is None:
            self._found = []
            for match in _NAMED_BODY.finditer(self.text):
                words = list(re.finditer(r"\S+", match.group()))
                while words and norm_word(words[0].group()) in STOP_CAPS:
                    words = words[1:]
                if len(words) >= 2:
                    start = match.start() + words[0].start()
                    self._found.append(self.make([w.group() for w in words], start, match.end()))
            for match in _body_alias_pattern(self.table).finditer(self.text):
                actor = self.table.lookup(" ".join(match.group().split()))
                if actor is not None:
                    self._found.append(_from_actor(actor, match.start(), match.end()))
            self._found.sort(key=lambda b: b.start)
        return self._found

    def ending_at(self, end: int, not_before: int) -> Speaker | None:
        """A named body ending at `end` that starts at or after `not_before` ('... of the Armed Forces of Ukraine')."""
        bodies = self.named()
        i = bisect.bisect_left(bodies, not_before, key=lambda b: b.start)
        return next((b for b in bodies[i:] if b.end == end and b.start >= not_before), None)

    def resolve(self, speaker: Speaker, before_only: bool) -> Speaker:
        """'the ministry' -> the nearest 'Russian Defence Ministry' (same head noun, its other words among the
        body's), before it, else after it (unless `before_only`); the phrase itself when none is named."""
        words = [norm_word(w) for w in speaker.name.split()]
        head, wanted = words[-1], set(words[:-1]) - {"the", "a", "an"}
        bodies = self.named()
        i = bisect.bisect_left(bodies, speaker.start, key=lambda b: b.start)
        sides = (reversed(bodies[:i]),) if before_only else (reversed(bodies[:i]), bodies[i:])
        for side in sides:
            for body in side:
                names = {norm_word(w) for w in body.name.split()} | {norm_word(w) for w in (body.role or "").split()}
                if body.name != speaker.name and head in names and wanted <= names \
                        and not body.start <= speaker.start < body.end:  # not a longer reading of this mention
                    return body.found_at(speaker.start, speaker.end, "role")
        return speaker
