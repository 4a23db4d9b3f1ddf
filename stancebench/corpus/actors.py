"""Who is speaking: the actor table and speaker attribution within one article.

The table (`resources/actors.tsv`, extended by an optional `actors.tsv` at the corpus root)
maps name variants to a canonical name, role and affiliation. `SpeakerResolver` finds the
speaker phrase next to a cue ("Foreign Secretary David Cameron", "he", "Russia's foreign
ministry", "officials who") and resolves it: pronouns to the last named person, bare surnames
to the full name seen earlier, misspellings to the closest table entry, a role seen alone
("the defence minister") to the name that role is given later in the article.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from stancebench.corpus.scanning import WordScanner
from stancebench.errors import InputError

__all__ = ["Actor", "ActorTable", "Speaker", "SpeakerResolver", "load_actors", "ACTOR_KINDS", "TITLED_NAME_SCANNER"]

ACTOR_KINDS = ("person", "institution", "group")
_COLUMNS = ("name", "role", "affiliation", "kind", "aliases")

def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W_][\w.'’&-]*")
_TITLE_WORDS = _wordset(
    """president prime minister foreign defence defense secretary general chancellor spokesman spokeswoman
    spokesperson ambassador senator sen rep representative governor gov envoy adviser advisor national security
    council state deputy vice chief head commander admiral gen lt col maj press office ministry mr mrs ms dr
    lord sir king queen leader speaker chairman chairwoman director of the for interior finance former top senior
    department presidential kremlin pentagon nato eu u.s. us u.k. uk un american russian ukrainian british french
    german polish chinese european european's"""
)
_NATIONALITIES = {
    "russian": "Russia", "kremlin": "Russia", "russia's": "Russia", "moscow's": "Russia",
    "ukrainian": "Ukraine", "ukraine's": "Ukraine", "kyiv's": "Ukraine",
    "u.s.": "United States", "us": "United States", "american": "United States", "pentagon": "United States",
    "british": "United Kingdom", "u.k.": "United Kingdom", "uk": "United Kingdom",
    "french": "France", "german": "Germany", "polish": "Poland", "chinese": "China",
    "nato": "NATO", "eu": "European Union", "european": "Europe",
}
_ROLE_NOUNS = _wordset(
    """spokesman spokeswoman spokesperson minister secretary president chancellor ambassador adviser advisor envoy
    official officials diplomat diplomats lawmaker lawmakers leader leaders commander chief general ministry
    government lawmakers senators senator governments allies spokespeople mayor governor analysts sources
    residents strategists observers critics experts commentators campaigners activists economists"""
)
_ROLE_MODIFIERS = _wordset(
    """the a an senior top foreign defence defense deputy former ministry press military presidential security
    national chief prime state government administration interior finance council department office several two
    three other some many western european"""
)
_STOP_CAPS = _wordset(
    """the a an on in at but and as previously earlier later it this that these those he she they we i if when
    while after before then so yet also however meanwhile still now today yesterday monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december since during following according his her their its our my your there here what why"""
)
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
_TITLE_BEFORE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){0,4}$")
#: Role words that name the same post as another ('the Kremlin leader' is a president; 'the Pentagon chief' a secretary).
_HEAD_SYNONYMS = {
    "leader": ("leader", "president", "minister", "chancellor"),
    "chief": ("chief", "secretary", "general", "head", "minister", "commander"),
    "head": ("head", "chief", "secretary", "general", "minister"),
    "premier": ("premier", "minister"),
}
_ROLE_LOOKAROUND = 8
#: Two capitalised words in a row (overlapping: 'Lithuania's Gabrielius Landsbergis' holds two pairs).
_TWO_WORD_NAME = re.compile(r"\b(?=[A-Z])([A-Z][\w.’'-]+) (?=([A-Z][a-z][\w’'-]*)\b)")
_BREAKS_RUN = re.compile(r"[,;:()\"“”]|\.\s")
#: Words that do not describe a speaker ("said resident Kim Moe" does; "when Kim Moe" does not).
_NOT_DESCRIPTORS = _wordset(
    """when while after before as if that which who whom whose because since and or but with without about by from
    at in on to for of said says told added asked is was are were has had have will would"""
)
_PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "institution"}


@dataclass(frozen=True, slots=True)
class Actor:
    """One row of the actor table."""

    name: str
    role: str | None
    affiliation: str | None
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Speaker:
    """A resolved speaker and where its phrase sits in the article."""

    name: str
    role: str | None
    affiliation: str | None
    kind: str
    start: int
    end: int
    is_role_only: bool = False
    #: How it was found: named (in the sentence), pronoun, previous (statement), role (resolved), table (spelling).
    source: str = "named"


@functools.lru_cache(maxsize=65536)
def _norm_word(word: str) -> str:
    word = word.replace("’", "'").casefold()
    if word.endswith(".") and "." not in word[:-1]:
        word = word[:-1]
    return word


def _surface_forms(word: str) -> set[str]:
    """'zelenskyy' -> {'Zelenskyy'}; "o'brien" -> {"O'brien", "O’brien"} (as written in running text)."""
    forms = {word[:1].upper() + word[1:]}
    return forms | {f.replace("'", "’") for f in forms}


def _norm_phrase(phrase: str) -> str:
    return " ".join(_norm_word(w) for w in _WORD.findall(phrase))


class ActorTable:
    """Name variants -> Actor, matched on whole words, longest first."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.actors: dict[str, Actor] = {}
        for actor in actors:
            self.actors[actor.name] = actor
        self.by_alias: dict[str, Actor] = {}
        self.surnames: dict[str, Actor] = {}
        for actor in self.actors.values():
            for alias in (actor.name, *actor.aliases):
                self.by_alias[_norm_phrase(alias)] = actor
            if actor.kind == "person":
                self.surnames[_norm_word(actor.name.split()[-1])] = actor
                for alias in actor.aliases:
                    if " " not in alias:
                        self.surnames[_norm_word(alias)] = actor
        self.max_words = max((key.count(" ") + 1 for key in self.by_alias), default=1)
        #: capitalised word -> the person it names as a surname (for "the last named person").
        self.person_words: dict[str, Actor] = {
            key: actor for key, actor in self.surnames.items() if " " not in key
        }
        forms = sorted({form for key in self.person_words for form in _surface_forms(key)}, key=len, reverse=True)
        body = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
        #: The capitalised surnames above in running text (case-sensitive: fast to scan).
        self.person_pattern = re.compile(rf"\b(?=[A-Z])(?:{body})\b")
        self.person_scanner = WordScanner(self.person_pattern, forms)
        self._pool = {_norm_phrase(a.name): a for a in self.actors.values()}
        self._closest: dict[str, Actor | None] = {}

    def __len__(self) -> int:
        return len(self.actors)

    def lookup(self, phrase: str) -> Actor | None:
        """The actor this exact phrase names (case- and apostrophe-insensitive), if any."""
        return self.by_alias.get(_norm_phrase(phrase))

    def closest_person(self, name: str) -> Actor | None:
        """The person whose name or surname is spelt closest to `name` (misspellings), if close."""
        key = _norm_phrase(name)
        if key not in self._closest:
            pool = self.surnames if " " not in key else self._pool
            found = difflib.get_close_matches(key, list(pool), n=1, cutoff=0.84)
            self._closest[key] = pool[found[0]] if found else None
        return self._closest[key]


def _parse_table(text: str, path: str | Path) -> list[Actor]:
    actors: list[Actor] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if tuple(c.lower() for c in cells[:4]) == _COLUMNS[:4]:
            continue  # header row
        if len(cells) < 4 or len(cells) > 5:
            raise InputError(path, lineno, f"expected 4 or 5 tab-separated columns ({', '.join(_COLUMNS)}), got {len(cells)}")
        name, role, affiliation, kind = cells[:4]
        if not name:
            raise InputError(path, lineno, "empty actor name")
        if kind not in ACTOR_KINDS:
            raise InputError(path, lineno, f"unknown kind {kind!r} (expected one of: {', '.join(ACTOR_KINDS)})")
        aliases = tuple(a.strip() for a in (cells[4] if len(cells) == 5 else "").split("|") if a.strip())
        actors.append(Actor(name, role or None, affiliation or None, kind, aliases))
    return actors


def load_actors(extra: str | Path | None = None) -> ActorTable:
    """The packaged actor table, plus (overriding by name) the rows of `extra` if given and present."""
    source = resources.files("stancebench").joinpath("resources/actors.tsv")
    actors = _parse_table(source.read_text(encoding="utf-8"), "stancebench/resources/actors.tsv")
    if extra is not None and Path(extra).is_file():
        try:
            text = Path(extra).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(extra, 0, "not UTF-8 text") from None
        actors.extend(_parse_table(text, extra))
    return ActorTable(actors)


def _affiliation_of(words: list[str]) -> str | None:
    for word in words:
        norm = _norm_word(word)
        if norm in _NATIONALITIES:
            return _NATIONALITIES[norm]
        if norm.endswith("'s") and word[0].isupper():
            return word[:-2]
    return None


def _is_nationality(word: str) -> bool:
    """'Latvian', 'Dutch', 'Danish', 'Chinese': an adjective of nationality before a title and a name."""
    norm = _norm_word(word)
    return norm in _NATIONALITIES or norm.endswith(("ian", "ish", "ese", "ean")) or norm in _OTHER_NATIONALITIES


_OTHER_NATIONALITIES = frozenset(str.split("dutch french czech greek swiss israeli iraqi thai"))


def _is_name_word(word: str) -> bool:
    return word[0].isupper() and word[1:2].islower() and _norm_word(word) not in _STOP_CAPS and not word.endswith(("'s", "’s"))


class SpeakerResolver:
    """Speaker attribution inside one article (remembers names and roles seen so far)."""

    def __init__(self, table: ActorTable, text: str, titled_names: Iterable[re.Match[str]] | None = None) -> None:
        """`titled_names`: `TITLED_NAME_SCANNER.finditer(text)` if the caller has them already."""
        self.table = table
        self.text = text
        self._role_index: dict[str, list[Speaker]] | None = None
        self._two_word_names: dict[str, tuple[int, str]] | None = None
        self._mentions: list[tuple[int, Speaker]] = []
        words = table.person_words
        for match in table.person_scanner.finditer(text):
            actor = words[_norm_word(match.group())]
            self._mentions.append((match.start(), self._from_actor(actor, match.start(), match.end())))
        self._mentions.sort(key=lambda m: m[0])
        self._full_names: dict[str, str] = {}
        for match in TITLED_NAME_SCANNER.finditer(text) if titled_names is None else titled_names:
            if table.lookup(match.group("name")) is not None:
                continue
            before = _TITLE_BEFORE.search(text, max(0, match.start() - 60), match.start())
            title = (text[before.start() : match.start()] + match.group()[: match.start("name") - match.start()]).split()
            role = " ".join(w for w in title if _norm_word(w) not in _NATIONALITIES) or None
            found = Speaker(match.group("name"), role, _affiliation_of(title), "person", match.start("name"), match.end())
            self._remember(found)
        self._last_speaker: Speaker | None = None

    # ---- building blocks -------------------------------------------------------------------
    @staticmethod
    def _from_actor(actor: Actor, start: int, end: int) -> Speaker:
        return Speaker(actor.name, actor.role, actor.affiliation, actor.kind, start, end)

    def _remember(self, speaker: Speaker) -> Speaker:
        if speaker.kind == "person" and not speaker.is_role_only:
            bisect.insort(self._mentions, (speaker.start, speaker), key=lambda m: m[0])
            if self._role_index is not None and speaker.role:
                bisect.insort(self._role_index.setdefault(_role_head(speaker.role), []), speaker,
                              key=lambda m: m.start)
            if " " in speaker.name:
                self._full_names.setdefault(_norm_word(speaker.name.split()[-1]), speaker.name)
        return speaker

    def note_speaker(self, speaker: Speaker) -> None:
        """Record the speaker of an emitted statement (for 'they'/'it' and cue-less quotes)."""
        self._last_speaker = speaker

    @property
    def last_speaker(self) -> Speaker | None:
        """The speaker of the last statement emitted so far."""
        return self._last_speaker

    def _pronoun(self, word: str, start: int, end: int) -> Speaker | None:
        kind = _PRONOUNS[word]
        if kind == "person":
            i = bisect.bisect_left(self._mentions, start, key=lambda m: m[0])
            if i == 0:
                return None
            found = self._mentions[i - 1][1]
            return replace(found, start=start, end=end, source="pronoun")
        last = self._last_speaker
        if last is None or (kind == "institution" and last.kind == "person"):
            return None
        return replace(last, start=start, end=end, source="pronoun")

    def _named(self, words: list[re.Match[str]], offset: int, role: str | None = None) -> Speaker | None:
        """Resolve a run of capitalised words (title words first, then a name); `role`: words describing it."""
        while len(words) > 1 and _norm_word(words[0].group()) in _STOP_CAPS:
            words = words[1:]
        texts = [w.group() for w in words]
        i = 0
        while i < len(texts) - 1 and (_norm_word(texts[i]) in _TITLE_WORDS or _is_nationality(texts[i])):
            i += 1
        name_words = texts[i:]
        if not name_words or not all(_is_name_word(w) or w[0].isupper() for w in name_words):
            return None
        if not _is_name_word(name_words[-1]) or len(name_words) > 3:
            return None
        start, end = offset + words[i].start(), offset + words[-1].end()
        title = texts[:i]
        name = " ".join(name_words)
        actor = self.table.lookup(name)
        if actor is None and len(name_words) == 1:
            full = self._full_names.get(_norm_word(name))
            if full is not None:
                actor = self.table.lookup(full)
                if actor is None:
                    return self._remember(Speaker(full, None, None, "person", start, end))
        source = "named"
        if actor is None:
            actor = self.table.closest_person(name)
            source = "table"
        if actor is not None:
            return self._remember(replace(self._from_actor(actor, start, end), source=source))
        if len(name_words) == 1 and not title:
            full = self._earlier_full_name(name, start)
            if full is None:
                return None  # a lone unknown capitalised word is too weak to call a speaker
            actor = self.table.lookup(full)
            found = self._from_actor(actor, start, end) if actor else Speaker(full, None, None, "person", start, end)
            return self._remember(found)
        role_words = [w for w in title if _norm_word(w) not in _NATIONALITIES and _norm_word(w) not in ("the", "of")]
        speaker = Speaker(name, " ".join(role_words) or role, _affiliation_of(title), "person", start, end)
        return self._remember(speaker)

    def _earlier_full_name(self, surname: str, before: int) -> str | None:
        """'Landsbergis' -> 'Gabrielius Landsbergis' when the article named him so earlier."""
        if self._two_word_names is None:  # one pass over the article, the first time a lone name needs it
            self._two_word_names = {}
            for match in _TWO_WORD_NAME.finditer(self.text):
                first, last = match.group(1), match.group(2)
                if _norm_word(first) not in _TITLE_WORDS and _norm_word(first) not in _STOP_CAPS:
                    self._two_word_names.setdefault(last, (match.start(), f"{first} {last}"))
        found = self._two_word_names.get(surname)
        return found[1] if found is not None and found[0] < before else None

    def _role_only(self, words: list[re.Match[str]], offset: int, tail: str = "") -> Speaker | None:
        """'the Kremlin's spokesman', 'the Ruritanian defence minister', 'Polish officials' (`tail`: the text
        `words` were found in, so that the phrase stops at a comma)."""
        if _norm_word(words[-1].group()) not in _ROLE_NOUNS:
            return None
        i = len(words) - 1
        while i > 0 and len(words) - i < 6:
            if tail and _BREAKS_RUN.search(tail, words[i - 1].end(), words[i].start()):
                break
            prev = words[i - 1].group()
            norm = _norm_word(prev)
            if norm in _ROLE_MODIFIERS or prev[0].isupper():
                i -= 1
                if norm in ("the", "a", "an"):
                    break
            elif norm == "and" and i > 1 and words[i - 2].group()[0].isupper() and words[i].group()[0].isupper():
                i -= 1  # 'French and German leaders'
            else:
                break
        texts = [w.group() for w in words[i:]]
        if len(texts) == 1 and not _norm_word(texts[0]).endswith("s"):
            return None  # 'minister' alone is no source; 'officials' or 'senators' is
        is_definite = _norm_word(texts[0]) == "the" or (
            _norm_word(texts[0]) not in ("a", "an") and not texts[-1].endswith("s") and len(texts) > 1)
        core = texts[1:] if _norm_word(texts[0]) in ("the", "a", "an") else texts
        name = " ".join(core)
        speaker = Speaker(
            name, " ".join(w for w in core if _norm_word(w) not in _NATIONALITIES and not w.endswith(("'s", "’s"))) or None,
            _affiliation_of(core), "group" if core[-1].endswith("s") else "person",
            offset + words[i].start(), offset + words[-1].end(), is_role_only=is_definite,
        )
        return speaker

    def resolve_role_only(self, speaker: Speaker, before_only: bool = False) -> Speaker:
        """A role-only speaker ('the defence minister', 'the Kremlin leader') under the name the article
        gives that role: the nearest such person before it, else after it (unless `before_only`)."""
        if not speaker.is_role_only:
            return speaker
        key = _norm_phrase(speaker.name)
        head = key.split()[-1] if key else ""
        best: Speaker | None = None
        for word in _HEAD_SYNONYMS.get(head, (head,)):
            mentions = self._by_role_head().get(word, [])
            i = bisect.bisect_left(mentions, speaker.start, key=lambda m: m.start)
            # Nearest first; a few steps each way are plenty (the role was just named, or is named next).
            before = (m for m in reversed(mentions[max(0, i - _ROLE_LOOKAROUND) : i]))
            after = () if before_only else (m for m in mentions[i : i + _ROLE_LOOKAROUND])
            for side in (before, after):
                found = next((m for m in side if _role_matches(key, m.role, speaker.affiliation, m.affiliation)), None)
                if found is not None and (best is None or _closer(found, best, speaker.start)):
                    best = found
        if best is not None:
            return replace(best, start=speaker.start, end=speaker.end, is_role_only=False, source="role")
        return speaker if before_only else replace(speaker, is_role_only=False)

    def _by_role_head(self) -> dict[str, list[Speaker]]:
        """Named mentions with a role, sorted by position, by the role's last word (kept up to date by `_remember`)."""
        if self._role_index is None:
            index: dict[str, list[Speaker]] = {}
            for _, mention in self._mentions:
                if mention.role and not mention.is_role_only:
                    index.setdefault(_role_head(mention.role), []).append(mention)
            self._role_index = index
        return self._role_index

    # ---- public matching -------------------------------------------------------------------
    def at_end(self, text: str, offset: int, whole: bool = False, owner: bool = False) -> Speaker | None:
        """The speaker phrase that ends `text` (offset: where `text` starts in the article).

        With `whole=True` the phrase must fill `text` apart from leading title words (or a few
        lower-case words describing a full name: "council spokesperson Alex Poe"). With
        `owner=True` (a possessive: "Poland's request") a lone unknown capitalised word names
        an institution.
        """
        words = list(_WORD.finditer(text[-160:]))
        if not words:
            return None
        shift = offset + max(0, len(text) - 160)
        last = words[-1].group()
        if _norm_word(last) in _PRONOUNS and (not whole or len(words) == 1):
            return self._pronoun(_norm_word(last), shift + words[-1].start(), shift + words[-1].end())
        by_alias, max_words = self.table.by_alias, self.table.max_words
        norms = [_norm_word(w.group()) for w in words[-max_words:]]  # only the last few can name an actor
        for k in range(min(max_words, len(words)), 0, -1):
            actor = by_alias.get(" ".join(norms[-k:]))
            if actor is None:
                continue
            head = words[-k]
            if k < len(words) and actor.kind == "person" and _is_name_word(words[-k - 1].group()) \
                    and _norm_word(words[-k - 1].group()) not in _TITLE_WORDS:
                continue  # "John Blinken" is not Antony Blinken
            if whole and any(not word.group()[0].isupper() and _norm_word(word.group()) not in _TITLE_WORDS
                             for word in words[:-k]):
                return None
            start, end = shift + head.start(), shift + words[-1].end()
            speaker = self._from_actor(actor, start, end)
            return self._remember(speaker) if actor.kind == "person" else speaker
        tail = text[-160:]
        run: list[re.Match[str]] = []
        for word in reversed(words):
            w = word.group()
            if run and _BREAKS_RUN.search(tail, word.end(), run[0].start()):
                break  # 'Asked about the cost to Kyiv, Trump said': no name across a comma
            if w[0].isupper() or (run and _norm_word(w) in ("of", "the")):
                run.insert(0, word)
            else:
                break
        while run and _norm_word(run[0].group()) in ("of", "the"):
            run.pop(0)
        described = None
        if whole and len(run) != len([w for w in words if _norm_word(w.group()) != "the"]):
            described = self._described(words, run, tail) if len(run) >= 2 else None
            run = []
        if owner and len(run) == 1 and _is_name_word(run[0].group()) and self.table.lookup(run[0].group()) is None:
            word = run[0]  # 'Poland's request': a country or body the table does not know
            return Speaker(word.group(), None, None, "institution", shift + word.start(), shift + word.end())
        if run:
            found = self._named(run, shift)
            if found is not None:
                return found
        if described is not None:
            return self._named(described[1], shift, role=described[0])
        found = self._role_only(words, shift, tail)
        if found is not None and found.is_role_only:
            resolved = self.resolve_role_only(found, before_only=True)
            if not resolved.is_role_only:
                return self._remember(resolved)  # so that a following 'he said' is this person too
        return found

    @staticmethod
    def _described(words: list[re.Match[str]], run: list[re.Match[str]], tail: str
                   ) -> tuple[str, list[re.Match[str]]] | None:
        """'council spokesperson Alex Poe', 'resident Kim Moe': a few lower-case words, then a full name."""
        name = [w for w in words if w.group()[0].isupper()]
        if len(name) < 2 or words[-1] is not name[-1]:
            return None
        first = words.index(name[0])
        if words[first:] != name or first > 3 or _BREAKS_RUN.search(tail, words[0].start(), name[-1].end()):
            return None
        role = [w.group() for w in words[:first] if _norm_word(w.group()) not in ("the", "a", "an")]
        if not role or any(_norm_word(w) in _NOT_DESCRIPTORS for w in role):
            return None
        return " ".join(role), name

    def at_end_of_clause(self, text: str, offset: int) -> Speaker | None:
        """`at_end`, past a trailing appositive: 'Dmitry Peskov, a spokesperson for Vladimir Putin,' is Peskov;
        'The regional governor, Oleh Syniehubov,' is Syniehubov."""
        body = text.rstrip()
        if body.endswith(","):
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
        return self.at_end(text, offset)

    def at_start(self, text: str, offset: int) -> Speaker | None:
        """The speaker phrase that starts `text` ('said Zelensky', 'according to the Kremlin')."""
        cut = re.search(r"[,.;:!?()“”\"]|\s(?:at|in|on|during|after|before|following|told|who|when|while|to)\s", text)
        phrase = text[: cut.start()] if cut else text
        if not phrase.strip():
            return None
        return self.at_end(phrase.rstrip(), offset, whole=True)


def _role_head(role: str) -> str:
    """The word naming the post: 'Defence Minister' -> minister, 'Secretary of Defense' -> secretary."""
    words = [_norm_word(w) for w in role.split()]
    return words[words.index("of") - 1] if "of" in words[1:] else words[-1]


def _closer(a: Speaker, b: Speaker, position: int) -> bool:
    """Whether `a` is nearer `position` than `b` (a mention before it wins a tie)."""
    return (abs(a.start - position), a.start > position) < (abs(b.start - position), b.start > position)


def _role_matches(role_key: str, role: str, affiliation: str | None = None, their_affiliation: str | None = None) -> bool:
    """'the ruritanian defence minister' ~ 'Defence Minister' (same head noun or a synonym, one word set in the
    other, no clash of affiliation); 'the kremlin leader' ~ a Russian 'President'."""
    if affiliation and their_affiliation and affiliation != their_affiliation:
        return False
    a = {w for w in role_key.split() if w not in ("the", "a", "an")}
    b = {_norm_word(w) for w in role.split()}
    a = {w[:-2] if w.endswith("'s") else w for w in a}
    if not a or not b:
        return False
    head_a = role_key.split()[-1]
    head_b = _role_head(role)
    if head_a != head_b:
        return head_b in _HEAD_SYNONYMS.get(head_a, ()) and (affiliation is not None or len(a) == 1)
    a -= set(_NATIONALITIES)
    return a <= b or b <= a
