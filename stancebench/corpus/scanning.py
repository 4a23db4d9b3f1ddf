"""Fast scanning with compiled regular expressions: word tries and word-start prefilters.

Python's `re` tries a pattern at every position unless the pattern starts with a literal or a
character set; a pattern that starts with `\\b` and a long list of alternative words runs at
~15 MB/s. Written as a trie (`sa(?:id|ys?)` rather than `said|says|say`) behind the non-word
character that must precede a word, the same search runs at ~40-80 MB/s. `scan` uses such a
prefilter to find the places where the exact pattern can match, then runs the exact pattern
only there, so callers keep their readable patterns and their exact results.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

import ahocorasick_rs

__all__ = ["WordScanner", "scan_and_locate", "scan_together", "word_trie"]


def word_trie(words: Iterable[str]) -> str:
    """A regular expression matching any of `words`, as a trie of literal characters."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_body(tree)


def _trie_body(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _trie_body(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    return body + "?" if "" in node else body


class WordScanner:
    """`pattern.finditer` for a pattern whose matches start a word with one of `first_words`, faster.

    Same matches as `pattern.finditer(text, pos, endpos)` when every match of `pattern` is
    non-empty and starts at a word boundary with one of `first_words` (a superset is fine: it
    only costs speed).
    """

    def __init__(self, pattern: re.Pattern[str], first_words: Iterable[str]) -> None:
        words = list(first_words)
        self.pattern = pattern
        # A trie of literals gives `re` a set of first characters to skip ahead with. Capitals
        # are rare enough for that set to skip fast (~150 MB/s); common lower-case letters are
        # not, and the character before the word is the better first character (~60 MB/s).
        # `[^0-9A-Z_a-z]` is a superset of `\W` (it takes in non-ASCII letters too) that `re`
        # checks from a bitmap, 1.5x faster than the Unicode category test of `\W`.
        self._shift = 0 if all(word[:1].isupper() for word in words) else 1
        self.first_words = tuple(words)
        #: What a match's first character can be (None: any, as when ignoring case): a match at the start of a text
        #: needs no `re` call when the text starts otherwise.
        self.first_chars = None if pattern.flags & re.IGNORECASE or "" in words else frozenset(w[0] for w in words)
        before = "[^0-9A-Z_a-z]" if self._shift else ""
        self.lead = re.compile(before + "(?:" + word_trie(words) + ")", pattern.flags)
        # Ignoring case, `re` folds each character it compares (a headline's search: ~4x slower). In an ASCII text, the
        # leads are where the lower-case words' leads are in its lower case, found by a search that keeps case.
        self._lower: tuple[re.Pattern[str], frozenset[str]] | None = None
        if pattern.flags & re.IGNORECASE and all(word and word.isascii() for word in words):
            lower = sorted({word.lower() for word in words})
            self._lower = (re.compile(before + "(?:" + word_trie(lower) + ")", pattern.flags & ~re.IGNORECASE),
                           frozenset(word[0] for word in lower))

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        """Every match of the pattern in text[pos:endpos], left to right, not overlapping."""
        end = len(text) if endpos is None else endpos
        match_at, search, shift = self.pattern.match, self.lead.search, self._shift
        haystack, offset, firsts = text, 0, None  # where the leads are searched; text[offset] is its first character
        if self._lower is not None and 0 <= pos <= end <= len(text) and (piece := text[pos:end]).isascii():
            haystack, offset = piece.lower(), pos
            lead, firsts = self._lower
            search = lead.search
        # (the lead of a match at `pos` itself lies before `pos`, outside the search; in lower case, a match there
        # starts with the first letter of a word)
        if shift and (firsts is None or haystack[:1] in firsts):
            match = match_at(text, pos, end)
            if match is not None:
                yield match
                pos = match.end() - shift
        while (hit := search(haystack, pos - offset, end - offset)) is not None:
            at = hit.start() + offset
            match = match_at(text, at + shift, end)
            if match is None:
                pos = at + 1
            else:
                yield match
                pos = match.end() - shift

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """The first match, as `pattern.search` would find it."""
        return next(self.finditer(text, pos, endpos), None)


class _JointLead(NamedTuple):
    lead: re.Pattern[str]  # a lead character, then the first word (group 1)
    trie: re.Pattern[str]  # the first word alone (group 1), matched just after a rare lead character
    #: For each first word the lead can end with, the scanners with a first word it starts with: only those may
    #: match there. None when that is not known (ignoring case, a found word is not one of the words as spelt).
    owners: dict[str, tuple[int, ...]] | None
    #: No first word holds a character a lead starts with, so leads never overlap: `finditer` finds them all.
    disjoint: bool
    #: With `after` characters, disjoint leads and case kept: every lead character before every first word, as one
    #: Aho-Corasick automaton (leftmost longest, as the trie's greedy match is; standard when each hit has one
    #: scanner to try: see `_joint_lead`).
    automaton: ahocorasick_rs.AhoCorasick | ahocorasick_rs.BytesAhoCorasick | None
    #: For each of the automaton's patterns, the one scanner that may match after its lead character, or None
    #: when some first word has more than one (then each hit goes through `owners`).
    automaton_owner: tuple[int, ...] | None
    automaton_words: tuple[str, ...]  # the first word of each of the automaton's patterns
    #: With literals (see `scan_and_locate`): they are patterns of the automaton too, after the scanners' ones; the
    #: owner of literal k of group g is -1 - g. Empty when literals were asked for and could overlap a pattern.
    literals: tuple[str, ...]
    #: The automaton searches the text's Latin-1 bytes, every other character a '?' (see `_haystack`): its patterns
    #: and literals are Latin-1 without a '?'.
    encoded: bool
    #: Groups' literals that are not (curly quotes, '?'): (group, its such literals), found by `str.find`.
    apart: tuple[tuple[int, tuple[str, ...]], ...]


@functools.cache
def _joint_lead(scanners: tuple[WordScanner, ...], after: str | None = None,
                literals: tuple[tuple[str, ...], ...] = ()) -> _JointLead:
    words = sorted({word for scanner in scanners for word in scanner.first_words})
    trie = "(" + word_trie(words) + ")"
    flags = scanners[0].pattern.flags
    # With `after`, its first character leads the search: a literal first character lets `re` skip ahead
    # (2x a character class); the other characters are rare (line breaks), each leading a search of its own.
    lead = "[^0-9A-Z_a-z]" if after is None else re.escape(after[0])
    ignoring_case = bool(flags & re.IGNORECASE)
    # The trie finds the longest first word at a place, so a scanner may match there only if it has that word
    # or one the word starts with.
    owners = None if ignoring_case else {
        word: tuple(i for i, s in enumerate(scanners) if any(word.startswith(own) for own in s.first_words))
        for word in words}
    if after is None:
        disjoint = not ignoring_case and all(re.fullmatch("[0-9A-Z_a-z]+", word) for word in words)
    else:
        disjoint = not any(char in word for word in words for char in after)
    automaton, automaton_owner, automaton_words, flat, encoded, apart = None, None, (), (), False, ()
    if after is not None and disjoint and not ignoring_case:
        automaton_words = tuple(word for _ in after for word in words)
        patterns = [char + word for char in after for word in words]
        single_owners = owners is not None and all(len(owners[word]) == 1 for word in words)
        flat = tuple(literal for group in literals for literal in group)
        # A literal no other pattern can overlap (nor contain, nor be contained in) is found wherever it occurs.
        # (A single character overlaps a pattern only by being in it: one set look-up, not a check per pattern.)
        in_patterns = set("".join(patterns))
        if not single_owners or any(
                _may_overlap(literal, other) for i, literal in enumerate(flat)
                for other in (*(patterns if len(literal) > 1 or literal in in_patterns else ()), *flat[i + 1 :])):
            flat = ()
        in_group = [g for g, group in enumerate(literals) for _ in group] if flat else []
        encoded = all(map(_is_byte_safe, patterns))
        if encoded:  # literals with a character beyond Latin-1, or a '?', are looked for in the text itself
            kept = [_is_byte_safe(literal) for literal in flat]
            looked_for: dict[int, list[str]] = {}
            for g, literal, keep in zip(in_group, flat, kept, strict=True):
                if not keep:
                    looked_for.setdefault(g, []).append(literal)
            apart = tuple((g, tuple(group)) for g, group in looked_for.items())
            in_group = [g for g, keep in zip(in_group, kept, strict=True) if keep]
            flat = tuple(literal for literal, keep in zip(flat, kept, strict=True) if keep)
        searched = [*patterns, *flat]
        # Occurrences overlap only where they start together, a first word and a longer one (no first word holds a
        # lead character, no literal overlaps a pattern); with one scanner to try for both, reporting the first to
        # end (standard semantics) gives the same starts and scanners as the longest, in ~14% fewer instructions.
        # (a DFA: ~15% faster a search than the default contiguous NFA, for a few hundred patterns)
        automaton = (ahocorasick_rs.BytesAhoCorasick if encoded else ahocorasick_rs.AhoCorasick)(
            [p.encode("latin-1") for p in searched] if encoded else searched,
            matchkind=ahocorasick_rs.MatchKind.Standard if single_owners else ahocorasick_rs.MatchKind.LeftmostLongest,
            implementation=ahocorasick_rs.Implementation.DFA)
        if single_owners:
            automaton_owner = (*(owners[word][0] for word in automaton_words), *(-1 - g for g in in_group))
    return _JointLead(re.compile(lead + trie, flags), re.compile(trie, flags), owners, disjoint, automaton,
                      automaton_owner, automaton_words, flat, encoded, apart)


def _is_byte_safe(pattern: str) -> bool:
    """Whether `pattern` occurs in a text just where its Latin-1 bytes occur in `_haystack(text)`."""
    return "?" not in pattern and (pattern.isascii() or max(pattern) <= "\xff")


def _haystack(text: str, joint: _JointLead) -> str | bytes:
    """What `joint.automaton` searches: with `joint.encoded`, one byte a character, so its positions are the text's.

    ahocorasick_rs searches a `str` as UTF-8 (an encoding cached on the text) and maps each byte offset to a code
    point in a table of 8 bytes a byte: ~105K instructions on a 4,300-character article of curly quotes, against
    ~54K for Latin-1 with '?' for every other character (no pattern holds a '?', so none matches where one stands).
    """
    return text.encode("latin-1", "replace") if joint.encoded else text


def _may_overlap(a: str, b: str) -> bool:
    """Whether occurrences of `a` and `b` can overlap in some text."""
    return a in b or b in a or any(a.endswith(b[:k]) or b.endswith(a[:k]) for k in range(1, min(len(a), len(b))))


@functools.cache
def _rare_lead(trie: re.Pattern[str], char: str) -> re.Pattern[str]:
    return re.compile(re.escape(char) + trie.pattern, trie.flags)


def scan_and_locate(text: str, scanners: Sequence[WordScanner], after: str,
                    literals: Sequence[Sequence[str]]) -> tuple[list[list[re.Match[str]]], list[list[int]]]:
    """`scan_together(text, scanners, after)`, and for each group of `literals` where they occur in `text`, in order
    (not overlapping), found in the same pass of the automaton when none can overlap a scanner's lead and word or
    another literal (~2x the search of each literal by `str.find`, which passes over the text once a literal)."""
    global _last_prepared
    last = _last_prepared  # the same arguments article after article: no hashing of the literals' tuples each time
    if last[0] is scanners and last[1] is literals and last[2] == after:
        scanners, groups, joint = last[3]
    else:
        try:
            prepared = _prepared(scanners, after, literals)  # (once, not an article at a time)
            _last_prepared = (scanners, literals, after, prepared)
        except TypeError:  # lists: not to be cached
            prepared = _prepared.__wrapped__(scanners, after, literals)
        scanners, groups, joint = prepared
    if not joint.literals:
        return scan_together(text, scanners, after), [_positions_of(text, group) for group in groups]
    return _scan_automaton(text, scanners, joint, len(groups))


_last_prepared: tuple = (None, None, None, None)  # (scanners, literals, after, what `_prepared` gave for them)


@functools.cache
def _prepared(scanners: Sequence[WordScanner], after: str,
              literals: Sequence[Sequence[str]]) -> tuple[tuple[WordScanner, ...], tuple[tuple[str, ...], ...], _JointLead]:
    scanners = _checked(scanners)
    groups = tuple(tuple(group) for group in literals)
    return scanners, groups, _joint_lead(scanners, after, groups)


def _checked(scanners: Sequence[WordScanner]) -> tuple[WordScanner, ...]:
    scanners = tuple(scanners)
    if any(not s._shift or s.pattern.flags != scanners[0].pattern.flags for s in scanners):
        raise ValueError("scan_together needs scanners that lead with the character before the word, same flags")
    return scanners


def _positions_of(text: str, literals: Sequence[str]) -> list[int]:
    """Where any of `literals` occurs in `text`, sorted (each one's occurrences not overlapping)."""
    found, find = [], text.find
    for literal in literals:
        at = find(literal)
        while at != -1:
            found.append(at)
            at = find(literal, at + len(literal))
    return sorted(found) if len(literals) > 1 else found


def _at_start(text: str, scanners: tuple[WordScanner, ...]) -> tuple[list[list[re.Match[str]]], list[int]]:
    """Each scanner's match at 0, which no lead character precedes, and where its next match may start (matches
    do not overlap)."""
    found: list[list[re.Match[str]]] = [[] for _ in scanners]
    allowed = [0] * len(scanners)
    first = text[:1]
    for i, scanner in enumerate(scanners):
        if scanner.first_chars is not None and first not in scanner.first_chars:
            continue  # (no first word starts with it: no match, and no `re` call)
        match = scanner.pattern.match(text)
        if match is not None:
            found[i].append(match)
            allowed[i] = match.end()
    return found, allowed


def _scan_automaton(text: str, scanners: tuple[WordScanner, ...], joint: _JointLead,
                    groups: int) -> tuple[list[list[re.Match[str]]], list[list[int]]]:
    """`scan_together` with an automaton each of whose patterns has one scanner to try (or is a literal of a group)."""
    found, allowed = _at_start(text, scanners)
    located: list[list[int]] = [[] for _ in range(groups)]
    end = len(text)
    patterns = [scanner.pattern.match for scanner in scanners]
    owner = joint.automaton_owner
    for k, start, _ in joint.automaton.find_matches_as_indexes(_haystack(text, joint)):  # (positions in the text)
        i = owner[k]
        if i < 0:
            located[-1 - i].append(start)
        elif start + 1 >= allowed[i] and (match := patterns[i](text, start + 1, end)) is not None:
            found[i].append(match)
            allowed[i] = match.end()
    for g, group in joint.apart:  # (no literal overlaps another: both lists hold what one pass would find)
        if extra := _positions_of(text, group):
            located[g] = sorted(located[g] + extra) if located[g] else extra
    return found, located


def scan_together(text: str, scanners: Sequence[WordScanner], after: str | None = None) -> list[list[re.Match[str]]]:
    """`[list(s.finditer(text)) for s in scanners]`, with one search of the text for all their leads.

    A lead search costs about as much as a trie of all their first words as of one scanner's, so
    two scanners run in little more than the time of one. Every scanner must lead with the
    character before the word (some of its first words are not capitalised) and use the same flags.
    With `after` (e.g. " \\n"), only matches at the start of the text or after one of those
    characters are found: an Aho-Corasick automaton of each such character before each first word
    finds those places, ~2x faster than a regex led by the space (130 against 64 MB/s on news-like
    text; the regex remains for scanners that ignore case or whose first words hold such a character).
    """
    scanners = _checked(scanners)
    joint = _joint_lead(scanners, after)
    if joint.automaton_owner is not None:  # each hit has one scanner to try: no lists of hits, no `owners` look-ups
        return _scan_automaton(text, scanners, joint, 0)[0]
    found, allowed = _at_start(text, scanners)
    end = len(text)
    patterns = [scanner.pattern.match for scanner in scanners]
    if joint.automaton is not None:  # (positions in the text, as `str` indexes)
        words = joint.automaton_words
        hits = [(start + 1, words[k]) for k, start, _ in joint.automaton.find_matches_as_indexes(_haystack(text, joint))]
    else:
        hits = _lead_hits(joint.lead, text, end, joint.disjoint)
        if after is not None and len(after) > 1:
            # Each rare character leads a search of its own (a literal first character: fast), if it occurs at all.
            rare = [hit for char in after[1:] if char in text
                    for hit in _lead_hits(_rare_lead(joint.trie, char), text, end, joint.disjoint)]
            if rare:
                hits = sorted([*hits, *rare])
    everyone = range(len(scanners))
    owners = joint.owners
    for at, word in hits:
        for i in everyone if owners is None else owners[word]:
            if at >= allowed[i] and (match := patterns[i](text, at, end)) is not None:
                found[i].append(match)
                allowed[i] = match.end()
    return found


def _lead_hits(lead: re.Pattern[str], text: str, end: int, disjoint: bool) -> list[tuple[int, str]]:
    """(where a word a lead found starts, just after its lead character; the first word found), in text order."""
    if disjoint:  # one `finditer` in C, as leads cannot overlap
        return [(hit.start() + 1, hit.group(1)) for hit in lead.finditer(text, 0, end)]
    hits, search, pos = [], lead.search, 0  # leads may overlap: search on from just after each one
    while (hit := search(text, pos, end)) is not None:
        pos = hit.start() + 1
        hits.append((pos, hit.group(1)))
    return hits
