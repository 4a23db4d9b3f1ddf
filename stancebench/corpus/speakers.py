"""Who is speaking in one article: the speaker phrase next to a cue, resolved.

`SpeakerResolver` finds the speaker phrase next to a cue ("Foreign Secretary David Cameron",
"he", "Russia's foreign ministry", "officials who", "council spokesperson Alex Poe") and resolves
it against the actor table: pronouns to the last named person, bare surnames to the full name
seen earlier, misspellings to the closest table entry, a role seen alone ("the defence minister",
"the Kremlin leader") to the nearest person the article gives that post. A body that speaks as one
("the Defence Ministry", "the Kremlin press service", "the regional military administration") is
itself the source, and named again by its head noun ("the ministry said") it is the nearest body
named before with that noun and those words. Each `Speaker` says how it was found (`source`:
named, pronoun, previous, role, table). What the article has named so far, and how pronouns and roles
resolve against it, is `stancebench.corpus.speaker_memory`; the words it reads phrases with (titles,
nationalities, role nouns) are in `stancebench.corpus.speaker_words`; the shapes of role phrases ('the secretary of state',
'a resident of Belgorod') and of a name's company ('Scholz and Macron') in `stancebench.corpus.speaker_phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from stancebench.corpus.actors import WORD, ActorTable, norm_word
from stancebench.corpus.scanning import WordScanner
from stancebench.corpus.speaker_memory import PRONOUNS, SpeakerMemory
from stancebench.corpus.speaker_phrases import BEFORE_PLACE, BREAKS_RUN, PLACE_NOUNS, described_name, role_only, with_partner
from stancebench.corpus.speaker_words import (
    INSTITUTION_HEADS,
    NATIONALITIES,
    OBJECT_PRONOUNS,
    PLACE_WORDS,
    POST_ENDS,
    ROLE_NOUNS,
    STOP_CAPS,
    TITLE_WORDS,
    Speaker,
    affiliation_of,
    is_name_word,
    is_nationality,
    new_speaker,
)

__all__ = ["Speaker", "SpeakerResolver", "TITLED_NAME_SCANNER"]


_TITLED_NAME = re.compile(
    r"\b(?:[Mm]inister|[Ss]ecretary|President|[Ss]pokes(?:man|woman|person)|Chancellor|[Aa]mbassador|[Aa]dviser|[Ee]nvoy"
    r"|[Cc]ommander|[Cc]hief|[Mm]ayor|[Gg]overnor)\s+(?P<name>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,2})\b"
)
#: Titled names ('Foreign Minister Dmytro Kuleba') for `SpeakerResolver`.
TITLED_NAME_SCANNER = WordScanner(_TITLED_NAME, str.split(
    """Minister minister Secretary secretary President Spokesman spokesman Spokeswoman spokeswoman Spokesperson
    spokesperson Chancellor Ambassador ambassador Adviser adviser Envoy envoy Commander commander Chief chief Mayor
    mayor Governor governor"""
))
#: Up to four capitalised words before a title ('Ukrainian Foreign (Minister)'), read backwards from the title:
#: `_title_start` searched forwards with `(?:[A-Z][\w.'’-]*\s+){0,4}$` (the same start, at ~3x the cost).
_TITLE_BEFORE_REVERSED = re.compile(r"(?:\s+[\w.'’-]*[A-Z]){0,4}")
_WINDOW = 120  # characters before a cue that can hold its speaker phrase
_SHORT_WINDOW = 64  # what `at_end` looks at first
#: A title abbreviation or an initial before a full stop that does not end a speaker phrase.
_ABBREVIATED = re.compile(r"(?:^|[\s.])(?:Sen|Rep|Gov|Gen|Dr|Mr|Mrs|Ms|Lt|Col|Maj|Capt|Adm|Sgt|Prof|Sr|Jr|St|[A-Z])$")
#: A US politician's party and state after the name: '(R-Texas)', ', D-N.Y.,'.
_PARTY = re.compile(r"\s*,?\s*\(?\b[RDI]-[A-Z][A-Za-z.]*(?:\s[A-Z][a-z.]+)?\)?,?$")
#: An aside between a source and its cue: 'Russia, for its part, (has warned)', 'Kyiv, in turn, (said)'.
_ASIDE_AT_END = re.compile(r",\s*(?:for\s+(?:its|his|her|their)\s+part|in\s+turn|however|meanwhile|though|too|in\s+response"
                           r"|for\s+now|in\s+a\s+statement)\s*,?$")
_ASIDE_LAST_WORDS = ("part", "turn", "however", "meanwhile", "though", "too", "response", "now", "statement", ",")
_GROUP = re.Match.group
#: Where a speaker phrase after a cue ends ('said Zelensky, …', 'said Zelensky in Kyiv').
_START_ENDS = re.compile(r"[,.;:!?()“”\"]|\s(?:at|in|on|during|after|before|following|told|who|when|while|to"
                         r"|familiar|close|briefed|speaking|with)\s")  # 'according to two officials familiar with …'


class SpeakerResolver(SpeakerMemory):
    """Speaker attribution inside one article (remembers names and roles seen so far)."""

    def __init__(self, table: ActorTable, text: str, titled_names: Iterable[re.Match[str]] | None = None) -> None:
        """`titled_names`: `TITLED_NAME_SCANNER.finditer(text)` if the caller has them already."""
        super().__init__(table, text)
        for match in TITLED_NAME_SCANNER.finditer(text) if titled_names is None else titled_names:
            if table.lookup(match.group("name")) is not None:
                continue
            before = _title_start(text, max(0, match.start() - 60), match.start())
            title = (text[before : match.start()] + match.group()[: match.start("name") - match.start()]).split()
            role = " ".join(w for w in title if norm_word(w) not in NATIONALITIES) or None
            found = new_speaker((match.group("name"), role, affiliation_of(title), "person", match.start("name"), match.end(),
                                 False, "named"))
            self._remember(found)

    def _named(self, words: list[re.Match[str]], offset: int, role: str | None = None) -> Speaker | None:
        """Resolve a run of capitalised words (title words first, then a name); `role`: words describing it."""
        while len(words) > 1 and norm_word(words[0].group()) in STOP_CAPS:
            words = words[1:]
        texts = [w.group() for w in words]
        if norm_word(texts[0]) not in STOP_CAPS and (
                (len(texts) >= 2 and norm_word(texts[-1]) in INSTITUTION_HEADS)
                or texts == ["Police"]
                or ("of" in texts[1:-1]  # (a look for 'of' first: most runs have none)
                    and any(norm_word(t) in INSTITUTION_HEADS and texts[k + 1] == "of" for k, t in enumerate(texts[:-2])))):
            body = self.bodies.make(texts, offset + words[0].start(), offset + words[-1].end())
            if self.table.lookup(body.name) is not None:
                return body
            # 'the General Staff' after 'the General Staff of the Armed Forces of Ukraine': the body named in full.
            return self.bodies.resolve(body, before_only=True)
        i = 0
        while i < len(texts) - 1 and (norm_word(texts[i]) in TITLE_WORDS or is_nationality(texts[i])):
            i += 1
        name_words = texts[i:]
        if not name_words or not all(w[0].isupper() for w in name_words):  # (a name word is capitalised too)
            return None
        if i > 0 and len(name_words) == 1 and norm_word(name_words[0]) in TITLE_WORDS:
            return None  # 'the Secretary General' is a post (resolved as a role), not a person called 'General'
        if i > 0 and "of" in (norm_word(t) for t in texts) and norm_word(name_words[-1]) in TITLE_WORDS:
            return None  # 'the Secretary of State' is a post (resolved as a role), not a person called 'State'
        if not is_name_word(name_words[-1]) or len(name_words) > 3:
            return None
        start, end = offset + words[i].start(), offset + words[-1].end()
        title = texts[:i]
        name = " ".join(name_words)
        actor = self.table.lookup(name)
        if actor is None and len(name_words) == 1:
            full = self._full_names.get(norm_word(name))
            if full is not None:
                actor = self.table.lookup(full)
                if actor is None:
                    return self._remember(new_speaker((full, None, None, "person", start, end, False, "named")))
        source = "named"
        if actor is None:
            actor = self.table.closest_person(name)
            source = "table"
        if actor is not None:
            return self._remember(new_speaker((actor.name, actor.role, actor.affiliation, actor.kind, start, end, False,
                                               source)))
        if len(name_words) == 1 and not title:
            full = self._earlier_full_name(name, start)
            if full is None:
                return None  # a lone unknown capitalised word is too weak to call a speaker
            actor = self.table.lookup(full)
            found = self._from_actor(actor, start, end) if actor else Speaker(full, None, None, "person", start, end)
            return self._remember(found)
        role_words = [w for w in title if norm_word(w) not in NATIONALITIES]
        while role_words and norm_word(role_words[0]) in ("the", "of"):  # 'the Secretary of State': inner 'of' stays
            role_words = role_words[1:]
        while role_words and norm_word(role_words[-1]) in ("the", "of"):
            role_words = role_words[:-1]
        speaker = new_speaker((name, " ".join(role_words) or role, affiliation_of(title), "person", start, end, False,
                               "named"))
        return self._remember(speaker)

    def _person_before_of(self, words: list[re.Match[str]], offset: int) -> Speaker | None:
        """'Jonah Reyes of the Lakeside Institute', 'Ihor Terekhov of Ukraine': the full name before 'of'/'from'
        (the last such word: the rule looks back no further than the name before it)."""
        cut = next((k for k in range(len(words) - 1, 1, -1) if norm_word(words[k].group()) in ("of", "from")), None)
        if cut is None:
            return None
        start = cut
        while start > 0 and cut - start < 3 and is_name_word(words[start - 1].group()):
            start -= 1
        if cut - start < 2:
            return None
        found = self._named(words[start:cut], offset)
        return found if found is not None and found.kind == "person" and not found.is_role_only else None

    # ---- public matching -------------------------------------------------------------------
    def at_end(self, text: str, offset: int, whole: bool = False, owner: bool = False) -> Speaker | None:
        """The speaker phrase that ends `text` (offset: where `text` starts in the article).

        With `whole=True` the phrase must fill `text` apart from leading title words (or a few
        lower-case words describing a full name: "council spokesperson Alex Poe"). With
        `owner=True` (a possessive: "Poland's request") a lone unknown capitalised word names
        an institution.
        """
        table = self.table
        parts = text[-_WINDOW:].rsplit(None, 1)
        last = parts[-1] if parts else ""  # (the last word below, when it is a plain lower-case one)
        alpha = last.isalpha()
        if alpha and last.islower() and last.isascii() and last not in PRONOUNS \
                and last not in ROLE_NOUNS and last not in table.alias_lengths and last not in POST_ENDS \
                and last not in PLACE_NOUNS:
            return None  # a plain lower-case word ends the phrase ('… has come under'): no rule below finds a speaker
        words, size = None, len(text)
        if alpha and size <= _SHORT_WINDOW and (len(parts) == 1 or (first := parts[0].lstrip()).isalpha()):
            # The phrase is one or two words of letters (so `WORD` finds just them): a pronoun or an actor's alias ('he',
            # 'Sunak', 'Dmitry Peskov'), as most phrases before a cue are, is what the rules below find for it, without
            # finding the words. (`norm_word` of an ASCII word of letters is its lower case, which costs less.)
            norm = last.lower() if last.isascii() else norm_word(last)
            end = offset + text.rfind(last) + len(last)
            if len(parts) == 1:
                if norm in PRONOUNS:
                    return self._pronoun(norm, end - len(last), end)
                actor, start = table.by_alias.get(norm), end - len(last)
            else:  # (the alias of both words, the longest, is tried first; a pronoun last is left to the rules)
                actor = None if norm in PRONOUNS else table.by_alias.get(
                    f"{first.lower() if first.isascii() else norm_word(first)} {norm}")
                start = offset + text.find(first)
            if actor is not None:
                speaker = new_speaker((actor.name, actor.role, actor.affiliation, actor.kind, start, end, False, "named"))
                return self._remember(speaker) if actor.kind == "person" else speaker
            if len(parts) == 1 and not owner and last[0].isupper() and norm not in ("of", "the"):
                # A lone capitalised word no alias is ('Novak', a misspelt 'Stoltenburg'): the rules below read it as
                # a name, else as a role noun ('Officials'), and as nothing else.
                word = [WORD.match(text, start - offset)]
                return self._named(word, offset) or role_only(self.bodies, word, offset, text)
        # The words of the last `_WINDOW` characters, found in place (positions into `text`, `shift` = offset).
        if not whole and size > _SHORT_WINDOW:
            # Most phrases need only the last few words: a shorter window has the same words at its end (its
            # first may be cut), enough when it holds more words than any rule looks back over and a lower-case
            # word past its first that ends any run of capitalised words.
            short = list(WORD.finditer(text, size - _SHORT_WINDOW))[1:]
            if len(short) >= max(table.max_words + 2, 8) and any(
                    not w.group()[0].isupper() and norm_word(w.group()) not in ("of", "the") for w in short[1:]):
                words = short
        if words is None:
            words = list(WORD.finditer(text, max(0, size - _WINDOW)))
        if not words:
            return None
        shift, tail = offset, text  # (the names the rules below use: positions are already into `text`)
        last_word = words[-1]
        last = norm_word(last_word.group())
        if last in PRONOUNS and (not whole or len(words) == 1):
            return self._pronoun(last, shift + last_word.start(), shift + last_word.end())
        # Only the lengths of the aliases that end with this word can match (most phrases end with none).
        lengths, n = table.alias_lengths.get(last, ()), len(words)
        if lengths:  # (longest first) only as many words as the longest alias can name an actor
            by_alias = table.by_alias
            # (`map` over C callables: no comprehension frame, on every phrase that ends like an alias)
            norms = list(map(norm_word, map(_GROUP, words[-lengths[0] :]))) if lengths[0] > 1 else [last]
        for k in lengths:
            if k > n:
                continue
            actor = by_alias.get(" ".join(norms[-k:]) if k > 1 else last)
            if actor is None:
                continue
            kind = actor.kind
            # The word before the alias, once (the rules below look at it; "" when the alias starts the window).
            before = words[-k - 1].group() if k < n else ""
            norm_before = norm_word(before) if before else ""
            if kind == "institution" and before:
                if norm_before in ("of", "the"):
                    body = self.bodies.ending_at(shift + last_word.end(), shift + words[0].start())
                    if body is not None:
                        return body
                place_word = norm_before
                if place_word in BEFORE_PLACE and k + 2 < n:  # 'a soldier in eastern Ukraine'
                    place_word = norm_word(words[-k - 2].group())
                if k + 1 < n and place_word in PLACE_WORDS:
                    # 'Ihor Terekhov of Ukraine' is Terekhov; 'an official in Kyiv' is that official, not Kyiv
                    found = self._person_before_of(words, shift) or role_only(self.bodies, words, shift, tail=tail)
                    if found is not None and found.kind != "institution":
                        return found
            elif kind == "person" and before and is_name_word(before) and norm_before not in TITLE_WORDS:
                continue  # "John Blinken" is not Antony Blinken
            partnered = norm_before == "and"
            if whole:  # the words before the alias (and its partner) may only be title words, or describe it
                before_name = words[: -k - 1 if partnered else -k]
                if any(not w.group()[0].isupper() and norm_word(w.group()) not in TITLE_WORDS for w in before_name) \
                        and not _describes_a_name(before_name):
                    return None
            speaker = new_speaker((actor.name, actor.role, actor.affiliation, kind, shift + words[-k].start(),
                                   shift + last_word.end(), False, "named"))
            if kind == "person":
                speaker = self._remember(speaker)
            if partnered:
                paired = with_partner(self.at_end, speaker, text, offset, words[-k - 1].start())
                return None if whole and paired is speaker else paired
            return speaker
        run: list[re.Match[str]] = []
        for word in reversed(words):
            w = word.group()
            if run and (run[0].start() - word.end() != 1 or tail[word.end()] != " ") \
                    and BREAKS_RUN.search(tail, word.end(), run[0].start()):
                break  # 'Asked about the cost to Kyiv, Trump said': no name across a comma
            if w[0].isupper() or (run and norm_word(w) in ("of", "the")):
                run.insert(0, word)
            else:
                break
        while run and norm_word(run[0].group()) in ("of", "the"):
            run.pop(0)
        described = None
        # The whole phrase, but for leading articles ('the Kremlin'), must be the run ('X of the Y' included).
        if whole and len(run) != len(words) - next((k for k, w in enumerate(words) if norm_word(w.group()) != "the"),
                                                   len(words)):
            described = described_name(words, run, tail) if len(run) >= 2 else None
            run = []
        if owner and len(run) == 1 and is_name_word(run[0].group()) and self.table.lookup(run[0].group()) is None:
            word = run[0]  # 'Poland's request': a country or body the table does not know
            return Speaker(word.group(), None, None, "institution", shift + word.start(), shift + word.end())
        if run:
            found = self._person_before_of(run, shift) or self._named(run, shift)
            if found is not None:
                at = words.index(run[0])
                if at > 0 and norm_word(words[at - 1].group()) == "and" and found.kind == "person":
                    return with_partner(self.at_end, found, text, offset, shift - offset + words[at - 1].start())
                return found
        if described is not None:
            return self._named(described[1], shift, role=described[0])
        found = role_only(self.bodies, words, shift, tail)
        if found is not None and found.is_role_only:
            resolved = self.resolve_role_only(found, before_only=True)
            if not resolved.is_role_only:
                return self._remember(resolved)  # so that a following 'he said' is this person too
        return found

    def at_end_of_clause(self, text: str, offset: int) -> Speaker | None:
        """`at_end`, past a trailing appositive: 'Dmitry Peskov, a spokesperson for Vladimir Putin,' is Peskov;
        'The regional governor, Oleh Syniehubov,' is Syniehubov."""
        body = text.rstrip()
        mark = body[-1:]  # (one look at the last character, not two `endswith`: most phrases end with a letter)
        if (mark == ")" or mark == ",") and "-" in body[-16:] \
                and (party := _PARTY.search(body, max(0, len(body) - 16))):
            text = body = body[: party.start()]  # 'Michael McCaul (R-Texas)', 'Lindsey Graham, R-S.C.,'
            mark = body[-1:]
        if mark == ",":
            inner = body[:-1]
            cut = inner.rfind(",")
            if cut != -1:
                appositive = inner[cut + 1 :].strip()
                first = appositive.split()[0] if appositive else ""
                if first[:1].isupper() and first.lower() not in ("a", "an", "the"):
                    named = self.at_end(appositive, offset + len(inner) - len(appositive), whole=True)
                    if named is not None and named.kind == "person" and not named.is_role_only:
                        return named
                found = self.at_end(inner[:cut], offset)
                if found is not None:
                    return found
        found = self.at_end(text, offset)
        if found is None and body.endswith(_ASIDE_LAST_WORDS) and (aside := _ASIDE_AT_END.search(body)) is not None:
            return self.at_end(body[: aside.start()], offset)  # 'Russia, for its part, has warned …'
        return found

    def at_start(self, text: str, offset: int) -> Speaker | None:
        """The speaker phrase that starts `text` ('said Zelensky', 'according to the Kremlin')."""
        cut = _START_ENDS.search(text)
        # (An abbreviation before the stop is at most 5 characters with what comes before it: no need to search more.)
        while cut is not None and cut.group() == "." and _ABBREVIATED.search(text, max(0, cut.start() - 5), cut.start()):
            cut = _START_ENDS.search(text, cut.end())  # 'said Sen. Lindsey Graham', 'said John F. Kennedy'
        phrase = text[: cut.start()] if cut else text
        if not phrase.strip():
            return None
        if (pronoun := OBJECT_PRONOUNS.get(phrase.strip().lower())) is not None:  # 'according to him'
            return self._pronoun(pronoun, offset, offset + len(phrase.rstrip()))
        return self.at_end(phrase.rstrip(), offset, whole=True)



def _title_start(text: str, start: int, end: int) -> int:
    """Where the capitalised words (up to four, each followed by white space) that end at `end` begin, not before
    `start` (`end` itself if none; as `$` does, a final newline may be left out)."""
    found = _TITLE_BEFORE_REVERSED.match(text[start:end][::-1]).end()
    return end - 1 if found == 0 and end > start and text[end - 1] == "\n" else end - found


def _describes_a_name(words: list[re.Match[str]]) -> bool:
    """'government spokesperson', 'opposition leader': a few words that end with a title, before a full name."""
    return 0 < len(words) <= 4 and norm_word(words[-1].group()) in TITLE_WORDS and all(w.group().isalpha() for w in words)

