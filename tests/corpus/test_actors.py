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
