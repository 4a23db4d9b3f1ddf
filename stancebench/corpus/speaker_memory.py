"""What one article has named so far, and where: the memory speaker phrases are resolved against.

`SpeakerMemory` keeps the people an article names, in text order (the actor table's surnames, scanned
for lazily, and every person a phrase resolved to), the full names it gave ('Gabrielius Landsbergis' for
a later 'Landsbergis') and the speaker of the last statement. Against it a pronoun is the person named
last ('he', 'she'; 'they', 'it': the last speaker), and a role seen alone ('the defence minister', 'the
Kremlin leader') the nearest person the article gives that post. `stancebench.corpus.speakers` reads the
phrases (`SpeakerResolver` is a `SpeakerMemory`).
"""

from __future__ import annotations

import bisect
from operator import attrgetter, itemgetter

from stancebench.corpus.actors import Actor, ActorTable, norm_phrase, norm_word
from stancebench.corpus.bodies import Bodies
from stancebench.corpus.speaker_words import (
    HEAD_SYNONYMS,
    STOP_CAPS,
    TITLE_WORDS,
    Speaker,
    new_speaker,
    role_head,
    role_matches,
    surname_key,
)

__all__ = ["PRONOUNS", "SpeakerMemory"]

#: Subject pronouns and the kind of speaker each stands for.
PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "institution"}
_ROLE_LOOKAROUND = 8
_first = itemgetter(0)
_start = attrgetter("start")
_LOOK_BACK = 600  # characters a pronoun's antecedent is first looked for in, when the scan for names is far behind


class SpeakerMemory:
    """The people (and bodies) one article has named so far, and the speaker it quoted last."""

    def __init__(self, table: ActorTable, text: str) -> None:
        self.table = table
        self.text = text
        self._role_index: dict[str, list[Speaker]] | None = None
        self._earlier: dict[str, tuple[int, str] | None] = {}
        self._mentions: list[tuple[int, Speaker]] = []
        # The table's surnames in the text are scanned for lazily, as far as a pronoun or a role needs them (most
        # articles need none; a pronoun far ahead of the scan looks back first, `_look_back`); `_scan_mentions`
        # keeps `_mentions` as an up-front scan would have it.
        self._scanned_to = 0  # every surname starting before this is in `_mentions`
        self._looked_back = 0  # characters `_look_back` has searched (never more than scanning on would have)
        self.bodies = Bodies(table, text)  # institutions, found when one is needed
        self._full_names: dict[str, str] = {}
        self._full_names_seen: set[str] = set()  # the names `_full_names` has been given
        self._last_speaker: Speaker | None = None
        self._last_content: tuple[int, int] | None = None

    @staticmethod
    def _from_actor(actor: Actor, start: int, end: int) -> Speaker:
        return new_speaker((actor.name, actor.role, actor.affiliation, actor.kind, start, end, False, "named"))

    def _scan_mentions(self, before: int | None = None) -> None:
        """Add the table's surnames in the text to `_mentions`: all of them, or those starting before `before`."""
        text, start = self.text, self._scanned_to
        stop = len(text) if before is None else min(len(text), before)
        if stop <= start:
            return
        words, found = self.table.person_words, []
        for at, end in self.table.person_spans(text, start, stop):
            actor = words[norm_word(text[at:end])]
            found.append((at, new_speaker((actor.name, actor.role, actor.affiliation, actor.kind, at, end, False, "named"))))
        mentions = self._mentions
        if found and mentions and mentions[-1][0] >= found[0][0]:
            # Left of any remembered mention at the same place: where a scan before them would have put it (the sort is
            # stable, and no two scanned mentions start at one place).
            i = bisect.bisect_left(mentions, found[0][0], key=_first)
            mentions[i:] = sorted(found + mentions[i:], key=_first)
        else:
            mentions.extend(found)  # (most scans find only names after all those remembered)
        self._scanned_to = stop

    def _mention_before(self, position: int) -> Speaker | None:
        """The person mentioned nearest before `position`, as `_mentions` would give it after a scan up to there."""
        nearby = self._look_back(position) if position > self._scanned_to else None
        if nearby is None:
            self._scan_mentions(position)
        mentions = self._mentions
        i = bisect.bisect_left(mentions, position, key=_first)
        # (A remembered mention at the very place of a scanned one comes after it in `_mentions`: it wins a tie.)
        if nearby is not None and (i == 0 or mentions[i - 1][0] < nearby.start):
            return nearby
        return mentions[i - 1][1] if i else None

    def _look_back(self, position: int) -> Speaker | None:
        """The last surname in the `_LOOK_BACK` characters or so before `position`, if any, when the scan is far behind.

        It finds what the scan from the start finds there (`ActorTable.person_spans`).
        """
        text, table, behind = self.text, self.table, position - self._scanned_to
        q = text.rfind(" ", self._scanned_to, position - _LOOK_BACK) + 1 if behind > _LOOK_BACK else 0
        cost = position - q
        if q == 0 or self._looked_back + cost > behind:
            return None  # (scanning on from where the scan stopped costs no more)
        self._looked_back += cost
        found = table.person_spans(text, q, position)
        if not found:
            return None
        at, end = found[-1]
        return self._from_actor(table.person_words[norm_word(text[at:end])], at, end)

    def _remember(self, speaker: Speaker) -> Speaker:
        if speaker.kind == "person" and not speaker.is_role_only:
            mentions, start = self._mentions, speaker.start
            if not mentions or mentions[-1][0] <= start:
                mentions.append((start, speaker))  # (where `insort` puts it; most mentions come in text order)
            else:
                bisect.insort(mentions, (start, speaker), key=_first)
            if self._role_index is not None and speaker.role:
                bisect.insort(self._role_index.setdefault(role_head(speaker.role), []), speaker,
                              key=_start)
            name = speaker.name
            if name not in self._full_names_seen and " " in name:  # (the same names come again and again)
                self._full_names_seen.add(name)
                self._full_names.setdefault(surname_key(name), name)
        return speaker

    def note_speaker(self, speaker: Speaker, content: tuple[int, int] | None = None) -> None:
        """Record the speaker of an emitted statement (for 'they'/'it' and cue-less quotes) and where its content is."""
        self._last_speaker = speaker
        self._last_content = content

    @property
    def last_speaker(self) -> Speaker | None:
        """The speaker of the last statement emitted so far."""
        return self._last_speaker

    def _pronoun(self, word: str, start: int, end: int) -> Speaker | None:
        kind = PRONOUNS[word]
        if kind == "person":
            found = self._mention_before(start)
            if found is None:
                return None
            last = self._last_speaker
            if last is not None and last.kind == "person" and found.start < last.start < start:
                found = last  # 'A resident of Belgorod said … "…," she said': the unnamed person just quoted
            elif last is not None and last.kind == "person" and self._last_content is not None \
                    and self._last_content[0] <= found.start < self._last_content[1] <= start:
                found = last  # 'Peskov said Putin's position was clear. He also said …': not a person named in what was said
            return found.found_at(start, end, "pronoun")
        last = self._last_speaker
        if last is None or (kind == "institution" and last.kind == "person"):
            return None
        return last.found_at(start, end, "pronoun")

    def _earlier_full_name(self, surname: str, before: int) -> str | None:
        """'Landsbergis' -> 'Gabrielius Landsbergis' when the article named him so before `before`."""
        if surname not in self._earlier:
            found = None
            text, at = self.text, self.text.find(" " + surname)
            while at != -1 and found is None:
                end = at + 1 + len(surname)
                first = text[text.rfind(" ", 0, at) + 1 : at].lstrip("\"“‘(\n")
                if (end == len(text) or not (text[end].isalnum() or text[end] == "_")) and first[:1].isupper() \
                        and "\n" not in first and norm_word(first) not in TITLE_WORDS \
                        and norm_word(first) not in STOP_CAPS and first[-1:].isalpha():
                    found = (at, f"{first} {surname}")
                at = text.find(" " + surname, at + 1)
            self._earlier[surname] = found
        found = self._earlier[surname]
        return found[1] if found is not None and found[0] < before else None

    def resolve_role_only(self, speaker: Speaker, before_only: bool = False) -> Speaker:
        """A role-only speaker ('the defence minister', 'the Kremlin leader') under the name the article
        gives that role: the nearest such person before it, else after it (unless `before_only`)."""
        if not speaker.is_role_only:
            return speaker
        if speaker.kind == "institution":
            return self.bodies.resolve(speaker, before_only)
        key = norm_phrase(speaker.name)
        head = role_head(key) if key else ""  # 'secretary of state' is a secretary
        best: Speaker | None = None
        for word in HEAD_SYNONYMS.get(head, (head,)):
            mentions = self._by_role_head().get(word, [])
            i = bisect.bisect_left(mentions, speaker.start, key=_start)
            # Nearest first; a few steps each way are plenty (the role was just named, or is named next).
            before = (m for m in reversed(mentions[max(0, i - _ROLE_LOOKAROUND) : i]))
            after = () if before_only else (m for m in mentions[i : i + _ROLE_LOOKAROUND])
            for side in (before, after):
                found = next((m for m in side if role_matches(key, m.role, speaker.affiliation, m.affiliation)), None)
                if found is not None and (best is None or _closer(found, best, speaker.start)):
                    best = found
        if best is not None:
            return best.found_at(speaker.start, speaker.end, "role")  # (a named mention: not role-only)
        return speaker if before_only else speaker._replace(is_role_only=False)

    def _by_role_head(self) -> dict[str, list[Speaker]]:
        """Named mentions with a role, sorted by position, by the role's last word (kept up to date by `_remember`)."""
        if self._role_index is None:
            self._scan_mentions()
            index: dict[str, list[Speaker]] = {}
            for _, mention in self._mentions:
                if mention.role and not mention.is_role_only:
                    index.setdefault(role_head(mention.role), []).append(mention)
            self._role_index = index
        return self._role_index


def _closer(a: Speaker, b: Speaker, position: int) -> bool:
    """Whether `a` is nearer `position` than `b` (a mention before it wins a tie)."""
    return (abs(a.start - position), a.start > position) < (abs(b.start - position), b.start > position)
