"""SIGKILL that really lands mid-write, for extract (its atomic rewrite is the one adjudicate and fsck use too).

A forked writer signals just before each write call; the parent kills it at a random point
inside the write (timed from the earlier writes), then checks that every acknowledged write is
on disk and every reader still works. Each test prints `rounds / acknowledged / landed
mid-write / lost` (run with -s to see it); lost must be 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from stancebench import store
from stancebench.project import load_project
from tests.support import KillRound, kill_corpus

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")]

ROUNDS = 50


def test_extract_killed_mid_write_keeps_a_whole_statements_file(project):
    kill_corpus(project, 1500)  # ~0.6 MB rewritten by every extract
    statements = project / "annotations" / "statements.jsonl"
    killer = KillRound(seed=4)
    acked: list[int] = []

    def work(say: Callable[[str], None]) -> None:
        from stancebench.corpus.extract import extract_corpus

        corpus = load_project(project)
        n = 0
        while True:
            (project / "seeds" / f"k{os.getpid()}_{n}.txt").write_text(
                f"Talks {n}\n\n\"We must be allowed to strike the bases, number {n},\" said Jane Doe.\n", encoding="utf-8")
            result = extract_corpus(corpus)
            say(str(len(result.statements)))
            n += 1

    for _ in range(ROUNDS):
        acks = killer.run(work)
        acked.extend(int(a) for a in acks)
        killer.acked_total += len(acks)
        present = store.read_statements(statements)  # whole: the old file or the new one, never half
        assert len(present) >= max(acked, default=0)
        killer.mid_write += any(p.name.endswith(".tmp") for p in statements.parent.iterdir())
        for debris in statements.parent.glob(".statements.jsonl.*.tmp"):
            debris.unlink()  # what `fsck --repair` removes
    killer.summary("extract", lost=0)
