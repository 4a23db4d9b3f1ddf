"""How each speaker was found (`speaker_source`), control characters, and metadata lines above a story."""

from __future__ import annotations

import json
import re

import pytest

from stancebench.corpus.layout import layout_units
from stancebench.corpus.statements import extract_statements
from stancebench.errors import InputError
from stancebench.schema import SPEAKER_SOURCES, Article, Statement
from tests.support import extract_text, make_statement


def test_speaker_source_of_each_kind():
    text = ("Allies weigh strikes\n\n"
            "Giorgia Meloni spoke in Rome. The prime minister said the idea was a mistake.\n\n"
            "“We are not at war with Russia,” she said. “Nobody is.”\n\n"
            "Jens Stoltenbreg said allies would decide together.\n")
    got = [(s.speaker, s.speaker_source) for s in extract_text(text)]
    assert got == [
        ("Giorgia Meloni", "role"),  # 'the prime minister', the person named before
        ("Giorgia Meloni", "pronoun"),
        ("Giorgia Meloni", "previous"),  # a quote with no cue of its own
        ("Jens Stoltenberg", "table"),  # misspelt: the actor table's closest name
    ]
    assert {s.speaker_source for s in extract_text("H\n\nOlaf Scholz said the rules stand firm.\n")} == {"named"}


def test_statements_written_before_speaker_source_still_read():
    data = json.loads(make_statement("s1").to_json())
    del data["speaker_source"]
    assert Statement.from_json(json.dumps(data)).speaker_source is None
    data["speaker_source"] = "pronoun"
    assert Statement.from_json(json.dumps(data)).speaker_source == "pronoun"
    assert set(SPEAKER_SOURCES) == {"named", "pronoun", "previous", "role", "table", "corrected"}


def test_unknown_speaker_source_names_file_and_line():
    data = {**json.loads(make_statement("s1").to_json()), "speaker_source": "guess"}
    with pytest.raises(InputError, match=r"statements.jsonl:3: unknown speaker_source 'guess'"):
        Statement.from_json(json.dumps(data), "statements.jsonl", 3)


@pytest.mark.parametrize("control", ["\x1b[31m", "\x1b]0;title\x07", "\x08\x08", "\x9b2J", "\x00"])
def test_terminal_control_characters_never_reach_a_statement(control):
    text = f"Allies weigh strikes\n\nOlaf Scholz said the rules {control}stand firm for now.\n"
    (statement,) = extract_statements(Article(id="a", title="t", text=text))
    shown = statement.text + statement.context
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown) and "31m" not in shown and "title" not in shown
    assert len(statement.text) == statement.end - statement.start  # spans still index the article text
    assert " ".join(statement.text.split()).endswith("stand firm for now")


def test_screen_safe_blanks_every_control_character_and_leaves_other_text_as_it_is():
    import random

    from stancebench.corpus.statements import screen_safe

    controls = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    pieces = ["a", " ", "\n", "\t", "\u00a0", "\u00a9", "\u00c2", "\u00bf", "“", "\u0100", "\ud800", "\U0001f600",
              "\x1b[31m", "\x1b]0;t\x07", *map(chr, [*range(0x20), *range(0x7f, 0xa1)])]
    rng = random.Random(6)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        shown = screen_safe(text)
        assert len(shown) == len(text) and not controls.search(shown), repr(text)
        if not controls.search(text):
            assert shown is text
        else:
            assert all(a == b or b == " " for a, b in zip(text, shown, strict=True)), repr(text)


def test_a_text_with_control_characters_gives_what_its_screened_text_gives():
    # (extraction finds control characters in the pass that finds the cues, and only then screens and scans again)
    import random

    from stancebench.corpus.statements import screen_safe

    pieces = ["Olaf Scholz said ", "the rules stand. ", "“We will,” he said. ", "\n", " ", "x", "\x1b[31m", "\x9b2J",
              *map(chr, [*range(0x20), *range(0x7f, 0xa1)])]
    rng = random.Random(8)
    for _ in range(400):
        text = "Allies weigh strikes\n\n" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        assert extract_statements(Article(id="a", title="t", text=text)) == extract_statements(
            Article(id="a", title="t", text=screen_safe(text))), repr(text)


@pytest.mark.parametrize(
    "stamp",
    ["May 28, 2024", "28 May 2024 14:05 CET", "Updated: 2024-05-28", "Published Tuesday, June 4, 2024 at 9:30 a.m.",
     "By Pierre Lenoir | Rhine Post | May 28, 2024"],
)
def test_a_leading_date_stamp_or_byline_is_metadata(stamp):
    for layout in (f"Scholz holds firm\n{stamp}\nOlaf Scholz said the rules stand.\n",
                   f"Scholz holds firm\n\n{stamp}\n\nOlaf Scholz said the rules stand.\n"):
        units = layout_units(layout)
        assert [u.kind for u in units] == ["headline", "skip", "prose"]
        assert [s.speaker for s in extract_text(layout)] == ["Olaf Scholz"]
