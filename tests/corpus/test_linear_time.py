"""Extraction time grows linearly with the article: ten times the text, about ten times the CPU time.

Each input repeats one piece of text that once made a pass quadratic (caption words, quotes,
cues or names in one run-on sentence). A quadratic pass takes ~100 times as long on ten times
the text; the test allows 40 (linear is ~10), and times CPU seconds, best of three runs on the
small input, so other load on the machine does not make it flaky.
"""

from __future__ import annotations

import time

import pytest

from stancebench.corpus.statements import extract_statements
from stancebench.schema import Article

SMALL = 40_000

PIECES = [
    "photo\n\n",  # caption-credit words (the 400 KB that took 63 s)
    "Éphoto credit: AP.\n\n",  # the same past non-ASCII text
    '"a," he said. ',  # quotes and cues in one run-on sentence
    "'a' ",  # single marks
    "the minister said it was so, ",  # cues and role-only speakers
    "Minister John Smith said \"x",  # unclosed quotes (one warning each) and titled names
    "Kirby said that Blinken said, ",
    "The decision, officials said, applies, ",  # attributions set off by commas in one run-on sentence
    "Scholz, who said it would, met them, ",  # relative clauses
    "‘a b \"c ",  # single marks that a double one may close
]


def _cpu_seconds(text: str, runs: int) -> float:
    article = Article(id="big", title="big", text=text)
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        extract_statements(article, warnings=[])
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("piece", PIECES)
def test_ten_times_the_text_takes_about_ten_times_as_long(piece):
    small = piece * (SMALL // len(piece))
    large = piece * (10 * SMALL // len(piece))
    base = max(_cpu_seconds(small, 3), 1e-3)
    ratio = _cpu_seconds(large, 1) / base
    if ratio > 40:  # one retry: a burst of load during the single large run
        ratio = _cpu_seconds(large, 1) / base
    assert ratio < 40, f"{piece!r}: 10x the text took {ratio:.0f}x the time"
