"""The fast scanners give exactly the matches of the patterns they stand in for."""

from __future__ import annotations

import random
import re

import pytest

from stancebench.corpus.scanning import WordScanner, scan_and_locate, scan_together, word_trie

WORDS = ["said", "says", "say", "sa", "according", "asked", "asks", "Blinken", "Blin", "O'Brien"]
ALPHABET = ["said ", "says", "say,", "unsaid ", "asked for ", "Asked ", "according to ", "Blinken", "O'Brien ",
            "\n", "“", " ", "(", "é", "_", "x", ".", "-"]

def _tried_at_each_start(text: str, scanner: WordScanner, after: str | None) -> list[tuple[int, int]]:
    """The oracle: the pattern tried at each start (after one of `after`; after a non-word character when None),
    left to right, where the last match ended at the earliest."""
    expected, allowed = [], 0
    for start in range(len(text)):
        if start >= allowed and (start == 0 or (text[start - 1] in after if after else
                                                not re.match("[0-9A-Za-z_]", text[start - 1]))):
            match = scanner.pattern.match(text, start)
            if match is not None:
                expected.append(match.span())
                allowed = match.end()
    return expected



@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_word_trie_matches_the_same_words(flags):
    trie = re.compile(f"(?:{word_trie(WORDS)})$", flags)
    plain = re.compile(f"(?:{'|'.join(map(re.escape, WORDS))})$", flags)
    for candidate in [*WORDS, "sai", "saidx", "SAYS", "", "blinken", "O’Brien"]:
        assert bool(trie.match(candidate)) == bool(plain.match(candidate)), candidate


@pytest.mark.parametrize(
    ("pattern", "first_words"),
    [
        (r"\b(?:said|says|say|according to|asked for)\b", ["said", "says", "say", "according", "asked"]),
        (r"\b(?=[A-Z])(?:Blinken|O'Brien)\b", ["Blinken", "O'Brien"]),  # capitals: the trie leads on its own
        (r"\b(?:Asked|asked)\s+for\b", ["Asked", "asked"]),
    ],
)
@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_word_scanner_finds_what_finditer_finds(pattern, first_words, flags):
    compiled = re.compile(pattern, flags)
    scanner = WordScanner(compiled, first_words)
    # (ignoring case, ASCII texts take a search of their lower case: capitals and letters `re` folds to ASCII ones too)
    alphabet = [*ALPHABET, *(["SAID ", "Says ", "ACCORDING TO ", "bLINKEN", "o'brien ", "\u017faid ", "K", "\u212a"]
                             if flags else [])]
    rng = random.Random(0)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for pos, endpos in [(0, len(text)), (1, len(text)), (3, max(3, len(text) - 2)), (-2, len(text) + 3), (2, 1)]:
            expected = [m.span() for m in compiled.finditer(text, pos, endpos)]
            assert [m.span() for m in scanner.finditer(text, pos, endpos)] == expected, (text, pos, endpos)
        first = compiled.search(text)
        found = scanner.search(text)
        assert (found.span() if found else None) == (first.span() if first else None)


def test_credit_evidence_is_every_colon_slash_and_contributed_str_lower_shows():
    from stancebench.corpus.layout import _credit_evidence

    pieces = ["Photo", "PHOTO", "image", "contributed", "CONTRIBUTED", "CoNtRiBuTeD", "contrİbuted", "contrıbuted",
              "“", "é", " ", "\n", ":", "/", "x", "contri", "buted", "ıMAGE", "\u212a", "\U0001f600", "\ud800"]
    rng = random.Random(1)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        evidence = _credit_evidence(text)
        assert evidence == sorted({i for i, char in enumerate(text) if char in ":/"}
                                  | {i for i in range(len(text)) if text[i : i + 11].lower() == "contributed"}), text
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                body = text[start:end]
                if ":" in body or "/" in body or "contributed" in body.lower():
                    assert any(start <= p < end for p in evidence), (text, start, end)


def test_scan_together_finds_what_each_scanner_finds():
    cues = WordScanner(re.compile(r"\b(?:said|says|say|according to|asked for)\b"), ["said", "says", "say", "according", "asked"])
    titled = WordScanner(re.compile(r"\b(?:[Aa]sked|sai)\s+[A-Z]\w*"), ["Asked", "asked", "sai"])
    rng = random.Random(2)
    for _ in range(3000):
        text = "".join(rng.choice([*ALPHABET, "Blinken ", "sai"]) for _ in range(rng.randint(0, 12)))
        together = scan_together(text, [cues, titled])
        assert [[m.span() for m in found] for found in together] == [
            [m.span() for m in cues.pattern.finditer(text)], [m.span() for m in titled.pattern.finditer(text)]], text
    with pytest.raises(ValueError):
        scan_together("x", [cues, WordScanner(re.compile("Blinken"), ["Blinken"])])


#: Scanners whose first words hold a lead character (a space, an apostrophe), so that leads overlap, and that
#: ignore case: `scan_together` cannot take these in one `finditer`, nor tell from the word found which may match.
_AWKWARD_SCANNERS = [
    (WordScanner(re.compile(r"\b(?:said so|so|according to)\b"), ["said so", "so", "according"]),
     WordScanner(re.compile(r"\bso\s+[A-Z]\w*"), ["so"])),
    (WordScanner(re.compile(r"\b(?:O'Brien|brien)\b"), ["O'Brien", "brien"]),
     WordScanner(re.compile(r"\b[Bb]rien\s+\w+"), ["Brien", "brien"])),
    (WordScanner(re.compile(r"\b(?:said|asked for)\b", re.IGNORECASE), ["said", "asked"]),
     WordScanner(re.compile(r"\b(?:asked|sai)\s+[A-Z]\w*", re.IGNORECASE), ["asked", "sai"])),
]


@pytest.mark.parametrize("scanners", _AWKWARD_SCANNERS)
@pytest.mark.parametrize("after", [None, " \n"])
def test_scan_together_with_words_that_hold_a_lead_character_or_ignoring_case(scanners, after):
    rng = random.Random(4)
    pieces = ["said ", "said so ", "so ", "So Kyiv ", "O'Brien ", "Brien x", "'brien ", "O'brien y", "SAID ", "aSked for",
              "sai Zed ", " ", "\n", "'", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        together = scan_together(text, scanners, after=after)
        for found, scanner in zip(together, scanners, strict=True):
            assert [m.span() for m in found] == _tried_at_each_start(text, scanner, after), text


#: Scanners sharing first words ('asked'; 'sai' that 'said' starts with), and scanners none of whose first words
#: another's starts (each hit then has one scanner to try), one of whose matches may end with a lead character.
_AFTER_SCANNERS = [
    (WordScanner(re.compile(r"\b(?:said|says|say|according to|asked for)\b"), ["said", "says", "say", "according", "asked"]),
     WordScanner(re.compile(r"\b(?:[Aa]sked|sai)\s+[A-Z]\w*"), ["Asked", "asked", "sai"])),
    (WordScanner(re.compile(r"\b(?:said|says|say|according to)\b ?"), ["said", "says", "say", "according"]),
     WordScanner(re.compile(r"\b(?:[Aa]sked|Blinken)\s+[A-Z]\w*"), ["Asked", "asked", "Blinken"])),
]


@pytest.mark.parametrize("cues, titled", _AFTER_SCANNERS)
def test_scan_together_after_given_characters_finds_the_matches_they_precede(cues, titled):
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice([*ALPHABET, "Blinken ", "sai", "asked ", "\t", "\u00a0"]) for _ in range(rng.randint(0, 12)))
        together = scan_together(text, [cues, titled], after=" \n\u00a0\t")
        for found, scanner in zip(together, (cues, titled), strict=True):
            assert [m.span() for m in found] == _tried_at_each_start(text, scanner, " \n\u00a0\t"), text


#: Groups of literals none of which can overlap the scanners' lead and word (found in the automaton's pass), and
#: groups with one that can (' sai' is a lead and word, 'ke' lies inside 'Blinken', 'a' inside 'said'; found by
#: `str.find`).
_LITERALS = [(("“", "”", '"'), ("'",), (" put it",)), (("“", " sai"), ("'",)), (("ke",), (" put it",)), (("“", "a"), ("'",)),
             (("?", "!", "…"), ("«", "„", "'"))]  # (a '?' and characters beyond Latin-1: looked for in the text itself)


@pytest.mark.parametrize("literals", _LITERALS)
@pytest.mark.parametrize("cues, titled", _AFTER_SCANNERS)
def test_scan_and_locate_finds_the_scanners_matches_and_where_each_group_of_literals_occurs(cues, titled, literals):
    rng = random.Random(5)
    for _ in range(3000):
        text = "".join(rng.choice([*ALPHABET, "Blinken ", "sai", "“", "”", '"', "'", " put it", "put it", "\t"])
                       for _ in range(rng.randint(0, 12)))
        found, located = scan_and_locate(text, [cues, titled], " \n\u00a0\t", literals)
        assert [[m.span() for m in f] for f in found] == [
            [m.span() for m in f] for f in scan_together(text, [cues, titled], after=" \n\u00a0\t")], text
        assert located == [sorted(m.start() for literal in group for m in re.finditer(re.escape(literal), text))
                           for group in literals], text


#: First words beyond Latin-1 or holding a '?': the automaton searches the text itself, not its Latin-1 bytes.
_UNENCODABLE_SCANNERS = (WordScanner(re.compile(r"\b(?:said|Zełensky|why\?)\W"), ["said", "Zełensky", "why?"]),
                         WordScanner(re.compile(r"\b[Aa]sked\s+[A-Z]\w*"), ["Asked", "asked"]))


@pytest.mark.parametrize("literals", [(("“", '"'), ("!",)), (("…", " put it"),), (("?",),)])  # ('?' is in 'why?')
def test_scan_and_locate_with_first_words_the_latin_1_bytes_cannot_show(literals):
    cues, titled = _UNENCODABLE_SCANNERS
    rng = random.Random(12)
    pieces = ["said ", "Zełensky ", "Zelensky ", "why? ", "why?", "asked Kyiv", "“", '"', "?", "!", "…", " put it", " ", "\n",
              "ł", "x"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        found, located = scan_and_locate(text, [cues, titled], " \n\u00a0\t", literals)
        for matches, scanner in zip(found, (cues, titled), strict=True):
            assert [m.span() for m in matches] == _tried_at_each_start(text, scanner, " \n\u00a0\t"), text
        assert located == [sorted(m.start() for literal in group for m in re.finditer(re.escape(literal), text))
                           for group in literals], text


def test_fast_checks_before_reported_speech_patterns_find_what_the_patterns_find():
    from stancebench.corpus import content, reported

    noise = ["", "x", "this", "a" * 30, "b" * 38, ", ", ".", "“", "\n", "İt", "wa\u017f", "who", " who"]
    words = ["was", "Was", "WAS", "is", "it", "to", "been", "being", "has", "had", "have", "be", "this", "wa\u017f", "said"]
    rng = random.Random(6)
    for _ in range(20000):
        text = (rng.choice(noise) + rng.choice(["", " ", "("]) + rng.choice(words) + rng.choice([" ", "  ", "\n", "", "\u00a0"])
                + rng.choice(["", "quickly ", "ly ", "x-ly "]) + rng.choice(["", "been ", "been"])
                + rng.choice(["", " ", "\n", "x"]))
        for pattern, fitting in ((reported._PASSIVE, reported._PASSIVE_WORDS),
                                 (reported._PROGRESSIVE, reported._PROGRESSIVE_WORDS)):
            expected = pattern.search(text, max(0, len(text) - 40)) is not None
            assert reported._ends_like(pattern, fitting, text) == expected, (pattern.pattern, text)
        text = (rng.choice(["", " ", "x" * rng.randint(50, 70), "a, b ", "a. b "]) + rng.choice(["", ",", " ,", ", ", ",,"])
                + rng.choice(["", " ", "\n"]) + rng.choice(["that", "thatch", "That", "xthat", ""])
                + rng.choice(["", " that", " it", ", that"]))
        expected = content._THAT_GAP.match(text)
        got = content._that_match(text)
        assert got == ((expected.group("gap"), expected.end()) if expected else None), text


def test_fast_checks_before_abbreviation_cue_and_coordinator_patterns_find_what_the_patterns_find():
    from stancebench.corpus import cues, quotes

    pieces = ["Mr", "Sept", "Sep", "U.S", "A", "a", "x", " ", "\n", "etc", "vs", "said", "warned", "made clear", "made it clear",
              "and", "but", "yet", "band", "Yet", ",", "  ", "arguing", "Said"]
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        start = max(0, len(text) - rng.choice([8, 8, 3, 2, 1, 0]))
        expected = quotes._ABBREVIATION.search(text[start:])
        got = quotes._abbreviation(text, start, len(text))
        assert (got.span() if got else None) == (expected.span() if expected else None), (text, start)
        if cues.CUE_AT_END.search(text, max(0, len(text) - 20)) is not None:
            assert text.endswith(cues.CUE_LAST_WORDS) or text.endswith("\n"), text
        if re.search(r"\b(?:but|and|yet)\s*$", text[-12:]):
            assert text[-12:].rstrip().endswith(("but", "and", "yet")), text


def test_a_match_at_the_start_is_looked_for_just_when_the_text_starts_like_a_first_word():
    from stancebench.corpus import cues, speakers
    from stancebench.corpus.scanning import _at_start

    scanners = (cues.CUE_SCANNER, speakers.TITLED_NAME_SCANNER)
    pieces = [*ALPHABET, "Minister ", "minister", "Secretary Blinken", "made it clear", "calls for ", "A", "a", "M", "ſ",
              "\u212a", "K", "İ", "pressed Kyiv to "]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        found, allowed = _at_start(text, scanners)
        expected = [scanner.pattern.match(text) for scanner in scanners]
        assert [[m.span() for m in f] for f in found] == [[m.span()] if m else [] for m in expected], text
        assert allowed == [m.end() if m else 0 for m in expected], text
    assert cues.CUE_ANY_CASE.first_chars is None  # (ignoring case: any character may start a match)


def test_headline_cues_ignoring_case_are_the_patterns_matches():
    from stancebench.corpus import cues

    pieces = ["Blinken ", "Says ", "SAYS ", "said ", "Signals ", "According To ", "calls for ", "Calls For ", "“", "é",
              "\u017figNALS ", "Made It Clear ", "Pressed Kyiv To ", "urges ", "-", "(", "\n", " ", "x"]
    rng = random.Random(3)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        for pos, endpos in [(0, len(text)), (2, len(text)), (1, max(1, len(text) - 3))]:
            expected = [(m.span(), m.lastgroup) for m in cues.CUE_ANY_CASE.pattern.finditer(text, pos, endpos)]
            assert [(m.span(), m.lastgroup) for m in cues.CUE_ANY_CASE.finditer(text, pos, endpos)] == expected, text
