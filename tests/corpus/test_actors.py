"""The actor table's look-ups."""

from __future__ import annotations

from stancebench.corpus.actors import load_actors


def test_the_closest_person_is_the_same_however_often_and_however_written():
    table = load_actors()
    names = ["Stoltenburg", "stoltenburg", "STOLTENBURG", "Blinkin", "Antony Blinkin", "Nobody Here", "Zelenskyi",
             "Stoltenburg", "Blinkin"]
    got = [table.closest_person(name) for name in names]
    assert got == [load_actors().closest_person(name) for name in names]  # (each asked of a table that saw no other)
    assert got[0] is not None and got[0].name == "Jens Stoltenberg" and got[5] is None


def test_person_spans_are_the_pattern_s_matches():
    """The bytes pass with a boundary check in place of the pattern finds what `person_pattern.finditer` finds in any
    span, whatever the characters around and between the names (accents, curly quotes, characters beyond the BMP,
    lone surrogates)."""
    import random

    table = load_actors()
    forms = sorted({key[:1].upper() + key[1:] for key in table.person_words})
    pieces = forms[:40] + ["Blinkens", "xBlinken", "Blinken’s", "Kuleba-Blinken", "O’", "O'", "Sunak3", "_Sunak", "Jr",
                           "Jr.", "ÉSunak", "é", "’", "“", "—", "\xa0", "😀", "\ud800", "Sunak\u0301", "Орбан", "Orbán", " ",
                           " ", "  ", "\n", ",", ".", "-", "said", "Zelenskyy", "Mr", "DudaDuda", "Støre", "Nausėda"]
    rng = random.Random(12)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", ""]) for _ in range(rng.randint(0, 30)))
        pos = rng.randint(0, len(text))
        end = rng.choice([None, rng.randint(pos, len(text))])
        want = [m.span() for m in table.person_pattern.finditer(text)
                if pos <= m.start() < (len(text) if end is None else end)]
        assert table.person_spans(text, pos, end) == want, (text, pos, end)
        found += len(want)
    assert found > 2000


def test_person_spans_with_surnames_that_end_in_a_mark():
    """Surnames an extra table may hold ("O'", 'Smith-', 'Lee.'-less 'Jr'): the spans are still the pattern's."""
    import random

    from stancebench.corpus.actors import Actor, ActorTable

    table = ActorTable([Actor(f"Ann {s}", None, None, "person") for s in ("O'", "Smith-", "Smith", "Jr", "Ng", "Ngo")])
    pieces = ["O'", "O'Neil", "Smith-", "Smith", "Smith-Jones", "Jr", "Ng", "Ngo", "Ngoma", " ", "-", "'", "x", "é", "’"]
    rng = random.Random(2)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 20)))
        pos = rng.randint(0, len(text))
        want = [m.span() for m in table.person_pattern.finditer(text) if m.start() >= pos]
        assert table.person_spans(text, pos) == want, (text, pos)
