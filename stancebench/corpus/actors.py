"""The actor table: the ways articles name a speaker, mapped to one canonical name.

The table (`resources/actors.tsv`, extended by an optional `actors.tsv` at the corpus root)
maps name variants to a canonical name, role and affiliation; `stancebench.corpus.speakers`
resolves the speaker phrases of one article against it. `Speaker`, `SpeakerResolver` and
`TITLED_NAME_SCANNER` are re-exported from there for callers that import them from here.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import ahocorasick_rs

from stancebench.errors import InputError

__all__ = ["Actor", "ActorTable", "load_actors", "norm_phrase", "norm_word", "WORD", "ACTOR_KINDS"]

ACTOR_KINDS = ("person", "institution", "group")
_COLUMNS = ("name", "role", "affiliation", "kind", "aliases")

_LOOKUPS_KEPT = 65536


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


WORD = re.compile(r"[^\W_][\w.'’&-]*+")  # possessive: the same matches, ~2.5x faster in `re`
@dataclass(frozen=True, slots=True)
class Actor:
    """One row of the actor table."""

    name: str
    role: str | None
    affiliation: str | None
    kind: str
    aliases: tuple[str, ...] = ()


@functools.lru_cache(maxsize=65536)
def norm_word(word: str) -> str:
    """Casefolded, one kind of apostrophe, without a final full stop ('Gen.' -> 'gen')."""
    word = word.replace("’", "'").casefold()
    if word.endswith(".") and "." not in word[:-1]:
        word = word[:-1]
    return word


def _surface_forms(word: str) -> set[str]:
    """'zelenskyy' -> {'Zelenskyy'}; "o'brien" -> {"O'brien", "O’brien"} (as written in running text)."""
    forms = {word[:1].upper() + word[1:]}
    return forms | {f.replace("'", "’") for f in forms}


def norm_phrase(phrase: str) -> str:
    """The words of `phrase`, each `norm_word`ed, joined by single spaces."""
    return " ".join(norm_word(w) for w in WORD.findall(phrase))


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
                self.by_alias[norm_phrase(alias)] = actor
            if actor.kind == "person":
                self.surnames[norm_word(actor.name.split()[-1])] = actor
                for alias in actor.aliases:
                    if " " not in alias:
                        self.surnames[norm_word(alias)] = actor
        self.max_words = max((key.count(" ") + 1 for key in self.by_alias), default=1)
        #: last word of an alias -> the lengths in words of the aliases ending with it, longest first.
        self.alias_lengths: dict[str, tuple[int, ...]] = {}
        for key in self.by_alias:
            words = key.split(" ")
            self.alias_lengths[words[-1]] = tuple(sorted({*self.alias_lengths.get(words[-1], ()), len(words)}, reverse=True))
        #: capitalised word -> the person it names as a surname (for "the last named person").
        self.person_words: dict[str, Actor] = {
            key: actor for key, actor in self.surnames.items() if " " not in key
        }
        forms = sorted({form for key in self.person_words for form in _surface_forms(key)}, key=len, reverse=True)
        body = "|".join(re.escape(f) for f in forms) or r"(?!x)x"
        #: The capitalised surnames above in running text (case-sensitive).
        self.person_pattern = re.compile(rf"\b(?=[A-Z])(?:{body})\b")
        #: The longest of them, in characters (a match is one of them, without spaces: see `person_words`).
        self.longest_person_form = len(forms[0]) if forms else 0
        # Where a surname may start, for `person_spans`: the forms a match can begin with (A-Z, as the pattern asks), as
        # an automaton over UTF-8 bytes (one over `str` would map every byte to a character index).
        starts = [form for form in forms if "A" <= form[0] <= "Z"]
        self._person_forms = starts
        self._person_ends_word = [_is_word(form[-1]) for form in starts]  # (so that a boundary after it is \b's)
        self._person_bytes = ahocorasick_rs.BytesAhoCorasick(
            [form.encode() for form in starts], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA) if starts else None
        self._pool = {norm_phrase(a.name): a for a in self.actors.values()}
        self._closest: dict[str, Actor | None] = {}
        self._closest_named: dict[str, Actor | None] = {}
        self._looked_up: dict[str, Actor | None] = {}

    def __len__(self) -> int:
        return len(self.actors)

    def person_spans(self, text: str, pos: int = 0, endpos: int | None = None) -> list[tuple[int, int]]:
        """The spans of the surnames of `person_words` that start in text[pos:endpos], as `person_pattern.finditer(text)`
        finds them."""
        # An Aho-Corasick pass over the span's UTF-8 bytes finds where a form occurs; only a match's place is turned into
        # characters, by the characters before it. No match is missed: a form has no capital past its first letter, so
        # no match starts inside an occurrence the pass reports instead. A match that ends at a word boundary on both
        # sides is the pattern's (a form starts with a letter, and the pattern tries the longest first); any other is
        # checked with the pattern.
        end = len(text) if endpos is None else endpos
        found: list[tuple[int, int]] = []
        if self._person_bytes is None or pos >= end:
            return found
        piece = text[pos : end - 1 + self.longest_person_form]
        data, size = piece.encode("utf-8", "surrogatepass"), len(text)
        forms, ends_word, match = self._person_forms, self._person_ends_word, self.person_pattern.match
        ascii_only = piece.isascii()
        after = pos  # (where the last match ended: matches do not overlap)
        at_byte, at = 0, pos  # (a byte of `data` and the character of `text` it is)
        for k, start, _ in self._person_bytes.find_matches_as_indexes(data):
            if ascii_only:
                start += pos
            else:
                at += len(data[at_byte:start].decode("utf-8", "surrogatepass"))
                at_byte, start = start, at
            if start >= end:
                break
            if start < after:
                continue
            stop = start + len(forms[k])
            if (start == 0 or not _is_word(text[start - 1])) and ends_word[k] and (stop == size or not _is_word(text[stop])):
                found.append((start, stop))
                after = stop
            elif (mention := match(text, start)) is not None:
                found.append(mention.span())
                after = mention.end()
        return found

    def lookup(self, phrase: str) -> Actor | None:
        """The actor this exact phrase names (case- and apostrophe-insensitive), if any."""
        # The same names come again and again, within an article and across a corpus: each phrase is worked out once
        # (the cache starts afresh when full, so that a huge corpus of distinct names cannot grow it without end).
        looked_up = self._looked_up
        if phrase in looked_up:
            return looked_up[phrase]
        if len(looked_up) >= _LOOKUPS_KEPT:
            looked_up.clear()
        found = looked_up[phrase] = self.by_alias.get(norm_phrase(phrase))
        return found

    def closest_person(self, name: str) -> Actor | None:
        """The person whose name or surname is spelt closest to `name` (misspellings), if close."""
        named = self._closest_named  # (by the name as written first: `norm_phrase` costs more than the look-up)
        if name in named:
            return named[name]
        if len(named) >= _LOOKUPS_KEPT:
            named.clear()
        key = norm_phrase(name)
        if key not in self._closest:
            pool = self.surnames if " " not in key else self._pool
            found = difflib.get_close_matches(key, list(pool), n=1, cutoff=0.84)
            self._closest[key] = pool[found[0]] if found else None
        actor = named[name] = self._closest[key]
        return actor


def _is_word(char: str) -> bool:
    """Whether `re` counts `char` as a word character (\\w)."""
    return char.isalnum() or char == "_"


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
