"""Layout per article: a line break ends a paragraph on web text, not inside hard-wrapped text."""

from __future__ import annotations

import re
import textwrap

import pytest

from stancebench.corpus import layout as layout_module
from stancebench.corpus import quotes as quotes_module
from stancebench.corpus.layout import is_hard_wrapped, layout_units
from tests.support import attributions, extract_text

WEB = (
    "Allies weigh strikes inside Russia\n"
    "Antony Blinken said the plan is good.\n"
    "\"We will do it,\" he said.\n"
    "The talks in Prague ended late on Thursday.\n"
    "Olaf Scholz warned that any change must be agreed by all allies.\n"
    "“There is no decision yet,” added Jens Stoltenberg.\n"
)

WRAPPED_PARAGRAPHS = [
    "BERLIN - Chancellor Olaf Scholz said on Tuesday that Germany would not send its Taurus cruise "
    "missiles to Ukraine for as long as the war lasted and the risks stayed as they are.",
    "\"We will not deliver weapons whose targets we would have to help choose,\" Scholz told a "
    "town-hall meeting in Prenzlau. The chancellor added that the decision was his alone and "
    "would not change.",
    "Defence Minister Boris Pistorius warned that the debate was splitting the coalition at a time "
    "when unity was needed more than ever.",
]


def _wrapped(width: int = 70) -> str:
    body = "\n\n".join(textwrap.fill(p, width) for p in WRAPPED_PARAGRAPHS)
    return "Scholz holds firm on Taurus\n\n" + body + "\n"


def test_issue_repro_a_line_break_ends_the_paragraph():
    assert attributions('Antony Blinken said the plan is good.\n"We will do it," he said.\n') == [
        ("Antony Blinken", "indirect", "the plan is good"),
        ("Antony Blinken", "direct", "We will do it"),
    ]


def test_web_text_one_line_one_paragraph():
    statements = extract_text(WEB)
    assert [(s.speaker, s.quote_type, s.text) for s in statements] == [
        ("Antony Blinken", "indirect", "the plan is good"),
        ("Antony Blinken", "direct", "We will do it"),
        ("Olaf Scholz", "indirect", "any change must be agreed by all allies"),
        ("Jens Stoltenberg", "direct", "There is no decision yet"),
    ]
    assert all("\n" not in s.context for s in statements)  # no statement's context runs into the next line


@pytest.mark.parametrize("ending", ["\n", " \n", "\n\n"])
def test_web_text_with_blank_lines_between_some_paragraphs(ending):
    text = WEB.replace("Thursday.\n", "Thursday." + ending)
    assert [s.speaker for s in extract_text(text)] == ["Antony Blinken", "Antony Blinken", "Olaf Scholz",
                                                       "Jens Stoltenberg"]


@pytest.mark.parametrize("width", [60, 70, 78])
def test_hard_wrapped_text_keeps_its_paragraphs(width):
    text = _wrapped(width)
    assert is_hard_wrapped(text)
    got = attributions(text)
    assert [(speaker, kind) for speaker, kind, _ in got] == [
        ("Olaf Scholz", "indirect"), ("Olaf Scholz", "direct"), ("Olaf Scholz", "indirect"),
        ("Boris Pistorius", "indirect"),
    ]
    # The first record's content runs over two wrapped lines, as one sentence.
    assert " ".join(got[0][2].split()).startswith("Germany would not send its Taurus cruise missiles to Ukraine")
    assert " ".join(got[0][2].split()).endswith("the risks stayed as they are")
    assert " ".join(got[2][2].split()) == "the decision was his alone and would not change"


def test_a_sentence_ending_at_a_wrapped_line_end_is_its_own_sentence():
    text = ("Talks end\n\nThe ministers met for two hours behind closed\ndoors in the castle.\n"
            "Sergei Lavrov said on Friday that the West was playing with fire and\nwould regret it.\n\n")
    assert is_hard_wrapped(text)
    got = attributions(text)
    assert [(s, k) for s, k, _ in got] == [("Sergei Lavrov", "indirect")]
    assert " ".join(got[0][2].split()) == "the West was playing with fire and would regret it"


def test_layout_decision():
    assert not is_hard_wrapped(WEB)
    assert not is_hard_wrapped("Title\n\nOne paragraph.\n\nAnother paragraph.\n")
    assert not is_hard_wrapped("")
    assert is_hard_wrapped(_wrapped())
    web_units = layout_units(WEB)
    assert [u.kind for u in web_units] == ["headline"] + ["prose"] * 5
    wrapped_units = layout_units(_wrapped())
    assert [u.kind for u in wrapped_units] == ["headline"] + ["prose"] * 3


def _hard_wrapped_line_by_line(text: str) -> bool:
    """`is_hard_wrapped` as a loop over every line: the reference for the search over line breaks."""
    lines = wrapped = begin = 0
    while (at := text.find("\n", begin)) != -1:
        if at > begin and at + 1 < len(text) and not text[at + 1].isspace() and not text[begin:at].isspace():
            ends_sentence = re.search(r"[.!?…:;\"”’)\]]\s*$", text[max(begin, at - 8) : at]) is not None
            if ends_sentence or at - begin >= 40:
                lines += 1
                wrapped += at - begin <= 100 and not ends_sentence
                if lines >= 80:
                    break
        begin = at + 1
    return lines >= 2 and wrapped * 2 > lines


def test_layout_decision_looks_at_the_lines_a_line_by_line_loop_looks_at():
    import random

    rng = random.Random(7)
    pieces = ["w" * 30, "w" * 45, "w" * 120, " " * 45, ".", "a.", " ", "\n", "\n", "\n\n", "\u00a0", "\u2028", "x", "\t", "”"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert is_hard_wrapped(text) == _hard_wrapped_line_by_line(text), repr(text)
    for count in (79, 80, 81, 200):  # the sample ends after 80 lines
        text = ("w" * 60 + "\n") * count + ("w" * 60 + ".\n") * (count + 5)
        assert is_hard_wrapped(text) == _hard_wrapped_line_by_line(text)


def test_quote_continued_over_a_line_break_on_web_text():
    text = ("Kuleba speaks\n"
            "Dmytro Kuleba said: “Let us use what they give us.\n"
            "“The decision is theirs, and we respect it.”\n"
            "The minister left for Brussels.\n")
    got = attributions(text)
    assert got == [("Dmytro Kuleba", "direct", "Let us use what they give us. The decision is theirs, and we respect it.")]


_LAYOUT_PIECES = [
    "Photo: AP", "Read more", "(Reuters)", " / AFP", "by John Doe", "May 28, 2024", "©", "İmage", "picture",
    "contributed to this report", "CONTRIBUTED to this story", "Catch all the", "Caption", "Advertisement", "Related:",
    "Editing by", "Download the",
    "SUBSCRIBE", "Sign up", "Also read", "follow us", "Click here", "Watch:", "Listen:", "Share this", "Copyright",
    "All rights reserved", "Writing by", "Reporting by", "File photo", "Pictured", "\u212aatch all the",
    "© 2024", "ſubscribe", "Sİgn up", "sıgn up", "İmage", "“Quote", "é", "cOpYrIgHt",
    "Fighting went on.", "x" * 90, "y" * 310, "said", " ", "  ", "\n", "\n\n", " \n", "\u00a0", "\u2028", "\t", ".",
    "“", "”", "Title", "Kyiv", "/", ")",
]


def test_web_layout_in_one_pass_gives_the_units_of_the_block_loop():
    # `layout_units` on web text takes a one-pass path; a break pattern equal to the web one but not the same
    # object takes the general loop over blocks, the reference.
    import random
    import re

    reference_breaks = re.compile(r"\n\s*")
    rng = random.Random(3)
    for _ in range(3000):
        lines = ["".join(rng.choice(_LAYOUT_PIECES) for _ in range(rng.randint(0, 4))) + " " * rng.randint(0, 1)
                 + "w" * rng.choice([0, 0, 50, 120, 500]) + rng.choice(["", "", ".", ")", "/ AP", " (AP)"])
                 for _ in range(rng.randint(0, 6))]
        text = "".join(line + rng.choice(["\n", "\n\n", " \n ", "\n\u00a0"]) for line in lines)
        assert layout_units(text, breaks=layout_module._LINE_BREAK) == layout_units(text, breaks=reference_breaks), text


def test_single_open_candidates_hold_every_single_quote_opening():
    import random

    rng = random.Random(4)
    pieces = ["'", "‘", "’", " ", "a", "s", "(", ":", "—", "-", "\n", "_", "1", "é", "x'y", "\u00a0"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        candidates = set(quotes_module.quote_marks(text)[1])
        found = tuple([at for at, char in enumerate(text) if char in marks] for marks in quotes_module.MARK_CHARACTERS)
        assert quotes_module.quote_marks(text, found) == quotes_module.quote_marks(text), text  # (as a scan gives them)
        for start in range(len(text) + 1):
            for m in quotes_module._SINGLE_OPEN.finditer(text, start):
                assert m.start() in candidates, (text, start)


def test_the_cheap_check_lets_through_every_boilerplate_or_caption():
    import random

    rng = random.Random(5)
    for _ in range(5000):
        body = "".join(rng.choice(_LAYOUT_PIECES) for _ in range(rng.randint(1, 5))).strip() or "x"
        if layout_module._is_boilerplate_or_caption(body):
            may_be_credit = ":" in body or "/" in body or "contributed" in body.lower()
            assert layout_module._may_be_skipped(body, 0, len(body), may_be_credit), body
            assert layout_module._is_boilerplate_or_caption(body, may_be_credit), body


def test_the_only_characters_beyond_ascii_a_skipped_text_can_start_with():
    # `_SKIP_START` starts with two ASCII letters or "©"; ignoring case, `re` matches these to a few more.
    import re

    letter = re.compile("[a-z©]", re.IGNORECASE)
    beyond = {chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c))}
    assert beyond == layout_module._SKIP_NON_ASCII


def _random_layout_text(rng) -> str:
    lines = ["".join(rng.choice(_LAYOUT_PIECES) for _ in range(rng.randint(0, 4))) + " " * rng.randint(0, 1)
             + "w" * rng.choice([0, 0, 50, 120, 500]) + rng.choice(["", "", ".", ")", "/ AP", " (AP)", "said"])
             for _ in range(rng.randint(0, 7))]
    return "".join(line + rng.choice(["\n", "\n\n", " \n ", "\n\u00a0", "\n\n\n"]) for line in lines)


@pytest.mark.parametrize("layout", ["web", "general loop", "wrapped", "markdown"])
def test_units_holding_offsets_are_the_units_of_the_whole_layout_that_hold_them(layout):
    import random

    breaks = {"web": layout_module._LINE_BREAK, "general loop": re.compile(r"\n\s*"), "wrapped": layout_module._BLOCK_BREAK,
              "markdown": layout_module._LINE_BREAK}[layout]
    rng = random.Random(8)
    for _ in range(2000):
        text = _random_layout_text(rng)
        if layout == "markdown":
            text = text.replace("Caption", "## Caption")
        offsets = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.choice([0, 1, 3, 10]))))
        whole = layout_units(text, layout == "markdown", breaks)
        expected = [u for u in whole if u.kind == "headline" or any(u.start <= at < u.end for at in offsets)]
        assert layout_units(text, layout == "markdown", breaks, offsets) == expected, (text, offsets)


def test_quotes_in_the_units_holding_a_mark_are_the_quotes_of_all_units():
    import random

    rng = random.Random(9)
    pieces = ["“", "”", "\"", "'", "‘", "’", " he said", "We go", ". ", "x", " ", "\n", "\n\n", "(", "s' ", "«"]
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        doubles, singles = quotes_module.quote_marks(text)
        offsets = sorted({*doubles, *singles, *rng.sample(range(len(text) + 1), min(len(text) + 1, 2))})
        all_units = layout_units(text)
        some_units = layout_units(text, holding=offsets)
        warned: list = []
        warned_some: list = []
        quotes, segments = quotes_module.scan_quotes(text, all_units, lambda at, msg, w=warned: w.append((at, msg)))
        got, got_segments = quotes_module.scan_quotes(
            text, some_units, lambda at, msg, w=warned_some: w.append((at, msg)), (doubles, singles))
        kept = {u.start for u in some_units}
        assert (got, warned_some) == (quotes, warned), text
        assert got_segments == [s for s in segments if s[0] in kept], text


def test_a_quote_left_open_does_not_run_on_past_a_paragraph_left_out_of_the_layout():
    # The middle line holds no mark and no cue, so the layout leaves it out; the quote still ends with its paragraph.
    text = ("Kuleba speaks\n"
            "Dmytro Kuleba said: “Let us use what they give us.\n"
            "The minister left for Brussels.\n"
            "“The decision is theirs,” added Jens Stoltenberg.\n")
    assert attributions(text) == [("Dmytro Kuleba", "direct", "Let us use what they give us."),
                                  ("Jens Stoltenberg", "direct", "The decision is theirs")]


@pytest.mark.parametrize("breaks", [layout_module._LINE_BREAK, layout_module._BLOCK_BREAK])
def test_sentences_are_the_text_without_the_spaces_between_them(breaks):
    import random

    rng = random.Random(10)
    pieces = ["He left.", " ", "  ", "\n", "\n\n", "\u00a0", "\u2028", "\t", "Mr.", " Smith", "U.S.", " The", "“No.”",
              " It", "ok!", "x", "”", "?"]
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        spans = quotes_module.split_sentences(text, start, end, [], breaks)
        position = start
        for a, b in spans:  # in order, each trimmed, and only spaces between them
            assert position <= a < b <= end, (text, start, end, spans)
            assert not text[a].isspace() and not text[b - 1].isspace(), (text, spans)
            assert text[position:a].strip() == "", (text, spans)
            position = b
        assert text[position:end].strip() == "", (text, spans)


def test_contributed_is_looked_for_as_str_lower_shows_it():
    import random

    pieces = ["contributed", "CONTRIBUTED", "CoNtRiBuTeD", "contrİbuted", "contrıbuted", "contri", "buted", "İ", "ı",
              "\u212a", "“", "é", " ", "x", "\U0001f600", "\ud800", "?", "ſ", "C", "c"]
    rng = random.Random(11)
    for _ in range(5000):
        line = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert layout_module._spells_contributed(line) == ("contributed" in line.lower()), repr(line)
